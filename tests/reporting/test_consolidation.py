"""The network's consolidation: structures side by side, counted with the network's rules
(weights and caps per execution mode), the network's total, and their exports."""

from __future__ import annotations

import datetime
import html
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import _structure
from tests.factories import (
    ContractFactory,
    ExecutionModeRuleFactory,
    NetworkFactory,
    PlacementFactory,
    coordinator_of,
)
from tests.reporting.conftest import add_hours
from tremplin.inclusion.enums import ExecutionMode, HoursStatus
from tremplin.inclusion.models import ExecutionModeRule, HoursEntry
from tremplin.reporting.consolidation import network_dashboard

pytestmark = pytest.mark.django_db

CDI = ExecutionMode.DIRECT_CDI
TRAINING = ExecutionMode.TRAINING
TEMP = ExecutionMode.TEMP_AGENCY
NETWORK_URL = reverse("reporting:network_dashboard")
# Session, user, scope, networks, the page's menus, the header's unread notifications;
# seven queries per network with a cap (two of them count the people with validated
# hours); seven for its figures of hiring needs, referrals and pathways.
CONSOLIDATION_QUERIES = 14 + 7


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"[\u00a0\u202f]", " ", html.unescape(response.content.decode()))


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def contract_with(structure, required: int, hours: dict[str, list[int]]):  # type: ignore[no-untyped-def]
    """A contract of ``structure`` with one placement per mode and its validated hours,
    plus declared hours that must never count."""
    contract = ContractFactory(facilitator=structure.organisation, hours=required)
    for mode, amounts in hours.items():
        placement = PlacementFactory(contract=contract, execution_mode=mode)
        add_hours(placement, amounts)
        add_hours(placement, [99], HoursStatus.DECLARED, first_month=len(amounts))
    return contract


def expected_counted(structure_ids: set[int]) -> tuple[Decimal, Decimal]:
    """Validated and counted hours recomputed from the entries, rule by rule."""
    rules = {rule.execution_mode: rule for rule in ExecutionModeRule.objects.all()}
    by_group: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    required: dict[int, int] = {}
    for entry in HoursEntry.objects.filter(status=HoursStatus.VALIDATED).select_related(
        "placement__contract"
    ):
        contract = entry.placement.contract
        if contract.facilitator_id not in structure_ids:
            continue
        by_group[contract.pk, entry.placement.execution_mode] += (
            entry.hours_worked + entry.training_hours
        )
        required[contract.pk] = contract.hours_required
    validated = sum(by_group.values(), Decimal(0))
    counted = Decimal(0)
    for (contract_id, mode), hours in by_group.items():
        rule = rules.get(mode)
        weighted = hours * (rule.weight if rule else 1)
        if rule and rule.cap_share is not None:
            weighted = min(weighted, rule.cap_share * required[contract_id])
        counted += weighted
    return validated, counted


@pytest.fixture
def rules(network):  # type: ignore[no-untyped-def]
    """Training capped at 30 % of a contract's hours, temp work counted for half."""
    ExecutionModeRuleFactory(network=network, execution_mode=TRAINING, cap_share=Decimal("0.3"))
    ExecutionModeRuleFactory(network=network, execution_mode=TEMP, weight=Decimal("0.5"))


@pytest.fixture
def two_structures(network, structure, other_structure, rules):  # type: ignore[no-untyped-def]
    # 400 + min(500, 300) + 200 × 0.5 = 800 of 1 100 validated
    contract_with(structure, 1000, {CDI: [200, 200], TRAINING: [250, 250], TEMP: [200]})
    # min(50, 30) = 30
    contract_with(structure, 100, {TRAINING: [50]})
    # 10 + min(100, 600) + 300 × 0.5 = 260
    contract_with(other_structure, 2000, {CDI: [10], TRAINING: [100], TEMP: [150, 150]})
    return structure, other_structure


@pytest.fixture
def coordinator(network):  # type: ignore[no-untyped-def]
    return logged_in(coordinator_of(network))


