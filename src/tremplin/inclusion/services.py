"""Writes of personal data: participants, eligibility, placements, hours.

Each function validates everything before it writes, writes in one transaction, and
records what changed in the participant's append-only history (who, when, before, after).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from tremplin.core.history import history_value, only_changes, snapshot
from tremplin.core.hours import max_hours_in_month
from tremplin.core.models import RomeJobTitle
from tremplin.core.months import month_name
from tremplin.core.postal_codes import compact as compact_postal_code
from tremplin.core.validators import check_postal_code
from tremplin.inclusion.age import birth_date_problem
from tremplin.inclusion.enums import CriterionStatus, EventAction, HoursStatus
from tremplin.inclusion.evidence import evidence_extension
from tremplin.inclusion.models import (
    EligibilityCriterion,
    EsfEntry,
    HoursEntry,
    HoursPool,
    InclusionEvent,
    Outcome,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.access import is_member
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Membership, Network, Organisation, User
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


def _record(
    *,
    actor: User | None,
    participant: Participant,
    action: str,
    instance: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> InclusionEvent:
    event = InclusionEvent.about(
        instance, actor=actor, participant=participant, action=action, before=before, after=after
    )
    event.save()
    return event


def month_start(value: date) -> date:
    return value.replace(day=1)


# Participants ---------------------------------------------------------------------------


def _check_birth_date(birth_date: date | None) -> None:
    """A participant is born, of an age to work (inclusion.age says which)."""
    if birth_date is None:
        return
    if problem := birth_date_problem(birth_date, timezone.localdate(), "Un participant"):
        raise ValidationError({"birth_date": problem})


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
    participant.postal_code = compact_postal_code(participant.postal_code)
    check_postal_code(participant)
    participant.full_clean()
    participant.save()
    _record(
        actor=actor,
        participant=participant,
        action=EventAction.PARTICIPANT_CREATED,
        instance=participant,
        before=None,
        after=snapshot(participant, PARTICIPANT_FIELDS),
    )
    return participant


@transaction.atomic
def participant_update(
    *, actor: User | None, participant: Participant, **fields: Any
) -> Participant:
    before = snapshot(participant, PARTICIPANT_FIELDS)
    for name, value in fields.items():
        setattr(participant, name, value)
    if before["birth_date"] != history_value(participant.birth_date):
        _check_birth_date(participant.birth_date)
    participant.postal_code = compact_postal_code(participant.postal_code)
    if before["postal_code"] != participant.postal_code:
        check_postal_code(participant)
    participant.full_clean()
    participant.save()
    after = snapshot(participant, PARTICIPANT_FIELDS)
    if before != after:
        before_change, after_change = only_changes(before, after)
        _record(
            actor=actor,
            participant=participant,
            action=EventAction.PARTICIPANT_UPDATED,
            instance=participant,
            before=before_change,
            after=after_change,
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
    before = snapshot(existing, CRITERION_FIELDS) if existing else None
    item = existing or ParticipantCriterion(participant=participant, criterion=criterion)
    item.evidence = evidence.strip()
    item.checked_on = checked_on
    item.valid_until = valid_until
    item.checked_by = actor
    if item.status != CriterionStatus.CONFIRMED:
        # Recorded by the facilitator, a criterion an employer declared is now checked.
        item.status = CriterionStatus.CONFIRMED
        item.refusal_reason = ""
        item.decided_by, item.decided_at = actor, timezone.now()
    item.full_clean()
    item.save()
    after = snapshot(item, CRITERION_FIELDS)
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
    before = snapshot(item, CRITERION_FIELDS)
    _record(
        actor=actor,
        participant=item.participant,
        action=EventAction.CRITERION_REMOVED,
        instance=item,
        before=before,
        after=None,
    )
    item.delete()
    if item.evidence_file:
        # The evidence goes with the criterion, once the removal is committed.
        storage, name = item.evidence_file.storage, item.evidence_file.name
        transaction.on_commit(lambda: storage.delete(name))


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
        after=snapshot(placement, PLACEMENT_FIELDS),
    )
    return placement


@transaction.atomic
def placement_update(*, actor: User | None, placement: Placement, **fields: Any) -> Placement:
    if placement.pool_id is not None:
        raise ValidationError(
            f"Cette mise en emploi fait partie de la mutualisation n° {placement.pool_id} : "
            "elle se modifie avec elle."
        )
    before = snapshot(placement, PLACEMENT_FIELDS)
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
    after = snapshot(placement, PLACEMENT_FIELDS)
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
    return placement_month_range(
        placement.start_date, placement.end_date, placement.contract.execution_end
    )


def placement_month_range(
    start_date: date, end_date: date | None, contract_end: date
) -> tuple[date, date]:
    """First and last month a placement may carry hours: its own period, or until the
    end of the contract's execution when it has no end."""
    return month_start(start_date), month_start(end_date or contract_end)


