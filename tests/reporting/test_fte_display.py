"""FTE under 1 show their value: a contract sheet with 300 validated hours at 1 607 h per
FTE reads « 0,19 ETP » (300 ÷ 1 607 = 0,1867), never « 0 ETP »; the headline sentence of
a report keeps counting complete FTE only."""

from __future__ import annotations

import html
from decimal import Decimal

from django.template import Context, Template
from django.urls import reverse

from tests.factories import ContractFactory, HoursEntryFactory, PlacementFactory

NBSP = "\u00a0"


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode()).replace(NBSP, " ")


def render(template: str, **context: object) -> str:
    rendered = Template("{% load french %}" + template).render(Context(context))
    return html.unescape(rendered).replace(NBSP, " ")


def test_the_contract_sheet_shows_a_fraction_of_an_fte(structure):
    contract = ContractFactory(facilitator=structure.organisation, hours=1500)
    HoursEntryFactory(placement=PlacementFactory(contract=contract), hours_worked=Decimal(300))
    url = reverse("reporting:contract_sheet", args=[contract.pk]) + "?apercu=1"
    text = text_of(structure.client.get(url))
    assert '<td class="num">0,19 ETP</td>' in text
    assert '<td class="num">0 ETP</td>' not in text


def test_the_fte_filter_keeps_hundredths_and_never_reads_zero_for_some_hours():
    assert render("{{ hours|fte:1607 }}", hours=Decimal(300)) == "0,19"
    assert render("{{ hours|fte:1820 }}", hours=Decimal(258_000)) == "141,76"
    assert render("{{ hours|fte:1607 }}", hours=Decimal(3)) == "< 0,01"
    assert render("{{ hours|fte:1607 }}", hours=Decimal(0)) == "0,00"


def test_the_headline_still_counts_complete_fte():
    assert render("{{ hours|whole_fte:1820 }}", hours=Decimal(258_000)) == "141"
