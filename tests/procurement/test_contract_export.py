"""The contract list as csv and xlsx: the page's filters, every matching row, numbers as numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import ContractFactory, HoursEntryFactory, PlacementFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("procurement:contract_list")


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(LIST_URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_the_list_offers_its_exports_with_the_current_filters(structure):
    page = structure.client.get(LIST_URL, {"q": "école"}).content.decode()
    assert "Exporter" in page
    assert "?q=%C3%A9cole&amp;format=csv" in page
    assert "format=xlsx" in page
    assert "Excel (xlsx)" in page


def test_csv_holds_the_filtered_contracts_with_decimal_commas(structure, other_structure):
    kept = ContractFactory(facilitator=structure.organisation, title="Réhabilitation de l'école")
    ContractFactory(facilitator=structure.organisation, title="Voirie du centre")
    ContractFactory(facilitator=other_structure.organisation, title="Réhabilitation du collège")
    placement = PlacementFactory(contract=kept)
    HoursEntryFactory(placement=placement, hours_worked=Decimal("150.5"))

    response = structure.client.get(LIST_URL, {"q": "Réhabilitation", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="marches-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response)
    assert rows[0][:4] == ["Référence", "Objet", "Acheteur", "Titulaire"]
    assert len(rows) == 2
    row = rows[1]
    assert row[:4] == [
        kept.reference,
        kept.title,
        kept.buyer.name,
        kept.awarded_company.name,
    ]
    assert row[4:6] == ["01/02/2025", "31/01/2026"]
    assert row[7] == "150,5"
    assert row[8] == "0"


def test_the_export_holds_every_page(structure):
    for _ in range(55):
        ContractFactory(facilitator=structure.organisation)
    assert len(csv_rows(structure.client.get(LIST_URL, {"format": "csv", "page": 2}))) == 56


def test_the_status_filter_applies_to_the_export(structure):
    ContractFactory(facilitator=structure.organisation, hours=700)  # late: nothing validated
    met = ContractFactory(facilitator=structure.organisation, hours=100)
    HoursEntryFactory(placement=PlacementFactory(contract=met), hours_worked=Decimal(100))

    rows = csv_rows(structure.client.get(LIST_URL, {"status": "met", "format": "csv"}))

    assert [row[0] for row in rows[1:]] == [met.reference]


def test_xlsx_opens_with_numbers_as_numbers(structure):
    contract = ContractFactory(facilitator=structure.organisation, hours=700)
    HoursEntryFactory(placement=PlacementFactory(contract=contract), hours_worked=Decimal("12.5"))

    response = structure.client.get(LIST_URL, {"format": "xlsx"})

    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Marchés"
    assert sheet["A2"].value == contract.reference
    assert sheet["G2"].value == 700
    assert sheet["H2"].value == 12.5


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_rows(structure, django_assert_max_num_queries, export):
    for _ in range(3):
        ContractFactory(facilitator=structure.organisation, hours=100)
    with CaptureQueriesContext(connection) as few:
        assert len(csv_rows(structure.client.get(LIST_URL, {"format": "csv"}))) == 4
    for _ in range(27):
        ContractFactory(facilitator=structure.organisation, hours=100)
    with django_assert_max_num_queries(len(few)):
        response = structure.client.get(LIST_URL, {"format": export})
    assert response.status_code == 200
