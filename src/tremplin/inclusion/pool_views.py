"""Pages of pooled hours ("mutualisation"): the list, a new pool, a pool with its shares
explained and its months split among the contracts, the sharing rule, the months.

Only the facilitator structure that follows the person sees them; anything else is 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from tremplin.core.forms import attach_errors
from tremplin.core.parameters import id_parameter
from tremplin.core.templatetags.french import hours as format_hours
from tremplin.inclusion import pool_selectors, pool_services, pooling, services
from tremplin.inclusion.enums import HOURS_STATUS_COLOURS, HoursStatus
from tremplin.inclusion.forms import HoursForm, ReopenForm
from tremplin.inclusion.models import HoursPool, Placement, PooledMonth
from tremplin.inclusion.pool_forms import PoolForm, PoolRuleForm
from tremplin.inclusion.selectors import search_job_titles
from tremplin.organisations.access import UserScope, facilitator_scope
from tremplin.procurement.models import Contract


def _pool(scope: UserScope, pk: int) -> HoursPool:
    try:
        return pool_selectors.pool_detail(scope, pk)
    except HoursPool.DoesNotExist as error:
        raise Http404("Mutualisation introuvable.") from error


def _pooled_month(scope: UserScope, pk: int) -> PooledMonth:
    try:
        return pool_selectors.pooled_month_detail(scope, pk)
    except PooledMonth.DoesNotExist as error:
        raise Http404("Mois introuvable.") from error


def _month_label(month: datetime.date) -> str:
    return date_format(month, "F Y")


# Shares, explained ----------------------------------------------------------------------


def share_rows(
    rule: str, contracts: list[Contract], bases: dict[int, Decimal], shares: dict[int, Decimal]
) -> list[dict[str, Any]]:
    """Each contract with its share and the formula that gave it."""
    total_basis = sum(bases.values(), Decimal(0))
    return [
        {
            "contract": contract,
            "basis": bases[contract.pk],
            "share": shares[contract.pk],
            "formula": pooling.formula(
                rule, bases[contract.pk], total_basis, shares[contract.pk], len(contracts)
            ),
        }
        for contract in contracts
    ]


def _preview(rule: str, contracts: list[Contract], manual: dict[int, Decimal]) -> dict[str, Any]:
    """What the preview of the shares shows: the rows, or why there are none."""
    if len(contracts) < 2:
        return {"rows": [], "error": "", "waiting": True}
    try:
        bases, shares = pool_services.compute_shares(rule, contracts, manual_percents=manual)
    except ValidationError as error:
        return {"rows": [], "error": " ".join(error.messages), "waiting": False}
    return {"rows": share_rows(rule, contracts, bases, shares), "error": "", "waiting": False}


# New pool -------------------------------------------------------------------------------


def _pool_form(scope: UserScope, data: Any = None, initial: Any = None) -> PoolForm:
    return PoolForm(
        data,
        initial=initial,
        participants=pool_selectors.pool_participants(scope),
        employers=pool_selectors.pool_employers(scope),
        contracts=pool_selectors.pool_contracts(scope),
    )


def _contracts_context(scope: UserScope, form: PoolForm, *, sent: bool) -> dict[str, Any]:
    """The employer's contracts to tick, with the shares they would get; their errors
    once the form is ``sent`` (not while HTMX refreshes them)."""
    offered = list(pool_selectors.contracts_of_employer(scope, form.chosen_employer_id()))
    chosen_ids = form.chosen_contract_ids()
    chosen = [contract for contract in offered if contract.pk in chosen_ids]
    manual: dict[int, Decimal] = {}
    for contract in chosen:
        try:
            manual[contract.pk] = Decimal(str(form.share_value(contract.pk)).replace(",", "."))
        except ArithmeticError:
            continue
    return {
        "form": form,
        "offered": [
            {
                "contract": contract,
                "checked": contract.pk in chosen_ids,
                "share_value": form.share_value(contract.pk),
                "share_errors": form.errors.get(f"part_{contract.pk}", []) if sent else [],
            }
            for contract in offered
        ],
        "employer_chosen": form.chosen_employer_id() is not None,
        "contract_errors": form.errors.get("contracts", []) if sent else [],
        "manual": form.chosen_rule() == "manual",
        "preview": _preview(form.chosen_rule(), chosen, manual),
    }


def pool_create(request: HttpRequest) -> HttpResponse:
    scope = facilitator_scope(request.user)
    initial: dict[str, Any] = {}
    if wanted := id_parameter(request.GET.get("participant")):
        participant = pool_selectors.pool_participants(scope).filter(pk=wanted).first()
        if participant is None:
            raise Http404("Participant introuvable.")
        initial["participant"] = participant.pk
    form = _pool_form(scope, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant = data["participant"]
        try:
            pool = pool_services.pool_create(
                actor=request.user,  # type: ignore[arg-type]
                facilitator=participant.facilitator,
                participant=participant,
                employer=data["employer"],
                contracts=list(data["contracts"]),
                job=data["job"],
                execution_mode=data["execution_mode"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                rule=data["rule"],
                manual_percents=form.manual_percents(),
                notes=data["notes"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"Les heures de {participant} chez {pool.employer} sont mutualisées entre "
                f"{len(data['contracts'])} marchés.",
            )
            return redirect("inclusion:pool_detail", pk=pool.pk)
    search = request.POST.get("q", "").strip()
    if search and not form.data.get("job"):
        form.offer_jobs(search_job_titles(search))
    return render(
        request,
        "inclusion/pool_form.html",
        _contracts_context(scope, form, sent=request.method == "POST"),
    )


@require_POST
def pool_contracts(request: HttpRequest) -> HttpResponse:
    """The employer's contracts to tick, and the shares (HTMX, from the new pool form)."""
    scope = facilitator_scope(request.user)
    return render(
        request,
        "inclusion/_pool_contracts.html",
        _contracts_context(scope, _pool_form(scope, request.POST), sent=False),
    )


