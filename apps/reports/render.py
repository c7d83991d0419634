"""Render a funder's report from its figures: CSV for spreadsheets, PDF for people.

Both formats take one ``ReportFigures`` (apps.reports.selectors.report_figures) and compute
nothing of their own: every amount is the figures' integer cents, written out exactly.

The PDF is laid out by WeasyPrint, which is slow on long multi-page tables. A large report is
therefore rendered in parts (the summary, then the allocations in chunks of
``ALLOCATIONS_PER_PART``, then the annex in chunks of ``UNFUNDED_LINES_PER_PART``), each part
to its own ``Document``, and the pages are joined into one PDF. Each part is laid out once,
without "page X of Y": the total is known only when the last part is done. Then a document of
as many empty pages, with the same page style and only "page X of Y" in its margin, is laid
out (cheap: nothing else is on it) and pypdf stamps its pages onto the report's. A report
that fits in one part is rendered once, with ``counter(pages)``.

WeasyPrint fetches nothing: every URL (file, http(s), data, ...) is refused, and the
templates reference no external resource (system fonts, inline SVG for the chart).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, gettext_lazy
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetchingError

from apps.core.csv_export import CsvWriter
from apps.funding.models import Unit

from .models import ReportFormat
from .selectors import AllocationBlock, ReportFigures, UnfundedLine

ALLOCATIONS_PER_PART = 120  # measured: splitting keeps the peak memory bounded
# An allocation's months are one row of the PDF's table, its months, units and amounts one line
# each in their cells (far fewer boxes for WeasyPrint to style and lay out than a row per
# month); a row is never split over two pages. An allocation of more months than this takes a
# row per twelve months, each naming it again: a page (about 60 lines) breaks between them.
MONTHS_IN_A_ROW = 12
UNFUNDED_LINES_PER_PART = 200

ProgressCallback = Callable[[int], None]


# --- numbers -------------------------------------------------------------------------------


def euros(cents: int) -> Decimal:
    """Integer cents as an exact Decimal in euros with two decimals (no float on the way)."""
    return Decimal(cents).scaleb(-2)


def units_rounded(units: Decimal) -> Decimal:
    """Units as the report shows them: two decimals, up to four where two are not exact.

    Units of an hour, day part or etmaal are minutes divided by 60, 240 or 1440, so they can
    repeat (50 minutes = 0.8333… hours); four decimals are then rounded half up. Amounts are
    computed from the exact units by the selector, never from these.
    """
    two = units.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if two == units:
        return two
    four = units.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    for places in (Decimal("0.01"), Decimal("0.001")):  # 0.1250 -> 0.125, 1.0000 -> 1.00
        if (shorter := four.quantize(places)) == four:
            return shorter
    return four


def _plain(value: Decimal, *, point: str) -> str:
    """A Decimal without grouping or exponent, with the given decimal point."""
    return f"{value:f}".replace(".", point)


def format_amount(cents: int) -> str:
    """An amount for people in the active language, e.g. 1.234,50 (nl) or 1,234.50 (en)."""
    return formats.number_format(euros(cents), decimal_pos=2, use_l10n=True, force_grouping=True)


def format_units(units: Decimal | int) -> str:
    """Units for people in the active language, e.g. 12,75 or 1.965,00 (nl)."""
    value = units_rounded(Decimal(units))
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _date(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _month(value: date) -> str:
    return formats.date_format(value, "M Y")


# --- CSV -----------------------------------------------------------------------------------

CSV_DIALECTS = {"nl": (";", ","), "comma": (",", ".")}

CSV_COLUMNS = (
    gettext_lazy("Row type"),
    gettext_lazy("Funding stream"),
    gettext_lazy("Contract"),
    gettext_lazy("Product code"),
    gettext_lazy("Product description"),
    gettext_lazy("Unit"),
    gettext_lazy("Tariff (EUR)"),
    gettext_lazy("Clients"),
    gettext_lazy("Allocation number"),
    gettext_lazy("Client identification"),
    gettext_lazy("Activity"),
    gettext_lazy("Month or date"),
    gettext_lazy("Units"),
    gettext_lazy("Amount (EUR)"),
    gettext_lazy("Reason"),
)

# How the report names clients: what the funder's declaration carries, and for a shielded
# client the BSN only. The PDF shows it under the summary, the CSV above its totals.
CLIENT_IDENTIFICATION_LEGEND = gettext_lazy(
    "Clients are identified as in the funder's declarations: by BSN, initials and date of birth "
    "(Jeugdwet, Wmo), otherwise by client number and initials. A shielded client appears by "
    "BSN only (by client number when it has none): no name, initials or date of birth."
)

# The first column's values, so that a spreadsheet user can filter on the kind of row.
ROW_LEGEND = gettext_lazy("legend")
ROW_SUMMARY = gettext_lazy("summary")
ROW_ALLOCATION_MONTH = gettext_lazy("allocation month")
ROW_UNFUNDED = gettext_lazy("unfunded")
ROW_TOTAL = gettext_lazy("total")
ROW_UNFUNDED_TOTAL = gettext_lazy("total unfunded (annex)")


def render_csv(figures: ReportFigures, *, dialect: str = "nl") -> bytes:
    """The report as one CSV table, UTF-8 with a byte order mark (for Excel).

    ``dialect`` "nl": semicolons and a decimal comma; "comma": commas and a decimal point.
    The first column names the row type (summary, allocation month, unfunded, total), so a
    spreadsheet can filter; amounts are euros written exactly from the figures' cents.
    """
    try:
        delimiter, point = CSV_DIALECTS[dialect]
    except KeyError:
        raise ValueError(f"Unknown CSV dialect {dialect!r}") from None

    def amount(cents: int) -> str:
        return _plain(euros(cents), point=point)

    def units(value: Decimal | int) -> str:
        return _plain(units_rounded(Decimal(value)), point=point)

    buffer = io.StringIO()
    writer = CsvWriter(buffer, delimiter=delimiter)  # neutralises formulas in every cell
    writer.writerow([str(column) for column in CSV_COLUMNS])
    for line in figures.summary:
        writer.writerow(
            [
                str(ROW_SUMMARY),
                line.stream,
                line.contract_reference,
                line.product_code,
                line.product_description,
                line.unit_label,
                amount(line.tariff_cents),
                line.clients,
                "",
                "",
                "",
                "",
                units(line.units),
                amount(line.amount_cents),
                "",
            ]
        )
    for block in figures.allocations:
        for month in block.months:
            writer.writerow(
                [
                    str(ROW_ALLOCATION_MONTH),
                    block.stream,
                    block.contract_reference,
                    block.product_code,
                    block.product_description,
                    block.unit_label,
                    amount(block.tariff_cents),
                    "",
                    block.number,
                    block.client.as_text(),
                    "",
                    month.month.strftime("%Y-%m"),
                    units(month.units),
                    amount(month.amount_cents),
                    "",
                ]
            )
    for line in figures.unfunded:
        quantity, unit_label = _unfunded_quantity(line)
        writer.writerow(
            [
                str(ROW_UNFUNDED),
                "",
                "",
                line.product_code,
                "",
                unit_label,
                "",
                "",
                "",
                line.client.as_text(),
                line.kind,
                line.date.isoformat(),
                units(quantity) if quantity is not None else "",
                amount(line.value_cents),
                line.reason,
            ]
        )
    # How clients are named, in the "Client identification" column; the totals stay last.
    writer.writerow([str(ROW_LEGEND), *[""] * 8, str(CLIENT_IDENTIFICATION_LEGEND), *[""] * 5])
    empty = [""] * (len(CSV_COLUMNS) - 3)  # between the row type and the amount
    writer.writerow([str(ROW_TOTAL), *empty, amount(figures.total_cents), ""])
    writer.writerow([str(ROW_UNFUNDED_TOTAL), *empty, amount(figures.unfunded_cents), ""])
    return buffer.getvalue().encode("utf-8-sig")


def _unfunded_quantity(line: UnfundedLine) -> tuple[int | None, str]:
    """An unfunded activity's size: its minutes, or its count of items or euros."""
    if line.duration_minutes is not None:
        return line.duration_minutes, str(Unit.MINUTE.label)
    return line.units, ""


