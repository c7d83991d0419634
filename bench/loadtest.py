"""A load test of the running service: gunicorn with the production settings against the bench
database and Redis, driven by simulated people (bench/loadusers.py) on 127.0.0.1.

    python -m bench.loadtest --db casemanager_bench --duration 300

Steps: collect the static files; give each simulated person a confirmed TOTP device (django-otp,
as enrolment would) on an account of its role; make a self-signed certificate with openssl;
start gunicorn with TLS on 127.0.0.1 (production settings: DEBUG off, secure cookies, HSTS, SSL
redirect, REQUIRE_2FA on; gunicorn terminates TLS here as nginx does in production); wait for
/healthz; let everyone log in (spread over the ramp-up); then the measured phase of
``--duration`` seconds, in which each person clicks with 5 to 30 seconds between clicks; stop.

How it counts:
- the number of people, unless ``--people`` says it, keeps both cores busy by Little's law
  (``loadusers.people_needed``) at ``--utilisation`` from the think time and the pages' service
  time (the medians of this run's bench/run.py results, when they are there);
- a request still running ``--grace`` seconds after the measured phase ended is a timeout
  error, and so is an answer slower than 30 seconds; a status other than 200 (after
  redirects) or a missing redirect after a form is an error;
- the logins (form, password, TOTP code) are reported apart and left out of the pages'
  figures; per page: requests, errors, requests per second, median, 95th and 99th percentile
  (interpolated) and maximum;
- the CPU: the machine's busy share over the measured phase (/proc/stat: other work on the
  machine shows in it), and the CPU seconds of gunicorn's workers and of PostgreSQL's backends
  of the bench database.

Everything stays on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import (
    BENCH_PASSWORD,
    ROOT,
    django_env,
    django_setup,
    finish,
    manage,
    provenance,
    save_json,
)

HOST, PORT = "127.0.0.1", 8443


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def redis_up(url: str = "redis://127.0.0.1:6379/12") -> str:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return url
    except OSError:
        pass
    return ""


def accounts(db: str, counts: dict[str, int]) -> dict[str, list[dict]]:
    """An account for each simulated person, with a fresh confirmed TOTP device: the busiest
    caseworkers and teachers and the managers. When there are more people than accounts
    (the quick scale has 39 users), several people share an account: the first of them logs
    in and the others work in its session (as tabs of one browser), because a TOTP code
    cannot be used twice and django-otp throttles a device after a wrong code."""
    django_setup(db)
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts.models import User

    chosen: dict[str, list[dict]] = {}
    with connection.cursor() as cursor:
        for role, count in counts.items():
            if role == "manager":
                cursor.execute(
                    "SELECT u.id FROM accounts_user u"
                    " JOIN accounts_user_groups ug ON ug.user_id = u.id"
                    " JOIN auth_group g ON g.id = ug.group_id AND g.name = 'manager'"
                    " ORDER BY u.organisation_id, u.id"
                )
            else:
                cursor.execute(
                    "SELECT m.user_id FROM trajectories_careteammembership m"
                    " JOIN accounts_user_groups ug ON ug.user_id = m.user_id"
                    " JOIN auth_group g ON g.id = ug.group_id AND g.name = %s"
                    ' WHERE m.role = %s AND m."end" IS NULL'
                    " GROUP BY m.user_id ORDER BY count(*) DESC, m.user_id",
                    [role, role],
                )
            ids = [row[0] for row in cursor.fetchall()][:count]
            users = list(User.objects.filter(pk__in=ids).order_by("pk"))
            TOTPDevice.objects.filter(user__in=users, name__startswith="loadtest").delete()
            devices = {
                user.pk: TOTPDevice.objects.create(user=user, name="loadtest", confirmed=True)
                for user in users
            }
            chosen[role] = []
            for n in range(count):
                user = users[n % len(users)]
                device = devices[user.pk]
                clients = []
                if role == "manager":
                    cursor.execute(
                        "SELECT id FROM clients_client WHERE organisation_id = %s"
                        " AND status = 'active' ORDER BY id LIMIT 50",
                        [user.organisation_id],
                    )
                    clients = [row[0] for row in cursor.fetchall()]
                chosen[role].append(
                    {
                        "username": user.username,
                        "password": BENCH_PASSWORD,
                        "key": device.key,
                        "clients": clients,
                    }
                )
    return chosen


def certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603
        [
            shutil.which("openssl") or "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=IP:{HOST}",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def wait_healthy(timeout: float = 60) -> dict:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(  # https on 127.0.0.1 only
                f"https://{HOST}:{PORT}/healthz", context=context, timeout=5
            ) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not become healthy")


def cpu_ticks() -> tuple[int, int]:
    """The machine's (busy, total) CPU ticks since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def process_cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (those that still exist), in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def backends_of(db: str) -> list[int]:
    """The PostgreSQL backends connected to the bench database now."""
    import psycopg

    from bench.common import conninfo

    with psycopg.connect(conninfo("postgres")) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db],
        ).fetchall()
    return [row[0] for row in rows]


