"""The per-funder report for a health insurer shows the derived prestaties (the insurer pays
per prestatie, not by allocation), priced by the year's tariffs, uncontracted marked."""

import datetime

import pytest

from apps.funding.models import FunderKind
from apps.reports.selectors import report_figures
from tests.funding.factories import FunderFactory, stream
from tests.zvw.test_declaration import _world

D = datetime.date

pytestmark = pytest.mark.django_db


def test_the_insurers_report_sums_the_prestaties_per_code():
    organisation, _psychologist, trajectory, *_rest = _world()
    insurer = FunderFactory(kind=FunderKind.HEALTH_INSURER, code="3311", name="Verzekeraar")
    insurer.streams.set([stream("zvw-ggz")])
    figures = report_figures(
        organisation=organisation,
        funder=insurer,
        period_start=D(2025, 6, 1),
        period_end=D(2025, 6, 30),
    )
    lines = [
        (line.product_code, line.clients, line.units, line.amount_cents, line.contract_reference)
        for line in figures.summary
    ]
    assert [line[:4] for line in lines] == [
        ("DEMO-CB15AS", 1, 1, 11_050),
        ("DEMO-CB45GZ", 1, 1, 19_800),
    ]
    assert {line[4] for line in lines} != {""}  # uncontracted, marked
    assert figures.total_cents == 30_850
    assert dict(figures.monthly_cents)[D(2025, 6, 1)] == 30_850
    assert trajectory.client.pk in figures.client_ids
