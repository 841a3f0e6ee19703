"""Writes of outcomes (situation at exit and six months later) and of the European Social
Fund's entry data.

Like every service of the app, each function checks everything before writing, writes in
one transaction and records what changed in the participant's history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from django.urls import reverse
from django.utils import timezone

from tremplin.core.history import snapshot
from tremplin.inclusion.enums import EventAction, OutcomeMoment
from tremplin.inclusion.followup import TOLERANCE_DAYS, exits_due_by, six_month_earliest
from tremplin.inclusion.models import (
    EsfEntry,
    InclusionEvent,
    Outcome,
    Participant,
    Placement,
)
from tremplin.notifications.enums import NotificationKind
from tremplin.notifications.services import Announcement, notify_organisations_once
from tremplin.organisations.access import is_member
from tremplin.organisations.models import User

OUTCOME_FIELDS = (
    "moment",
    "exit_date",
    "observed_on",
    "situation",
    "placement_id",
    "qualification_gained",
    "employer_name",
    "notes",
)
ESF_ENTRY_FIELDS = (
    "entered_on",
    "labour_status",
    "isced_band",
    "disability",
    "other_disadvantage",
    "left_on",
)
NOT_FOLLOWER = (
    "Seule la structure de facilitation qui suit la personne enregistre ses sorties "
    "et ses données FSE."
)


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _check_follower(user: User | None, participant: Participant) -> None:
    """Only members of the participant's structure write here (the system may: user None)."""
    if user is not None and not is_member(user, participant.facilitator_id):
        raise ValidationError(NOT_FOLLOWER, code="not_follower")


# Outcomes ------------------------------------------------------------------------------


def outcome_snapshot(outcome: Outcome) -> dict[str, Any]:
    """An outcome as the history records it."""
    return snapshot(outcome, OUTCOME_FIELDS)


def outcome_errors(
    outcome: Outcome, *, today: date, first_start: date | None, exit_recorded: bool
) -> dict[str, str]:
    """What is wrong with an outcome's dates, field by field (empty when all is well).

    ``first_start`` is the start of the participant's first placement; ``exit_recorded``
    says whether the situation at exit of the same exit date is recorded.
    """
    errors: dict[str, str] = {}
    exit_date, observed_on = outcome.exit_date, outcome.observed_on
    if exit_date > today:
        errors["exit_date"] = "La date de sortie ne peut pas être dans le futur."
    elif first_start is not None and exit_date < first_start:
        errors["exit_date"] = (
            f"La sortie ({_day(exit_date)}) précède la première mise en emploi de "
            f"{outcome.participant}, commencée le {_day(first_start)}."
        )
    elif outcome.placement_id is not None and exit_date < outcome.placement.start_date:
        errors["exit_date"] = (
            f"La sortie ({_day(exit_date)}) précède le début de la mise en emploi choisie "
            f"({_day(outcome.placement.start_date)})."
        )
    if observed_on > today:
        errors["observed_on"] = "La situation ne peut pas être constatée dans le futur."
    elif observed_on < exit_date:
        errors["observed_on"] = (
            f"La situation ne peut pas être constatée avant la sortie du {_day(exit_date)}."
        )
    elif outcome.moment == OutcomeMoment.SIX_MONTHS and observed_on < six_month_earliest(exit_date):
        errors["observed_on"] = (
            f"La situation à 6 mois se constate au plus tôt le "
            f"{_day(six_month_earliest(exit_date))} : 6 mois après la sortie du "
            f"{_day(exit_date)}, à {TOLERANCE_DAYS} jours près."
        )
    if (
        outcome.moment == OutcomeMoment.SIX_MONTHS
        and not exit_recorded
        and "exit_date" not in errors
    ):
        errors["exit_date"] = (
            f"Aucune situation à la sortie n'est enregistrée pour une sortie le "
            f"{_day(exit_date)} : enregistrez-la d'abord."
        )
    return errors


def _first_start(participant: Participant) -> date | None:
    first: date | None = Placement.objects.filter(participant=participant).aggregate(
        first=Min("start_date")
    )["first"]
    return first