# --- Figures ---------------------------------------------------------------------------


def test_each_structure_is_counted_with_the_network_rules(network, two_structures):
    dashboard = network_dashboard(network)

    rows = {row.structure_id: row for row in dashboard.structures}
    for part in two_structures:
        row = rows[part.organisation.pk]
        validated, counted = expected_counted({part.organisation.pk})
        assert row.hours_validated == validated
        assert row.hours_counted == counted
    first, second = (rows[part.organisation.pk] for part in two_structures)
    assert first.hours_validated == 1150
    assert first.hours_counted == 830
    assert second.hours_counted == 260
    assert first.mode(TRAINING).validated == 550
    assert first.mode(TRAINING).counted == 330
    assert first.mode(TEMP).counted == 100
    assert first.hours_required == 1100
    assert first.contracts_with_clause == 2
    assert first.participants == 4


def test_the_total_is_the_sum_of_the_structures(network, two_structures):
    dashboard = network_dashboard(network)

    total = dashboard.total
    assert total.hours_counted == sum(row.hours_counted for row in dashboard.structures)
    assert total.hours_validated == sum(row.hours_validated for row in dashboard.structures)
    assert total.hours_required == sum(row.hours_required for row in dashboard.structures)
    assert total.participants == sum(row.participants for row in dashboard.structures)
    validated, counted = expected_counted({part.organisation.pk for part in two_structures})
    assert (total.hours_validated, total.hours_counted) == (validated, counted)
    assert total.mode(TRAINING).counted == 330 + 100
    # FTE on counted hours with the network's convention.
    assert total.whole_fte == int(counted / network.hours_per_fte)


def test_without_rules_counted_hours_are_the_validated_hours(network, structure):
    contract_with(structure, 100, {TRAINING: [500], TEMP: [40]})

    total = network_dashboard(network).total

    assert total.hours_counted == total.hours_validated == 540


def test_a_year_keeps_that_years_hours(network, structure, rules):
    contract = ContractFactory(
        facilitator=structure.organisation,
        hours=1000,
        execution_start=datetime.date(2025, 11, 1),
        execution_end=datetime.date(2026, 6, 30),
    )
    # November, December 2025, then January 2026.
    add_hours(PlacementFactory(contract=contract, execution_mode=CDI), [10, 20, 40])

    assert network_dashboard(network, year=2025).total.hours_validated == 30
    assert network_dashboard(network, year=2026).total.hours_validated == 40
    assert network_dashboard(network).total.hours_validated == 70
    assert network_dashboard(network, year=2027).total.hours_validated == 0
    assert network_dashboard(network).years == [2026, 2025]


# --- The page ----------------------------------------------------------------------------


def test_the_coordinator_sees_counted_hours_and_the_rules_explained(
    network, two_structures, coordinator
):
    response = coordinator.get(NETWORK_URL)

    assert response.status_code == 200
    page = text(response)
    assert "Heures retenues selon les règles du réseau :" in page
    assert "Action de formation : au plus 30 % des heures exigées du marché" in page
    assert (
        "Mise à disposition par une agence d'intérim : une heure validée compte pour 0,5 h" in page
    )
    row = page.split(f'data-structure="{two_structures[0].organisation.pk}"')[1].split("</tr>")[0]
    assert "1 150" in row
    assert ">830<" in row
    link = reverse("reporting:structure_consolidation", args=[two_structures[0].organisation.pk])
    assert link in row
    total = page.split("Total du réseau")[1].split("</tr>")[0]
    assert ">1 090<" in total  # 830 + 260
    # Aggregates only: no participant's name.
    for entry in HoursEntry.objects.select_related("placement__participant"):
        assert entry.placement.participant.last_name not in page