def page_figures(requests: list, seconds: float) -> dict:
    """Per name and for all pages (the logins apart): count, errors, rate and percentiles."""
    from bench.common import percentile
    from bench.loadusers import LOGINS

    def figures(rows: list) -> dict:
        ms = [r.seconds * 1000 for r in rows if r.seconds is not None]
        return {
            "requests": len(rows),
            "errors": sum(1 for r in rows if r.error),
            "rps": round(len(rows) / seconds, 2) if seconds else 0.0,
            "median_ms": round(percentile(ms, 0.5), 1) if ms else None,
            "p95_ms": round(percentile(ms, 0.95), 1) if ms else None,
            "p99_ms": round(percentile(ms, 0.99), 1) if ms else None,
            "max_ms": round(max(ms), 1) if ms else None,
        }

    names = sorted({r.name for r in requests}, key=lambda n: (n in LOGINS, n))
    pages = [r for r in requests if r.name not in LOGINS]
    return {
        "per_request": {name: figures([r for r in requests if r.name == name]) for name in names},
        "pages": figures(pages),
        "logins": figures([r for r in requests if r.name in LOGINS]),
        "errors": [{"name": r.name, "error": r.error} for r in requests if r.error][:20],
    }


# The bench/run.py benchmarks of what the people click: a page, or a page and the part htmx
# asks right after it (the client page's mosaic), whose medians add up to one click's.
PAGE_BENCHMARKS = (
    ("caseworker: my clients",),
    (
        "caseworker: client page (first page of the timeline)",
        "caseworker: client page's funding mosaic (htmx, after the page)",
    ),
    ("teacher: my clients",),
    ("teacher: schooling page of a client",),
    ("manager: reports page",),
    ("manager: funding alerts",),
    ("manager: funding mosaic (last twelve months)",),
)


def service_time(label: str) -> tuple[float, str]:
    """A click's service time in seconds: the mean of the clicks' medians in this run's
    results (a click that asks a part after its page counts both)."""
    from bench.common import load_json

    results = (load_json(f"{label}.json") or {}).get("benchmarks", {})
    medians = [
        sum(results[name]["median_ms"] for name in names)
        for names in PAGE_BENCHMARKS
        if all(name in results for name in names)
    ]
    if not medians:
        return 0.15, "assumed (no bench/run.py results of this label)"
    return sum(medians) / len(medians) / 1000, f"mean median of {len(medians)} clicks (bench.run)"


