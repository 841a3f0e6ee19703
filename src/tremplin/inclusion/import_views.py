"""Pages of the spreadsheet import of monthly hours.

A facilitator downloads the template of a contract, sends a spreadsheet back, says once
what its unknown columns hold, and sees what became of it: the rows written, or each
bad row with its line, column and reason, and the file annotated to correct it. A long
file is imported in the background while the page shows its progress.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from tremplin.core.exports import Column, Value
from tremplin.core.forms import attach_errors
from tremplin.core.http import export_format, export_response
from tremplin.core.templatetags.french import hours as format_hours
from tremplin.core.templatetags.french import number
from tremplin.inclusion import hours_import, selectors
from tremplin.inclusion.enums import HOURS_IMPORT_STATUS_COLOURS, HoursImportStatus
from tremplin.inclusion.import_forms import ColumnsForm, HoursImportForm, TemplateChoiceForm
from tremplin.inclusion.models import HoursImport
from tremplin.inclusion.templatetags.import_figures import signed_hours
from tremplin.organisations.access import UserScope, scope_for
from tremplin.organisations.enums import OrganisationKind
from tremplin.procurement.models import Contract

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Facilitator structures import for the people they follow; companies and inclusion
# employers for the placements they employ (never validating them).
IMPORTER_KINDS = (
    OrganisationKind.FACILITATOR,
    OrganisationKind.COMPANY,
    OrganisationKind.INCLUSION_EMPLOYER,
)
ERROR_LINES_SHOWN = 200


def _importer_scope(request: HttpRequest) -> UserScope:
    scope = scope_for(request.user)
    if not (scope.is_facilitator or scope.company_ids):
        raise Http404("Aucune organisation qui importe des heures.")
    return scope


def _template_contracts(scope: UserScope) -> QuerySet[Contract]:
    """Contracts whose template the user may download: those the structures facilitate,
    or, for an employer, those it works on (the template lists its own placements)."""
    if scope.is_facilitator:
        return selectors.contracts_for_placements(scope)
    return selectors.company_contracts_visible_to(scope).order_by("reference")


def _import(scope: UserScope, pk: int) -> HoursImport:
    try:
        return hours_import.hours_import_detail(scope, pk)
    except HoursImport.DoesNotExist as error:
        raise Http404("Import introuvable.") from error


def _detail_url(item: HoursImport) -> str:
    return reverse("inclusion:hours_import_detail", args=[item.pk])


def _plural(count: int, word: str) -> str:
    return f"{number(count)} {word}{'s' if count > 1 else ''}"


def _summary(item: HoursImport) -> str:
    return (
        f"{_plural(item.rows_read, 'ligne')} d'heures lue{'s' if item.rows_read > 1 else ''} : "
        f"{_plural(item.created_count, 'mois créé')}, "
        f"{_plural(item.updated_count, 'modifié')}, "
        f"{_plural(item.unchanged_count, 'inchangé')} ; "
        f"{format_hours(item.hours_imported)} heures dans le fichier, "
        f"{signed_hours(item.hours_change)} h de variation nette sur les mois enregistrés."
    )


def _refused_text(item: HoursImport) -> str:
    if not item.refused_count:
        return ""
    return (
        f" Dont {_plural(item.refused_count, 'mois déjà validé')} que le fichier modifierait : "
        "un mois validé ne change plus par un import. Remettez-y les heures validées ou "
        "retirez ces lignes, ou demandez à la structure de facilitation de rouvrir ces mois ; "
        "le fichier s'importe en entier ou pas du tout, les autres lignes attendent donc aussi."
    )


def _launch(request: HttpRequest, item: HoursImport) -> HttpResponse:
    try:
        item = hours_import.hours_import_launch(hours_import=item)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("inclusion:hours_import_columns", pk=item.pk)
    if item.status == HoursImportStatus.DONE:
        if item.created_count or item.updated_count:
            messages.success(request, f"Import terminé. {_summary(item)}")
        else:
            messages.info(
                request, f"Rien n'a changé : tous les mois étaient déjà à jour. {_summary(item)}"
            )
    elif item.status == HoursImportStatus.INVALID:
        messages.error(
            request,
            f"{_plural(item.error_count, 'erreur')} dans le fichier : rien n'a été importé. "
            "Corrigez les lignes signalées puis envoyez le fichier de nouveau."
            f"{_refused_text(item)}",
        )
    elif item.status == HoursImportStatus.FAILED:
        messages.error(request, item.message)
    else:
        messages.info(
            request,
            f"Le fichier compte {_plural(item.row_count, 'ligne')} : l'import se poursuit en "
            "arrière-plan. Cette page montre son avancement.",
        )
    return HttpResponseRedirect(_detail_url(item))


IMPORTS_EXPORT_COLUMNS = (
    Column("Reçu le", "date"),
    Column("Fichier"),
    Column("Organisation"),
    Column("Envoyé par"),
    Column("Statut"),
    Column("Erreurs", "int"),
    Column("Lignes lues", "int"),
    Column("Mois créés", "int"),
    Column("Mois modifiés", "int"),
    Column("Mois inchangés", "int"),
    Column("Mois validés refusés", "int"),
    Column("Heures du fichier", "decimal"),
    Column("Variation nette des heures", "decimal"),
)


def import_export_row(row: dict[str, Any]) -> list[Value]:
    sender = " ".join(
        part for part in (row["created_by__first_name"], row["created_by__last_name"]) if part
    )
    status = row["status"]
    return [
        timezone.localdate(row["created_at"]),
        row["file_name"],
        row["organisation__name"],
        sender or row["created_by__email"] or "",
        str(HoursImportStatus(status).label) if status in HoursImportStatus.values else status,
        row["error_count"],
        row["rows_read"],
        row["created_count"],
        row["updated_count"],
        row["unchanged_count"],
        row["refused_count"],
        # Hours count only once written: an invalid file imported none.
        row["hours_imported"] if status == HoursImportStatus.DONE else None,
        row["hours_change"] if status == HoursImportStatus.DONE else None,
    ]


def hours_import_start(request: HttpRequest) -> HttpResponse:
    scope = _importer_scope(request)
    if request.method == "GET" and (wanted := export_format(request.GET.get("format"))):
        return export_response(
            wanted,
            "imports-heures",
            IMPORTS_EXPORT_COLUMNS,
            (import_export_row(row) for row in hours_import.imports_export(scope).iterator()),
            "Imports d'heures",
        )
    organisations = hours_import.importing_organisations(scope, kinds=IMPORTER_KINDS)
    form = HoursImportForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        can_validate=scope.is_facilitator,
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = hours_import.hours_import_receive(
                actor=request.user,  # type: ignore[arg-type]
                scope=scope,
                organisation=form.cleaned_data["organisation"],
                file=form.cleaned_data["file"],
                validate_directly=form.cleaned_data.get("validate_directly", False),
            )
        except hours_import.AlreadyImported as already:
            previous = already.previous
            when = timezone.localtime(previous.created_at)
            messages.info(
                request,
                f"Ce fichier a déjà été envoyé le {when:%d/%m/%Y à %H:%M}"
                + (f" par {previous.created_by}" if previous.created_by else "")
                + " : il n'est pas importé une seconde fois, rien n'a changé.",
            )
            return HttpResponseRedirect(_detail_url(previous))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if hours_import.needs_columns(item):
                messages.info(
                    request,
                    "Certaines colonnes ne sont pas reconnues : dites ce qu'elles contiennent. "
                    "Votre choix sera retenu pour les prochains fichiers.",
                )
                return redirect("inclusion:hours_import_columns", pk=item.pk)
            return _launch(request, item)
    return render(
        request,
        "inclusion/import_start.html",
        {
            "form": form,
            "template_form": TemplateChoiceForm(contracts=_template_contracts(scope)),
            "imports": [
                (item, HOURS_IMPORT_STATUS_COLOURS[HoursImportStatus(item.status)])
                for item in hours_import.recent_imports(scope)
            ],
        },
    )


def hours_import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _importer_scope(request)
    item = _import(scope, pk)
    if item.status != HoursImportStatus.RECEIVED:
        return HttpResponseRedirect(_detail_url(item))
    header = hours_import.header_of(item)
    form = ColumnsForm(request.POST or None, columns=list(header.columns))
    if request.method == "POST" and form.is_valid():
        try:
            hours_import.hours_import_set_columns(
                actor=request.user,  # type: ignore[arg-type]
                hours_import=item,
                choices=form.choices(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _launch(request, item)
    samples = hours_import.column_samples(item)
    return render(
        request,
        "inclusion/import_columns.html",
        {
            "item": item,
            "rows": [
                (column, field, samples.get(column.index, [])) for column, field in form.rows()
            ],
            "form": form,
            "missing": header.missing(),
        },
    )


def hours_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _importer_scope(request)
    item = hours_import.hours_import_watched(_import(scope, pk))
    if item.status == HoursImportStatus.RECEIVED:
        return redirect("inclusion:hours_import_columns", pk=item.pk)
    lines = hours_import.errors_by_line(item, limit=ERROR_LINES_SHOWN)
    faulty_lines = len({error[0] for error in item.errors})
    return render(
        request,
        "inclusion/import_detail.html",
        {
            "item": item,
            "colour": HOURS_IMPORT_STATUS_COLOURS[HoursImportStatus(item.status)],
            "error_lines": lines,
            "faulty_lines": faulty_lines,
            "hidden_lines": max(faulty_lines - len(lines), 0),
        },
    )


@require_GET
def hours_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar of a background import, polled every second by the page."""
    scope = _importer_scope(request)
    item = hours_import.hours_import_watched(_import(scope, pk))
    response = render(request, "inclusion/import_progress.html", {"item": item})
    if item.finished:
        response["HX-Refresh"] = "true"
    return response


