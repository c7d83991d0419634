"""A municipality's report annex holds only the unfunded care it answers for under the
woonplaatsbeginsel (Jeugdwet art. 1.1 and 2.1; see tests/funding/test_woonplaats.py for the
sources): the care of clients it is responsible for on the activity's date. The annex names
clients by BSN, so a client of another municipality, or care after 18 that the health insurer
pays, must never appear in it: not in the figures, not in the CSV, not in the PDF."""

import datetime
import io

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.clients.models import Client
from apps.clients.services import client_update
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import Frequency, FunderKind, Unit
from apps.reports import render
from apps.reports.selectors import report_figures
from apps.trajectories.assignment import allocation_register
from apps.trajectories.services import activity_log
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory, municipality
from tests.funding.factories import ContractFactory, FunderFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db
D = datetime.date
MARCH = (D(2025, 3, 1), D(2025, 3, 31))
MOVED_ON = D(2025, 3, 15)  # the mover: from Utrecht (0344) to Amersfoort (0307)
YEAR_END = D(2025, 12, 31)
YOUTH_BORN = D(2012, 6, 1)

# Each client's BSN (valid under the eleven-test) and the care that waits unfunded.
UTRECHT_BSN = "123456708"  # lives in Utrecht, no allocation yet: 5 March
AMERSFOORT_BSN = "123456721"  # lives in Amersfoort, no allocation yet: 4 March
MOVER_BSN = "123456733"  # Utrecht's allocation 5-12 March: 3 March, and 20 March after the move
ADULT_BSN = "123456745"  # Utrecht; 18 on 10 March, Utrecht's allocation: 20 March, the insurer's


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


@pytest.fixture
def world():
    organisation = OrganisationFactory(name="Stichting Woonplaats")
    worker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    funders, products = {}, {}
    for cbs_code, name in (("0344", "Gemeente Utrecht"), ("0307", "Gemeente Amersfoort")):
        funder = FunderFactory(name=name, code=cbs_code)
        assert funder.kind == FunderKind.MUNICIPALITY
        funder.streams.set([stream("jeugdwet")])
        funders[cbs_code] = funder
        products[cbs_code] = ProductFactory(
            contract=ContractFactory(
                funder=funder, organisation=organisation, stream=stream("jeugdwet")
            ),
            code=f"45A{cbs_code[-2:]}",
            unit=Unit.MINUTE,
            tariff_cents=175,
        )
    insurer = FunderFactory(name="Zorgverzekeraar", kind=FunderKind.HEALTH_INSURER, code="3311")
    insurer.streams.set([stream("zvw-ggz")])
    ProductFactory(
        contract=ContractFactory(
            funder=insurer, organisation=organisation, stream=stream("zvw-ggz")
        ),
        category="",
        code="GGZ01",
        unit=Unit.HOUR,
        tariff_cents=11950,
    )

    def client(bsn, cbs_code, born=YOUTH_BORN):
        made = ClientFactory(
            organisation=organisation,
            bsn=bsn,
            municipality=municipality(cbs_code),
            date_of_birth=born,
        )
        made.history.update(history_date=_at(D(2025, 1, 1)))
        return made

    utrecht = client(UTRECHT_BSN, "0344")
    amersfoort = client(AMERSFOORT_BSN, "0307")
    mover = client(MOVER_BSN, "0344")
    client_update(client=mover, municipality=municipality("0307"), actor=worker)
    mover.history.filter(history_date__gt=_at(D(2025, 1, 2))).update(history_date=_at(MOVED_ON))
    mover = Client.objects.get(pk=mover.pk)
    adult = client(ADULT_BSN, "0344", born=D(2007, 3, 10))

    def register(who, number, start, end=YEAR_END):
        allocation_register(
            client=who,
            product=products["0344"],
            number=number,
            volume=6000,
            frequency=Frequency.TOTAL,
            start=start,
            end=end,
            actor=worker,
        )

    # Ended before the move: it does not go on after it (a running one would pay on until
    # Amersfoort takes over; tests/funding/test_responsible.py).
    register(mover, "TW-MOVER", D(2025, 3, 5), end=D(2025, 3, 12))
    register(adult, "TW-ADULT", D(2025, 1, 1))

    trajectories = {}

    def session(who, day):
        if who.pk not in trajectories:
            trajectories[who.pk] = TrajectoryFactory(
                client=who, lead_caseworker=worker, start=D(2025, 1, 1)
            )
        return activity_log(
            trajectory=trajectories[who.pk],
            domain=Domain.CARE,
            kind=ActivityKind.TREATMENT_SESSION,
            date=day,
            duration_minutes=60,
            performed_by=worker,
            actor=worker,
        )

    waiting = {
        "utrecht": session(utrecht, D(2025, 3, 5)),
        "amersfoort": session(amersfoort, D(2025, 3, 4)),
        "mover before": session(mover, D(2025, 3, 3)),
        "mover after": session(mover, D(2025, 3, 20)),
        "adult": session(adult, D(2025, 3, 20)),
    }
    for activity in waiting.values():
        assert activity.funding_status == "unfunded"
    # Utrecht still pays the adult's care before the 18th birthday (outside the period).
    assert session(adult, D(2025, 2, 20)).allocation.number == "TW-ADULT"
    return organisation, funders, waiting


def _annex(organisation, funder):
    return report_figures(
        organisation=organisation, funder=funder, period_start=MARCH[0], period_end=MARCH[1]
    )


def _pdf_text(figures) -> str:
    pdf = render.render_pdf(figures, generated_by="M. de Manager")
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


@pytest.mark.parametrize(
    ("cbs_code", "listed", "never"),
    [
        (
            "0344",
            [("mover before", MOVER_BSN), ("utrecht", UTRECHT_BSN)],
            [AMERSFOORT_BSN, ADULT_BSN],
        ),
        (
            "0307",
            [("amersfoort", AMERSFOORT_BSN), ("mover after", MOVER_BSN)],
            [UTRECHT_BSN, ADULT_BSN],
        ),
    ],
)
def test_a_municipalitys_annex_lists_only_the_care_it_is_responsible_for(
    world, cbs_code, listed, never
):
    organisation, funders, waiting = world
    figures = _annex(organisation, funders[cbs_code])
    assert [(line.date, line.client.bsn) for line in figures.unfunded] == [
        (waiting[name].date, bsn) for name, bsn in listed
    ]
    # Valued at the municipality's own Jeugdwet product: 60 minutes at 1.75.
    assert [line.value_cents for line in figures.unfunded] == [10500, 10500]
    assert figures.unfunded_cents == 21000
    assert set(figures.unfunded_client_ids) == {
        waiting[name].trajectory.client_id for name, _bsn in listed
    }
    assert figures.allocations == []  # no care was funded in March
    with translation.override("nl"):
        csv_text = render.render_csv(figures, dialect="nl").decode("utf-8-sig")
        pdf_text = _pdf_text(figures)
    for _name, bsn in listed:
        assert bsn in csv_text
        assert bsn in pdf_text
    for bsn in never:
        assert bsn not in csv_text
        assert bsn not in pdf_text
