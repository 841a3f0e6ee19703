"""Benchmark of the spreadsheet import of hours: 100,000 rows, against a baseline.

    .venv/bin/python bench/import_hours.py [--rows 100000]

The database is the one of DATABASE_URL (for example postgres://user@host/base); without
it, a new SQLite file in a temporary folder. It is migrated, then given one facilitator
structure, one contract and one placement per 20 rows (5,000 people for 100,000 rows).
The script writes an xlsx of ``--rows`` rows (placement number, name, first name, month,
hours, training hours; a title row above the header) and measures, each in a process of
its own so that its peak memory is its own:

- baseline: read the file with python-calamine and bulk-insert its rows as months of hours
  (no check, no history), then delete them;
- import: the import service as a page runs it (header, streamed validation against the
  database, write of every month and of its history event in one transaction).

It prints rows per second and peak resident memory (ru_maxrss) of each, and their ratio.
Not a test: it is run by hand and its figures are written in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
ROWS_PER_PLACEMENT = 20
EMAIL = "bench-import@tremplin.local"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
    os.environ.setdefault("TREMPLIN_TASKS_BACKEND", "immediate")
    import django

    django.setup()


def months_back(count: int) -> datetime.date:
    today = datetime.date.today()
    index = today.year * 12 + today.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def prepare(rows: int, workdir: Path) -> dict[str, object]:
    """Migrate, create the people and their placements, and write the xlsx."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from openpyxl import Workbook

    from tremplin.core.models import RomeJobTitle
    from tremplin.inclusion.models import (
        HoursEntry,
        HoursImport,
        InclusionEvent,
        Participant,
        Placement,
    )
    from tremplin.organisations.models import Membership, Network, Organisation, User
    from tremplin.procurement.models import Contract

    network, _ = Network.objects.get_or_create(
        slug="bench-import", defaults={"name": "Banc d'essai"}
    )
    facilitator, _ = Organisation.objects.get_or_create(
        network=network, kind="facilitator", name="Structure du banc d'essai"
    )
    buyer, _ = Organisation.objects.get_or_create(
        network=network, kind="buyer", name="Acheteur du banc d'essai", buyer_kind="municipality"
    )
    company, _ = Organisation.objects.get_or_create(
        network=network, kind="company", name="Entreprise du banc d'essai"
    )
    user = User.objects.filter(email=EMAIL).first() or User.objects.create_user(EMAIL, "x")
    Membership.objects.get_or_create(user=user, organisation=facilitator)
    contract, _ = Contract.objects.get_or_create(
        buyer=buyer,
        reference="BENCH-IMPORT",
        defaults={
            "facilitator": facilitator,
            "title": "Marché du banc d'essai",
            "procedure": "open_tender",
            "amount_excl_tax": Decimal(10_000_000),
            "execution_start": months_back(ROWS_PER_PLACEMENT + 4),
            "execution_end": datetime.date.today() + datetime.timedelta(days=365),
            "awarded_company": company,
        },
    )
    # A clean slate: no hours, no history, no import from an earlier run.
    InclusionEvent.objects.filter(participant__facilitator=facilitator)._raw_delete(
        InclusionEvent.objects.db
    )
    HoursEntry.objects.filter(placement__contract=contract).delete()
    HoursImport.objects.filter(organisation=facilitator).delete()
    people = rows // ROWS_PER_PLACEMENT
    existing = Placement.objects.filter(contract=contract).count()
    if existing != people:
        Placement.objects.filter(contract=contract).delete()
        Participant.objects.filter(facilitator=facilitator).delete()
        participants = Participant.objects.bulk_create(
            [
                Participant(
                    facilitator=facilitator,
                    first_name=("Fatima", "Ali", "Nadia", "Saïd", "Zaïnaba")[n % 5],
                    last_name=f"Personne{n:05d}",
                    birth_date=datetime.date(1980 + n % 20, 1 + n % 12, 1 + n % 28),
                    sex="F" if n % 2 else "M",
                )
                for n in range(people)
            ],
            batch_size=2000,
        )
        job = RomeJobTitle.objects.order_by("code").first()
        Placement.objects.bulk_create(
            [
                Placement(
                    participant=participant,
                    contract=contract,
                    employer=company,
                    execution_mode="direct_cdd",
                    job=job,
                    start_date=months_back(ROWS_PER_PLACEMENT + 2),
                )
                for participant in participants
            ],
            batch_size=2000,
        )
    placements = list(
        Placement.objects.filter(contract=contract)
        .order_by("pk")
        .values_list("pk", "participant__last_name", "participant__first_name")
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Heures")
    sheet.append(["Relevé des heures du banc d'essai"])
    sheet.append(["N° mise en emploi", "Nom", "Prénom", "Mois", "Heures travaillées", "Formation"])
    written = 0
    for count in range(1, ROWS_PER_PLACEMENT + 1):
        month = months_back(count)
        for pk, last_name, first_name in placements:
            if written >= rows:
                break
            sheet.append([pk, last_name, first_name, month, 100 + pk % 50 + 0.5, pk % 3])
            written += 1
    path = workdir / f"heures-{rows}.xlsx"
    book.save(path)
    return {"file": str(path), "rows": written, "size": path.stat().st_size}


def settle() -> None:
    """Start each measure from a clean table: the rows an earlier run deleted are vacuumed
    (on PostgreSQL, autovacuum would otherwise run during the next measure)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE inclusion_hoursentry")
            cursor.execute("VACUUM ANALYZE inclusion_inclusionevent")
        else:
            cursor.execute("VACUUM")
    connection.close()


def measure_baseline(path: str) -> dict[str, object]:
    """Read with calamine, bulk-insert as months of hours, without any check."""
    from python_calamine import CalamineWorkbook

    from tremplin.inclusion.models import HoursEntry

    start = time.perf_counter()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    entries = []
    for index, row in enumerate(sheet.iter_rows()):
        if index < 2:
            continue
        pk, _last, _first, month, worked, training = row[:6]
        entries.append(
            HoursEntry(
                placement_id=int(pk),
                month=month.replace(day=1),
                hours_worked=Decimal(str(worked)),
                training_hours=Decimal(str(training or 0)),
            )
        )
    HoursEntry.objects.bulk_create(entries, batch_size=1000)
    elapsed = time.perf_counter() - start
    count = len(entries)
    HoursEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    return {"rows": count, "seconds": elapsed}


def measure_import(path: str) -> dict[str, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from tremplin.inclusion import hours_import
    from tremplin.organisations.access import scope_for
    from tremplin.organisations.models import Organisation, User

    user = User.objects.get(email=EMAIL)
    organisation = Organisation.objects.get(name="Structure du banc d'essai")
    data = Path(path).read_bytes()
    media = tempfile.mkdtemp(prefix="bench-media-")
    with override_settings(MEDIA_ROOT=media, HOURS_IMPORT_BACKGROUND_ROWS=10**9):
        start = time.perf_counter()
        item = hours_import.hours_import_receive(
            actor=user,
            scope=scope_for(user),
            organisation=organisation,
            file=SimpleUploadedFile(Path(path).name, data),
        )
        item = hours_import.hours_import_launch(hours_import=item)
        elapsed = time.perf_counter() - start
    if item.status != "done":
        raise SystemExit(f"import not done: {item.status} {item.message} {item.errors[:5]}")
    return {"rows": item.rows_read, "created": item.created_count, "seconds": elapsed}


def child(kind: str, path: str) -> None:
    setup_django()
    result = measure_baseline(path) if kind == "baseline" else measure_import(path)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(kind: str, path: str, env: dict[str, str]) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--file", path],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--measure", choices=["baseline", "import"])
    parser.add_argument("--file")
    arguments = parser.parse_args()
    if arguments.measure:
        child(arguments.measure, arguments.file)
        return
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["TREMPLIN_SQLITE_PATH"] = str(workdir / "bench.sqlite3")
        os.environ["TREMPLIN_SQLITE_PATH"] = env["TREMPLIN_SQLITE_PATH"]
    setup_django()
    from django.db import connection

    started = time.perf_counter()
    prepared = prepare(arguments.rows, workdir)
    print(
        f"{connection.vendor} — {prepared['rows']:,} rows, "
        f"{int(prepared['size']) / 1024 / 1024:.1f} MB xlsx, prepared in "
        f"{time.perf_counter() - started:.0f} s"
    )
    settle()
    baseline = run_child("baseline", str(prepared["file"]), env)
    settle()
    imported = run_child("import", str(prepared["file"]), env)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for name, result in (("baseline (calamine + bulk insert)", baseline), ("import", imported)):
        print(
            f"{name:34} {result['seconds']:7.1f} s  {result['rows'] / result['seconds']:9,.0f} "
            f"rows/s  peak {result['peak_mb']:6.0f} MB"
        )
    print(f"import / baseline: {imported['seconds'] / baseline['seconds']:.2f} × the time")


if __name__ == "__main__":
    main()
