"""Benchmark of the DECP import: a million records read, cleaned and written.

    .venv/bin/python bench/import_decp.py [--records 1000000] [--small 100000]
        [--db-records 200000] [--layout v1|v2] [--skip-read]

The records are the real ones of tests/data/decp (1,618 contracts published in 2019 by
two platforms), repeated until the file holds ``--records`` of them. Each copy gets an id
of its own (the real id, a hyphen and its rank in the file) so that every record of the
file is a distinct contract; buyers and holders stay the real ones, so their
organisations are reused from one copy to the next, as in a national file. The file is
written as a stream, in the 2019 layout (``{"marches": [...]}``) or, with ``--layout
v2``, in the 2024 one (``{"marches": {"marche": [...]}}``, each record turned into the
2024 schema: wrapped holders, social and environmental considerations).

Measured, each in a process of its own so that its peak memory is its own:

1. read only (the streaming reader), then read and clean (``normalise_file``), at two
   sizes (``--small`` and ``--records``): records per second and the process's peak
   resident memory (``ru_maxrss``); then, in another process, the peak of Python's
   allocations during the read and clean (``tracemalloc``, which slows the run: it is not
   timed);
2. the import into the database as the command ``import-decp`` runs it (hash of the file,
   a first reading to count its records, then reading, cleaning and writing by batches of
   1,000), of a file of ``--db-records`` records into a new network of its own;
3. the same file imported again: every record comes out unchanged.

The database is the one of DATABASE_URL (for example postgres://user@host/base), migrated
first; without it, a new SQLite file in a temporary folder. Django runs without DEBUG, as
the background worker does (DEBUG keeps every query in memory). Not a test: it is run by
hand and its figures are written in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SOURCES = (
    ROOT / "tests/data/decp/v1-real-e-marchespublics-2019-04.json",
    ROOT / "tests/data/decp/v1-real-pes-2019-04.json",
)
# Fields the 2019 consolidations added, which the 2024 schema does not have.
V1_ONLY = ("_type", "uid", "source")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
    os.environ.setdefault("TREMPLIN_TASKS_BACKEND", "immediate")
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The file -------------------------------------------------------------------------------


def real_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in SOURCES:
        with path.open(encoding="utf-8") as source:
            records.extend(json.load(source)["marches"])
    return records


def _wrapped(items: Any, key: str) -> Any:
    return [{key: item} for item in items] if isinstance(items, list) else items


def as_v2(record: dict[str, Any], rank: int) -> dict[str, Any]:
    """A 2019 record in the 2024 schema: holders and modifications wrapped, dates without
    their time zone, considerations given (one contract in five with a social clause)."""
    record = {key: value for key, value in record.items() if key not in V1_ONLY}
    for key in ("dateNotification", "datePublicationDonnees"):
        if isinstance(record.get(key), str):
            record[key] = record[key][:10]
    record["titulaires"] = [
        {"titulaire": {"typeIdentifiant": h.get("typeIdentifiant"), "id": h.get("id")}}
        if isinstance(h, dict)
        else h
        for h in record.get("titulaires") or []
    ]
    record["modifications"] = _wrapped(record.get("modifications") or [], "modification")
    social = ["Clause sociale"] if rank % 5 == 0 else ["Pas de considération sociale"]
    record["considerationsSociales"] = {"considerationSociale": social}
    record["considerationsEnvironnementales"] = {
        "considerationEnvironnementale": ["Pas de considération environnementale"]
    }
    return record


def templates(layout: str) -> list[tuple[str, str, str]]:
    """Each real record as (its id, its buyer's SIRET, its JSON without id and uid): the
    file is written by prefixing each copy's own id, without encoding the record again."""
    result = []
    for rank, record in enumerate(real_records()):
        if layout == "v2":
            record = as_v2(record, rank)
        rest = {key: value for key, value in record.items() if key not in ("id", "uid")}
        body = json.dumps(rest, ensure_ascii=False, separators=(",", ":"))
        buyer = record.get("acheteur") or {}
        result.append((str(record.get("id", "")), str(buyer.get("id", "")), body[1:]))
    return result


def generate(path: Path, count: int, layout: str) -> int:
    """Write ``count`` records to ``path`` as a stream; returns the file's size."""
    sources = templates(layout)

    def records() -> Iterator[str]:
        for rank in range(1, count + 1):
            identifier, siret, rest = sources[(rank - 1) % len(sources)]
            # Every copy its own id: the real id and the record's rank in the file.
            own = json.dumps(f"{identifier}-{rank}", ensure_ascii=False)
            if layout == "v1":
                uid = json.dumps(f"{siret}{identifier}-{rank}", ensure_ascii=False)
                yield f'{{"id":{own},"uid":{uid},{rest}' if rest != "}" else f'{{"id":{own}}}'
            else:
                yield f'{{"id":{own},{rest}' if rest != "}" else f'{{"id":{own}}}'

    opening, closing = (
        ('{"marches":[', "]}") if layout == "v1" else ('{"marches":{"marche":[', "]}}")
    )
    with path.open("w", encoding="utf-8") as output:
        output.write(opening)
        chunk: list[str] = []
        separator = ""
        for text in records():
            chunk.append(text)
            if len(chunk) == 10_000:
                output.write(separator + ",\n".join(chunk))
                chunk, separator = [], ",\n"
        if chunk:
            output.write(separator + ",\n".join(chunk))
        output.write(closing + "\n")
    return path.stat().st_size


# Measures (each in a child process) ------------------------------------------------------


def measure_read(path: str) -> dict[str, Any]:
    from tremplin.decp.normalise import normalise_file
    from tremplin.decp.reader import read_records
    from tremplin.decp.records import Rejection

    with open(path, "rb") as stream:
        start = time.perf_counter()
        read = sum(1 for _ in read_records(stream))
        read_seconds = time.perf_counter() - start
    rejected = 0
    with open(path, "rb") as stream:
        start = time.perf_counter()
        for item in normalise_file(stream):
            if isinstance(item, Rejection):
                rejected += 1
        clean_seconds = time.perf_counter() - start
    return {
        "records": read,
        "read_seconds": read_seconds,
        "clean_seconds": clean_seconds,
        "rejected": rejected,
        "peak_mb": peak_rss_mb(),
    }


def measure_traced(path: str) -> dict[str, Any]:
    import tracemalloc

    from tremplin.decp.normalise import normalise_file

    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    with open(path, "rb") as stream:
        count = sum(1 for _ in normalise_file(stream))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"records": count, "traced_peak_mb": (peak - baseline) / 1024 / 1024}


