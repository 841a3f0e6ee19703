"""Writes of the organisations app. Each function is atomic and validates before it writes."""

import zoneinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tremplin.core.postal_codes import compact as compact_postal_code
from tremplin.core.validators import check_postal_code
from tremplin.organisations.enums import MembershipRole, OrganisationKind, OrganisationSource
from tremplin.organisations.models import (
    Membership,
    Network,
    NetworkCoordinator,
    NetworkEvent,
    Organisation,
    User,
)
from tremplin.organisations.validators import normalise_siret


@transaction.atomic
def organisation_create(
    *, network: Network, kind: str, name: str, siret: str = "", **fields: object
) -> Organisation:
    organisation = Organisation(
        network=network, kind=kind, name=name.strip(), siret=normalise_siret(siret), **fields
    )
    if kind != OrganisationKind.FACILITATOR and organisation.facilitator_id is not None:
        facilitator = organisation.facilitator
        if facilitator.kind != OrganisationKind.FACILITATOR or facilitator.network_id != network.pk:
            raise ValidationError(
                {
                    "facilitator": "La structure référente doit être une structure de facilitation du réseau."
                }
            )
    if (
        organisation.siret
        and Organisation.objects.filter(network=network, siret=organisation.siret).exists()
    ):
        raise ValidationError({"siret": "Une organisation de ce réseau porte déjà ce SIRET."})
    organisation.postal_code = compact_postal_code(organisation.postal_code)
    check_postal_code(organisation)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_confirm(*, actor: User | None, organisation: Organisation) -> Organisation:
    """A facilitator confirms an organisation read in open data: from now on it stands with
    those typed by hand. The caller checks that ``actor`` may see it."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.source != OrganisationSource.DECP:
        raise ValidationError("Cette organisation a été saisie à la main : rien à confirmer.")
    if organisation.confirmed_at is not None:
        raise ValidationError("Cette organisation est déjà confirmée.")
    organisation.confirmed_at = timezone.now()
    organisation.save(update_fields=["confirmed_at"])
    NetworkEvent.objects.create(
        network_id=organisation.network_id,
        actor=actor,
        action="organisation_confirmed",
        object_type="organisation",
        object_id=organisation.pk,
        before={"confirmed_at": None},
        after={"confirmed_at": organisation.confirmed_at.isoformat()},
    )
    return organisation


@transaction.atomic
def user_create(
    *, email: str, password: str | None, first_name: str = "", last_name: str = ""
) -> User:
    return User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )


@transaction.atomic
def membership_add(
    *, user: User, organisation: Organisation, role: str = MembershipRole.MEMBER
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    return membership


@transaction.atomic
def coordinator_add(*, user: User, network: Network) -> NetworkCoordinator:
    coordinator, _ = NetworkCoordinator.objects.get_or_create(user=user, network=network)
    return coordinator


# --- The shared rules of a network -----------------------------------------------------

RULE_FIELDS = (
    "hours_per_fte",
    "default_hourly_cost",
    "default_labour_share",
    "default_insertion_rate",
    "time_zone",
    "publishes_open_data",
)
CRITERIA_FIELD = "eligibility_criteria"
# A year has at most 366 days of 24 hours.
MAX_HOURS_PER_FTE = 8784
RATIO_PLACES = Decimal("0.0001")
RATIO_ERRORS = {
    "default_labour_share": (
        "La part de main-d'œuvre doit être supérieure à 0 % et au plus de 100 % : à 0 %, "
        "les clauses calculées avec elle n'exigeraient aucune heure."
    ),
    "default_insertion_rate": (
        "Le taux d'insertion doit être supérieur à 0 % et au plus de 100 % : à 0 %, "
        "les clauses calculées avec lui n'exigeraient aucune heure."
    ),
}


def _rules_snapshot(network: Network) -> dict[str, Any]:
    """The network's rules as they are stored, in JSON-friendly values, for its history."""
    return {
        "hours_per_fte": network.hours_per_fte,
        "default_hourly_cost": str(network.default_hourly_cost),
        "default_labour_share": str(network.default_labour_share),
        "default_insertion_rate": str(network.default_insertion_rate),
        "time_zone": network.time_zone,
        "publishes_open_data": network.publishes_open_data,
        CRITERIA_FIELD: list(
            network.eligibility_criteria.order_by("position", "label").values_list(
                "label", flat=True
            )
        ),
    }