@transaction.atomic
def outcome_record(
    *,
    user: User | None,
    participant: Participant,
    moment: str,
    exit_date: date,
    observed_on: date,
    situation: str,
    placement: Placement | None = None,
    qualification_gained: bool = False,
    employer_name: str = "",
    notes: str = "",
    outcome: Outcome | None = None,
) -> Outcome:
    """Record a participant's situation at a moment of an exit, or change it.

    Without ``outcome``, the situation of the same exit date and moment is updated if it
    exists (create-or-update); with it, that very record is changed. Moving the exit date
    of a situation at exit moves the six-month situation of that exit with it.
    """
    _check_follower(user, participant)
    if outcome is not None:
        outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
        if outcome.participant_id != participant.pk:
            raise ValidationError("Cette situation n'est pas celle de ce participant.")
    else:
        outcome = (
            Outcome.objects.select_for_update()
            .filter(participant=participant, exit_date=exit_date, moment=moment)
            .first()
        )
    before = outcome_snapshot(outcome) if outcome is not None else None
    previous_exit = outcome.exit_date if outcome is not None else None
    previous_moment = outcome.moment if outcome is not None else None
    item = outcome or Outcome(participant=participant)
    item.participant = participant
    item.moment = moment
    item.exit_date = exit_date
    item.observed_on = observed_on
    item.situation = situation
    item.placement = placement
    item.qualification_gained = qualification_gained
    item.employer_name = employer_name.strip()
    item.notes = notes.strip()
    item.recorded_by = user
    if placement is not None and placement.participant_id != participant.pk:
        raise ValidationError(
            {"placement": "Cette mise en emploi n'est pas celle de ce participant."}
        )

    # The six-month situation that follows this exit, if it has to move along.
    follow_up: Outcome | None = None
    if (
        previous_moment == OutcomeMoment.EXIT
        and previous_exit is not None
        and (previous_exit != exit_date or moment != OutcomeMoment.EXIT)
    ):
        follow_up = (
            Outcome.objects.select_for_update()
            .filter(
                participant=participant,
                exit_date=previous_exit,
                moment=OutcomeMoment.SIX_MONTHS,
            )
            .first()
        )
        if follow_up is not None and moment != OutcomeMoment.EXIT:
            raise ValidationError(
                {
                    "moment": "La situation à 6 mois de cette sortie est enregistrée : "
                    "retirez-la avant de changer le moment de celle-ci."
                }
            )
    today = timezone.localdate()
    exit_recorded = (
        moment == OutcomeMoment.SIX_MONTHS
        and Outcome.objects.filter(
            participant=participant, exit_date=exit_date, moment=OutcomeMoment.EXIT
        ).exists()
    )
    errors = outcome_errors(
        item, today=today, first_start=_first_start(participant), exit_recorded=exit_recorded
    )
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["recorded_by"])
    if follow_up is not None:
        follow_up_before = outcome_snapshot(follow_up)
        follow_up.exit_date = exit_date
        follow_errors = outcome_errors(follow_up, today=today, first_start=None, exit_recorded=True)
        if follow_errors:
            raise ValidationError(
                {
                    "exit_date": "La situation à 6 mois de cette sortie ne tient plus avec "
                    "cette date : " + " ".join(follow_errors.values())
                }
            )
        follow_up.full_clean(exclude=["recorded_by"])
    item.save()
    after = outcome_snapshot(item)
    if before != after:
        InclusionEvent.about(
            item,
            actor=user,
            participant=participant,
            action=EventAction.OUTCOME_SET,
            before=before,
            after=after,
        ).save()
    if follow_up is not None:
        follow_up.recorded_by = user
        follow_up.save()
        InclusionEvent.about(
            follow_up,
            actor=user,
            participant=participant,
            action=EventAction.OUTCOME_SET,
            before=follow_up_before,
            after=outcome_snapshot(follow_up),
        ).save()
    return item


@transaction.atomic
def outcome_delete(*, user: User | None, outcome: Outcome) -> None:
    """Remove a situation; a situation at exit goes only once its follow-up is gone."""
    # The history records what is stored, not what the caller may hold in memory.
    outcome = Outcome.objects.select_for_update().select_related("participant").get(pk=outcome.pk)
    participant = outcome.participant
    _check_follower(user, participant)
    if (
        outcome.moment == OutcomeMoment.EXIT
        and Outcome.objects.filter(
            participant=participant,
            exit_date=outcome.exit_date,
            moment=OutcomeMoment.SIX_MONTHS,
        ).exists()
    ):
        raise ValidationError(
            "La situation à 6 mois de cette sortie est enregistrée : retirez-la d'abord."
        )
    InclusionEvent.about(
        outcome,
        actor=user,
        participant=participant,
        action=EventAction.OUTCOME_REMOVED,
        before=outcome_snapshot(outcome),
        after=None,
    ).save()
    outcome.delete()


# Reminders of the six-month situation ------------------------------------------------


