"""Pages of organisations: the list (with their contracts' figures), one organisation, a new one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tremplin.organisations import selectors, services
from tremplin.organisations.access import UserScope, scope_for
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.forms import OrganisationFilterForm, OrganisationForm
from tremplin.organisations.models import Organisation
from tremplin.procurement import selectors as procurement_selectors

PAGE_SIZE = 50
TABS = (
    ("", "Toutes"),
    (OrganisationKind.BUYER, "Acheteurs"),
    (OrganisationKind.COMPANY, "Entreprises"),
    (OrganisationKind.INCLUSION_EMPLOYER, "Employeurs inclusifs"),
    (OrganisationKind.PRESCRIBER, "Prescripteurs"),
    (OrganisationKind.FUNDER, "Financeurs"),
    (OrganisationKind.FACILITATOR, "Facilitateurs"),
)
# Kinds for which the list shows the contracts they buy or hold.
CONTRACT_PARTY_KINDS = frozenset(
    {OrganisationKind.BUYER, OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER}
)


def _require_network_role(scope: UserScope) -> None:
    if not (scope.is_facilitator or scope.is_coordinator):
        raise PermissionDenied("Cette page est réservée aux structures de facilitation.")


def organisation_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    _require_network_role(scope)
    filter_form = OrganisationFilterForm(request.GET)
    filters = filter_form.filters()
    organisations = procurement_selectors.with_contract_totals(
        selectors.organisation_list(scope, **filters), scope
    )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.organisation_counts_by_kind(scope, search=filters["search"])
    tabs = [
        {
            "kind": kind,
            "label": label,
            "count": sum(counts.values()) if not kind else counts.get(kind, 0),
            "active": filters["kind"] == kind,
        }
        for kind, label in TABS
    ]
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "tabs": tabs,
            "page": page,
            "contract_party_kinds": CONTRACT_PARTY_KINDS,
            "shows_contracts": not filters["kind"] or filters["kind"] in CONTRACT_PARTY_KINDS,
        },
    )


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        organisation = selectors.organisation_detail(scope, pk)
    except Organisation.DoesNotExist as error:
        raise Http404("Cette organisation n'existe pas ou ne vous est pas accessible.") from error
    context: dict[str, object] = {"organisation": organisation}
    role = None
    if organisation.kind == OrganisationKind.BUYER:
        role = {"buyer_id": organisation.pk}
    elif organisation.kind in CONTRACT_PARTY_KINDS:
        role = {"company_id": organisation.pk}
    if role is not None:
        contracts = procurement_selectors.contract_list(scope, **role)
        page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            rows=procurement_selectors.contract_rows(page.object_list, timezone.localdate()),
            totals=procurement_selectors.contract_totals(scope, **role),
        )
    return render(request, "organisations/organisation_detail.html", context)


def organisation_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.is_facilitator:
        raise PermissionDenied("Seules les structures de facilitation ajoutent des organisations.")
    if request.method == "POST":
        form = OrganisationForm(scope, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            facilitator = data["facilitator"]
            try:
                organisation = services.organisation_create(network=facilitator.network, **data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, f"L'organisation « {organisation.name} » est ajoutée.")
                return redirect("organisations:organisation_detail", pk=organisation.pk)
    else:
        initial = {"kind": request.GET.get("type", "")}
        form = OrganisationForm(scope, initial=initial)
    return render(request, "organisations/organisation_form.html", {"form": form})
