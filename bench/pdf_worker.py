"""Render one funder's report as PDF in a process of its own, and say how long and how big.

    python -m bench.pdf_worker --db DB --organisation ID --funder ID --start D --end D --mode app
    python -m bench.pdf_worker ... --mode plain

``app`` renders the report as the application does (apps.reports.render.render_pdf); ``plain``
renders the same rows (every allocation month and every unfunded line) as one plain HTML table
with WeasyPrint, the baseline the report is compared with. The figures are computed first and
not timed. Prints one JSON object: seconds, pages, pages per second, bytes, and the process's
peak memory (ru_maxrss) before and after rendering.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--organisation", type=int, required=True)
    parser.add_argument("--funder", type=int, required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--mode", choices=["app", "plain"], required=True)
    args = parser.parse_args()
    django_setup(args.db)

    from django.utils import translation
    from pypdf import PdfReader

    from apps.accounts.models import Organisation
    from apps.funding.models import Funder
    from apps.reports.selectors import report_figures

    with translation.override("nl"):
        figures = report_figures(
            organisation=Organisation.objects.get(pk=args.organisation),
            funder=Funder.objects.get(pk=args.funder),
            period_start=args.start,
            period_end=args.end,
        )
        before = peak_mb()
        if args.mode == "app":
            from apps.reports.render import render_pdf

            rows = sum(len(b.months) for b in figures.allocations) + len(figures.unfunded)
            started = time.perf_counter()
            pdf = render_pdf(figures, generated_by="bench")
            seconds = time.perf_counter() - started
        else:
            from weasyprint import HTML

            html, rows = plain_html(figures)
            started = time.perf_counter()
            pdf = HTML(string=html).write_pdf()
            seconds = time.perf_counter() - started
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        json.dumps(
            {
                "mode": args.mode,
                "rows": rows,
                "allocations": len(figures.allocations),
                "seconds": round(seconds, 2),
                "pages": pages,
                "pages_per_second": round(pages / seconds, 2),
                "seconds_per_page": round(seconds / pages, 4),
                "bytes": len(pdf),
                "peak_rss_mb_before_render": before,
                "peak_rss_mb": peak_mb(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