def measure_import(path: str, slug: str) -> dict[str, Any]:
    setup_django()
    from tremplin.decp import decp_import
    from tremplin.organisations.models import Network

    # The phases of the command's own code path, timed from outside.
    phases: dict[str, float] = {}
    count_pass = decp_import._count

    def timed_count(item: Any, *args: Any) -> int:
        start = time.perf_counter()
        total = count_pass(item, *args)
        phases["count"] = time.perf_counter() - start
        return total

    decp_import._count = timed_count  # type: ignore[assignment]
    network = Network.objects.get(slug=slug)
    start = time.perf_counter()
    item = decp_import.decp_import_from_path(network=network, path=Path(path))
    phases["hash"] = time.perf_counter() - start
    item = decp_import.decp_import_run(decp_import=item)
    elapsed = time.perf_counter() - start
    if item.status != "done":
        raise SystemExit(f"import not done: {item.status} {item.error_message}")
    return {
        "records": item.records_read,
        "created": item.created_count,
        "updated": item.updated_count,
        "unchanged": item.unchanged_count,
        "rejected": item.rejected_count,
        "organisations": item.organisations_created,
        "seconds": elapsed,
        "hash_seconds": phases["hash"],
        "count_seconds": phases["count"],
        "write_seconds": elapsed - phases["hash"] - phases["count"],
        "peak_mb": peak_rss_mb(),
    }


