"""Writes of personal data: participants, eligibility, placements, hours.

Each function validates everything before it writes, writes in one transaction, and
records what changed in the participant's append-only history (who, when, before, after).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from tremplin.core.hours import max_hours_in_month
from tremplin.core.models import RomeJobTitle
from tremplin.inclusion.age import MINIMUM_AGE, age_on
from tremplin.inclusion.enums import EventAction, HoursStatus
from tremplin.inclusion.models import (
    EligibilityCriterion,
    HoursEntry,
    InclusionEvent,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation, User
from tremplin.procurement.models import Contract, Lot

PARTICIPANT_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "postal_code",
    "city",
    "qpv_resident",
    "qualification_level",
    "email",
    "phone",
    "referred_by_id",
    "notes",
)


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _snapshot(instance: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _json(getattr(instance, name)) for name in fields}


def _record(
    *,
    actor: User | None,
    participant: Participant,
    action: str,
    instance: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> InclusionEvent:
    return InclusionEvent.objects.create(
        actor=actor,
        participant=participant,
        action=action,
        object_type=type(instance)._meta.model_name,
        object_id=instance.pk,
        before=before,
        after=after,
    )


def month_start(value: date) -> date:
    return value.replace(day=1)


# Participants ---------------------------------------------------------------------------


def _check_birth_date(birth_date: date | None) -> None:
    """A participant is born, and old enough to work (16, the end of compulsory schooling)."""
    if birth_date is None:
        return
    today = timezone.localdate()
    if birth_date > today:
        raise ValidationError(
            {"birth_date": "La date de naissance ne peut pas être dans le futur."}
        )
    if age_on(birth_date, today) < MINIMUM_AGE:
        raise ValidationError(
            {
                "birth_date": f"Un participant doit avoir au moins {MINIMUM_AGE} ans "
                f"(la personne née le {birth_date:%d/%m/%Y} en a {age_on(birth_date, today)})."
            }
        )


@transaction.atomic
def participant_create(
    *, actor: User | None, facilitator: Organisation, **fields: Any
) -> Participant:
    if facilitator.kind != OrganisationKind.FACILITATOR:
        raise ValidationError({"facilitator": "Choisissez une structure de facilitation."})
    participant = Participant(facilitator=facilitator, **fields)
    participant.first_name = participant.first_name.strip()
    participant.last_name = participant.last_name.strip()
    _check_birth_date(participant.birth_date)
    participant.full_clean()
    participant.save()
    _record(
        actor=actor,
        participant=participant,
        action=EventAction.PARTICIPANT_CREATED,
        instance=participant,
        before=None,
        after=_snapshot(participant, PARTICIPANT_FIELDS),
    )
    return participant


@transaction.atomic
def participant_update(
    *, actor: User | None, participant: Participant, **fields: Any
) -> Participant:
    before = _snapshot(participant, PARTICIPANT_FIELDS)
    for name, value in fields.items():
        setattr(participant, name, value)
    if before["birth_date"] != _json(participant.birth_date):
        _check_birth_date(participant.birth_date)
    participant.full_clean()
    participant.save()
    after = _snapshot(participant, PARTICIPANT_FIELDS)
    if before != after:
        changed = [name for name in after if before[name] != after[name]]
        _record(
            actor=actor,
            participant=participant,
            action=EventAction.PARTICIPANT_UPDATED,
            instance=participant,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return participant


# Eligibility ----------------------------------------------------------------------------

CRITERION_FIELDS = ("criterion_id", "evidence", "checked_on", "valid_until")


@transaction.atomic
def criterion_set(
    *,
    actor: User | None,
    participant: Participant,
    criterion: EligibilityCriterion,
    evidence: str,
    checked_on: date,
    valid_until: date | None = None,
) -> ParticipantCriterion:
    """Record (or update) that a participant meets a criterion, with its evidence."""
    network_id = participant.facilitator.network_id
    if not criterion.networks.filter(pk=network_id).exists():
        raise ValidationError({"criterion": "Ce critère n'est pas retenu par le réseau."})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "La date de vérification ne peut pas être future."})
    if valid_until is None and criterion.validity_months:
        valid_until = _add_months(checked_on, criterion.validity_months)
    existing = ParticipantCriterion.objects.filter(
        participant=participant, criterion=criterion
    ).first()
    before = _snapshot(existing, CRITERION_FIELDS) if existing else None
    item = existing or ParticipantCriterion(participant=participant, criterion=criterion)
    item.evidence = evidence.strip()
    item.checked_on = checked_on
    item.valid_until = valid_until
    item.checked_by = actor
    item.full_clean()
    item.save()
    after = _snapshot(item, CRITERION_FIELDS)
    if before != after:
        _record(
            actor=actor,
            participant=participant,
            action=EventAction.CRITERION_SET,
            instance=item,
            before=before,
            after=after,
        )
    return item


@transaction.atomic
def criterion_remove(*, actor: User | None, item: ParticipantCriterion) -> None:
    # The history records what is stored, not what the caller may hold in memory.
    item = (
        ParticipantCriterion.objects.select_for_update()
        .select_related("participant")
        .get(pk=item.pk)
    )
    before = _snapshot(item, CRITERION_FIELDS)
    _record(
        actor=actor,
        participant=item.participant,
        action=EventAction.CRITERION_REMOVED,
        instance=item,
        before=before,
        after=None,
    )
    item.delete()


def _add_months(value: date, months: int) -> date:
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    for day in (value.day, 30, 29, 28):
        try:
            return value.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


# Placements -----------------------------------------------------------------------------

PLACEMENT_FIELDS = (
    "contract_id",
    "lot_id",
    "employer_id",
    "execution_mode",
    "job_id",
    "start_date",
    "end_date",
)


def _check_placement(placement: Placement) -> None:
    errors: dict[str, str] = {}
    contract = placement.contract
    if placement.lot_id is not None and placement.lot.contract_id != contract.pk:
        errors["lot"] = "Ce lot n'appartient pas au marché choisi."
    if placement.employer.kind not in (
        OrganisationKind.COMPANY,
        OrganisationKind.INCLUSION_EMPLOYER,
    ):
        errors["employer"] = "L'employeur doit être une entreprise ou un employeur inclusif."
    if (
        placement.start_date < contract.execution_start
        or placement.start_date > contract.execution_end
    ):
        errors["start_date"] = (
            f"Le début doit tomber dans la période d'exécution du marché "
            f"(du {contract.execution_start:%d/%m/%Y} au {contract.execution_end:%d/%m/%Y})."
        )
    if placement.end_date and placement.end_date > contract.execution_end:
        errors["end_date"] = (
            f"La fin ne peut pas dépasser la fin d'exécution du marché "
            f"({contract.execution_end:%d/%m/%Y})."
        )
    if placement.end_date and placement.end_date < placement.start_date:
        errors["end_date"] = "La fin précède le début."
    if not errors:
        overlapping = _overlapping_placements(placement)
        if overlapping:
            other = overlapping[0]
            where = (
                f"le lot {placement.lot.number}"
                if placement.lot_id and placement.lot
                else "ce marché"
            )
            errors["start_date"] = (
                f"{placement.participant} est déjà placé(e) sur {where} "
                f"du {other.start_date:%d/%m/%Y}"
                + (f" au {other.end_date:%d/%m/%Y}" if other.end_date else " sans date de fin")
                + " : les deux périodes se chevauchent."
            )
    if errors:
        raise ValidationError(errors)


def _overlapping_placements(placement: Placement) -> list[Placement]:
    """Placements of the same person on the same lot (or contract) whose periods overlap."""
    others = Placement.objects.filter(
        participant_id=placement.participant_id,
        contract_id=placement.contract_id,
        lot_id=placement.lot_id,
    ).exclude(pk=placement.pk)
    # Two periods overlap when each starts before the other ends (an open end never ends).
    others = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=placement.start_date))
    if placement.end_date is not None:
        others = others.filter(start_date__lte=placement.end_date)
    return list(others.select_for_update()[:1])


@transaction.atomic
def placement_create(
    *,
    actor: User | None,
    participant: Participant,
    contract: Contract,
    employer: Organisation,
    execution_mode: str,
    job: RomeJobTitle,
    start_date: date,
    end_date: date | None = None,
    lot: Lot | None = None,
) -> Placement:
    placement = Placement(
        participant=participant,
        contract=contract,
        lot=lot,
        employer=employer,
        execution_mode=execution_mode,
        job=job,
        start_date=start_date,
        end_date=end_date,
    )
    placement.full_clean()
    _check_placement(placement)
    placement.save()
    _record(
        actor=actor,
        participant=participant,
        action=EventAction.PLACEMENT_CREATED,
        instance=placement,
        before=None,
        after=_snapshot(placement, PLACEMENT_FIELDS),
    )
    return placement


@transaction.atomic
def placement_update(*, actor: User | None, placement: Placement, **fields: Any) -> Placement:
    before = _snapshot(placement, PLACEMENT_FIELDS)
    for name, value in fields.items():
        setattr(placement, name, value)
    placement.full_clean()
    _check_placement(placement)
    first_month, last_month = _placement_months(placement)
    outside = placement.hours_entries.filter(Q(month__lt=first_month) | Q(month__gt=last_month))
    if outside.exists():
        raise ValidationError(
            "Des heures sont saisies hors de la nouvelle période : corrigez-les d'abord."
        )
    placement.save()
    after = _snapshot(placement, PLACEMENT_FIELDS)
    if before != after:
        _record(
            actor=actor,
            participant=placement.participant,
            action=EventAction.PLACEMENT_UPDATED,
            instance=placement,
            before=before,
            after=after,
        )
    return placement


def _placement_months(placement: Placement) -> tuple[date, date]:
    end = placement.end_date or placement.contract.execution_end
    return month_start(placement.start_date), month_start(end)


# Hours ----------------------------------------------------------------------------------

HOURS_FIELDS = ("month", "hours_worked", "training_hours", "status", "rejection_reason")


def _french_hours(value: Decimal) -> str:
    """Hours written the French way in messages: ``205,71``, ``150``."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _check_hours(entry: HoursEntry) -> None:
    errors: dict[str, str] = {}
    placement = entry.placement
    first_month, last_month = _placement_months(placement)
    if entry.month < first_month or entry.month > last_month:
        errors["month"] = (
            f"Le mois {entry.month:%m/%Y} est hors de la mise en emploi "
            f"({first_month:%m/%Y} – {last_month:%m/%Y})."
        )
    elif entry.month > month_start(timezone.localdate()):
        errors["month"] = "On ne déclare pas les heures d'un mois à venir."
    if entry.hours_worked < 0:
        errors["hours_worked"] = "Les heures ne peuvent pas être négatives."
    if entry.training_hours < 0:
        errors["training_hours"] = "Les heures ne peuvent pas être négatives."
    if not errors:
        ceiling = max_hours_in_month(entry.month.year, entry.month.month)
        elsewhere = HoursEntry.objects.filter(
            placement__participant_id=placement.participant_id, month=entry.month
        ).exclude(pk=entry.pk).exclude(status=HoursStatus.REJECTED).aggregate(
            total=Sum("total_hours")
        )["total"] or Decimal(0)
        total = entry.hours_worked + entry.training_hours + elsewhere
        if total > ceiling:
            detail = (
                f" (dont {_french_hours(elsewhere)} h sur d'autres mises en emploi)"
                if elsewhere
                else ""
            )
            errors["hours_worked"] = (
                f"{_french_hours(total)} heures en {entry.month:%m/%Y}{detail} : une personne "
                f"ne peut pas travailler plus de {_french_hours(ceiling)} heures ce mois-là "
                "(48 h par semaine au plus)."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def hours_record(
    *,
    actor: User | None,
    placement: Placement,
    month: date,
    hours_worked: Decimal,
    training_hours: Decimal = Decimal(0),
    validate: bool = False,
) -> HoursEntry:
    """Declare (or correct) a month's hours; a facilitator may validate them at once.

    Correcting a month already reviewed sends it back to review, unless validated here.
    """
    month = month_start(month)
    entry = HoursEntry.objects.select_for_update().filter(placement=placement, month=month).first()
    before = _snapshot(entry, HOURS_FIELDS) if entry else None
    if entry is None:
        entry = HoursEntry(placement=placement, month=month, declared_by=actor)
    entry.hours_worked = Decimal(hours_worked)
    entry.training_hours = Decimal(training_hours or 0)
    _check_hours(entry)
    changed = before is None or (
        before["hours_worked"] != _json(entry.hours_worked)
        or before["training_hours"] != _json(entry.training_hours)
    )
    if validate:
        entry.status = HoursStatus.VALIDATED
        entry.rejection_reason = ""
        entry.reviewed_by, entry.reviewed_at = actor, timezone.now()
    elif changed:
        entry.status = HoursStatus.DECLARED
        entry.rejection_reason = ""
        entry.declared_by = actor
        entry.reviewed_by, entry.reviewed_at = None, None
    entry.full_clean(exclude=["placement"])
    entry.save()
    entry.refresh_from_db(fields=["total_hours"])
    after = _snapshot(entry, HOURS_FIELDS)
    if before != after:
        action = EventAction.HOURS_DECLARED if before is None else EventAction.HOURS_CHANGED
        if validate and not changed:
            action = EventAction.HOURS_VALIDATED
        _record(
            actor=actor,
            participant=placement.participant,
            action=action,
            instance=entry,
            before=before,
            after=after,
        )
    return entry


@transaction.atomic
def hours_validate(*, actor: User, entry: HoursEntry) -> HoursEntry:
    return _review(actor=actor, entry=entry, status=HoursStatus.VALIDATED, reason="")


@transaction.atomic
def hours_reject(*, actor: User, entry: HoursEntry, reason: str) -> HoursEntry:
    if not reason.strip():
        raise ValidationError({"rejection_reason": "Indiquez le motif du refus."})
    return _review(actor=actor, entry=entry, status=HoursStatus.REJECTED, reason=reason.strip())


def _review(*, actor: User, entry: HoursEntry, status: str, reason: str) -> HoursEntry:
    entry = (
        HoursEntry.objects.select_for_update()
        .select_related("placement__participant")
        .get(pk=entry.pk)
    )
    before = _snapshot(entry, HOURS_FIELDS)
    entry.status = status
    entry.rejection_reason = reason
    entry.reviewed_by, entry.reviewed_at = actor, timezone.now()
    entry.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    after = _snapshot(entry, HOURS_FIELDS)
    if before != after:
        _record(
            actor=actor,
            participant=entry.placement.participant,
            action=EventAction.HOURS_VALIDATED
            if status == HoursStatus.VALIDATED
            else EventAction.HOURS_REJECTED,
            instance=entry,
            before=before,
            after=after,
        )
    return entry


@transaction.atomic
def hours_validate_many(*, actor: User, entries: list[HoursEntry]) -> int:
    """Validate a batch (a month, a contract, a company); returns how many changed."""
    count = 0
    for entry in entries:
        if entry.status != HoursStatus.VALIDATED:
            hours_validate(actor=actor, entry=entry)
            count += 1
    return count
