"""The organisations list as csv and xlsx: the tab and search of the page, every row."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import BuyerFactory, CompanyFactory, ContractFactory, NetworkFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("organisations:organisation_list")


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(LIST_URL, {"format": "xlsx"})
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_the_list_offers_its_exports(structure):
    page = structure.client.get(LIST_URL, {"kind": "buyer"}).content.decode()
    assert "Exporter" in page
    assert "?kind=buyer&amp;format=csv" in page


def test_csv_holds_the_tab_s_organisations_with_their_totals(structure):
    network = structure.organisation.network
    buyer = BuyerFactory(network=network, name="Commune de Bandraboua", city="Bandraboua")
    company = CompanyFactory(network=network, name="Colas Mayotte")
    ContractFactory(
        facilitator=structure.organisation, buyer=buyer, awarded_company=company, hours=700
    )
    ContractFactory(facilitator=structure.organisation, buyer=buyer, hours=1300)
    BuyerFactory(network=NetworkFactory(), name="Commune d'ailleurs")

    response = structure.client.get(LIST_URL, {"kind": "buyer", "format": "csv"})

    assert response["Content-Disposition"].startswith('attachment; filename="organisations-')
    rows = csv_rows(response)
    assert rows[0] == ["Raison sociale", "Type", "SIRET", "Commune", "Marchés", "Heures exigées"]
    names = [row[0] for row in rows[1:]]
    assert "Colas Mayotte" not in names
    assert "Commune d'ailleurs" not in names
    row = next(row for row in rows[1:] if row[0] == "Commune de Bandraboua")
    assert row[1] == buyer.get_kind_display()
    assert row[2] == buyer.siret
    assert row[3:] == ["Bandraboua", "2", "2000"]


def test_xlsx_holds_numbers_as_numbers(structure):
    buyer = BuyerFactory(network=structure.organisation.network, name="Commune de Bandraboua")
    ContractFactory(facilitator=structure.organisation, buyer=buyer, hours=1300)

    response = structure.client.get(LIST_URL, {"q": "Bandraboua", "format": "xlsx"})

    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][0] == "Commune de Bandraboua"
    assert rows[1][4:] == (1, 1300)


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_rows(structure, django_assert_max_num_queries, export):
    network = structure.organisation.network
    for _ in range(3):
        BuyerFactory(network=network)
    with CaptureQueriesContext(connection) as few:
        csv_rows(structure.client.get(LIST_URL, {"format": "csv"}))
    for _ in range(27):
        BuyerFactory(network=network)
    with django_assert_max_num_queries(len(few)):
        response = structure.client.get(LIST_URL, {"format": export})
    assert response.status_code == 200


# One organisation's contracts ---------------------------------------------------------------


def test_an_organisation_s_contracts_are_exported_in_the_user_s_scope(structure, other_structure):
    network = structure.organisation.network
    company = CompanyFactory(network=network, name="Colas Mayotte")
    ContractFactory(
        facilitator=structure.organisation,
        awarded_company=company,
        hours=700,
        reference="NORD-1",
    )
    ContractFactory(
        facilitator=other_structure.organisation,
        awarded_company=company,
        hours=300,
        reference="SUD-1",
    )
    url = reverse("organisations:organisation_detail", args=[company.pk])
    assert "?format=csv" in structure.client.get(url).content.decode()

    response = structure.client.get(url, {"format": "csv"})

    assert response["Content-Disposition"].startswith('attachment; filename="marches-colas-')
    rows = csv_rows(response)
    assert rows[0][0] == "Référence"
    assert [row[0] for row in rows[1:]] == ["NORD-1"]
    assert rows[1][3] == "Colas Mayotte"
    assert rows[1][6] == "700"
    sheet = load_workbook(io.BytesIO(structure.client.get(url, {"format": "xlsx"}).content)).active
    assert sheet["G2"].value == 700
    assert sheet["E2"].is_date
