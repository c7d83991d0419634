"""A load test of the running service: gunicorn with the production settings against the bench
database and Redis, driven by locust (headless) from a second process on 127.0.0.1.

    python -m bench.loadtest --db casemanager_bench --users 30 --duration 120

Steps: collect the static files; give the accounts used a confirmed TOTP device (django-otp,
as enrolment would) and write them to a JSON file for the locust users; make a self-signed
certificate with openssl; start gunicorn with TLS on 127.0.0.1 (production settings: DEBUG off,
secure cookies, HSTS, SSL redirect, REQUIRE_2FA on; gunicorn terminates TLS here as nginx does
in production); wait for /healthz; run locust headless for a bounded time and request count;
stop gunicorn; print requests per second, median and 95th percentile per request and in all,
and the errors. Everything stays on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import csv
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

from bench.common import BENCH_PASSWORD, ROOT, django_env, django_setup, manage, save_json

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
    """The busiest caseworkers, teachers and managers, each with a fresh confirmed TOTP device."""
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
            chosen[role] = []
            for user in User.objects.filter(pk__in=ids).order_by("pk"):
                TOTPDevice.objects.filter(user=user, name="loadtest").delete()
                device = TOTPDevice.objects.create(user=user, name="loadtest", confirmed=True)
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


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description="Load test of the running service.")
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--label", default="default")
    parser.add_argument("--users", type=int, default=30, help="simulated people at once")
    parser.add_argument("--spawn-rate", type=float, default=3)
    parser.add_argument("--duration", type=int, default=120, help="seconds (bounded)")
    parser.add_argument("--max-requests", type=int, default=20000, help="stop after this many")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--no-funding-overview",
        action="store_true",
        help="managers skip the funding overview (it takes a minute at the default scale)",
    )
    args = parser.parse_args()

    if not (ROOT / "staticfiles" / "staticfiles.json").is_file():
        manage(args.db, "collectstatic", "--noinput", "-v", "0")
    share = {"caseworker": 6, "teacher": 2, "manager": 1}
    counts = {
        role: max(1, round(args.users * w / sum(share.values()))) for role, w in share.items()
    }
    pool = accounts(args.db, counts)
    counts = {role: min(counts[role], len(pool[role])) for role in counts}
    folder = Path(tempfile.mkdtemp(prefix="casemanager-loadtest-"))
    users_file = folder / "users.json"
    users_file.write_text(json.dumps(pool), encoding="utf-8")
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
            "5",
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
    result: dict = {"label": args.label, "users": counts, "broker": broker or "none (eager)"}
    try:
        result["healthz"] = wait_healthy()
        log(
            f"gunicorn {args.workers}x{args.threads} up on https://{HOST}:{PORT}: "
            f"{result['healthz']}; locust {counts} for {args.duration} s"
        )
        prefix = folder / "locust"
        locust_env = dict(
            os.environ,
            LOADTEST_USERS=str(users_file),
            LOADTEST_MAX_REQUESTS=str(args.max_requests),
            LOADTEST_COUNTS=json.dumps(counts),
            LOADTEST_FUNDING_OVERVIEW="0" if args.no_funding_overview else "1",
        )
        result["load_1m_before"] = round(os.getloadavg()[0], 2)
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                f"https://{HOST}:{PORT}",
                "--users",
                str(sum(counts.values())),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.duration}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "Caseworker",
                "Teacher",
                "Manager",
            ],
            cwd=ROOT,
            env=locust_env,
            check=False,
            timeout=args.duration + 120,
        )
        result["wall_s"] = round(time.perf_counter() - started, 1)
        result["load_1m_after"] = round(os.getloadavg()[0], 2)
        result["funding_overview"] = not args.no_funding_overview
        stats = read_stats(prefix)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
    rows = []
    for row in stats:
        rows.append(
            {
                "name": row["Name"],
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "median_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "max_ms": float(row["100%"] or 0),
            }
        )
    result["requests"] = rows
    total = next(r for r in rows if r["name"] == "Aggregated")
    result["total"] = total
    errors = (folder / "error.log").read_text(encoding="utf-8", errors="replace")
    result["server_errors_logged"] = errors.count("Traceback")
    save_json(f"loadtest-{args.label}.json", result)
    print(
        f"\nLoad test ({args.label}): {counts}, {args.duration} s, gunicorn "
        f"{args.workers} workers x {args.threads} threads, TLS, broker {result['broker']}"
    )
    print(
        f"{'request':<28} {'count':>7} {'errors':>7} {'req/s':>7} {'median ms':>10} "
        f"{'p95 ms':>8} {'max ms':>8}"
    )
    for r in rows:
        print(
            f"{r['name']:<28} {r['requests']:>7} {r['failures']:>7} {r['rps']:>7} "
            f"{r['median_ms']:>10} {r['p95_ms']:>8} {r['max_ms']:>8}"
        )
    print(
        f"server tracebacks in the error log: {result['server_errors_logged']}; load average "
        f"{result['load_1m_before']} before, {result['load_1m_after']} after (2 cores)"
    )
    shutil.rmtree(folder, ignore_errors=True)
    return 1 if total["failures"] or result["server_errors_logged"] else 0


if __name__ == "__main__":
    sys.exit(main())
