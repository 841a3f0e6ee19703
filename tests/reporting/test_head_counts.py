"""Two head-counts, two labels, and one number per label for the same scope and period.

« Personnes suivies »: the people a structure follows, placed or not. « Personnes avec
heures validées »: the distinct people with validated hours in the period. The fixture, by
hand, for 2025:

- six people with validated hours in 2025, one of them on both contracts (counted once);
- one person whose only validated hours are of January 2026;
- one person whose 2025 hours are declared, not validated;
- one person followed without any placement.

So 9 people followed, 6 with validated hours in 2025 (7 over the whole period). Open data
masks counts under 5: 6 is published.
"""

from __future__ import annotations

import datetime
import html
import io
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    BuyerFactory,
    ContractFactory,
    HoursEntryFactory,
    ParticipantFactory,
    PlacementFactory,
    coordinator_of,
    member_of,
)
from tremplin.inclusion.enums import HoursStatus

NBSP = "\u00a0"
FOLLOWED = 9
WITH_HOURS_2025 = 6
WITH_HOURS_EVER = 7


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    text = html.unescape(response.content.decode()).replace(NBSP, " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def hours(placement, month: datetime.date, status: str = HoursStatus.VALIDATED) -> None:  # type: ignore[no-untyped-def]
    HoursEntryFactory(placement=placement, month=month, hours_worked=Decimal(100), status=status)


@pytest.fixture
def people(network, structure):  # type: ignore[no-untyped-def]
    network.publishes_open_data = True
    network.save(update_fields=["publishes_open_data"])
    facilitator = structure.organisation
    buyer = BuyerFactory(network=network, facilitator=facilitator, name="Ville")
    first, second = (
        ContractFactory(facilitator=facilitator, buyer=buyer, hours=2000) for _ in range(2)
    )
    march = datetime.date(2025, 3, 1)
    on_both = PlacementFactory(contract=first)
    hours(on_both, march)
    hours(PlacementFactory(contract=second, participant=on_both.participant), march)
    for _ in range(5):
        hours(PlacementFactory(contract=first), march)
    hours(PlacementFactory(contract=second), datetime.date(2026, 1, 1))
    hours(PlacementFactory(contract=first), march, HoursStatus.DECLARED)
    ParticipantFactory(facilitator=facilitator)
    return buyer


def test_the_facilitator_home_counts_the_people_followed(structure, people):
    text = text_of(structure.client.get(reverse("home")))
    assert f"{FOLLOWED} personnes suivies" in text


def test_the_indicators_page_and_exports_count_people_with_hours(structure, people):
    url = reverse("reporting:indicators")
    assert f"{WITH_HOURS_2025} personnes avec heures validées" in text_of(
        structure.client.get(url, {"annee": 2025})
    )
    assert f"{WITH_HOURS_EVER} personnes avec heures validées" in text_of(structure.client.get(url))
    response = structure.client.get(url, {"annee": 2025, "format": "xlsx"})
    rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    values = {row[1]: row[2] for row in rows if row[0] == "Chiffres clés"}
    assert values["Personnes avec heures validées"] == WITH_HOURS_2025


def test_the_buyer_report_pdf_and_xlsx(people):
    client = client_of(member_of(people))
    pdf = text_of(client.get(reverse("reporting:impact_report_pdf") + "?annee=2025&apercu=1"))
    assert f"{WITH_HOURS_2025} personnes avec heures validées" in pdf
    assert "Personnes avec heures validées : Personnes distinctes ayant" in pdf
    response = client.get(reverse("reporting:impact_report_xlsx") + "?annee=2025")
    synthesis = dict(
        row[:2]
        for row in load_workbook(io.BytesIO(response.content))["Synthèse"].iter_rows(
            values_only=True
        )
    )
    assert synthesis["Personnes avec heures validées"] == WITH_HOURS_2025
    assert synthesis["Définition : Personnes avec heures validées"].startswith(
        "Personnes distinctes"
    )


def test_the_network_consolidation_shows_both_counts(network, structure, people):
    coordinator = client_of(coordinator_of(network))
    url = reverse("reporting:network_dashboard")
    text = text_of(coordinator.get(url, {"annee": 2025}))
    assert f"{FOLLOWED} personnes suivies" in text
    assert f"{WITH_HOURS_2025} personnes avec heures validées" in text
    text = text_of(coordinator.get(url))
    assert f"{FOLLOWED} personnes suivies" in text
    assert f"{WITH_HOURS_EVER} personnes avec heures validées" in text
    page = reverse("reporting:structure_consolidation", args=[structure.organisation.pk])
    text = text_of(coordinator.get(page, {"annee": 2025}))
    assert f"{FOLLOWED} personnes suivies" in text
    assert f"{WITH_HOURS_2025} personnes avec heures validées" in text
    response = coordinator.get(url, {"annee": 2025, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, total = rows[0], rows[-1]
    assert total[header.index("Personnes suivies")] == FOLLOWED
    assert total[header.index("Personnes avec heures validées")] == WITH_HOURS_2025


def test_open_data_publishes_the_same_count_under_the_same_label(network, people):
    anonymous = Client()
    document = json.loads(
        anonymous.get(
            reverse("opendata:network_json", args=[network.slug]), {"annee": 2025}
        ).content
    )
    figure = next(item for item in document["indicateurs"] if item["cle"] == "participants")
    assert figure["libelle"] == "Personnes avec heures validées"
    assert figure["valeur"] == WITH_HOURS_2025
    page = text_of(anonymous.get(reverse("opendata:network", args=[network.slug]), {"annee": 2025}))
    assert f"{WITH_HOURS_2025} Personnes avec heures validées" in page
    schema = anonymous.get(reverse("opendata:schema")).content.decode()
    assert "Personnes avec heures validées" in schema
