import pytest

from apps.funding.models import Unit
from apps.funding.rules import amount_cents


@pytest.mark.parametrize(
    ("consumed", "unit", "tariff_cents", "expected"),
    [
        (110, Unit.HOUR, 1539, 2822),  # exactly 2821.5 cents: half up, not cut below the half
        # Presence is counted in whole units (IV042): day parts and nights times the tariff.
        (2, Unit.DAY_PART, 1644, 3288),
        (7, Unit.DAY_24H, 35200, 246400),  # a week of stay at EUR 352 a night (issue 15)
        (45, Unit.MINUTE, 175, 7875),
        (3, Unit.ITEM_OUTPUT, 1250, 3750),
    ],
)
def test_a_line_is_units_times_tariff_rounded_half_up(consumed, unit, tariff_cents, expected):
    assert amount_cents(consumed, unit, tariff_cents) == expected
