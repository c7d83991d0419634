"""The restore drill: dump a database with pg_dump, restore it into a new one, count what came back.

    python -m bench.restore_drill --source casemanager_bench_quick   # a bench database
    python -m bench.restore_drill --seed-demo                        # the demo data
    python -m bench.restore_drill --generate                         # CI: a small data set

With --seed-demo a fresh source database is migrated and filled with ``seed_demo`` first (the
application's own write paths, about a minute); with --generate it is filled by
bench/generate.py at a small scale (every table, history and access log included, in about 15
seconds: what CI runs). The
dump is pg_dump's custom format (what docs/deployment.md prescribes for the nightly backup); it
is restored with pg_restore into a database of its own. Then clients, activities, every history
table's rows, access-log entries and the other tables are counted on both sides, the access
log's append-only trigger is checked to be there, and the drill fails on any difference. The
restored database (and a seeded or generated source) are dropped afterwards unless --keep is
given.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench.common import (
    PG_HOST,
    PG_PORT,
    PG_USER,
    conninfo,
    finish,
    human_bytes,
    manage,
    provenance,
    save_json,
)

# A small data set for CI: one organisation, 300 clients, 20,000 activities (bench/generate.py).
SMALL = (  # noqa: SIM905 - a fixed day, so that CI restores the same rows every day
    "--organisations 1 --users 20 --clients 300 --activities 20000 --funders 12"
    " --allocations 600 --until 2026-06-30"
).split()


def log(message: str) -> None:
    print(f"[restore-drill {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is missing: install the postgresql-client package")
    return path


def recreate(name: str) -> None:
    with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(name: str) -> None:
    with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts(name: str) -> dict[str, int]:
    """Exact row counts: the four the drill is about first, then every other table."""
    with psycopg.connect(conninfo(name)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        found = {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }
        trigger = conn.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_access_log_append_only'"
        ).fetchone()[0]
    history = sum(n for table, n in found.items() if "_historical" in table)
    return {
        "clients": found.get("clients_client", 0),
        "activities": found.get("trajectories_activity", 0),
        "history rows": history,
        "access-log entries": found.get("audit_accesslogentry", 0),
        "append-only trigger": trigger,
        **{f"table {table}": n for table, n in found.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Dump, restore and count.")
    parser.add_argument("--source", default="casemanager_drill_source")
    parser.add_argument("--target", default="")
    parser.add_argument("--seed-demo", action="store_true", help="seed the source with seed_demo")
    parser.add_argument(
        "--generate", action="store_true", help="fill the source with a small generated data set"
    )
    parser.add_argument("--jobs", type=int, default=2, help="pg_restore --jobs")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    args = parser.parse_args()
    context = provenance()
    target = args.target or f"{args.source}_restored"
    timings: dict[str, float] = {}

    if args.seed_demo:
        log(f"seeding {args.source} with the demo data")
        started = time.perf_counter()
        recreate(args.source)
        manage(args.source, "migrate", "--noinput", "-v", "0", DJANGO_DEBUG="true")
        manage(args.source, "seed_demo", DJANGO_DEBUG="true")
        timings["seed_s"] = round(time.perf_counter() - started, 1)
    elif args.generate:
        log(f"generating a small data set in {args.source}")
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "bench.generate",
                "--scale",
                "quick",
                "--db",
                args.source,
                *SMALL,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        timings["generate_s"] = round(time.perf_counter() - started, 1)

    before = counts(args.source)
    folder = Path(tempfile.mkdtemp(prefix="casemanager-drill-"))
    dump = folder / f"{args.source}.dump"
    connection = ["-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER]
    try:
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                tool("pg_dump"),
                *connection,
                "--format=custom",
                "--no-owner",
                "-f",
                str(dump),
                args.source,
            ],
            check=True,
        )
        timings["dump_s"] = round(time.perf_counter() - started, 1)
        size = dump.stat().st_size
        log(f"pg_dump {args.source}: {human_bytes(size)} in {timings['dump_s']} s")
        recreate(target)
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                tool("pg_restore"),
                *connection,
                "--no-owner",
                "--exit-on-error",
                f"--jobs={args.jobs}",
                "-d",
                target,
                str(dump),
            ],
            check=True,
        )
        timings["restore_s"] = round(time.perf_counter() - started, 1)
        log(f"pg_restore into {target} in {timings['restore_s']} s")
        with psycopg.connect(conninfo(target), autocommit=True) as conn:
            conn.execute("ANALYZE")
        after = counts(target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if not args.keep:
            drop(target)
            if args.seed_demo or args.generate:
                drop(args.source)

    differences = {
        name: (before[name], after.get(name)) for name in before if before[name] != after.get(name)
    }
    for name in ("clients", "activities", "history rows", "access-log entries"):
        mark = "ok" if name not in differences else "DIFFERENT"
        log(f"{name:<20} {before[name]:>12,} -> {after.get(name, 0):>12,}  {mark}")
    log(f"append-only trigger on the restored access log: {after.get('append-only trigger') == 1}")
    tables = sum(1 for name in before if name.startswith("table "))
    save_json(
        f"restore-drill-{args.source}.json",
        {
            **finish(context),
            "source": args.source,
            "dump_bytes": size,
            "timings": timings,
            "counts": {k: v for k, v in before.items() if not k.startswith("table ")},
            "tables_compared": tables,
            "differences": differences,
        },
    )
    if differences or not before["activities"] or after.get("append-only trigger") != 1:
        log(f"RESTORE DRILL FAILED: {differences or 'nothing to compare'}")
        return 1
    log(f"restore drill passed: all {tables} tables came back with the same row counts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
