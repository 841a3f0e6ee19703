"""Lists as spreadsheets: the csv and xlsx files behind every "Exporter" button. Pure: no Django.

The csv is the one French spreadsheet users open with a double click: UTF-8 with a byte
order mark (so Excel reads the accents), semicolons between fields, decimal commas,
dates as 22/11/2026, CRLF line ends and no thousands separator (a grouped figure would be
read as text). The xlsx holds real numbers and dates with French number formats, under a
bold, frozen header; it is written in openpyxl's write-only mode, row by row, so a long
list never sits twice in memory.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Kind = Literal["text", "int", "decimal", "date", "money"]
Value = str | int | Decimal | float | datetime.date | None

BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel number formats; the reader's locale shows them with a decimal comma and spaces.
NUMBER_FORMATS: dict[str, str] = {
    "int": "#,##0",
    "decimal": "#,##0.##",
    "money": '#,##0.00 "€"',
    "date": "DD/MM/YYYY",
}
# Width of a column (in characters) from its kind, unless its header is wider.
WIDTHS: dict[str, int] = {"text": 24, "int": 12, "decimal": 12, "date": 12, "money": 16}
MAX_WIDTH = 60
SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class Column:
    """A column of an export: its French header and the kind of its values."""

    header: str
    kind: Kind = "text"


def _csv_number(value: int | Decimal | float) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    number = Decimal(str(value)) if isinstance(value, float) else value
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    return format(number, "f").replace(".", ",")


def _csv_cell(kind: Kind, value: Value) -> str:
    if value is None:
        return ""
    if kind == "date" and isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if kind == "money" and isinstance(value, int | Decimal | float):
        return format(Decimal(str(value)).quantize(Decimal("0.01")), "f").replace(".", ",")
    if kind in ("int", "decimal") and isinstance(value, int | Decimal | float):
        return _csv_number(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence[Value]]) -> bytes:
    """The rows as a French csv: BOM, semicolons, decimal commas, dd/mm/yyyy, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([column.header for column in columns])
    for row in rows:
        writer.writerow(
            [_csv_cell(column.kind, value) for column, value in zip(columns, row, strict=True)]
        )
    return (BOM + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str) -> str:
    cleaned = title.translate(SHEET_TITLE_FORBIDDEN).strip()
    return cleaned[:SHEET_TITLE_MAX] or "Export"


def _xlsx_value(kind: Kind, value: Value) -> Any:
    if kind == "date" and isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if kind in ("int", "decimal", "money") and isinstance(value, Decimal):
        # openpyxl writes numbers through float; a Decimal keeps its figures this way.
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def to_xlsx(columns: Sequence[Column], rows: Iterable[Sequence[Value]], sheet_title: str) -> bytes:
    """The rows as an xlsx workbook of one sheet: bold frozen header, typed cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        width = min(MAX_WIDTH, max(WIDTHS[column.kind], len(column.header) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = WriteOnlyCell(sheet, value=_xlsx_value(column.kind, value))
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
