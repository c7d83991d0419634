"""The funder's report as CSV and PDF: the same figures, exactly, in every format."""

import csv
import datetime
import io
import re
import urllib.request
from decimal import Decimal

import pytest
from django.utils import translation
from pypdf import PdfReader
from weasyprint.urls import URLFetchingError

from apps.accounts.models import Role
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import Allocation, Frequency, FunderKind, Unit
from apps.reports import render
from apps.reports.models import ReportFormat
from apps.reports.selectors import (
    AllocationBlock,
    ClientIdentification,
    MonthLine,
    ReportFigures,
    SummaryLine,
    report_figures,
)
from apps.trajectories.assignment import allocation_register
from apps.trajectories.models import Activity, Trajectory
from apps.trajectories.services import activity_cancel, activity_log
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import ContractFactory, FunderFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
SHIELDED_BSN = "111222333"
GENERATED_BY = "M. de Manager"


# --- data ----------------------------------------------------------------------------------


@pytest.fixture
def small_report(db):
    """Two clients (one shielded) of one funder with a Jeugdwet and a Zvw-GGZ contract.

    The shielded 14-year-old has a Jeugdwet allocation counted in minutes; the adult a Zvw-GGZ
    allocation counted in hours. Activities in March and April 2025 (the period), one in May
    (outside it), one cancelled, and one unfunded (before the allocation started).
    """
    organisation = OrganisationFactory(name="Stichting Testhaven", agb_code="73739999")
    funder = FunderFactory(name="Regio Testland", kind=FunderKind.REGION, code="R099")
    funder.streams.set([stream("jeugdwet"), stream("zvw-ggz")])
    youth_product = ProductFactory(
        contract=ContractFactory(
            funder=funder, organisation=organisation, stream=stream("jeugdwet"), reference="JW-25"
        ),
        code="45A07",
        description="Ambulante jeugdhulp individueel",
        unit=Unit.MINUTE,
        tariff_cents=175,
    )
    ggz_product = ProductFactory(
        contract=ContractFactory(
            funder=funder, organisation=organisation, stream=stream("zvw-ggz"), reference="GGZ-25"
        ),
        category="",
        code="GGZ01",
        description="Behandeling ggz",
        unit=Unit.HOUR,
        tariff_cents=11950,
    )
    shielded = ClientFactory(
        organisation=organisation,
        shielded_client=True,
        given_name="Sanne Marije",
        family_name="Verborgen",
        pseudonym="Roos-geheim",
        bsn=SHIELDED_BSN,
        date_of_birth=D(2010, 5, 17),
    )
    adult = ClientFactory(organisation=organisation, given_name="Daan", date_of_birth=D(2005, 3, 1))
    youth = TrajectoryFactory(client=shielded, start=D(2025, 1, 1))
    grown = TrajectoryFactory(client=adult, start=D(2025, 1, 1))
    worker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    allocation_register(
        client=shielded,
        product=youth_product,
        number="JW-0001",
        volume=600,
        frequency=Frequency.TOTAL,
        start=D(2025, 3, 5),
        end=D(2025, 12, 31),
        actor=worker,
    )
    allocation_register(
        client=adult,
        product=ggz_product,
        number="ZVW-0001",
        volume=20,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        actor=worker,
    )

    def log(trajectory, day, minutes):
        return activity_log(
            trajectory=trajectory,
            domain=Domain.CARE,
            kind=ActivityKind.TREATMENT_SESSION,
            date=day,
            duration_minutes=minutes,
            performed_by=worker,
            actor=worker,
        )

    waiting = log(youth, D(2025, 3, 3), 60)  # before the allocation starts: unfunded
    log(youth, D(2025, 3, 10), 60)
    log(youth, D(2025, 3, 17), 45)
    log(youth, D(2025, 4, 7), 50)
    log(youth, D(2025, 5, 5), 60)  # after the period
    log(grown, D(2025, 3, 4), 50)
    log(grown, D(2025, 4, 8), 90)
    log(grown, D(2025, 4, 15), 45)
    activity_cancel(activity=log(grown, D(2025, 4, 22), 60), actor=worker)
    waiting.refresh_from_db()
    assert waiting.funding_status == "unfunded"
    return report_figures(
        organisation=organisation,
        funder=funder,
        period_start=D(2025, 3, 1),
        period_end=D(2025, 4, 30),
    )


