"""Pages of personal data: participants, eligibility, placements, monthly hours.

Every lookup goes through a selector scoped to the user's facilitator structures: what
another structure follows does not exist here (404), and a user without a facilitator
structure (a buyer, a company) has no participant pages at all.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from tremplin.core.exports import Column, Value
from tremplin.core.forms import attach_errors
from tremplin.core.http import export_format, export_response, safe_next_url
from tremplin.core.parameters import id_parameter
from tremplin.core.templatetags.french import hours as format_hours
from tremplin.inclusion import history, pathway_selectors, selectors, services
from tremplin.inclusion.age import age_on
from tremplin.inclusion.enums import (
    HOURS_STATUS_COLOURS,
    HoursStatus,
    OutcomeCategory,
    OutcomeMoment,
    QualificationLevel,
    Sex,
)
from tremplin.inclusion.forms import (
    BulkValidateForm,
    CriterionForm,
    HoursForm,
    ParticipantForm,
    PlacementForm,
    RejectForm,
    ReopenForm,
    ReviewFilterForm,
)
from tremplin.inclusion.models import (
    HoursEntry,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.inclusion.outcome_sections import participant_outcome_sections
from tremplin.matching.pathway_selectors import referrals_of_participant
from tremplin.organisations.access import UserScope, facilitator_scope

PARTICIPANTS_PER_PAGE = 50
ENTRIES_PER_PAGE = 100
EXPIRY_WARNING_DAYS = 30
RECENT_EVENTS = 12

PARTICIPANT_EXPORT_COLUMNS = (
    Column("Nom"),
    Column("Prénom"),
    Column("Date de naissance", "date"),
    Column("Commune"),
    Column("QPV"),
    Column("Critères"),
    Column("Mises en emploi", "int"),
    Column("Heures validées", "decimal"),
)

REVIEW_EXPORT_COLUMNS = (
    Column("Mois", "date"),
    Column("Marché"),
    Column("Participant"),
    Column("Employeur"),
    Column("Heures travaillées", "decimal"),
    Column("Heures de formation", "decimal"),
    Column("Total", "decimal"),
    Column("Déclarées par"),
    Column("Déclarées le", "date"),
)

# Short names of the eligible publics, for the badges of the participants list.
CRITERION_SHORT_LABELS = {
    "long_term_job_seeker": "DELD",
    "rsa": "RSA",
    "ass": "ASS",
    "aah_invalidity": "AAH / invalidité",
    "rqth": "RQTH",
    "young_without_qualification": "Jeune −26 ans",
    "senior_job_seeker": "DE +50 ans",
    "qpv_resident": "QPV",
    "siae_employee": "Salarié SIAE",
    "geiq_employee": "Salarié GEIQ",
    "second_chance": "E2C / EPIDE",
    "prescriber_opinion": "Avis prescripteur",
}


def _participant(scope: UserScope, pk: int) -> Participant:
    try:
        return selectors.participant_detail(scope, pk)
    except Participant.DoesNotExist as error:
        raise Http404("Participant introuvable.") from error


def _placement(scope: UserScope, pk: int) -> Placement:
    try:
        return selectors.placement_detail(scope, pk)
    except Placement.DoesNotExist as error:
        raise Http404("Mise en emploi introuvable.") from error


def _hours_entry(scope: UserScope, pk: int) -> HoursEntry:
    try:
        return selectors.hours_entry_detail(scope, pk)
    except HoursEntry.DoesNotExist as error:
        raise Http404("Heures introuvables.") from error


def _month_label(month: datetime.date) -> str:
    return date_format(month, "F Y")


# Participants ---------------------------------------------------------------------------


def participant_export_row(participant: Participant) -> list[Value]:
    """A row of the participants export (criteria prefetched by ``participant_rows``)."""
    return [
        participant.last_name,
        participant.first_name,
        participant.birth_date,
        participant.city,
        "Oui" if participant.qpv_resident else "Non",
        " ; ".join(item.criterion.label for item in participant.criteria.all()),
        participant.placement_count,  # type: ignore[attr-defined]
        participant.validated_hours,  # type: ignore[attr-defined]
    ]


# The GET parameters by which the indicators page links its figures of people here.
REPORT_PARAMETERS = (
    "heures",  # "validees": the people with validated hours (all the others imply it)
    "du",
    "au",
    "marche",
    "acheteur",
    "structure",
    "sexe",
    "age",
    "qpv",
    "niveau",
    "sortie",
)
AGE_BAND_LABELS = {
    "under_26": "moins de 26 ans",
    "26_49": "26 à 49 ans",
    "50_plus": "50 ans et plus",
}
OUTCOME_MOMENT_LABELS = {
    OutcomeMoment.EXIT: "situation à la sortie",
    OutcomeMoment.SIX_MONTHS: "situation à 6 mois",
}


def _month_parameter(value: str, *, last_day: bool = False) -> datetime.date | None:
    """A "YYYY-MM" parameter: its first day, or its last day; None if malformed."""
    try:
        month = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None
    if last_day:
        following = (
            month.replace(year=month.year + 1, month=1)
            if month.month == 12
            else (month.replace(month=month.month + 1))
        )
        return following - datetime.timedelta(days=1)
    return month


def report_people_filters(
    params: Any, today: datetime.date
) -> selectors.ReportPeopleFilters | None:
    """The indicators' filters among ``params`` (a QueryDict); None when there are none.

    The age is taken on the first day of the period, or today, as on the indicators page.
    """
    if not any(params.get(name) for name in REPORT_PARAMETERS):
        return None
    first_month = _month_parameter(params.get("du", ""))
    last_day = _month_parameter(params.get("au", ""), last_day=True)
    moment, _, category = params.get("sortie", "").partition(":")
    valid_outcome = moment in OutcomeMoment.values and category in OutcomeCategory.values
    sex = params.get("sexe", "")
    qualification = params.get("niveau", "")
    return selectors.ReportPeopleFilters(
        first_month=first_month,
        last_day=last_day,
        contract_id=id_parameter(params.get("marche", "")),
        buyer_id=id_parameter(params.get("acheteur", "")),
        structure_id=id_parameter(params.get("structure", "")),
        sex=sex if sex in Sex.values else "",
        age_band=params.get("age", "") if params.get("age") in AGE_BAND_LABELS else "",
        age_day=first_month or today,
        qpv={"oui": True, "non": False}.get(params.get("qpv", "")),
        qualification=qualification if qualification in QualificationLevel.values else "",
        outcome_moment=moment if valid_outcome else "",
        outcome_category=category if valid_outcome else "",
    )


def report_filter_labels(
    filters: selectors.ReportPeopleFilters, names: dict[int, str], contract_reference: str
) -> list[str]:
    """What the banner says of ``filters``, in French."""
    labels = ["personnes avec des heures validées"]
    first, last = filters.first_month, filters.last_day
    if first and last:
        labels.append(f"de {_month_label(first)} à {_month_label(last)}")
    elif first:
        labels.append(f"depuis {_month_label(first)}")
    elif last:
        labels.append(f"jusqu'à {_month_label(last)}")
    if contract_reference:
        labels.append(f"marché {contract_reference}")
    if filters.buyer_id:
        labels.append(f"acheteur {names.get(filters.buyer_id, '—')}")
    if filters.structure_id:
        labels.append(f"structure {names.get(filters.structure_id, '—')}")
    if filters.sex:
        labels.append(Sex(filters.sex).label.lower() + "s")
    if filters.age_band and filters.age_day:
        labels.append(f"{AGE_BAND_LABELS[filters.age_band]} au {filters.age_day:%d/%m/%Y}")
    if filters.qpv is not None:
        labels.append("habite un QPV" if filters.qpv else "n'habite pas un QPV")
    if filters.qualification:
        labels.append(QualificationLevel(filters.qualification).label)
    if filters.outcome_moment:
        labels.append(
            f"{OUTCOME_MOMENT_LABELS[OutcomeMoment(filters.outcome_moment)]} : "
            f"{OutcomeCategory(filters.outcome_category).label.lower()}, constatée dans la période"
        )
    return labels


def participant_list(request: HttpRequest) -> HttpResponse:
    scope = facilitator_scope(request.user)
    search = request.GET.get("q", "").strip()
    criteria = list(selectors.criteria_of_structures(scope))
    today = timezone.localdate()
    report = report_people_filters(request.GET, today)
    criterion = request.GET.get("critere", "")
    # From the indicators, any criterion a participant holds (perhaps one their network
    # no longer accepts) keeps its figure's rows.
    if criterion not in {item.code for item in criteria} and (report is None or not criterion):
        criterion = ""
    rows = selectors.participant_rows(scope, search=search, criterion=criterion, report=report)
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            "participants",
            PARTICIPANT_EXPORT_COLUMNS,
            (participant_export_row(participant) for participant in rows),
            "Participants",
        )
    paginator = Paginator(rows, PARTICIPANTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    for participant in page.object_list:
        participant.age = age_on(participant.birth_date, today)  # type: ignore[attr-defined]
        for item in participant.criteria.all():
            item.short_label = CRITERION_SHORT_LABELS.get(  # type: ignore[attr-defined]
                item.criterion.code, item.criterion.label
            )
            item.expired = item.valid_until is not None and item.valid_until < today  # type: ignore[attr-defined]
    kept = {key: value for key, value in (("q", search), ("critere", criterion)) if value}
    report_query = {name: request.GET[name] for name in REPORT_PARAMETERS if request.GET.get(name)}
    query = urlencode({**kept, **report_query})
    query = query + "&" if query else ""
    report_labels = (
        report_filter_labels(
            report,
            selectors.report_filter_names(report),
            selectors.report_contract_reference(scope, report.contract_id),
        )
        if report is not None
        else []
    )
    return render(
        request,
        "inclusion/participant_list.html",
        {
            "page": page,
            "search": search,
            "criteria": criteria,
            "criterion": criterion,
            "criterion_label": next(
                (item.label for item in criteria if item.code == criterion), ""
            ),
            "page_query": query,
            "duplicate_count": len(selectors.duplicate_pairs(scope)),
            "report_labels": report_labels,
            "report_hidden": report_query,
            "clear_report_url": reverse("inclusion:participant_list")
            + (f"?{urlencode(kept)}" if kept else ""),
        },
    )


def participant_create(request: HttpRequest) -> HttpResponse:
    scope = facilitator_scope(request.user)
    structures = selectors.own_structures(scope)
    form = ParticipantForm(
        request.POST or None,
        structures=structures,
        prescribers=selectors.prescribers_for(scope),
    )
    possible_duplicates: list[selectors.DuplicateCandidate] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["confirm_duplicates"]:
            possible_duplicates = selectors.possible_duplicates(
                facilitator_id=data["facilitator"].pk,
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data["birth_date"],
            )
        if not possible_duplicates:
            try:
                participant = services.participant_create(
                    actor=request.user,  # type: ignore[arg-type]
                    facilitator=data["facilitator"],
                    **form.participant_fields(),
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, f"{participant} est enregistré(e) comme participant.")
                return redirect("inclusion:participant_detail", pk=participant.pk)
    return render(
        request,
        "inclusion/participant_form.html",
        {"form": form, "participant": None, "possible_duplicates": possible_duplicates},
    )


def participant_update(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    participant = _participant(scope, pk)
    initial = {
        name: getattr(participant, name)
        for name in (
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
            "notes",
        )
    }
    initial["referred_by"] = participant.referred_by_id
    form = ParticipantForm(
        request.POST or None,
        initial=initial,
        structures=None,
        prescribers=selectors.prescribers_for(scope),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                actor=request.user,  # type: ignore[arg-type]
                participant=participant,
                **form.participant_fields(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"La fiche de {participant} est mise à jour.")
            return redirect("inclusion:participant_detail", pk=participant.pk)
    return render(
        request, "inclusion/participant_form.html", {"form": form, "participant": participant}
    )


def _criterion_rows(participant: Participant, today: datetime.date) -> list[dict[str, Any]]:
    warning_from = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    rows = []
    for item in participant.criteria.all():
        state = ""
        if item.valid_until is not None and item.valid_until < today:
            state = "expired"
        elif item.valid_until is not None and item.valid_until <= warning_from:
            state = "expiring"
        rows.append({"item": item, "state": state})
    return rows


def _render_participant(
    request: HttpRequest,
    scope: UserScope,
    participant: Participant,
    criterion_form: CriterionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    network = participant.facilitator.network
    criteria = selectors.criteria_accepted_by(network)
    if criterion_form is None:
        initial: dict[str, Any] = {}
        renew = request.GET.get("critere", "")
        for item in participant.criteria.all():
            if str(item.criterion_id) == renew:
                initial = {"criterion": item.criterion_id, "evidence": item.evidence}
        criterion_form = CriterionForm(initial=initial, criteria=criteria)
    today = timezone.localdate()
    events = list(selectors.history_of_participant(scope, participant))
    placements = list(selectors.placements_of_participant(scope, participant))
    timeline = history.timeline(events, selectors.history_references(events))
    possible_duplicates = selectors.duplicates_of(scope, participant)
    return render(
        request,
        "inclusion/participant_detail.html",
        {
            "participant": participant,
            "age": age_on(participant.birth_date, today),
            "criterion_rows": _criterion_rows(participant, today),
            "criterion_form": criterion_form,
            "placements": placements,
            "validated_hours": sum((p.validated_hours for p in placements), Decimal(0)),  # type: ignore[attr-defined]
            "timeline": timeline,
            "recent_timeline": timeline[:RECENT_EVENTS],
            "older_timeline": timeline[RECENT_EVENTS:],
            "time_zone": network.time_zone,
            "possible_duplicates": possible_duplicates,
            "outcome_sections": participant_outcome_sections(scope, participant, today),
            "pathway": pathway_selectors.participant_pathway(
                scope,
                participant,
                referrals=referrals_of_participant(scope, participant),
                today=today,
            ),
        },
        status=status,
    )


def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    return _render_participant(request, scope, _participant(scope, pk))


@require_POST
def criterion_set(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    participant = _participant(scope, pk)
    form = CriterionForm(
        request.POST, criteria=selectors.criteria_accepted_by(participant.facilitator.network)
    )
    if form.is_valid():
        try:
            item = services.criterion_set(
                actor=request.user,  # type: ignore[arg-type]
                participant=participant,
                **form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, f"Critère « {item.criterion.label} » enregistré pour {participant}."
            )
            url = reverse("inclusion:participant_detail", args=[participant.pk])
            return HttpResponseRedirect(f"{url}#criteres")
    return _render_participant(request, scope, participant, criterion_form=form)


@require_POST
def criterion_remove(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    try:
        item = selectors.participant_criterion_detail(scope, pk)
    except ParticipantCriterion.DoesNotExist as error:
        raise Http404("Critère introuvable.") from error
    participant = item.participant
    services.criterion_remove(actor=request.user, item=item)  # type: ignore[arg-type]
    messages.success(request, f"Critère « {item.criterion.label} » retiré pour {participant}.")
    url = reverse("inclusion:participant_detail", args=[participant.pk])
    return HttpResponseRedirect(f"{url}#criteres")


# Placements -----------------------------------------------------------------------------


def _placement_form(scope: UserScope, data: Any = None, initial: Any = None) -> PlacementForm:
    form = PlacementForm(
        data,
        initial=initial,
        contracts=selectors.contracts_for_placements(scope),
        lots=selectors.lots_for_placements(scope),
        employers=selectors.employers_for(scope),
    )
    contract_id = form.chosen_contract_id()
    if contract_id is not None:
        form.offer_lots(selectors.lots_for_placements(scope, contract_id))
    else:
        form.offer_lots(selectors.lots_for_placements(scope).none())
    return form


def placement_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    participant = _participant(scope, pk)
    initial: dict[str, Any] = {}
    if contract_id := id_parameter(request.GET.get("marche")):
        initial["contract"] = contract_id
    form = _placement_form(scope, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            placement = services.placement_create(
                actor=request.user,  # type: ignore[arg-type]
                participant=participant,
                **form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"Mise en emploi de {participant} sur le marché "
                f"{placement.contract.reference} enregistrée.",
            )
            return redirect("inclusion:placement_detail", pk=placement.pk)
    search = request.POST.get("q", "").strip()
    if search and not form.data.get("job"):
        form.offer_jobs(selectors.search_job_titles(search))
    return render(
        request,
        "inclusion/placement_form.html",
        {"form": form, "participant": participant},
    )


@require_GET
def placement_lots(request: HttpRequest) -> HttpResponse:
    """The ``<option>`` list of a contract's lots, for the placement form (HTMX)."""
    scope = facilitator_scope(request.user)
    contract_id = id_parameter(request.GET.get("contract"))
    lots = (
        selectors.lots_for_placements(scope, contract_id)
        if contract_id
        else selectors.lots_for_placements(scope).none()
    )
    return render(request, "inclusion/_lot_options.html", {"lots": lots})


