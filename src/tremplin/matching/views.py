"""Pages of hiring needs and referrals. Thin: they read through the scoped selectors and
write through the services; anything outside the user's scope is "not found"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from tremplin.core.forms import attach_errors
from tremplin.core.http import safe_next_url
from tremplin.core.parameters import date_parameter, id_parameter
from tremplin.inclusion.age import age_on
from tremplin.inclusion.selectors import search_job_titles
from tremplin.matching import selectors, services
from tremplin.matching.enums import (
    REFERRAL_MOVE_LABELS,
    NeedStatusChoice,
    ReferralStatusChoice,
)
from tremplin.matching.forms import (
    CloseForm,
    HireForm,
    MoveForm,
    NeedForm,
    ReferralForm,
    SendBackForm,
)
from tremplin.matching.models import HiringNeed, Referral
from tremplin.matching.pipeline import (
    REFERRAL_TRANSITIONS,
    ReferralStatus,
    visible_to_company,
)
from tremplin.organisations.access import UserScope, scope_for

NEEDS_PER_PAGE = 25
REFERRALS_PER_PAGE = 50


def _scope(request: HttpRequest) -> UserScope:
    """Buyers, funders and anyone without a role here find nothing."""
    scope = scope_for(request.user)
    if not selectors.sees_matching(scope):
        raise Http404("Aucun besoin de recrutement.")
    return scope


def _need(scope: UserScope, pk: int) -> HiringNeed:
    try:
        return selectors.need_detail(scope, pk)
    except HiringNeed.DoesNotExist:
        raise Http404("Besoin introuvable.") from None


def _referral(scope: UserScope, pk: int) -> Referral:
    try:
        return selectors.referral_detail(scope, pk)
    except Referral.DoesNotExist:
        raise Http404("Candidature introuvable.") from None


def _user(request: HttpRequest) -> Any:
    return request.user


# What each role may do ------------------------------------------------------------------


@dataclass
class NeedRights:
    facilitator: bool
    employer: bool
    prescriber: bool
    can_edit: bool = False
    can_submit: bool = False
    can_publish: bool = False
    can_send_back: bool = False
    can_close: bool = False
    can_refer: bool = False


def need_rights(scope: UserScope, need: HiringNeed) -> NeedRights:
    facilitator = need.contract.facilitator_id in scope.facilitator_ids
    employer = need.employer_id in scope.company_ids
    status = need.status
    rights = NeedRights(
        facilitator=facilitator, employer=employer, prescriber=bool(scope.prescriber_ids)
    )
    draft, submitted = NeedStatusChoice.DRAFT, NeedStatusChoice.SUBMITTED
    rights.can_edit = (facilitator and status in (draft, submitted)) or (
        employer and status == draft
    )
    rights.can_submit = (employer or facilitator) and status == draft
    rights.can_publish = facilitator and status in (draft, submitted, NeedStatusChoice.FILLED)
    rights.can_send_back = facilitator and status == submitted
    rights.can_close = facilitator and status in (draft, submitted, NeedStatusChoice.PUBLISHED)
    rights.can_refer = rights.prescriber and status == NeedStatusChoice.PUBLISHED
    return rights


@dataclass
class ReferralView:
    """A referral as the user may see it: its identity shown in full (facilitator, the
    prescriber who referred), or first name and initial (the company)."""

    referral: Referral
    name: str
    full_identity: bool
    age: int
    moves: list[tuple[str, str]] = field(default_factory=list)
    can_hire: bool = False


def referral_view(scope: UserScope, referral: Referral) -> ReferralView:
    need = referral.need
    facilitator = need.contract.facilitator_id in scope.facilitator_ids
    own = referral.prescriber_id in scope.prescriber_ids
    employer = need.employer_id in scope.company_ids and visible_to_company(
        ReferralStatus(referral.status), referral.shortlisted_at is not None
    )
    full = facilitator or own
    view = ReferralView(
        referral=referral,
        name=referral.full_name if full else referral.short_name,
        full_identity=full,
        age=age_on(referral.birth_date, timezone.localdate()),
    )
    if need.status == NeedStatusChoice.CLOSED or not (facilitator or employer):
        return view
    current = ReferralStatus(referral.status)
    for target in REFERRAL_TRANSITIONS[current]:
        if target == ReferralStatus.HIRED:
            continue
        if target == ReferralStatus.SHORTLISTED and not facilitator:
            continue
        view.moves.append((target.value, REFERRAL_MOVE_LABELS[ReferralStatusChoice(target)]))
    order = list(ReferralStatus)
    view.moves.sort(key=lambda move: order.index(ReferralStatus(move[0])))
    view.can_hire = (
        ReferralStatus.HIRED in REFERRAL_TRANSITIONS[current]
        and need.status == NeedStatusChoice.PUBLISHED
    )
    return view


# Hiring needs ---------------------------------------------------------------------------


def _stage_counts(need: HiringNeed) -> list[tuple[str, str, int]]:
    return [
        (status.value, status.label, getattr(need, f"count_{status.value}", 0))
        for status in ReferralStatusChoice
    ]


@require_GET
def need_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    only_prescriber = scope.is_prescriber and not (
        scope.facilitator_ids or scope.company_ids or scope.coordinated_network_ids
    )
    if only_prescriber:
        offers = list(selectors.area_offers(scope))
        mine = list(selectors.referral_list(scope)[:10])
        return render(
            request,
            "matching/need_list_prescriber.html",
            {
                "offers": offers,
                "referrals": [referral_view(scope, referral) for referral in mine],
                "referral_total": selectors.referrals_visible_to(scope).count(),
            },
        )
    filters = selectors.NeedFilters(
        status=request.GET.get("statut", ""),
        contract_id=id_parameter(request.GET.get("marche")),
        search=request.GET.get("q", "").strip(),
        filled_from=date_parameter(request.GET.get("pourvu_du")),
        filled_to=date_parameter(request.GET.get("pourvu_au")),
    )
    page = Paginator(selectors.need_list(scope, filters), NEEDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for need in page.object_list:
        need.stage_counts = _stage_counts(need)  # type: ignore[attr-defined]
    kept = {
        name: value
        for name, value in (
            ("statut", filters.status),
            ("marche", filters.contract_id or ""),
            ("q", filters.search),
            ("pourvu_du", filters.filled_from.isoformat() if filters.filled_from else ""),
            ("pourvu_au", filters.filled_to.isoformat() if filters.filled_to else ""),
        )
        if value
    }
    query = urlencode(kept)
    return render(
        request,
        "matching/need_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": NeedStatusChoice.choices,
            "contracts": selectors.contracts_of_needs(scope),
            "page_query": f"{query}&" if query else "",
            "filtered": bool(kept),
            "can_create": bool(scope.facilitator_ids or scope.company_ids),
            "stages": ReferralStatusChoice.choices,
        },
    )


def _need_form(
    scope: UserScope,
    data: Any = None,
    *,
    initial: dict[str, Any] | None = None,
    need: HiringNeed | None = None,
) -> NeedForm:
    contracts = selectors.contracts_for_needs(scope)
    form = NeedForm(
        data,
        initial=initial,
        contracts=contracts,
        employers=selectors.employers_for_need(scope, None),
        criteria=selectors.criteria_for_need(scope, need.contract if need else None),
        editing=need is not None,
    )
    contract = need.contract if need else None
    contract_id = None if need else form.chosen_contract_id()
    if contract_id is not None:
        contract = contracts.filter(pk=contract_id).select_related("facilitator").first()
    if contract is not None:
        employers = selectors.employers_for_need(scope, contract)
        form.fields["employer"].queryset = employers  # type: ignore[attr-defined]
        form.fields["reserved_criteria"].queryset = selectors.criteria_for_need(  # type: ignore[attr-defined]
            scope, contract
        )
    return form


def _offer_searched_jobs(request: HttpRequest, form: NeedForm) -> None:
    search = request.POST.get("q", "").strip()
    if search and not form.data.get("job"):
        form.offer_jobs(search_job_titles(search))


def need_create(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if not (scope.facilitator_ids or scope.company_ids):
        raise Http404("Seuls les entreprises et les facilitateurs déposent un besoin.")
    initial: dict[str, Any] = {"positions": 1}
    contract_id = id_parameter(request.GET.get("marche"))
    if contract_id and selectors.contracts_for_needs(scope).filter(pk=contract_id).exists():
        initial["contract"] = contract_id
    form = _need_form(scope, request.POST or None, initial=initial)
    if not request.POST and "contract" in initial:
        employers = list(form.fields["employer"].queryset)  # type: ignore[attr-defined]
        if len(employers) == 1:
            form.initial["employer"] = employers[0].pk
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(actor=_user(request), **form.need_fields())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"Le besoin « {need.job.title} » est enregistré en brouillon. "
                "Transmettez-le au facilitateur quand il est complet.",
            )
            return redirect("matching:need_detail", pk=need.pk)
    _offer_searched_jobs(request, form)
    return render(request, "matching/need_form.html", {"form": form, "need": None})


def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    need = _need(scope, pk)
    if not need_rights(scope, need).can_edit:
        raise Http404("Ce besoin ne se modifie pas.")
    initial = {
        "employer": need.employer_id,
        "job": need.job_id,
        "positions": need.positions,
        "contract_type": need.contract_type,
        "start_date": need.start_date,
        "duration_months": need.duration_months,
        "weekly_hours": need.weekly_hours,
        "place": need.place,
        "postal_code": need.postal_code,
        "requirements": need.requirements,
        "reserved_criteria": [criterion.pk for criterion in need.reserved_criteria.all()],
    }
    form = _need_form(scope, request.POST or None, initial=initial, need=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(actor=_user(request), need=need, **form.need_fields())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Le besoin est modifié.")
            return redirect("matching:need_detail", pk=need.pk)
    _offer_searched_jobs(request, form)
    return render(request, "matching/need_form.html", {"form": form, "need": need})


@require_GET
def need_employers(request: HttpRequest) -> HttpResponse:
    """The ``<option>`` list of a contract's possible employers (HTMX)."""
    scope = _scope(request)
    contract_id = id_parameter(request.GET.get("contract"))
    contract = (
        selectors.contracts_for_needs(scope).filter(pk=contract_id).first() if contract_id else None
    )
    employers = selectors.employers_for_need(scope, contract) if contract else []
    return render(request, "matching/_employer_options.html", {"employers": employers})


