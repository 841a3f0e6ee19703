"""The csv and xlsx writers behind every "Exporter" button."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from tremplin.core.exports import Column, to_csv, to_xlsx

COLUMNS = [
    Column("Référence"),
    Column("Début", "date"),
    Column("Heures exigées", "int"),
    Column("Heures validées", "decimal"),
    Column("Montant", "money"),
]
ROWS = [
    ["2025-0001", datetime.date(2026, 11, 22), 258000, Decimal("12.5"), Decimal("1500000")],
    ["Lot; « bâtiment »", None, 0, Decimal("7.00"), None],
]


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_is_what_a_french_spreadsheet_opens():
    content = to_csv(COLUMNS, ROWS)

    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.splitlines(keepends=True)[0].endswith("\r\n")
    assert text.count("\r\n") == 3
    assert text.splitlines()[0] == "Référence;Début;Heures exigées;Heures validées;Montant"
    assert text.splitlines()[1] == "2025-0001;22/11/2026;258000;12,5;1500000,00"


def test_csv_quotes_a_semicolon_and_leaves_missing_values_empty():
    rows = _csv_rows(to_csv(COLUMNS, ROWS))

    assert rows[2] == ["Lot; « bâtiment »", "", "0", "7", ""]


@given(
    st.lists(
        st.decimals(
            min_value=Decimal("-1e9"),
            max_value=Decimal("1e9"),
            places=4,
            allow_nan=False,
            allow_infinity=False,
        ),
        max_size=20,
    )
)
def test_decimals_read_back_equal_with_decimal_commas(values):
    content = to_csv([Column("Valeur", "decimal")], [[value] for value in values])

    read = [Decimal(row[0].replace(",", ".")) for row in _csv_rows(content)[1:]]

    assert read == values
    assert all("." not in row[0] and " " not in row[0] for row in _csv_rows(content)[1:])


def test_xlsx_holds_numbers_and_dates_under_a_bold_frozen_header():
    content = to_xlsx(COLUMNS, ROWS, "Marchés: suivis")

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "Marchés  suivis"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Référence"
    assert sheet["A1"].font.b
    assert sheet["B2"].value == datetime.datetime(2026, 11, 22)
    assert sheet["B2"].number_format == "DD/MM/YYYY"
    assert sheet["C2"].value == 258000
    assert sheet["D2"].value == 12.5
    assert sheet["E2"].value == 1500000
    assert sheet["E2"].number_format == '#,##0.00 "€"'
    assert sheet["B3"].value is None
    assert sheet.column_dimensions["D"].width >= len("Heures validées")
