"""The "Indicateurs" page: every chart of the impact of a user's contracts, filterable."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from tremplin.organisations.access import scope_for
from tremplin.reporting import indicators
from tremplin.reporting.indicator_forms import IndicatorFilterForm


def indicators_page(request: HttpRequest) -> HttpResponse:
    """Charts and tables for a facilitator, a buyer or a network coordinator.

    A coordinator sees aggregates only: no link leads from these figures to people.
    """
    scope = scope_for(request.user)
    if not (scope.is_facilitator or scope.is_coordinator or scope.buyer_ids):
        raise Http404("Les indicateurs sont réservés aux facilitateurs, acheteurs et réseaux.")
    contracts = indicators.report_contracts(scope)
    choices = indicators.filter_choices(contracts)
    form = IndicatorFilterForm(request.GET or None, choices=choices)
    filters = form.report_filters()
    report = indicators.impact_report(
        contracts,
        filters=filters,
        hours_per_fte=indicators.hours_per_fte_of(scope),
        today=timezone.localdate(),
        link_people=scope.is_facilitator,
    )
    context = {
        "form": form,
        "report": report,
        "choices": choices,
        "period_label": form.period_label,
        # Only a facilitator may go from a count of people to the people themselves.
        "people_url": reverse("inclusion:participant_list")
        if scope.is_facilitator
        else "#participants",
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "reporting/_indicators_results.html", context)
    return render(request, "reporting/indicators.html", context)
