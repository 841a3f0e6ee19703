"""Dashboards: the home page of each kind of user (the network's consolidation is in
``network_views``)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tremplin.organisations.access import scope_for
from tremplin.reporting import indicators, matching_selectors, opendata_selectors, selectors
from tremplin.reporting.alerts import alerts_for
from tremplin.reporting.anonymity import MARK, THRESHOLD
from tremplin.reporting.prescriber_selectors import prescriber_dashboard


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard that fits the user: facilitator, coordinator, buyer or company; for a
    visitor, what Tremplin is, with the way to the open data and to sign in."""
    if not request.user.is_authenticated:
        today = timezone.localdate()
        networks = [
            (network, opendata_selectors.network_headlines(network, today=today))
            for network in opendata_selectors.published_networks()
        ]
        return render(
            request,
            "reporting/public_home.html",
            {"networks": networks, "mark": MARK, "threshold": THRESHOLD},
        )
    scope = scope_for(request.user)
    today = timezone.localdate()
    if scope.is_facilitator:
        dashboard = selectors.facilitator_dashboard(scope, today=today)
        alerts = alerts_for(
            scope, today=today, contract_rows=dashboard.statuses.late, review=dashboard.review
        )
        return render(
            request,
            "reporting/home_facilitator.html",
            {
                "dashboard": dashboard,
                "figures": dashboard.figures,
                "alerts": alerts,
                "today": today,
                "hours_by_month": indicators.recent_hours_by_month(
                    selectors.facilitated_contracts(scope), today=today
                ),
                "matching": matching_selectors.facilitator_matching_figures(scope, today=today),
            },
        )
    if scope.is_coordinator:
        return redirect("reporting:network_dashboard")
    if scope.buyer_ids:
        dashboard = selectors.buyer_dashboard(scope, today=today)
        return render(
            request,
            "reporting/home_buyer.html",
            {
                "dashboard": dashboard,
                "figures": dashboard.figures,
                "today": today,
                # A pure buyer's reportable contracts are its own.
                "hours_by_month": indicators.recent_hours_by_month(
                    indicators.report_contracts(scope), today=today
                ),
            },
        )
    if scope.company_ids:
        dashboard = selectors.company_dashboard(scope, today=today)
        return render(
            request,
            "reporting/home_company.html",
            {"dashboard": dashboard, "figures": dashboard.figures, "today": today},
        )
    if scope.is_prescriber:
        return render(
            request,
            "reporting/home_prescriber.html",
            {"dashboard": prescriber_dashboard(scope, request.user)},  # type: ignore[arg-type]
        )
    return render(
        request,
        "reporting/home_without_dashboard.html",
        {"organisations": selectors.organisations_of(scope)},
    )
