"""The benchmarks: the real code paths of the main pages, services and tasks on a bench database.

    python -m bench.run --db casemanager_bench --label default
    python -m bench.run --db casemanager_bench_quick --label quick

Requests go through Django's test client (every middleware, the session, the access log,
templates rendered), logged in with ``force_login`` as users the data set gives the heaviest
work: the caseworker with the most current clients, the client with the most activities, the
funder and organisation with the most clients in the last full quarter. Each benchmark is
warmed up, then run repeatedly (up to ``--runs`` times or its time budget); the median and the
95th percentile are of those runs, timed without query capture; the number of queries comes
from one more run under ``CaptureQueriesContext``. Writes bench/results/<label>.json and, when
the other scale's results are there, prints the query counts side by side.

The settings are production's (DJANGO_DEBUG=false) except REQUIRE_2FA, which force_login cannot
satisfy; the load test (bench/loadtest.py) logs in with a real TOTP code.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from bench.common import (
    ROOT,
    django_env,
    django_setup,
    load_json,
    manage,
    save_json,
    summary_ms,
)

RESULTS: dict = {}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def measure(
    name: str,
    fn: Callable[[], object],
    *,
    runs: int,
    warmup: int = 2,
    budget_s: float = 60.0,
    **extra,
) -> dict:
    """Warm up, time ``fn`` repeatedly, then count its queries in one captured run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gc.collect()
    times: list[float] = []
    slow = False
    for _ in range(warmup):
        t0 = time.perf_counter()
        fn()
        slow = time.perf_counter() - t0 > budget_s / 10
        if slow:
            break
    if slow:
        # Seconds per run: the warm-up was warm enough; time runs with the queries captured
        # (their overhead is nothing beside the run), at least two.
        started = time.perf_counter()
        while len(times) < 2 or (len(times) < runs and time.perf_counter() - started < budget_s):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
    else:
        started = time.perf_counter()
        while len(times) < runs and (len(times) < 3 or time.perf_counter() - started < budget_s):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as captured:
            fn()
    result = {
        **summary_ms(times),
        "queries": len(captured.captured_queries),
        # Other work on the machine (other test runs share it) shows here: 2 cores.
        "load_1m": round(os.getloadavg()[0], 2),
        **extra,
    }
    RESULTS.setdefault("benchmarks", {})[name] = result
    log(
        f"{name}: median {result['median_ms']} ms, p95 {result['p95_ms']} ms over "
        f"{result['runs']} runs, {result['queries']} queries (load {result['load_1m']})"
    )
    return result


