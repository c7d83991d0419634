"""A month's declarations (JW323 / WMO323) of a bench database: time and peak memory.

    python -m bench.declarations --db casemanager_bench --label default
    python -m bench.declarations --db casemanager_bench_quick --label quick
    python -m bench.declarations --db casemanager_bench --label default --busiest  # one provider

For every organisation (or, with --busiest, the one with the most clients on Jeugdwet and Wmo
allocations in the month), every municipality's declarations of the last full month are drafted
(``declaration_draft``) and sent (``declaration_send``: the 323 written streamed to a temporary
file, validated against our schema while it is read back, stored, its lines marked pending,
the clients' access logged), the way a manager does it; the whole run is then rolled back, so
the bench database stays as it was, the transport is never reached (it delivers after the
commit) and the stored files go to a temporary MEDIA_ROOT. ``declaration_send`` refuses a 323
that does not fit the schema, so every declaration counted as sent validated.

Reported: the time of drafting and of sending, the lines and bytes written and the process's
peak resident memory (VmHWM / ru_maxrss: the whole process, interpreter, Django and the run),
next to the resident memory before the run. With --tracemalloc the Python heap's peak is
measured too; tracemalloc slows Python down several times over, so the times of such a run are
not the ones to quote (they are stored in declarations-<label>-tracemalloc.json). Writes
bench/results/declarations-<label>.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta

from bench.common import ROOT, django_setup, save_json

# The goal of the issue on a 2-core machine, for the default scale.
GOAL_SECONDS = 60
GOAL_RSS_MB = 300


def log(message: str) -> None:
    print(f"[declarations {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def rss_mb(field: str = "VmRSS") -> float:
    """The process's resident memory now (VmRSS) or at its peak (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    # Not Linux: ru_maxrss (kilobytes on Linux, bytes on macOS) is the peak.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _git(*args: str) -> str:
    return subprocess.run(  # noqa: S603 - our fixed git arguments
        ["git", *args],  # noqa: S607 - git, read-only
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def commit_of() -> str:
    """The commit measured, with "+dirty" when tracked files have changes not committed."""
    try:
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        return _git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return ""


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description="A month's declarations on a bench database.")
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--label", default="default")
    parser.add_argument(
        "--busiest", action="store_true", help="only the organisation with the most clients"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also measure the Python heap's peak (slows the run: its times are not the goal's)",
    )
    args = parser.parse_args()
    django_setup(args.db)

    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.db.models import Count
    from django.test.utils import override_settings
    from django.utils import timezone

    from apps.accounts.models import Organisation
    from apps.exchange.declarations import declaration_draft, declaration_send
    from apps.exchange.declarations.figures import STREAM_OF_STANDARD, month_bounds
    from apps.exchange.declarations.selectors import declaration_funders_for
    from apps.trajectories.models import Activity

    last = Activity.objects.recorded().order_by("-date").values_list("date", flat=True).first()
    today = min(timezone.localdate(), last + timedelta(days=1)) if last else timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month_start, month_end = month_bounds(month)
    clients_of = dict(
        Activity.objects.recorded()
        .filter(
            funding_status="funded",
            date__gte=month_start,
            date__lte=month_end,
            allocation__contract__stream__code__in=list(STREAM_OF_STANDARD.values()),
        )
        .values_list("allocation__client__organisation_id")
        .annotate(clients=Count("allocation__client_id", distinct=True))
        .order_by("-clients")
    )
    if not clients_of:
        log(f"no Jeugdwet or Wmo care in {month:%Y-%m}: nothing to measure")
        return 1
    organisations = list(Organisation.objects.filter(pk__in=clients_of))
    organisations.sort(key=lambda o: -clients_of[o.pk])
    if args.busiest:
        organisations = organisations[:1]
    plan = [(o, list(declaration_funders_for(organisation=o))) for o in organisations]
    result: dict = {
        "label": args.label,
        "date": date.today().isoformat(),  # noqa: DTZ011 - a label, not a computation
        "commit": commit_of(),
        "cpus": os.cpu_count(),
        "month": f"{month:%Y-%m}",
        "organisations": [],
        "clients": sum(clients_of[o.pk] for o in organisations),
        "municipalities": sum(len(funders) for _o, funders in plan),
        "draft_s": 0.0,
        "send_s": 0.0,
        "runs": 0,
        "lines": 0,
        "bytes": 0,
        "refused": [],
        "rss_before_mb": rss_mb(),
        # The machine's load when the run starts and ends: a shared machine shows here.
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    log(
        f"{month:%Y-%m}: {len(plan)} organisation(s), {result['clients']:,} clients, "
        f"{result['municipalities']} municipality contracts"
    )
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    done = 0
    with (
        tempfile.TemporaryDirectory(prefix="bench-declarations-") as folder,
        override_settings(MEDIA_ROOT=folder, EXCHANGE_FOLDER=os.path.join(folder, "transport")),
    ):
        try:
            with transaction.atomic():
                for organisation, funders in plan:
                    mine = {
                        "agb_code": organisation.agb_code,
                        "clients": clients_of[organisation.pk],
                    }
                    mine.update(municipalities=len(funders), runs=0, lines=0, bytes=0)
                    t_org = time.perf_counter()
                    for funder in funders:
                        t0 = time.perf_counter()
                        runs = declaration_draft(
                            organisation=organisation, funder=funder, month=month, actor=None
                        )
                        result["draft_s"] += time.perf_counter() - t0
                        for run in runs:
                            t0 = time.perf_counter()
                            try:
                                run = declaration_send(run=run, actor=None)
                            except ValidationError as error:
                                result["refused"].append(f"{run.number}: {error.messages[0]}")
                                continue
                            finally:
                                result["send_s"] += time.perf_counter() - t0
                            mine["runs"] += 1
                            mine["lines"] += run.lines.count()
                            mine["bytes"] += run.message.size
                        done += 1
                        sys.stderr.write(f"\r{done}/{result['municipalities']} municipalities")
                        sys.stderr.flush()
                    mine["s"] = round(time.perf_counter() - t_org, 2)
                    for key in ("runs", "lines", "bytes"):
                        result[key] += mine[key]
                    result["organisations"].append(mine)
                raise _Rollback
        except _Rollback:
            pass
    sys.stderr.write("\n")
    peak = None
    if args.tracemalloc:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    result["total_s"] = round(time.perf_counter() - started, 2)
    result["draft_s"] = round(result["draft_s"], 2)
    result["send_s"] = round(result["send_s"], 2)
    result["python_peak_mb"] = round(peak / 1024 / 1024, 1) if peak is not None else None
    result["timed_with_tracemalloc"] = args.tracemalloc
    result["max_rss_mb"] = rss_mb("VmHWM")
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    result["goal"] = {"seconds": GOAL_SECONDS, "max_rss_mb": GOAL_RSS_MB}
    result["goal_met"] = (
        not args.tracemalloc
        and result["total_s"] < GOAL_SECONDS
        and result["max_rss_mb"] < GOAL_RSS_MB
        and not result["refused"]
    )
    suffix = "-tracemalloc" if args.tracemalloc else ""
    path = save_json(f"declarations-{args.label}{suffix}.json", result)
    log(
        f"{result['runs']} declarations sent ({len(result['refused'])} refused by the schema), "
        f"{result['lines']:,} lines, {result['bytes']:,} bytes in {result['total_s']} s "
        f"(draft {result['draft_s']} s, send {result['send_s']} s); peak RSS "
        f"{result['max_rss_mb']} MB (before: {result['rss_before_mb']} MB)"
        + (f", Python heap peak {result['python_peak_mb']} MB" if args.tracemalloc else "")
        + f"; goal ({GOAL_SECONDS} s, {GOAL_RSS_MB} MB) "
        + ("met" if result["goal_met"] else "not met")
        + f" -> {path}"
    )
    for text in result["refused"][:5]:
        log(f"refused: {text}")
    return 0 if not result["refused"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
