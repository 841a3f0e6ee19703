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
        from tremplin.inclusion.age import years_ago
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
    params = {
        "network": network.pk,
        "today": today,
        "under_26_after": years_ago(today, 26),
        "under_50_after": years_ago(today, 50),
    }
    sql_ms, _one, row = timed(lambda: sql(INDICATORS_SQL, params))
    check_indicators(report, row)
    return {
        "dashboard": "indicators (network)",
        "django_ms": django_ms,
        "sql_ms": sql_ms,
        "queries": queries,
    }


def check_indicators(report: Any, row: Any) -> None:
    from tremplin.inclusion.enums import OUTCOME_CATEGORIES

    (
        clauses,
        buyers,
        companies,
        required,
        validated,
        months,
        by_buyer,
        by_mode,
        by_public,
        people,
        by_sex,
        by_qualification,
        by_criterion,
        employment_contracts,
        outcomes,
    ) = row

    def bars(series: Any) -> dict[str, Any]:
        return {bar.key: bar.value for bar in series.bars if bar.value}

    def pairs(rows: Any, value: Callable[[Any], Any] = dec) -> dict[str, Any]:
        return {str(key): value(figure) for key, figure in as_json(rows) if figure}

    same("indicators: contracts with a clause", report.contracts_with_clause, clauses)
    same("indicators: buyers", report.buyers, buyers)
    same("indicators: companies", report.companies, companies)
    same("indicators: hours required", report.hours_required, dec(required))
    same("indicators: hours validated", report.hours_validated, dec(validated))
    same(
        "indicators: hours by month (realised, expected)",
        [(point.month, point.realised, point.expected) for point in report.hours_by_month],
        [(date.fromisoformat(m), dec(r), dec(e)) for m, r, e in as_json(months)],
    )
    same("indicators: hours by buyer", bars(report.hours_by_buyer), pairs(by_buyer))
    same("indicators: hours by mode", bars(report.hours_by_mode), pairs(by_mode))
    same("indicators: hours by public", bars(report.hours_by_public), pairs(by_public))
    total, under_26, from_26_to_49, from_50, qpv_yes, qpv_no = people
    same("indicators: participants", report.participants, total)
    same(
        "indicators: participants by age",
        bars(report.participants_by_age_band),
        {
            key: value
            for key, value in (
                ("under_26", under_26),
                ("26_49", from_26_to_49),
                ("50_plus", from_50),
            )
            if value
        },
    )
    same(
        "indicators: participants by QPV",
        bars(report.participants_by_qpv),
        {key: value for key, value in (("yes", qpv_yes), ("no", qpv_no)) if value},
    )
    same("indicators: participants by sex", bars(report.participants_by_sex), pairs(by_sex, int))
    same(
        "indicators: participants by qualification",
        bars(report.participants_by_qualification),
        pairs(by_qualification, int),
    )
    same(
        "indicators: participants by criterion",
        bars(report.participants_by_criterion),
        pairs(by_criterion, int),
    )
    same("indicators: employment contracts", report.employment_contracts, employment_contracts)
    # Situations fall into categories by a table of the domain, applied here, untimed.
    tally: dict[str, dict[str, int]] = {}
    for moment, situation, count in as_json(outcomes):
        by_category = tally.setdefault(moment, {})
        category = OUTCOME_CATEGORIES[situation]
        by_category[category] = by_category.get(category, 0) + count
    same("indicators: outcomes at exit", bars(report.outcomes_at_exit), tally.get("exit", {}))
    same(
        "indicators: outcomes at six months",
        bars(report.outcomes_at_six_months),
        tally.get("six_months", {}),
    )


