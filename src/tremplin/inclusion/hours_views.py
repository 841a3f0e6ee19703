"""The validated hours: the rows behind every hours figure (indicators, dashboards).

Facilitator structures only: the list names participants. Another structure's hours are
not in the scope; a buyer, a company or a coordinator gets a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tremplin.core.exports import Column, Value
from tremplin.core.http import export_format, export_response
from tremplin.inclusion import selectors
from tremplin.inclusion.hours_forms import ValidatedHoursFilterForm
from tremplin.inclusion.models import HoursEntry
from tremplin.organisations.access import facilitator_scope

ENTRIES_PER_PAGE = 50

EXPORT_COLUMNS = (
    Column("Mois", "date"),
    Column("Participant"),
    Column("Marché"),
    Column("Employeur"),
    Column("Modalité d'exécution"),
    Column("Heures travaillées", "decimal"),
    Column("Heures de formation", "decimal"),
    Column("Heures d'insertion", "decimal"),
    Column("Validées le", "date"),
    Column("Validées par"),
)


def export_row(entry: HoursEntry) -> list[Value]:
    placement = entry.placement
    reviewer = entry.reviewed_by
    return [
        entry.month,
        str(placement.participant),
        placement.contract.reference,
        str(placement.employer),
        placement.get_execution_mode_display(),
        entry.hours_worked,
        entry.training_hours,
        entry.total_hours,
        timezone.localdate(entry.reviewed_at) if entry.reviewed_at else None,
        (reviewer.get_full_name() or reviewer.email) if reviewer else "",
    ]


def validated_hours(request: HttpRequest) -> HttpResponse:
    scope = facilitator_scope(request.user)
    form = ValidatedHoursFilterForm(
        request.GET or None, **selectors.validated_hours_filter_choices(scope)
    )
    filters = form.filters()
    entries = (
        selectors.validated_hours(scope, filters)
        if filters is not None
        else selectors.validated_hours(scope).none()
    )
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            "heures-validees",
            EXPORT_COLUMNS,
            (export_row(entry) for entry in entries),
            "Heures validées",
        )
    totals = selectors.validated_hours_totals(entries)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k not in ("page", "format") and v}
    return render(
        request,
        "inclusion/validated_hours.html",
        {
            "form": form,
            "filtered": form.is_filtered(),
            "page": page,
            "page_query": urlencode(params) + "&" if params else "",
            "totals": totals,
        },
    )
