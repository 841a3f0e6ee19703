"""Pages of outcomes (situation at exit and six months later) and ESF entry data.

Only members of the participant's facilitator structure reach them: for anyone else
(another structure, a buyer, a company) these records do not exist (404).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tremplin.core.exports import Column, Value
from tremplin.core.forms import attach_errors
from tremplin.core.http import export_format, export_response, safe_next_url
from tremplin.core.parameters import date_parameter
from tremplin.inclusion import outcome_services, selectors
from tremplin.inclusion.enums import (
    ISCED_BAND_OF_QUALIFICATION,
    CriterionStatus,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.followup import six_month_due, six_month_earliest
from tremplin.inclusion.models import EsfEntry, Outcome, Participant
from tremplin.inclusion.outcome_forms import EsfEntryForm, OutcomeForm
from tremplin.organisations.access import UserScope, facilitator_scope

FOLLOW_UPS_PER_PAGE = 50
# Criteria that make a person count as disabled for the ESF.
DISABILITY_CRITERIA = frozenset({"rqth", "aah_invalidity"})


def _participant(scope: UserScope, pk: int) -> Participant:
    try:
        return selectors.participant_detail(scope, pk)
    except Participant.DoesNotExist as error:
        raise Http404("Participant introuvable.") from error


def _outcome(scope: UserScope, pk: int) -> Outcome:
    try:
        return selectors.outcome_detail(scope, pk)
    except Outcome.DoesNotExist as error:
        raise Http404("Situation introuvable.") from error


def _esf_entry(scope: UserScope, pk: int) -> EsfEntry:
    try:
        return selectors.esf_entry_detail(scope, pk)
    except EsfEntry.DoesNotExist as error:
        raise Http404("Données FSE introuvables.") from error


def _participant_url(participant: Participant, anchor: str) -> str:
    return reverse("inclusion:participant_detail", args=[participant.pk]) + f"#{anchor}"


# Outcomes ------------------------------------------------------------------------------


def _new_outcome_initial(request: HttpRequest, placements: list[Any]) -> dict[str, Any]:
    """A new situation at exit defaults to the end of the last placement, when all have
    ended; "Constater à 6 mois" links pass the moment and the exit date."""
    today = timezone.localdate()
    moment = request.GET.get("moment", OutcomeMoment.EXIT)
    if moment not in OutcomeMoment.values:
        moment = OutcomeMoment.EXIT
    exit_date = date_parameter(request.GET.get("sortie"))
    if exit_date is None and placements and all(p.end_date for p in placements):
        exit_date = max(p.end_date for p in placements)
        if exit_date > today:
            exit_date = None
    initial: dict[str, Any] = {"moment": moment, "exit_date": exit_date}
    if moment == OutcomeMoment.EXIT:
        initial["observed_on"] = exit_date
        ended = [p for p in placements if p.end_date == exit_date]
        if exit_date is not None and len(ended) == 1:
            initial["placement"] = ended[0].pk
    else:
        initial["observed_on"] = today
    return initial


def _save_outcome(
    request: HttpRequest,
    scope: UserScope,
    participant: Participant,
    outcome: Outcome | None,
) -> HttpResponse:
    placements = selectors.placements_to_leave(scope, participant)
    if outcome is None:
        initial = _new_outcome_initial(request, list(placements))
    else:
        initial = {
            "moment": outcome.moment,
            "exit_date": outcome.exit_date,
            "observed_on": outcome.observed_on,
            "situation": outcome.situation,
            "placement": outcome.placement_id,
            "employer_name": outcome.employer_name,
            "qualification_gained": outcome.qualification_gained,
            "notes": outcome.notes,
        }
    form = OutcomeForm(request.POST or None, initial=initial, placements=placements)
    if request.method == "POST" and form.is_valid():
        try:
            saved = outcome_services.outcome_record(
                user=request.user,  # type: ignore[arg-type]
                participant=participant,
                outcome=outcome,
                **form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"Situation {saved.get_moment_display().lower()} de {participant} "
                f"enregistrée : {saved.get_situation_display()}.",
            )
            return HttpResponseRedirect(
                safe_next_url(request, _participant_url(participant, "sorties"))
            )
    exit_date = outcome.exit_date if outcome else initial.get("exit_date")
    return render(
        request,
        "inclusion/outcomes/outcome_form.html",
        {
            "participant": participant,
            "outcome": outcome,
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "six_month_due": six_month_due(exit_date) if exit_date else None,
            "six_month_earliest": six_month_earliest(exit_date) if exit_date else None,
        },
    )


def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    return _save_outcome(request, scope, _participant(scope, pk), None)


def outcome_update(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    outcome = _outcome(scope, pk)
    return _save_outcome(request, scope, outcome.participant, outcome)


@require_POST
def outcome_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    outcome = _outcome(scope, pk)
    participant = outcome.participant
    try:
        outcome_services.outcome_delete(user=request.user, outcome=outcome)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"Situation {outcome.get_moment_display().lower()} de la sortie du "
            f"{outcome.exit_date:%d/%m/%Y} retirée.",
        )
    return HttpResponseRedirect(_participant_url(participant, "sorties"))


OUTCOMES_DUE_EXPORT_COLUMNS = (
    Column("Nom"),
    Column("Prénom"),
    Column("Structure"),
    Column("Date de sortie", "date"),
    Column("Marché"),
    Column("Situation à la sortie"),
    Column("Situation à 6 mois attendue le", "date"),
    Column("Jours de retard", "int"),
)


def outcome_due_export_row(row: dict[str, Any], today: datetime.date) -> list[Value]:
    due_on = six_month_due(row["exit_date"])
    situation = row["situation"]
    return [
        row["participant__last_name"],
        row["participant__first_name"],
        row["participant__facilitator__name"],
        row["exit_date"],
        row["placement__contract__reference"] or "",
        str(OutcomeSituation(situation).label) if situation in OutcomeSituation.values else "",
        due_on,
        max((today - due_on).days, 0),
    ]


def outcomes_due(request: HttpRequest) -> HttpResponse:
    """The exits whose six-month situation is due and not recorded yet."""
    scope = facilitator_scope(request.user)
    today = timezone.localdate()
    if wanted := export_format(request.GET.get("format")):
        rows = selectors.six_month_follow_ups_export(scope, today=today)
        return export_response(
            wanted,
            "situations-a-6-mois",
            OUTCOMES_DUE_EXPORT_COLUMNS,
            (outcome_due_export_row(row, today) for row in rows.iterator()),
            "Situations à 6 mois",
        )
    paginator = Paginator(
        selectors.six_month_follow_ups_due(scope, today=today), FOLLOW_UPS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    for outcome in page.object_list:
        outcome.due_on = six_month_due(outcome.exit_date)  # type: ignore[attr-defined]
        outcome.days_late = (today - outcome.due_on).days  # type: ignore[attr-defined]
    return render(
        request,
        "inclusion/outcomes/outcomes_due.html",
        {
            "page": page,
            "today": today,
            "several_structures": len(scope.facilitator_ids) > 1,
        },
    )


# ESF entry data ------------------------------------------------------------------------


def esf_initial(participant: Participant) -> dict[str, Any]:
    """What the participant's record already says (its criteria are prefetched)."""
    codes = {
        item.criterion.code
        for item in participant.criteria.all()
        if item.status != CriterionStatus.REFUSED
    }
    initial: dict[str, Any] = {
        "entered_on": timezone.localdate(),
        "isced_band": ISCED_BAND_OF_QUALIFICATION.get(participant.qualification_level, ""),
        "disability": bool(codes & DISABILITY_CRITERIA),
    }
    if "long_term_job_seeker" in codes:
        initial["labour_status"] = LabourStatus.LONG_TERM_UNEMPLOYED
    return initial


