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
    finish,
    load_json,
    manage,
    postgres_settings,
    provenance,
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
        # Seconds per run (the funding overview at the default scale): the warm-up was warm
        # enough; time runs with the queries captured (their overhead is nothing beside the
        # run), at least three, then as many as the budget allows. The figure says how many.
        started = time.perf_counter()
        while len(times) < 3 or (len(times) < runs and time.perf_counter() - started < budget_s):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
    else:
        # Every run asked for (30 by default): the 95th percentile needs them.
        while len(times) < runs:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as captured:
            fn()
    result = {
        **summary_ms(times),
        "runs_asked": runs,
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


def all_rows(sql: str, params: list | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


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

    def current_clients(*, funded: bool, caseworker_id: int, exclude: tuple[int, ...], limit: int):
        """Current clients (and a caseworker of theirs) who have, or have not, a care
        allocation valid today: where logging care takes the funded or the unfunded path."""
        found = "EXISTS" if funded else "NOT EXISTS"
        rows = all_rows(
            "SELECT t.client_id, min(m.user_id) FROM trajectories_careteammembership m"  # noqa: S608
            " JOIN trajectories_trajectory t ON t.id = m.trajectory_id AND t.status = 'open'"
            f" WHERE m.role = 'caseworker' AND {ONGOING} AND t.start <= %s"
            " AND (%s = 0 OR m.user_id = %s) AND NOT (t.client_id = ANY(%s))"
            f" AND {found} (SELECT 1 FROM funding_allocation al"
            "  JOIN funding_contract c ON c.id = al.contract_id"
            "  JOIN funding_fundingstream s ON s.id = c.stream_id AND s.domains ? 'care'"
            "  WHERE al.client_id = t.client_id AND al.status = 'active'"
            '  AND al.start <= %s AND (al."end" IS NULL OR al."end" >= %s))'
            " GROUP BY 1 ORDER BY 1 LIMIT %s",
            [
                today,
                today - timedelta(days=60),
                caseworker_id,
                caseworker_id,
                list(exclude),
                today,
                today,
                limit,
            ],
        )
        return [(client, user) for client, user in rows]

    # A care allocation valid today is not enough (its product, age rules or volume may still
    # refuse the care): the funding rules' own preview decides which path a client takes.
    funded = taking_path(
        current_clients(funded=True, caseworker_id=0, exclude=(heavy,), limit=200),
        funded=True,
        today=today,
    )
    unfunded = taking_path(
        current_clients(funded=False, caseworker_id=0, exclude=(heavy,), limit=200),
        funded=False,
        today=today,
    )
    burst_client, burst_user = current_clients(
        funded=True, caseworker_id=0, exclude=(heavy, *(c for c, _u in funded)), limit=1
    )[0]
    # The allocation of the organisation with the most activities: its page lists them.
    allocation, allocation_activities = one(
        "SELECT a.allocation_id, count(*) FROM trajectories_activity a"
        " JOIN funding_allocation al ON al.id = a.allocation_id"
        " JOIN clients_client c ON c.id = al.client_id AND c.organisation_id = %s"
        " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        [organisation],
    )
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
        "funded_clients": funded,
        "unfunded_clients": unfunded,
        "allocation": allocation,
        "allocation_activities": allocation_activities,
        "burst_client": burst_client,
        "burst_user": burst_user,
        "report_organisation": report[0],
        "report_funder": report[1],
        "report_clients": report[2],
        "report_start": quarter_start.isoformat(),
        "report_end": quarter_end.isoformat(),
    }


def taking_path(pairs: list[tuple[int, int]], *, funded: bool, today: date, limit: int = 10):
    """Of (client, caseworker) pairs, the first ``limit`` whose care today the funding rules'
    preview (``funding_preview``, nothing saved or locked) funds, or leaves unfunded. For the
    funded path the preview asks four hours, so that the benchmark's half-hour sessions (about
    seven per client) stay within what the allocation has left."""
    from apps.accounts.models import User
    from apps.trajectories.assignment import funding_preview
    from apps.trajectories.models import Activity, Trajectory

    chosen = []
    for client_id, user_id in pairs:
        trajectory = Trajectory.objects.select_related("client").get(
            client_id=client_id, status="open"
        )
        activity = Activity(
            trajectory=trajectory,
            domain="care",
            kind="treatment_session",
            date=today,
            duration_minutes=240 if funded else 30,
            performed_by=User.objects.get(pk=user_id),
        )
        outcome = funding_preview(activity=activity).funding_status
        if outcome == ("funded" if funded else "unfunded"):
            chosen.append((client_id, user_id))
            if len(chosen) == limit:
                break
    return chosen


# --- the benchmarks ---------------------------------------------------------------------------


def page(user_id: int, path: str, *, status: int = 200, htmx: bool = False):
    """GET a page as the user; ``htmx``: as htmx asks a part of a page (``HX-Request``)."""
    from django.test import Client

    from apps.accounts.models import User

    browser = Client()
    browser.force_login(User.objects.get(pk=user_id))
    headers = {"HX-Request": "true"} if htmx else {}

    def get():
        response = browser.get(path, headers=headers)
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
    measure(
        "caseworker: client page's funding mosaic (htmx, after the page)",
        page(s["heavy_caseworker"], f"/clients/{s['heavy_client']}/mosaic/", htmx=True),
        runs=runs,
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
    measure(
        "manager: funding alerts",
        page(s["manager"], "/funding/alerts/"),
        runs=runs,
        open_alerts=one(
            "SELECT count(*) FROM funding_fundingalert al JOIN clients_client c"
            " ON c.id = al.client_id WHERE c.organisation_id = %s AND al.resolved_at IS NULL",
            [s["organisation"]],
        )[0],
    )
    measure(
        "manager: funding mosaic (last twelve months)",
        page(s["manager"], "/funding/mosaic/"),
        runs=runs,
    )
    measure(
        "manager: an allocation's page",
        page(s["manager"], f"/funding/allocations/{s['allocation']}/"),
        runs=runs,
        activities=s["allocation_activities"],
    )


def api(user_id: int, path: str):
    """GET an API path as an API client does: with a personal token (Bearer)."""
    from django.test import Client
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.accounts.services import api_token_create

    user = User.objects.get(pk=user_id)
    _token, key = api_token_create(
        user=user,
        name="bench",
        expires_on=timezone.localdate() + timedelta(days=1),
        actor=user,
    )
    browser = Client()

    def get():
        response = browser.get(path, HTTP_AUTHORIZATION=f"Bearer {key}")
        if response.status_code != 200:
            raise AssertionError(f"GET {path}: {response.status_code} {response.content[:300]}")
        return response

    return get


def bench_api(s: dict, runs: int) -> None:
    """The API's main list endpoints, first page each, as their usual callers ask them."""
    cases = [
        ("caseworker", "clients", s["caseworker"], "/api/v1/clients/"),
        (
            "caseworker",
            "a client's activities",
            s["heavy_caseworker"],
            f"/api/v1/clients/{s['heavy_client']}/activities/",
        ),
        ("manager", "allocations", s["manager"], "/api/v1/allocations/"),
        ("manager", "alerts", s["manager"], "/api/v1/alerts/"),
        ("manager", "funders", s["manager"], "/api/v1/funders/"),
        ("manager", "contracts", s["manager"], "/api/v1/contracts/"),
        ("manager", "reports", s["manager"], "/api/v1/reports/"),
    ]
    for role, what, user, path in cases:
        get = api(user, path)
        rows = len(get().json().get("results", []))
        measure(f"API {role}: {what} (GET {path.split('/api/v1')[1]})", get, runs=runs, rows=rows)


def funded_share() -> dict:
    """How the data set's activities were funded: in all and over the last 90 days."""
    from django.utils import timezone

    since = timezone.localdate() - timedelta(days=90)
    rows = all_rows(
        "SELECT funding_status, count(*), count(*) FILTER (WHERE date >= %s)"
        " FROM trajectories_activity WHERE status = 'recorded' GROUP BY 1 ORDER BY 1",
        [since],
    )
    total = sum(row[1] for row in rows) or 1
    recent = sum(row[2] for row in rows) or 1
    return {
        status: {
            "activities": count,
            "share": round(count / total, 3),
            "last_90_days": last,
            "share_last_90_days": round(last / recent, 3),
        }
        for status, count, last in rows
    }


def outcomes_since(pk: int) -> dict[str, int]:
    """The funding status of the activities logged after ``pk`` (every call a benchmark made,
    warm-up and the query-counting run included): proof of the path it measured."""
    return dict(
        all_rows(
            "SELECT funding_status, count(*) FROM trajectories_activity WHERE id > %s"
            " GROUP BY 1 ORDER BY 1",
            [pk],
        )
    )


def bench_logging(s: dict, runs: int, burst: int) -> None:
    """Logging care through the form (the POST) and the service alone, on each path apart:
    funded (a care allocation valid today takes it) and unfunded (none does). The runs rotate
    over ten such clients, so that no allocation runs out; every run's outcome is checked."""
    from django.test import Client
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.trajectories.models import Activity, Trajectory
    from apps.trajectories.services import activity_log

    RESULTS["activities_by_funding_status"] = share = funded_share()
    log(f"activities by funding status: {json.dumps(share)}")
    today = timezone.localdate()
    form = {
        "domain": "care",
        "kind": "treatment_session",
        "date": today.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "30",
        "note": "Traumabehandeling (EMDR); signaleringsplan doorgenomen.",
    }
    for path_name, pairs in (("funded", s["funded_clients"]), ("unfunded", s["unfunded_clients"])):
        if not pairs:
            RESULTS.setdefault("benchmarks", {})[f"caseworker: log an activity ({path_name})"] = {
                "not_available": True
            }
            log(f"log an activity ({path_name}): no such client in the data set")
            continue
        browsers = []
        for client_id, user_id in pairs:
            browser = Client()
            browser.force_login(User.objects.get(pk=user_id))
            browsers.append((browser, f"/clients/{client_id}/activities/new/"))
        turn = {"n": 0}

        def post(browsers=browsers, turn=turn):
            browser, path = browsers[turn["n"] % len(browsers)]
            turn["n"] += 1
            response = browser.post(path, form)
            if response.status_code != 302:
                raise AssertionError(f"POST {path}: {response.status_code}")

        mark = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        result = measure(
            f"caseworker: log an activity ({path_name}; POST, funding, history, access log)",
            post,
            runs=runs,
            clients=len(browsers),
        )
        result["outcomes"] = outcomes_since(mark)
        trajectories = [
            Trajectory.objects.select_related("client").get(client_id=client_id, status="open")
            for client_id, _user in pairs
        ]
        users = [User.objects.get(pk=user_id) for _client, user_id in pairs]

        def service(trajectories=trajectories, users=users, turn=turn):
            n = turn["n"] % len(trajectories)
            turn["n"] += 1
            activity_log(
                trajectory=trajectories[n],
                domain="care",
                kind="treatment_session",
                date=today,
                performed_by=users[n],
                actor=users[n],
                duration_minutes=30,
            )

        mark = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        result = measure(f"service: activity_log alone ({path_name})", service, runs=runs)
        result["outcomes"] = outcomes_since(mark)
        log(f"log an activity ({path_name}): outcomes {result['outcomes']}")

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
SELECT date_trunc('month', a.date)::date AS month, al.number,
       coalesce(pp.code, p.code) AS product_code,
       CASE WHEN a.priced_product_id IS NULL
            -- units x tariff, exactly, rounded half up per line (hours: minutes / 60)
            THEN round(sum(a.consumed) * p.tariff_cents::numeric
                       / CASE p.unit WHEN '04' THEN 60 ELSE 1 END)
            -- an aspecific or generic allocation: consumed is the value in cents already
            ELSE sum(a.consumed) END AS amount_cents
FROM trajectories_activity a
JOIN funding_allocation al ON al.id = a.allocation_id
JOIN clients_client c ON c.id = al.client_id
LEFT JOIN funding_product p ON p.id = al.product_id
LEFT JOIN funding_product pp ON pp.id = a.priced_product_id
WHERE a.status = 'recorded' AND a.funding_status = 'funded'
  AND al.funder_id = %(funder)s AND c.organisation_id = %(organisation)s
  AND a.date BETWEEN %(start)s AND %(end)s
GROUP BY 1, al.id, al.number, a.priced_product_id, pp.code, p.code, p.unit, p.tariff_cents
ORDER BY al.number, month
"""

# The annex: the period's unfunded care this funder is responsible for, valued at its cheapest
# fitting product, written from the rules of docs/funding.md ("Who is responsible") without
# the application's code. Two simplifications, both true of the generated data: the client's
# responsible municipality did not change (no moves, so no continuations: the generator
# writes one history row per client), and a birthday on 29 February is not handled.
HAND_WRITTEN_ANNEX_SQL = """
WITH facts AS (
  SELECT a.id, a.date, a.domain, a.kind, a.duration_minutes, a.units,
         m.cbs_code AS municipality,
         (date_part('year', age(a.date, c.date_of_birth)))::int AS age,
         (c.extended_youth_care_until IS NOT NULL AND a.date <= c.extended_youth_care_until
          AND a.date >= coalesce(c.extended_youth_care_from,
                                 (c.date_of_birth + interval '18 years')::date)) AS extended,
         EXISTS (SELECT 1 FROM trajectories_employment e WHERE e.trajectory_id = a.trajectory_id
                 AND e.start <= a.date AND (e."end" IS NULL OR e."end" >= a.date)) AS employed,
         (EXISTS (SELECT 1 FROM clients_wlzindication i WHERE i.client_id = c.id
                  AND i.start <= a.date AND (i."end" IS NULL OR a.date <= i."end"))
          OR EXISTS (SELECT 1 FROM funding_allocation w
                     JOIN funding_contract wc ON wc.id = w.contract_id
                     JOIN funding_fundingstream ws ON ws.id = wc.stream_id AND ws.code = 'wlz'
                     WHERE w.client_id = c.id AND w.status = 'active'
                     AND w.start <= a.date AND (w."end" IS NULL OR a.date <= w."end")))
           AS wlz_indicated,
         (SELECT h.uzovi FROM clients_healthinsurance h WHERE h.client_id = c.id
          AND h.start <= a.date AND (h."end" IS NULL OR a.date <= h."end")
          ORDER BY h.id LIMIT 1) AS uzovi
  FROM trajectories_activity a
  JOIN trajectories_trajectory t ON t.id = a.trajectory_id
  JOIN clients_client c ON c.id = t.client_id
  JOIN clients_municipality m ON m.id = c.responsible_municipality_id
  WHERE a.status = 'recorded' AND a.funding_status = 'unfunded'
    AND c.organisation_id = %(organisation)s AND a.date BETWEEN %(start)s AND %(end)s
),
ranks (code, rank) AS (VALUES ('wlz', 1), ('zvw-ggz', 2), ('jeugdwet', 3), ('wmo', 3)),
covering AS (  -- the ranked laws that cover the care on its day (stream, age, indication)
  SELECT f.id, s.code, r.rank
  FROM facts f CROSS JOIN funding_fundingstream s JOIN ranks r ON r.code = s.code
  WHERE s.domains ? f.domain
    AND (coalesce(s.activity_kinds, '[]') = '[]' OR s.activity_kinds ? f.kind)
    AND (s.min_age IS NULL OR f.age >= s.min_age)
    AND (s.age_limit IS NULL OR f.age < s.age_limit
         OR (s.extended_age_limit IS NOT NULL AND f.age < s.extended_age_limit
             AND f.extended AND f.kind NOT IN ('guidance', 'personal_care')))
    AND (s.code <> 'wlz' OR f.wlz_indicated)
),
first_law AS (  -- the law that goes first; the Jeugdwet and the Wmo share a rank
  SELECT id, array_agg(code ORDER BY code) AS codes FROM (
    SELECT id, code, rank, min(rank) OVER (PARTITION BY id) AS top FROM covering
  ) ranked WHERE rank = top GROUP BY id
),
products AS (  -- the products of the organisation's regular contracts (no pilots)
  SELECT p.id, p.code, p.unit, p.tariff_cents, p.is_guidance, p.category, p.activity_kinds,
         ct.start, ct."end", ct.funder_id, fu.kind AS funder_kind, fu.code AS funder_code,
         s.code AS stream, s.domains, s.activity_kinds AS stream_kinds, s.min_age, s.age_limit,
         s.extended_age_limit
  FROM funding_product p
  JOIN funding_contract ct ON ct.id = p.contract_id
  JOIN funding_fundingstream s ON s.id = ct.stream_id
  JOIN funding_funder fu ON fu.id = ct.funder_id
  WHERE ct.organisation_id = %(organisation)s
    AND NOT EXISTS (SELECT 1 FROM funding_integralpilot ip WHERE ip.contract_id = ct.id)
),
fitting AS (
  SELECT f.id, p.id AS product_id, p.code AS product_code, p.funder_id, p.unit,
         p.tariff_cents, c.consumed,
         round(c.consumed * p.tariff_cents::numeric
               / CASE p.unit WHEN '04' THEN 60 ELSE 1 END) AS value_cents
  FROM facts f
  LEFT JOIN first_law l ON l.id = f.id
  JOIN products p ON p.start <= f.date AND (p."end" IS NULL OR f.date <= p."end")
  CROSS JOIN LATERAL (SELECT CASE  -- what the activity draws in the product's unit
      WHEN p.unit IN ('01', '04') THEN nullif(f.duration_minutes, 0)
      WHEN p.unit = '14' THEN CASE WHEN f.kind = 'residential_stay'
                                   THEN coalesce(nullif(f.units, 0), 1) END
      WHEN p.unit = '16' THEN CASE WHEN f.kind IN ('day_activity', 'lesson', 'exam',
                                                   'internship_day')
                                   THEN coalesce(nullif(f.units, 0), 1) END
      WHEN p.unit IN ('82', '84') THEN coalesce(nullif(f.units, 0), 1)
      ELSE nullif(f.units, 0) END AS consumed) c
  WHERE p.domains ? f.domain
    AND (coalesce(p.stream_kinds, '[]') = '[]' OR p.stream_kinds ? f.kind)
    AND coalesce(p.activity_kinds, '[]') ? f.kind
    -- a ranked law's product: its law goes first, and its funder is the one responsible
    AND (p.stream NOT IN ('wlz', 'zvw-ggz', 'jeugdwet', 'wmo')
         OR (p.stream = ANY(l.codes)
             AND CASE p.stream
                   WHEN 'wlz' THEN true
                   WHEN 'zvw-ggz' THEN p.funder_kind = 'health_insurer'
                                       AND p.funder_code = f.uzovi
                   ELSE p.funder_kind = 'region'
                        OR (p.funder_kind = 'municipality' AND p.funder_code = f.municipality)
                 END))
    AND NOT (p.stream IN ('jeugdwet', 'wmo') AND p.funder_kind <> 'region'
             AND NOT (p.funder_kind = 'municipality' AND p.funder_code = f.municipality))
    AND NOT (p.stream = 'zvw-ggz' AND p.funder_kind = 'health_insurer'
             AND f.uzovi IS NOT NULL AND f.uzovi <> p.funder_code)
    AND (p.min_age IS NULL OR f.age >= p.min_age)
    AND (p.age_limit IS NULL OR f.age < p.age_limit
         OR (NOT p.is_guidance AND p.category <> '40'
             AND f.kind NOT IN ('guidance', 'personal_care')
             AND p.category NOT IN ('51', '52', '54')
             AND p.extended_age_limit IS NOT NULL AND f.age < p.extended_age_limit
             AND f.extended))
    AND c.consumed IS NOT NULL
    AND NOT (p.funder_kind = 'uwv' AND f.kind = 'job_coaching' AND NOT f.employed)
),
cheapest AS (  -- time units before stays, then the lowest value, tariff, oldest product
  SELECT DISTINCT ON (id) * FROM fitting
  ORDER BY id, unit IN ('14', '16'), value_cents, tariff_cents, product_id
),
responsible AS (
  SELECT f.id, f.date, f.duration_minutes,
         coalesce(ch.funder_id, CASE
           WHEN l.codes[1] = 'zvw-ggz' THEN (SELECT max(fu.id) FROM funding_funder fu
                                         WHERE fu.kind = 'health_insurer' AND fu.code = f.uzovi)
           WHEN l.codes[1] IN ('jeugdwet', 'wmo') THEN (SELECT max(fu.id) FROM funding_funder fu
               WHERE fu.kind = 'municipality' AND fu.code = f.municipality)
         END) AS funder_id,
         coalesce(ch.product_code, '') AS product_code, coalesce(ch.value_cents, 0) AS value_cents
  FROM facts f
  LEFT JOIN cheapest ch ON ch.id = f.id
  LEFT JOIN first_law l ON l.id = f.id  -- of two, the first by code (as the rules take it)
)
SELECT date, product_code, value_cents::bigint, duration_minutes FROM responsible
WHERE funder_id = %(funder)s
ORDER BY date, id
"""


def report_check(result, main_rows: list[tuple], annex_rows: list[tuple]) -> dict:
    """Whether the report's figures equal the hand-written SQL's, line by line and in total."""
    app_lines = sorted(
        (block.number, block.product_code, line.month, line.amount_cents)
        for block in result.allocations
        for line in block.months
    )
    sql_lines = sorted(
        (number, code, month, int(amount)) for month, number, code, amount in main_rows
    )
    app_annex = sorted(
        (line.date, line.product_code, line.value_cents, line.duration_minutes)
        for line in result.unfunded
    )
    sql_annex = sorted((day, code, int(value), minutes) for day, code, value, minutes in annex_rows)
    differing = sorted(set(app_lines) ^ set(sql_lines))
    differing_annex = sorted(set(app_annex) ^ set(sql_annex))
    return {
        "lines": len(app_lines),
        "lines_sql": len(sql_lines),
        "lines_equal": app_lines == sql_lines,
        "total_cents": sum(line[-1] for line in app_lines),
        "total_cents_sql": sum(line[-1] for line in sql_lines),
        "annex_lines": len(app_annex),
        "annex_lines_sql": len(sql_annex),
        "annex_equal": app_annex == sql_annex,
        "annex_cents": sum(line[2] for line in app_annex),
        "annex_cents_sql": sum(line[2] for line in sql_annex),
        "equal": app_lines == sql_lines and app_annex == sql_annex,
        "examples": [str(line) for line in differing[:5]],
        "annex_examples": [str(line) for line in differing_annex[:5]],
    }


def bench_report(s: dict, runs: int, db: str, *, pdf: bool, pdf_rounds: int) -> None:
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

    params = {"funder": funder.pk, "organisation": organisation.pk, "start": start, "end": end}

    def sql(query: str):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall()

        return run

    with translation.override("nl"):
        result = figures()
        lines = sum(len(block.months) for block in result.allocations)
        app = measure(
            "report: figures (report_figures, annex included)",
            figures,
            runs=runs,
            warmup=1,
            clients=s["report_clients"],
            allocations=len(result.allocations),
            allocation_month_lines=lines,
            unfunded_lines=len(result.unfunded),
        )
        main_rows, annex_rows = sql(HAND_WRITTEN_SQL)(), sql(HAND_WRITTEN_ANNEX_SQL)()

        def both():
            return sql(HAND_WRITTEN_SQL)(), sql(HAND_WRITTEN_ANNEX_SQL)()

        hand = measure(
            "report: the same figures as hand-written SQL (two queries, annex included)",
            both,
            runs=runs,
            warmup=1,
            rows=len(main_rows),
            annex_rows=len(annex_rows),
        )
        measure(
            "report: the annex alone as hand-written SQL",
            sql(HAND_WRITTEN_ANNEX_SQL),
            runs=runs,
            warmup=1,
        )
        RESULTS["report_check"] = check = report_check(result, main_rows, annex_rows)
        check["figures_over_sql"] = round(app["median_ms"] / hand["median_ms"], 2)
        log(f"report figures against hand-written SQL: {json.dumps(check)}")
        csv_bytes = len(render_csv(result))
        measure(
            "report: CSV (render_csv)",
            lambda: render_csv(result),
            runs=runs,
            warmup=1,
            bytes=csv_bytes,
        )
    if pdf:
        bench_pdf(s, db, organisation.pk, funder.pk, start, end, rounds=pdf_rounds)


def bench_pdf(
    s: dict, db: str, organisation: int, funder: int, start: date, end: date, *, rounds: int
) -> None:
    """The PDF and one plain table of the same rows, interleaved in one child process."""
    command = [
        sys.executable,
        "-m",
        "bench.pdf_worker",
        "--db",
        db,
        "--organisation",
        str(organisation),
        "--funder",
        str(funder),
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        "--rounds",
        str(rounds),
    ]
    output = subprocess.run(  # noqa: S603 - our own interpreter and module
        command, env=django_env(db), cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    data = json.loads(output.strip().splitlines()[-1])
    RESULTS["pdf"] = data
    for mode, entry in data["renderers"].items():
        log(
            f"PDF {mode}: {entry['rows']} rows, {entry['pages']} pages, median "
            f"{entry['median_s']} s over {len(entry['seconds'])} = {entry['ms_per_row']} ms/row, "
            f"peak RSS {entry['peak_rss_mb']} MB"
        )
    log(f"PDF per row / plain table per row = {data['app_over_plain_per_row']}")


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
        info["postgresql_settings"] = postgres_settings(cursor)
        info["postgresql"] = info["postgresql_settings"]["server_version"]
        cursor.execute("SELECT pg_database_size(current_database())")
        info["database_size_bytes"] = cursor.fetchone()[0]
    return info


def print_table(label: str) -> None:
    print()
    print(f"Results ({label}):")
    print(
        f"{'benchmark':<72} {'median ms':>10} {'p95 ms':>10} {'p99 ms':>10} {'runs':>5} "
        f"{'queries':>8} {'load':>5}"
    )
    for name, r in RESULTS.get("benchmarks", {}).items():
        if r.get("not_available"):
            print(f"{name:<72} {'not available':>10}")
            continue
        print(
            f"{name:<72} {r['median_ms']:>10} {r['p95_ms']:>10} {r.get('p99_ms', '-')!s:>10} "
            f"{r['runs']:>5} {r.get('queries', '-')!s:>8} {r.get('load_1m', '-')!s:>5}"
        )
    if "report_check" in RESULTS:
        print(f"report figures against hand-written SQL: {json.dumps(RESULTS['report_check'])}")
    pdf = RESULTS.get("pdf")
    if pdf:
        for mode, entry in pdf["renderers"].items():
            print(
                f"PDF {mode:<6} {entry['rows']:>6} rows {entry['pages']:>5} pages, median "
                f"{entry['median_s']:>7} s, {entry['ms_per_row']} ms/row, "
                f"peak RSS {entry['peak_rss_mb']} MB"
            )
        print(f"PDF per row / plain table per row: {pdf['app_over_plain_per_row']}")


def collectstatic(db: str) -> None:
    """Production settings serve hashed static files: collect them once (staticfiles/)."""
    if not (ROOT / "staticfiles" / "staticfiles.json").is_file():
        manage(db, "collectstatic", "--noinput", "-v", "0")


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmarks on a bench database.")
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--label", default="default")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per benchmark")
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--pdf-rounds", type=int, default=3, help="renderings of each PDF")
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"comma-separated groups to run, in this order: {', '.join(GROUPS)}",
    )
    args = parser.parse_args()
    context = provenance()
    collectstatic(args.db)
    # The API's per-user throttle (120 a minute) would refuse the benchmark's repeated calls:
    # raised here, the throttle's check itself still runs on every call.
    django_setup(args.db, API_THROTTLE_USER="100000/minute")
    from django.utils import timezone

    today = timezone.localdate()
    RESULTS.update(
        label=args.label,
        database=args.db,
        **context,
        runs_per_benchmark=args.runs,
        scale=scale_of(args.db),
        machine=machine(),
    )
    s = subjects(today)
    RESULTS["subjects"] = s
    log(f"subjects: {json.dumps(s)}")
    groups = set(args.only.split(","))
    # The nightly alerts first: the alerts pages then show what a morning shows.
    if "nightly" in groups:
        bench_nightly(args.runs)
    if "pages" in groups:
        bench_pages(s, args.runs)
    if "api" in groups:
        bench_api(s, args.runs)
    if "logging" in groups:
        bench_logging(s, args.runs, args.burst)
    if "report" in groups:
        bench_report(s, args.runs, args.db, pdf=not args.no_pdf, pdf_rounds=args.pdf_rounds)
    if "funding" in groups:
        # Last: at the default scale it takes seconds a run, and what it leaves behind in the
        # process must not weigh on the others.
        measure(
            "manager: funding overview",
            page(s["manager"], "/funding/"),
            runs=args.runs,
            budget_s=120,
        )
    finish(RESULTS)
    path = save_json(f"{args.label}.json", RESULTS)
    print_table(args.label)
    print(f"\nSaved {path}")
    return 0


GROUPS = ("nightly", "pages", "api", "logging", "report", "funding")


def scale_of(db: str) -> dict | None:
    """The generator's manifest of the database (its scale, seed, rows), if it is there."""
    manifest = load_json(f"{db}.manifest.json")
    if manifest is None:
        return None
    return {key: manifest.get(key) for key in ("scale", "seed", "until", "rows", "current_clients")}


if __name__ == "__main__":
    sys.exit(main())