@require_GET
def job_search(request: HttpRequest) -> HttpResponse:
    """The ``<option>`` list of ROME job titles matching the search (HTMX)."""
    facilitator_scope(request.user)
    query = request.GET.get("q", "").strip()
    jobs = selectors.search_job_titles(query) if len(query) >= 2 else []
    return render(request, "inclusion/_job_options.html", {"jobs": jobs, "query": query})


def _hours_rows(entries: list[HoursEntry]) -> dict[str, Any]:
    counted = [entry for entry in entries if entry.status != HoursStatus.REJECTED]
    return {
        "entries": [
            {"entry": entry, "colour": HOURS_STATUS_COLOURS[HoursStatus(entry.status)]}
            for entry in entries
        ],
        "total_worked": sum((entry.hours_worked for entry in counted), Decimal(0)),
        "total_training": sum((entry.training_hours for entry in counted), Decimal(0)),
        "total_hours": sum((entry.total_hours for entry in counted), Decimal(0)),
        "validated_hours": sum(
            (entry.total_hours for entry in entries if entry.status == HoursStatus.VALIDATED),
            Decimal(0),
        ),
        "declared_hours": sum(
            (entry.total_hours for entry in entries if entry.status == HoursStatus.DECLARED),
            Decimal(0),
        ),
    }


