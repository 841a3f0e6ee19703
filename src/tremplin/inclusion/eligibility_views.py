"""Eligibility declared by employers: the facilitator's queue of criteria to check, its
decisions (confirm, or refuse with a reason), and the evidence files.

Evidence files are never public media: this page serves one only to a user who sees the
participant (the facilitator structure that follows the person, or the employer that
vouched for the criterion), and answers 404 to anyone else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tremplin.core.exports import Column, Value
from tremplin.core.http import export_format, export_response, safe_next_url
from tremplin.inclusion import selectors, services
from tremplin.inclusion.evidence import content_type_of
from tremplin.inclusion.forms import RejectForm
from tremplin.inclusion.models import ParticipantCriterion
from tremplin.organisations.access import UserScope, facilitator_scope, scope_for

CRITERIA_PER_PAGE = 50


def _item(scope: UserScope, pk: int) -> ParticipantCriterion:
    try:
        return selectors.participant_criterion_detail(scope, pk)
    except ParticipantCriterion.DoesNotExist as error:
        raise Http404("Critère introuvable.") from error


CRITERIA_EXPORT_COLUMNS = (
    Column("Nom"),
    Column("Prénom"),
    Column("Structure"),
    Column("Employeurs"),
    Column("Critère"),
    Column("Justificatif"),
    Column("Fichier joint"),
    Column("Déclaré par"),
    Column("Déclaré le", "date"),
)


def criterion_export_row(row: dict[str, Any], employers: dict[int, list[str]]) -> list[Value]:
    declared_by = " ".join(
        part for part in (row["checked_by__first_name"], row["checked_by__last_name"]) if part
    )
    return [
        row["participant__last_name"],
        row["participant__first_name"],
        row["participant__facilitator__name"],
        ", ".join(employers.get(row["participant_id"], [])),
        row["criterion__label"],
        row["evidence"],
        "Oui" if row["evidence_file"] else "Non",
        declared_by or row["checked_by__email"] or "",
        row["checked_on"],
    ]


def criteria_review(request: HttpRequest) -> HttpResponse:
    """The criteria employers declared, waiting for the facilitator's check."""
    scope = facilitator_scope(request.user)
    if wanted := export_format(request.GET.get("format")):
        rows, employers = selectors.criteria_to_check_export(scope)
        return export_response(
            wanted,
            "justificatifs-a-verifier",
            CRITERIA_EXPORT_COLUMNS,
            (criterion_export_row(row, employers) for row in rows.iterator()),
            "Justificatifs à vérifier",
        )
    page = Paginator(selectors.criteria_to_check(scope), CRITERIA_PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    employers = selectors.employers_of_participants([item.participant_id for item in items])
    rows = [{"item": item, "employers": employers.get(item.participant_id, [])} for item in items]
    return render(
        request,
        "inclusion/company/criteria_review.html",
        {"page": page, "rows": rows, "current_url": request.get_full_path()},
    )


@require_POST
def criterion_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    item = _item(scope, pk)
    services.criterion_confirm(actor=request.user, item=item)  # type: ignore[arg-type]
    messages.success(request, f"Critère « {item.criterion.label} » de {item.participant} confirmé.")
    default = reverse("inclusion:participant_detail", args=[item.participant_id]) + "#criteres"
    return redirect(safe_next_url(request, default))


@require_POST
def criterion_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    item = _item(scope, pk)
    default = reverse("inclusion:participant_detail", args=[item.participant_id]) + "#criteres"
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.criterion_refuse(
                actor=request.user,  # type: ignore[arg-type]
                item=item,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"Critère « {item.criterion.label} » de {item.participant} refusé : "
                "l'employeur voit le motif.",
            )
    else:
        for message in form.errors.get("reason", []):
            messages.error(request, message)
    return redirect(safe_next_url(request, default))


@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence of a criterion, to the facilitator structure that follows the person
    or to the employer that vouched for it; 404 to anyone else."""
    scope = scope_for(request.user)
    try:
        item = selectors.criterion_with_evidence(scope, pk)
        handle = item.evidence_file.open("rb")
    except (ParticipantCriterion.DoesNotExist, FileNotFoundError) as error:
        raise Http404("Justificatif introuvable.") from error
    name = item.evidence_file.name
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    response = FileResponse(
        handle,
        content_type=content_type_of(name),
        filename=f"justificatif-{item.criterion.code}-{item.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response
