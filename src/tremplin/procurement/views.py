"""Pages of contracts: list, detail (obligation explained, progress), create, update, lots."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tremplin.core.forms import attach_errors
from tremplin.core.http import export_format, export_response
from tremplin.decp.selectors import record_of_contract
from tremplin.inclusion.selectors import placements_of_contract
from tremplin.organisations.access import UserScope, scope_for
from tremplin.organisations.models import Network
from tremplin.procurement import selectors, services
from tremplin.procurement.explain import ACTION_LABELS, describe_change, explain
from tremplin.procurement.exports import CONTRACT_EXPORT_COLUMNS, contract_export_row
from tremplin.procurement.forms import (
    ClauseForm,
    ContractEditForm,
    ContractFilterForm,
    LotForm,
    decimal_from,
)
from tremplin.procurement.models import Contract
from tremplin.procurement.obligation import Obligation

PAGE_SIZE = 50

NO_CONTRACT_CLAUSE = "Pas de clause sur l'ensemble du marché (clauses portées par les lots)"
NO_LOT_CLAUSE = "Pas de clause propre à ce lot"


def _initial_preview(clause_form: ClauseForm) -> dict[str, Any]:
    """The preview of a form's initial values, computed as if they had been typed."""
    data = {
        clause_form.add_prefix(name): str(value)
        for name, value in clause_form.initial.items()
        if value is not None
    }
    bound = ClauseForm(
        data,
        no_clause_label=clause_form.no_clause_label,
        fallback_amount=clause_form.fallback_amount,
    )
    return bound.preview_context()


def _network_of(scope: UserScope, form: ContractEditForm, request: HttpRequest) -> Network | None:
    if form.single_facilitator is not None:
        return form.single_facilitator.network
    return getattr(request, "network", None)


def _require_facilitator(scope: UserScope) -> None:
    if not scope.is_facilitator:
        raise PermissionDenied("Seules les structures de facilitation gèrent les marchés.")


# List and detail ---------------------------------------------------------------------------


def contract_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    filter_form = ContractFilterForm(scope, request.GET, years=selectors.contract_years(scope))
    filters = filter_form.filters()
    if wanted := export_format(request.GET.get("format")):
        rows = selectors.contract_export_rows(scope, today=timezone.localdate(), **filters)
        return export_response(
            wanted,
            "marches",
            CONTRACT_EXPORT_COLUMNS,
            (contract_export_row(row) for row in rows),
            "Marchés",
        )
    listing = selectors.contract_listing(
        scope,
        today=timezone.localdate(),
        page_number=request.GET.get("page"),
        page_size=PAGE_SIZE,
        **filters,
    )
    return render(
        request,
        "procurement/contract_list.html",
        {
            "filter_form": filter_form,
            "filtered": any(filters.values()),
            "page": listing.page,
            "rows": listing.rows,
            "totals": listing.totals,
        },
    )


def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        contract = selectors.contract_detail(scope, pk)
    except Contract.DoesNotExist as error:
        raise Http404("Ce marché n'existe pas ou ne vous est pas accessible.") from error
    follows = contract.facilitator_id in scope.facilitator_ids
    clauses = [
        (
            clause,
            explain(
                Obligation(
                    inputs=clause.obligation_inputs(),
                    exact_hours=clause.exact_hours,
                    hours=clause.hours_required,
                )
            ),
        )
        for clause in selectors.clauses_of(contract)
    ]
    history = [
        (
            event,
            ACTION_LABELS.get(event.action, event.action),
            describe_change(event.action, event.before, event.after),
        )
        for event in selectors.history_of_contract(contract)
    ]
    return render(
        request,
        "procurement/contract_detail.html",
        {
            "contract": contract,
            "row": selectors.ContractRow(
                contract, selectors.progress_of(contract, timezone.localdate())
            ),
            "clauses": clauses,
            "lots": selectors.lots_of(contract),
            "follows": follows,
            "sees_organisations": scope.is_facilitator or scope.is_coordinator,
            # Participants' names are shown to the structure that follows them, no one else.
            "placements": placements_of_contract(scope, contract.pk) if follows else None,
            "history": history,
            "decp_record": record_of_contract(scope, contract),
        },
    )


# Create and update -------------------------------------------------------------------------


