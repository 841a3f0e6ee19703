"""The "Indicateurs" page: every chart of the impact of a user's contracts, filterable."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tremplin.core.definitions import PEOPLE_WITH_HOURS, REMAINING
from tremplin.core.exports import Column, Value
from tremplin.core.http import export_format, export_response
from tremplin.organisations.access import scope_for
from tremplin.reporting import indicators
from tremplin.reporting.indicator_forms import IndicatorFilterForm

# The impact report's workbook filters by buyer only; this page also filters by structure
# and contract, so its export lists its own series, one row per bar of every chart.
SERIES_EXPORT_COLUMNS = (
    Column("Série"),
    Column("Catégorie"),
    Column("Valeur", "decimal"),
    Column("Unité"),
)


def series_export_rows(report: indicators.ImpactReport, period_label: str) -> list[list[Value]]:
    """Every figure of the page: key figures, hours by month, then each chart's bars."""
    key = "Chiffres clés"
    rows: list[list[Value]] = [
        [key, f"Période : {period_label}", None, ""],
        [key, "Heures d'insertion exigées", report.hours_required, "heures"],
        [key, "Heures d'insertion réalisées", report.hours_validated, "heures"],
        [key, REMAINING.label, report.hours_remaining, "heures"],
        [key, f"ETP (base {report.hours_per_fte} h)", report.whole_fte, "ETP"],
        [key, "ETP, valeur exacte", report.exact_fte, "ETP"],
        [key, "Marchés avec clause", report.contracts_with_clause, "marchés"],
        [key, "Acheteurs", report.buyers, "acheteurs"],
        [key, "Entreprises attributaires", report.companies, "entreprises"],
        [key, PEOPLE_WITH_HOURS.label, report.participants, "personnes"],
        [key, "Contrats de travail commencés", report.employment_contracts, "contrats"],
    ]
    rows.extend(
        ["Définitions", term.label, None, term.definition]
        for term in (REMAINING, PEOPLE_WITH_HOURS)
    )
    for point in report.hours_by_month:
        month = f"{point.month:%m/%Y}"
        rows.append(["Heures réalisées par mois", month, point.realised, "heures"])
        rows.append(["Heures attendues par mois", month, point.expected, "heures"])
    series = (
        report.hours_by_buyer,
        report.hours_by_mode,
        report.hours_by_public,
        report.participants_by_criterion,
        report.participants_by_sex,
        report.participants_by_age_band,
        report.participants_by_qpv,
        report.participants_by_qualification,
        report.outcomes_at_exit,
        report.outcomes_at_six_months,
    )
    for item in series:
        rows.extend([item.title, bar.label, bar.value, item.unit] for bar in item.bars)
    return rows


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
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            "indicateurs",
            SERIES_EXPORT_COLUMNS,
            series_export_rows(report, form.period_label),
            "Indicateurs",
        )
    context = {
        "form": form,
        "report": report,
        "choices": choices,
        "period_label": form.period_label,
        # Only a facilitator may go from a count of people to the people themselves.
        "people_url": report.people_url or "#participants",
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "reporting/_indicators_results.html", context)
    return render(request, "reporting/indicators.html", context)
