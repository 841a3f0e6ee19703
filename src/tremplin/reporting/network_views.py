"""The network's consolidation: its structures side by side with the network's counting
rules, one structure contract by contract, and their exports. Coordinators only."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tremplin.core.definitions import PEOPLE_FOLLOWED, PEOPLE_WITH_HOURS
from tremplin.core.exports import Column, Value
from tremplin.core.http import export_format, export_response
from tremplin.core.parameters import year_parameter
from tremplin.inclusion.enums import ExecutionMode
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import Organisation
from tremplin.reporting import consolidation, matching_selectors
from tremplin.reporting.consolidation import (
    NetworkDashboard,
    StructureConsolidation,
    StructureRow,
)

CENT = Decimal("0.01")
MODES = [(mode.value, str(mode.label)) for mode in ExecutionMode]
NOT_A_COORDINATOR = "Cette page est réservée à la coordination d'un réseau."


def _year(request: HttpRequest) -> int | None:
    """The year of ``?annee=``; anything else means every year."""
    value = request.GET.get("annee", "")
    return year_parameter(value)


def _hours(value: Decimal) -> Decimal:
    """Hours as exports show them: to the hundredth (a weight may leave more decimals)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- The network ---------------------------------------------------------------------


def _network_columns(dashboard: NetworkDashboard) -> list[Column]:
    ruled = list(dashboard.active_rules)
    return [
        Column("Structure"),
        Column("Marchés avec clause", "int"),
        Column("Heures exigées", "int"),
        Column("Heures validées", "decimal"),
        Column("Heures retenues", "decimal"),
        Column(f"ETP (heures retenues ÷ {dashboard.network.hours_per_fte})", "decimal"),
        Column(PEOPLE_FOLLOWED.label, "int"),
        Column(PEOPLE_WITH_HOURS.label, "int"),
        Column("Acheteurs", "int"),
        *(Column(f"Heures validées — {label}", "decimal") for _, label in MODES),
        *(Column(f"Heures retenues — {row.label}", "decimal") for row in ruled),
    ]


def _network_row(row: StructureRow, dashboard: NetworkDashboard) -> list[Value]:
    return [
        row.name,
        row.contracts_with_clause,
        row.hours_required,
        _hours(row.hours_validated),
        _hours(row.hours_counted),
        row.exact_fte,
        row.participants,
        row.people_with_hours,
        row.buyers,
        *(_hours(row.mode(mode).validated) for mode, _ in MODES),
        *(_hours(row.mode(rule.mode).counted) for rule in dashboard.active_rules),
    ]


def _network_rows(dashboard: NetworkDashboard) -> Iterator[list[Value]]:
    for row in dashboard.structures:
        yield _network_row(row, dashboard)
    yield _network_row(dashboard.total, dashboard)


def network_dashboard(request: HttpRequest) -> HttpResponse:
    """Consolidated figures of the coordinated networks: aggregates only, never a name."""
    scope = scope_for(request.user)
    networks = consolidation.coordinated_networks(scope)
    if not networks:
        raise Http404(NOT_A_COORDINATOR)
    year = _year(request)
    wanted = export_format(request.GET.get("format"))
    if wanted:
        # An export is one network's: the one named, else the first coordinated.
        slug = request.GET.get("reseau")
        network = next((n for n in networks if n.slug == slug), networks[0])
        dashboard = consolidation.network_dashboard(network, year=year)
        stem = f"consolidation-{network.slug}" + (f"-{year}" if year else "")
        return export_response(
            wanted, stem, _network_columns(dashboard), _network_rows(dashboard), "Consolidation"
        )
    dashboards = [consolidation.network_dashboard(network, year=year) for network in networks]
    today = timezone.localdate()
    return render(
        request,
        "reporting/network_dashboard.html",
        {
            "dashboards": dashboards,
            "sections": [
                (
                    dashboard,
                    matching_selectors.network_matching_figures(
                        scope, dashboard.network, today=today, year=year
                    ),
                )
                for dashboard in dashboards
            ],
            "year": year,
            # The contract list's own year filter, for the links behind the totals.
            "year_query": f"&year={year}" if year else "",
        },
    )


# --- One structure -------------------------------------------------------------------


def _structure_columns() -> list[Column]:
    return [
        Column("Référence"),
        Column("Objet"),
        Column("Acheteur"),
        Column("Titulaire"),
        Column("Heures exigées", "int"),
        Column("Heures validées", "decimal"),
        Column("Heures retenues", "decimal"),
        *(Column(f"Heures validées — {label}", "decimal") for _, label in MODES),
    ]


def _structure_rows(consolidated: StructureConsolidation) -> Iterator[list[Value]]:
    for row in consolidated.contracts:
        yield [
            row.reference,
            row.title,
            row.buyer_name,
            row.company_name,
            row.hours_required,
            _hours(row.hours_validated),
            _hours(row.hours_counted),
            *(_hours(row.mode(mode).validated) for mode, _ in MODES),
        ]


def structure_consolidation(request: HttpRequest, pk: int) -> HttpResponse:
    """One structure of the network, contract by contract: the rows behind its figures."""
    scope = scope_for(request.user)
    try:
        structure = consolidation.structure_for_consolidation(scope, pk)
    except Organisation.DoesNotExist as error:
        raise Http404(NOT_A_COORDINATOR) from error
    year = _year(request)
    consolidated = consolidation.structure_consolidation(structure, year=year)
    if wanted := export_format(request.GET.get("format")):
        stem = f"consolidation-structure-{structure.pk}" + (f"-{year}" if year else "")
        return export_response(
            wanted, stem, _structure_columns(), _structure_rows(consolidated), structure.name
        )
    shown = consolidated.modes_shown
    return render(
        request,
        "reporting/structure_consolidation.html",
        {
            "consolidated": consolidated,
            "figures": consolidated.figures,
            "year": year,
            "mode_labels": [consolidated.figures.mode(mode).label for mode in shown],
            "rows": [
                {"contract": row, "modes": [row.mode(mode) for mode in shown]}
                for row in consolidated.contracts
            ],
            "total_modes": [consolidated.figures.mode(mode) for mode in shown],
        },
    )
