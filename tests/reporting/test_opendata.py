"""Open data: public pages, csv and JSON of a network and of its buyers, never identifying."""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    BuyerFactory,
    ContractFactory,
    FacilitatorFactory,
    HoursEntryFactory,
    NetworkFactory,
    ParticipantFactory,
    PlacementFactory,
)
from tests.reporting.test_spaser_page import decp_record
from tremplin.inclusion.enums import HoursStatus
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.models import Contract
from tremplin.reporting.opendata_schema import FIGURE_KEYS, PURCHASING_FIELDS, SCHEMA

YEAR = 2024


def _place(contract, participants: int, sex: str = "F", hours: int = 100, year: int = YEAR):  # type: ignore[no-untyped-def]
    """``participants`` new people, each with one validated month of ``hours`` on ``contract``."""
    people = []
    for _ in range(participants):
        person = ParticipantFactory(facilitator=contract.facilitator, sex=sex)
        placement = PlacementFactory(contract=contract, participant=person)
        HoursEntryFactory(
            placement=placement, month=datetime.date(year, 3, 1), hours_worked=Decimal(hours)
        )
        people.append(person)
    return people


class Territory:
    """Buyer A: 5 women and 1 man (600 h); buyer B: 2 women (200 h). 8 persons, 800 h."""

    def __init__(self, network: Network) -> None:
        self.network = network
        facilitator = FacilitatorFactory(network=network, name="Chambre de l'ESS")
        self.buyer_a = BuyerFactory(network=network, facilitator=facilitator, name="Commune A")
        self.buyer_b = BuyerFactory(network=network, facilitator=facilitator, name="Commune B")
        contract_a = ContractFactory(facilitator=facilitator, buyer=self.buyer_a, hours=2000)
        contract_b = ContractFactory(facilitator=facilitator, buyer=self.buyer_b, hours=1000)
        self.people = _place(contract_a, 5) + _place(contract_a, 1, sex="M")
        self.people += _place(contract_b, 2)
        # Hours not validated never count.
        HoursEntryFactory(
            placement=PlacementFactory(contract=contract_b),
            month=datetime.date(YEAR, 4, 1),
            hours_worked=Decimal(999),
            status=HoursStatus.DECLARED,
        )


@pytest.fixture
def territory(db) -> Territory:  # type: ignore[no-untyped-def]
    network = NetworkFactory(name="Réseau ouvert", slug="ouvert", hours_per_fte=100)
    return Territory(network)


@pytest.fixture
def anonymous() -> Client:
    return Client()


def _json(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _figures(document: dict[str, Any]) -> dict[str, Any]:
    return {figure["cle"]: figure["valeur"] for figure in document["indicateurs"]}


def _series(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(series for series in document["series"] if series["cle"] == key)


def _values(series: dict[str, Any]) -> dict[str, Any]:
    return {value["libelle"]: value["valeur"] for value in series["valeurs"]}


def _check(value: Any, schema: dict[str, Any], path: str = "$") -> None:
    """Structural validation against the subset of JSON Schema the schema uses."""
    types = schema.get("type")
    if types is not None:
        allowed = types if isinstance(types, list) else [types]
        python = {
            "object": dict,
            "array": list,
            "string": str,
            "integer": int,
            "number": (int, float),
            "boolean": bool,
            "null": type(None),
        }
        assert any(
            isinstance(value, python[kind])
            and not (kind in ("integer", "number") and isinstance(value, bool))
            for kind in allowed
        ), f"{path}: {value!r} is not {allowed}"
    if "const" in schema:
        assert value == schema["const"], path
    if "enum" in schema:
        assert value in schema["enum"], path
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "minimum" in schema:
        assert value >= schema["minimum"], path
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "maximum" in schema:
        assert value <= schema["maximum"], path
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: {key} missing"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(properties), f"{path}: {set(value) - set(properties)}"
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], f"{path}[{index}]")


def _person_counts(document: dict[str, Any]) -> list[int]:
    """Every published figure that counts persons, or rests on them."""
    counts = [_figures(document)["participants"]]
    for series in document["series"]:
        if series["unite"] == "personnes":
            counts += [value["valeur"] for value in series["valeurs"]] + [series["total"]]
    return [count for count in counts if count is not None]


# --- Access ------------------------------------------------------------------------------


def test_anonymous_visitors_read_every_open_data_page(territory, anonymous):
    slug = territory.network.slug
    urls = [
        reverse("opendata:index"),
        reverse("opendata:schema"),
        reverse("opendata:network", args=[slug]),
        reverse("opendata:network", args=[slug]) + "?format=csv",
        reverse("opendata:network_json", args=[slug]),
        reverse("opendata:buyer", args=[slug, territory.buyer_a.pk]),
        reverse("opendata:buyer_json", args=[slug, territory.buyer_a.pk]),
    ]
    for url in urls:
        assert anonymous.get(url).status_code == 200, url
    index = anonymous.get(reverse("opendata:index")).content.decode()
    assert "Réseau ouvert" in index
    assert "Se déconnecter" not in index