@require_POST
def pool_preview(request: HttpRequest) -> HttpResponse:
    """The shares the ticked contracts would get (HTMX, from the new pool form)."""
    scope = facilitator_scope(request.user)
    context = _contracts_context(scope, _pool_form(scope, request.POST), sent=False)
    return render(request, "inclusion/_pool_preview.html", context)


# A pool ---------------------------------------------------------------------------------


def _placement_rows(pool: HoursPool, placements: list[Placement]) -> list[dict[str, Any]]:
    total_basis = sum((p.pool_share_basis or Decimal(0) for p in placements), Decimal(0))
    return [
        {
            "placement": placement,
            "recorded": placement.validated_hours + placement.declared_hours,  # type: ignore[attr-defined]
            "formula": pooling.formula(
                pool.rule,
                placement.pool_share_basis or Decimal(0),
                total_basis,
                placement.pool_share or Decimal(0),
                len(placements),
            ),
        }
        for placement in placements
    ]


def _default_month(pool: HoursPool) -> datetime.date:
    month = services.last_month_over(timezone.localdate())
    month = min(month, pool.end_date.replace(day=1))
    return max(month, pool.start_date.replace(day=1))


def _render_pool(
    request: HttpRequest,
    scope: UserScope,
    pool: HoursPool,
    month_form: HoursForm | None = None,
    status: int = 200,
) -> HttpResponse:
    placements = pool_selectors.pool_placements(pool)
    months = pool_selectors.pool_months(pool, placements)
    if month_form is None:
        initial: dict[str, Any] = {"month": _default_month(pool), "training_hours": 0}
        wanted = request.GET.get("mois", "")
        for row in months:
            if row.month.month.strftime("%Y-%m") == wanted:
                initial = {
                    "month": row.month.month,
                    "hours_worked": row.month.hours_worked,
                    "training_hours": row.month.training_hours,
                }
        month_form = HoursForm(initial=initial)
    totals = {
        "hours": sum((row.month.total_hours for row in months), Decimal(0)),
        "validated": sum(
            (row.month.total_hours for row in months if row.month.status == HoursStatus.VALIDATED),
            Decimal(0),
        ),
    }
    totals["waiting"] = totals["hours"] - totals["validated"]
    return render(
        request,
        "inclusion/pool_detail.html",
        {
            "pool": pool,
            "participant": pool.participant,
            "placement_rows": _placement_rows(pool, placements),
            "placements": placements,
            "months": [
                {"row": row, "colour": HOURS_STATUS_COLOURS[HoursStatus(row.month.status)]}
                for row in months
            ],
            "totals": totals,
            "month_form": month_form,
        },
        status=status,
    )


