"""The tables of docs/performance.md from one results folder, each figure marked against its goal.

    python -m bench.report --label default --baseline quick     # after make bench
    python -m bench.report --label quick                          # after make bench-quick
    python -m bench.report --folder bench/results/default --label default --baseline quick

Reads what one `make bench` (or `make bench-quick`) wrote into its folder (BENCH_RESULTS):
the benchmarks (``<label>.json``), the quick scale's pages of the same run (``<baseline>.json``,
for the "within 2x of the quick scale" goals and the query counts), the load test, the
declarations, the generator's manifest and the restore drill; and prints Markdown, to be
copied into docs/performance.md as it is, so that every figure there comes from one run. It
says so when the parts are not from one commit, or the commit had local changes.

The goals are those of issue 19, for the default scale on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PAGE_MEDIAN_MS = 150
PAGE_P95_MS = 300
LOGGING_MEDIAN_MS = 50
REPORT_OVER_SQL = 2.0
SCALE_OVER_QUICK = 2.0  # the funding overview and the mosaic, against the quick scale
PDF_PER_ROW_OVER_PLAIN = 1.0
PDF_PEAK_MB = 500
LOAD_P95_MS = 300
# Interactive pages: what a person opens and waits for (the web pages and the API's lists).
PAGE_PREFIXES = ("caseworker: ", "teacher: ", "manager: ", "API ")
LOGGING_PREFIX = "caseworker: log an activity"
SCALED = ("manager: funding overview", "manager: funding mosaic")


def verdict(value: float | None, limit: float, *, unit: str = "", at_most: bool = False) -> str:
    """Say "met" when the value is under the limit (or at it, ``at_most``), else by how much
    it misses."""
    if value is None:
        return "not measured"
    if value < limit or (at_most and value == limit):
        return "met"
    over = value / limit
    sign = ">" if at_most else "≥"
    return f"**missed**, {over:.2f}× the goal ({number(value)}{unit} {sign} {number(limit)}{unit})"


def number(value: float | int | None) -> str:
    """A figure as the page writes it: thousands with a comma, at most one decimal below 100."""
    if value is None:
        return "–"
    if isinstance(value, int) or float(value).is_integer() or abs(value) >= 100:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def is_page(name: str) -> bool:
    return name.startswith(PAGE_PREFIXES) and not name.startswith(LOGGING_PREFIX)


def page_goal(name: str, r: dict, baseline: dict) -> str:
    """The goals of one benchmark, each marked."""
    parts = []
    if is_page(name):
        median, p95 = r.get("median_ms"), r.get("p95_ms")
        parts.append(f"median {verdict(median, PAGE_MEDIAN_MS, unit=' ms')}")
        parts.append(f"p95 {verdict(p95, PAGE_P95_MS, unit=' ms')}")
    if name.startswith(LOGGING_PREFIX):
        parts.append(f"median {verdict(r.get('median_ms'), LOGGING_MEDIAN_MS, unit=' ms')}")
    if name.startswith(SCALED):
        quick = baseline.get(name, {}).get("median_ms")
        if quick:
            ratio = r["median_ms"] / quick
            parts.append(f"{ratio:.1f}× quick: {verdict(ratio, SCALE_OVER_QUICK)}")
        else:
            parts.append("against quick: no baseline in this folder")
    if baseline and name in baseline and "queries" in r and (is_page(name) or name in SCALED):
        other = baseline[name].get("queries")
        if other is not None and other != r["queries"]:
            parts.append(f"**queries differ from quick** ({r['queries']} vs {other})")
    return "; ".join(parts)


def benchmarks_table(run: dict, baseline_run: dict | None) -> list[str]:
    baseline = (baseline_run or {}).get("benchmarks", {})
    quick = bool(baseline)
    lines = [
        "| benchmark | median ms | p95 ms | p99 ms | runs | queries"
        + (" | queries (quick)" if quick else "")
        + " | load | goal |",
        "|---|---:|---:|---:|---:|---:|" + ("---:|" if quick else "") + "---:|---|",
    ]
    for name, r in run.get("benchmarks", {}).items():
        if r.get("not_available"):
            lines.append(f"| {name} | not available | | | | |" + (" |" if quick else "") + " | |")
            continue
        row = (
            f"| {name} | {number(r['median_ms'])} | {number(r['p95_ms'])} "
            f"| {number(r.get('p99_ms'))} | {r['runs']} | {r.get('queries', '–')}"
        )
        if quick:
            row += f" | {baseline.get(name, {}).get('queries', '–')}"
        row += f" | {r.get('load_1m', '–')} | {page_goal(name, r, baseline)} |"
        lines.append(row)
    return lines


def report_lines(run: dict) -> list[str]:
    check = run.get("report_check")
    if not check:
        return []
    bench = run.get("benchmarks", {})
    app = next((r for n, r in bench.items() if n.startswith("report: figures")), {})
    sql = next((r for n, r in bench.items() if n.startswith("report: the same figures")), {})
    ratio = check.get("figures_over_sql")
    return [
        "| | figures (`report_figures`) | hand-written SQL |",
        "|---|---:|---:|",
        f"| median / p95 ms | {number(app.get('median_ms'))} / {number(app.get('p95_ms'))} "
        f"| {number(sql.get('median_ms'))} / {number(sql.get('p95_ms'))} |",
        f"| allocation-month lines | {check['lines']:,} | {check['lines_sql']:,} |",
        f"| total (cents) | {check['total_cents']:,} | {check['total_cents_sql']:,} |",
        f"| annex lines | {check['annex_lines']:,} | {check['annex_lines_sql']:,} |",
        f"| annex value (cents) | {check['annex_cents']:,} | {check['annex_cents_sql']:,} |",
        "",
        f"Equal line by line: **{'yes' if check['equal'] else 'NO'}**"
        + ("" if check["equal"] else f" (e.g. {check['examples'] + check['annex_examples']})")
        + f". Figures ÷ SQL (medians): {ratio}: {verdict(ratio, REPORT_OVER_SQL)}"
        f" (goal: within {REPORT_OVER_SQL:g}×).",
    ]


def pdf_lines(run: dict) -> list[str]:
    pdf = run.get("pdf")
    if not pdf:
        return []
    lines = [
        "| renderer | rows | pages | seconds (median of each rendering) | ms per row "
        "| peak RSS MB | goal |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for mode, r in pdf["renderers"].items():
        name = "the report (`render_pdf`)" if mode == "app" else "one plain table, same rows"
        goal = f"peak {verdict(r['peak_rss_mb'], PDF_PEAK_MB, unit=' MB')}" if mode == "app" else ""
        lines.append(
            f"| {name} | {r['rows']:,} | {r['pages']} | {r['median_s']} "
            f"({', '.join(str(s) for s in r['seconds'])}) | {r['ms_per_row']} "
            f"| {r['peak_rss_mb']} | {goal} |"
        )
    ratio = pdf["app_over_plain_per_row"]
    lines += [
        "",
        f"Interleaved in one process ({', '.join(pdf['order'])}). Per row, the report ÷ the "
        f"plain table: {ratio}: {verdict(ratio, PDF_PER_ROW_OVER_PLAIN, at_most=True)} "
        "(goal: no slower per row).",
    ]
    return lines


def load_lines(load: dict | None) -> list[str]:
    if not load:
        return []
    cpu = load["cpu"]
    lines = [
        f"{sum(load['people'].values())} people ({load['people']}) on "
        f"{load.get('accounts', '?')} accounts, 5–30 s between clicks, "
        f"{load['measured_s']} s measured after a login phase of {load['login_phase_s']} s; "
        f"gunicorn {load['gunicorn']}. CPU over the measured phase: the machine "
        f"{cpu['machine_busy_share']:.0%} busy, the application (gunicorn and PostgreSQL) "
        f"{cpu['application_share_of_cores']:.0%} of the {cpu['cores']} cores.",
        "",
        "| request | requests | errors | req/s | median ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [*load["per_request"].items(), ("**all pages** (no logins)", load["pages"])]
    rows.append(("logins (login phase, apart)", load["logins"]))
    for name, r in rows:
        lines.append(
            f"| {name} | {r['requests']:,} | {r['errors']} | {r['rps']} | {number(r['median_ms'])} "
            f"| {number(r['p95_ms'])} | {number(r['p99_ms'])} | {number(r['max_ms'])} |"
        )
    pages = load["pages"]
    errors = pages["errors"] + load["login_failures"] + load["server_errors_logged"]
    lines += [
        "",
        f"Errors: {pages['errors']} on pages, {load['login_failures']} failed logins, "
        f"{load['server_errors_logged']} server tracebacks: "
        + ("met" if errors == 0 else "**missed**")
        + f". Pages' p95: {verdict(pages['p95_ms'], LOAD_P95_MS, unit=' ms')}.",
    ]
    return lines


def index_lines(data: dict | None) -> list[str]:
    """bench/indexes.py: each index the pages read, with its queries with and without it."""
    if not data:
        return []

    def side(r: dict) -> str:
        scans = "; ".join(r["reads_table_by"])
        return f"{number(r['execution_ms'])} ms, {r['buffers']:,} buffers, {scans}"

    lines = [
        "| index | the page (query) | with the index | without it (dropped, rolled back) |",
        "|---|---|---|---|",
    ]
    for item in data["used"]:
        for compared in item["compared"]:
            query = " ".join(compared["query"].split())[:90].replace("|", "\\|")
            lines.append(
                f"| `{item['index']}` ({item['table']}) | {compared['page']} (`{query}…`) "
                f"| {side(compared['with'])} | {side(compared['without'])} |"
            )
    unused = data.get("not_used_by_the_pages", [])
    if unused:
        lines += [
            "",
            f"{len(unused):,} other indexes kept for speed were read by none of these pages "
            "(mostly the foreign keys' own, for deletes, the admin and the other pages); "
            "`indexes-<label>.json` names them.",
        ]
    return lines


def provenance_lines(parts: dict[str, dict | None]) -> list[str]:
    """Which commit and when, per part; a warning when the parts are not of one clean commit."""
    lines = [
        "| part | date (UTC) | commit | local changes | load before → after |",
        "|---|---|---|---|---|",
    ]
    commits = set()
    for name, data in parts.items():
        if not data:
            continue
        commit = str(data.get("commit", "–"))
        commits.add(commit.split("+")[0][:7])
        load = f"{data.get('load_before', '–')} → {data.get('load_after', '–')}"
        dirty = "yes" if data.get("dirty") or commit.endswith("+dirty") else "no"
        short = commit.split("+")[0][:10]
        lines.append(f"| {name} | {data.get('date', '–')} | {short} | {dirty} | {load} |")
    if len(commits) > 1:
        lines += ["", f"**Warning: the parts are of different commits ({sorted(commits)}).**"]
    if any(data and data.get("dirty") for data in parts.values()):
        lines += ["", "**Warning: the code had local changes when it was measured.**"]
    return lines


def machine_lines(run: dict) -> list[str]:
    m = run.get("machine", {})
    settings = m.get("postgresql_settings", {})
    scale = (run.get("scale") or {}).get("scale") or {}
    return [
        f"- machine: {m.get('cpu', '?')}, {m.get('cpus', '?')} cores, "
        f"{m.get('memory_gb', '?')} GB; Python {m.get('python', '?')}",
        f"- PostgreSQL {m.get('postgresql', '?')}: "
        + ", ".join(f"{k} {v}" for k, v in settings.items() if k != "server_version"),
        f"- data set: {json.dumps(scale)}; database {number(m.get('database_size_bytes'))} bytes",
        f"- runs per benchmark: {run.get('runs_per_benchmark', '?')}",
    ]


def render(folder: Path, label: str, baseline: str | None) -> str:
    def read(name: str) -> dict | None:
        path = folder / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    run = read(f"{label}.json") or {}
    base = read(f"{baseline}.json") if baseline else None
    load = read(f"loadtest-{label}.json")
    declarations = read(f"declarations-{label}.json")
    indexes = read(f"indexes-{label}.json")
    out = [f"## Figures of one run ({label})", ""]
    out += provenance_lines(
        {
            "benchmarks": run,
            f"benchmarks at {baseline}": base,
            "load test": load,
            "declarations": declarations,
            "indexes": indexes,
            **{
                f"restore drill ({path.stem.removeprefix('restore-drill-')})": read(path.name)
                for path in sorted(folder.glob("restore-drill-*.json"))
            },
        }
    )
    out += ["", *machine_lines(run), ""]
    out += ["### Pages, API, logging, services", "", *benchmarks_table(run, base), ""]
    share = run.get("activities_by_funding_status")
    if share:
        out += [
            "Activities by funding status in the data set (all; last 90 days): "
            + "; ".join(
                f"{status} {v['share']:.0%} ({v['share_last_90_days']:.0%})"
                for status, v in share.items()
            ),
            "",
        ]
    out += ["### The report against hand-written SQL", "", *report_lines(run), ""]
    out += ["### The PDF against a plain table", "", *pdf_lines(run), ""]
    out += ["### Load test", "", *load_lines(load), ""]
    if indexes:
        out += ["### Indexes: each page's queries with and without", "", *index_lines(indexes), ""]
    if declarations:
        d = declarations
        out += [
            "### Declarations",
            "",
            f"{d.get('runs')} declarations, {number(d.get('lines'))} lines in "
            f"{d.get('total_s')} s, peak RSS {d.get('max_rss_mb')} MB: "
            + ("met" if d.get("goal_met") else "**missed**")
            + f" (goal {d.get('goal')}).",
            "",
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=None, help="default: $BENCH_RESULTS")
    parser.add_argument("--label", default="default")
    parser.add_argument("--baseline", default=None, help="the quick scale's label in the folder")
    args = parser.parse_args(argv)
    folder = args.folder or Path(os.environ.get("BENCH_RESULTS") or "bench/results")
    text = render(folder, args.label, args.baseline)
    (folder / f"report-{args.label}.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