def _month_starts(first: datetime.date, count: int) -> list[datetime.date]:
    months, month = [], first
    for _ in range(count):
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


@pytest.fixture
def long_report(db):
    """120 allocations with two months each, and one with 84 months (longer than a page): many
    pages, many parts.

    Built with bulk_create for speed (no history, no funding rules: the rows are written as
    the rules would have funded them); the figures are then computed from them as usual.
    """
    organisation = OrganisationFactory(name="Stichting Volume", agb_code="73738888")
    funder = FunderFactory(name="Gemeente Volume", code="0998")
    funder.streams.set([stream("jeugdwet")])
    product = ProductFactory(
        contract=ContractFactory(
            funder=funder, organisation=organisation, start=D(2018, 1, 1), reference="JW-VOL"
        ),
        unit=Unit.MINUTE,
        tariff_cents=185,
    )
    worker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    clients = [
        ClientFactory(organisation=organisation, bsn=f"{100000000 + index}") for index in range(10)
    ]
    trajectories = Trajectory.objects.bulk_create(
        Trajectory(client=client, start=D(2018, 1, 1), lead_caseworker=worker) for client in clients
    )

    def allocation(number: str, client_index: int) -> Allocation:
        return Allocation(
            client=clients[client_index],
            product=product,
            contract=product.contract,
            funder=funder,
            number=number,
            volume=100_000,
            unit=Unit.MINUTE,
            frequency=Frequency.TOTAL,
            start=D(2018, 1, 1),
            end=D(2025, 12, 31),
        )

    allocations = Allocation.objects.bulk_create(
        [allocation(f"BULK{index:04d}", index % 10) for index in range(120)]
        + [allocation("LONG0001", 0)]
    )
    activities = []
    for index, alloc in enumerate(allocations):
        client_index = 0 if alloc.number == "LONG0001" else index % 10
        if alloc.number == "LONG0001":
            days = [month.replace(day=10) for month in _month_starts(D(2018, 7, 1), 84)]
        else:
            days = [D(2025, 4, 1 + index % 28), D(2025, 5, 1 + index % 28)]
        for day_index, day in enumerate(days):
            minutes = 30 + (index * 7 + day_index * 11) % 90
            activities.append(
                Activity(
                    trajectory=trajectories[client_index],
                    domain=Domain.CARE,
                    kind=ActivityKind.TREATMENT_SESSION,
                    date=day,
                    duration_minutes=minutes,
                    performed_by=worker,
                    allocation=alloc,
                    funding_status="funded",
                    consumed=minutes,
                    funding_reason={"code": "only_fit"},
                )
            )
    Activity.objects.bulk_create(activities)
    return report_figures(
        organisation=organisation,
        funder=funder,
        period_start=D(2018, 7, 1),
        period_end=D(2025, 6, 30),
    )


def _figures(**overrides) -> ReportFigures:
    """A report in memory, for the formatting rules that need no database."""
    client = ClientIdentification(client_number="C1", initials="A.")
    block = AllocationBlock(
        number="TW-1",
        client=client,
        client_id=1,
        stream="Jeugdwet",
        contract_reference="JW-1",
        product_code="45A12",
        product_description="Begeleiding",
        unit=Unit.HOUR,
        tariff_cents=6850,
        months=[MonthLine(month=D(2025, 3, 1), units=Decimal(50) / 60, amount_cents=5708)],
    )
    values = {
        "organisation_name": "Org",
        "organisation_agb": "73730001",
        "funder_name": "Gemeente",
        "funder_code": "0344",
        "funder_kind": "Gemeente",
        "period_start": D(2025, 3, 1),
        "period_end": D(2025, 3, 31),
        "generated_at": datetime.datetime(2025, 4, 1, 9, 30, tzinfo=datetime.UTC),
        "summary": [
            SummaryLine(
                stream="Jeugdwet",
                contract_reference="JW-1",
                product_code="45A12",
                product_description="Begeleiding",
                unit=Unit.HOUR,
                tariff_cents=6850,
                clients=1,
                units=Decimal(50) / 60,
                amount_cents=5708,
            )
        ],
        "allocations": [block],
        "unfunded": [],
        "monthly_cents": [(D(2025, 3, 1), 5708)],
    }
    values.update(overrides)
    return ReportFigures(**values)