def _save_esf_entry(
    request: HttpRequest, participant: Participant, entry: EsfEntry | None
) -> HttpResponse:
    if entry is None:
        initial = esf_initial(participant)
    else:
        initial = {name: getattr(entry, name) for name in outcome_services.ESF_ENTRY_FIELDS}
    form = EsfEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome_services.esf_entry_record(
                user=request.user,  # type: ignore[arg-type]
                participant=participant,
                entry=entry,
                **form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Données FSE de {participant} enregistrées.")
            return HttpResponseRedirect(_participant_url(participant, "fse"))
    return render(
        request,
        "inclusion/outcomes/esf_entry_form.html",
        {"participant": participant, "entry": entry, "form": form},
    )


def esf_entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    return _save_esf_entry(request, _participant(scope, pk), None)


def esf_entry_update(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    entry = _esf_entry(scope, pk)
    return _save_esf_entry(request, _participant(scope, entry.participant_id), entry)


@require_POST
def esf_entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    entry = _esf_entry(scope, pk)
    outcome_services.esf_entry_delete(user=request.user, entry=entry)  # type: ignore[arg-type]
    messages.success(request, f"Données FSE de l'entrée du {entry.entered_on:%d/%m/%Y} retirées.")
    return HttpResponseRedirect(_participant_url(entry.participant, "fse"))
