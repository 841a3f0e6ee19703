"""The indicators page in a real browser: filter by year, read the figure, open a chart's data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.browser.conftest import normalise_spaces, sign_in
from tests.factories import (
    ContractFactory,
    FacilitatorFactory,
    HoursEntryFactory,
    PlacementFactory,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FACTORY_PASSWORD = "motdepasse-solide"


def test_a_facilitator_narrows_the_indicators_to_one_year(page, live_server):
    facilitator = FacilitatorFactory(name="PLIE du Val")
    user = member_of(facilitator, email="plie@exemple.fr")
    contract = ContractFactory(
        facilitator=facilitator,
        hours=2000,
        execution_start=datetime.date(2024, 1, 1),
        execution_end=datetime.date(2025, 12, 31),
    )
    placement = PlacementFactory(contract=contract)
    HoursEntryFactory(
        placement=placement, month=datetime.date(2024, 3, 1), hours_worked=Decimal(1200)
    )
    HoursEntryFactory(
        placement=placement, month=datetime.date(2025, 3, 1), hours_worked=Decimal(100)
    )

    sign_in(page, live_server, user.email, FACTORY_PASSWORD)
    page.goto(f"{live_server.url}/impact/indicateurs/")
    hours = page.locator("[data-figure=hours] .figure-value")
    assert normalise_spaces(hours.inner_text()).strip() == "1 300"

    page.get_by_label("Période").select_option("2025")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**annee=2025**")

    assert normalise_spaces(hours.inner_text()).strip() == "100"
    assert "2025" in page.locator("#resultats .lead").inner_text()
    page.locator("details.chart-data summary").first.click()
    table = page.locator("details.chart-data table").first
    assert table.is_visible()
    assert "Mars 2025\t100" in normalise_spaces(table.inner_text())