def contract_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    _require_facilitator(scope)
    if request.method == "POST":
        form = ContractEditForm(scope, request.POST)
        form_valid = form.is_valid()
        clause_form = ClauseForm(
            request.POST,
            no_clause_label=NO_CONTRACT_CLAUSE,
            fallback_amount=form.cleaned_data.get("amount_excl_tax"),
        )
        if form_valid and clause_form.is_valid():
            try:
                contract = services.contract_create_with_clause(
                    actor=request.user,  # type: ignore[arg-type]
                    clause=clause_form.clause_arguments(),
                    **form.contract_arguments(),
                )
            except ValidationError as error:
                attach_errors(form, error, clause_form)
            else:
                messages.success(
                    request,
                    f"Le marché {contract.reference} est créé : "
                    f"{contract.hours_required} heures d'insertion exigées.",
                )
                return redirect("procurement:contract_detail", pk=contract.pk)
        preview = clause_form.preview_context()
    else:
        form = ContractEditForm(scope)
        clause_form = ClauseForm(
            initial=ClauseForm.initial_for(network=_network_of(scope, form, request), clause=None),
            no_clause_label=NO_CONTRACT_CLAUSE,
        )
        preview = _initial_preview(clause_form)
    return render(
        request,
        "procurement/contract_form.html",
        {"form": form, "clause_form": clause_form, "preview": preview, "contract": None},
    )


def contract_update(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        contract = selectors.contract_editable_by(scope, pk)
    except Contract.DoesNotExist as error:
        raise Http404("Ce marché n'existe pas ou ne vous est pas accessible.") from error
    clause = selectors.contract_clause(contract)
    no_clause_label = None if clause else NO_CONTRACT_CLAUSE
    if request.method == "POST":
        form = ContractEditForm(scope, request.POST, initial=ContractEditForm.initial_for(contract))
        form_valid = form.is_valid()
        clause_form = ClauseForm(
            request.POST,
            no_clause_label=no_clause_label,
            fallback_amount=form.cleaned_data.get("amount_excl_tax"),
        )
        if form_valid and clause_form.is_valid():
            try:
                services.contract_update_with_clause(
                    actor=request.user,  # type: ignore[arg-type]
                    contract=contract,
                    clause=clause_form.clause_arguments(),
                    **form.contract_arguments(),
                )
            except ValidationError as error:
                attach_errors(form, error, clause_form)
            else:
                messages.success(request, f"Le marché {contract.reference} est enregistré.")
                return redirect("procurement:contract_detail", pk=contract.pk)
        preview = clause_form.preview_context()
    else:
        form = ContractEditForm(scope, initial=ContractEditForm.initial_for(contract))
        initial = ClauseForm.initial_for(network=contract.facilitator.network, clause=clause)
        if clause is None:
            initial["mode"] = ""  # its hours may be carried by its lots: add nothing unasked
        clause_form = ClauseForm(
            initial=initial,
            no_clause_label=no_clause_label,
            fallback_amount=contract.amount_excl_tax,
        )
        preview = _initial_preview(clause_form)
    return render(
        request,
        "procurement/contract_form.html",
        {
            "form": form,
            "clause_form": clause_form,
            "preview": preview,
            "contract": contract,
            "lot_hours": selectors.hours_required_by_lots(contract),
        },
    )


def lot_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        contract = selectors.contract_editable_by(scope, pk)
    except Contract.DoesNotExist as error:
        raise Http404("Ce marché n'existe pas ou ne vous est pas accessible.") from error
    taken = frozenset(lot.number for lot in selectors.lots_of(contract))
    clause_options = {
        "no_clause_label": NO_LOT_CLAUSE,
        "fallback_amount_label": "le montant du lot",
    }
    if request.method == "POST":
        form = LotForm(scope, request.POST, taken_numbers=taken)
        form_valid = form.is_valid()
        clause_form = ClauseForm(
            request.POST,
            fallback_amount=form.cleaned_data.get("amount_excl_tax"),
            **clause_options,  # type: ignore[arg-type]
        )
        if form_valid and clause_form.is_valid():
            try:
                lot = services.lot_create_with_clause(
                    actor=request.user,  # type: ignore[arg-type]
                    contract=contract,
                    clause=clause_form.clause_arguments(),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                attach_errors(form, error, clause_form)
            else:
                messages.success(request, f"Le lot {lot.number} est ajouté au marché.")
                return redirect("procurement:contract_detail", pk=contract.pk)
        preview = clause_form.preview_context()
    else:
        form = LotForm(
            scope,
            taken_numbers=taken,
            initial={"number": selectors.next_lot_number(contract)},
        )
        initial = ClauseForm.initial_for(network=contract.facilitator.network, clause=None)
        initial["mode"] = ""
        clause_form = ClauseForm(initial=initial, **clause_options)  # type: ignore[arg-type]
        preview = _initial_preview(clause_form)
    return render(
        request,
        "procurement/lot_form.html",
        {"form": form, "clause_form": clause_form, "preview": preview, "contract": contract},
    )


@require_POST
def obligation_preview(request: HttpRequest) -> HttpResponse:
    """The hours a clause would require with the inputs typed so far (HTMX)."""
    _require_facilitator(scope_for(request.user))
    clause_form = ClauseForm(
        request.POST,
        no_clause_label="—",
        fallback_amount=decimal_from(request.POST, "amount_excl_tax"),
    )
    return render(request, "procurement/_obligation_preview.html", clause_form.preview_context())
