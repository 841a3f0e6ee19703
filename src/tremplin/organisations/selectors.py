"""Scoped reads of networks and organisations."""

import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from tremplin.core.templatetags.french import euros, number
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind, OrganisationSource
from tremplin.organisations.models import Network, NetworkEvent, Organisation
from tremplin.organisations.validators import normalise_siret


def networks_of(scope: UserScope) -> QuerySet[Network]:
    return Network.objects.filter(pk__in=scope.network_ids)


def primary_network(scope: UserScope) -> Network | None:
    """The network whose rules (FTE convention, time zone, defaults) frame the user's pages."""
    return networks_of(scope).order_by("pk").first()


# Read in open data and not yet confirmed: kept apart from the organisations typed by hand.
AWAITING_CONFIRMATION = Q(source=OrganisationSource.DECP, confirmed_at__isnull=True)


def organisations_visible_to(scope: UserScope) -> QuerySet[Organisation]:
    """Facilitators and coordinators see the organisations of their networks; others their own."""
    if scope.facilitator_ids or scope.coordinated_network_ids:
        return Organisation.objects.filter(network_id__in=scope.network_ids)
    return Organisation.objects.filter(pk__in=scope.organisation_ids)


def followed_organisations(scope: UserScope, kind: str | None = None) -> QuerySet[Organisation]:
    """Organisations followed by the user's facilitator structures (their buyers, companies…)."""
    organisations = Organisation.objects.filter(facilitator_id__in=scope.facilitator_ids)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations


def facilitator_structures(scope: UserScope) -> QuerySet[Organisation]:
    """The facilitator structures the user works for, or coordinates through a network."""
    return Organisation.objects.filter(kind=OrganisationKind.FACILITATOR).filter(
        pk__in=scope.facilitator_ids
    ) | Organisation.objects.filter(
        kind=OrganisationKind.FACILITATOR, network_id__in=scope.coordinated_network_ids
    )


def employers_for_placements(scope: UserScope) -> QuerySet[Organisation]:
    """Companies and inclusion employers a facilitator can place participants with (not
    those read in open data and not yet confirmed)."""
    return (
        organisations_visible_to(scope)
        .filter(kind__in=[OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER])
        .exclude(AWAITING_CONFIRMATION)
    )


def own_facilitator_structures(scope: UserScope) -> QuerySet[Organisation]:
    """The facilitator structures the user works for (not those coordinated through a network)."""
    return Organisation.objects.filter(
        kind=OrganisationKind.FACILITATOR, pk__in=scope.facilitator_ids
    ).select_related("network")


def organisations_of_kinds(
    scope: UserScope, *kinds: str, also: Collection[int] = ()
) -> QuerySet[Organisation]:
    """The organisations of these kinds to choose from: those typed or confirmed. Those
    read in open data and not yet confirmed (a national file brings thousands) only when
    ``also`` names them: the values a form already holds, or the parties of the published
    contract being followed."""
    return (
        organisations_visible_to(scope)
        .filter(kind__in=kinds)
        .filter(~AWAITING_CONFIRMATION | Q(pk__in=list(also)))
        .order_by("name")
    )


def _search(organisations: QuerySet[Organisation], search: str) -> QuerySet[Organisation]:
    search = search.strip()
    if not search:
        return organisations
    digits = normalise_siret(search)
    matches = Q(name__icontains=search)
    if digits.isdigit():
        matches |= Q(siret__startswith=digits)
    return organisations.filter(matches)


def organisation_list(
    scope: UserScope, *, kind: str = "", search: str = "", to_confirm: bool = False
) -> QuerySet[Organisation]:
    """Organisations the user sees, of one kind or all, searched by name or SIRET: those
    typed or confirmed, or (``to_confirm``) those read in open data awaiting confirmation."""
    organisations = _search(organisations_visible_to(scope), search)
    organisations = (
        organisations.filter(AWAITING_CONFIRMATION)
        if to_confirm
        else organisations.exclude(AWAITING_CONFIRMATION)
    )
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.select_related("facilitator").order_by("name", "pk")


def organisation_counts_by_kind(scope: UserScope, *, search: str = "") -> dict[str, int]:
    """How many organisations of each kind match the search (for the tabs); those awaiting
    confirmation are counted apart, under the key ``to_confirm``."""
    rows = (
        _search(organisations_visible_to(scope), search)
        .exclude(AWAITING_CONFIRMATION)
        .order_by()
        .values("kind")
        .annotate(count=Count("pk"))
    )
    counts = {row["kind"]: row["count"] for row in rows}
    counts[TO_CONFIRM] = (
        _search(organisations_visible_to(scope), search).filter(AWAITING_CONFIRMATION).count()
    )
    return counts


TO_CONFIRM = "to_confirm"


def organisation_detail(scope: UserScope, pk: int) -> Organisation:
    """The organisation if the user sees it (raises Organisation.DoesNotExist otherwise)."""
    return organisations_visible_to(scope).select_related("network", "facilitator").get(pk=pk)


# --- The shared rules of a network -----------------------------------------------------


def networks_with_rules_visible_to(scope: UserScope) -> QuerySet[Network]:
    """Networks whose rules the user sees: those they coordinate, and those of the
    facilitator structures they work for."""
    return (
        Network.objects.filter(
            Q(pk__in=scope.coordinated_network_ids)
            | Q(
                organisations__pk__in=scope.facilitator_ids,
                organisations__kind=OrganisationKind.FACILITATOR,
            )
        )
        .distinct()
        .order_by("name")
    )