def test_the_structure_page_lists_its_contracts_with_counted_hours(
    network, two_structures, coordinator
):
    structure = two_structures[0].organisation

    response = coordinator.get(reverse("reporting:structure_consolidation", args=[structure.pk]))

    assert response.status_code == 200
    page = text(response)
    assert page.count("data-contract=") == 2
    assert "retenues 300" in page  # the capped training of the 1 000 h contract
    total = page.split("Total de la structure")[1].split("</tr>")[0]
    assert ">830<" in total


def test_the_query_count_does_not_grow_with_the_structures(
    network, rules, coordinator, django_assert_max_num_queries
):
    for index in range(4):
        part = _structure(network, f"Structure {index}")
        contract_with(part, 1000, {CDI: [10], TRAINING: [500], TEMP: [20]})
        with django_assert_max_num_queries(CONSOLIDATION_QUERIES):
            assert coordinator.get(NETWORK_URL).status_code == 200
        with django_assert_max_num_queries(CONSOLIDATION_QUERIES):
            assert coordinator.get(f"{NETWORK_URL}?annee=2025").status_code == 200


# --- Access ------------------------------------------------------------------------------


def test_a_facilitator_gets_404_and_may_only_read_the_rules(network, two_structures):
    facilitator = two_structures[0]
    pk = facilitator.organisation.pk

    assert facilitator.client.get(NETWORK_URL).status_code == 404
    assert facilitator.client.get(f"{NETWORK_URL}?format=csv").status_code == 404
    url = reverse("reporting:structure_consolidation", args=[pk])
    assert facilitator.client.get(url).status_code == 404
    rules_url = f"{reverse('inclusion:mode_rules')}?reseau={network.slug}"
    assert facilitator.client.get(rules_url).status_code == 200
    assert facilitator.client.post(rules_url, {}).status_code == 403


def test_another_networks_coordinator_gets_404(network, two_structures):
    stranger = logged_in(coordinator_of(NetworkFactory()))
    pk = two_structures[0].organisation.pk

    url = reverse("reporting:structure_consolidation", args=[pk])
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"{url}?format=xlsx").status_code == 404
    # Their own (empty) network only: nothing of this one.
    page = text(stranger.get(NETWORK_URL))
    assert two_structures[0].organisation.name not in page


# --- Exports -----------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return [line.split(";") for line in content.removeprefix("\ufeff").split("\r\n") if line]


def test_the_network_export_has_a_row_per_structure_and_the_total(
    network, two_structures, coordinator
):
    response = coordinator.get(f"{NETWORK_URL}?format=csv&reseau={network.slug}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert header[:5] == [
        "Structure",
        "Marchés avec clause",
        "Heures exigées",
        "Heures validées",
        "Heures retenues",
    ]
    assert "Heures validées — Action de formation" in header
    assert "Heures retenues — Action de formation" in header
    names = sorted(part.organisation.name for part in two_structures)
    assert [row[0] for row in rows] == [*names, "Total du réseau"]
    by_name = {row[0]: row for row in rows}
    first = by_name[two_structures[0].organisation.name]
    assert first[2:5] == ["1100", "1150", "830"]
    assert by_name["Total du réseau"][4] == "1090"
    # FTE with a decimal comma: 1 090 ÷ 1 607.
    fte_column = next(i for i, name in enumerate(header) if name.startswith("ETP"))
    assert by_name["Total du réseau"][fte_column] == "0,68"


def test_the_structure_export_has_a_row_per_contract(network, two_structures, coordinator):
    structure = two_structures[0].organisation
    url = reverse("reporting:structure_consolidation", args=[structure.pk])

    response = coordinator.get(f"{url}?format=xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[:7] == [
        "Référence",
        "Objet",
        "Acheteur",
        "Titulaire",
        "Heures exigées",
        "Heures validées",
        "Heures retenues",
    ]
    assert sorted((row[4], row[5], row[6]) for row in rows) == [(100, 50, 30), (1000, 1100, 800)]
    training = header.index("Heures validées — Action de formation")
    assert sorted(row[training] for row in rows) == [50, 500]

    csv = csv_rows(coordinator.get(f"{url}?format=csv"))
    assert len(csv) == 3
