"""Dashboards: the home page of each kind of user, and the network's consolidated figures."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tremplin.organisations.access import scope_for
from tremplin.reporting import selectors
from tremplin.reporting.alerts import alerts_for


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard that fits the user: facilitator, coordinator, buyer or company."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    if scope.is_facilitator:
        dashboard = selectors.facilitator_dashboard(scope, today=today)
        alerts = alerts_for(scope, today=today, contract_rows=dashboard.statuses.late)
        return render(
            request,
            "reporting/home_facilitator.html",
            {
                "dashboard": dashboard,
                "figures": dashboard.figures,
                "alerts": alerts,
                "today": today,
            },
        )
    if scope.is_coordinator:
        return redirect("reporting:network_dashboard")
    if scope.buyer_ids:
        dashboard = selectors.buyer_dashboard(scope, today=today)
        return render(
            request,
            "reporting/home_buyer.html",
            {"dashboard": dashboard, "figures": dashboard.figures, "today": today},
        )
    if scope.company_ids:
        dashboard = selectors.company_dashboard(scope, today=today)
        return render(
            request,
            "reporting/home_company.html",
            {"dashboard": dashboard, "figures": dashboard.figures, "today": today},
        )
    return render(
        request,
        "reporting/home_without_dashboard.html",
        {"organisations": selectors.organisations_of(scope)},
    )


def network_dashboard(request: HttpRequest) -> HttpResponse:
    """Consolidated figures of the coordinated networks: aggregates only, never a name."""
    scope = scope_for(request.user)
    networks = selectors.coordinated_networks(scope)
    if not networks:
        raise Http404("Cette page est réservée à la coordination d'un réseau.")
    dashboards = [selectors.network_dashboard(network) for network in networks]
    return render(request, "reporting/network_dashboard.html", {"dashboards": dashboards})
