"""The import service: real-looking files are read, every bad row is reported with its line,
column and reason, and a file is written all or nothing, only onto the placements of the
importing structure."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import CompanyFactory, ParticipantFactory, PlacementFactory, member_of
from tests.inclusion.conftest import fingerprint, months_ago
from tests.inclusion.spreadsheet_files import (  # noqa: F401 - fixtures
    HEADER,
    Site,
    _imports_setup,
    csv_bytes,
    make_site,
    ods_bytes,
    upload,
    with_cached_values,
    xlsx_bytes,
)
from tremplin.core.hours import max_hours_in_month
from tremplin.inclusion import hours_import
from tremplin.inclusion.enums import EventAction, HoursImportStatus, HoursStatus
from tremplin.inclusion.models import (
    ColumnMapping,
    HoursEntry,
    HoursImport,
    InclusionEvent,
    Placement,
)
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import User


@pytest.fixture
def site(structure, other_structure) -> Site:  # type: ignore[no-untyped-def]
    return make_site(structure, other_structure)


def run(
    site: Site, name: str, data: bytes, *, validate: bool = False, user: User | None = None
) -> HoursImport:
    user = user or site.user
    item = hours_import.hours_import_receive(
        actor=user,
        scope=scope_for(user),
        organisation=site.organisation,
        file=upload(name, data),
        validate_directly=validate,
    )
    return hours_import.hours_import_launch(hours_import=item)


def entry(placement: Placement, month: datetime.date) -> HoursEntry:
    return HoursEntry.objects.get(placement=placement, month=month)


def errors_of(item: HoursImport) -> list[tuple[int, str, str]]:
    return [(line, label, message) for line, _column, label, message in item.errors]


# Real files -----------------------------------------------------------------------------


def test_an_xlsx_as_companies_make_them_is_imported(site):
    """A title row, a two-level header with merged cells, a formula, date cells, a datetime,
    a decimal comma in a text cell and empty trailing rows."""
    march, april = months_ago(2), months_ago(1)
    rows = [
        ["Relevé mensuel des heures d'insertion — Lagon BTP"],
        [],
        ["Participant", None, None, "Période", "Heures", None],
        ["N° ME", "Nom", "Prénom", None, "travaillées", "de formation"],
        [site.fatima.pk, "MADI", "Fatima", march, 120, 7],
        [
            site.fatima.pk,
            "Madi",
            "Fatima",
            datetime.datetime.combine(april, datetime.time()),
            "=100+51.67",
            None,
        ],
        [site.said.pk, "Attoumani", "Saïd", april.strftime("%d/%m/%Y"), "98,5", "3,5"],
        [None, None, None, None, None, None],
        [None, None, None, None, None, None],
    ]
    data = xlsx_bytes(rows, merges=["A1:F1", "A3:C3", "D3:D4", "E3:F3"])
    data = with_cached_values(data, {"E6": "151.67"})

    item = run(site, "Heures mars-avril.xlsx", data)

    assert item.status == HoursImportStatus.DONE, item.errors
    assert item.header_line == 4
    assert (item.rows_read, item.created_count, item.updated_count, item.unchanged_count) == (
        3,
        3,
        0,
        0,
    )
    assert item.hours_imported == Decimal("380.67")
    assert entry(site.fatima, march).training_hours == Decimal(7)
    assert entry(site.fatima, april).hours_worked == Decimal("151.67")
    assert entry(site.said, april).total_hours == Decimal(102)
    assert entry(site.said, april).status == HoursStatus.DECLARED
    declared = InclusionEvent.objects.filter(action=EventAction.HOURS_DECLARED)
    assert declared.count() == 3
    event = declared.get(object_id=entry(site.said, april).pk)
    assert event.actor == site.user
    assert event.after["hours_worked"] == "98.50"
    assert event.after["status"] == HoursStatus.DECLARED


def test_an_ods_with_a_merged_header_and_a_formula_is_imported(site):
    month = months_ago(1)
    rows = [
        ["Heures du marché 2026-BTP-07"],
        [None, None, ("span", "Heures", 2), None],
        ["Nom", "Prénom", "Travaillées", "Formation", "Mois", "Réf. marché"],
        ["Madi", "Fatima", ("formula", "=70+70", 140), 0, month, "2026-BTP-07"],
        ["Attoumani", "Saïd", 35.5, None, month],
    ]
    item = run(site, "heures.ods", ods_bytes(rows))
    assert item.status == HoursImportStatus.DONE, item.errors
    assert entry(site.fatima, month).hours_worked == Decimal(140)
    assert entry(site.said, month).hours_worked == Decimal("35.5")


def test_a_csv_in_utf8_with_bom_and_decimal_commas_is_imported(site):
    month = months_ago(1)
    rows = [
        ["Identifiant", "Nom", "Prénom", "Période", "Nb heures", "Formation"],
        [site.fatima.pk, "Madi", "Fatima", month.strftime("%m/%Y"), "1\u202f51,5", "0"],
        [site.said.pk, "Attoumani", "Saïd", month.strftime("%Y-%m"), "12,25", ""],
    ]
    data = csv_bytes(rows, encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    item = run(site, "export.csv", data)
    assert item.status == HoursImportStatus.DONE, item.errors
    assert entry(site.fatima, month).hours_worked == Decimal("151.5")
    assert entry(site.said, month).hours_worked == Decimal("12.25")


def test_a_windows_1252_csv_matches_people_by_name_with_accents(site):
    month = months_ago(2)
    french_month = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ][month.month - 1]
    rows = [
        ["Marché", "Nom", "Prénom", "Date de naissance", "Mois", "Heures"],
        ["2026-VOIRIE-02", "MADI", "Fatima", "17/05/1990", f"{french_month} {month.year}", "1 0,5"],
        ["", "ATTOUMANI", "SAÏD", "", f"{french_month} {month.year}", "80"],
    ]
    data = csv_bytes(rows, encoding="cp1252", delimiter="\t")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    item = run(site, "heures.csv", data)
    assert item.status == HoursImportStatus.DONE, item.errors
    assert entry(site.said, month).hours_worked == Decimal(80)
    # Fatima has a placement on each contract: the contract's reference tells which.
    assert entry(site.fatima_elsewhere, month).hours_worked == Decimal("10.5")
    assert not HoursEntry.objects.filter(placement=site.fatima).exists()


def test_a_person_with_two_placements_needs_the_number_or_the_contract(site):
    month = months_ago(1)
    item = run(
        site,
        "ambigu.csv",
        csv_bytes(
            [
                ["Nom", "Prénom", "Mois", "Heures"],
                ["Madi", "Fatima", month.strftime("%m/%Y"), "10"],
            ]
        ),
    )
    assert errors_of(item) == [
        (
            2,
            "Nom",
            "Fatima Madi a plusieurs mises en emploi (2) : "
            "indiquez le n° de mise en emploi dans la colonne prévue.",
        )
    ]


# Rules ----------------------------------------------------------------------------------


def _bad_file(site: Site) -> bytes:
    march, april = months_ago(2), months_ago(1)
    future = (timezone.localdate().replace(day=1) + datetime.timedelta(days=40)).replace(day=1)
    too_early = months_ago(12)
    return xlsx_bytes(
        [
            HEADER,
            [site.fatima.pk, "Madi", "Fatima", march, 100, 0],  # 2: good
            [999999, "Inconnu", "Jean", march, 10, 0],  # 3: no such placement
            [site.foreign.pk, "Soilihi", "Nadia", march, 10, 0],  # 4: another structure's
            [None, "Soilihi", "Nadia", march, 10, 0],  # 5: another structure's, by name
            [site.said.pk, "Attoumani", "Saïd", march, -5, 0],  # 6: negative
            [site.said.pk, "Attoumani", "Saïd", april, "beaucoup", 0],  # 7: not a number
            [site.said.pk, "Attoumani", "Saïd", too_early, 10, 0],  # 8: before the placement
            [site.said.pk, "Attoumani", "Saïd", future, 10, 0],  # 9: to come
            [site.fatima.pk, "Madi", "Fatima", march, 5, 0],  # 10: duplicate of line 2
            [site.said.pk, "Attoumani", "Saïd", "13/2026", 10, 0],  # 11: no such month
        ]
    )


def test_every_bad_row_is_reported_and_nothing_is_written(site):
    before = fingerprint()
    item = run(site, "erreurs.xlsx", _bad_file(site))
    assert item.status == HoursImportStatus.INVALID
    assert fingerprint() == before
    reported = errors_of(item)
    assert sorted({line for line, _, _ in reported}) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    by_line = {line: (label, message) for line, label, message in reported}
    assert by_line[3] == (
        "N° mise en emploi",
        "Mise en emploi n° 999999 inconnue : elle n'existe pas ou n'est pas de votre ressort.",
    )
    assert by_line[4][1] == by_line[3][1].replace("999999", str(site.foreign.pk))
    assert by_line[5][1].startswith("Personne inconnue : aucune mise en emploi de Nadia Soilihi")
    assert by_line[6] == ("Heures travaillées", "Les heures ne peuvent pas être négatives.")
    assert by_line[7] == ("Heures travaillées", "« beaucoup » n'est pas un nombre d'heures.")
    assert by_line[8][0] == "Mois"
    assert "est hors de la mise en emploi" in by_line[8][1]
    assert by_line[9] == ("Mois", "On ne déclare pas les heures d'un mois à venir.")
    assert by_line[10] == (
        "Mois",
        f"Doublon : Fatima MADI en {months_ago(2):%m/%Y} figure déjà à la ligne 2.",
    )
    assert by_line[11][1].startswith("« 13/2026 » n'est pas un mois lisible")
    assert item.error_count == 9


def test_a_month_above_what_one_person_can_work_counts_the_file_and_the_records(site):
    month, earlier = months_ago(1), months_ago(2)
    ceiling = max_hours_in_month(month.year, month.month)
    earlier_ceiling = max_hours_in_month(earlier.year, earlier.month)
    HoursEntry.objects.create(
        placement=site.fatima_elsewhere, month=month, hours_worked=Decimal(100)
    )
    data = xlsx_bytes(
        [
            HEADER,
            [site.fatima.pk, "Madi", "Fatima", month, 60, 0],
            [site.said.pk, "Attoumani", "Saïd", month, 60, 0],
            [site.fatima.pk, "Madi", "Fatima", earlier, earlier_ceiling - 60, 60],
        ]
    )
    item = run(site, "plafond.xlsx", data)
    assert item.status == HoursImportStatus.DONE, item.errors  # up to the ceiling: allowed
    data = xlsx_bytes(
        [
            HEADER,
            [site.fatima.pk, "Madi", "Fatima", month, ceiling - 90, 0],
            [site.fatima_elsewhere.pk, "Madi", "Fatima", month, 100, 0],  # unchanged
        ]
    )
    item = run(site, "plafond-2.xlsx", data)
    assert item.status == HoursImportStatus.INVALID
    lines = {line: message for line, _, message in errors_of(item)}
    assert set(lines) == {2, 3}
    assert lines[2].startswith(f"{ceiling + 10:.2f}".replace(".", ",").rstrip("0").rstrip(","))
    assert "(dont 100 h sur d'autres mises en emploi)" in lines[2]
    assert "48 h par semaine au plus" in lines[2]


def test_reimporting_changes_nothing_and_a_change_goes_back_to_review(site):
    month = months_ago(1)
    rows = [HEADER, [site.fatima.pk, "Madi", "Fatima", month, 100, 0]]
    # The same bytes twice: a workbook written again a second later differs (its timestamps).
    content = xlsx_bytes(rows)
    first = run(site, "heures.xlsx", content, validate=True)
    assert first.status == HoursImportStatus.DONE
    stored = entry(site.fatima, month)
    assert stored.status == HoursStatus.VALIDATED
    assert stored.reviewed_by == site.user

    # The very same file: refused before any work, and said so.
    with pytest.raises(hours_import.AlreadyImported) as already:
        run(site, "heures.xlsx", content)
    assert already.value.previous == first

    # Another file with the same content (a CSV this time): nothing changes.
    events = InclusionEvent.objects.count()
    again = run(
        site,
        "heures.csv",
        csv_bytes([HEADER, [site.fatima.pk, "Madi", "Fatima", month.strftime("%m/%Y"), "100", ""]]),
    )
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    assert (again.hours_imported, again.hours_change) == (Decimal(100), Decimal(0))
    assert InclusionEvent.objects.count() == events
    assert entry(site.fatima, month).status == HoursStatus.VALIDATED

    # A correction of the validated month is refused, and the file writes nothing.
    correction = xlsx_bytes([HEADER, [site.fatima.pk, "Madi", "Fatima", month, 90, 4]])
    refused = run(site, "correction.xlsx", correction)
    assert refused.status == HoursImportStatus.INVALID
    assert refused.refused_count == 1
    ((line, label, message),) = errors_of(refused)
    assert (line, label) == (2, "Mois")
    assert "est déjà validé" in message
    assert InclusionEvent.objects.count() == events

    # Once the facilitator reopened it, the month is updated, recorded before/after, and
    # sent back to review.
    hours_import.services.hours_reopen(
        actor=site.user, entry=entry(site.fatima, month), reason="Formation oubliée"
    )
    changed = run(site, "correction-2.xlsx", correction + b"")
    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (0, 1, 0)
    assert changed.hours_change == Decimal(-6)  # 90 + 4 instead of 100
    stored = entry(site.fatima, month)
    assert (stored.hours_worked, stored.training_hours) == (Decimal(90), Decimal(4))
    assert stored.status == HoursStatus.DECLARED
    assert stored.reviewed_by is None
    event = InclusionEvent.objects.get(action=EventAction.HOURS_CHANGED, object_id=stored.pk)
    assert event.before["hours_worked"] == "100.00"
    assert event.before["status"] == HoursStatus.DECLARED  # reopened
    assert event.after["hours_worked"] == "90.00"
    assert event.after["training_hours"] == "4.00"
    assert event.after["status"] == HoursStatus.DECLARED


def test_a_user_never_imports_onto_another_structures_placements(site, other_structure):
    """The other structure sends a file naming our people, by number and by name."""
    month = months_ago(1)
    data = xlsx_bytes(
        [
            HEADER,
            [site.fatima.pk, "Madi", "Fatima", month, 10, 0],
            [None, "Attoumani", "Saïd", month, 10, 0],
        ]
    )
    before = fingerprint()
    item = hours_import.hours_import_launch(
        hours_import=hours_import.hours_import_receive(
            actor=other_structure.user,
            scope=scope_for(other_structure.user),
            organisation=other_structure.organisation,
            file=upload("intrus.xlsx", data),
        )
    )
    assert item.status == HoursImportStatus.INVALID
    assert [line for line, _, _ in errors_of(item)] == [2, 3]
    assert all("inconnue" in message for _, _, message in errors_of(item))
    assert fingerprint() == before
    # Nor can it import in the name of our structure.
    with pytest.raises(ValidationError) as refused:
        hours_import.hours_import_receive(
            actor=other_structure.user,
            scope=scope_for(other_structure.user),
            organisation=site.organisation,
            file=upload("intrus.xlsx", data),
        )
    assert refused.value.message_dict["organisation"] == [
        "Vous n'importez pas d'heures pour cette organisation."
    ]


def test_a_company_imports_for_the_people_it_employs_only(site):
    """The same service serves employers: their own placements, no direct validation, and
    validated months are no longer theirs to change."""
    employer = site.fatima.employer
    company_user = member_of(employer)
    month = months_ago(1)
    HoursEntry.objects.create(
        placement=site.said,
        month=months_ago(2),
        hours_worked=Decimal(50),
        status=HoursStatus.VALIDATED,
    )
    other_employer_placement = PlacementFactory(
        participant=site.said.participant,
        contract=site.fatima_elsewhere.contract,
        employer=CompanyFactory(network=site.organisation.network),
        start_date=months_ago(6),
        end_date=None,
    )
    with pytest.raises(ValidationError):
        hours_import.hours_import_receive(
            actor=company_user,
            scope=scope_for(company_user),
            organisation=employer,
            file=upload("a.xlsx", xlsx_bytes([HEADER])),
            validate_directly=True,
        )
    data = xlsx_bytes(
        [
            HEADER,
            [site.fatima.pk, "Madi", "Fatima", month, 70, 0],
            [site.said.pk, "Attoumani", "Saïd", months_ago(2), 60, 0],
            [other_employer_placement.pk, "Attoumani", "Saïd", month, 10, 0],
        ]
    )
    item = hours_import.hours_import_launch(
        hours_import=hours_import.hours_import_receive(
            actor=company_user,
            scope=scope_for(company_user),
            organisation=employer,
            file=upload("entreprise.xlsx", data),
        )
    )
    assert item.status == HoursImportStatus.INVALID
    by_line = {line: message for line, _, message in errors_of(item)}
    assert set(by_line) == {3, 4}
    assert "est déjà validé" in by_line[3]
    assert "demandez à la structure de facilitation de le rouvrir" in by_line[3]
    assert item.refused_count == 1
    assert "inconnue" in by_line[4]
    # Without the refused rows, the company's month is declared and waits for review.
    item = hours_import.hours_import_launch(
        hours_import=hours_import.hours_import_receive(
            actor=company_user,
            scope=scope_for(company_user),
            organisation=employer,
            file=upload(
                "entreprise-2.xlsx",
                xlsx_bytes([HEADER, [site.fatima.pk, "Madi", "Fatima", month, 70, 0]]),
            ),
        )
    )
    assert item.status == HoursImportStatus.DONE
    assert entry(site.fatima, month).status == HoursStatus.DECLARED


# Columns --------------------------------------------------------------------------------


def test_an_unknown_column_is_mapped_once_and_remembered(site):
    month = months_ago(1)
    header = ["Matricule ME", "Salarié", "Prénom", "Mois", "Heures", "Commentaire"]
    data = xlsx_bytes([header, [site.said.pk, "Attoumani", "Saïd", month, 35, "RAS"]])
    item = hours_import.hours_import_receive(
        actor=site.user,
        scope=scope_for(site.user),
        organisation=site.organisation,
        file=upload("paie.xlsx", data),
    )
    assert hours_import.needs_columns(item)
    assert [column.label for column in hours_import.header_of(item).unknown()] == [
        "Matricule ME",
        "Salarié",
        "Commentaire",
    ]
    with pytest.raises(ValidationError) as twice:
        hours_import.hours_import_set_columns(
            actor=site.user, hours_import=item, choices={0: "placement", 1: "placement", 5: ""}
        )
    assert "est choisi pour plusieurs colonnes" in twice.value.messages[0]
    hours_import.hours_import_set_columns(
        actor=site.user, hours_import=item, choices={0: "placement", 1: "last_name", 5: ""}
    )
    item = hours_import.hours_import_launch(hours_import=item)
    assert item.status == HoursImportStatus.DONE
    assert set(ColumnMapping.objects.values_list("header", "field")) == {
        ("matriculeme", "placement"),
        ("salarie", "last_name"),
        ("commentaire", ""),
    }
    # The next file with these headers goes straight through.
    data = xlsx_bytes([header, [site.said.pk, "Attoumani", "Saïd", months_ago(2), 20, ""]])
    item = hours_import.hours_import_receive(
        actor=site.user,
        scope=scope_for(site.user),
        organisation=site.organisation,
        file=upload("paie-2.xlsx", data),
    )
    assert not hours_import.needs_columns(item)


# Large files ----------------------------------------------------------------------------


def _long_file(site: Site, months: int = 5) -> bytes:
    rows: list[list[Any]] = [HEADER]
    for count in range(1, months + 1):
        for placement, name in (
            (site.fatima, ("Madi", "Fatima")),
            (site.said, ("Attoumani", "Saïd")),
        ):
            rows.append([placement.pk, *name, months_ago(count), 20, 1])
    return xlsx_bytes(rows)


def test_a_long_file_is_imported_by_a_background_task(site, settings):
    settings.HOURS_IMPORT_BACKGROUND_ROWS = 5
    item = run(site, "long.xlsx", _long_file(site))
    assert item.task_id  # it went through django-tasks (here the immediate backend)
    assert item.status == HoursImportStatus.DONE
    assert item.created_count == 10
    assert item.rows_processed == item.row_count == 10


def test_the_database_worker_runs_a_queued_import(site, settings, monkeypatch):
    # The worker drops "old" connections between tasks: in a test, that would be the
    # connection holding the test's transaction (on PostgreSQL).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.HOURS_IMPORT_BACKGROUND_ROWS = 5
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    item = run(site, "long.xlsx", _long_file(site))
    assert item.status == HoursImportStatus.QUEUED
    assert HoursEntry.objects.count() == 0
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    item.refresh_from_db()
    assert item.status == HoursImportStatus.DONE
    assert HoursEntry.objects.count() == 10


# Malformed rows -------------------------------------------------------------------------

BAD_ROWS = {
    "not a number": lambda site, month: [site.said.pk, "Attoumani", "Saïd", month, "douze", 0],
    "negative": lambda site, month: [site.said.pk, "Attoumani", "Saïd", month, -1, 0],
    "unknown number": lambda site, month: [424242, "Attoumani", "Saïd", month, 5, 0],
    "foreign": lambda site, month: [site.foreign.pk, "Soilihi", "Nadia", month, 5, 0],
    "unknown name": lambda site, month: [None, "Personne", "Inconnue", month, 5, 0],
    "bad month": lambda site, month: [site.said.pk, "Attoumani", "Saïd", "mois 14", 5, 0],
    "no month": lambda site, month: [site.said.pk, "Attoumani", "Saïd", None, 5, 0],
    "too early": lambda site, month: [site.said.pk, "Attoumani", "Saïd", months_ago(30), 5, 0],
    "too many": lambda site, month: [site.said.pk, "Attoumani", "Saïd", month, 500, 0],
    "bad training": lambda site, month: [site.said.pk, "Attoumani", "Saïd", month, 5, "x"],
}


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(
        st.one_of(st.just("good"), st.sampled_from(sorted(BAD_ROWS))), min_size=1, max_size=12
    ).filter(lambda plan: any(kind != "good" for kind in plan)),
    fmt=st.sampled_from(["xlsx", "csv"]),
)
def test_malformed_rows_are_all_reported_and_nothing_is_written(site, plan, fmt):
    before = fingerprint()
    rows: list[list[Any]] = [HEADER]
    bad_lines = []
    good = 0
    for kind in plan:
        if kind == "good":
            # Ten distinct (placement, month) pairs of Fatima's, one hour each; past ten
            # the pairs repeat, and a repeated pair is a duplicate: a bad row.
            placement = (site.fatima, site.fatima_elsewhere)[(good // 5) % 2]
            row = [placement.pk, "Madi", "Fatima", months_ago(1 + good % 5), 1, 0]
            if good >= 10:
                bad_lines.append(len(rows) + 1)
            good += 1
        else:
            row = BAD_ROWS[kind](site, months_ago(1))
            bad_lines.append(len(rows) + 1)
        rows.append(row)
    if fmt == "csv":
        data = csv_bytes(
            [
                [v.strftime("%m/%Y") if isinstance(v, datetime.date) else v for v in row]
                for row in rows
            ]
        )
    else:
        data = xlsx_bytes(rows)
    item = run(site, f"fichier.{fmt}", data)
    assert item.status == HoursImportStatus.INVALID
    assert sorted({line for line, _, _ in errors_of(item)}) == bad_lines
    assert all(message for _, _, message in errors_of(item))
    assert fingerprint() == before


# One column for the whole name -----------------------------------------------------------


def _person(site: Site, first: str, last: str, **fields: Any) -> Placement:
    participant = ParticipantFactory(
        facilitator=site.organisation, first_name=first, last_name=last, **fields
    )
    return PlacementFactory(
        participant=participant, contract=site.contract, start_date=months_ago(6), end_date=None
    )


@pytest.mark.parametrize(
    "label", ["Nom du salarié", "Salarié", "NOM Prénom", "Prénom Nom", "Nom et prénom"]
)
def test_a_single_column_with_the_whole_name_finds_people_in_any_order(site, label):
    month = months_ago(1)
    marie = _person(site, "Marie-Claire", "Dupont-Moreau")
    said = _person(site, "Saïd", "Ben Ali")
    rows = [
        ["Relevé des heures — intérim"],
        [label, "Période", "Heures"],
        ["Saïd  ATTOUMANI ", month, 35],  # first name first, a double space
        ["DUPONT MOREAU Marie Claire", month, 120],  # hyphens written as spaces
        ["ben-ali said", month, 70],  # no capitals, no accent, a hyphen instead of a space
    ]
    item = run(site, "export-paie.xlsx", xlsx_bytes(rows))
    assert not hours_import.needs_columns(item)
    assert item.status == HoursImportStatus.DONE, item.errors
    assert item.created_count == 3
    assert entry(site.said, month).hours_worked == Decimal(35)
    assert entry(marie, month).hours_worked == Decimal(120)
    assert entry(said, month).hours_worked == Decimal(70)


def test_a_name_that_fits_two_people_is_an_error_of_its_row_never_a_guess(site):
    month = months_ago(1)
    ali = _person(site, "Ali", "Madi", birth_date=datetime.date(1988, 2, 3))
    _person(site, "Madi", "Ali", birth_date=datetime.date(1995, 7, 9))
    before = fingerprint()
    item = run(
        site,
        "interim.csv",
        csv_bytes([["Intérimaire", "Mois", "Heures"], ["MADI Ali", month.strftime("%m/%Y"), "35"]]),
    )
    assert item.status == HoursImportStatus.INVALID
    assert errors_of(item) == [
        (
            2,
            "Intérimaire",
            "« MADI Ali » peut désigner 2 personnes (Ali MADI, Madi ALI) : ajoutez le n° de "
            "mise en emploi ou la date de naissance pour dire de qui il s'agit.",
        )
    ]
    assert fingerprint() == before
    # With the birth date, there is only one.
    item = run(
        site,
        "interim-2.csv",
        csv_bytes(
            [
                ["Intérimaire", "Date de naissance", "Mois", "Heures"],
                ["MADI Ali", "03/02/1988", month.strftime("%m/%Y"), "35"],
            ]
        ),
    )
    assert item.status == HoursImportStatus.DONE, item.errors
    assert entry(ali, month).hours_worked == Decimal(35)


def test_homonyms_born_the_same_day_ask_for_the_placement_number(site):
    month = months_ago(1)
    for _ in range(2):
        _person(site, "Anli", "Soulaimana", birth_date=datetime.date(2001, 1, 1))
    item = run(
        site,
        "h.csv",
        csv_bytes(
            [
                ["Nom complet", "Né le", "Mois", "Heures"],
                ["Anli SOULAIMANA", "01/01/2001", month.strftime("%m/%Y"), "35"],
            ]
        ),
    )
    ((_line, label, message),) = errors_of(item)
    assert label == "Nom complet"
    assert message.endswith(
        "peut désigner 2 personnes (Anli SOULAIMANA) : ajoutez le n° de mise en emploi pour "
        "dire de qui il s'agit."
    )


def test_nom_du_salarie_beside_a_first_name_column_is_the_surname(site):
    month = months_ago(1)
    rows = [
        ["Nom du salarié", "Prénom du salarié", "Mois", "Heures"],
        ["Attoumani", "Saïd", month, 12],
    ]
    item = run(site, "paie.xlsx", xlsx_bytes(rows))
    assert item.status == HoursImportStatus.DONE, item.errors
    assert entry(site.said, month).hours_worked == Decimal(12)


# Every error of a row --------------------------------------------------------------------


def test_every_error_of_a_row_is_reported_with_its_column(site):
    month = months_ago(1)
    rows = [
        HEADER,
        [site.fatima.pk, "Madi", "Fatima", "treizième mois", -5, 0],  # month and hours
        [None, "Inconnue", "Personne", month, -3, 0],  # who and hours
        [site.said.pk, "Attoumani", "Saïd", month, "beaucoup", -2],  # worked and training
    ]
    item = run(site, "erreurs.xlsx", xlsx_bytes(rows))
    assert item.status == HoursImportStatus.INVALID
    found = [(line, label, message[:40]) for line, label, message in errors_of(item)]
    assert found == [
        (2, "Mois", "« treizième mois » n'est pas un mois lis"),
        (2, "Heures travaillées", "Les heures ne peuvent pas être négatives"),
        (3, "Nom", "Personne inconnue : aucune mise en emplo"),
        (3, "Heures travaillées", "Les heures ne peuvent pas être négatives"),
        (4, "Heures travaillées", "« beaucoup » n'est pas un nombre d'heure"),
        (4, "Heures de formation", "Les heures ne peuvent pas être négatives"),
    ]
    report = openpyxl.load_workbook(io.BytesIO(hours_import.hours_import_report(item)))
    sheet = report.active
    assert sheet.cell(row=2, column=7).value.count(" ; ") == 1  # both errors of line 2
    assert sheet.cell(row=3, column=7).value.count(" ; ") == 1


# What the import changed -----------------------------------------------------------------


def test_the_summary_tells_created_updated_unchanged_and_the_net_change(site):
    march, april = months_ago(2), months_ago(1)
    HoursEntry.objects.create(
        placement=site.fatima, month=march, hours_worked=Decimal(100), declared_by=site.user
    )
    HoursEntry.objects.create(
        placement=site.said, month=march, hours_worked=Decimal(50), declared_by=site.user
    )
    rows = [
        HEADER,
        [site.fatima.pk, "Madi", "Fatima", march, 80, 5],  # 100 -> 85: -15
        [site.said.pk, "Attoumani", "Saïd", march, 50, 0],  # unchanged
        [site.said.pk, "Attoumani", "Saïd", april, 40, 0],  # new: +40
    ]
    item = run(site, "mars-avril.xlsx", xlsx_bytes(rows))
    assert item.status == HoursImportStatus.DONE, item.errors
    assert (item.created_count, item.updated_count, item.unchanged_count) == (1, 1, 1)
    assert item.refused_count == 0
    assert item.hours_imported == Decimal(175)  # 85 + 50 + 40, every hour of the file
    assert item.hours_change == Decimal(25)  # -15 + 0 + 40


# Months not over -------------------------------------------------------------------------


def test_hours_of_a_month_not_over_are_refused_in_the_networks_time_zone(
    structure, other_structure
):
    network = structure.organisation.network
    network.time_zone = "Indian/Mayotte"
    network.save()
    # 31 March 2026 at 23:30 in Paris is already 1 April at 00:30 in Mayotte (UTC+3).
    with time_machine.travel(datetime.datetime(2026, 3, 31, 21, 30, tzinfo=datetime.UTC)):
        site = make_site(structure, other_structure)
        rows = [
            HEADER,
            [site.fatima.pk, "Madi", "Fatima", "03/2026", 100, 0],
            [site.said.pk, "Attoumani", "Saïd", "04/2026", 10, 0],
        ]
        item = run(site, "heures.xlsx", xlsx_bytes(rows))
        assert errors_of(item) == [
            (
                3,
                "Mois",
                "Le mois d'avril 2026 n'est pas terminé : ses heures se déclarent à partir du "
                "01/05/2026.",
            )
        ]
        item = run(site, "mars.xlsx", xlsx_bytes(rows[:2]))
        assert item.status == HoursImportStatus.DONE, item.errors
