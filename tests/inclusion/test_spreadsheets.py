"""Reading spreadsheets as they really come: French numbers and months, headers under a
title or merged over two rows, CSV in any of the encodings and separators of France, and
the two files Tremplin writes (the template and the annotated copy)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.inclusion.spreadsheet_files import csv_bytes, ods_bytes, with_cached_values, xlsx_bytes
from tremplin.inclusion import spreadsheets
from tremplin.inclusion.spreadsheets import (
    CellError,
    RowError,
    SpreadsheetError,
    TemplateRow,
    find_header,
    open_table,
    parse_date,
    parse_month,
    parse_number,
    read_row,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12,5", "12.50"),
        ("12.5", "12.50"),
        ("151,67 h", "151.67"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234,5", "1234.50"),
        ("1\u202f234,5", "1234.50"),
        ("1.234,5", "1234.50"),
        ("1,234.5", "1234.50"),
        ("7h30", "7.50"),
        ("7 h 45", "7.75"),
        (" 35 ", "35.00"),
        ("-3", "-3.00"),
        (12, "12.00"),
        (151.666666, "151.67"),
        (datetime.timedelta(hours=151, minutes=30), "151.50"),
        (datetime.time(7, 30), "7.50"),
    ],
)
def test_hours_are_read_the_french_way(value, expected):
    assert parse_number(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["douze", "1O,5", "7h75", True, datetime.date(2026, 3, 1)])
def test_what_is_not_a_number_of_hours_says_so_in_french(value):
    with pytest.raises(CellError, match="n'est pas"):
        parse_number(value)


def test_empty_cells_are_no_hours():
    assert parse_number(None) is None
    assert parse_number("  ") is None


@pytest.mark.parametrize(
    "value",
    [
        "01/03/2026",
        "1/3/2026",
        "01-03-26",
        "2026-03",
        "2026-03-01",
        "2026-03-01 00:00:00",
        "03/2026",
        "3/2026",
        "03/26",
        "mars 2026",
        "Mars 2026",
        "MARS-26",
        "mars 26",
        "1er mars 2026",
        "March 2026",
        "202603",
        202603,
        46082,  # the Excel serial number of 01/03/2026
        46082.5,
        "46082",
        datetime.date(2026, 3, 17),
        datetime.datetime(2026, 3, 31, 23, 59),
    ],
)
def test_a_month_is_read_however_it_is_written(value):
    assert parse_month(value) == datetime.date(2026, 3, 1)


@pytest.mark.parametrize("value", ["13/2026", "mois 14", "31/02/2026", "demain", True, 3])
def test_an_unreadable_month_gets_an_example_of_what_is_expected(value):
    with pytest.raises(CellError) as error:
        parse_month(value)
    assert "n'est pas" in str(error.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("17/05/1990", datetime.date(1990, 5, 17)),
        ("17/05/90", datetime.date(1990, 5, 17)),
        ("03/01/05", datetime.date(2005, 1, 3)),
        ("1990-05-17", datetime.date(1990, 5, 17)),
        (33010, datetime.date(1990, 5, 17)),
        (datetime.datetime(1990, 5, 17, 0, 0), datetime.date(1990, 5, 17)),
    ],
)
def test_birth_dates(value, expected):
    assert parse_date(value) == expected


@given(
    hours=st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False),
    grouping=st.sampled_from([" ", "\u00a0", "\u202f", ""]),
)
def test_any_french_formatted_number_reads_back(hours, grouping):
    whole, cents = f"{hours:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    assert parse_number(grouping.join(groups) + "," + cents) == hours


# Headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nom", "last_name"),
        ("NOM", "last_name"),
        ("Prénom", "first_name"),
        ("PRENOM", "first_name"),
        ("prénom :", "first_name"),
        ("Date de naissance", "birth_date"),
        ("N° mise en emploi", "placement"),
        ("N° de mise en emploi", "placement"),
        ("n mise-en-emploi", "placement"),
        ("Identifiant", "placement"),
        ("Mois", "month"),
        ("Période", "month"),
        ("Heures", "hours_worked"),
        ("Heures travaillées", "hours_worked"),
        ("heures  travaillees (h)", "hours_worked"),
        ("Nb heures", "hours_worked"),
        ("Nb. d'heures", "hours_worked"),
        ("Heures de formation", "training_hours"),
        ("Formation", "training_hours"),
        ("Marché", "contract"),
        ("Référence marché", "contract"),
        ("Commentaire", None),
    ],
)
def test_common_column_names_are_recognised(header, field):
    assert spreadsheets.recognise(header, {}) == field


def test_the_organisations_own_choice_comes_first():
    remembered = {"matriculeme": "placement", "heures": ""}
    assert spreadsheets.recognise("Matricule ME", remembered) == "placement"
    assert spreadsheets.recognise("HEURES", remembered) == ""  # set aside on purpose


def test_the_header_is_found_under_a_title_and_a_merged_first_level():
    data = xlsx_bytes(
        [
            ["Entreprise Lagon BTP — relevé des heures"],
            [],
            [None, "Salarié", None, "Heures", None, "Période"],
            [None, "Nom", "Prénom", "travaillées", "formation"],
            [None, "Madi", "Fatima", 120, 3, datetime.date(2026, 3, 1)],
        ],
        merges=["A1:F1", "B3:C3", "D3:E3", "F3:F4"],
    )
    table = open_table(data, "xlsx")
    header = find_header(list(table.rows()), {}, table.merges)
    assert header.line == 4
    assert {field: column.letter for field, column in header.fields().items()} == {
        "last_name": "B",
        "first_name": "C",
        "hours_worked": "D",
        "training_hours": "E",
        "month": "F",
    }
    assert header.missing() == []


def test_a_two_level_header_reads_both_levels():
    rows = [(1, ["Heures", None, "Nom", "Mois"]), (2, ["de travail", "de formation", None, None])]
    header = find_header(rows, {})
    assert header.line == 2
    assert {column.label: column.field for column in header.columns} == {
        "Heures de travail": "hours_worked",
        "Heures de formation": "training_hours",
        "Nom": "last_name",
        "Mois": "month",
    }


def test_a_header_without_any_known_name_is_the_first_full_row():
    header = find_header([(1, ["Export paie"]), (2, ["Matricule", "Volume", "Période X"])], {})
    assert header.line == 2
    assert [column.field for column in header.columns] == [None, None, None]
    assert header.missing() == [
        "N° de mise en emploi (ou bien Nom et Prénom, ou une colonne « Nom et prénom »)",
        "Mois",
        "Heures travaillées",
    ]


def test_the_first_visible_sheet_is_read():
    data = xlsx_bytes([["Nom", "Mois", "Heures"]], before_sheets=["Paramètres"])
    table = open_table(data, "xlsx")
    assert table.sheet_name == "Heures"


def test_formula_cells_give_their_saved_value():
    data = xlsx_bytes([["Nom", "Heures"], ["Madi", "=100+20.5"]])
    table = open_table(with_cached_values(data, {"B2": "120.5"}), "xlsx")
    assert list(table.rows())[1] == (2, ["Madi", 120.5])


def test_empty_trailing_rows_and_columns_are_ignored():
    data = xlsx_bytes([["Nom", "Heures", None, None], ["Madi", 12, "", None], [], [None, ""]])
    assert list(open_table(data, "xlsx").rows()) == [(1, ["Nom", "Heures"]), (2, ["Madi", 12.0])]


def test_an_ods_file_is_read_with_its_merged_header_and_formulas():
    data = ods_bytes(
        [
            [("span", "Heures", 2), "Mois"],
            ["travaillées", "formation", None],
            [("formula", "=70+70", 140), 2.5, datetime.date(2026, 3, 1)],
        ]
    )
    table = open_table(data, "ods")
    rows = list(table.rows())
    assert rows[2] == (3, [140.0, 2.5, datetime.date(2026, 3, 1)])
    header = find_header(rows, {})
    assert header.line == 2
    assert [column.field for column in header.columns] == [
        "hours_worked",
        "training_hours",
        "month",
    ]


# CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ";"), ("utf-8", ";"), ("cp1252", ";"), ("cp1252", "\t"), ("utf-8", ",")],
)
def test_csv_files_are_read_in_every_french_flavour(encoding, delimiter):
    data = csv_bytes(
        [["Nom", "Prénom", "Heures"], ["Madi", "Zaïnaba", "12,5"], ["Saïd", "Ali", "7"]],
        encoding=encoding,
        delimiter=delimiter,
    )
    rows = list(open_table(data, "csv").rows())
    assert rows == [
        (1, ["Nom", "Prénom", "Heures"]),
        (2, ["Madi", "Zaïnaba", "12,5"]),
        (3, ["Saïd", "Ali", "7"]),
    ]


def test_a_decimal_comma_does_not_pass_for_the_separator():
    text = "Nom;Heures\nMadi;12,5\nSaid;3,5\nAli;7,25\n"
    assert spreadsheets.sniff_delimiter(text) == ";"


def test_the_title_row_of_a_csv_does_not_hide_the_header():
    data = csv_bytes(
        [
            ["Relevé des heures, mars 2026"],
            [],
            ["Nom", "Prénom", "Mois", "Heures"],
            ["Madi", "Fatima", "03/2026", "10"],
        ]
    )
    table = open_table(data, "csv")
    assert find_header(list(table.rows()), {}).line == 3


# Files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("heures.pdf", b"%PDF-1.4", "Format non reconnu"),
        ("heures", b"abc", "Format non reconnu"),
        ("heures.xlsx", b"", "Le fichier est vide."),
        ("heures.xlsx", b"Nom;Heures", "ne correspond pas à un classeur .xlsx"),
        ("heures.ods", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ne correspond pas à un classeur .ods"),
        ("heures.csv", b"PK\x03\x04rest", "n'est pas du texte"),
    ],
)
def test_the_kind_of_a_file_is_checked_by_its_content(name, head, message):
    with pytest.raises(SpreadsheetError, match=message):
        spreadsheets.file_format(name, head)


def test_a_broken_workbook_gets_a_french_error():
    with pytest.raises(SpreadsheetError, match=r"n'a pas pu être lu comme un classeur \.xlsx"):
        open_table(b"PK\x03\x04 not really a zip", "xlsx")


# Rows -----------------------------------------------------------------------------------


def _fields() -> dict[str, spreadsheets.Column]:
    header = find_header([(1, ["N° mise en emploi", "Nom", "Prénom", "Mois", "Heures"])], {})
    return header.fields()


def test_a_template_row_left_blank_is_no_row():
    assert read_row(5, [12, "Madi", "Fatima", None, None], _fields()) == (None, [])


def test_each_unreadable_cell_of_a_row_is_one_error():
    row, errors = read_row(7, ["douze", "Madi", "Fatima", "mars", "beaucoup"], _fields())
    assert row is not None
    assert (row.placement_id, row.month, row.hours_worked) == (None, None, None)
    assert not row.identified  # an unreadable number is not replaced by a guess on the name
    assert [(error.line, error.column, error.label) for error in errors] == [
        (7, 0, "N° mise en emploi"),
        (7, 3, "Mois"),
        (7, 4, "Heures"),
    ]


def test_a_row_without_anyone_says_what_is_missing():
    _row, errors = read_row(3, [None, None, None, "03/2026", 10], _fields())
    assert [error.message for error in errors] == [
        "Indiquez le n° de mise en emploi, ou le nom et le prénom de la personne."
    ]


# What Tremplin writes -------------------------------------------------------------------


def test_the_template_has_one_row_per_placement_and_a_help_sheet():
    content = spreadsheets.write_template(
        [
            TemplateRow(12, "Madi", "Fatima", datetime.date(1990, 5, 17), "Lagon BTP", "Maçon"),
            TemplateRow(
                15, "Attoumani", "Saïd", datetime.date(1985, 1, 2), "Lagon BTP", "Coffreur"
            ),
        ],
        contract="2026-BTP-07 — Groupe scolaire",
        period=(datetime.date(2025, 9, 1), datetime.date(2027, 6, 30)),
        facilitator="CRESS de Mayotte",
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Heures", "Aide"]
    sheet = book["Heures"]
    assert [cell.value for cell in sheet[1]] == [
        "N° de mise en emploi",
        "Nom",
        "Prénom",
        "Date de naissance",
        "Employeur",
        "Poste",
        "Mois",
        "Heures travaillées",
        "Heures de formation",
    ]
    assert [cell.value for cell in sheet[2]][:6] == [
        12,
        "Madi",
        "Fatima",
        datetime.datetime(1990, 5, 17),
        "Lagon BTP",
        "Maçon",
    ]
    help_text = " ".join(str(cell.value) for row in book["Aide"] for cell in row if cell.value)
    assert "Ne le modifiez pas" in help_text
    assert "du 01/09/2025 au 30/06/2027" in help_text
    # Read back, every column of the template is known: nothing to map.
    table = open_table(content, "xlsx")
    header = find_header(list(table.rows()), {}, table.merges)
    assert header.unknown() == []
    assert header.missing() == []


def test_the_annotated_copy_keeps_the_rows_and_marks_the_errors():
    data = xlsx_bytes(
        [
            ["Relevé des heures"],
            ["Nom", "Mois", "Heures"],
            ["Madi", datetime.date(2026, 3, 1), "douze"],
            ["Said", datetime.date(2026, 3, 1), 12],
            [],
            ["Ali", "13/2026", -3],
        ]
    )
    table = open_table(data, "xlsx")
    errors = [
        RowError(3, 2, "Heures", "« douze » n'est pas un nombre d'heures."),
        RowError(6, 1, "Mois", "« 13/2026 » n'est pas un mois lisible."),
        RowError(6, 2, "Heures", "Les heures ne peuvent pas être négatives."),
    ]
    book = load_workbook(io.BytesIO(spreadsheets.write_annotated_copy(table, errors, 2)))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Relevé des heures"
    assert values[1] == ["Nom", "Mois", "Heures", "Erreurs"]
    assert values[2] == [
        "Madi",
        datetime.datetime(2026, 3, 1),
        "douze",
        "Heures : « douze » n'est pas un nombre d'heures.",
    ]
    assert values[3][:3] == ["Said", datetime.datetime(2026, 3, 1), 12]
    assert values[3][3] is None
    assert values[5][3] == (
        "Mois : « 13/2026 » n'est pas un mois lisible. ; "
        "Heures : Les heures ne peuvent pas être négatives."
    )
    red = spreadsheets.ERROR_FILL.start_color.rgb
    assert sheet["C3"].fill.start_color.rgb == red
    assert sheet["B6"].fill.start_color.rgb == red
    assert sheet["A3"].fill.start_color.rgb != red
