"""Every index the benchmarked pages' queries use, with EXPLAIN ANALYZE with and without it.

    python -m bench.indexes --db casemanager_bench --label default

The pages are those of bench/run.py (its people, found the same way; its web pages and API
lists, and the funding overview). Each page is requested once to warm up and once with its
queries captured; every SELECT is EXPLAINed to find the indexes its plan reads. For each index
that is there for speed alone (not unique and backing no constraint: those are there for
integrity) and each distinct query that used it (at most ``--per-index``, the slowest first),
the query runs under ``EXPLAIN (ANALYZE, BUFFERS)`` as it is ("with"), and again in a
transaction that drops the index first and is rolled back ("without"): the justification of
the index, on the same data, by the same code. Indexes no page read are listed too.

Writes ``indexes-<label>.json`` beside the other results (bench/report.py makes a table of it).
Nothing is changed: each dropped index comes back with the rollback. While it is gone it holds
an ACCESS EXCLUSIVE lock on its table, so run it on a bench database, not beside the load test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench.common import django_setup, finish, provenance, save_json


def log(message: str) -> None:
    print(f"[indexes {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def indexes_in(plan: dict) -> Iterator[str]:
    """The names of the indexes a JSON plan (one node and its children) reads."""
    name = plan.get("Index Name")
    if name:
        yield name
    for child in plan.get("Plans", ()):
        yield from indexes_in(child)


def scans_of(plan: dict, table: str) -> list[str]:
    """How the plan reads ``table``: each scan node on it with the indexes it reads, e.g. "Seq
    Scan", "Index Scan using i", "Bitmap Heap Scan using i, j"."""
    found = []
    stack = [plan]
    while stack:
        node = stack.pop()
        if node.get("Relation Name") == table:
            # A bitmap heap scan reads the table through the bitmap index scans below it.
            names = sorted(set(indexes_in(node)))
            found.append(
                f"{node['Node Type']} using {', '.join(names)}" if names else node["Node Type"]
            )
        stack.extend(node.get("Plans", ()))
    return sorted(set(found))


def buffers(plan: dict) -> int:
    """The blocks the plan read, from the cache or the disk (shared; local for temporary tables)."""
    kinds = ("Shared Hit Blocks", "Shared Read Blocks", "Local Hit Blocks", "Local Read Blocks")
    return sum(int(plan.get(kind, 0)) for kind in kinds)


@dataclass
class Use:
    """One query of one page that read an index."""

    page: str
    sql: str
    ms: float  # as the page ran it


@dataclass
class Index:
    name: str
    table: str
    definition: str
    uses: list[Use] = field(default_factory=list)


def candidate_indexes(cursor) -> dict[str, Index]:
    """The public schema's indexes that are there for speed alone (not unique, backing no
    constraint), by name."""
    cursor.execute(
        """
        SELECT i.relname, t.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public'
          AND NOT x.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname
        """
    )
    return {name: Index(name, table, definition) for name, table, definition in cursor.fetchall()}


def explain(cursor, sql: str, *, analyze: bool) -> dict:
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    cursor.execute(f"EXPLAIN ({options}) {sql}")
    value = cursor.fetchone()[0]
    document = value if isinstance(value, list) else json.loads(value)
    return document[0]


def measured(document: dict, table: str) -> dict:
    plan = document["Plan"]
    return {
        "execution_ms": round(document.get("Execution Time", 0.0), 2),
        "planning_ms": round(document.get("Planning Time", 0.0), 2),
        "buffers": buffers(plan),
        "reads_table_by": scans_of(plan, table),
    }


def pages_of_bench_run(s: dict) -> list[tuple[str, Callable[[], object]]]:
    """The pages bench/run.py measures, as it defines them: its ``measure`` is replaced by a
    recorder while its page and API groups declare their benchmarks."""
    import bench.run as run

    recorded: list[tuple[str, Callable[[], object]]] = []
    original = run.measure
    run.measure = lambda name, fn, **_extra: recorded.append((name, fn))
    try:
        run.bench_pages(s, runs=1)
        run.bench_api(s, runs=1)
    finally:
        run.measure = original
    recorded.append(("manager: funding overview", run.page(s["manager"], "/funding/")))
    return recorded


def collect(pages: list[tuple[str, Callable[[], object]]], indexes: dict[str, Index]) -> None:
    """Request each page, EXPLAIN its SELECTs, and note which candidate index each one reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        for name, get in pages:
            get()  # warm
            with CaptureQueriesContext(connection) as captured:
                get()
            seen: set[str] = set()
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT") or sql in seen:
                    continue
                seen.add(sql)
                for index in set(indexes_in(explain(cursor, sql, analyze=False)["Plan"])):
                    if index in indexes:
                        ms = round(float(query["time"]) * 1000, 2)
                        indexes[index].uses.append(Use(page=name, sql=sql, ms=ms))
            log(f"{name}: {len(seen)} distinct SELECTs")


def compare(index: Index, use: Use) -> dict:
    """EXPLAIN ANALYZE of one query with the index, and without it (dropped, rolled back)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        explain(cursor, use.sql, analyze=True)  # the same cache for both
        with_index = measured(explain(cursor, use.sql, analyze=True), index.table)
        with transaction.atomic():
            cursor.execute(f'DROP INDEX "{index.name}"')
            without = measured(explain(cursor, use.sql, analyze=True), index.table)
            transaction.set_rollback(True)
    return {
        "page": use.page,
        "query": use.sql[:300],
        "with": with_index,
        "without": without,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--label", default="default")
    parser.add_argument("--per-index", type=int, default=2, help="queries compared per index")
    args = parser.parse_args()
    context = provenance()
    django_setup(args.db, API_THROTTLE_USER="100000/minute")
    from django.db import connection
    from django.utils import timezone

    import bench.run as run

    today = timezone.localdate()
    s = run.subjects(today)
    with connection.cursor() as cursor:
        indexes = candidate_indexes(cursor)
    collect(pages_of_bench_run(s), indexes)
    results = []
    for index in indexes.values():
        if not index.uses:
            continue
        distinct: dict[str, Use] = {}
        for use in sorted(index.uses, key=lambda u: -u.ms):
            distinct.setdefault(use.sql, use)
        compared = [compare(index, use) for use in list(distinct.values())[: args.per_index]]
        results.append(
            {
                "index": index.name,
                "table": index.table,
                "definition": index.definition,
                "pages": sorted({use.page for use in index.uses}),
                "compared": compared,
            }
        )
        log(f"{index.name}: {len(index.uses)} uses, {len(compared)} compared")
    unused = [
        {"index": index.name, "table": index.table, "definition": index.definition}
        for index in indexes.values()
        if not index.uses
    ]
    data = {
        "label": args.label,
        "database": args.db,
        **context,
        "subjects_day": str(today),
        "used": results,
        "not_used_by_the_pages": unused,
    }
    finish(data)
    path = save_json(f"indexes-{args.label}.json", data)
    print(f"{len(results)} indexes read by the pages, {len(unused)} not; saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