def child(kind: str, path: str, slug: str) -> None:
    if kind == "read":
        result = measure_read(path)
    elif kind == "traced":
        result = measure_traced(path)
    else:
        result = measure_import(path, slug)
    print(json.dumps(result))


def run_child(kind: str, path: Path, env: dict[str, str], slug: str = "") -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--file", str(path), "--network", slug],
        capture_output=True,
        text=True,
        env=env,
    )
    if output.returncode:
        raise SystemExit(f"{kind} failed:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# The run --------------------------------------------------------------------------------


def prepare_database(slug: str) -> str:
    """Migrate the database and create the network the import writes into."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from tremplin.organisations.models import Network

    call_command("migrate", verbosity=0)
    Network.objects.create(slug=slug, name=f"Banc d'essai DECP {slug}")
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    connection.close()
    return f"{'PostgreSQL' if vendor == 'postgresql' else 'SQLite'} {version}"


def rate(records: int, seconds: float) -> str:
    return f"{records / seconds:9,.0f} records/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--db-records", type=int, default=200_000)
    parser.add_argument("--layout", choices=["v1", "v2"], default="v1")
    parser.add_argument("--skip-read", action="store_true", help="measure the import only")
    parser.add_argument("--measure", choices=["read", "traced", "import"])
    parser.add_argument("--file")
    parser.add_argument("--network", default="")
    arguments = parser.parse_args()
    if arguments.measure:
        child(arguments.measure, arguments.file, arguments.network)
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-decp-"))
    # As the background worker runs: without DEBUG, Django does not log every query.
    os.environ.setdefault("TREMPLIN_DEBUG", "0")
    os.environ.setdefault("TREMPLIN_SECRET_KEY", "bench-import-decp-not-a-secret")
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["TREMPLIN_SQLITE_PATH"] = str(workdir / "bench.sqlite3")
        os.environ["TREMPLIN_SQLITE_PATH"] = env["TREMPLIN_SQLITE_PATH"]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, layout {arguments.layout}"
    )
    files: dict[int, Path] = {}

    def file_of(count: int) -> Path:
        if count not in files:
            path = workdir / f"decp-{arguments.layout}-{count}.json"
            started = time.perf_counter()
            size = generate(path, count, arguments.layout)
            print(
                f"file of {count:,} records: {size / 1024 / 1024:,.0f} MB, written in "
                f"{time.perf_counter() - started:.0f} s"
            )
            files[count] = path
        return files[count]

    try:
        if not arguments.skip_read:
            for count in sorted({arguments.small, arguments.records}):
                path = file_of(count)
                read = run_child("read", path, env)
                traced = run_child("traced", path, env)
                print(
                    f"read only       {count:>9,}: {read['read_seconds']:6.1f} s "
                    f"{rate(read['records'], read['read_seconds'])}"
                )
                print(
                    f"read and clean  {count:>9,}: {read['clean_seconds']:6.1f} s "
                    f"{rate(read['records'], read['clean_seconds'])}  peak RSS "
                    f"{read['peak_mb']:5.0f} MB, Python peak (tracemalloc) "
                    f"{traced['traced_peak_mb']:5.1f} MB, {read['rejected']:,} rejected"
                )
        path = file_of(arguments.db_records)
        slug = f"bench-decp-{int(time.time())}"
        database = prepare_database(slug)
        print(f"database: {database}, network « {slug} »")
        for name in ("import", "import again"):
            result = run_child("import", path, env, slug)
            print(
                f"{name:15} {result['records']:>9,}: {result['seconds']:6.1f} s "
                f"{rate(result['records'], result['seconds'])}  peak RSS "
                f"{result['peak_mb']:5.0f} MB"
            )
            print(
                f"    hash {result['hash_seconds']:.1f} s, counting pass "
                f"{result['count_seconds']:.1f} s, clean and write "
                f"{result['write_seconds']:.1f} s — created {result['created']:,}, "
                f"updated {result['updated']:,}, unchanged {result['unchanged']:,}, "
                f"rejected {result['rejected']:,}, organisations {result['organisations']:,}"
            )
    finally:
        # The generated files and the SQLite database weigh hundreds of MB.
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