def _as_decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _clean_rules(fields: dict[str, Any]) -> dict[str, Any]:
    """The new values of the rules, checked; raises ValidationError (French, by field)."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    if "hours_per_fte" in fields:
        hours = fields["hours_per_fte"]
        if not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0:
            errors["hours_per_fte"] = (
                "Le nombre d'heures par ETP doit être un entier supérieur à 0."
            )
        elif hours > MAX_HOURS_PER_FTE:
            errors["hours_per_fte"] = (
                "Un ETP ne peut pas dépasser 8 784 heures (366 jours de 24 h)."
            )
        else:
            cleaned["hours_per_fte"] = hours
    if "default_hourly_cost" in fields:
        cost = _as_decimal(fields["default_hourly_cost"])
        if cost is None or not cost.is_finite() or cost <= 0:
            errors["default_hourly_cost"] = "Le coût horaire doit être supérieur à 0 €."
        elif cost >= 1_000_000:
            errors["default_hourly_cost"] = "Le coût horaire doit rester sous 1 000 000 €."
        else:
            cleaned["default_hourly_cost"] = cost.quantize(Decimal("0.01"), ROUND_HALF_UP)
    for name, message in RATIO_ERRORS.items():
        if name not in fields:
            continue
        ratio = _as_decimal(fields[name])
        if ratio is None or not ratio.is_finite() or not 0 < ratio <= 1:
            errors[name] = message
        else:
            cleaned[name] = ratio.quantize(RATIO_PLACES, ROUND_HALF_UP)
    if "time_zone" in fields:
        zone = str(fields["time_zone"] or "").strip()
        if zone not in zoneinfo.available_timezones():
            errors["time_zone"] = f"Fuseau horaire inconnu : « {zone} »."
        else:
            cleaned["time_zone"] = zone
    if "publishes_open_data" in fields:
        cleaned["publishes_open_data"] = bool(fields["publishes_open_data"])
    if CRITERIA_FIELD in fields:
        criteria = list(fields[CRITERIA_FIELD])
        if not criteria:
            errors[CRITERIA_FIELD] = "Retenez au moins un public éligible."
        else:
            cleaned[CRITERIA_FIELD] = criteria
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def network_update_rules(*, actor: User | None, network: Network, **fields: Any) -> Network:
    """Change the shared rules of ``network`` and record the change in its history.

    ``fields`` are any of ``RULE_FIELDS`` (ratios as fractions: 0.05 for 5 %) and
    ``eligibility_criteria`` (the criteria of the reference list the network accepts).
    The caller checks that ``actor`` coordinates the network. A change that changes
    nothing writes nothing.
    """
    unknown = set(fields) - {*RULE_FIELDS, CRITERIA_FIELD}
    if unknown:
        raise TypeError(f"Unknown network rules: {', '.join(sorted(unknown))}")
    cleaned = _clean_rules(fields)
    network = Network.objects.select_for_update().get(pk=network.pk)
    before = _rules_snapshot(network)
    changed_fields = [name for name in RULE_FIELDS if name in cleaned]
    for name in changed_fields:
        setattr(network, name, cleaned[name])
    if changed_fields:
        network.save(update_fields=changed_fields)
    if CRITERIA_FIELD in cleaned:
        network.eligibility_criteria.set(cleaned[CRITERIA_FIELD])
    after = _rules_snapshot(network)
    changed = [name for name in after if after[name] != before[name]]
    if changed:
        NetworkEvent.objects.create(
            network=network,
            actor=actor,
            action="rules_updated",
            object_type="network",
            object_id=network.pk,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return network