# --- the figures the renders are checked against ----------------------------------------------


def test_the_small_report_has_the_expected_figures(small_report):
    by_number = {block.number: block for block in small_report.allocations}
    assert sorted(by_number) == ["JW-0001", "ZVW-0001"]
    youth, ggz = by_number["JW-0001"], by_number["ZVW-0001"]
    assert [(line.month, line.units, line.amount_cents) for line in youth.months] == [
        (D(2025, 3, 1), Decimal(105), 18375),
        (D(2025, 4, 1), Decimal(50), 8750),
    ]
    # 50 minutes = 0.8333… hours × € 119.50 = € 99.583…; 135 minutes = 2.25 h = € 268.875.
    assert [line.amount_cents for line in ggz.months] == [9958, 26888]
    assert youth.client.bsn == SHIELDED_BSN  # the Jeugdwet identifies by BSN
    assert ggz.client.bsn == ""  # the Zvw stream here: client number and initials
    assert small_report.total_cents == 18375 + 8750 + 9958 + 26888
    assert [line.value_cents for line in small_report.unfunded] == [10500]


# --- CSV -----------------------------------------------------------------------------------


def _parse_csv(content: bytes, dialect: str) -> list[list[str]]:
    delimiter = {"nl": ";", "comma": ","}[dialect]
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def _cents(text: str, dialect: str) -> int:
    value = Decimal(text.replace(",", ".") if dialect == "nl" else text)
    assert value == value.quantize(Decimal("0.01")), text  # exactly two decimals
    return int(value * 100)


def _units(text: str, dialect: str) -> Decimal:
    return Decimal(text.replace(",", ".") if dialect == "nl" else text)


@pytest.mark.parametrize("dialect", ["nl", "comma"])
def test_csv_numbers_equal_the_figures_exactly(small_report, dialect):
    content = render.render_csv(small_report, dialect=dialect)
    assert content.startswith(b"\xef\xbb\xbf")
    header, *rows = _parse_csv(content, dialect)
    assert header == [str(column) for column in render.CSV_COLUMNS]
    column = {name: index for index, name in enumerate(header)}
    units_col, amount_col = column[str(render.CSV_COLUMNS[12])], column[str(render.CSV_COLUMNS[13])]
    assert {len(row) for row in rows} == {len(header)}

    def of_type(row_type) -> list[list[str]]:
        return [row for row in rows if row[0] == str(row_type)]

    summary = of_type(render.ROW_SUMMARY)
    assert [(row[3], int(row[7])) for row in summary] == [
        (line.product_code, line.clients) for line in small_report.summary
    ]
    assert [_cents(row[amount_col], dialect) for row in summary] == [
        line.amount_cents for line in small_report.summary
    ]
    assert [_units(row[units_col], dialect) for row in summary] == [
        render.units_rounded(line.units) for line in small_report.summary
    ]
    months = of_type(render.ROW_ALLOCATION_MONTH)
    expected = [
        (
            block.number,
            block.client.as_text(),
            line.month.strftime("%Y-%m"),
            render.units_rounded(line.units),
            line.amount_cents,
        )
        for block in small_report.allocations
        for line in block.months
    ]
    assert [
        (
            row[8],
            row[9],
            row[11],
            _units(row[units_col], dialect),
            _cents(row[amount_col], dialect),
        )
        for row in months
    ] == expected
    assert ("ZVW-0001", "2025-03", Decimal("0.8333")) in [(m[0], m[2], m[3]) for m in expected]
    unfunded = of_type(render.ROW_UNFUNDED)
    assert [(row[11], _cents(row[amount_col], dialect)) for row in unfunded] == [
        (line.date.isoformat(), line.value_cents) for line in small_report.unfunded
    ]
    assert unfunded[0][column[str(render.CSV_COLUMNS[14])]]  # the reason is there
    (total,) = of_type(render.ROW_TOTAL)
    assert _cents(total[amount_col], dialect) == small_report.total_cents
    (unfunded_total,) = of_type(render.ROW_UNFUNDED_TOTAL)
    assert _cents(unfunded_total[amount_col], dialect) == small_report.unfunded_cents
    assert rows[-2:] == [total, unfunded_total]


