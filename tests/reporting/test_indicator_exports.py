"""The indicators page as csv and xlsx: every series of the page, for its filters, scoped."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import CompanyFactory, coordinator_of, member_of
from tests.reporting.test_indicators import URL, world  # noqa: F401 - fixture
from tremplin.inclusion.enums import OutcomeCategory

pytestmark = pytest.mark.django_db

KEY = "Chiffres clés"


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="indicateurs-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def by_series(rows: list[list[str]]) -> dict[tuple[str, str], str]:
    return {(row[0], row[1]): row[2] for row in rows[1:]}


def test_the_page_offers_its_export_with_the_filters(world):  # noqa: F811
    page = world.structure.client.get(URL, {"marche": world.contracts["a"].pk}).content.decode()
    assert "Exporter" in page
    assert f"?marche={world.contracts['a'].pk}&amp;format=csv" in page
    assert "format=xlsx" in page


def test_the_csv_holds_every_series_of_the_structure(world):  # noqa: F811
    rows = csv_rows(world.structure.client.get(URL, {"format": "csv"}))

    assert rows[0] == ["Série", "Catégorie", "Valeur", "Unité"]
    values = by_series(rows)
    # 350 h validated on the structure's two contracts; the other structure's 500 h never.
    assert values[(KEY, "Heures d'insertion réalisées")] == "350"
    assert values[(KEY, "Heures d'insertion exigées")] == "1800"
    assert values[(KEY, "Marchés avec clause")] == "2"
    assert values[(KEY, "Personnes avec heures validées")] == "2"
    assert values[(KEY, "ETP, valeur exacte")] == "0,22"
    series = {row[0] for row in rows[1:]}
    for title in (
        "Heures réalisées par mois",
        "Heures attendues par mois",
    ):
        assert title in series
    buyers = [row[1] for row in rows if row[0] == "Heures par acheteur"]
    assert sorted(buyers) == ["Commune d'Acoua", "Commune de Bandrélé"]
    assert "Ville du Sud" not in "".join(cell for row in rows for cell in row)
    # Every bar of the charts is a row, with its unit: p1 left for a durable job.
    exits = {row[1]: row[2:] for row in rows if row[0] == "Situation à la sortie"}
    assert exits[OutcomeCategory.DURABLE_JOB.label] == ["1", "personnes"]


def test_the_export_follows_the_contract_filter(world):  # noqa: F811
    contract = world.contracts["a"]
    rows = csv_rows(world.structure.client.get(URL, {"marche": contract.pk, "format": "csv"}))
    values = by_series(rows)
    assert values[(KEY, "Heures d'insertion réalisées")] == "230"
    assert values[(KEY, "Heures d'insertion exigées")] == "1200"
    assert values[(KEY, "Marchés avec clause")] == "1"


def test_the_export_follows_the_year(world):  # noqa: F811
    rows = csv_rows(world.structure.client.get(URL, {"annee": 2026, "format": "csv"}))
    values = by_series(rows)
    assert values[(KEY, "Période : année 2026")] == ""
    assert values[(KEY, "Heures d'insertion réalisées")] == "50"


def test_another_structures_contract_is_ignored_not_exported(world):  # noqa: F811
    secret = world.contracts["c"]
    rows = csv_rows(world.structure.client.get(URL, {"marche": secret.pk, "format": "csv"}))
    assert by_series(rows)[(KEY, "Heures d'insertion réalisées")] == "350"


def test_the_xlsx_holds_real_numbers(world):  # noqa: F811
    response = world.structure.client.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Indicateurs"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Série", "Catégorie", "Valeur", "Unité")
    values = {(row[0], row[1]): row[2] for row in rows[1:]}
    assert values[(KEY, "Heures d'insertion réalisées")] == 350
    assert values[(KEY, "ETP, valeur exacte")] == pytest.approx(float(Decimal("0.22")))


def test_a_coordinator_exports_aggregates_of_the_whole_network(world, client):  # noqa: F811
    client.force_login(coordinator_of(world.structure.organisation.network))
    rows = csv_rows(client.get(URL, {"format": "csv"}))
    assert by_series(rows)[(KEY, "Heures d'insertion réalisées")] == "850"


def test_a_company_has_no_indicators_to_export(world, client):  # noqa: F811
    company = CompanyFactory(network=world.structure.organisation.network)
    client.force_login(member_of(company))
    assert client.get(URL, {"format": "csv"}).status_code == 404
