"""French formats: figures are grouped (258 000), identifiers in links never are (?buyer=12345)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from tests.factories import BuyerFactory, ContractFactory, HoursEntryFactory, PlacementFactory


def render(source: str, **context: object) -> str:
    return Template("{% load french %}" + source).render(Context(context))


def test_figures_are_grouped_the_french_way():
    assert render("{{ value|hours }}", value=Decimal(258000)) == "258\u00a0000"
    assert render("{{ value|hours }}", value=Decimal("12.50")) == "12,5"
    assert render("{{ value|euros }}", value=Decimal("1234567")) == "1\u00a0234\u00a0567\u00a0€"
    assert render("{{ value|percent }}", value=Decimal("0.05")) == "5\u00a0%"
    assert render("{{ value|whole_fte:1820 }}", value=Decimal(258000)) == "141"


def test_plain_numbers_are_not_grouped_so_that_identifiers_stay_whole():
    assert render("?buyer={{ value }}", value=12345) == "?buyer=12345"


@pytest.mark.django_db
def test_dashboard_links_to_a_buyer_with_a_large_identifier(structure):
    buyer = BuyerFactory(
        pk=12345, network=structure.organisation.network, facilitator=structure.organisation
    )
    contract = ContractFactory(facilitator=structure.organisation, buyer=buyer, hours=700)
    HoursEntryFactory(placement=PlacementFactory(contract=contract))

    page = structure.client.get("/").content.decode()

    assert "?buyer=12345" in page