def test_csv_nl_uses_semicolons_and_a_decimal_comma(small_report):
    text = render.render_csv(small_report, dialect="nl").decode("utf-8-sig")
    first = text.splitlines()[0]
    assert first.count(";") == len(render.CSV_COLUMNS) - 1
    assert "JW-0001;" in text
    assert ";183,75;" in text
    assert ";0,8333;" in text
    assert "639,71" in text
    assert "639.71" not in text
    comma = render.render_csv(small_report, dialect="comma").decode("utf-8-sig")
    assert ",183.75," in comma
    assert "639.71" in comma


def test_csv_headers_follow_the_active_language(small_report):
    with translation.override("en"):
        header = render.render_csv(small_report).decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[:3] == ["Row type", "Funding stream", "Contract"]


# A shielded client is in a funder's report by BSN only: what the declaration carries.
SHIELDED_SECRETS = ("Sanne", "Verborgen", "Roos-geheim", "Daan", "S.M.", "17-05-2010", "2010-05")


@pytest.mark.parametrize(
    ("language", "legend"),
    [
        ("nl", "Een afgeschermde cliënt staat er alleen met het BSN in"),
        ("en", "A shielded client appears by BSN only"),
    ],
)
def test_csv_shows_the_shielded_client_by_bsn_only_and_says_so(small_report, language, legend):
    with translation.override(language):
        content = render.render_csv(small_report)
    text = content.decode("utf-8-sig")
    header, *rows = _parse_csv(content, "nl")
    identifications = {row[9] for row in rows if row[8] == "JW-0001"}
    assert identifications == {SHIELDED_BSN}
    youth_unfunded = [row for row in rows if row[11] == "2025-03-03"]
    assert [row[9] for row in youth_unfunded] == [SHIELDED_BSN]
    for secret in SHIELDED_SECRETS:
        assert secret not in text
    assert legend in text
    assert {len(row) for row in rows} == {len(header)}


def test_csv_cells_never_start_a_spreadsheet_formula():
    figures = _figures(
        summary=[],
        allocations=[
            AllocationBlock(
                number="=1+1",
                client=ClientIdentification(client_number="@SUM(A1)", initials=""),
                client_id=1,
                stream="-2",
                contract_reference="+cmd",
                product_code="X",
                product_description='=HYPERLINK("http://x")',
                unit=Unit.MINUTE,
                tariff_cents=100,
                months=[MonthLine(month=D(2025, 3, 1), units=Decimal(1), amount_cents=100)],
            )
        ],
    )
    rows = _parse_csv(render.render_csv(figures), "nl")
    month_row = rows[1]
    for cell in month_row:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert '\'=HYPERLINK("http://x")' in month_row


@pytest.mark.parametrize(
    ("units", "shown"),
    [
        (Decimal(16105), "16105.00"),
        (Decimal("12.75"), "12.75"),
        (Decimal(50) / 60, "0.8333"),
        (Decimal(30) / 240, "0.125"),
        (Decimal(1) / 3 * 3, "1.00"),
    ],
)
def test_units_show_two_decimals_and_up_to_four_where_two_are_not_exact(units, shown):
    assert f"{render.units_rounded(units):f}" == shown


def test_amounts_are_formatted_from_cents_in_the_active_language():
    with translation.override("nl"):
        assert render.format_amount(123450) == "1.234,50"
        assert render.format_amount(5) == "0,05"
    with translation.override("en"):
        assert render.format_amount(123450) == "1,234.50"


