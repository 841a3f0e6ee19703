"""The contract list filtered by progress status (late, on track…) and by clause."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ContractFactory, HoursEntryFactory, PlacementFactory
from tests.procurement.conftest import text

pytestmark = pytest.mark.django_db

LIST_URL = reverse("procurement:contract_list")
TODAY = datetime.date.today()
YEAR_AGO = TODAY - datetime.timedelta(days=365)
YEAR_AHEAD = TODAY + datetime.timedelta(days=365)


def running_contract(facilitator, *, required: int, validated: int, **fields):  # type: ignore[no-untyped-def]
    """A contract half executed (a year done, a year to go) with ``validated`` hours."""
    fields.setdefault("execution_start", YEAR_AGO)
    fields.setdefault("execution_end", YEAR_AHEAD)
    contract = ContractFactory(facilitator=facilitator, hours=required or None, **fields)
    if validated:
        HoursEntryFactory(
            placement=PlacementFactory(contract=contract), hours_worked=Decimal(validated)
        )
    return contract


@pytest.fixture
def contracts(structure):  # type: ignore[no-untyped-def]
    """One contract of each status, and a contract without a clause."""
    facilitator = structure.organisation
    return {
        # About 500 h are due by today: 10 are validated.
        "late": running_contract(facilitator, required=1000, validated=10, title="Voirie"),
        "on_track": running_contract(facilitator, required=1000, validated=500, title="Collège"),
        "met": running_contract(facilitator, required=1000, validated=1000, title="Piscine"),
        "exceeded": running_contract(facilitator, required=1000, validated=1200, title="Port"),
        "not_started": running_contract(
            facilitator,
            required=800,
            validated=0,
            title="Médiathèque",
            execution_start=TODAY + datetime.timedelta(days=30),
            execution_end=YEAR_AHEAD,
        ),
        "no_clause": running_contract(facilitator, required=0, validated=0, title="Études"),
    }


def references(page: str) -> set[str]:
    """The references of the contracts listed in the table."""
    return set(re.findall(r'class="fw-semibold">([^<]+)</a>', page))


def count_figure(page: str) -> str:
    match = re.search(r'figure-value">([^<]+)</div>\s*<div class="figure-label">marché', page)
    assert match
    return match.group(1)


def test_the_status_filter_shows_only_late_contracts(structure, contracts):
    page = text(structure.client.get(LIST_URL, {"status": "late"}))

    assert references(page) == {contracts["late"].reference}
    assert "En retard" in page
    # The totals above the table follow the filter.
    assert count_figure(page) == "1"
    assert "1 000 h" in page  # required
    assert ">10 h<" in page  # validated
    assert "(filtrés)" in page


def test_each_status_finds_its_contracts(structure, contracts):
    for status in ("on_track", "met", "exceeded"):
        page = text(structure.client.get(LIST_URL, {"status": status}))
        assert references(page) == {contracts[status].reference}, status
    page = text(structure.client.get(LIST_URL, {"status": "not_started"}))
    # A contract without a clause has not started either…
    assert references(page) == {
        contracts["not_started"].reference,
        contracts["no_clause"].reference,
    }
    # …unless only contracts with a clause are asked for, as the dashboard does.
    page = text(structure.client.get(LIST_URL, {"status": "not_started", "clause": "with"}))
    assert references(page) == {contracts["not_started"].reference}
    assert count_figure(page) == "1"


def test_the_status_filter_combines_with_the_others(structure, contracts):
    page = text(structure.client.get(LIST_URL, {"status": "late", "q": "piscine"}))
    assert references(page) == set()
    assert "Aucun marché ne correspond." in page
    assert count_figure(page) == "0"

    page = text(structure.client.get(LIST_URL, {"clause": "without"}))
    assert references(page) == {contracts["no_clause"].reference}


def test_the_filter_form_offers_each_status_in_french(structure, contracts):
    page = text(structure.client.get(LIST_URL, {"status": "met"}))

    assert '<label class="form-label" for="id_status">Avancement</label>' in page
    for value, label in [
        ("not_started", "Non démarré"),
        ("on_track", "Dans les temps"),
        ("late", "En retard"),
        ("met", "Atteint"),
        ("exceeded", "Dépassé"),
    ]:
        assert re.search(rf'<option value="{value}"( selected)?>{label}</option>', page)
    assert '<option value="met" selected>Atteint</option>' in page


def test_an_unknown_status_is_ignored(structure, contracts):
    page = text(structure.client.get(LIST_URL, {"status": "perdu"}))

    assert references(page) == {contract.reference for contract in contracts.values()}


def test_late_contracts_are_paginated(structure, monkeypatch):
    monkeypatch.setattr("tremplin.procurement.views.PAGE_SIZE", 2)
    late = [
        running_contract(structure.organisation, required=1000, validated=index + 1)
        for index in range(3)
    ]
    running_contract(structure.organisation, required=1000, validated=600)  # on track

    first = text(structure.client.get(LIST_URL, {"status": "late"}))
    second = text(structure.client.get(LIST_URL, {"status": "late", "page": 2}))

    assert "Page 1 sur 2" in first
    assert count_figure(first) == "3"
    assert "?status=late&page=2" in first
    assert len(references(first)) == 2
    assert len(references(second)) == 1
    assert references(first) | references(second) == {contract.reference for contract in late}


def test_the_status_filter_does_not_query_per_contract(structure):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = structure.client.get(LIST_URL, {"status": "late"})
            assert response.status_code == 200
        return len(captured)

    running_contract(structure.organisation, required=1000, validated=10)
    few = queries()
    for _ in range(8):
        running_contract(structure.organisation, required=1000, validated=10)
        running_contract(structure.organisation, required=1000, validated=700)

    assert queries() == few