def main() -> int:
    from bench.loadusers import PEOPLE, Manager, Phase, Recorder, people_needed, split

    parser = argparse.ArgumentParser(description="Load test of the running service.")
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--label", default="default")
    parser.add_argument("--people", type=int, help="simulated people (default: computed)")
    parser.add_argument(
        "--utilisation", type=float, default=0.9, help="the cores' busy share to aim at"
    )
    parser.add_argument("--ramp-up", type=int, default=60, help="seconds to start everyone")
    parser.add_argument("--duration", type=int, default=300, help="the measured phase, seconds")
    parser.add_argument("--grace", type=float, default=10, help="seconds for the last requests")
    # Processes, not threads: a worker's threads share one interpreter lock, and a slow page
    # held its neighbours' requests (3 workers x 2 threads, docs/performance.md).
    parser.add_argument("--workers", type=int, default=6, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--no-funding-overview",
        action="store_true",
        help="managers skip the funding overview",
    )
    args = parser.parse_args()
    context = provenance()
    cores = os.cpu_count() or 1
    service_s, service_source = service_time(args.label)
    people = args.people or people_needed(
        cores=cores, service_s=service_s, utilisation=args.utilisation
    )
    counts = split(people)
    log(
        f"{sum(counts.values())} people {counts}: {args.utilisation:.0%} of {cores} cores at "
        f"{service_s * 1000:.0f} ms a page ({service_source}) and 5-30 s between clicks"
    )

    if not (ROOT / "staticfiles" / "staticfiles.json").is_file():
        manage(args.db, "collectstatic", "--noinput", "-v", "0")
    pool = accounts(args.db, counts)
    folder = Path(tempfile.mkdtemp(prefix="casemanager-loadtest-"))
    cert, key = certificate(folder)
    broker = redis_up()
    env = django_env(
        args.db,
        ALLOWED_HOSTS=HOST,
        REQUIRE_2FA="true",
        SECURE_SSL_REDIRECT="true",
        BEHIND_TLS_PROXY="false",  # gunicorn itself terminates TLS here, no proxy header
        TRUSTED_PROXY_COUNT="0",
        CELERY_BROKER_URL=broker,
        MEDIA_ROOT=str(folder / "media"),
        AXES_FAILURE_LIMIT="5",
    )
    gunicorn = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "casemanager.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--certfile",
            str(cert),
            "--keyfile",
            str(key),
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",  # a person's pause is up to 30 s: keep the browser's connection
            "--timeout",
            "120",
            "--access-logfile",
            str(folder / "access.log"),
            "--error-logfile",
            str(folder / "error.log"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    Manager.funding_overview = not args.no_funding_overview
    result: dict = {
        "label": args.label,
        **context,
        "people": counts,
        "service_time_ms": round(service_s * 1000, 1),
        "service_time_source": service_source,
        "utilisation_aimed": args.utilisation,
        "think_s": [5, 30],
        "broker": broker or "none (eager)",
        "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread), TLS",
        "funding_overview": not args.no_funding_overview,
    }
    recorder, phase = Recorder(), Phase()
    try:
        result["healthz"] = wait_healthy()
        log(f"gunicorn {result['gunicorn']} up on https://{HOST}:{PORT}: {result['healthz']}")
        everyone = []
        first_of: dict[str, object] = {}
        for role, accounts_of_role in pool.items():
            for account in accounts_of_role:
                person = PEOPLE[role](
                    base=f"https://{HOST}:{PORT}",
                    certificate=str(cert),
                    account=account,
                    recorder=recorder,
                    phase=phase,
                    seed=len(everyone),
                    leader=first_of.get(account["username"]),
                )
                first_of.setdefault(account["username"], person)
                everyone.append(person)
        result["accounts"] = len(first_of)
        ramp_started = time.monotonic()
        # Those who log in start evenly over the ramp-up; the others follow their login.
        leaders = [person for person in everyone if person.leader is None]
        for n, person in enumerate(leaders):
            person.start()
            pause = ramp_started + args.ramp_up * (n + 1) / len(leaders) - time.monotonic()
            time.sleep(max(0.0, pause))
        for person in everyone:
            if person.leader is not None:
                person.start()
        for person in everyone:
            person.logged_in.wait(
                timeout=max(1.0, ramp_started + args.ramp_up + 600 - time.monotonic())
            )
        result["login_phase_s"] = round(time.monotonic() - ramp_started, 1)
        result["login_failures"] = sum(1 for person in everyone if person.login_error)
        log(
            f"everyone logged in after {result['login_phase_s']} s on {result['accounts']} "
            f"accounts ({result['login_failures']} people without a session); measuring "
            f"{args.duration} s"
        )
        failed = [person.login_error for person in everyone if person.login_error]
        if failed:
            log(f"first failed login: {failed[0]}")
        if len(failed) == len(everyone):
            raise RuntimeError("nobody could log in: nothing to measure")
        gunicorn_pids = [gunicorn.pid, *children_of(gunicorn.pid)]
        backends = backends_of(args.db)
        busy0, total0 = cpu_ticks()
        server0 = process_cpu_seconds(gunicorn_pids)
        database0 = process_cpu_seconds(backends)
        driver0 = sum(os.times()[:2])
        result["load_1m_before_measuring"] = round(os.getloadavg()[0], 2)
        phase.start = time.monotonic()
        phase.begun.set()
        time.sleep(args.duration)
        phase.stopping.set()
        measured = time.monotonic() - phase.start
        time.sleep(args.grace)
        busy1, total1 = cpu_ticks()
        backends = sorted(set(backends) | set(backends_of(args.db)))
        result["cpu"] = {
            "machine_busy_share": round((busy1 - busy0) / max(1, total1 - total0), 3),
            "gunicorn_cpu_s": round(process_cpu_seconds(gunicorn_pids) - server0, 1),
            "postgresql_backends_cpu_s": round(process_cpu_seconds(backends) - database0, 1),
            "load_driver_cpu_s": round(sum(os.times()[:2]) - driver0, 1),
            "seconds": round(measured + args.grace, 1),
            "cores": cores,
        }
        result["cpu"]["application_share_of_cores"] = round(
            (result["cpu"]["gunicorn_cpu_s"] + result["cpu"]["postgresql_backends_cpu_s"])
            / (cores * (measured + args.grace)),
            3,
        )
        # Whatever still runs now ran past the end and the grace: a timeout error.
        for request in recorder.unfinished():
            request.error = f"timeout (still running {args.grace:.0f} s after the end)"
            request.seconds = time.monotonic() - request.started
        result["load_1m_after"] = round(os.getloadavg()[0], 2)
        result["measured_s"] = round(measured, 1)
    finally:
        phase.begun.set()
        phase.stopping.set()
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
    in_phase = [r for r in recorder.requests if r.started >= phase.start]
    logins = [r for r in recorder.requests if r.started < phase.start]
    result.update(page_figures(in_phase, result["measured_s"]))
    result["logins"] = page_figures(logins, result["login_phase_s"])["logins"]
    errors = (folder / "error.log").read_text(encoding="utf-8", errors="replace")
    result["server_errors_logged"] = errors.count("Traceback")
    finish(result)
    save_json(f"loadtest-{args.label}.json", result)
    print_result(result)
    shutil.rmtree(folder, ignore_errors=True)
    failed = result["pages"]["errors"] or result["login_failures"] or result["server_errors_logged"]
    return 1 if failed else 0


def print_result(result: dict) -> None:
    print(
        f"\nLoad test ({result['label']}): {result['people']}, {result['measured_s']} s measured "
        f"after a login phase of {result['login_phase_s']} s; gunicorn {result['gunicorn']}, "
        f"broker {result['broker']}"
    )
    print(
        f"{'request':<28} {'count':>7} {'errors':>7} {'req/s':>7} {'median ms':>10} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    rows = [*result["per_request"].items(), ("all pages (no logins)", result["pages"])]
    rows.append(("logins (login phase)", result["logins"]))
    for name, r in rows:
        print(
            f"{name:<28} {r['requests']:>7} {r['errors']:>7} {r['rps']:>7} "
            f"{r['median_ms']!s:>10} {r['p95_ms']!s:>8} {r['p99_ms']!s:>8} {r['max_ms']!s:>8}"
        )
    cpu = result["cpu"]
    print(
        f"CPU over the measured phase: machine {cpu['machine_busy_share']:.0%} busy of "
        f"{cpu['cores']} cores; gunicorn {cpu['gunicorn_cpu_s']} s + PostgreSQL "
        f"{cpu['postgresql_backends_cpu_s']} s = {cpu['application_share_of_cores']:.0%} of the "
        f"cores; the load driver {cpu['load_driver_cpu_s']} s"
    )
    print(
        f"errors: {result['pages']['errors']} (pages), {result['login_failures']} logins failed; "
        f"server tracebacks {result['server_errors_logged']}; load average "
        f"{result['load_before']} before, {result['load_after']} after"
    )
    for error in result["errors"]:
        print(f"  {error['name']}: {error['error']}")


if __name__ == "__main__":
    sys.exit(main())