@require_GET
def hours_import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The file sent, annotated with an "Erreurs" column and its faulty cells in red."""
    scope = _importer_scope(request)
    item = _import(scope, pk)
    if item.status != HoursImportStatus.INVALID:
        raise Http404("Cet import n'a pas d'erreurs.")
    stem = slugify(PurePath(item.file_name).stem)[:60] or "heures"
    return _download(hours_import.hours_import_report(item), f"{stem}-erreurs.xlsx")


@require_GET
def hours_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The spreadsheet to fill for a contract, one row per placement, ready to import."""
    scope = _importer_scope(request)
    try:
        contract = _template_contracts(scope).select_related("facilitator").get(pk=pk)
    except Contract.DoesNotExist as error:
        raise Http404("Ce marché n'existe pas ou ne vous est pas accessible.") from error
    content = hours_import.hours_template(scope, contract)
    return _download(content, f"heures-{slugify(contract.reference) or contract.pk}.xlsx")


@require_GET
def hours_import_template_choice(request: HttpRequest) -> HttpResponse:
    scope = _importer_scope(request)
    form = TemplateChoiceForm(request.GET, contracts=_template_contracts(scope))
    if not form.is_valid():
        messages.error(request, "Choisissez un marché pour télécharger son modèle.")
        return redirect("inclusion:hours_import_start")
    return redirect("inclusion:hours_import_template", pk=form.cleaned_data["marche"].pk)


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # personal data: never kept by a proxy
    return response