def network_for_rules(scope: UserScope, slug: str | None = None) -> Network:
    """The network named by ``slug`` if the user sees its rules; without a slug, the one
    the user coordinates or works in (raises Network.DoesNotExist otherwise)."""
    networks = networks_with_rules_visible_to(scope)
    if slug:
        return networks.get(slug=slug)
    preferred = networks.filter(pk__in=scope.coordinated_network_ids).first()
    return preferred or networks.order_by("pk")[:1].get()


def accepted_criteria(network: Network) -> QuerySet[Any]:
    """The eligible publics the network accepts, in the order of the reference list.

    Eligibility criteria belong to the inclusion app; the organisations app reaches them
    through the network's reverse relation only, never by importing inclusion.
    """
    return network.eligibility_criteria.order_by("position", "label")


def eligibility_reference_list() -> QuerySet[Any]:
    """Every eligible public of the reference list (the choices of a network's rules)."""
    criterion = Network._meta.get_field("eligibility_criteria").related_model
    return criterion.objects.order_by("position", "label")


def example_obligation_hours(network: Network, amount: Decimal) -> int:
    """The hours a contract of ``amount`` € carries with the network's default rates
    (amount × labour share × insertion rate ÷ hourly cost, to the nearest hour)."""
    exact = (
        amount
        * network.default_labour_share
        * network.default_insertion_rate
        / network.default_hourly_cost
    )
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def utc_offset(time_zone: str, when: datetime) -> str:
    """``UTC+3``, ``UTC+1``, ``UTC−4`` or ``UTC+5:30`` for ``time_zone`` at ``when``."""
    offset = when.astimezone(zoneinfo.ZoneInfo(time_zone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


RULE_LABELS = {
    "hours_per_fte": "Heures par ETP",
    "default_hourly_cost": "Coût horaire par défaut",
    "default_labour_share": "Part de main-d'œuvre par défaut",
    "default_insertion_rate": "Taux d'insertion par défaut",
    "time_zone": "Fuseau horaire",
    "publishes_open_data": "Données ouvertes",
    "eligibility_criteria": "Publics éligibles",
}


def percent_text(value: str | Decimal) -> str:
    """A stored ratio as a percentage with the decimals it has (``5 %``, ``12,5 %``)."""
    ratio = (Decimal(value) * 100).quantize(Decimal("0.01"))
    places = next(
        places for places in (0, 1, 2) if ratio == ratio.quantize(Decimal(1).scaleb(-places))
    )
    return f"{number(ratio, places)}\u00a0%"


def _rule_value(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name == "publishes_open_data":
        return "publiées" if value else "non publiées"
    if name == "hours_per_fte":
        return f"{number(value)}\u00a0h"
    if name == "default_hourly_cost":
        return euros(Decimal(value))
    if name in ("default_labour_share", "default_insertion_rate"):
        return percent_text(value)
    return str(value)


@dataclass(frozen=True)
class RuleChange:
    """One line of a change: a rule, from what, to what (criteria: added and removed)."""

    label: str
    before: str = ""
    after: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NetworkHistoryEntry:
    event: NetworkEvent
    changes: list[RuleChange]


def _describe(event: NetworkEvent) -> list[RuleChange]:
    before, after = event.before or {}, event.after or {}
    changes = []
    for name, label in RULE_LABELS.items():
        if name not in after and name not in before:
            continue
        if name == "eligibility_criteria":
            old, new = before.get(name) or [], after.get(name) or []
            changes.append(
                RuleChange(
                    label=label,
                    added=[item for item in new if item not in old],
                    removed=[item for item in old if item not in new],
                )
            )
        else:
            changes.append(
                RuleChange(
                    label=label,
                    before=_rule_value(name, before.get(name)),
                    after=_rule_value(name, after.get(name)),
                )
            )
    changes += _describe_mode_rules(before.get(MODE_RULES_KEY), after.get(MODE_RULES_KEY))
    return changes


# The counting rules per execution mode, recorded by inclusion's mode_rule_services.
MODE_RULES_KEY = "execution_mode_rules"


def _mode_rule_text(rule: dict[str, Any] | None) -> str:
    if not rule:
        return "coefficient 1, sans plafond"
    weight = Decimal(rule["weight"])
    weight_text = number(weight, 0 if weight == weight.to_integral_value() else 2)
    cap = rule.get("cap_share")
    return f"coefficient {weight_text}, " + (
        f"plafond {percent_text(cap)}" if cap is not None else "sans plafond"
    )


def _describe_mode_rules(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[RuleChange]:
    if before is None and after is None:
        return []
    before, after = before or {}, after or {}
    # The labels of the modes live in inclusion; read them through the reverse relation.
    mode_field = Network._meta.get_field("execution_mode_rules").related_model._meta.get_field(
        "execution_mode"
    )
    labels = dict(mode_field.choices or [])
    return [
        RuleChange(
            label=f"Comptage — {labels.get(mode, mode)}",
            before=_mode_rule_text(before.get(mode)),
            after=_mode_rule_text(after.get(mode)),
        )
        for mode in sorted(before.keys() | after.keys())
    ]


def network_history(network: Network) -> list[NetworkHistoryEntry]:
    """The changes of the network's rules, latest first, each described line by line."""
    events = (
        NetworkEvent.objects.filter(network=network, object_type="network")
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )
    return [NetworkHistoryEntry(event=event, changes=_describe(event)) for event in events]
