"""A workbook of several sheets (the impact report's xlsx). Pure: no Django.

Each sheet is written like the one-sheet exports of ``core.exports``: bold frozen header,
typed cells with French number formats, openpyxl's write-only mode.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tremplin.core.exports import MAX_WIDTH, NUMBER_FORMATS, WIDTHS, Column, Value

SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Value]]


def sheet_title(title: str) -> str:
    """A title Excel accepts: 31 characters at most, none of ``[]:*?/\\``."""
    cleaned = title.translate(SHEET_TITLE_FORBIDDEN).strip()
    return cleaned[:SHEET_TITLE_MAX] or "Feuille"


def _cell_value(value: Value) -> Any:
    if isinstance(value, Decimal):
        # openpyxl writes numbers through float; whole numbers stay integers.
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def to_xlsx_workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets, in order, as one xlsx file."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet_title(sheet.title))
        worksheet.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            width = min(MAX_WIDTH, max(WIDTHS[column.kind], len(column.header) + 2))
            worksheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(worksheet, value=column.header)
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for row in sheet.rows:
            cells = []
            for column, value in zip(sheet.columns, row, strict=True):
                cell = WriteOnlyCell(worksheet, value=_cell_value(value))
                if column.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[column.kind]
                cells.append(cell)
            worksheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