def follow_up_title(first_name: str, last_name: str, exit_date: date) -> str:
    """The first name and an initial only: the title goes out by email."""
    initial = f" {last_name.strip()[:1].upper()}." if last_name.strip() else ""
    return f"Situation à 6 mois à saisir : {first_name}{initial} (sortie le {_day(exit_date)})"


def notify_follow_ups_due(today: date, *, email: bool = True) -> int:
    """Tell the members of each facilitator structure, once per exit, that the six-month
    situation of one of its participants is due and not recorded yet; returns how many
    notifications were written (none on a second run the same day).

    One read, then one atomic write (``notify_organisations_once``); nothing is written
    when nothing is due."""
    followed_up = Outcome.objects.filter(
        participant_id=OuterRef("participant_id"),
        exit_date=OuterRef("exit_date"),
        moment=OutcomeMoment.SIX_MONTHS,
    )
    due = (
        Outcome.objects.filter(
            moment=OutcomeMoment.EXIT,
            exit_date__lte=exits_due_by(today),
            participant__merged_into__isnull=True,
        )
        .filter(~Exists(followed_up))
        .order_by("exit_date", "pk")
        .values_list(
            "pk",
            "exit_date",
            "participant_id",
            "participant__first_name",
            "participant__last_name",
            "participant__facilitator_id",
        )
    )
    announcements = [
        Announcement(
            organisation_id=facilitator_id,
            title=follow_up_title(first_name, last_name, exit_date),
            url=reverse("inclusion:participant_detail", args=[participant_id]) + "#sorties",
            dedup_key=f"follow-up:{pk}",
        )
        for pk, exit_date, participant_id, first_name, last_name, facilitator_id in due.iterator()
    ]
    return len(
        notify_organisations_once(NotificationKind.FOLLOW_UP_DUE, announcements, email=email)
    )


# European Social Fund ------------------------------------------------------------------


def esf_entry_snapshot(entry: EsfEntry) -> dict[str, Any]:
    """An ESF entry as the history records it."""
    return snapshot(entry, ESF_ENTRY_FIELDS)


def esf_entry_errors(entry: EsfEntry, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if entry.entered_on > today:
        errors["entered_on"] = "La date d'entrée ne peut pas être dans le futur."
    if entry.left_on is not None:
        if entry.left_on > today:
            errors["left_on"] = "La date de sortie ne peut pas être dans le futur."
        elif entry.left_on < entry.entered_on:
            errors["left_on"] = (
                f"La sortie précède l'entrée dans l'opération ({_day(entry.entered_on)})."
            )
    return errors


@transaction.atomic
def esf_entry_record(
    *,
    user: User | None,
    participant: Participant,
    entered_on: date,
    labour_status: str,
    isced_band: str,
    disability: bool = False,
    other_disadvantage: bool = False,
    left_on: date | None = None,
    entry: EsfEntry | None = None,
) -> EsfEntry:
    """Record a participant's entry into an ESF co-funded operation, or change it.

    Without ``entry``, the entry of the same date is updated if it exists.
    """
    _check_follower(user, participant)
    if entry is not None:
        entry = EsfEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.participant_id != participant.pk:
            raise ValidationError("Ces données FSE ne sont pas celles de ce participant.")
    else:
        entry = (
            EsfEntry.objects.select_for_update()
            .filter(participant=participant, entered_on=entered_on)
            .first()
        )
    before = esf_entry_snapshot(entry) if entry is not None else None
    item = entry or EsfEntry(participant=participant)
    item.entered_on = entered_on
    item.labour_status = labour_status
    item.isced_band = isced_band
    item.disability = disability
    item.other_disadvantage = other_disadvantage
    item.left_on = left_on
    item.recorded_by = user
    errors = esf_entry_errors(item, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["recorded_by"])
    item.save()
    after = esf_entry_snapshot(item)
    if before != after:
        InclusionEvent.about(
            item,
            actor=user,
            participant=participant,
            action=EventAction.ESF_ENTRY_SET,
            before=before,
            after=after,
        ).save()
    return item


@transaction.atomic
def esf_entry_delete(*, user: User | None, entry: EsfEntry) -> None:
    entry = EsfEntry.objects.select_for_update().select_related("participant").get(pk=entry.pk)
    participant = entry.participant
    _check_follower(user, participant)
    InclusionEvent.about(
        entry,
        actor=user,
        participant=participant,
        action=EventAction.ESF_ENTRY_REMOVED,
        before=esf_entry_snapshot(entry),
        after=None,
    ).save()
    entry.delete()
