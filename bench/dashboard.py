"""Benchmark of the dashboards on PostgreSQL at scale, against hand-written SQL.

    .venv/bin/python bench/dashboard.py [--scale departement national] [--keep]

For each scale factor (see ``tremplin.demo.scale``: ``departement`` is one territory of
6,000 contracts, 6,000 participants and about 50,000 months of hours; ``national`` is one
hundred of them: 600,000 contracts, 600,000 participants, about 5 million months of
hours over ten years), the script creates a fresh PostgreSQL database
``tremplin_bench_<scale>`` (127.0.0.1:5432, user postgres; ``BENCH_POSTGRES_URL`` to
change), migrates it, generates the territories, runs ``VACUUM ANALYZE``, then times the
dashboards of the first territory's users:

- facilitator: ``reporting.selectors.facilitator_dashboard`` for the biggest structure;
- buyer: ``reporting.selectors.buyer_dashboard`` for the biggest buyer;
- network: the network consolidation of the coordinator (``network_dashboard``);
- indicators: ``reporting.indicators.impact_report`` over the network's contracts, when
  that module exists.

Each is timed beside one hand-written SQL query computing the same figures, and the
figures of both are asserted equal. Times are the median of 5 warm runs (one run first,
not counted). The full pages are then timed through Django's test client. The database
is dropped at the end unless ``--keep``. Not a test: run by hand, figures written in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
RUNS = 5


def database_url(scale: str) -> str:
    return f"{SERVER}/tremplin_bench_{scale}"


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def setup_django(scale: str) -> None:
    os.environ["DATABASE_URL"] = database_url(scale)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
    os.environ.setdefault("TREMPLIN_TASKS_BACKEND", "immediate")
    import django

    django.setup()


def timed(function: Callable[[], Any]) -> tuple[float, int, Any]:
    """Median milliseconds of RUNS warm runs, the number of queries of one, the result."""
    from django.db import connection

    # Counted by an execute wrapper: the test client's request signals reset the query log.
    executed = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = function()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(executed), result


def sql(query: str, params: dict[str, Any]) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def as_json(value: Any) -> Any:
    """json_agg comes back as text or as parsed JSON, depending on the driver's loaders."""
    if value is None:
        return []
    if isinstance(value, str):
        return json.loads(value, parse_float=Decimal)
    return value


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


# --- Hand-written queries -------------------------------------------------------------
# Each one computes, in one statement, what its dashboard shows.

FACILITATOR_SQL = """
WITH c AS (
    SELECT id, buyer_id, hours_required, execution_start, execution_end
    FROM procurement_contract WHERE facilitator_id = ANY(%(structures)s)
), h AS (
    SELECT p.contract_id,
           sum(e.total_hours) FILTER (WHERE e.status = 'validated') AS validated
    FROM inclusion_hoursentry e
    JOIN inclusion_placement p ON p.id = e.placement_id
    WHERE p.contract_id IN (SELECT id FROM c) AND e.status = 'validated'
    GROUP BY p.contract_id
), pc AS (
    SELECT c.*, coalesce(h.validated, 0) AS validated
    FROM c LEFT JOIN h ON h.contract_id = c.id
)
SELECT
    (SELECT count(*) FROM pc),
    (SELECT count(*) FROM pc WHERE hours_required > 0),
    (SELECT coalesce(sum(hours_required), 0) FROM pc),
    (SELECT count(DISTINCT buyer_id) FROM pc),
    (SELECT coalesce(sum(validated), 0) FROM pc),
    (SELECT coalesce(sum(e.total_hours), 0)
       FROM inclusion_hoursentry e
       JOIN inclusion_placement p ON p.id = e.placement_id
       JOIN inclusion_participant pa ON pa.id = p.participant_id
      WHERE pa.facilitator_id = ANY(%(structures)s) AND e.status = 'declared'),
    (SELECT count(*) FROM inclusion_participant
      WHERE facilitator_id = ANY(%(structures)s) AND merged_into_id IS NULL),
    (SELECT json_agg(json_build_array(buyer_id, clauses, required, validated))
       FROM (SELECT buyer_id, count(*) FILTER (WHERE hours_required > 0) AS clauses,
                    sum(hours_required) AS required, sum(validated) AS validated
               FROM pc GROUP BY buyer_id) AS b),
    (SELECT json_agg(json_build_array(id, hours_required, execution_start, execution_end,
                                      validated))
       FROM pc WHERE hours_required > 0)
"""

