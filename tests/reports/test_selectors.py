import datetime
from decimal import ROUND_HALF_UP, Decimal

from apps.reports.selectors import report_figures
from apps.trajectories.models import Activity

D = datetime.date
FEBRUARY, END_OF_MARCH = D(2025, 2, 1), D(2025, 3, 31)


def _figures(scenario, start=FEBRUARY, end=END_OF_MARCH):
    return report_figures(
        organisation=scenario.organisation,
        funder=scenario.funder,
        period_start=start,
        period_end=end,
    )


def _expected_cents(minutes: int, per: int, tariff: int) -> int:
    return int((Decimal(minutes) / per * tariff).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_the_totals_equal_the_activities_computed_independently(scenario):
    figures = _figures(scenario)
    # Per allocation and month, from the activities themselves (cancelled and out of period
    # excluded).
    expected = {}
    for activity in Activity.objects.filter(status="recorded", funding_status="funded"):
        if not D(2025, 2, 1) <= activity.date <= D(2025, 3, 31):
            continue
        key = (activity.allocation.number, activity.date.replace(day=1))
        expected[key] = expected.get(key, 0) + activity.duration_minutes
    lines = {
        (block.number, line.month): line for block in figures.allocations for line in block.months
    }
    assert set(lines) == set(expected)
    assert expected[("TW-A-1", D(2025, 2, 1))] == 95
    assert expected[("TW-A-1", D(2025, 3, 1))] == 45  # the cancelled 90 minutes do not count
    assert lines[("TW-A-1", D(2025, 2, 1))].amount_cents == _expected_cents(95, 1, 187)
    assert lines[("TW-B-1", D(2025, 2, 1))].units == Decimal(40) / 60
    assert lines[("TW-B-1", D(2025, 2, 1))].amount_cents == _expected_cents(40, 60, 12345)
    total = sum(
        _expected_cents(
            minutes, 1 if number == "TW-A-1" else 60, 187 if number == "TW-A-1" else 12345
        )
        for (number, _month), minutes in expected.items()
    )
    assert figures.total_cents == total
    assert sum(amount for _month, amount in figures.monthly_cents) == total


def test_the_summary_counts_clients_and_units_per_product(scenario):
    summary = {line.product_code: line for line in _figures(scenario).summary}
    assert summary["45A07"].clients == 1
    assert summary["45A07"].units == Decimal(140)
    assert summary["46A01"].units == Decimal(75) / 60
    assert summary["45A07"].contract_reference == "JW-UTR-2025"


def test_an_allocation_crossing_the_periods_edges_counts_only_inside(scenario):
    figures = _figures(scenario, start=D(2025, 2, 10), end=D(2025, 3, 5))
    block = next(block for block in figures.allocations if block.number == "TW-A-1")
    assert [(line.month, line.units) for line in block.months] == [
        (D(2025, 2, 1), Decimal(50)),
        (D(2025, 3, 1), Decimal(45)),
    ]


def test_jeugdwet_identifies_by_bsn_initials_and_date_of_birth(scenario):
    scenario.plain_client.bsn = "123456782"
    scenario.plain_client.save(update_fields=["bsn"])
    block = next(block for block in _figures(scenario).allocations if block.number == "TW-B-1")
    assert block.client.as_text() == "123456782 B. 01-06-2011"


def test_a_shielded_client_is_identified_by_bsn_only(scenario):
    """What the funder's declaration carries, and nothing more: no initials, no birth date."""
    block = next(block for block in _figures(scenario).allocations if block.number == "TW-A-1")
    assert block.client.as_text() == "999999990"
    assert (block.client.initials, block.client.date_of_birth) == ("", None)


def test_a_shielded_client_without_bsn_is_identified_by_client_number_only(scenario):
    shielded = scenario.shielded_client
    shielded.bsn = ""
    shielded.save(update_fields=["bsn"])
    block = next(block for block in _figures(scenario).allocations if block.number == "TW-A-1")
    assert block.client.as_text() == shielded.client_number


def test_the_annex_leaves_out_care_no_law_of_the_funder_covers(scenario):
    # The waiting lesson is schooling: the Jeugdwet does not cover it, so the municipality is
    # not responsible for it and it is in no annex of its (docs/funding.md, "Who is
    # responsible"); it used to be listed at 0 for the funder's client.
    figures = _figures(scenario)
    assert figures.unfunded == []
    assert scenario.plain_client.pk in figures.client_ids
    assert scenario.shielded_client.pk in figures.client_ids


def test_figures_take_a_fixed_number_of_queries(scenario, django_assert_max_num_queries):
    # The annex's responsible funders read the products, streams, funders and the clients'
    # facts (history, Wlz indications, insurers, allocations) once: apps.funding.responsibility.
    _figures(scenario)  # the waiting care's valuation stored (apps.trajectories.waiting)
    with django_assert_max_num_queries(10):
        _figures(scenario)