def test_render_dispatches_on_the_report_format():
    figures = _figures()
    progress = []
    csv_nl = render.render(figures, ReportFormat.CSV, generated_by="x", on_progress=progress.append)
    assert b";57,08;" in csv_nl
    assert progress == [100]
    assert b",57.08," in render.render(figures, ReportFormat.CSV_COMMA, generated_by="x")
    assert render.render(figures, ReportFormat.PDF, generated_by="x").startswith(b"%PDF")
    with pytest.raises(ValueError, match="Unknown report format"):
        render.render(figures, "xlsx", generated_by="x")


# --- PDF -----------------------------------------------------------------------------------


def _pages(pdf: bytes) -> list[str]:
    """The text of every page, whitespace collapsed (pypdf splits lines its own way)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_shows_every_allocation_amount_and_the_total(small_report):
    with translation.override("nl"):
        pdf = render.render_pdf(small_report, generated_by=GENERATED_BY)
        pages = _pages(pdf)
        text = " ".join(pages)
        amounts = [render.format_amount(small_report.total_cents)]
        for block in small_report.allocations:
            assert block.number in text
            assert block.client.as_text() in text
            amounts.append(render.format_amount(block.amount_cents))
            amounts += [render.format_amount(line.amount_cents) for line in block.months]
        amounts += [render.format_amount(line.amount_cents) for line in small_report.summary]
        amounts += [render.format_amount(line.value_cents) for line in small_report.unfunded]
        mark = translation.gettext("Confidential – special category personal data")
    assert pdf.startswith(b"%PDF")
    for amount in amounts:
        assert amount in text, amount
    assert "639,71" in text  # the total, Dutch style
    assert "0,8333" in text  # 50 minutes in hours
    assert "Stichting Testhaven" in text
    assert "73739999" in text
    assert "Regio Testland" in text
    assert "R099" in text
    assert GENERATED_BY in text
    for number, page in enumerate(pages, start=1):
        assert mark in page
        assert f"pagina {number} van {len(pages)}" in page.lower()


@pytest.mark.parametrize(
    ("language", "legend"),
    [
        ("nl", "Een afgeschermde cliënt staat er alleen met het BSN in"),
        ("en", "A shielded client appears by BSN only"),
    ],
)
def test_pdf_names_the_shielded_client_by_bsn_only_and_says_so(small_report, language, legend):
    with translation.override(language):
        text = " ".join(_pages(render.render_pdf(small_report, generated_by=GENERATED_BY)))
    assert f"JW-0001 {SHIELDED_BSN}" in text  # the allocation's first line: number, client
    for secret in SHIELDED_SECRETS:
        assert secret not in text
    assert legend in text


def test_pdf_in_english(small_report):
    with translation.override("en"):
        text = " ".join(_pages(render.render_pdf(small_report, generated_by=GENERATED_BY)))
    assert "639.71" in text
    assert "Page 1 of" in text


def test_long_pdf_counts_pages_across_its_parts_and_repeats_table_headers(long_report):
    assert len(long_report.allocations) == 121
    assert len(render._parts(long_report)) > 3
    progress = []
    with translation.override("nl"):
        pdf = render.render_pdf(long_report, generated_by=GENERATED_BY, on_progress=progress.append)
        mark = translation.gettext("Confidential – special category personal data")
        header_texts = [translation.gettext(text) for text in ("Month", "Units", "Amount (€)")]
        amounts = {render.format_amount(long_report.total_cents)} | {
            render.format_amount(line.amount_cents)
            for block in long_report.allocations
            for line in block.months
        }
    pages = _pages(pdf)
    total = len(pages)
    assert total > len(render._parts(long_report))
    assert f"pagina 1 van {total}" in pages[0].lower()
    assert f"pagina {total} van {total}" in pages[-1].lower()
    for number, page in enumerate(pages, start=1):
        assert mark in page, number
        assert f"pagina {number} van {total}" in page.lower(), number
    text = " ".join(pages)
    for block in long_report.allocations:
        assert block.number in text
    for amount in amounts:
        assert amount in text, amount

    # The 84-month allocation breaks across pages (the others are kept whole on one page); the
    # column heads repeat on the continuation page, and its number is on each of its rows of
    # twelve months (render.MONTHS_IN_A_ROW), so on every page it continues on.
    long_pages = [index for index, page in enumerate(pages) if "LONG0001" in page]
    assert len(long_pages) >= 2
    assert long_pages == list(range(long_pages[0], long_pages[0] + len(long_pages)))
    for index in long_pages[1:]:
        for header in header_texts:
            assert header in pages[index]

    assert progress == sorted(set(progress))  # increasing
    assert progress[-1] == 100
    assert len(progress) > len(render._parts(long_report))


def test_an_allocations_months_are_rows_of_a_year_with_one_line_per_month(long_report):
    """An allocation is one row of the PDF's table per twelve months: its months, units and
    amounts one line each, level across the three cells; the allocation's total on its last
    row only."""
    [block] = [block for block in long_report.allocations if block.number == "LONG0001"]
    with translation.override("nl"):
        view = render._allocation_view(block)
    rows = view["rows"]
    assert len(block.months) == 84
    assert len(rows) == 7
    assert [row["first"] for row in rows] == [True] + [False] * 6
    assert [row["total"] for row in rows[:-1]] == [""] * 6
    total = render.format_amount(block.amount_cents)
    assert rows[-1]["total"] == "\n" * 11 + total  # on the line of the last month
    for row in rows:
        lines = [row[cell].split("\n") for cell in ("months", "units", "amounts")]
        assert [len(cell) for cell in lines] == [12, 12, 12]
    assert rows[0]["amounts"].split("\n")[0] == render.format_amount(block.months[0].amount_cents)
    assert rows[-1]["months"].split("\n")[-1] == render._month(block.months[-1].month)

    short = next(block for block in long_report.allocations if len(block.months) == 2)
    [row] = render._allocation_view(short)["rows"]
    assert row["first"]
    assert len(row["units"].split("\n")) == 2
    assert row["total"] == "\n" + render.format_amount(short.amount_cents)


def test_pdf_page_numbers_across_parts_with_small_parts(small_report, monkeypatch):
    monkeypatch.setattr(render, "ALLOCATIONS_PER_PART", 1)
    monkeypatch.setattr(render, "UNFUNDED_LINES_PER_PART", 1)
    assert len(render._parts(small_report)) == 4  # summary, two allocations, annex
    with translation.override("nl"):
        pages = _pages(render.render_pdf(small_report, generated_by=GENERATED_BY))
    assert [re.search(r"pagina (\d+) van (\d+)", page.lower()).groups() for page in pages] == [
        (str(number), "4") for number in range(1, 5)
    ]


# --- fetching nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/logo.png",
        "https://example.org/style.css",
        "data:text/plain,hello",
        "ftp://example.org/x",
    ],
)
def test_the_url_fetcher_refuses_every_url(url):
    with pytest.raises(URLFetchingError, match="refused"):
        render.RefusingURLFetcher()(url)


def test_rendering_reads_no_file_and_calls_no_network(monkeypatch):
    asked = []
    refuse = render.RefusingURLFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return refuse(self, url, headers)

    def no_network(*args, **kwargs):
        raise AssertionError("a URL was opened")

    monkeypatch.setattr(render.RefusingURLFetcher, "fetch", spy)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    renderer = render._Renderer(_figures(), generated_by="x")
    html = (
        '<html><head><link rel="stylesheet" href="https://example.org/x.css">'
        "<style>p { background: url(file:///etc/hostname) }</style></head>"
        '<body><p>Hallo</p><img src="file:///etc/passwd"><img src="http://example.org/a.png">'
        "</body></html>"
    )
    document = renderer.document(html)
    pdf = document.write_pdf()
    assert set(asked) >= {"file:///etc/passwd", "http://example.org/a.png"}
    text = " ".join(_pages(pdf))
    assert "Hallo" in text
    assert "root:" not in text