def test_a_network_that_does_not_publish_is_not_found(territory, anonymous):
    Network.objects.filter(pk=territory.network.pk).update(publishes_open_data=False)
    slug = territory.network.slug
    assert "Réseau ouvert" not in anonymous.get(reverse("opendata:index")).content.decode()
    for url in [
        reverse("opendata:network", args=[slug]),
        reverse("opendata:network_json", args=[slug]),
        reverse("opendata:buyer", args=[slug, territory.buyer_a.pk]),
        reverse("opendata:buyer_json", args=[slug, territory.buyer_a.pk]),
    ]:
        assert anonymous.get(url).status_code == 404, url


def test_a_buyer_of_another_network_is_not_found(territory, anonymous):
    stranger = BuyerFactory(network=NetworkFactory(slug="ailleurs"))
    url = reverse("opendata:buyer", args=[territory.network.slug, stranger.pk])
    assert anonymous.get(url).status_code == 404


def test_the_public_pages_are_not_changed_by_post(territory, anonymous):
    url = reverse("opendata:network", args=[territory.network.slug])
    assert anonymous.post(url).status_code == 405


# --- Figures and statistical secrecy -----------------------------------------------------


def test_network_json_follows_its_schema_and_gives_the_headline_figures(territory, anonymous):
    document = _json(anonymous, reverse("opendata:network_json", args=["ouvert"]))
    _check(document, SCHEMA)
    assert document["$schema"].endswith(reverse("opendata:schema"))
    assert document["licence"]["nom"] == "Licence Ouverte 2.0"
    figures = _figures(document)
    assert [figure["cle"] for figure in document["indicateurs"]] == list(FIGURE_KEYS)
    assert figures["heures_insertion"] == 800
    assert figures["etp"] == 8  # 800 h at 100 h per FTE
    assert figures["marches_avec_clause"] == 2
    assert figures["participants"] == 8
    assert figures["acheteurs"] == 2


def test_no_count_of_one_to_four_persons_is_published(territory, anonymous):
    document = _json(anonymous, reverse("opendata:network_json", args=["ouvert"]))
    counts = _person_counts(document)
    assert counts, "the document publishes person counts"
    assert not [count for count in counts if 1 <= count <= 4]
    # 7 women and 1 man: the man is masked, and the women too, or 8 - 7 would give him away.
    by_sex = _series(document, "participants_par_sexe")
    assert by_sex["total"] == 8
    assert all(value["masque"] for value in by_sex["valeurs"])


def test_hours_of_fewer_than_five_persons_are_masked_and_totals_stay_exact(territory, anonymous):
    document = _json(anonymous, reverse("opendata:network_json", args=["ouvert"]))
    by_buyer = _series(document, "heures_par_acheteur")
    # Buyer B's 200 h rest on 2 persons; buyer A's 600 h are masked with them, so that
    # 800 - 600 does not give B's hours away. The total is exact.
    assert _values(by_buyer) == {"Commune A": None, "Commune B": None}
    assert by_buyer["total"] == 800
    for series in document["series"]:
        if series["additive"] and not series["total_masque"]:
            masked = [value for value in series["valeurs"] if value["masque"]]
            assert len(masked) != 1, series["cle"]


def test_the_buyer_page_shows_only_that_buyers_figures(territory, anonymous):
    slug = territory.network.slug
    document_a = _json(anonymous, reverse("opendata:buyer_json", args=[slug, territory.buyer_a.pk]))
    assert document_a["acheteur"]["nom"] == "Commune A"
    assert _figures(document_a)["heures_insertion"] == 600
    assert _figures(document_a)["participants"] == 6
    assert "heures_par_acheteur" not in {series["cle"] for series in document_a["series"]}
    # Buyer B: 2 persons; their count and their hours are masked, and so are the FTE.
    document_b = _json(anonymous, reverse("opendata:buyer_json", args=[slug, territory.buyer_b.pk]))
    figures_b = _figures(document_b)
    assert figures_b["participants"] is None
    assert figures_b["heures_insertion"] is None
    assert figures_b["etp"] is None
    assert figures_b["marches_avec_clause"] == 1
    page = anonymous.get(reverse("opendata:buyer", args=[slug, territory.buyer_b.pk]))
    content = page.content.decode()
    assert "Commune B" in content
    assert "Commune A" not in content
    assert "&lt; 5" in content


