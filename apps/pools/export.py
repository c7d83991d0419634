"""A funder's share of a pool as CSV (for spreadsheets) and PDF (for people), like the
funders' reports (apps.reports.render): the same amounts, cents written out exactly, the
same CSV writer against formula injection, a PDF renderer that fetches nothing."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, gettext_lazy
from weasyprint import CSS, HTML

from apps.core.csv_export import CsvWriter
from apps.reports.render import RefusingURLFetcher, euros, format_amount

from .selectors import FunderReport, Settlement

IDENTIFICATION_LEGEND = gettext_lazy(
    "Clients are identified as the funder's own regime identifies them: by BSN and the "
    "funder's legal basis for the client (its allocation number, the referral or the TLV "
    "number). Names are never shown."
)


def _month(value) -> str:
    return formats.date_format(value, "M Y")


def _bases(line) -> str:
    return ", ".join(f"{basis.get_kind_display()} {basis.reference}" for basis in line.bases)


def render_funder_csv(report: FunderReport, settlement: Settlement | None) -> bytes:
    """The funder's share per month and client, then the year's settlement (Dutch CSV)."""
    stream = io.StringIO()
    writer = CsvWriter(stream, delimiter=";")
    writer.writerow([gettext("Pooled budget"), report.pool.name])
    writer.writerow([gettext("Funder"), report.funder.name, report.funder.code])
    writer.writerow([gettext("legend"), str(IDENTIFICATION_LEGEND)])
    writer.writerow(
        [
            gettext("Month"),
            gettext("BSN"),
            gettext("Legal basis"),
            gettext("Amount (EUR)"),
        ]
    )
    for month in report.months:
        for line in month.clients:
            writer.writerow(
                [month.month.strftime("%Y-%m"), line.bsn, _bases(line), _comma(line.cents)]
            )
        writer.writerow(
            [month.month.strftime("%Y-%m"), gettext("total of the month"), "", _comma(month.cents)]
        )
    writer.writerow([gettext("total"), "", "", _comma(report.total_cents)])
    if settlement is not None:
        for line in settlement.lines:
            if line.funder.pk == report.funder.pk:
                writer.writerow([gettext("Settlement"), settlement.year])
                writer.writerow([gettext("Share of the year's cost"), _comma(line.owed_cents)])
                writer.writerow([gettext("Paid in for the year"), _comma(line.paid_cents)])
                # The balance as an amount and its direction: a negative amount would start
                # with "-", which the writer neutralises as a formula (text, not a number).
                writer.writerow(
                    [gettext("Balance"), _comma(abs(line.balance_cents)), _direction(line)]
                )
        if settlement.unattributed_cents:
            writer.writerow([gettext("No funder"), _comma(settlement.unattributed_cents)])
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


def _direction(line) -> str:
    if line.balance_cents > 0:
        return gettext("the pool pays back")
    if line.balance_cents < 0:
        return gettext("the funder pays more")
    return gettext("settled")


def _comma(cents: int) -> str:
    return f"{euros(cents):f}".replace(".", ",")


def render_funder_pdf(
    report: FunderReport, settlement: Settlement | None, *, generated_by: str
) -> bytes:
    """The funder's share as an A4 PDF in the active language."""
    line = None
    if settlement is not None:
        line = next((row for row in settlement.lines if row.funder.pk == report.funder.pk), None)
    html = render_to_string(
        "pools/funder_export_pdf.html",
        {
            "language": get_language(),
            "report": report,
            "legend": str(IDENTIFICATION_LEGEND),
            "months": [
                {
                    "label": _month(month.month),
                    "total": format_amount(month.cents),
                    "clients": [
                        {"bsn": row.bsn, "bases": _bases(row), "amount": format_amount(row.cents)}
                        for row in month.clients
                    ],
                }
                for month in report.months
            ],
            "total": format_amount(report.total_cents),
            "settlement": settlement,
            "line": line,
            "owed": format_amount(line.owed_cents) if line else "",
            "paid": format_amount(line.paid_cents) if line else "",
            "balance": format_amount(line.balance_cents) if line else "",
            "generated_at": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
            "generated_by": generated_by,
        },
    )
    fetcher = RefusingURLFetcher()
    stylesheet = CSS(string=render_to_string("reports/report_pdf.css"), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(stylesheets=[stylesheet])