def pool_list(request: HttpRequest) -> HttpResponse:
    scope = facilitator_scope(request.user)
    return render(
        request, "inclusion/pool_list.html", {"pools": list(pool_selectors.pool_list(scope))}
    )


def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    return _render_pool(request, scope, _pool(scope, pk))


@require_POST
def pooled_month_record(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    pool = _pool(scope, pk)
    form = HoursForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            pooled = pool_services.pooled_month_record(
                actor=request.user,  # type: ignore[arg-type]
                pool=pool,
                month=data["month"],
                hours_worked=data["hours_worked"],
                training_hours=data["training_hours"],
                validate=data["validate"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            state = "validées" if pooled.status == HoursStatus.VALIDATED else "à valider"
            messages.success(
                request,
                f"{format_hours(pooled.total_hours)} heures en {_month_label(pooled.month)} "
                f"enregistrées ({state}) et réparties entre les marchés.",
            )
            url = reverse("inclusion:pool_detail", args=[pool.pk])
            return HttpResponseRedirect(f"{url}#mois")
    return _render_pool(request, scope, pool, month_form=form)


@require_POST
def pooled_month_validate(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    pooled = _pooled_month(scope, pk)
    pool_services.pooled_month_validate(actor=request.user, pooled=pooled)  # type: ignore[arg-type]
    messages.success(
        request,
        f"Heures de {_month_label(pooled.month)} validées sur chacun des marchés.",
    )
    url = reverse("inclusion:pool_detail", args=[pooled.pool_id])
    return HttpResponseRedirect(f"{url}#mois")


@require_POST
def pooled_month_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """A validated pooled month reopened, with the reason, to be corrected."""
    scope = facilitator_scope(request.user)
    pooled = _pooled_month(scope, pk)
    errors = ReopenForm(request.POST).reopen(
        lambda reason: pool_services.pooled_month_reopen(
            actor=request.user,  # type: ignore[arg-type]
            pooled=pooled,
            reason=reason,
        )
    )
    for message in errors:
        messages.error(request, message)
    if not errors:
        messages.success(
            request,
            f"Le mois de {_month_label(pooled.month)} de {pooled.pool.participant} est rouvert "
            "sur chacun des marchés : corrigez ses heures, puis validez-les.",
        )
    url = reverse("inclusion:pool_detail", args=[pooled.pool_id])
    return HttpResponseRedirect(f"{url}#mois")


@require_POST
def pooled_month_remove(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    pooled = _pooled_month(scope, pk)
    try:
        pool_services.pooled_month_remove(actor=request.user, pooled=pooled)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"Heures de {_month_label(pooled.month)} retirées de chaque marché."
        )
    url = reverse("inclusion:pool_detail", args=[pooled.pool_id])
    return HttpResponseRedirect(f"{url}#mois")


def pool_rule(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the sharing rule (or the manual shares); every month is split again."""
    scope = facilitator_scope(request.user)
    pool = _pool(scope, pk)
    placements = pool_selectors.pool_placements(pool)
    contracts = [placement.contract for placement in placements]
    initial: dict[str, Any] = {"rule": pool.rule}
    for placement in placements:
        initial[f"part_{placement.contract_id}"] = (
            (placement.pool_share or Decimal(0)) * 100
        ).quantize(Decimal("0.01"))
    form = PoolRuleForm(request.POST or None, initial=initial, contracts=contracts)
    if request.method == "POST" and form.is_valid():
        try:
            pool_services.pool_change_rule(
                actor=request.user,  # type: ignore[arg-type]
                pool=pool,
                rule=form.cleaned_data["rule"],
                manual_percents=form.manual_percents(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, "Nouvelle répartition enregistrée : chaque mois a été réparti de nouveau."
            )
            return redirect("inclusion:pool_detail", pk=pool.pk)
    return render(
        request,
        "inclusion/pool_rule.html",
        {
            "pool": pool,
            "participant": pool.participant,
            "form": form,
            "rows": [
                {"placement": placement, "field": form[f"part_{placement.contract_id}"]}
                for placement in placements
            ],
            "placement_rows": _placement_rows(pool, placements),
        },
    )
