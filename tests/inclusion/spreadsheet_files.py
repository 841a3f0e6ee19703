"""Spreadsheets as companies send them, made in the tests: xlsx with a title row, merged
headers, formulas and dates; ods written by hand as an ODF zip; csv in UTF-8 with a BOM
or in Windows-1252 with decimal commas."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.factories import ParticipantFactory, PlacementFactory
from tests.inclusion.conftest import months_ago, open_contract
from tremplin.inclusion.models import Placement
from tremplin.organisations.models import Organisation, User
from tremplin.procurement.models import Contract

HEADER = ["N° mise en emploi", "Nom", "Prénom", "Mois", "Heures travaillées", "Heures de formation"]


@dataclass
class Site:
    organisation: Organisation
    user: User
    contract: Contract
    fatima: Placement  # Fatima MADI, born 17/05/1990
    said: Placement  # Saïd ATTOUMANI
    fatima_elsewhere: Placement  # Fatima again, on a second contract
    foreign: Placement  # a placement of the other structure


def make_site(structure, other_structure) -> Site:  # type: ignore[no-untyped-def]
    organisation = structure.organisation
    contract = open_contract(organisation, reference="2026-BTP-07")
    second = open_contract(organisation, reference="2026-VOIRIE-02")
    fatima = ParticipantFactory(
        facilitator=organisation,
        last_name="Madi",
        first_name="Fatima",
        birth_date=datetime.date(1990, 5, 17),
    )
    said = ParticipantFactory(facilitator=organisation, last_name="Attoumani", first_name="Saïd")
    stranger = ParticipantFactory(
        facilitator=other_structure.organisation, last_name="Soilihi", first_name="Nadia"
    )
    foreign_contract = open_contract(other_structure.organisation)
    return Site(
        organisation=organisation,
        user=structure.user,
        contract=contract,
        fatima=PlacementFactory(
            participant=fatima, contract=contract, start_date=months_ago(6), end_date=None
        ),
        said=PlacementFactory(
            participant=said, contract=contract, start_date=months_ago(6), end_date=None
        ),
        fatima_elsewhere=PlacementFactory(
            participant=fatima, contract=second, start_date=months_ago(6), end_date=None
        ),
        foreign=PlacementFactory(
            participant=stranger,
            contract=foreign_contract,
            start_date=months_ago(6),
            end_date=None,
        ),
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _imports_setup(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Files go to a temporary folder; background tasks run at once (ImmediateBackend)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def xlsx_bytes(
    rows: Iterable[Sequence[Any]],
    *,
    merges: Iterable[str] = (),
    sheet_title: str = "Heures",
    before_sheets: Iterable[str] = (),
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for title in before_sheets:  # hidden sheets before the data
        hidden = book.create_sheet(title, 0)
        hidden.sheet_state = "hidden"
        hidden["A1"] = "Ne pas lire"
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells the value a spreadsheet program would have saved with them
    (openpyxl writes formulas without one): ``{"H6": "151.67"}``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                for reference, value in values.items():
                    text, count = re.subn(
                        rf'(<c r="{reference}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
                        rf"\1\2<v>{value}</v>",
                        text,
                    )
                    assert count, f"no formula in {reference}"
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


def _ods_cell(value: Any) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, tuple) and value[0] == "formula":
        _, formula, result = value
        return (
            f'<table:table-cell table:formula="of:{escape(formula)}" '
            f'office:value-type="float" office:value="{result}">'
            f"<text:p>{result}</text:p></table:table-cell>"
        )
    if isinstance(value, tuple) and value[0] == "span":
        _, text, columns = value
        return (
            f'<table:table-cell table:number-columns-spanned="{columns}" '
            f'office:value-type="string"><text:p>{escape(text)}</text:p></table:table-cell>'
            + "<table:covered-table-cell/>"
            * (columns - 1)
        )
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int | float | Decimal):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, datetime.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def ods_bytes(rows: Iterable[Sequence[Any]], *, sheet_title: str = "Heures") -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice saves one (mimetype first and
    stored, a manifest, the content). A cell may be ``("formula", "=2*3", 6)`` or
    ``("span", "Heures", 2)`` for a header merged over two columns."""
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(value) for value in row) + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet_title)}">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def csv_bytes(
    rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8-sig", delimiter: str = ";"
) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return text.getvalue().encode(encoding)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