# Every figure of ``impact_report`` without filters, in one statement. The expected hours
# are the obligation prorated by day at each month's bounds (``procurement.progress``),
# in PostgreSQL's numeric (16 significant digits at least), rounded to the cent: the
# report computes them in Python with 28 significant digits, the same figures once
# rounded (the comparison below would say otherwise).
INDICATORS_SQL = """
WITH c AS (
    SELECT c.id, c.buyer_id, c.awarded_company_id, c.hours_required,
           c.execution_start, c.execution_end
    FROM procurement_contract c
    JOIN organisations_organisation f ON f.id = c.facilitator_id
    WHERE f.network_id = %(network)s AND f.kind = 'facilitator'
), cc AS (
    SELECT * FROM c WHERE hours_required > 0
), e AS (
    SELECT e.month, e.total_hours, p.participant_id, p.execution_mode, c.buyer_id
    FROM inclusion_hoursentry e
    JOIN inclusion_placement p ON p.id = e.placement_id
    JOIN c ON c.id = p.contract_id
    WHERE e.status = 'validated'
), realised AS (
    SELECT month, sum(total_hours) AS hours FROM e GROUP BY month
), span AS (
    SELECT min(first) AS first, max(last) AS last FROM (
        SELECT min(month) AS first, max(month) AS last FROM realised
        UNION ALL
        SELECT date_trunc('month', min(execution_start))::date,
               max(least(%(today)s::date, execution_end))
        FROM cc
    ) AS bounds
), months AS (
    SELECT generate_series(first, last, interval '1 month')::date AS month FROM span
), due AS (
    -- The hours due by each bound of the months a contract's obligation moves in.
    SELECT m.month, cc.hours_required::numeric AS required,
           cc.execution_start AS s, cc.execution_end AS e,
           m.month AS b, (m.month + interval '1 month')::date AS next
    FROM months m JOIN cc
      ON m.month >= date_trunc('month', cc.execution_start) - interval '1 month'
     AND m.month < cc.execution_end
), expected AS (
    SELECT month,
           sum(CASE WHEN next < s THEN 0 WHEN next >= e THEN required
                    ELSE required * (next - s) / (e - s) END
             - CASE WHEN b < s THEN 0 WHEN b >= e THEN required
                    ELSE required * (b - s) / (e - s) END) AS hours
    FROM due GROUP BY month
), people AS (
    SELECT DISTINCT participant_id FROM e
), persons AS (
    SELECT * FROM inclusion_participant
    WHERE id IN (SELECT participant_id FROM people) AND merged_into_id IS NULL
)
SELECT
    (SELECT count(*) FROM cc),
    (SELECT count(DISTINCT buyer_id) FROM cc),
    (SELECT count(DISTINCT awarded_company_id) FROM cc),
    (SELECT coalesce(sum(hours_required), 0) FROM cc),
    (SELECT coalesce(sum(total_hours), 0) FROM e),
    (SELECT json_agg(json_build_array(m.month, coalesce(r.hours, 0),
                                      round(coalesce(x.hours, 0), 2)) ORDER BY m.month)
       FROM months m LEFT JOIN realised r USING (month) LEFT JOIN expected x USING (month)),
    (SELECT json_agg(json_build_array(buyer_id, hours))
       FROM (SELECT buyer_id, sum(total_hours) AS hours FROM e GROUP BY buyer_id) AS b),
    (SELECT json_agg(json_build_array(execution_mode, hours))
       FROM (SELECT execution_mode, sum(total_hours) AS hours FROM e
             GROUP BY execution_mode) AS b),
    (SELECT json_agg(json_build_array(code, hours))
       FROM (SELECT cr.code, sum(e.total_hours) AS hours
               FROM e
               JOIN inclusion_participantcriterion pc
                 ON pc.participant_id = e.participant_id AND pc.status = 'confirmed'
               JOIN inclusion_eligibilitycriterion cr ON cr.id = pc.criterion_id
              GROUP BY cr.code) AS b),
    (SELECT array[count(*),
                  count(*) FILTER (WHERE birth_date > %(under_26_after)s),
                  count(*) FILTER (WHERE birth_date <= %(under_26_after)s
                                     AND birth_date > %(under_50_after)s),
                  count(*) FILTER (WHERE birth_date <= %(under_50_after)s),
                  count(*) FILTER (WHERE qpv_resident),
                  count(*) FILTER (WHERE NOT qpv_resident)]
       FROM persons),
    (SELECT json_agg(json_build_array(sex, people))
       FROM (SELECT sex, count(*) AS people FROM persons GROUP BY sex) AS b),
    (SELECT json_agg(json_build_array(qualification_level, people))
       FROM (SELECT qualification_level, count(*) AS people FROM persons
             GROUP BY qualification_level) AS b),
    (SELECT json_agg(json_build_array(code, people))
       FROM (SELECT cr.code, count(DISTINCT pc.participant_id) AS people
               FROM inclusion_participantcriterion pc
               JOIN inclusion_eligibilitycriterion cr ON cr.id = pc.criterion_id
              WHERE pc.status = 'confirmed'
                AND pc.participant_id IN (SELECT participant_id FROM people)
              GROUP BY cr.code) AS b),
    (SELECT count(*) FROM inclusion_placement WHERE contract_id IN (SELECT id FROM c)),
    (SELECT json_agg(json_build_array(moment, situation, n))
       FROM (SELECT moment, situation, count(*) AS n FROM inclusion_outcome
              WHERE participant_id IN (SELECT participant_id FROM people)
              GROUP BY moment, situation) AS b)
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
