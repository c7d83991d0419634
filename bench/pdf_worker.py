"""The report's PDF against one plain WeasyPrint table of the same rows, per row, interleaved
in one process, with the peak memory of each.

    python -m bench.pdf_worker --db DB --organisation ID --funder ID --start D --end D --rounds 3

The figures are computed first and not timed. Then, in this one process, the two renderers
take turns, in the order app, plain, plain, app, app, plain, ... (so that a drift of the
machine's load weighs on both alike): ``app`` is the report as the application renders it
(apps.reports.render.render_pdf), ``plain`` every allocation month and every unfunded line as
one plain HTML table. Each rendering's peak resident memory is sampled from /proc every 10 ms
by a thread (the process's ``ru_maxrss`` only ever grows, so it cannot tell the two apart).
Prints one JSON object: per renderer the rows, pages, seconds per rendering, seconds per row
(median over the rounds) and the peak RSS.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import sys
import threading
import time
from datetime import date
from html import escape

from bench.common import django_setup

PLAIN_CSS = """
@page { size: A4; margin: 15mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 0.5pt solid #999; padding: 1pt 3pt; text-align: left; }
thead { display: table-header-group; }
"""


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE / 1024 / 1024


class PeakRss:
    """The highest resident memory of this process while the block runs (sampled)."""

    def __enter__(self) -> PeakRss:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = round(max(self.peak, rss_mb()), 1)


def plain_html(figures) -> tuple[str, int]:
    """One table of the report's rows, nothing else."""
    rows = []
    for block in figures.allocations:
        for line in block.months:
            rows.append(
                (
                    block.number,
                    block.client.as_text(),
                    block.product_code,
                    line.month.strftime("%Y-%m"),
                    str(line.units),
                    str(line.amount_cents),
                )
            )
    for line in figures.unfunded:
        rows.append(
            (
                "",
                line.client.as_text(),
                line.product_code,
                line.date.isoformat(),
                str(line.duration_minutes or line.units or ""),
                str(line.value_cents),
            )
        )
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    head = "".join(
        f"<th>{name}</th>"
        for name in ("Allocation", "Client", "Product", "Month", "Units", "Amount (cents)")
    )
    html = (
        f"<html><head><meta charset='utf-8'><style>{PLAIN_CSS}</style></head><body>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )
    return html, len(rows)


def order(rounds: int) -> list[str]:
    """app, plain, plain, app, app, plain, ...: each renderer as often first as second."""
    pairs = [("app", "plain") if n % 2 == 0 else ("plain", "app") for n in range(rounds)]
    return [mode for pair in pairs for mode in pair]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--organisation", type=int, required=True)
    parser.add_argument("--funder", type=int, required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--rounds", type=int, default=3, help="renderings of each")
    args = parser.parse_args()
    django_setup(args.db)

    import gc

    from django.utils import translation
    from pypdf import PdfReader
    from weasyprint import HTML

    from apps.accounts.models import Organisation
    from apps.funding.models import Funder
    from apps.reports.render import render_pdf
    from apps.reports.selectors import report_figures

    results: dict[str, dict] = {}
    with translation.override("nl"):
        figures = report_figures(
            organisation=Organisation.objects.get(pk=args.organisation),
            funder=Funder.objects.get(pk=args.funder),
            period_start=args.start,
            period_end=args.end,
        )
        html, plain_rows = plain_html(figures)
        app_rows = sum(len(b.months) for b in figures.allocations) + len(figures.unfunded)
        renderers = {
            "app": (app_rows, lambda: render_pdf(figures, generated_by="bench")),
            "plain": (plain_rows, lambda: HTML(string=html).write_pdf()),
        }
        baseline = round(rss_mb(), 1)
        for mode in order(args.rounds):
            rows, render = renderers[mode]
            gc.collect()
            with PeakRss() as memory:
                started = time.perf_counter()
                pdf = render()
                seconds = time.perf_counter() - started
            entry = results.setdefault(
                mode,
                {"mode": mode, "rows": rows, "seconds": [], "peak_rss_mb": 0.0, "bytes": len(pdf)},
            )
            entry["seconds"].append(round(seconds, 3))
            entry["peak_rss_mb"] = max(entry["peak_rss_mb"], memory.peak)
            entry["pages"] = len(PdfReader(io.BytesIO(pdf)).pages)
            del pdf
    for entry in results.values():
        median = statistics.median(entry["seconds"])
        entry.update(
            median_s=round(median, 3),
            ms_per_row=round(median * 1000 / entry["rows"], 3),
            ms_per_page=round(median * 1000 / entry["pages"], 1),
            rows_per_page=round(entry["rows"] / entry["pages"], 1),
        )
    print(
        json.dumps(
            {
                "allocations": len(figures.allocations),
                "rounds": args.rounds,
                "order": order(args.rounds),
                "rss_mb_before_rendering": baseline,
                "ru_maxrss_mb": peak_mb(),
                "renderers": results,
                "app_over_plain_per_row": round(
                    results["app"]["ms_per_row"] / results["plain"]["ms_per_row"], 2
                ),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