# Hours ----------------------------------------------------------------------------------

HOURS_FIELDS = ("month", "hours_worked", "training_hours", "status", "rejection_reason")


def pooled_hours_message(pool_id: int | None) -> str:
    """Why the hours of a pooled job are not changed one contract at a time."""
    return (
        f"Ces heures sont mutualisées entre plusieurs marchés (mutualisation n° {pool_id}) : "
        "la structure de facilitation les saisit et les valide mois par mois sur la page de "
        "la mutualisation, qui les répartit entre les marchés."
    )


def _french_hours(value: Decimal) -> str:
    """Hours written the French way in messages: ``205,71``, ``150``."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# The rules of a month of hours, shared by the form of one month (``hours_record``) and
# the spreadsheet import (``hours_import``): each returns the French message of the broken
# rule, or None.


def hours_period_error(
    month: date,
    first_month: date,
    last_month: date,
    today: date,
    span: str = "la mise en emploi",
) -> str | None:
    """A month inside the placement (and so the contract), and not a month to come."""
    if month < first_month or month > last_month:
        return (
            f"Le mois {month:%m/%Y} est hors de {span} ({first_month:%m/%Y} – {last_month:%m/%Y})."
        )
    return month_not_over_error(month, today)


def month_not_over_error(month: date, today: date) -> str | None:
    """The hours of a month are declared once it is over: a month still running would be
    declared short and corrected later, after a facilitator may have counted it."""
    this_month = month_start(today)
    if month > this_month:
        return "On ne déclare pas les heures d'un mois à venir."
    if month == this_month:
        return (
            f"Le mois {_of_month(month)} n'est pas terminé : ses heures se déclarent à "
            f"partir du {_next_month(month):%d/%m/%Y}."
        )
    return None


def last_month_over(today: date) -> date:
    """The latest month whose hours may be declared: the one before this one."""
    this_month = month_start(today)
    return date(this_month.year - (this_month.month == 1), (this_month.month - 2) % 12 + 1, 1)


def _of_month(month: date) -> str:
    """ "de mars 2026", "d'avril 2026"."""
    name = month_name(month)
    return f"d'{name}" if name[0] in "aeiouy" else f"de {name}"


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def network_today(network: Network) -> date:
    """Today where the network works (Mayotte is three hours ahead of UTC)."""
    return timezone.localdate(timezone=ZoneInfo(network.time_zone))


def validated_month_error(
    *, month: date, name: str, by_facilitator: bool, page: str = "de la mise en emploi"
) -> str:
    """Why a validated month is not changed by a declaration or an import; ``page`` is
    where its "Rouvrir" button is (a pooled month is reopened on its pool's page)."""
    remedy = (
        f"rouvrez-le d'abord (bouton « Rouvrir » {page}), en disant pourquoi."
        if by_facilitator
        else "si une correction est nécessaire, demandez à la structure de facilitation de le "
        "rouvrir."
    )
    return (
        f"Le mois {_of_month(month)} de {name} est déjà validé : ses heures ne sont plus "
        f"modifiées par une déclaration ni par un import ; {remedy}"
    )


def validated_month_removal_error(month: date) -> str:
    """Why a validated month is not removed: removing it, then typing it again, would
    change it without reopening it."""
    return (
        f"Le mois {_of_month(month)} est validé : il ne se retire pas. Rouvrez-le d'abord "
        "(bouton « Rouvrir »), en disant pourquoi."
    )


def not_validated_error(month: date) -> str:
    """Why a month that is not validated is not reopened."""
    return f"Le mois {_of_month(month)} n'est pas validé : il se corrige sans être rouvert."


REOPEN_REASON_REQUIRED = "Indiquez pourquoi vous rouvrez ce mois."


def negative_hours_error(value: Decimal) -> str | None:
    return "Les heures ne peuvent pas être négatives." if value < 0 else None


def hours_elsewhere(participant_id: int, month: date, others: QuerySet[HoursEntry]) -> Decimal:
    """The person's hours of the month in ``others`` (the entries not being written), not
    counting refused ones: what the ceiling adds to the hours being recorded."""
    return others.filter(placement__participant_id=participant_id, month=month).exclude(
        status=HoursStatus.REJECTED
    ).aggregate(total=Sum("total_hours"))["total"] or Decimal(0)


def hours_ceiling_error(month: date, total: Decimal, elsewhere: Decimal) -> str | None:
    """One person cannot work more than 48 hours a week: ``total`` is all the person's
    hours of the month, ``elsewhere`` the part of it on other placements."""
    ceiling = max_hours_in_month(month.year, month.month)
    if total <= ceiling:
        return None
    detail = (
        f" (dont {_french_hours(elsewhere)} h sur d'autres mises en emploi)" if elsewhere else ""
    )
    return (
        f"{_french_hours(total)} heures en {month:%m/%Y}{detail} : une personne "
        f"ne peut pas travailler plus de {_french_hours(ceiling)} heures ce mois-là "
        "(48 h par semaine au plus)."
    )


def hours_set_status(
    entry: HoursEntry, *, changed: bool, validate: bool, actor: User | None, now: Any
) -> None:
    """Validated at once by a facilitator, or (when the hours changed) declared again and
    sent back to review."""
    if validate:
        entry.status = HoursStatus.VALIDATED
        entry.rejection_reason = ""
        entry.reviewed_by, entry.reviewed_at = actor, now
    elif changed:
        entry.status = HoursStatus.DECLARED
        entry.rejection_reason = ""
        entry.declared_by = actor
        entry.reviewed_by, entry.reviewed_at = None, None


def hours_event_action(*, created: bool, changed: bool, validate: bool) -> str:
    if created:
        return EventAction.HOURS_DECLARED
    if validate and not changed:
        return EventAction.HOURS_VALIDATED
    return EventAction.HOURS_CHANGED


def hours_snapshot(entry: HoursEntry) -> dict[str, Any]:
    """What the history keeps of a month of hours."""
    return snapshot(entry, HOURS_FIELDS)


def inclusion_event(
    *,
    actor: User | None,
    participant_id: int,
    action: str,
    object_type: str,
    object_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> InclusionEvent:
    """A history event, not saved yet (a bulk import writes them by batches)."""
    return InclusionEvent(
        actor=actor,
        participant_id=participant_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )


def _check_hours(entry: HoursEntry) -> None:
    errors: dict[str, str] = {}
    placement = entry.placement
    first_month, last_month = _placement_months(placement)
    today = network_today(placement.participant.facilitator.network)
    period = hours_period_error(entry.month, first_month, last_month, today)
    if period:
        errors["month"] = period
    for name in ("hours_worked", "training_hours"):
        negative = negative_hours_error(getattr(entry, name))
        if negative:
            errors[name] = negative
    if not errors:
        elsewhere = hours_elsewhere(
            placement.participant_id,
            entry.month,
            HoursEntry.objects.exclude(pk=entry.pk),
        )
        total = entry.hours_worked + entry.training_hours + elsewhere
        ceiling = hours_ceiling_error(entry.month, total, elsewhere)
        if ceiling:
            errors["hours_worked"] = ceiling
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

    Correcting a refused month sends it back to review, unless validated here. A
    validated month is not changed: it is reopened first (``hours_reopen``); the same
    hours again change nothing.
    """
    month = month_start(month)
    if placement.pool_id is not None:
        raise ValidationError(pooled_hours_message(placement.pool_id), code="pooled")
    if validate:
        _check_reviewer(actor, placement.participant, HOURS_REVIEWER_ONLY)
    entry = HoursEntry.objects.select_for_update().filter(placement=placement, month=month).first()
    before = snapshot(entry, HOURS_FIELDS) if entry else None
    if entry is None:
        entry = HoursEntry(placement=placement, month=month, declared_by=actor)
    elif entry.status == HoursStatus.VALIDATED and (
        entry.hours_worked != Decimal(hours_worked)
        or entry.training_hours != Decimal(training_hours or 0)
    ):
        raise ValidationError(
            {
                "month": validated_month_error(
                    month=month, name=str(placement.participant), by_facilitator=True
                )
            },
            code="validated",
        )
    recorded = (entry.hours_worked, entry.training_hours) if before is not None else None
    entry.hours_worked = Decimal(hours_worked)
    entry.training_hours = Decimal(training_hours or 0)
    _check_hours(entry)
    # Compared as numbers: 80 typed in a form is the 80.00 recorded, not a change.
    changed = recorded != (entry.hours_worked, entry.training_hours)
    hours_set_status(entry, changed=changed, validate=validate, actor=actor, now=timezone.now())
    entry.full_clean(exclude=["placement"])
    entry.save()
    entry.refresh_from_db(fields=["total_hours"])
    after = snapshot(entry, HOURS_FIELDS)
    if before != after:
        action = hours_event_action(created=before is None, changed=changed, validate=validate)
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


def _entry_to_decide(actor: User, entry: HoursEntry, who_may: str) -> HoursEntry:
    """The month, locked, for a decision of the structure that follows the person (never
    one part of a pooled month: the pool decides for all its parts)."""
    entry = (
        HoursEntry.objects.select_for_update()
        .select_related("placement__participant")
        .get(pk=entry.pk)
    )
    _check_reviewer(actor, entry.placement.participant, who_may)
    if entry.pooled_month_id is not None:
        raise ValidationError(pooled_hours_message(entry.placement.pool_id), code="pooled")
    return entry


def _review(*, actor: User, entry: HoursEntry, status: str, reason: str) -> HoursEntry:
    entry = _entry_to_decide(actor, entry, HOURS_REVIEWER_ONLY)
    before = snapshot(entry, HOURS_FIELDS)
    entry.status = status
    entry.rejection_reason = reason
    entry.reviewed_by, entry.reviewed_at = actor, timezone.now()
    entry.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    after = snapshot(entry, HOURS_FIELDS)
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
def hours_reopen(*, actor: User, entry: HoursEntry, reason: str) -> HoursEntry:
    """A facilitator reopens a validated month to correct it: the month goes back to
    review ("declared"), and the history keeps who reopened it, when and why."""
    if not reason.strip():
        raise ValidationError({"reason": REOPEN_REASON_REQUIRED})
    entry = _entry_to_decide(actor, entry, REOPENER_ONLY)
    if entry.status != HoursStatus.VALIDATED:
        raise ValidationError(not_validated_error(entry.month), code="not_validated")
    before = snapshot(entry, HOURS_FIELDS)
    entry.status = HoursStatus.DECLARED
    entry.rejection_reason = ""
    entry.reviewed_by, entry.reviewed_at = None, None
    entry.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    _record(
        actor=actor,
        participant=entry.placement.participant,
        action=EventAction.HOURS_REOPENED,
        instance=entry,
        before=before,
        after={**snapshot(entry, HOURS_FIELDS), "reason": reason.strip()},
    )
    return entry


@transaction.atomic
def hours_validate_many(*, actor: User, entries: list[HoursEntry]) -> int:
    """Validate a batch (a month, a contract, a company); returns how many changed."""
    count = 0
    for entry in entries:
        if entry.pooled_month_id is not None:
            continue  # a pooled month is validated whole, on its pool's page
        if entry.status != HoursStatus.VALIDATED:
            hours_validate(actor=actor, entry=entry)
            count += 1
    return count


# Employers' declarations and the facilitator's checks -----------------------------------

HOURS_REVIEWER_ONLY = (
    "Seule la structure de facilitation qui suit la personne valide ou refuse ses heures ; "
    "l'employeur les déclare."
)
CRITERIA_REVIEWER_ONLY = (
    "Seule la structure de facilitation qui suit la personne confirme ou refuse ses critères "
    "d'éligibilité."
)
REOPENER_ONLY = (
    "Seule la structure de facilitation qui suit la personne rouvre un mois validé ; "
    "l'employeur le lui demande."
)
EMPLOYER_ONLY = "Seul l'employeur de la personne déclare ici ses heures et son éligibilité."
DECLARED_CRITERION_FIELDS = (*CRITERION_FIELDS, "status")
REVIEW_FIELDS = ("criterion_id", "status", "refusal_reason")


def _check_reviewer(actor: User | None, participant: Participant, message: str) -> None:
    """Only members of the participant's facilitator structure review (the system may)."""
    if actor is not None and not is_member(actor, participant.facilitator_id):
        raise ValidationError(message, code="not_reviewer")


def _check_employer(actor: User | None, employer: Organisation) -> None:
    if employer.kind not in (OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER):
        raise ValidationError(
            {"employer": "L'employeur doit être une entreprise ou un employeur inclusif."}
        )
    if actor is not None and not is_member(actor, employer.pk):
        raise ValidationError(EMPLOYER_ONLY, code="not_employer")


@transaction.atomic
def criterion_declare(
    *,
    actor: User | None,
    participant: Participant,
    criterion: EligibilityCriterion,
    evidence: str,
    evidence_file: Any,
) -> ParticipantCriterion:
    """An employer vouches for a criterion with the document it holds; the facilitator
    structure that follows the person checks it (status "to check")."""
    if not criterion.networks.filter(pk=participant.facilitator.network_id).exists():
        raise ValidationError({"criterion": "Ce critère n'est pas retenu par le réseau."})
    if evidence_file is None:
        raise ValidationError({"evidence_file": "Joignez le justificatif de ce critère."})
    try:
        extension = evidence_extension(evidence_file)
    except ValidationError as error:
        raise ValidationError({"evidence_file": error.messages}) from error
    if ParticipantCriterion.objects.filter(participant=participant, criterion=criterion).exists():
        raise ValidationError({"criterion": "Ce critère est déjà enregistré pour ce participant."})
    today = timezone.localdate()
    # The stored name is drawn at random (see inclusion.evidence); the sender's is dropped.
    evidence_file.name = f"justificatif.{extension}"
    item = ParticipantCriterion(
        participant=participant,
        criterion=criterion,
        evidence=evidence.strip() or criterion.evidence_hint or "Justificatif joint",
        checked_on=today,
        checked_by=actor,
        valid_until=_add_months(today, criterion.validity_months)
        if criterion.validity_months
        else None,
        status=CriterionStatus.TO_CHECK,
        evidence_file=evidence_file,
    )
    item.full_clean()
    item.save()
    _record(
        actor=actor,
        participant=participant,
        action=EventAction.CRITERION_DECLARED,
        instance=item,
        before=None,
        after=snapshot(item, DECLARED_CRITERION_FIELDS),
    )
    return item


@transaction.atomic
def participant_declare(
    *,
    actor: User | None,
    contract: Contract,
    employer: Organisation,
    participant_fields: dict[str, Any],
    criteria: list[tuple[EligibilityCriterion, str, Any]],
    placement_fields: dict[str, Any],
) -> Placement:
    """An employer declares a person it employs on a contract.

    The person is followed by the contract's facilitator structure; the criteria the
    employer vouches for (criterion, description of the evidence, file) wait for that
    structure's check; the placement starts at once. All or nothing.
    """
    _check_employer(actor, employer)
    if not criteria:
        raise ValidationError(
            "Cochez au moins un critère d'éligibilité et joignez son justificatif."
        )
    participant = participant_create(
        actor=actor, facilitator=contract.facilitator, **participant_fields
    )
    placement = placement_create(
        actor=actor,
        participant=participant,
        contract=contract,
        employer=employer,
        **placement_fields,
    )
    stored: list[ParticipantCriterion] = []
    try:
        for criterion, evidence, evidence_file in criteria:
            stored.append(
                criterion_declare(
                    actor=actor,
                    participant=participant,
                    criterion=criterion,
                    evidence=evidence,
                    evidence_file=evidence_file,
                )
            )
    except Exception:
        for item in stored:  # the rows are rolled back: their files go too
            item.evidence_file.storage.delete(item.evidence_file.name)
        raise
    return placement


def employer_hours_error(
    *, status: str, rejection_reason: str, month: date, unchanged: bool, name: str
) -> tuple[str, str] | None:
    """An employer's correction of a month already recorded, as (field, message) when
    refused: validated hours are no longer the employer's to change (the same hours again
    change nothing), and refused hours come back only corrected."""
    if status == HoursStatus.VALIDATED and not unchanged:
        return ("month", validated_month_error(month=month, name=name, by_facilitator=False))
    if status == HoursStatus.REJECTED and unchanged:
        return (
            "hours_worked",
            f"Les heures de {month:%m/%Y} ont été refusées (motif : "
            f"{rejection_reason}) : corrigez-les avant de les déclarer de nouveau.",
        )
    return None


@transaction.atomic
def hours_declare(
    *,
    actor: User | None,
    placement: Placement,
    month: date,
    hours_worked: Decimal,
    training_hours: Decimal = Decimal(0),
) -> HoursEntry:
    """An employer declares (or corrects) a month's hours; they wait for validation.

    Validated hours are no longer the employer's to change, and refused hours come back
    only corrected.
    """
    _check_employer(actor, placement.employer)
    if placement.pool_id is not None:
        raise ValidationError(pooled_hours_message(placement.pool_id), code="pooled")
    month = month_start(month)
    entry = HoursEntry.objects.filter(placement=placement, month=month).first()
    if entry is not None:
        refused = employer_hours_error(
            status=entry.status,
            rejection_reason=entry.rejection_reason,
            month=month,
            unchanged=entry.hours_worked == Decimal(hours_worked)
            and entry.training_hours == Decimal(training_hours or 0),
            name=str(placement.participant),
        )
        if refused:
            raise ValidationError({refused[0]: refused[1]})
        if entry.status == HoursStatus.VALIDATED:
            return entry  # the same hours again: nothing changes
    return hours_record(
        actor=actor,
        placement=placement,
        month=month,
        hours_worked=hours_worked,
        training_hours=training_hours,
        validate=False,
    )


@transaction.atomic
def criterion_confirm(*, actor: User, item: ParticipantCriterion) -> ParticipantCriterion:
    """The facilitator saw the evidence: the criterion holds."""
    return _decide(actor=actor, item=item, status=CriterionStatus.CONFIRMED, reason="")


@transaction.atomic
def criterion_refuse(
    *, actor: User, item: ParticipantCriterion, reason: str
) -> ParticipantCriterion:
    """The evidence does not prove the criterion: refused, with the reason the employer sees."""
    if not reason.strip():
        raise ValidationError({"refusal_reason": "Indiquez le motif du refus."})
    return _decide(
        actor=actor, item=item, status=CriterionStatus.REFUSED, reason=reason.strip()[:300]
    )


def _decide(
    *, actor: User, item: ParticipantCriterion, status: str, reason: str
) -> ParticipantCriterion:
    item = (
        ParticipantCriterion.objects.select_for_update()
        .select_related("participant", "criterion")
        .get(pk=item.pk)
    )
    _check_reviewer(actor, item.participant, CRITERIA_REVIEWER_ONLY)
    if item.status == status and item.refusal_reason == reason:
        return item  # already decided so: keep who decided, and when
    before = snapshot(item, REVIEW_FIELDS)
    item.status = status
    item.refusal_reason = reason
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    after = snapshot(item, REVIEW_FIELDS)
    if before != after:
        _record(
            actor=actor,
            participant=item.participant,
            action=EventAction.CRITERION_CONFIRMED
            if status == CriterionStatus.CONFIRMED
            else EventAction.CRITERION_REFUSED,
            instance=item,
            before=before,
            after=after,
        )
    return item


@transaction.atomic
def criterion_resubmit(
    *, actor: User | None, item: ParticipantCriterion, evidence_file: Any
) -> ParticipantCriterion:
    """The employer answers a refusal with a new piece of evidence: the criterion waits for
    the facilitator's check again, and the former file is deleted."""
    item = (
        ParticipantCriterion.objects.select_for_update()
        .select_related("participant", "criterion")
        .get(pk=item.pk)
    )
    if item.status == CriterionStatus.CONFIRMED:
        raise ValidationError(
            {"evidence_file": "Ce critère est confirmé : il n'attend pas d'autre justificatif."}
        )
    if (
        actor is not None
        and not Membership.objects.filter(
            user=actor, organisation__placements__participant=item.participant
        ).exists()
    ):
        raise ValidationError(EMPLOYER_ONLY, code="not_employer")
    try:
        extension = evidence_extension(evidence_file)
    except ValidationError as error:
        raise ValidationError({"evidence_file": error.messages}) from error
    before = snapshot(item, (*DECLARED_CRITERION_FIELDS, "refusal_reason"))
    former = item.evidence_file.name if item.evidence_file else ""
    today = timezone.localdate()
    evidence_file.name = f"justificatif.{extension}"
    item.evidence_file = evidence_file
    item.status = CriterionStatus.TO_CHECK
    item.refusal_reason = ""
    item.decided_by, item.decided_at = None, None
    item.checked_on, item.checked_by = today, actor
    item.valid_until = (
        _add_months(today, item.criterion.validity_months)
        if item.criterion.validity_months
        else None
    )
    item.full_clean()
    item.save()
    if former:
        storage = item.evidence_file.storage
        transaction.on_commit(lambda: storage.delete(former))
    _record(
        actor=actor,
        participant=item.participant,
        action=EventAction.CRITERION_DECLARED,
        instance=item,
        before=before,
        after=snapshot(item, (*DECLARED_CRITERION_FIELDS, "refusal_reason")),
    )
    return item


# Duplicates -----------------------------------------------------------------------------

MERGED_IDENTITY_FIELDS = ("first_name", "last_name", "birth_date", "created_at")


def _placement_period(placement: Placement) -> str:
    end = f"au {placement.end_date:%d/%m/%Y}" if placement.end_date else "sans date de fin"
    return f"du {placement.start_date:%d/%m/%Y} {end}"


def _merge_conflicts(kept: Placement, merged: list[Placement]) -> list[str]:
    conflicts = []
    for other in merged:
        if (other.contract_id, other.lot_id) != (kept.contract_id, kept.lot_id):
            continue
        kept_end, other_end = kept.end_date or date.max, other.end_date or date.max
        if kept.start_date <= other_end and other.start_date <= kept_end:
            where = f"marché {kept.contract.reference}" + (
                f", lot {kept.lot.number}" if kept.lot_id and kept.lot else ""
            )
            conflicts.append(f"{where} : {_placement_period(kept)} et {_placement_period(other)}")
    return conflicts


@transaction.atomic
def participant_merge(*, actor: User | None, kept: Participant, merged: Participant) -> Participant:
    """Two records of one person become one: ``merged`` gives ``kept`` its placements
    (with their hours), criteria, outcomes and ESF entries, and stays as a record of its own history.

    Refused when both records hold placements on the same contract (or lot) over
    overlapping periods: the hours of one month would be counted twice.
    """
    if kept.pk == merged.pk:
        raise ValidationError("Choisissez deux fiches différentes.")
    # Lock both records so that nothing is added to them while they merge.
    locked = {
        p.pk: p for p in Participant.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk])
    }
    if len(locked) != 2:
        raise ValidationError("L'une des deux fiches a déjà été fusionnée.")
    if kept.facilitator_id != merged.facilitator_id:
        raise ValidationError(
            "Les deux fiches doivent être suivies par la même structure de facilitation."
        )
    kept_placements = list(
        Placement.objects.filter(participant=kept).select_related("contract", "lot")
    )
    merged_placements = list(
        Placement.objects.filter(participant=merged).select_related("contract", "lot")
    )
    conflicts = [c for p in kept_placements for c in _merge_conflicts(p, merged_placements)]
    if conflicts:
        raise ValidationError(
            "Fusion impossible : les deux fiches ont des mises en emploi qui se chevauchent "
            "sur le même marché ("
            + " ; ".join(conflicts)
            + "). Corrigez les dates de l'une d'elles avant de fusionner."
        )
    kept_criteria = {item.criterion_id: item for item in kept.criteria.all()}
    moved_criteria, replaced_criteria, dropped_criteria = [], [], []
    files_to_delete = []
    for item in list(ParticipantCriterion.objects.filter(participant=merged)):
        mine = kept_criteria.get(item.criterion_id)
        if mine is not None and (mine.checked_on, mine.pk) >= (item.checked_on, item.pk):
            dropped_criteria.append(item.pk)  # the kept record's check is the more recent
            if item.evidence_file:
                files_to_delete.append(item.evidence_file)
            item.delete()
            continue
        if mine is not None:
            replaced_criteria.append(mine.pk)
            if mine.evidence_file:
                files_to_delete.append(mine.evidence_file)
            mine.delete()
        ParticipantCriterion.objects.filter(pk=item.pk).update(participant=kept)
        moved_criteria.append(item.pk)
    moved_placements = [p.pk for p in merged_placements]
    Placement.objects.filter(pk__in=moved_placements).update(participant=kept)
    # A pooled job follows its placements.
    HoursPool.objects.filter(participant=merged).update(participant=kept)
    # Outcomes and ESF entries follow the person, unless the kept record already holds the
    # same exit (or entry): then the kept record's, checked more recently, stays.
    kept_exits = set(kept.outcomes.values_list("exit_date", "moment"))
    moved_outcomes = [
        pk
        for pk, exit_date, moment in merged.outcomes.values_list("pk", "exit_date", "moment")
        if (exit_date, moment) not in kept_exits
    ]
    Outcome.objects.filter(pk__in=moved_outcomes).update(participant=kept)
    kept_entries = set(kept.esf_entries.values_list("entered_on", flat=True))
    moved_esf_entries = [
        pk
        for pk, entered_on in merged.esf_entries.values_list("pk", "entered_on")
        if entered_on not in kept_entries
    ]
    EsfEntry.objects.filter(pk__in=moved_esf_entries).update(participant=kept)
    # Records merged earlier into ``merged`` now point at the kept one.
    earlier = list(Participant.all_objects.filter(merged_into=merged).values_list("pk", flat=True))
    Participant.all_objects.filter(pk__in=earlier).update(merged_into=kept)
    Participant.all_objects.filter(pk=merged.pk).update(merged_into=kept)
    merged.merged_into = kept
    _record(
        actor=actor,
        participant=kept,
        action=EventAction.PARTICIPANTS_MERGED,
        instance=merged,
        before=snapshot(merged, MERGED_IDENTITY_FIELDS),
        after={
            "merged_participant_id": merged.pk,
            "placement_ids": moved_placements,
            "criterion_ids": moved_criteria,
            "replaced_criterion_ids": replaced_criteria,
            "dropped_criterion_ids": dropped_criteria,
            "outcome_ids": moved_outcomes,
            "esf_entry_ids": moved_esf_entries,
            "merged_record_ids": earlier,
        },
    )
    for stored in files_to_delete:
        storage, name = stored.storage, stored.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return kept
