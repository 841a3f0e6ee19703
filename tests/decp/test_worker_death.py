"""A real process importing a DECP file is killed (SIGKILL) in the middle of the import;
the recovery hands the import to a real background worker, which runs it on to the end:
every record of the file is written exactly once. The command line refuses a hostile file
with a French message and no traceback.

The processes share a SQLite file of their own (the test database of pytest lives in the
test's process only); nothing is timed: the test polls with a generous deadline."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "decp"
RECORDS = 12_000  # a dozen batches of 1,000: long enough to be killed in the middle
DEADLINE = 600.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A migrated SQLite file with a network, and how to run a command on it."""
    folder = tmp_path_factory.mktemp("worker-death")
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL",)} | {
        "DJANGO_SETTINGS_MODULE": "tremplin.settings",
        "TREMPLIN_SQLITE_PATH": str(folder / "base.sqlite3"),
        "TREMPLIN_TASKS_BACKEND": "database",
        "TREMPLIN_IMPORT_STALE_SECONDS": "0",  # a killed import is judged dead at once
        "TREMPLIN_MEDIA_ROOT": str(folder / "media"),
    }

    def command(*args: str, **kwargs) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
        return subprocess.Popen(
            [sys.executable, "-m", "tremplin", *args],
            env=env,
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kwargs,
        )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        process = command(*args)
        out, err = process.communicate(timeout=DEADLINE)
        return subprocess.CompletedProcess(args, process.returncode, out, err)

    assert run("migrate", "--no-input").returncode == 0
    created = run(
        "shell",
        "-c",
        "from tremplin.organisations.models import Network; "
        "Network.objects.create(name='Réseau', slug='reseau', hours_per_fte=1607)",
    )
    assert created.returncode == 0, created.stderr
    return folder, command, run


def query(folder: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(folder / "base.sqlite3", timeout=60) as base:
        return base.execute(sql).fetchall()


def big_file(path: Path) -> None:
    """Real records repeated, each with an id of its own: ``RECORDS`` distinct contracts."""
    source = json.loads((DATA / "v1-real-pes-2019-04.json").read_text(encoding="utf-8"))
    real = source["marches"]
    with path.open("w", encoding="utf-8") as out:
        out.write('{"marches": [')
        for rank in range(RECORDS):
            record = dict(real[rank % len(real)], id=f"{real[rank % len(real)]['id']}-{rank}")
            out.write(("," if rank else "") + json.dumps(record, ensure_ascii=False))
        out.write("]}")


def test_an_import_killed_midway_is_run_on_by_the_worker_to_each_record_once(server):
    folder, command, run = server
    path = folder / "decp-national.json"
    big_file(path)

    importing = command("import-decp", str(path), "--network", "reseau")
    deadline = time.monotonic() + DEADLINE
    read = 0
    while importing.poll() is None and time.monotonic() < deadline:
        rows = query(folder, "SELECT records_read FROM decp_decpimport")
        read = rows[0][0] if rows else 0
        if read >= 2000:
            break
        time.sleep(0.05)
    importing.send_signal(signal.SIGKILL)
    importing.communicate()
    assert 0 < read < RECORDS, "the import must be killed in the middle"
    [(status, written_before)] = query(folder, "SELECT status, records_read FROM decp_decpimport")
    assert status == "running"
    assert query(folder, "SELECT count(*) FROM decp_decprecord") == [(written_before,)]

    recovered = run("recover_imports")
    assert recovered.returncode == 0, recovered.stderr
    assert "relancé" in recovered.stdout
    worker = run("db_worker", "--batch", "--interval", "0.1")
    assert worker.returncode == 0, worker.stderr

    [(status, total, read, created, updated, unchanged, attempts)] = query(
        folder,
        "SELECT status, records_total, records_read, created_count, updated_count, "
        "unchanged_count, attempts FROM decp_decpimport",
    )
    assert status == "done"
    assert (total, read, attempts) == (RECORDS, RECORDS, 2)
    # Same outcome as one import that never stopped: repeated publications aside (the
    # real file publishes a few contracts twice), one record per contract of the file.
    [(rows,)] = query(folder, "SELECT count(*) FROM decp_decprecord")
    [(keys,)] = query(folder, "SELECT count(DISTINCT identifier) FROM decp_decprecord")
    assert rows == keys == RECORDS
    assert created + updated + unchanged == RECORDS


def test_the_command_line_refuses_a_hostile_file_in_french_without_traceback(server):
    folder, _command, run = server
    path = folder / "piege.json"
    path.write_bytes(b'{"marches": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}")

    result = run("import-decp", str(path), "--network", "reseau")

    assert result.returncode != 0
    assert "imbriqués sur plus de 64 niveaux" in result.stdout
    assert "Au moins un fichier n'a pas pu être importé." in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
