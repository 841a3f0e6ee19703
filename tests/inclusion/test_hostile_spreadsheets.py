"""Hostile spreadsheets (zip bombs, a cell at the far corner, truncated or foreign zips,
endless CSV lines, binary junk) are refused with a French message before they cost memory,
never crash the import, and write nothing; a dead worker's import of hours is run again
or closed as failed."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.inclusion.conftest import months_ago
from tests.inclusion.spreadsheet_files import (  # noqa: F401 - fixtures
    HEADER,
    Site,
    _imports_setup,
    make_site,
    upload,
    xlsx_bytes,
)
from tremplin.inclusion import hours_import
from tremplin.inclusion.enums import HoursImportStatus
from tremplin.inclusion.models import HoursEntry, HoursImport
from tremplin.inclusion.spreadsheets import SpreadsheetError, TableLimits, open_table
from tremplin.organisations.access import scope_for


def read(data: bytes, file_format: str, limits: TableLimits | None = None) -> int:
    table = open_table(data, file_format, limits or TableLimits())
    return sum(1 for _ in table.rows())


def zip_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A real xlsx whose sheet carries ``inflated`` bytes of blanks: a few hundred KB."""
    base = xlsx_bytes([HEADER])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"<sheetData>")
                with bomb.open(member.filename, "w", force_zip64=True) as sheet:
                    sheet.write(head + b"<sheetData>")
                    blanks = b" " * (1024 * 1024)
                    for _ in range(inflated // len(blanks)):
                        sheet.write(blanks)
                    sheet.write(tail)
            else:
                bomb.writestr(member.filename, data)
    return out.getvalue()


def lying_zip(inflated: int = 300 * 1024 * 1024) -> bytes:
    """The same bomb, its directory claiming each member is small."""
    data = bytearray(zip_bomb(inflated))
    # Central directory entries: signature, then the uncompressed size at offset 24.
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        data[start + 24 : start + 28] = (1000).to_bytes(4, "little")
        start += 4
    return bytes(data)


def far_corner() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Mois"
    sheet["XFD1048576"] = "fin"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def far_down() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for column, label in enumerate(HEADER, start=1):
        sheet.cell(row=1, column=column, value=label)
    sheet.cell(row=1_048_576, column=6, value=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    return out.getvalue()


HOSTILE = {
    "zip bomb": (zip_bomb, "xlsx", "une fois décompressé, le classeur dépasserait 200 Mo"),
    "zip bomb that lies": (lying_zip, "xlsx", "archive illisible ou tronquée"),
    "cell at the far corner": (far_corner, "xlsx", "16\u202f384 colonnes"),
    "cell a million rows down": (far_down, "xlsx", "plus de 2\u202f000\u202f000 cellules"),
    "zip of something else": (lambda: zip_of("notes.txt", b"bonjour"), "xlsx", "classeur"),
    "truncated xlsx": (lambda: far_corner()[:3000], "xlsx", "archive illisible ou tronquée"),
    "truncated ods": (lambda: zip_of("content.xml", b"<x/>" * 500)[:900], "ods", "tronquée"),
    "binary junk as xls": (lambda: bytes(range(256)) * 400, "xls", "classeur .xls"),
    "csv of one 50 MB line": (lambda: b"Mois;Heures\n" + b"x" * 50_000_000, "csv", "64 Kio"),
    "csv of a million columns": (lambda: b"Mois;Heures\n" + b"1;" * 30_000, "csv", "colonnes"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_with_a_french_message(name):
    build, file_format, said = HOSTILE[name]
    with pytest.raises(SpreadsheetError) as refused:
        read(build(), file_format)
    assert said in str(refused.value)


def test_a_real_sheet_within_the_limits_is_read():
    rows = [HEADER, *[[index, "Madi", "Fatima", "03/2026", 20, 1] for index in range(50)]]
    assert read(xlsx_bytes(rows), "xlsx") == 51
    assert read(b"Mois;Heures\n" + b"03/2026;12\n" * 50, "csv") == 51


def test_the_limits_are_settings():
    with pytest.raises(SpreadsheetError, match="6 colonnes, au-delà des 5 lues"):
        read(xlsx_bytes([HEADER]), "xlsx", TableLimits(max_columns=5))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from(["xlsx", "xls", "ods", "csv"]),
    st.binary(max_size=2000),
    st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
)
def test_any_bytes_are_read_or_refused_in_french(file_format, data, magic):
    try:
        read(magic + data, file_format)
    except SpreadsheetError as error:
        assert str(error)  # noqa: PT017 - any other exception fails the test


# Imports ---------------------------------------------------------------------------------


@pytest.fixture
def site(structure, other_structure) -> Site:  # type: ignore[no-untyped-def]
    return make_site(structure, other_structure)


def receive(site: Site, name: str, data: bytes) -> HoursImport:
    return hours_import.hours_import_receive(
        actor=site.user,
        scope=scope_for(site.user),
        organisation=site.organisation,
        file=upload(name, data),
    )


def test_a_hostile_upload_is_refused_at_once(site):
    with pytest.raises(ValidationError) as refused:
        receive(site, "heures.xlsx", zip_bomb())
    assert "dépasserait 200 Mo" in refused.value.message_dict["file"][0]
    assert not HoursImport.objects.exists()


def test_a_file_that_turns_hostile_further_down_fails_the_import_and_writes_nothing(site, settings):
    rows = [HEADER, [site.fatima.pk, "Madi", "Fatima", months_ago(1), 20, 1]]
    good = "\n".join(";".join(str(cell) for cell in row) for row in rows).encode()
    item = receive(site, "heures.csv", good)
    settings.HOURS_IMPORT_MAX_COLUMNS = 3  # as if the rows further down were too wide

    item = hours_import.hours_import_launch(hours_import=item)

    assert item.status == HoursImportStatus.FAILED
    assert "au-delà des 3 lues" in item.message
    assert item.message.endswith("Aucune heure n'a été enregistrée.")
    assert not HoursEntry.objects.exists()


def _queued(site: Site, settings) -> HoursImport:  # type: ignore[no-untyped-def]
    settings.HOURS_IMPORT_BACKGROUND_ROWS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    rows = [HEADER, [site.fatima.pk, "Madi", "Fatima", months_ago(1), 20, 1]]
    return hours_import.hours_import_launch(hours_import=receive(site, "h.xlsx", xlsx_bytes(rows)))


def test_an_import_whose_worker_died_is_run_again_and_writes_its_hours_once(site, settings):
    item = _queued(site, settings)
    # The worker claimed it, then died: running, silent for 20 minutes.
    HoursImport.objects.filter(pk=item.pk).update(
        status=HoursImportStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(minutes=20),
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    assert hours_import.hours_import_recover() == [
        f"Import d'heures n° {item.pk} (h.xlsx) : relancé."
    ]

    item.refresh_from_db()
    assert item.status == HoursImportStatus.DONE
    assert item.attempts == 2
    assert HoursEntry.objects.count() == 1
    assert HoursEntry.objects.get().hours_worked == 20


def test_its_page_ends_the_wait_of_an_import_that_died_too_often(site, settings):
    item = _queued(site, settings)
    HoursImport.objects.filter(pk=item.pk).update(
        status=HoursImportStatus.RUNNING,
        attempts=3,
        heartbeat_at=timezone.now() - timedelta(minutes=20),
    )

    item = hours_import.hours_import_watched(item)

    assert item.status == HoursImportStatus.FAILED
    assert item.message.startswith("Le traitement de l'import s'est arrêté sans finir 3 fois")
    assert "aucune heure n'a été enregistrée" in item.message
    assert not HoursEntry.objects.exists()
