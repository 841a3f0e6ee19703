"""« Restant à réaliser » is what each contract still owes, added up: one contract 300 h
ahead of its obligation does not hide 500 h owed on another (500 h, not 2 000 − 1 800 =
200 h). Every page, PDF and spreadsheet that shows it must say 500 h.

And a lot that carries its own clause owes its own hours: a surplus on lot 1 does not pay
lot 2's.
"""

from __future__ import annotations

import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    BuyerFactory,
    ClauseFactory,
    CompanyFactory,
    ContractFactory,
    HoursEntryFactory,
    PlacementFactory,
    member_of,
)
from tremplin.procurement.models import Contract, Lot
from tremplin.procurement.selectors import remaining_hours

NBSP = "\u00a0"


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    text = html.unescape(response.content.decode()).replace(NBSP, " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def validate(contract, hours: int) -> None:  # type: ignore[no-untyped-def]
    """``hours`` validated in March 2025 on a new placement of ``contract``."""
    HoursEntryFactory(
        placement=PlacementFactory(contract=contract),
        month=datetime.date(2025, 3, 1),
        hours_worked=Decimal(hours),
    )


@pytest.fixture
def ahead_and_behind(structure):  # type: ignore[no-untyped-def]
    """One buyer, one company, two contracts of 1 000 h: 1 300 h validated on the first
    (300 h ahead), 500 h on the second (500 h behind)."""
    facilitator = structure.organisation
    buyer = BuyerFactory(network=facilitator.network, facilitator=facilitator, name="Ville")
    company = CompanyFactory(network=facilitator.network, facilitator=facilitator, name="BTP")
    ahead = ContractFactory(
        facilitator=facilitator, buyer=buyer, awarded_company=company, hours=1000
    )
    behind = ContractFactory(
        facilitator=facilitator, buyer=buyer, awarded_company=company, hours=1000
    )
    validate(ahead, 1300)
    validate(behind, 500)
    return buyer, company, ahead, behind


# By hand: max(1 000 − 1 300, 0) + max(1 000 − 500, 0).
OWED = "500 h"


def test_the_database_sum_clamps_each_contract(ahead_and_behind):
    assert remaining_hours(Contract.objects.all()) == Decimal(500)


def test_the_contract_list_total(structure, ahead_and_behind):
    text = text_of(structure.client.get(reverse("procurement:contract_list")))
    assert f"{OWED} restant à réaliser" in text


def test_the_buyer_home(ahead_and_behind):
    buyer = ahead_and_behind[0]
    text = text_of(client_of(member_of(buyer)).get(reverse("home")))
    assert f"dont {OWED} restant à réaliser" in text


def test_the_company_dashboard_and_space(ahead_and_behind):
    company = ahead_and_behind[1]
    client = client_of(member_of(company))
    dashboard = text_of(client.get(reverse("home")))
    assert "500 heures restant à réaliser" in dashboard
    space = text_of(client.get(reverse("company:home")))
    assert f"{OWED} restant à réaliser" in space


def test_the_company_export_owes_each_contract_its_own(ahead_and_behind):
    _, company, ahead, behind = ahead_and_behind
    response = client_of(member_of(company)).get(reverse("company:home"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Heures restant dues")
    owed = {row[0]: row[column] for row in rows[1:]}
    assert owed == {ahead.reference: 0, behind.reference: 500}


def test_the_contract_sheets(structure, ahead_and_behind):
    _, _, ahead, behind = ahead_and_behind
    for contract, owed in ((ahead, "0 h"), (behind, OWED)):
        url = reverse("reporting:contract_sheet", args=[contract.pk]) + "?apercu=1"
        assert f"Restant à réaliser {owed}" in text_of(structure.client.get(url))


def test_the_buyer_impact_report_pdf_and_xlsx(ahead_and_behind):
    client = client_of(member_of(ahead_and_behind[0]))
    text = text_of(client.get(reverse("reporting:impact_report_pdf") + "?apercu=1"))
    assert f"restant à réaliser : {OWED}" in text
    year = text_of(client.get(reverse("reporting:impact_report_pdf") + "?annee=2025&apercu=1"))
    assert f"restant à réaliser au 31/12/2025 : {OWED}" in year
    response = client.get(reverse("reporting:impact_report_xlsx"))
    synthesis = dict(
        row[:2]
        for row in load_workbook(io.BytesIO(response.content))["Synthèse"].iter_rows(
            values_only=True
        )
    )
    assert synthesis["Restant à réaliser"] == 500


def test_the_indicators_page_and_its_export(structure, ahead_and_behind):
    url = reverse("reporting:indicators")
    text = text_of(structure.client.get(url))
    assert f"restant à réaliser : {OWED}" in text
    response = structure.client.get(url, {"format": "xlsx"})
    rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    values = {row[1]: row[2] for row in rows if row[0] == "Chiffres clés"}
    assert values["Restant à réaliser"] == 500


# --- Lots with their own clauses -----------------------------------------------------


@pytest.fixture
def two_lots(structure):  # type: ignore[no-untyped-def]
    """A contract whose two lots carry a clause of 500 h each: 800 h validated on lot 1,
    200 h on lot 2. Lot 1's 300 h surplus does not pay lot 2's 300 h shortfall."""
    contract = ContractFactory(facilitator=structure.organisation, hours_required=1000)
    for number, validated in ((1, 800), (2, 200)):
        lot = Lot.objects.create(contract=contract, number=number, title=f"Lot {number}")
        ClauseFactory(contract=contract, lot=lot, hours_required=500)
        HoursEntryFactory(
            placement=PlacementFactory(contract=contract, lot=lot),
            month=datetime.date(2025, 3, 1),
            hours_worked=Decimal(validated),
        )
    return contract


def test_a_lot_surplus_does_not_pay_another_lot(structure, two_lots):
    assert remaining_hours(Contract.objects.filter(pk=two_lots.pk)) == Decimal(300)
    page = text_of(structure.client.get(reverse("procurement:contract_detail", args=[two_lots.pk])))
    assert "Restant à réaliser 300 h" in page


def test_the_buyer_home_owes_each_lot_its_own(two_lots):
    """The dashboards compute each contract's figure from the rows they read: the same
    300 h as the database's sum."""
    text = text_of(client_of(member_of(two_lots.buyer)).get(reverse("home")))
    assert "dont 300 h restant à réaliser" in text


def test_hours_without_a_lot_pay_the_rest_of_the_contract(structure, two_lots):
    """A contract-wide clause of 400 h beside the lots: 100 h validated on no lot leave
    300 h of it, and the lots still owe their 300 h."""
    ClauseFactory(contract=two_lots, hours_required=400)
    two_lots.hours_required = 1400
    two_lots.save(update_fields=["hours_required"])
    validate(two_lots, 100)
    assert remaining_hours(Contract.objects.filter(pk=two_lots.pk)) == Decimal(600)


def test_the_remaining_hours_up_to_a_day_ignore_later_months(ahead_and_behind):
    contracts = Contract.objects.all()
    assert remaining_hours(contracts, until=datetime.date(2025, 2, 28)) == Decimal(2000)
    assert remaining_hours(contracts, until=datetime.date(2025, 3, 31)) == Decimal(500)