# --- PDF: fetching nothing -----------------------------------------------------------------


class RefusingURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that fetches nothing: every URL is refused with an error.

    A report holds special-category data and is rendered on the server: a template (or a
    value in it) must never make the renderer read a local file or call out to the network.
    WeasyPrint logs the refusal and leaves the resource out.
    """

    def fetch(self, url: str, headers: dict | None = None) -> None:
        raise URLFetchingError(f"Report rendering fetches no resources; refused {url[:200]!r}")


# --- PDF: what the template shows ----------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One separately rendered piece of the PDF."""

    front: bool = False
    allocations: Sequence[AllocationBlock] = ()
    allocations_start: bool = False
    unfunded: Sequence[UnfundedLine] = ()
    annex_start: bool = False
    annex_end: bool = False


def _chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[index : index + size] for index in range(0, len(items), size)]


def _parts(figures: ReportFigures) -> list[_Part]:
    """Cut the report at its sections (each starts on a new page) and in chunks."""
    allocations, unfunded = figures.allocations, figures.unfunded
    if len(allocations) <= ALLOCATIONS_PER_PART and len(unfunded) <= UNFUNDED_LINES_PER_PART:
        return [
            _Part(
                front=True,
                allocations=allocations,
                allocations_start=True,
                unfunded=unfunded,
                annex_start=True,
                annex_end=True,
            )
        ]
    parts = [_Part(front=True)]
    for index, chunk in enumerate(_chunks(allocations, ALLOCATIONS_PER_PART) or [[]]):
        parts.append(_Part(allocations=chunk, allocations_start=index == 0))
    annex_chunks = _chunks(unfunded, UNFUNDED_LINES_PER_PART) or [[]]
    for index, chunk in enumerate(annex_chunks):
        parts.append(
            _Part(
                unfunded=chunk,
                annex_start=index == 0,
                annex_end=index == len(annex_chunks) - 1,
            )
        )
    return parts


