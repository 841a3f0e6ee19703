"""Pages of organisations: the list (with their contracts' figures), one organisation, a new one."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from tremplin.core.exports import Column, Value
from tremplin.core.http import export_format, export_response, safe_next_url
from tremplin.organisations import selectors, services
from tremplin.organisations.access import UserScope, scope_for
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.forms import (
    TO_CONFIRM_TAB,
    NetworkRulesForm,
    OrganisationFilterForm,
    OrganisationForm,
)
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement import selectors as procurement_selectors
from tremplin.procurement.exports import CONTRACT_EXPORT_COLUMNS, contract_export_row

PAGE_SIZE = 50
ORGANISATION_EXPORT_COLUMNS = (
    Column("Raison sociale"),
    Column("Type"),
    Column("SIRET"),
    Column("Commune"),
    Column("Marchés", "int"),
    Column("Heures exigées", "int"),
)


TABS = (
    ("", "Toutes"),
    (OrganisationKind.BUYER, "Acheteurs"),
    (OrganisationKind.COMPANY, "Entreprises"),
    (OrganisationKind.INCLUSION_EMPLOYER, "Employeurs inclusifs"),
    (OrganisationKind.PRESCRIBER, "Prescripteurs"),
    (OrganisationKind.FUNDER, "Financeurs"),
    (OrganisationKind.FACILITATOR, "Facilitateurs"),
    (TO_CONFIRM_TAB, "Issues des données ouvertes (à confirmer)"),
)
# Kinds for which the list shows the contracts they buy or hold.
CONTRACT_PARTY_KINDS = frozenset(
    {OrganisationKind.BUYER, OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER}
)


def _require_network_role(scope: UserScope) -> None:
    if not (scope.is_facilitator or scope.is_coordinator):
        raise PermissionDenied("Cette page est réservée aux structures de facilitation.")


def organisation_export_row(organisation: Organisation) -> list[Value]:
    """A row of the organisations export (totals annotated by ``with_contract_totals``)."""
    return [
        organisation.name,
        organisation.get_kind_display(),
        organisation.siret,
        organisation.city,
        organisation.contract_count,  # type: ignore[attr-defined]
        organisation.contract_hours,  # type: ignore[attr-defined]
    ]


def organisation_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    _require_network_role(scope)
    filter_form = OrganisationFilterForm(request.GET)
    filters = filter_form.filters()
    to_confirm = filters["kind"] == TO_CONFIRM_TAB
    organisations = procurement_selectors.with_contract_totals(
        selectors.organisation_list(
            scope,
            kind="" if to_confirm else filters["kind"],
            search=filters["search"],
            to_confirm=to_confirm,
        ),
        scope,
    )
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            "organisations",
            ORGANISATION_EXPORT_COLUMNS,
            (organisation_export_row(organisation) for organisation in organisations),
            "Organisations",
        )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.organisation_counts_by_kind(scope, search=filters["search"])
    tabs = [
        {
            "kind": kind,
            "label": label,
            "count": (
                sum(count for key, count in counts.items() if key != selectors.TO_CONFIRM)
                if not kind
                else counts.get(selectors.TO_CONFIRM if kind == TO_CONFIRM_TAB else kind, 0)
            ),
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
            "to_confirm": to_confirm,
        },
    )


@require_POST
def organisation_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A facilitator confirms an organisation read in open data (buyer or company)."""
    scope = scope_for(request.user)
    if not scope.is_facilitator:
        raise Http404("Cette organisation n'existe pas ou ne vous est pas accessible.")
    try:
        organisation = selectors.organisation_detail(scope, pk)
    except Organisation.DoesNotExist as error:
        raise Http404("Cette organisation n'existe pas ou ne vous est pas accessible.") from error
    try:
        services.organisation_confirm(actor=request.user, organisation=organisation)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.info(request, message)
    else:
        messages.success(
            request,
            f"« {organisation.name} » est confirmée : elle rejoint les organisations du réseau.",
        )
    return redirect(safe_next_url(request, reverse("organisations:organisation_detail", args=[pk])))


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
    if role is not None and (wanted := export_format(request.GET.get("format"))):
        rows = procurement_selectors.contract_export_rows(scope, today=timezone.localdate(), **role)
        return export_response(
            wanted,
            f"marches-{slugify(organisation.name) or organisation.pk}",
            CONTRACT_EXPORT_COLUMNS,
            (contract_export_row(row) for row in rows),
            "Marchés",
        )
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


# The shared rules of a network -----------------------------------------------------------

# The contract of the example that shows what the default rates give.
EXAMPLE_AMOUNT = Decimal(1_000_000)
# The hours of the example that shows what the FTE convention gives (Mayotte's four years).
EXAMPLE_HOURS = 258_000


def network_rules(request: HttpRequest) -> HttpResponse:
    """The rules a network shares: facilitators read them, coordinators change them."""
    scope = scope_for(request.user)
    try:
        network = selectors.network_for_rules(scope, request.GET.get("reseau"))
    except Network.DoesNotExist as error:
        raise Http404(
            "Ce réseau n'existe pas ou ses règles ne vous sont pas accessibles."
        ) from error
    can_edit = network.pk in scope.coordinated_network_ids
    page_url = f"{reverse('organisations:network_rules')}?reseau={network.slug}"
    accepted = list(selectors.accepted_criteria(network))
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Seule la coordination du réseau modifie ses règles.")
        form = NetworkRulesForm(
            request.POST,
            initial=NetworkRulesForm.initial_for(network, accepted),
            criteria=selectors.eligibility_reference_list(),
        )
        if form.is_valid():
            try:
                services.network_update_rules(
                    actor=request.user,  # type: ignore[arg-type]
                    network=network,
                    **form.rule_arguments(),
                )
            except ValidationError as error:
                _attach(error, form)
            else:
                messages.success(
                    request, f"Les règles du réseau « {network.name} » sont enregistrées."
                )
                return redirect(page_url)
    elif can_edit and request.GET.get("modifier"):
        form = NetworkRulesForm(
            initial=NetworkRulesForm.initial_for(network, accepted),
            criteria=selectors.eligibility_reference_list(),
        )
    networks = list(selectors.networks_with_rules_visible_to(scope))
    return render(
        request,
        "organisations/network_rules.html",
        {
            "network": network,
            "can_edit": can_edit,
            "form": form,
            "page_url": page_url,
            "criteria": accepted,
            "history": selectors.network_history(network),
            "other_networks": [other for other in networks if other.pk != network.pk],
            "utc_offset": selectors.utc_offset(network.time_zone, timezone.now()),
            "example_amount": EXAMPLE_AMOUNT,
            "example_hours": EXAMPLE_HOURS,
            "example_obligation": selectors.example_obligation_hours(network, EXAMPLE_AMOUNT),
            "labour_share": selectors.percent_text(network.default_labour_share),
            "insertion_rate": selectors.percent_text(network.default_insertion_rate),
        },
    )


def _attach(error: ValidationError, form: NetworkRulesForm) -> None:
    """Show a service's errors on the fields they name, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)