@require_GET
def job_search(request: HttpRequest) -> HttpResponse:
    """The ``<option>`` list of ROME job titles matching the search (HTMX)."""
    _scope(request)
    query = request.GET.get("q", "").strip()
    jobs = search_job_titles(query) if len(query) >= 2 else []
    return render(request, "inclusion/_job_options.html", {"jobs": jobs, "query": query})


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    need = _need(scope, pk)
    rights = need_rights(scope, need)
    referrals = [referral_view(scope, r) for r in selectors.referrals_of_need(scope, need)]
    by_stage = [
        (value, label, [view for view in referrals if view.referral.status == value])
        for value, label in ReferralStatusChoice.choices
    ]
    own_count = sum(1 for view in referrals if view.referral.prescriber_id in scope.prescriber_ids)
    sees_history = rights.facilitator or rights.employer
    context = {
        "need": need,
        "rights": rights,
        "referrals": referrals,
        "by_stage": by_stage,
        "stage_counts": _stage_counts(need),
        # What the company waits for: candidates the facilitator has not shortlisted yet.
        "awaiting_facilitator": need.count_referred,  # type: ignore[attr-defined]
        "others_count": need.referral_count - own_count,  # type: ignore[attr-defined]
        "history": list(selectors.need_history(need)) if sees_history else [],
        "send_back": selectors.last_send_back(need)
        if need.status == NeedStatusChoice.DRAFT and sees_history
        else None,
        "send_back_form": SendBackForm(),
        "close_form": CloseForm(),
        "today": timezone.localdate(),
        "positions_open": max(need.positions - need.count_hired, 0),  # type: ignore[attr-defined]
    }
    return render(request, "matching/need_detail.html", context)