BUYER_SQL = """
WITH c AS (
    SELECT id, hours_required FROM procurement_contract
    WHERE buyer_id = ANY(%(buyers)s) AND hours_required > 0
), h AS (
    SELECT p.contract_id,
           sum(e.total_hours) FILTER (WHERE e.status = 'validated') AS validated,
           sum(e.total_hours) FILTER (WHERE e.status = 'declared') AS declared
    FROM inclusion_hoursentry e
    JOIN inclusion_placement p ON p.id = e.placement_id
    WHERE p.contract_id IN (SELECT id FROM c)
    GROUP BY p.contract_id
), pc AS (
    SELECT c.id, c.hours_required, coalesce(h.validated, 0) AS validated,
           coalesce(h.declared, 0) AS declared
    FROM c LEFT JOIN h ON h.contract_id = c.id
)
SELECT coalesce(sum(hours_required), 0), coalesce(sum(validated), 0),
       coalesce(sum(declared), 0), json_agg(json_build_array(id, validated, declared))
FROM pc
"""

NETWORK_SQL = """
WITH s AS (
    SELECT id FROM organisations_organisation
    WHERE network_id = %(network)s AND kind = 'facilitator'
), c AS (
    SELECT id, facilitator_id, buyer_id, hours_required FROM procurement_contract
    WHERE facilitator_id IN (SELECT id FROM s)
), v AS (
    SELECT p.contract_id, sum(e.total_hours) AS validated
    FROM inclusion_hoursentry e
    JOIN inclusion_placement p ON p.id = e.placement_id
    WHERE p.contract_id IN (SELECT id FROM c) AND e.status = 'validated'
    GROUP BY p.contract_id
), pc AS (
    SELECT c.*, coalesce(v.validated, 0) AS validated FROM c LEFT JOIN v ON v.contract_id = c.id
), pa AS (
    SELECT facilitator_id, count(*) AS people FROM inclusion_participant
    WHERE facilitator_id IN (SELECT id FROM s) AND merged_into_id IS NULL
    GROUP BY facilitator_id
), rows AS (
    SELECT s.id,
           count(pc.id) FILTER (WHERE pc.hours_required > 0) AS clauses,
           coalesce(sum(pc.hours_required), 0) AS required,
           coalesce(sum(pc.validated), 0) AS validated,
           coalesce(max(pa.people), 0) AS people,
           count(DISTINCT pc.buyer_id) AS buyers
    FROM s LEFT JOIN pc ON pc.facilitator_id = s.id LEFT JOIN pa ON pa.facilitator_id = s.id
    GROUP BY s.id
)
SELECT
    (SELECT json_agg(json_build_array(id, clauses, required, validated, people, buyers))
       FROM rows),
    (SELECT sum(clauses) FROM rows), (SELECT sum(required) FROM rows),
    (SELECT sum(validated) FROM rows), (SELECT sum(people) FROM rows),
    (SELECT count(DISTINCT buyer_id) FROM pc)
"""


# --- The dashboards, their query, and the comparison of their figures ------------------


class Mismatch(AssertionError):
    pass


def same(name: str, django_value: Any, sql_value: Any) -> None:
    if django_value != sql_value:
        raise Mismatch(f"{name}: Django {django_value!r} ≠ SQL {sql_value!r}")


def check_facilitator(dashboard: Any, row: Any, today: date) -> None:
    from tremplin.procurement.progress import contract_progress

    figures = dashboard.figures
    contracts, clauses, required, buyers, validated, declared, people, buyer_rows, rows = row
    same("contracts", figures.contracts, contracts)
    same("contracts with a clause", figures.contracts_with_clause, clauses)
    same("hours required", figures.hours_required, dec(required))
    same("buyers", figures.buyers, buyers)
    same("hours validated", figures.hours_validated, dec(validated))
    same("hours awaiting review", figures.hours_declared, dec(declared))
    same("participants", figures.participants, people)
    same(
        "buyer rows",
        {
            (b.buyer_id, b.contracts_with_clause, b.hours_required, b.hours_validated)
            for b in dashboard.buyers
        },
        {(b[0], b[1], dec(b[2]), dec(b[3])) for b in as_json(buyer_rows)},
    )
    tally: dict[str, int] = {}
    for _pk, needed, start, end, realised in as_json(rows):
        status = contract_progress(
            required=dec(needed),
            realised=dec(realised),
            start=date.fromisoformat(start),
            end=date.fromisoformat(end),
            today=today,
        ).status
        tally[status] = tally.get(status, 0) + 1
    same(
        "contracts by status",
        {c.status: c.count for c in dashboard.statuses.counts if c.count},
        tally,
    )


def check_buyer(dashboard: Any, row: Any) -> None:
    required, validated, declared, rows = row
    same("hours required", dashboard.figures.hours_required, dec(required))
    same("hours validated", dashboard.figures.hours_validated, dec(validated))
    same("hours declared", dashboard.hours_declared, dec(declared))
    same(
        "contract rows",
        {(c.pk, c.hours_validated, c.hours_declared) for c in dashboard.contracts},
        {(r[0], dec(r[1]), dec(r[2])) for r in as_json(rows)},
    )