def _render_placement(
    request: HttpRequest,
    scope: UserScope,
    placement: Placement,
    hours_form: HoursForm | None = None,
) -> HttpResponse:
    entries = list(selectors.hours_of_placement(scope, placement))
    if hours_form is None:
        initial: dict[str, Any] = {"training_hours": 0}
        wanted = request.GET.get("mois", "")
        for entry in entries:
            if entry.month.strftime("%Y-%m") == wanted:
                initial = {
                    "month": entry.month,
                    "hours_worked": entry.hours_worked,
                    "training_hours": entry.training_hours,
                }
        if "month" not in initial:
            initial["month"] = _default_month(placement)
        hours_form = HoursForm(initial=initial)
    return render(
        request,
        "inclusion/placement_detail.html",
        {
            "placement": placement,
            "participant": placement.participant,
            "hours_form": hours_form,
            "reject_form": RejectForm(),
            **_hours_rows(entries),
        },
    )


def _default_month(placement: Placement) -> datetime.date:
    """The last month that can be declared: the last one over, inside the placement."""
    month = services.last_month_over(timezone.localdate())
    end = placement.end_date or placement.contract.execution_end
    month = min(month, end.replace(day=1))
    return max(month, placement.start_date.replace(day=1))


def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    return _render_placement(request, scope, _placement(scope, pk))