def test_the_network_page_shows_the_figures_and_the_mark(territory, anonymous):
    content = anonymous.get(reverse("opendata:network", args=["ouvert"])).content.decode()
    assert "800" in content
    assert "&lt; 5" in content
    assert 'href="/donnees-ouvertes/ouvert/donnees.json"' in content
    assert "?format=csv" in content
    assert reverse("opendata:buyer", args=["ouvert", territory.buyer_b.pk]) in content


def test_csv_gives_the_same_figures_with_masked_values_empty(territory, anonymous):
    response = anonymous.get(reverse("opendata:network", args=["ouvert"]) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    headline = {row["Clé"]: row for row in rows if row["Tableau"] == "indicateurs"}
    assert headline["heures_insertion"]["Valeur"] == "800"
    assert headline["participants"]["Valeur"] == "8"
    by_buyer = {row["Libellé"]: row for row in rows if row["Tableau"] == "heures_par_acheteur"}
    assert by_buyer["Commune B"]["Valeur"] == ""
    assert by_buyer["Commune B"]["Masquée"] == "oui"
    assert by_buyer["Total"]["Valeur"] == "800"
    persons = [row["Valeur"] for row in rows if row["Unité"] == "personnes" and row["Valeur"]]
    assert not [value for value in persons if value in {"1", "2", "3", "4"}]


def test_no_name_nor_birth_date_is_published(territory, anonymous):
    slug = territory.network.slug
    urls = [
        reverse("opendata:network", args=[slug]),
        reverse("opendata:network", args=[slug]) + "?format=csv",
        reverse("opendata:network_json", args=[slug]),
        reverse("opendata:buyer", args=[slug, territory.buyer_b.pk]),
        reverse("opendata:buyer_json", args=[slug, territory.buyer_b.pk]),
    ]
    for url in urls:
        content = anonymous.get(url).content.decode("utf-8-sig")
        for person in territory.people:
            assert person.last_name not in content, url
            assert person.birth_date.strftime("%d/%m/%Y") not in content, url
            assert person.birth_date.isoformat() not in content, url


def test_the_year_filter_keeps_the_hours_of_that_year(territory, anonymous):
    contract = ContractFactory(
        facilitator=Organisation.objects.get(name="Chambre de l'ESS"), buyer=territory.buyer_a
    )
    _place(contract, 5, hours=40, year=YEAR + 1)
    url = reverse("opendata:network_json", args=["ouvert"])
    assert _figures(_json(anonymous, url))["heures_insertion"] == 1000
    assert _figures(_json(anonymous, f"{url}?annee={YEAR + 1}"))["heures_insertion"] == 200
    assert _figures(_json(anonymous, f"{url}?annee={YEAR}"))["heures_insertion"] == 800
    by_year = _series(_json(anonymous, url), "heures_par_annee")
    assert _values(by_year) == {str(YEAR): 800, str(YEAR + 1): 200}
    page = anonymous.get(reverse("opendata:network", args=["ouvert"]) + f"?annee={YEAR + 1}")
    assert f'<option value="{YEAR + 1}" selected>' in page.content.decode()


def test_another_networks_data_never_appears(territory, anonymous):
    Territory(NetworkFactory(name="Réseau voisin", slug="voisin"))
    document = _json(anonymous, reverse("opendata:network_json", args=["ouvert"]))
    assert _figures(document)["heures_insertion"] == 800
    assert _figures(document)["participants"] == 8
    assert _figures(document)["acheteurs"] == 2


def test_the_number_of_queries_does_not_grow_with_the_data(territory, anonymous):
    url = reverse("opendata:network", args=["ouvert"])
    with CaptureQueriesContext(connection) as small:
        assert anonymous.get(url).status_code == 200
    facilitator = Organisation.objects.get(name="Chambre de l'ESS")
    for index in range(3):
        buyer = BuyerFactory(network=territory.network, facilitator=facilitator)
        _place(ContractFactory(facilitator=facilitator, buyer=buyer), 6, year=YEAR - index)
    with CaptureQueriesContext(connection) as large:
        assert anonymous.get(url).status_code == 200
    assert len(large) == len(small)


# --- Responsible purchasing (SPASER) ----------------------------------------------------


@pytest.fixture
def published_contracts(territory: Territory) -> Territory:
    """Beside the two followed contracts (2025, social, 1 000 000 € each): a record linked
    to one of them, published without social consideration (the followed contract wins), a
    2025 record without consideration, a 2024 social one, and one of another network."""
    network = territory.network
    followed = Contract.objects.get(buyer=territory.buyer_a)
    decp_record(
        network, territory.buyer_a, datetime.date(2025, 1, 15), "1000000", contract=followed
    )
    decp_record(network, territory.buyer_a, datetime.date(2025, 5, 1), "500000")
    decp_record(network, territory.buyer_b, datetime.date(2024, 5, 1), "200000", social=True)
    elsewhere = NetworkFactory(name="Réseau voisin", slug="voisin")
    decp_record(elsewhere, territory.buyer_a, datetime.date(2025, 5, 1), social=True)
    return territory


def _purchasing_years(document: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {year["annee"]: year for year in document["achats_responsables"]["annees"]}


def test_network_json_publishes_the_purchasing_indicators_of_every_year(
    published_contracts, anonymous
):
    document = _json(anonymous, reverse("opendata:network_json", args=["ouvert"]))
    _check(document, SCHEMA)
    purchasing = document["achats_responsables"]
    assert purchasing["objectif_part_sociale"] == 30
    years = _purchasing_years(document)
    assert list(years) == [2024, 2025]
    assert set(years[2025]) == {"annee", *(key for key, _, _ in PURCHASING_FIELDS)}
    # 2025: the two followed contracts and one record alone; the linked record counts once.
    assert (years[2025]["marches"], years[2025]["marches_suivis"], years[2025]["donnees_decp"]) == (
        3,
        2,
        1,
    )
    assert years[2025]["montant"] == 2500000
    assert years[2025]["marches_sociaux"] == 2
    assert years[2025]["part_marches_sociaux"] == 66.7
    assert years[2025]["part_montant_social"] == 80
    assert years[2025]["ecart_objectif"] == 36.7
    assert years[2025]["evolution_part_sociale"] == -33.3
    assert years[2024]["part_marches_sociaux"] == 100
    assert years[2024]["evolution_part_sociale"] is None


def test_a_buyer_and_a_year_publish_only_their_purchases(published_contracts, anonymous):
    buyer = published_contracts.buyer_a
    url = reverse("opendata:buyer_json", args=["ouvert", buyer.pk])
    document = _json(anonymous, f"{url}?annee=2025")
    _check(document, SCHEMA)
    years = _purchasing_years(document)
    assert list(years) == [2025]
    assert (years[2025]["marches"], years[2025]["marches_sociaux"]) == (2, 1)
    assert years[2025]["part_marches_sociaux"] == 50


def test_the_purchasing_indicators_are_on_the_page_and_in_the_csv(published_contracts, anonymous):
    url = reverse("opendata:network", args=["ouvert"])
    html = anonymous.get(url).content.decode()
    start = html.index('data-year="2025"')
    row = html[start : html.index("</tr>", start)]
    assert "66,7\u00a0%" in row
    assert "+36,7\u00a0pt" in row
    assert "2\u00a0500\u00a0000\u00a0€" in row
    assert "Objectif national : 30\u00a0%" in html
    response = anonymous.get(url, {"format": "csv"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    by_key = {(row[3], row[4]): row for row in rows[1:]}
    share = by_key[("achats_responsables_2025", "part_marches_sociaux")]
    assert share[5:] == [
        "Part des marchés avec une considération sociale (2025)",
        "66,7",
        "%",
        "non",
    ]
    assert by_key[("achats_responsables_2024", "evolution_part_sociale")][6] == ""


def test_a_network_that_does_not_publish_publishes_no_purchasing(published_contracts, anonymous):
    Network.objects.filter(pk=published_contracts.network.pk).update(publishes_open_data=False)
    assert anonymous.get(reverse("opendata:network_json", args=["ouvert"])).status_code == 404


def _home_figures(client: Client, slug: str) -> dict[str, str]:
    page = client.get("/").content.decode()
    item = re.search(rf'data-network="{slug}">(.*?)</li>', page, re.S)
    assert item, "the public home lists the network"
    return {
        key: re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", value))).strip()
        for key, value in re.findall(r'data-figure="([a-z_]+)">(.*?)</dd>', item.group(1), re.S)
    }


def test_the_public_home_gives_each_network_its_open_data_headlines(territory, anonymous):
    # 800 h validated, 8 FTE at 100 h, 2 contracts with a clause: the network page's figures.
    assert _home_figures(anonymous, "ouvert") == {
        "heures_insertion": "800 h",
        "etp": "8",
        "marches_avec_clause": "2",
    }


def test_the_public_home_never_shows_hours_that_the_network_page_masks(db, anonymous):
    network = NetworkFactory(name="Petit réseau", slug="petit", hours_per_fte=100)
    facilitator = FacilitatorFactory(network=network)
    contract = ContractFactory(facilitator=facilitator, hours=500)
    for _ in range(2):  # 2 persons: their hours are secret
        HoursEntryFactory(
            placement=PlacementFactory(contract=contract),
            month=datetime.date(YEAR, 3, 1),
            hours_worked=Decimal(120),
        )

    figures = _home_figures(anonymous, "petit")

    assert figures["heures_insertion"] == "secret"
    assert figures["etp"] == "secret"
    assert "240" not in anonymous.get("/").content.decode()
