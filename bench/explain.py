"""Where a page spends its time: each query with its duration, and EXPLAIN ANALYZE of the slowest.

    python -m bench.explain --db casemanager_bench --user 107 /clients/
    python -m bench.explain --db casemanager_bench --user 139 /clients/1/ --explain 3

A tool for reading the benchmarks' figures (docs/performance.md), not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time

from bench.common import django_setup


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--user", type=int, required=True)
    parser.add_argument("--explain", type=int, default=2, help="EXPLAIN the N slowest queries")
    parser.add_argument("--profile", action="store_true", help="also a cProfile of one request")
    parser.add_argument("path")
    args = parser.parse_args()
    django_setup(args.db)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User

    browser = Client()
    browser.force_login(User.objects.get(pk=args.user))
    browser.get(args.path)  # warm
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = browser.get(args.path)
        total = time.perf_counter() - started
    queries = captured.captured_queries
    in_sql = sum(float(q["time"]) for q in queries)
    print(f"{args.path}: {response.status_code}, {total * 1000:.1f} ms, {len(queries)} queries")
    print(f"  in SQL {in_sql * 1000:.1f} ms, in Python {(total - in_sql) * 1000:.1f} ms")
    for n, q in enumerate(queries, start=1):
        print(f"  {n:>3} {float(q['time']) * 1000:8.1f} ms  {q['sql'][:160]}")
    slowest = sorted(queries, key=lambda q: -float(q["time"]))[: args.explain]
    with connection.cursor() as cursor:
        for q in slowest:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                continue
            print("\n" + q["sql"][:2000])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            for (line,) in cursor.fetchall():
                print("   ", line)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        browser.get(args.path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