def _allocation_view(block: AllocationBlock) -> dict:
    return {
        "number": block.number,
        "client": block.client.as_text(),
        "product_code": block.product_code,
        "variant": block.variant,
        "unit": block.unit_label,
        "tariff": format_amount(block.tariff_cents),
        "rows": _allocation_rows(block),
    }


def _allocation_rows(block: AllocationBlock) -> list[dict]:
    """The allocation's rows of the PDF's table: its months in rows of ``MONTHS_IN_A_ROW``, one
    line per month in each cell (they keep the line breaks: ``white-space: pre``), the
    allocation's total on the line of its last month."""
    rows = []
    for start in range(0, len(block.months), MONTHS_IN_A_ROW):
        chunk = block.months[start : start + MONTHS_IN_A_ROW]
        last = start + MONTHS_IN_A_ROW >= len(block.months)
        rows.append(
            {
                "first": start == 0,
                "months": "\n".join(_month(line.month) for line in chunk),
                "units": "\n".join(format_units(line.units) for line in chunk),
                "amounts": "\n".join(format_amount(line.amount_cents) for line in chunk),
                "total": "\n" * (len(chunk) - 1) + format_amount(block.amount_cents)
                if last
                else "",
            }
        )
    return rows


def _unfunded_view(line: UnfundedLine) -> dict:
    quantity, _unit = _unfunded_quantity(line)
    if line.duration_minutes is not None:
        size = gettext("%(minutes)s min") % {"minutes": line.duration_minutes}
    else:
        size = format_units(quantity) if quantity is not None else ""
    return {
        "date": _date(line.date),
        "client": line.client.as_text(),
        "kind": line.kind,
        "size": size,
        "product_code": line.product_code,
        "value": format_amount(line.value_cents),
        "reason": line.reason,
    }


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10^k (whole numbers) that is at least ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = int(step * magnitude)
        if candidate >= value:
            return candidate
    return 10 * magnitude  # pragma: no cover (the loop ends at 10 × magnitude)


def _svg_number(value: float) -> str:
    """A coordinate for the SVG, never localised (a decimal comma would break it)."""
    return f"{value:.2f}"


