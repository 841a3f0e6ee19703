"""The SPASER page with both sources: followed contracts and the buyer's DECP records."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import BuyerFactory, ContractFactory, NetworkFactory, member_of
from tremplin.decp.enums import DecpFormatVersion, DecpRecordKind
from tremplin.decp.models import DecpRecord
from tremplin.organisations.models import Network, Organisation

SPASER_URL = reverse("reporting:spaser_report")
_identifiers = itertools.count(1)


def decp_record(
    network: Network,
    buyer: Organisation,
    notified: datetime.date | None,
    amount: str | None = "50000",
    *,
    social: bool = False,
    environmental: bool = False,
    reserved: bool = False,
    **fields: Any,
) -> DecpRecord:
    """A DECP record as the import leaves it."""
    number = next(_identifiers)
    return DecpRecord.objects.create(
        network=network,
        buyer=buyer,
        buyer_siret=buyer.siret,
        identifier=f"DECP-{number:05d}",
        kind=DecpRecordKind.CONTRACT,
        format_version=DecpFormatVersion.V2,
        object=f"Marché publié n° {number}",
        amount=None if amount is None else Decimal(amount),
        notified_on=notified,
        has_social=social or reserved,
        has_environmental=environmental,
        reserved=reserved,
        social_considerations=["Clause sociale"] if social else [],
        environmental_considerations=["Clause environnementale"] if environmental else [],
        content_hash=f"{number:064d}",
        **fields,
    )


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def purchases(structure, network):  # type: ignore[no-untyped-def]
    """2025: two followed contracts (one social) and three records, one of them linked to
    the followed contract without a social consideration (published as social: the
    facilitator's check wins). 2024: four records, one social."""
    mine = structure.organisation
    buyer = BuyerFactory(network=network, facilitator=mine, name="Commune de Mamoudzou")
    ContractFactory(
        facilitator=mine, buyer=buyer, amount_excl_tax=Decimal(100000),
        notified_on=datetime.date(2025, 3, 1),
    )  # fmt: skip
    environmental = ContractFactory(
        facilitator=mine,
        buyer=buyer,
        amount_excl_tax=Decimal(300000),
        notified_on=datetime.date(2025, 6, 1),
        social_clause=False,
        environmental_clause=True,
    )
    decp_record(
        network, buyer, datetime.date(2025, 6, 1), "300000", social=True, contract=environmental
    )
    decp_record(network, buyer, datetime.date(2025, 9, 1), reserved=True)
    decp_record(network, buyer, datetime.date(2025, 10, 1))
    decp_record(network, buyer, datetime.date(2024, 2, 1), social=True)
    for month in (3, 4, 5):
        decp_record(network, buyer, datetime.date(2024, month, 1))
    decp_record(network, buyer, None)  # no date: counted in no year
    return buyer


def _row(html: str, name: str) -> str:
    start = html.index(f'data-purchasing="{name}"')
    return html[start : html.index("</tr>", start)]


def test_the_page_counts_both_sources_and_states_the_target(structure, purchases) -> None:  # type: ignore[no-untyped-def]
    response = structure.client.get(SPASER_URL, {"annee": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    # 4 contracts: 2 followed, 2 records alone (the linked record is its contract).
    assert (
        "<strong>50\u00a0%</strong> des marchés notifiés en 2025 comportent une considération "
        "sociale — objectif national : 30\u00a0%"
    ) in html
    assert "Objectif atteint" in html
    assert "+20,0\u00a0pt" in html  # 50 % against 30 %
    social = _row(html, "social")
    assert ">2<" in social
    assert "50,0\u00a0%" in social
    assert "150\u00a0000\u00a0€" in social
    assert "30,0\u00a0%" in social
    assert "+25,0\u00a0pt" in social  # 25 % in 2024
    assert ">500\u00a0000\u00a0€<" in _row(html, "all")
    assert "25,0\u00a0%" in _row(html, "reserved")
    assert "25,0\u00a0%" in _row(html, "environmental")
    assert '<span data-figure="tracked">2</span> marchés suivis' in html
    assert '<span data-figure="decp">2</span> données DECP seules' in html
    assert "1 donnée DECP sans date de notification n'est comptée dans aucune année" in html


def test_a_record_linked_to_a_followed_contract_counts_once(structure, purchases) -> None:  # type: ignore[no-untyped-def]
    report = structure.client.get(SPASER_URL, {"annee": 2025}).context["report"]
    indicators = report.indicators
    assert indicators.all.count == 4
    assert indicators.all.amount == Decimal(500000)
    assert indicators.social.count == 2  # the record's "social" is not the contract's
    assert indicators.environmental.count == 1


def test_the_trend_shows_each_year_with_its_chart(structure, purchases) -> None:  # type: ignore[no-untyped-def]
    html = structure.client.get(SPASER_URL, {"annee": 2025}).content.decode()
    assert 'id="chart-trend-title"' in html
    assert "<svg" in html
    assert "Objectif national (30\u00a0%)" in html
    start = html.index('data-year="2024"')
    assert "25,0\u00a0%" in html[start : html.index("</tr>", start)]
    assert "−5,0" in html or "-5,0" in html  # 2024: 25 % is 5 points under the target


def test_each_figure_leads_to_its_list(structure, purchases) -> None:  # type: ignore[no-untyped-def]
    html = structure.client.get(SPASER_URL, {"annee": 2025}).content.decode()
    decp_list = reverse("decp:record_list")
    social_link = f"{decp_list}?acheteur={purchases.pk}&amp;annee=2025&amp;sociale=1"
    assert social_link in html
    assert f"{reverse('procurement:contract_list')}?buyer={purchases.pk}" in html
    listed = structure.client.get(
        decp_list, {"acheteur": purchases.pk, "annee": 2025, "sociale": 1}
    )
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 2  # both published as social


def test_the_buyer_counts_its_own_records_of_every_network(network, purchases) -> None:  # type: ignore[no-untyped-def]
    elsewhere = NetworkFactory(name="Réseau voisin", slug="voisin")
    decp_record(elsewhere, purchases, datetime.date(2025, 11, 1), social=True)
    client = client_of(member_of(purchases))
    response = client.get(SPASER_URL, {"annee": 2025})
    assert response.context["report"].indicators.all.count == 5
    # The DECP list is the facilitators' page: no link the buyer could not follow.
    assert reverse("decp:record_list") not in response.content.decode()


def test_a_facilitator_counts_the_records_of_its_own_network_only(structure, purchases) -> None:  # type: ignore[no-untyped-def]
    elsewhere = NetworkFactory(name="Réseau voisin", slug="voisin")
    decp_record(elsewhere, purchases, datetime.date(2025, 11, 1), social=True)
    report = structure.client.get(SPASER_URL, {"annee": 2025}).context["report"]
    assert report.indicators.all.count == 4


def test_the_exports_carry_the_indicators_of_both_sources(structure, purchases) -> None:  # type: ignore[no-untyped-def]
    rows = read_csv(structure.client.get(SPASER_URL, {"annee": 2025, "format": "csv"}))
    by_label = {(row[1], row[2]): row for row in rows[1:]}
    social = by_label[("2025", "Marchés comportant une considération sociale (Tremplin et DECP)")]
    assert social[3:] == ["2", "50", "150000,00", "30"]
    assert by_label[("2024", "Marchés notifiés (Tremplin et DECP)")][3] == "4"
    target = by_label[
        ("2025", "Objectif national : part des marchés avec une considération sociale")
    ]
    assert target[4] == "30"
    assert by_label[("2025", "Écart à l'objectif national (points)")][3] == "20"
    change = "Évolution sur un an de la part des marchés avec une considération sociale (points)"
    assert by_label[("2025", change)][3] == "25"
    workbook = structure.client.get(SPASER_URL, {"annee": 2025, "format": "xlsx"})
    assert workbook.status_code == 200


def test_the_page_costs_the_same_queries_with_more_records(  # type: ignore[no-untyped-def]
    structure, network, purchases, django_assert_max_num_queries
) -> None:
    url = f"{SPASER_URL}?annee=2025&acheteur={purchases.pk}"
    with django_assert_max_num_queries(14):
        assert structure.client.get(url).status_code == 200
    for year in range(2018, 2026):
        contract = ContractFactory(
            facilitator=structure.organisation, buyer=purchases,
            notified_on=datetime.date(year, 5, 1),
        )  # fmt: skip
        decp_record(network, purchases, datetime.date(year, 5, 1), contract=contract)
        decp_record(network, purchases, datetime.date(year, 6, 1), social=True)
    with django_assert_max_num_queries(14):
        assert structure.client.get(url).status_code == 200