@require_POST
def hours_record(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    placement = _placement(scope, pk)
    form = HoursForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.hours_record(
                actor=request.user,  # type: ignore[arg-type]
                placement=placement,
                month=data["month"],
                hours_worked=data["hours_worked"],
                training_hours=data["training_hours"],
                validate=data["validate"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            state = "validées" if entry.status == HoursStatus.VALIDATED else "à valider"
            messages.success(
                request,
                f"{format_hours(entry.total_hours)} heures en {_month_label(entry.month)} "
                f"enregistrées ({state}).",
            )
            url = reverse("inclusion:placement_detail", args=[placement.pk])
            return HttpResponseRedirect(f"{url}#heures")
    return _render_placement(request, scope, placement, hours_form=form)


# Review of declared hours ---------------------------------------------------------------


def _review_forms_querysets(scope: UserScope) -> dict[str, Any]:
    return {
        "contracts": selectors.contracts_for_placements(scope),
        "employers": selectors.review_filter_employers(scope),
    }


def review_export_row(entry: HoursEntry) -> list[Value]:
    """A row of the review queue's export (relations joined by ``hours_awaiting_review``)."""
    placement = entry.placement
    declared_by = entry.declared_by
    return [
        entry.month,
        placement.contract.reference,
        str(placement.participant),
        str(placement.employer),
        entry.hours_worked,
        entry.training_hours,
        entry.total_hours,
        (declared_by.get_full_name() or declared_by.email) if declared_by else "",
        timezone.localdate(entry.declared_at),
    ]


def hours_review(request: HttpRequest) -> HttpResponse:
    scope = facilitator_scope(request.user)
    filter_form = ReviewFilterForm(request.GET or None, **_review_forms_querysets(scope))
    entries = selectors.hours_review_queue(scope, **filter_form.filters())
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            "heures-a-valider",
            REVIEW_EXPORT_COLUMNS,
            (review_export_row(entry) for entry in entries),
            "Heures à valider",
        )
    totals = selectors.hours_totals(entries)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "inclusion/hours_review.html",
        {
            "filter_form": filter_form,
            "filtered": filter_form.is_filtered(),
            "filter_params": params,
            "page": page,
            "page_query": urlencode(params) + "&" if params else "",
            "totals": totals,
            "current_url": request.get_full_path(),
            "reject_form": RejectForm(),
        },
    )


def _review_row(
    request: HttpRequest, entry: HoursEntry, reject_form: RejectForm | None = None
) -> HttpResponse:
    response = render(
        request,
        "inclusion/_review_row.html",
        {
            "entry": entry,
            "reject_form": reject_form or RejectForm(),
            "current_url": safe_next_url(request, reverse("inclusion:hours_review")),
            "colour": HOURS_STATUS_COLOURS[HoursStatus(entry.status)],
            "done": entry.status != HoursStatus.DECLARED,
        },
    )
    response["HX-Trigger"] = "hours-reviewed"
    return response


@require_POST
def hours_validate(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    entry = _hours_entry(scope, pk)
    try:
        services.hours_validate(actor=request.user, entry=entry)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        if request.htmx:  # type: ignore[attr-defined]
            return _review_row(request, entry)
        return redirect(safe_next_url(request, reverse("inclusion:hours_review")))
    entry = _hours_entry(scope, pk)
    if request.htmx:  # type: ignore[attr-defined]
        return _review_row(request, entry)
    messages.success(
        request,
        f"{format_hours(entry.total_hours)} heures de {entry.placement.participant} "
        f"en {_month_label(entry.month)} validées.",
    )
    return redirect(safe_next_url(request, reverse("inclusion:hours_review")))


@require_POST
def hours_reject(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    entry = _hours_entry(scope, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.hours_reject(
                actor=request.user,  # type: ignore[arg-type]
                entry=entry,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_errors(form, error)
    if form.errors:
        if request.htmx:  # type: ignore[attr-defined]
            return _review_row(request, entry, reject_form=form)
        for message in form.errors.get("reason", []) or form.non_field_errors():
            messages.error(request, message)
        return redirect(safe_next_url(request, reverse("inclusion:hours_review")))
    entry = _hours_entry(scope, pk)
    if request.htmx:  # type: ignore[attr-defined]
        return _review_row(request, entry)
    messages.success(
        request,
        f"Heures de {entry.placement.participant} en {_month_label(entry.month)} refusées.",
    )
    return redirect(safe_next_url(request, reverse("inclusion:hours_review")))


@require_POST
def hours_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """A validated month reopened, with the reason, to be corrected."""
    scope = facilitator_scope(request.user)
    entry = _hours_entry(scope, pk)
    back = reverse("inclusion:placement_detail", args=[entry.placement_id]) + "#heures"
    errors = ReopenForm(request.POST).reopen(
        lambda reason: services.hours_reopen(
            actor=request.user,  # type: ignore[arg-type]
            entry=entry,
            reason=reason,
        )
    )
    if errors:
        for message in errors:
            messages.error(request, message)
        return redirect(safe_next_url(request, back))
    messages.success(
        request,
        f"Le mois de {_month_label(entry.month)} de {entry.placement.participant} est rouvert : "
        "corrigez ses heures, puis validez-les.",
    )
    return redirect(safe_next_url(request, back))


@require_POST
def hours_validate_bulk(request: HttpRequest) -> HttpResponse:
    scope = facilitator_scope(request.user)
    form = BulkValidateForm(request.POST, **_review_forms_querysets(scope))
    back = reverse("inclusion:hours_review")
    if not form.is_valid():
        if {"contract", "employer", "entries"} & set(form.errors):
            raise Http404("Sélection introuvable.")
        for message in form.non_field_errors() or ["Sélection invalide."]:
            messages.error(request, message)
        return redirect(safe_next_url(request, back))
    if form.cleaned_data["everything"]:
        if not form.is_filtered():
            messages.error(
                request,
                "Choisissez un mois, un marché ou un employeur avant de tout valider.",
            )
            return redirect(safe_next_url(request, back))
        entries = list(selectors.hours_review_queue(scope, **form.filters()))
    else:
        ids = form.cleaned_data["entries"]
        visible = list(selectors.hours_entries_by_ids(scope, ids))
        if len(visible) != len(ids):
            raise Http404("Heures introuvables.")
        entries = [entry for entry in visible if entry.status == HoursStatus.DECLARED]
    total = sum((entry.total_hours for entry in entries), Decimal(0))
    count = services.hours_validate_many(actor=request.user, entries=entries)  # type: ignore[arg-type]
    if count:
        messages.success(
            request,
            f"{count} déclaration{'s' if count > 1 else ''} validée{'s' if count > 1 else ''} "
            f"({format_hours(total)} heures).",
        )
    else:
        messages.info(request, "Aucune déclaration à valider.")
    return redirect(safe_next_url(request, back))