def _chart(monthly_cents: Sequence[tuple[date, int]]) -> dict | None:
    """Geometry of the monthly bar chart, drawn by the template as inline SVG (in pt)."""
    if not monthly_cents:
        return None
    width, height, left, right, top, bottom = 510, 190, 58, 6, 16, 30
    plot_width, plot_height = width - left - right, height - top - bottom
    top_euros = _nice_ceiling(math.ceil(max(cents for _month, cents in monthly_cents) / 100))
    ticks = [
        {
            "y": _svg_number(top + plot_height - plot_height * step / 4),
            "label": formats.number_format(
                Decimal(top_euros * step) / 4, decimal_pos=0, use_l10n=True, force_grouping=True
            ),
        }
        for step in range(5)
    ]
    count = len(monthly_cents)
    slot = plot_width / count
    label_every = max(1, math.ceil(count / 12))
    bars = []
    for index, (month, cents) in enumerate(monthly_cents):
        bar_height = plot_height * cents / (top_euros * 100)
        x = left + index * slot
        bars.append(
            {
                "x": _svg_number(x + slot * 0.15),
                "y": _svg_number(top + plot_height - bar_height),
                "width": _svg_number(slot * 0.7),
                "height": _svg_number(bar_height),
                "center": _svg_number(x + slot / 2),
                "month": _month(month) if index % label_every == 0 else "",
                "value": format_amount(cents) if count <= 12 else "",
                "value_y": _svg_number(top + plot_height - bar_height - 3),
            }
        )
    return {
        "width": _svg_number(width),
        "height": _svg_number(height),
        "left": _svg_number(left),
        "tick_x": _svg_number(left - 4),
        "right": _svg_number(width - right),
        "baseline": _svg_number(top + plot_height),
        "label_y": _svg_number(top + plot_height + 13),
        "ticks": ticks,
        "bars": bars,
    }


def _generated_at(value: object) -> str:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    return str(value)


def _context(figures: ReportFigures, *, generated_by: str) -> dict:
    period = gettext("%(start)s to %(end)s") % {
        "start": formats.date_format(figures.period_start, "DATE_FORMAT"),
        "end": formats.date_format(figures.period_end, "DATE_FORMAT"),
    }
    return {
        "language": get_language() or "en",
        "title": gettext("Report for %(funder)s, %(period)s")
        % {"funder": figures.funder_name, "period": period},
        "figures": figures,
        "period": period,
        "generated_at": _generated_at(figures.generated_at),
        "generated_by": generated_by,
        "summary": [
            {
                "stream": line.stream,
                "contract": line.contract_reference,
                "product_code": line.product_code,
                "product_description": line.product_description,
                "unit": line.unit_label,
                "tariff": format_amount(line.tariff_cents),
                "clients": line.clients,
                "units": format_units(line.units),
                "amount": format_amount(line.amount_cents),
            }
            for line in figures.summary
        ],
        "total": format_amount(figures.total_cents),
        "unfunded_total": format_amount(figures.unfunded_cents),
        "has_allocations": bool(figures.allocations),
        "has_unfunded": bool(figures.unfunded),
        "identification_legend": CLIENT_IDENTIFICATION_LEGEND,
        "chart": _chart(figures.monthly_cents),
    }


# --- PDF: page furniture -------------------------------------------------------------------


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string; quotes, backslashes, ``<`` and controls escaped."""
    escaped = "".join(
        f"\\{ord(char):06x}" if char in '"\\<>&' or ord(char) < 32 or ord(char) == 127 else char
        for char in text
    )
    return f'"{escaped}"'


def _page_number_content(total: int | None) -> str:
    """The CSS ``content`` of "page X of Y": X a counter, Y a literal or counter(pages)."""
    number, of_total = "\x00number\x00", "\x00total\x00"
    text = gettext("Page %(number)s of %(total)s") % {"number": number, "total": of_total}
    tokens = []
    for piece in re.split(f"({re.escape(number)}|{re.escape(of_total)})", text):
        if piece == number:
            tokens.append("counter(page)")
        elif piece == of_total:
            tokens.append("counter(pages)" if total is None else _css_string(str(total)))
        elif piece:
            tokens.append(_css_string(piece))
    return " ".join(tokens)


def _page_css(figures: ReportFigures, *, numbered: bool) -> str:
    """The translated margin texts; "page X of Y" only where ``numbered``."""
    mark = gettext("Confidential – special category personal data")
    running = f"{figures.organisation_name} · {figures.funder_name} ({figures.funder_code})"
    number = _page_number_content(None) if numbered else "none"
    return (
        "@page {"
        f" @top-center {{ content: {_css_string(mark)} }}"
        f" @bottom-left {{ content: {_css_string(running)} }}"
        f" @bottom-right {{ content: {number} }}"
        " }"
    )


def _page_number_css() -> str:
    """The stamp pages' margin: "page X of Y" and nothing else."""
    return (
        "@page {"
        " @top-center { content: none }"
        " @bottom-left { content: none }"
        f" @bottom-right {{ content: {_page_number_content(None)} }}"
        " }"
    )


