"""The monthly declarations (JW323 / WMO323) of a bench database: time and peak memory.

    python -m bench.declarations --db casemanager_bench --label default
    python -m bench.declarations --db casemanager_bench_quick --label quick

For the organisation with the most clients on Jeugdwet and Wmo allocations in the last full
month, every municipality's declaration of that month is drafted in the database
(``declaration_draft``), written streamed to a temporary file (``declaration_write``) and
validated while it is read back (``declaration_file_errors``), the way ``declaration_send``
does before it stores and sends; then everything is rolled back, so the bench database stays
as it was. Reported: the time of each step, the lines and bytes written, the Python heap's
peak (tracemalloc) and the process's peak resident memory (ru_maxrss). Writes
bench/results/declarations-<label>.json.

The bench data's allocation numbers are not numeric (ToewijzingNummer is a number in 3.2), so
the schema check reports them; the count of such errors is part of the results, not a failure.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from bench.common import django_setup, save_json


def log(message: str) -> None:
    print(f"[declarations {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description="A month's declarations on a bench database.")
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--label", default="default")
    args = parser.parse_args()
    django_setup(args.db)

    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from apps.accounts.models import Organisation
    from apps.exchange.declarations import (
        declaration_draft,
        declaration_file_errors,
        declaration_write,
    )
    from apps.exchange.declarations.figures import STREAM_OF_STANDARD
    from apps.trajectories.models import Activity

    last = Activity.objects.recorded().order_by("-date").values_list("date", flat=True).first()
    today = min(timezone.localdate(), last + timedelta(days=1)) if last else timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    busiest = (
        Activity.objects.recorded()
        .filter(
            funding_status="funded",
            date__gte=month,
            date__lt=(month + timedelta(days=32)).replace(day=1),
            allocation__contract__stream__code__in=list(STREAM_OF_STANDARD.values()),
        )
        .values("allocation__client__organisation_id")
        .annotate(clients=Count("allocation__client_id", distinct=True))
        .order_by("-clients")
        .first()
    )
    if busiest is None:
        log(f"no Jeugdwet or Wmo care in {month:%Y-%m}: nothing to measure")
        return 1
    organisation = Organisation.objects.get(pk=busiest["allocation__client__organisation_id"])
    from apps.exchange.declarations.selectors import declaration_funders_for

    funders = list(declaration_funders_for(organisation=organisation))
    log(
        f"{organisation} · {month:%Y-%m} · {busiest['clients']} clients · "
        f"{len(funders)} municipalities"
    )
    tracemalloc.start()
    result: dict = {
        "label": args.label,
        "month": f"{month:%Y-%m}",
        "organisation": organisation.agb_code,
        "clients": busiest["clients"],
        "municipalities": len(funders),
        "draft_s": 0.0,
        "write_s": 0.0,
        "validate_s": 0.0,
        "runs": 0,
        "lines": 0,
        "bytes": 0,
        "schema_errors": 0,
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-declarations-") as folder:
        try:
            with transaction.atomic():
                for index, funder in enumerate(funders, start=1):
                    t0 = time.perf_counter()
                    runs = declaration_draft(
                        organisation=organisation, funder=funder, month=month, actor=None
                    )
                    result["draft_s"] += time.perf_counter() - t0
                    for run in runs:
                        path = Path(folder) / f"{run.number}.xml"
                        t0 = time.perf_counter()
                        declaration_write(
                            run=run, identification=run.number, dated=today, path=path
                        )
                        result["write_s"] += time.perf_counter() - t0
                        t0 = time.perf_counter()
                        errors = declaration_file_errors(path=path, standard=run.standard)
                        result["validate_s"] += time.perf_counter() - t0
                        result["schema_errors"] += len(errors)
                        result["runs"] += 1
                        result["lines"] += run.lines.count()
                        result["bytes"] += path.stat().st_size
                        path.unlink()
                    sys.stderr.write(f"\r{index}/{len(funders)} municipalities")
                    sys.stderr.flush()
                raise _Rollback
        except _Rollback:
            pass
    sys.stderr.write("\n")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result["total_s"] = round(time.perf_counter() - started, 2)
    for key in ("draft_s", "write_s", "validate_s"):
        result[key] = round(result[key], 2)
    result["python_peak_mb"] = round(peak / 1024 / 1024, 1)
    # ru_maxrss is in kilobytes on Linux.
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["date"] = date.today().isoformat()  # noqa: DTZ011 - a label, not a computation
    path = save_json(f"declarations-{args.label}.json", result)
    log(
        f"{result['runs']} declarations, {result['lines']} lines, {result['bytes']:,} bytes in "
        f"{result['total_s']} s (draft {result['draft_s']} s, write {result['write_s']} s, "
        f"validate {result['validate_s']} s); Python peak {result['python_peak_mb']} MB, "
        f"max RSS {result['max_rss_mb']} MB -> {path}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
