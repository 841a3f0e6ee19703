"""Pages of the open procurement data: send a DECP file, follow its import, read its
report, list the imported records.

Facilitator structures and network coordinators use them for their networks; anyone
else gets "not found"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from tremplin.core.exports import Column
from tremplin.core.http import export_format, export_response
from tremplin.decp import decp_import, selectors
from tremplin.decp.enums import DECP_IMPORT_STATUS_COLOURS, DecpImportStatus
from tremplin.decp.forms import DecpImportForm, RecordFilterForm
from tremplin.decp.models import DecpImport
from tremplin.organisations.access import UserScope, scope_for

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
    item = _import(scope, pk)
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
    item = _import(scope, pk)
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