# --- PDF: rendering ------------------------------------------------------------------------


class _Progress:
    """Reports whole percentages to the callback, only when they grow."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self.last = -1

    def __call__(self, percent: float) -> None:
        value = max(0, min(100, int(percent)))
        if self.callback is not None and value > self.last:
            self.last = value
            self.callback(value)


class _Renderer:
    def __init__(self, figures: ReportFigures, *, generated_by: str) -> None:
        self.figures = figures
        self.context = _context(figures, generated_by=generated_by)
        self.fetcher = RefusingURLFetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            string=render_to_string("reports/report_pdf.css"),
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )

    def html(self, part: _Part) -> str:
        context = dict(self.context)
        context.update(
            part=part,
            allocations=[_allocation_view(block) for block in part.allocations],
            unfunded=[_unfunded_view(line) for line in part.unfunded],
        )
        return render_to_string("reports/report_pdf.html", context)

    def document(self, html: str, *, numbered: bool = True, page_css: str | None = None):
        page_css = CSS(
            string=page_css or _page_css(self.figures, numbered=numbered),
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )
        return HTML(string=html, url_fetcher=self.fetcher, base_url=None).render(
            stylesheets=[self.stylesheet, page_css], font_config=self.font_config
        )

    def page_numbers(self, total: int) -> bytes:
        """``total`` empty pages in the report's page style with "page X of Y" alone."""
        blank = '<div style="break-after: page"></div>' * (total - 1) + "<div></div>"
        html = f'<!DOCTYPE html><html lang="{self.context["language"]}"><body>{blank}</body></html>'
        document = self.document(html, page_css=_page_number_css())
        if len(document.pages) != total:  # pragma: no cover - an empty page always breaks
            raise RuntimeError(f"{len(document.pages)} numbered pages for {total}")
        return document.write_pdf()


def render_pdf(
    figures: ReportFigures,
    *,
    generated_by: str,
    on_progress: ProgressCallback | None = None,
) -> bytes:
    """The report as an A4 PDF in the active language; ``on_progress`` hears 0–100 percent.

    See the module's docstring for the parts and the page numbering across them.
    """
    progress = _Progress(on_progress)
    renderer = _Renderer(figures, generated_by=generated_by)
    htmls = [renderer.html(part) for part in _parts(figures)]
    progress(5)
    if len(htmls) == 1:
        document = renderer.document(htmls[0])
        progress(90)
        pdf = document.write_pdf()
        progress(100)
        return pdf

    documents = []
    for index, html in enumerate(htmls, start=1):
        documents.append(renderer.document(html, numbered=False))
        progress(5 + 80 * index / len(htmls))
    pages = _pages(documents)
    report = documents[0].copy(pages).write_pdf()
    progress(90)
    pdf = _stamped(report, renderer.page_numbers(len(pages)))
    progress(100)
    return pdf


def _pages(documents: Iterable[Document]) -> list:
    return [page for document in documents for page in document.pages]


def _stamped(report: bytes, numbers: bytes) -> bytes:
    """The report's pages with the numbered pages drawn over them, one on one; the report's
    metadata (title, language) kept."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report)))
    for page, stamp in zip(writer.pages, PdfReader(io.BytesIO(numbers)).pages, strict=True):
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render(
    figures: ReportFigures,
    fmt: str,
    *,
    generated_by: str,
    on_progress: ProgressCallback | None = None,
) -> bytes:
    """The report in one of the ReportFormat formats."""
    if fmt == ReportFormat.PDF:
        return render_pdf(figures, generated_by=generated_by, on_progress=on_progress)
    if fmt in (ReportFormat.CSV, ReportFormat.CSV_COMMA):
        content = render_csv(figures, dialect="nl" if fmt == ReportFormat.CSV else "comma")
        if on_progress is not None:
            on_progress(100)
        return content
    raise ValueError(f"Unknown report format {fmt!r}")