def check_network(dashboard: Any, row: Any) -> None:
    rows, clauses, required, validated, people, buyers = row
    same(
        "structure rows",
        {
            (
                s.structure_id,
                s.contracts_with_clause,
                s.hours_required,
                s.hours_validated,
                s.participants,
                s.buyers,
            )
            for s in dashboard.structures
        },
        {(r[0], r[1], dec(r[2]), dec(r[3]), r[4], r[5]) for r in as_json(rows)},
    )
    total = dashboard.total
    same("total contracts with a clause", total.contracts_with_clause, int(clauses))
    same("total hours required", total.hours_required, dec(required))
    same("total hours validated", total.hours_validated, dec(validated))
    same("total participants", total.participants, int(people))
    same("total buyers", total.buyers, buyers)


def network_dashboard_function() -> Callable[..., Any]:
    """The consolidation moves from selectors to its own module: take it where it is."""
    try:
        from tremplin.reporting import consolidation

        return consolidation.network_dashboard  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        from tremplin.reporting import selectors

        return selectors.network_dashboard


def measure(scale: str) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tremplin.organisations.access import scope_for
    from tremplin.organisations.models import Network
    from tremplin.reporting import selectors

    today = date.today()
    # The users of the first territory (see demo.scale: its biggest structure and buyer).
    users = get_user_model().objects
    facilitator = users.get(email="facilitator-001@echelle.tremplin.local")
    buyer = users.get(email="buyer-001@echelle.tremplin.local")
    coordinator = users.get(email="coordinator-001@echelle.tremplin.local")
    network = Network.objects.get(slug="echelle-001")
    results: list[dict[str, Any]] = []

    def compare(
        name: str,
        django_call: Callable[[], Any],
        query: str,
        params: dict[str, Any],
        check: Callable[[Any, Any], None],
    ) -> None:
        django_ms, queries, dashboard = timed(django_call)
        sql_ms, _one, row = timed(lambda: sql(query, params))
        check(dashboard, row)
        results.append(
            {"dashboard": name, "django_ms": django_ms, "sql_ms": sql_ms, "queries": queries}
        )

    scope = scope_for(facilitator)
    compare(
        "structure (facilitator)",
        lambda: selectors.facilitator_dashboard(scope, today=today),
        FACILITATOR_SQL,
        {"structures": sorted(scope.facilitator_ids)},
        lambda d, r: check_facilitator(d, r, today),
    )
    buyer_scope = scope_for(buyer)
    compare(
        "buyer",
        lambda: selectors.buyer_dashboard(buyer_scope, today=today),
        BUYER_SQL,
        {"buyers": sorted(buyer_scope.buyer_ids)},
        check_buyer,
    )
    consolidation = network_dashboard_function()
    compare(
        f"network ({consolidation.__module__.rsplit('.', 1)[-1]})",
        lambda: consolidation(network),
        NETWORK_SQL,
        {"network": network.pk},
        check_network,
    )
    indicators = indicators_measure(coordinator, network, today)
    if indicators:
        results.append(indicators)

    pages = []
    for name, user, url in (
        ("structure (facilitator)", facilitator, "/"),
        ("buyer", buyer, "/"),
        ("network consolidation", coordinator, "/impact/reseau/"),
    ):
        client = Client()
        client.force_login(user)

        def get(client: Client = client, url: str = url) -> int:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            return response.status_code

        try:
            page_ms, page_queries, _status = timed(get)
        except Exception as error:
            pages.append({"page": name, "url": url, "error": f"{type(error).__name__}: {error}"})
            continue
        pages.append({"page": name, "url": url, "ms": page_ms, "queries": page_queries})
    return {"dashboards": results, "pages": pages}


def indicators_measure(coordinator: Any, network: Any, today: date) -> dict[str, Any] | None:
    """The indicators page's report over the network's contracts, once the module exists."""
    try:
        from tremplin.reporting import indicators
    except ImportError:
        return None
    from tremplin.organisations.access import scope_for

    scope = scope_for(coordinator)
    contracts = indicators.report_contracts(scope)
    filters = indicators.ReportFilters()
    django_ms, queries, report = timed(
        lambda: indicators.impact_report(
            contracts,
            filters=filters,
            hours_per_fte=network.hours_per_fte,
            today=today,
        )
    )
    sql_ms, _one, row = timed(lambda: sql(INDICATORS_SQL, {"network": network.pk}))
    required, validated, clauses, buyers, companies, people = row
    same("indicators: contracts with a clause", report.contracts_with_clause, clauses)
    same("indicators: buyers", report.buyers, buyers)
    same("indicators: hours required", report.hours_required, dec(required))
    same("indicators: hours validated", report.hours_validated, dec(validated))
    same("indicators: companies", report.companies, companies)
    same("indicators: participants", report.participants, people)
    return {
        "dashboard": "indicators (network)",
        "django_ms": django_ms,
        "sql_ms": sql_ms,
        "queries": queries,
    }


