"""The dashboard in a real browser: sign in, read the figures, follow a link."""

from __future__ import annotations

import datetime

import pytest

from tests.browser.conftest import normalise_spaces, sign_in
from tests.factories import ContractFactory, FacilitatorFactory, PlacementFactory, member_of
from tests.reporting.conftest import add_hours
from tremplin.demo.territories import DEMO_PASSWORD, MAYOTTE_FACILITATOR_EMAIL, load_demo

# Transactional: the live server reads what the test writes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FACTORY_PASSWORD = "motdepasse-solide"


def test_the_mayotte_facilitator_reads_258_000_hours_and_141_fte(page, live_server):
    load_demo()

    sign_in(page, live_server, MAYOTTE_FACILITATOR_EMAIL, DEMO_PASSWORD)

    hours = page.locator("[data-figure=hours] .figure-value")
    fte = page.locator("[data-figure=fte]")
    assert normalise_spaces(hours.inner_text()).strip() == "258 000"
    assert fte.locator(".figure-value").inner_text().strip() == "141"
    assert "1 820 h par ETP" in normalise_spaces(fte.inner_text())
    assert page.title().startswith("Tableau de bord — ")


def test_a_facilitator_opens_a_late_contract_from_the_dashboard(page, live_server):
    facilitator = FacilitatorFactory(name="PLIE du Val")
    user = member_of(facilitator, email="plie@exemple.fr")
    today = datetime.date.today()
    contract = ContractFactory(
        facilitator=facilitator,
        hours=1000,
        reference="2026-CLAUSE-01",
        execution_start=today - datetime.timedelta(days=200),
        execution_end=today + datetime.timedelta(days=165),
    )
    add_hours(PlacementFactory(contract=contract), [40])  # far behind the ~550 h due

    sign_in(page, live_server, user.email, FACTORY_PASSWORD)
    page.get_by_role("link", name="2026-CLAUSE-01", exact=True).click()

    page.wait_for_url(f"{live_server.url}/marches/{contract.pk}/")
    obligation = page.locator(
        "section", has=page.get_by_role("heading", name="Obligation d'insertion")
    )
    assert "1 000" in normalise_spaces(obligation.inner_text())