def one(sql: str, params: list | None = None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()


# --- who and what the benchmarks use ----------------------------------------------------------

# A constant SQL fragment put into the queries below (S608: no input is formatted into SQL).
ONGOING = '(m."end" IS NULL OR m."end" > %s)'


def subjects(today: date) -> dict:
    """The heaviest realistic subjects of the data set, found by SQL (not timed)."""
    heavy, heavy_count = one(
        "SELECT t.client_id, count(*) FROM trajectories_activity a"
        " JOIN trajectories_trajectory t ON t.id = a.trajectory_id"
        " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    )
    organisation = one("SELECT organisation_id FROM clients_client WHERE id = %s", [heavy])[0]

    def busiest(role: str) -> tuple[int, int]:
        return one(
            "SELECT m.user_id, count(DISTINCT t.client_id) FROM trajectories_careteammembership m"  # noqa: S608
            " JOIN trajectories_trajectory t ON t.id = m.trajectory_id"
            " JOIN accounts_user u ON u.id = m.user_id"
            " JOIN accounts_user_groups ug ON ug.user_id = u.id"
            " JOIN auth_group g ON g.id = ug.group_id AND g.name = %s"
            f" WHERE m.role = %s AND {ONGOING} AND u.organisation_id = %s"
            " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
            [role, role, today, organisation],
        )

    caseworker, caseload = busiest("caseworker")
    teacher, teacher_load = busiest("teacher")
    heavy_caseworker = one(
        "SELECT m.user_id FROM trajectories_careteammembership m"  # noqa: S608
        f" WHERE m.trajectory_id = %s AND m.role = 'caseworker' AND {ONGOING}"
        " ORDER BY m.id LIMIT 1",
        [heavy, today],
    )[0]
    schooling_client = one(
        "SELECT t.client_id FROM trajectories_careteammembership m"  # noqa: S608
        " JOIN trajectories_trajectory t ON t.id = m.trajectory_id"
        " LEFT JOIN trajectories_activity a ON a.trajectory_id = t.id AND a.domain = 'education'"
        f" WHERE m.user_id = %s AND m.role = 'teacher' AND {ONGOING}"
        " GROUP BY 1 ORDER BY count(a.id) DESC, 1 LIMIT 1",
        [teacher, today],
    )[0]
    manager = one(
        "SELECT u.id FROM accounts_user u JOIN accounts_user_groups ug ON ug.user_id = u.id"
        " JOIN auth_group g ON g.id = ug.group_id AND g.name = 'manager'"
        " WHERE u.organisation_id = %s ORDER BY u.id LIMIT 1",
        [organisation],
    )[0]

    def funded_client(caseworker_id: int, exclude: tuple[int, ...]) -> tuple[int, int]:
        """A current client of the caseworker with a care allocation valid today."""
        return one(
            "SELECT t.client_id, m.user_id FROM trajectories_careteammembership m"  # noqa: S608
            " JOIN trajectories_trajectory t ON t.id = m.trajectory_id AND t.status = 'open'"
            " JOIN funding_allocation al ON al.client_id = t.client_id AND al.status = 'active'"
            '  AND al.start <= %s AND al."end" >= %s'
            " JOIN funding_product p ON p.id = al.product_id"
            " JOIN funding_contract c ON c.id = p.contract_id"
            " JOIN funding_fundingstream s ON s.id = c.stream_id AND s.domains ? 'care'"
            f" WHERE m.role = 'caseworker' AND {ONGOING} AND t.start <= %s"
            " AND (%s = 0 OR m.user_id = %s) AND NOT (t.client_id = ANY(%s))"
            " ORDER BY t.client_id LIMIT 1",
            [
                today,
                today,
                today,
                today - timedelta(days=60),
                caseworker_id,
                caseworker_id,
                list(exclude),
            ],
        )

    log_client, log_user = funded_client(caseworker, (heavy,))
    burst_client, burst_user = funded_client(0, (heavy, log_client))
    quarter_end = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
    quarter_start = date(quarter_end.year, quarter_end.month - 2, 1)
    report = one(
        "SELECT c.organisation_id, al.funder_id, count(DISTINCT al.client_id)"
        " FROM trajectories_activity a JOIN funding_allocation al ON al.id = a.allocation_id"
        " JOIN clients_client c ON c.id = al.client_id"
        " WHERE a.status = 'recorded' AND a.funding_status = 'funded'"
        " AND a.date BETWEEN %s AND %s GROUP BY 1, 2"
        " ORDER BY count(DISTINCT al.client_id) < 1000, abs(count(DISTINCT al.client_id) - 1000),"
        " 2 LIMIT 1",
        [quarter_start, quarter_end],
    )
    return {
        "organisation": organisation,
        "heavy_client": heavy,
        "heavy_client_activities": heavy_count,
        "heavy_caseworker": heavy_caseworker,
        "caseworker": caseworker,
        "caseworker_clients": caseload,
        "teacher": teacher,
        "teacher_clients": teacher_load,
        "schooling_client": schooling_client,
        "manager": manager,
        "log_client": log_client,
        "log_user": log_user,
        "burst_client": burst_client,
        "burst_user": burst_user,
        "report_organisation": report[0],
        "report_funder": report[1],
        "report_clients": report[2],
        "report_start": quarter_start.isoformat(),
        "report_end": quarter_end.isoformat(),
    }


# --- the benchmarks ---------------------------------------------------------------------------


def page(user_id: int, path: str, *, status: int = 200):
    from django.test import Client

    from apps.accounts.models import User

    browser = Client()
    browser.force_login(User.objects.get(pk=user_id))

    def get():
        response = browser.get(path)
        if response.status_code != status:
            raise AssertionError(f"GET {path}: {response.status_code}")
        return response

    return get


def bench_pages(s: dict, runs: int) -> None:
    measure(
        "caseworker: my clients",
        page(s["caseworker"], "/clients/"),
        runs=runs,
        clients=s["caseworker_clients"],
    )
    measure(
        "caseworker: client page (first page of the timeline)",
        page(s["heavy_caseworker"], f"/clients/{s['heavy_client']}/"),
        runs=runs,
        activities=s["heavy_client_activities"],
    )
    last = (s["heavy_client_activities"] + 24) // 25
    measure(
        "caseworker: client page (last page of the timeline)",
        page(s["heavy_caseworker"], f"/clients/{s['heavy_client']}/?page={last}"),
        runs=runs,
    )
    measure(
        "teacher: my clients",
        page(s["teacher"], "/clients/"),
        runs=runs,
        clients=s["teacher_clients"],
    )
    measure(
        "teacher: schooling page of a client",
        page(s["teacher"], f"/clients/{s['schooling_client']}/schooling/"),
        runs=runs,
    )
    measure("manager: reports page", page(s["manager"], "/reports/"), runs=runs)
    measure(
        "manager: client page (figures, no notes)",
        page(s["manager"], f"/clients/{s['heavy_client']}/"),
        runs=runs,
    )


def bench_logging(s: dict, runs: int, burst: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.trajectories.models import Activity, Trajectory
    from apps.trajectories.services import activity_log

    user = User.objects.get(pk=s["log_user"])
    browser = Client()
    browser.force_login(user)
    today = timezone.localdate()
    path = f"/clients/{s['log_client']}/activities/new/"
    form = {
        "domain": "care",
        "kind": "treatment_session",
        "date": today.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "60",
        "note": "Traumabehandeling (EMDR); signaleringsplan doorgenomen.",
    }

    def post():
        response = browser.post(path, form)
        if response.status_code != 302:
            raise AssertionError(f"POST {path}: {response.status_code}")

    measure("caseworker: log an activity (POST, funding, history, access log)", post, runs=runs)
    trajectory = Trajectory.objects.get(client_id=s["log_client"], status="open")
    measure(
        "service: activity_log alone",
        lambda: activity_log(
            trajectory=trajectory,
            domain="care",
            kind="treatment_session",
            date=today,
            performed_by=user,
            actor=user,
            duration_minutes=45,
        ),
        runs=runs,
    )

    # A burst for one client: assignment throughput as the client's activities pile up.
    burst_user = User.objects.get(pk=s["burst_user"])
    trajectory = Trajectory.objects.get(client_id=s["burst_client"], status="open")
    before = Activity.objects.filter(trajectory=trajectory).count()
    times = []
    started = time.perf_counter()
    for n in range(burst):
        t0 = time.perf_counter()
        activity_log(
            trajectory=trajectory,
            domain="care",
            kind="treatment_session",
            date=today - timedelta(days=n % 30),
            performed_by=burst_user,
            actor=burst_user,
            duration_minutes=30,
        )
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    statuses: dict[str, int] = {}
    recent = list(
        Activity.objects.filter(trajectory=trajectory)
        .order_by("-pk")
        .values_list("funding_status", flat=True)[:burst]
    )
    for status in recent:
        statuses[status] = statuses.get(status, 0) + 1
    result = {
        **summary_ms(times),
        "activities": burst,
        "total_s": round(total, 2),
        "per_second": round(burst / total, 1),
        "client_activities_before": before,
        "funding_status": statuses,
        "first_100_median_ms": summary_ms(times[:100])["median_ms"],
        "last_100_median_ms": summary_ms(times[-100:])["median_ms"],
    }
    RESULTS.setdefault("benchmarks", {})[f"burst: {burst} activities for one client"] = result
    log(
        f"burst: {burst} activities in {result['total_s']} s ({result['per_second']}/s), "
        f"median {result['median_ms']} ms, first 100 {result['first_100_median_ms']} ms, "
        f"last 100 {result['last_100_median_ms']} ms; {statuses}"
    )


HAND_WRITTEN_SQL = """
SELECT date_trunc('month', a.date)::date AS month, a.allocation_id, al.number, al.client_id,
       c.client_number, c.given_name, c.bsn, c.date_of_birth, p.code, p.description, p.unit,
       p.tariff_cents, ct.reference, s.code, s.name, sum(a.consumed) AS consumed,
       round(sum(a.consumed) * p.tariff_cents::numeric
             / CASE p.unit WHEN '04' THEN 60 WHEN '16' THEN 240 WHEN '14' THEN 1440 ELSE 1 END
       ) AS amount_cents  -- units x tariff, exactly, rounded half up per line
FROM trajectories_activity a
JOIN funding_allocation al ON al.id = a.allocation_id
JOIN clients_client c ON c.id = al.client_id
JOIN funding_product p ON p.id = al.product_id
JOIN funding_contract ct ON ct.id = p.contract_id
JOIN funding_fundingstream s ON s.id = ct.stream_id
WHERE a.status = 'recorded' AND a.funding_status = 'funded'
  AND al.funder_id = %(funder)s AND c.organisation_id = %(organisation)s
  AND a.date BETWEEN %(start)s AND %(end)s
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
ORDER BY al.number, month
"""


def bench_report(s: dict, runs: int, db: str, pdf: bool) -> None:
    from django.db import connection
    from django.utils import translation

    from apps.accounts.models import Organisation
    from apps.funding.models import Funder
    from apps.reports.render import render_csv
    from apps.reports.selectors import report_figures

    organisation = Organisation.objects.get(pk=s["report_organisation"])
    funder = Funder.objects.get(pk=s["report_funder"])
    start, end = date.fromisoformat(s["report_start"]), date.fromisoformat(s["report_end"])

    def figures():
        return report_figures(
            organisation=organisation, funder=funder, period_start=start, period_end=end
        )

    with translation.override("nl"):
        result = figures()
        lines = sum(len(block.months) for block in result.allocations)
        app = measure(
            "report: figures (report_figures)",
            figures,
            runs=runs,
            warmup=1,
            clients=s["report_clients"],
            allocations=len(result.allocations),
            allocation_month_lines=lines,
            unfunded_lines=len(result.unfunded),
        )
        params = {"funder": funder.pk, "organisation": organisation.pk, "start": start, "end": end}

        def sql():
            with connection.cursor() as cursor:
                cursor.execute(HAND_WRITTEN_SQL, params)
                return cursor.fetchall()

        rows = sql()
        hand = measure(
            "report: the same aggregation as one hand-written SQL query",
            sql,
            runs=runs,
            warmup=1,
            rows=len(rows),
        )
        total_sql = sum(row[-1] for row in rows)
        total_app = sum(block.amount_cents for block in result.allocations)
        exact = {(row[2], row[0]): int(row[-1]) for row in rows}
        differing = [
            (block.number, line.month.isoformat(), line.amount_cents, exact.get(key))
            for block in result.allocations
            for line in block.months
            if exact.get(key := (block.number, line.month)) != line.amount_cents
        ]
        ratio = round(app["median_ms"] / hand["median_ms"], 2)
        RESULTS["report_ratio"] = {
            "figures_over_sql": ratio,
            "rows_match": len(rows) == lines,
            "totals_match": int(total_sql) == total_app,
            "lines_differing_from_exact_rounding": len(differing),
            "examples": differing[:5],
        }
        log(
            f"report: figures / hand-written SQL = {ratio} (rows {lines} vs {len(rows)}, "
            f"totals {total_app} vs {int(total_sql)} cents)"
        )
        csv_bytes = len(render_csv(result))
        measure(
            "report: CSV (render_csv)",
            lambda: render_csv(result),
            runs=runs,
            warmup=1,
            bytes=csv_bytes,
        )
    if not pdf:
        return
    for mode in ("app", "plain"):
        command = [
            sys.executable,
            "-m",
            "bench.pdf_worker",
            "--db",
            db,
            "--organisation",
            str(organisation.pk),
            "--funder",
            str(funder.pk),
            "--start",
            start.isoformat(),
            "--end",
            end.isoformat(),
            "--mode",
            mode,
        ]
        output = subprocess.run(  # noqa: S603 - our own interpreter and module
            command, env=django_env(db), cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        data = json.loads(output.strip().splitlines()[-1])
        name = "report: PDF (render_pdf)" if mode == "app" else "WeasyPrint: one plain table"
        RESULTS.setdefault("pdf", {})[mode] = data
        log(
            f"{name}: {data['pages']} pages in {data['seconds']} s = "
            f"{data['pages_per_second']} pages/s, peak {data['peak_rss_mb']} MB"
        )


def bench_nightly(runs: int) -> None:
    try:
        alerts = importlib.import_module("apps.control.alerts")
        refresh = alerts.funding_alerts_refresh
    except (ImportError, AttributeError):
        RESULTS.setdefault("benchmarks", {})["nightly: funding alerts"] = {"not_available": True}
        log("nightly: funding alerts: not available (apps.control.alerts.funding_alerts_refresh)")
    else:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            refresh()
            first = time.perf_counter() - t0
        measure(
            "nightly: funding alerts (repeat, nothing new)",
            refresh,
            runs=max(3, runs // 5),
            warmup=0,
            budget_s=120,
        )
        RESULTS["benchmarks"]["nightly: funding alerts (first run)"] = {
            "runs": 1,
            "median_ms": round(first * 1000, 1),
            "p95_ms": round(first * 1000, 1),
            "queries": len(captured.captured_queries),
        }
        log(f"nightly: funding alerts, first run {first:.2f} s, {len(captured)} queries")


def machine() -> dict:
    from django.db import connection

    info = {"python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout  # noqa: S607
        info["cpu"] = next(
            (
                line.split(":", 1)[1].strip()
                for line in lscpu.splitlines()
                if line.startswith("Model name")
            ),
            "",
        )
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            info["memory_gb"] = round(int(meminfo.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers',"
            " 'work_mem', 'effective_cache_size', 'random_page_cost', 'max_connections', 'jit',"
            " 'synchronous_commit')"
        )
        info["postgresql_settings"] = {n: f"{v}{u or ''}" for n, v, u in cursor.fetchall()}
        cursor.execute("SELECT pg_database_size(current_database())")
        info["database_size_bytes"] = cursor.fetchone()[0]
    return info


def print_table(label: str) -> None:
    other_label = "default" if label == "quick" else "quick"
    other = (load_json(f"{other_label}.json") or {}).get("benchmarks", {})
    print()
    print(f"Results ({label}):")
    header = (
        f"{'benchmark':<66} {'median ms':>10} {'p95 ms':>10} {'runs':>5} {'queries':>8} {'load':>5}"
    )
    if other:
        header += f" {'queries ' + other_label:>16}"
    print(header)
    for name, r in RESULTS.get("benchmarks", {}).items():
        if r.get("not_available"):
            print(f"{name:<66} {'not available':>10}")
            continue
        line = (
            f"{name:<66} {r['median_ms']:>10} {r['p95_ms']:>10} {r['runs']:>5} "
            f"{r.get('queries', '-')!s:>8} {r.get('load_1m', '-')!s:>5}"
        )
        if other:
            line += f" {other.get(name, {}).get('queries', '-')!s:>16}"
        print(line)
    if "report_ratio" in RESULTS:
        print(f"report figures / hand-written SQL: {RESULTS['report_ratio']}")
    for mode, data in RESULTS.get("pdf", {}).items():
        print(
            f"PDF {mode:<6} {data['pages']:>5} pages, {data['seconds']:>7} s, "
            f"{data['pages_per_second']:>6} pages/s, {data['seconds_per_page']} s/page, "
            f"peak {data['peak_rss_mb']} MB ({data['rows']} rows)"
        )


def collectstatic(db: str) -> None:
    """Production settings serve hashed static files: collect them once (staticfiles/)."""
    if not (ROOT / "staticfiles" / "staticfiles.json").is_file():
        manage(db, "collectstatic", "--noinput", "-v", "0")


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmarks on a bench database.")
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--label", default="default")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument(
        "--only",
        default="pages,logging,report,nightly,funding",
        help="comma-separated groups to run: pages, logging, report, nightly, funding",
    )
    args = parser.parse_args()
    collectstatic(args.db)
    django_setup(args.db)
    from django.utils import timezone

    today = timezone.localdate()
    RESULTS.update(label=args.label, database=args.db, machine=machine())
    s = subjects(today)
    RESULTS["subjects"] = s
    log(f"subjects: {json.dumps(s)}")
    groups = set(args.only.split(","))
    if "pages" in groups:
        bench_pages(s, args.runs)
    if "logging" in groups:
        bench_logging(s, args.runs, args.burst)
    if "report" in groups:
        bench_report(s, max(5, args.runs // 3), args.db, pdf=not args.no_pdf)
    if "nightly" in groups:
        bench_nightly(args.runs)
    if "funding" in groups:
        # Last: at the default scale it takes a minute a run, and what it leaves behind in the
        # process must not weigh on the others.
        measure(
            "manager: funding overview",
            page(s["manager"], "/funding/"),
            runs=args.runs,
            budget_s=90,
        )
    path = save_json(f"{args.label}.json", RESULTS)
    print_table(args.label)
    print(f"\nSaved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