INDICATORS_SQL = """
WITH c AS (
    SELECT c.id, c.buyer_id, c.awarded_company_id, c.hours_required
    FROM procurement_contract c
    JOIN organisations_organisation f ON f.id = c.facilitator_id
    WHERE f.network_id = %(network)s AND f.kind = 'facilitator'
), e AS (
    SELECT p.participant_id, e.total_hours
    FROM inclusion_hoursentry e JOIN inclusion_placement p ON p.id = e.placement_id
    WHERE p.contract_id IN (SELECT id FROM c) AND e.status = 'validated'
)
SELECT
    (SELECT coalesce(sum(hours_required), 0) FROM c),
    (SELECT coalesce(sum(total_hours), 0) FROM e),
    (SELECT count(*) FROM c WHERE hours_required > 0),
    (SELECT count(DISTINCT buyer_id) FROM c WHERE hours_required > 0),
    (SELECT count(DISTINCT awarded_company_id) FROM c WHERE hours_required > 0),
    (SELECT count(*) FROM inclusion_participant
      WHERE merged_into_id IS NULL AND id IN (SELECT participant_id FROM e))
"""


# --- Orchestration ----------------------------------------------------------------------


def child(scale: str, keep: bool, seed: int) -> None:
    """One scale, in a process of its own (Django is set up once, on its database)."""
    name = f"tremplin_bench_{scale}"
    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    setup_django(scale)
    from django.core.management import call_command
    from django.db import connection

    from tremplin.demo import scale as scale_module

    report: dict[str, Any] = {"scale": scale, "database": name}
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        report["migrate_s"] = time.perf_counter() - start
        start = time.perf_counter()
        generated = scale_module.generate(
            scale, seed=seed, progress=lambda line: print(f"  {line}", file=sys.stderr)
        )
        report["generate_s"] = time.perf_counter() - start
        report["rows"] = generated.rows
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT pg_database_size(current_database()), version()")
            size, version = cursor.fetchone()
        report["vacuum_s"] = time.perf_counter() - start
        report["size_mb"] = size / 1024 / 1024
        report["postgresql"] = version.split(" on ")[0]
        report.update(measure(scale))
    finally:
        connection.close()
        if not keep:
            admin(f'DROP DATABASE IF EXISTS "{name}"')
    print(json.dumps(report, default=str))


def measure_only(scale: str) -> None:
    """Measure again on a database kept by an earlier ``--keep`` run."""
    setup_django(scale)
    report = {"scale": scale, "database": f"tremplin_bench_{scale}"}
    report.update(measure(scale))
    print(json.dumps(report, default=str))


def show(report: dict[str, Any]) -> None:
    rows = report.get("rows", {})
    print(f"\n== {report['scale']} — {report.get('postgresql', 'PostgreSQL')}")
    if rows:
        print(
            "   rows: "
            + ", ".join(f"{label.split('.')[1]} {count:,}" for label, count in rows.items())
        )
        print(
            f"   migrate {report['migrate_s']:.0f} s, generate {report['generate_s']:.0f} s, "
            f"vacuum analyze {report['vacuum_s']:.0f} s, database {report['size_mb']:,.0f} MB"
        )
    print(f"   {'dashboard':28} {'Django ms':>10} {'SQL ms':>8} {'ratio':>6} {'queries':>8}")
    for row in report["dashboards"]:
        print(
            f"   {row['dashboard']:28} {row['django_ms']:10.1f} {row['sql_ms']:8.1f} "
            f"{row['django_ms'] / row['sql_ms']:6.2f} {row['queries']:8}"
        )
        if row.get("unchecked"):
            print(f"     (not compared: {row['unchecked']})")
    print(f"   {'page (test client)':28} {'ms':>10} {'queries':>8}")
    for page in report["pages"]:
        if "error" in page:
            print(f"   {page['page']:28} not measured: {page['error'][:80]}")
            continue
        print(f"   {page['page']:28} {page['ms']:10.1f} {page['queries']:8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", nargs="+", default=["departement", "national"])
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--measure-only", action="store_true", help="measure a database kept by --keep"
    )
    arguments = parser.parse_args()
    if arguments.child:
        if arguments.measure_only:
            measure_only(arguments.child)
        else:
            child(arguments.child, arguments.keep, arguments.seed)
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {date.today():%d/%m/%Y}"
    )
    for scale in arguments.scale:
        command = [sys.executable, __file__, "--child", scale, "--seed", str(arguments.seed)]
        if arguments.keep:
            command.append("--keep")
        if arguments.measure_only:
            command.append("--measure-only")
        started = time.perf_counter()
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
        show(json.loads(output.stdout.strip().splitlines()[-1]))
        print(f"   total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
