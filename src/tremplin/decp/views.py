"""Pages of the open procurement data: send a DECP file, follow its import, read its
report, list the imported records.

Facilitator structures and network coordinators use them for their networks; anyone
else gets "not found"."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from tremplin.core.exports import Column, Value
from tremplin.core.forms import attach_errors
from tremplin.core.http import export_format, export_response
from tremplin.core.templatetags.french import hours
from tremplin.decp import decp_import, selectors, services
from tremplin.decp.enums import DECP_IMPORT_STATUS_COLOURS, DecpImportStatus
from tremplin.decp.forms import (
    DecpImportForm,
    FollowContractForm,
    OpportunityFilterForm,
    OpportunitySettingsForm,
    RecordFilterForm,
    follow_initial,
    prefixes_as_text,
)
from tremplin.decp.models import DecpImport, DecpRecord
from tremplin.organisations.access import UserScope, scope_for
from tremplin.organisations.enums import OrganisationKind, OrganisationSource
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.forms import ClauseForm
from tremplin.procurement.views import NO_CONTRACT_CLAUSE

PAGE_SIZE = 50
REJECTIONS_PAGE_SIZE = 100
REJECTION_EXPORT_COLUMNS = (
    Column("Rang", "int"),
    Column("Identifiant"),
    Column("Champ"),
    Column("Motif"),
)


def _decp_scope(request: HttpRequest) -> UserScope:
    scope = scope_for(request.user)
    if not (scope.is_facilitator or scope.is_coordinator):
        raise Http404("Page réservée aux structures de facilitation.")
    return scope


def _import(scope: UserScope, pk: int) -> DecpImport:
    try:
        return selectors.import_detail(scope, pk)
    except DecpImport.DoesNotExist as error:
        raise Http404("Import introuvable.") from error


def import_list(request: HttpRequest) -> HttpResponse:
    """Send a file, and the imports already made for the user's networks."""
    scope = _decp_scope(request)
    form = DecpImportForm(
        request.POST or None, request.FILES or None, networks=selectors.importer_networks(scope)
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = decp_import.decp_import_receive(
                actor=request.user,  # type: ignore[arg-type]
                scope=scope,
                network=form.cleaned_data["network"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            item = decp_import.decp_import_launch(decp_import=item)
            if not item.finished:
                messages.info(
                    request, "Le fichier est reçu : son import se poursuit en arrière-plan."
                )
            return HttpResponseRedirect(reverse("decp:import_detail", args=[item.pk]))
    page = Paginator(selectors.import_list(scope), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "decp/import_list.html",
        {
            "form": form,
            "page": page,
            "imports": [
                (item, DECP_IMPORT_STATUS_COLOURS[DecpImportStatus(item.status)])
                for item in page.object_list
            ],
        },
    )


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of an import, then its report: counts by outcome and by reason, and
    the rejected records."""
    scope = _decp_scope(request)
    item = decp_import.decp_import_watched(_import(scope, pk))
    rejections = Paginator(selectors.rejections(item), REJECTIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "decp/import_detail.html",
        {
            "item": item,
            "colour": DECP_IMPORT_STATUS_COLOURS[DecpImportStatus(item.status)],
            "reasons": selectors.rejection_counts(item) if item.rejected_count else [],
            "rejections": rejections,
        },
    )


@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar of an import, polled every second by its page."""
    scope = _decp_scope(request)
    item = decp_import.decp_import_watched(_import(scope, pk))
    response = render(request, "decp/import_progress.html", {"item": item})
    if item.finished:
        response["HX-Refresh"] = "true"
    return response


@require_GET
def import_rejections(request: HttpRequest, pk: int) -> HttpResponse:
    """Every rejected record of an import with its reason, as CSV (or xlsx)."""
    scope = _decp_scope(request)
    item = _import(scope, pk)
    wanted = export_format(request.GET.get("format")) or "csv"
    stem = slugify(item.file_name.rsplit(".", 1)[0])[:60] or "decp"
    return export_response(
        wanted,
        f"{stem}-rejets",
        REJECTION_EXPORT_COLUMNS,
        selectors.rejection_export_rows(item).iterator(chunk_size=2000),
        "Rejets",
    )


def record_list(request: HttpRequest) -> HttpResponse:
    """The records imported, filterable by buyer, year and social consideration."""
    scope = _decp_scope(request)
    form = RecordFilterForm(
        request.GET,
        buyers=selectors.record_buyers(scope),
        years=selectors.record_years(scope),
    )
    filters = form.filters()
    records = selectors.record_list(scope, **filters)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "decp/record_list.html",
        {"form": form, "page": page, "filtered": any(filters.values())},
    )


# Clause opportunities ----------------------------------------------------------------------

OPPORTUNITY_PAGE_SIZE = 50
OPPORTUNITY_EXPORT_COLUMNS = (
    Column("Acheteur"),
    Column("Identifiant"),
    Column("Objet"),
    Column("Notifié le", "date"),
    Column("Code CPV"),
    Column("Travaux ou services"),
    Column("Montant HT (€)", "money"),
    Column("Durée (mois)", "int"),
    Column("Heures d'insertion estimées", "int"),
    Column("Calcul des heures"),
    Column("Motifs"),
    Column("Déjà couvert par une clause"),
)


def _opportunity_network(
    scope: UserScope, slug: str | None, networks: list[Network] | None = None
) -> Network:
    try:
        return selectors.opportunity_network(scope, slug, networks)
    except Network.DoesNotExist as error:
        raise Http404(
            "Ce réseau n'existe pas ou ses données ne vous sont pas accessibles."
        ) from error


def opportunity_export_rows(report: selectors.OpportunityReport) -> Iterator[list[Value]]:
    for item in report.listed:
        row = item.row
        yield [
            row.buyer_name,
            row.identifier,
            row.object,
            row.notified_on,
            row.cpv_code,
            item.prefix.label,
            row.amount,
            row.duration_months,
            item.hours,
            selectors.formula_text(item),
            " ; ".join(item.reasons),
            "oui" if row.covered else "non",
        ]


@require_GET
def opportunities(request: HttpRequest) -> HttpResponse:
    """The published contracts that could carry a social clause, the hours they could
    have generated with the network's default formula, and the share already covered."""
    scope = _decp_scope(request)
    networks = list(selectors.importer_networks(scope))
    network = _opportunity_network(scope, request.GET.get("reseau"), networks)
    # The network first, so that every link of the page names it.
    data = QueryDict(mutable=True)
    data["reseau"] = network.slug
    for key in request.GET:
        if key != "reseau":
            data.setlist(key, request.GET.getlist(key))
    form = OpportunityFilterForm(
        data,
        networks=networks,
        buyers=selectors.opportunity_buyers(scope, network),
        years=selectors.opportunity_years(scope, network),
    )
    filters = form.filters()
    report = selectors.opportunity_report(scope, network, **filters)
    wanted = export_format(request.GET.get("format"))
    if wanted:
        return export_response(
            wanted,
            f"opportunites-clauses-{network.slug}",
            OPPORTUNITY_EXPORT_COLUMNS,
            opportunity_export_rows(report),
            "Opportunités",
        )
    page = Paginator(report.listed, OPPORTUNITY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "decp/opportunities.html",
        {
            "form": form,
            "network": network,
            "report": report,
            "summary": report.summary,
            "settings": report.settings,
            "formula": report.formula,
            "formula_inputs": selectors.formula_inputs_text(report.formula),
            "page": page,
            "rows": [(item, selectors.formula_text(item)) for item in page.object_list],
            "buyer": form.cleaned_data.get("acheteur"),
            "filtered": any(value for value in filters.values()),
            "query": query.urlencode(),
            "settings_url": f"{reverse('decp:opportunity_settings')}?reseau={network.slug}",
        },
    )


def opportunity_settings(request: HttpRequest) -> HttpResponse:
    """Which contracts count as opportunities: facilitators read, coordinators edit."""
    scope = _decp_scope(request)
    network = _opportunity_network(scope, request.GET.get("reseau"))
    can_edit = selectors.may_edit_opportunity_settings(scope, network)
    current = selectors.opportunity_settings(network)
    page_url = f"{reverse('decp:opportunity_settings')}?reseau={network.slug}"
    form = None
    if request.method == "POST":
        if not can_edit:
            raise Http404("Page introuvable.")
        form = OpportunitySettingsForm(request.POST)
        if form.is_valid():
            try:
                services.opportunity_settings_set(
                    user=request.user,  # type: ignore[arg-type]
                    network=network,
                    prefixes=form.cleaned_data["cpv_prefixes"],
                    min_amount=form.cleaned_data["min_amount"],
                    min_duration_months=form.cleaned_data["min_duration_months"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    f"Les réglages des opportunités du réseau « {network.name} » sont enregistrés.",
                )
                return HttpResponseRedirect(page_url)
    elif can_edit and request.GET.get("modifier"):
        form = OpportunitySettingsForm(
            initial={
                "cpv_prefixes": prefixes_as_text(current.prefixes),
                # 90000.00 → 90000: the amount as a person types it
                "min_amount": current.min_amount.quantize(Decimal(1))
                if current.min_amount == current.min_amount.to_integral_value()
                else current.min_amount,
                "min_duration_months": current.min_duration_months,
            }
        )
    formula = selectors.default_formula(network)
    example = formula.obligation(current.min_amount) if current.min_amount > 0 else None
    return render(
        request,
        "decp/opportunity_settings.html",
        {
            "network": network,
            "current": current,
            "can_edit": can_edit,
            "form": form,
            "formula": formula,
            "formula_inputs": selectors.formula_inputs_text(formula),
            "example": example,
            "history": selectors.opportunity_settings_history(network),
            "page_url": page_url,
            "opportunities_url": f"{reverse('decp:opportunities')}?reseau={network.slug}",
            "rules_url": f"{reverse('organisations:network_rules')}?reseau={network.slug}",
        },
    )


# One record, and following it as a contract ------------------------------------------------


def _record(scope: UserScope, pk: int) -> DecpRecord:
    try:
        return selectors.record_detail(scope, pk)
    except DecpRecord.DoesNotExist as error:
        raise Http404("Marché introuvable.") from error


@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A published contract as imported: its parties, figures, considerations,
    subcontracting acts and modifications, where it came from, and whether it is followed."""
    scope = _decp_scope(request)
    record = _record(scope, pk)
    return render(
        request, "decp/record_detail.html", {"page": selectors.record_page(scope, record)}
    )


def _to_confirm(form: FollowContractForm) -> list[Organisation]:
    """The organisations read in open data, not yet confirmed, that the form names now."""
    source = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else None
    chosen: list[Any] = []
    for name in ("buyer", "awarded_company", "co_contractors", "subcontractors"):
        value = source.get(name) if source is not None else form.initial.get(name)
        chosen.extend(value if isinstance(value, list | tuple | QuerySet) else [value])
    ids = [item.pk if isinstance(item, Organisation) else item for item in chosen if item]
    return list(
        Organisation.objects.filter(
            pk__in=ids, source=OrganisationSource.DECP, confirmed_at__isnull=True
        ).order_by("kind", "name")
    )


def confirmation_notice(organisations: list[Organisation]) -> str:
    """« L'acheteur « Commune de Mamoudzou », lu dans les données ouvertes, sera confirmé
    en créant ce marché. » (or several, agreed in gender and number)."""
    if not organisations:
        return ""
    buyer = OrganisationKind.BUYER
    names = [
        ("l'acheteur" if item.kind == buyer else "l'entreprise") + f" « {item.name} »"
        for item in organisations
    ]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"
    listed = listed[:1].upper() + listed[1:]
    plural = len(names) > 1
    masculine = any(item.kind == buyer for item in organisations)
    ending = ("" if masculine else "e") + ("s" if plural else "")
    if plural:
        subject = "ils rejoignent" if masculine else "elles rejoignent"
    else:
        subject = "il rejoint" if masculine else "elle rejoint"
    return (
        f"{listed}, lu{ending} dans les données ouvertes, {'seront' if plural else 'sera'} "
        f"confirmé{ending} en créant ce marché : {subject} alors les organisations saisies "
        "du réseau."
    )


def record_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """« Suivre ce marché dans Tremplin »: procurement's contract form, filled from the
    record; on submit the contract is created and the record linked to it."""
    scope = _decp_scope(request)
    try:
        record = selectors.record_to_follow(scope, pk)
    except DecpRecord.DoesNotExist as error:
        raise Http404("Marché introuvable.") from error
    detail_url = reverse("decp:record_detail", args=[record.pk])
    if record.contract_id is not None:
        messages.info(request, "Ce marché est déjà suivi dans Tremplin.")
        return HttpResponseRedirect(detail_url)
    structures = selectors.follow_structures(scope, record)
    if request.method == "POST":
        form = FollowContractForm(scope, request.POST, record=record, structures=structures)
        form_valid = form.is_valid()
        clause_form = ClauseForm(
            request.POST,
            no_clause_label=NO_CONTRACT_CLAUSE,
            fallback_amount=form.cleaned_data.get("amount_excl_tax"),
        )
        if form_valid and clause_form.is_valid():
            try:
                contract = services.record_follow(
                    actor=request.user,  # type: ignore[arg-type]
                    record=record,
                    clause=clause_form.clause_arguments(),
                    **form.contract_arguments(),
                )
            except ValidationError as error:
                attach_errors(form, error, clause_form)
            else:
                messages.success(
                    request,
                    f"Le marché {contract.reference} est suivi dans Tremplin : "
                    f"{hours(contract.hours_required)} heures d'insertion exigées.",
                )
                return redirect("procurement:contract_detail", pk=contract.pk)
        preview = clause_form.preview_context()
    else:
        form = FollowContractForm(
            scope,
            initial=follow_initial(record, list(structures)),
            record=record,
            structures=structures,
        )
        clause_initial = ClauseForm.initial_for(network=record.network, clause=None)
        if not (form.initial["social_clause"] or form.initial["reserved_contract"]):
            # No clause published: the facilitator adds one if the buyer agrees.
            clause_initial["mode"] = ""
        clause_form = ClauseForm(
            initial=clause_initial,
            no_clause_label=NO_CONTRACT_CLAUSE,
            fallback_amount=record.amount,
        )
        data = {
            clause_form.add_prefix(name): str(value)
            for name, value in clause_form.initial.items()
            if value is not None
        }
        preview = ClauseForm(
            data, no_clause_label=NO_CONTRACT_CLAUSE, fallback_amount=record.amount
        ).preview_context()
    return render(
        request,
        "decp/record_follow.html",
        {
            "record": record,
            "form": form,
            "clause_form": clause_form,
            "preview": preview,
            "confirmation_notice": confirmation_notice(_to_confirm(form)),
            "detail_url": detail_url,
        },
    )