def _need_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = _scope(request)
    need = _need(scope, pk)
    actor = _user(request)
    try:
        if action == "submit":
            services.need_submit(actor=actor, need=need)
            messages.success(request, "Le besoin est transmis au facilitateur, qui le publiera.")
        elif action == "publish":
            services.need_publish(actor=actor, need=need)
            messages.success(request, "Le besoin est publié aux prescripteurs de son territoire.")
        elif action == "send_back":
            services.need_send_back(actor=actor, need=need, comment=request.POST.get("comment", ""))
            messages.success(
                request, "Le besoin est renvoyé à l'entreprise avec votre commentaire."
            )
        elif action == "close":
            services.need_close(actor=actor, need=need, reason=request.POST.get("reason", ""))
            messages.success(request, "Le besoin est clos.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("matching:need_detail", pk=need.pk)


@require_POST
def need_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _need_action(request, pk, "submit")


@require_POST
def need_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _need_action(request, pk, "publish")


@require_POST
def need_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _need_action(request, pk, "send_back")


@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _need_action(request, pk, "close")


# Referrals ------------------------------------------------------------------------------


def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    if not scope.prescriber_ids:
        raise Http404("Seuls les prescripteurs proposent des candidats.")
    need = _need(scope, pk)
    form = ReferralForm(
        request.POST or None,
        prescribers=selectors.prescribers_of_user(scope),
        criteria=selectors.criteria_for_need(scope, need.contract),
        reserved=list(need.reserved_criteria.all()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                actor=_user(request), need=need, **form.referral_fields()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"La candidature de {referral.full_name} est transmise au facilitateur.",
            )
            return redirect("matching:referral_detail", pk=referral.pk)
    return render(
        request,
        "matching/referral_form.html",
        {"form": form, "need": need, "rights": need_rights(scope, need)},
    )


def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    referral = _referral(scope, pk)
    view = referral_view(scope, referral)
    history = list(selectors.referral_history(referral)) if view.full_identity else []
    return render(
        request,
        "matching/referral_detail.html",
        {
            "view": view,
            "referral": referral,
            "need": referral.need,
            "history": history,
            "hire_form": HireForm(initial={"start_date": referral.need.start_date}),
        },
    )


def _back_to(request: HttpRequest, referral: Referral) -> str:
    return safe_next_url(request, reverse("matching:referral_detail", args=[referral.pk]))


@require_POST
def referral_move(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    referral = _referral(scope, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez l'étape où passe la candidature.")
        return redirect(_back_to(request, referral))
    try:
        moved = services.referral_move(
            actor=_user(request),
            referral=referral,
            target=form.cleaned_data["target"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        view = referral_view(scope, moved)
        messages.success(
            request, f"Candidature de {view.name} : {moved.get_status_display().lower()}."
        )
    return redirect(_back_to(request, referral))


@require_POST
def referral_hire(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    referral = _referral(scope, pk)
    form = HireForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date d'embauche.")
        return redirect(_back_to(request, referral))
    try:
        placement = services.referral_hire(
            actor=_user(request),
            referral=referral,
            start_date=form.cleaned_data["start_date"],
            execution_mode=form.cleaned_data["execution_mode"] or None,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_back_to(request, referral))
    name = referral_view(scope, referral).name
    if placement.participant.facilitator_id in scope.facilitator_ids:
        link = reverse("inclusion:placement_detail", args=[placement.pk])
        messages.success(
            request,
            format_html(
                '{} est recruté(e) : <a href="{}">voir la mise en emploi créée</a>.', name, link
            ),
        )
    else:
        messages.success(
            request, f"{name} est recruté(e) : le facilitateur est prévenu de la mise en emploi."
        )
    return redirect("matching:need_detail", pk=referral.need_id)


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    filters = selectors.ReferralFilters(
        stage=request.GET.get("etape", ""),
        prescriber_id=id_parameter(request.GET.get("prescripteur")),
        need_id=id_parameter(request.GET.get("besoin")),
        proposed_from=date_parameter(request.GET.get("du")),
        proposed_to=date_parameter(request.GET.get("au")),
    )
    page = Paginator(selectors.referral_list(scope, filters), REFERRALS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    kept = {
        name: value
        for name, value in (
            ("etape", filters.stage if filters.stage in ReferralStatusChoice.values else ""),
            ("prescripteur", filters.prescriber_id or ""),
            ("besoin", filters.need_id or ""),
            ("du", filters.proposed_from.isoformat() if filters.proposed_from else ""),
            ("au", filters.proposed_to.isoformat() if filters.proposed_to else ""),
        )
        if value
    }
    query = urlencode(kept)
    need = (
        selectors.need_list(scope).filter(pk=filters.need_id).first() if filters.need_id else None
    )
    return render(
        request,
        "matching/referral_list.html",
        {
            "page": page,
            "rows": [referral_view(scope, referral) for referral in page.object_list],
            "filters": filters,
            "stages": ReferralStatusChoice.choices,
            "prescribers": selectors.prescribers_of_referrals(scope),
            "need": need,
            "page_query": f"{query}&" if query else "",
            "filtered": bool(kept),
        },
    )
