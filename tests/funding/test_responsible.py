"""Who is responsible for a client's care: the law that goes first, and under it the funder
that pays (apps.funding.responsibility; docs/funding.md, "Who is responsible"). Worked
examples, end to end through the services, the unfunded queue and the report annex.

Sources (consulted November 2026; found with the project's search over stored pages):

- Wlz: the CIZ decides by an indication whether someone is entitled to Wlz care
  (https://www.ciz.nl/zorgprofessional/veelgestelde-vragen-zorgprofessional/wet-langdurige-zorg;
  https://www.zorgcijfersdatabank.nl/veelgestelde-vragen/hoe-vraagt-een-client-langdurige-zorg-aan
  : "Iemand die voor Wlz-zorg in aanmerking wil komen, moet een indicatie aanvragen bij het
  CIZ"). That is Wlz art. 3.2.1 (the indicatiebesluit); the article's own text was not among
  the stored sources.
- Jeugdwet art. 1.2: the college need not provide under the Jeugdwet where a claim exists under
  another law (quoted at https://www.llmlegal.nl/blog/jeugdwet-is-tot-23-jaar-en-niet-tot-18/);
  lid 1 names the Wlz. Wlz first, then the Jeugdwet: apps.funding.rules.PRECEDENCE.
- Zvw: "Zorgverzekeraars voeren de Zvw uit voor hun verzekerden"; everyone chooses their own
  insurer and may change it at the end of each year
  (https://www.zorginstituutnederland.nl/Verzekerde+zorg/zvw-algemeen-hoe-werkt-de-zorgverzekeringswet).
  So only the client's own insurer pays its Zvw care.
- Woonplaatsbeginsel (Jeugdwet art. 1.1 since 1 January 2022; VNG,
  https://vng.nl/artikelen/woonplaatsbeginsel-jeugdhulp): for ambulant care the municipality of
  the BRP address. After a move: the Wet wijziging woonplaatsbeginsel (Stb. 2020, 78) "kent ...
  een regeling voor het geval de jeugdige verhuist" (Raad van State, advice on Kamerstukken
  35 219, https://zoek.officielebekendmakingen.nl/stcrt-2019-32753.html); its text was not among
  the stored sources. The rule applied here is the issue's: the old municipality's allocation
  goes on until the new municipality takes over (its allocation's first valid day). The
  JZ002 code list (reason for a change) was not found in the stored sources either.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.clients.models import Client
from apps.clients.services import client_update, health_insurance_record, wlz_indication_record
from apps.control.pilots import pilot_report
from apps.control.selectors import unfunded_queue
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import AllocationStatus, Frequency, FunderKind, Unit
from apps.funding.reasons import funding_reason_text
from apps.funding.responsibility import move_continuations
from apps.reports import render
from apps.reports.selectors import report_figures
from apps.trajectories.assignment import allocation_register, pilot_enrol
from apps.trajectories.funding_facts import health_insurance_register, wlz_indication_register
from apps.trajectories.services import activity_log
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory, municipality
from tests.funding.builders import IntegralPilotFactory, pilot_product
from tests.funding.factories import (
    AllocationFactory,
    ContractFactory,
    FunderFactory,
    ProductFactory,
    stream,
)
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db
D = datetime.date
MOVED_ON = D(2025, 3, 15)  # from Utrecht (0344) to Amersfoort (0307)
YEAR_START, YEAR_END = D(2025, 1, 1), D(2025, 12, 31)
MARCH_FIRST, APRIL_LAST = D(2025, 3, 1), D(2025, 4, 30)
YOUTH_BORN = D(2011, 6, 1)  # 13 in 2025
ADULT_BORN = D(2004, 6, 1)  # 20 in 2025


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


class World:
    """An organisation with contracts of Utrecht and Amersfoort (Jeugdwet), a care office
    (Wlz) and two health insurers (Zvw), and a caseworker."""

    def __init__(self) -> None:
        self.organisation = OrganisationFactory(name="Stichting Verantwoordelijk")
        self.worker = UserFactory(organisation=self.organisation, roles=[Role.CASEWORKER])
        self.funders, self.products = {}, {}
        self._trajectories = {}
        for key, name, kind, code, stream_code, unit, tariff in (
            ("0344", "Gemeente Utrecht", FunderKind.MUNICIPALITY, "0344", "jeugdwet", "01", 200),
            ("0307", "Gemeente Amersfoort", FunderKind.MUNICIPALITY, "0307", "jeugdwet", "01", 190),
            ("wlz", "Zorgkantoor", FunderKind.CARE_OFFICE, "5999", "wlz", "04", 6000),
            ("3311", "Verzekeraar Eigen", FunderKind.HEALTH_INSURER, "3311", "zvw-ggz", "01", 195),
            ("8888", "Verzekeraar Ander", FunderKind.HEALTH_INSURER, "8888", "zvw-ggz", "01", 100),
        ):
            funder = FunderFactory(name=name, kind=kind, code=code)
            funder.streams.set([stream(stream_code)])
            self.funders[key] = funder
            self.products[key] = ProductFactory(
                contract=ContractFactory(
                    funder=funder,
                    organisation=self.organisation,
                    stream=stream(stream_code),
                    start=D(2025, 1, 1),
                ),
                category="45" if stream_code == "jeugdwet" else "",
                code=f"P-{key}",
                unit=unit,
                tariff_cents=tariff,
            )

    def client(self, bsn: str, cbs_code: str = "0344", born: datetime.date = YOUTH_BORN):
        made = ClientFactory(
            organisation=self.organisation,
            bsn=bsn,
            municipality=municipality(cbs_code),
            date_of_birth=born,
        )
        made.history.update(history_date=_at(D(2025, 1, 1)))
        return made

    def move(self, client, cbs_code: str, on: datetime.date):
        client_update(client=client, municipality=municipality(cbs_code), actor=self.worker)
        client.history.filter(history_date__gt=_at(D(2025, 1, 2))).update(history_date=_at(on))
        return Client.objects.get(pk=client.pk)

    def register(self, client, key, number, *, volume=6000, start=YEAR_START, end=YEAR_END):
        allocation, _matched = allocation_register(
            client=client,
            product=self.products[key],
            number=number,
            volume=volume,
            frequency=Frequency.TOTAL,
            start=start,
            end=end,
            actor=self.worker,
        )
        return allocation

    def session(self, client, day, minutes=60):
        if client.pk not in self._trajectories:
            self._trajectories[client.pk] = TrajectoryFactory(
                client=client, lead_caseworker=self.worker, start=D(2025, 1, 1)
            )
        return activity_log(
            trajectory=self._trajectories[client.pk],
            domain=Domain.CARE,
            kind=ActivityKind.TREATMENT_SESSION,
            date=day,
            duration_minutes=minutes,
            performed_by=self.worker,
            actor=self.worker,
        )

    def annex(self, key, start=MARCH_FIRST, end=APRIL_LAST):
        return report_figures(
            organisation=self.organisation,
            funder=self.funders[key],
            period_start=start,
            period_end=end,
        )


@pytest.fixture
def world():
    return World()


# --- after a move ------------------------------------------------------------------------


def test_an_allocation_running_at_the_move_goes_on_until_the_new_one_is_valid():
    """The pure rule: Utrecht's allocation, valid the day before the move, pays on from the
    move until the first day of Amersfoort's (not before the move); one that ended before the
    move, or a withdrawn one of the new municipality, does not count."""
    utrecht, amersfoort = municipality("0344"), municipality("0307")
    timeline = [(D(2025, 1, 1), utrecht), (MOVED_ON, amersfoort)]
    running = AllocationFactory.build(
        pk=1,
        funder=FunderFactory.build(kind=FunderKind.MUNICIPALITY, code="0344"),
        product=ProductFactory.build(contract=ContractFactory.build(stream=stream("jeugdwet"))),
        start=D(2025, 1, 1),
        end=YEAR_END,
        status=AllocationStatus.ACTIVE,
    )
    ended = AllocationFactory.build(
        pk=2, funder=running.funder, product=running.product, start=D(2025, 1, 1),
        end=D(2025, 3, 1), status=AllocationStatus.ACTIVE,
    )  # fmt: skip
    new = AllocationFactory.build(
        pk=3,
        funder=FunderFactory.build(kind=FunderKind.MUNICIPALITY, code="0307"),
        product=running.product,
        start=D(2025, 4, 1),
        end=YEAR_END,
        status=AllocationStatus.ACTIVE,
    )
    [continuation] = move_continuations(timeline, [running, ended, new])
    assert (continuation.allocation_id, continuation.first, continuation.until) == (
        1,
        MOVED_ON,
        D(2025, 4, 1),
    )
    assert continuation.municipality == utrecht
    assert [continuation.covers(day) for day in (D(2025, 3, 14), MOVED_ON, D(2025, 3, 31))] == [
        False,
        True,
        True,
    ]
    assert not continuation.covers(D(2025, 4, 1))
    new.status = AllocationStatus.WITHDRAWN
    [continuation] = move_continuations(timeline, [running, new])
    assert continuation.until == D.max  # the new municipality has not taken over


# The worked example of a move mid-month (15 March), end to end.
#   allocations: Utrecht TW-UTR 60 minutes, 1 January - 31 December;
#                Amersfoort TW-AMF 60 minutes from 1 April (registered after the care)
#   day        care        paid by                  annex of
#   5 March    60 minutes  TW-UTR (Utrecht)          -
#   20 March   60 minutes  - (TW-UTR used up)        Utrecht: its allocation goes on
#   7 April    60 minutes  TW-AMF (Amersfoort)       -
#   14 April   60 minutes  - (TW-AMF used up)        Amersfoort
def test_a_move_mid_month_each_municipality_has_exactly_its_own_days(world):
    mover = world.client("123456708")
    mover = world.move(mover, "0307", MOVED_ON)
    world.register(mover, "0344", "TW-UTR", volume=60)
    care = {day: world.session(mover, day) for day in (D(2025, 3, 5), D(2025, 3, 20))}
    care |= {day: world.session(mover, day) for day in (D(2025, 4, 7), D(2025, 4, 14))}
    # Before Amersfoort's allocation arrives, Utrecht's goes on: the April care waits on it.
    assert care[D(2025, 3, 5)].allocation.number == "TW-UTR"
    assert care[D(2025, 4, 7)].funding_status == "unfunded"
    world.register(mover, "0307", "TW-AMF", volume=60, start=D(2025, 4, 1))
    for activity in care.values():
        activity.refresh_from_db()
    paid = {
        day: activity.allocation.number if activity.allocation else None
        for day, activity in care.items()
    }
    assert paid == {
        D(2025, 3, 5): "TW-UTR",
        D(2025, 3, 20): None,
        D(2025, 4, 7): "TW-AMF",
        D(2025, 4, 14): None,
    }
    utrecht, amersfoort = world.annex("0344"), world.annex("0307")
    assert [block.number for block in utrecht.allocations] == ["TW-UTR"]
    assert [block.number for block in amersfoort.allocations] == ["TW-AMF"]
    assert [line.date for line in utrecht.unfunded] == [D(2025, 3, 20)]
    assert [line.date for line in amersfoort.unfunded] == [D(2025, 4, 14)]
    # Each valued at its own tariff: 60 minutes at 2.00 and at 1.90.
    assert [line.value_cents for line in utrecht.unfunded] == [12000]
    assert [line.value_cents for line in amersfoort.unfunded] == [11400]


def test_once_the_new_municipality_takes_over_the_old_allocation_no_longer_pays(world):
    mover = world.move(world.client("123456708"), "0307", MOVED_ON)
    world.register(mover, "0344", "TW-UTR")
    world.register(mover, "0307", "TW-AMF", start=D(2025, 4, 1))
    assert world.session(mover, D(2025, 3, 31)).allocation.number == "TW-UTR"
    assert world.session(mover, D(2025, 4, 1)).allocation.number == "TW-AMF"


# --- a Wlz indication beside a Jeugdwet allocation ---------------------------------------


# A 13-year-old in Utrecht with a Jeugdwet allocation of Utrecht; the CIZ indicates Wlz care
# from 1 March 2025 (Jeugdwet art. 1.2 lid 1: the Wlz goes first).
#   day        indication   paid by / responsible
#   20 Feb     none yet     TW-UTR (Jeugdwet)
#   10 March   LVG 4        unfunded: the Wlz goes first; the queue names the care office,
#                           valued at its tariff (1 hour at 60.00)
def test_a_wlz_indication_puts_the_wlz_before_the_jeugdwet(world):
    youth = world.client("123456721")
    world.register(youth, "0344", "TW-UTR")
    before = world.session(youth, D(2025, 2, 20))
    wlz_indication_record(
        client=youth, care_profile="LVG 4", start=D(2025, 3, 1), end=None, actor=world.worker
    )
    after = world.session(youth, D(2025, 3, 10))
    assert before.allocation.number == "TW-UTR"
    assert after.funding_status == "unfunded"
    [refusal] = after.funding_reason["refusals"]
    assert refusal["code"] == "wlz_indication"
    with translation.override("en"):
        text = funding_reason_text(after.funding_reason)
    assert "the client has a Wlz indication of the CIZ on" in text
    assert "so the Wlz goes first (Jeugdwet art. 1.2 lid 1)" in text
    with translation.override("nl"):
        assert "Wlz-indicatie van het CIZ" in funding_reason_text(after.funding_reason)
    [item] = unfunded_queue(organisation=world.organisation).items
    assert (item.funder.name, item.stream.code, item.value_cents) == ("Zorgkantoor", "wlz", 6000)
    assert world.annex("0344").unfunded == []
    assert [line.date for line in world.annex("wlz").unfunded] == [D(2025, 3, 10)]


def test_without_an_indication_the_wlz_is_never_named_though_it_is_cheaper(world):
    """The issue's DEMO-012: waiting crisis care of a youth without a Wlz indication is
    expected from the Jeugdwet of its responsible municipality, at that tariff, not from the
    care office whose product is cheaper per minute (6000 per hour = 100 per minute < 200)."""
    youth = world.client("123456721")
    world.session(youth, D(2025, 3, 10))
    [item] = unfunded_queue(organisation=world.organisation).items
    assert (item.funder.name, item.value_cents) == ("Gemeente Utrecht", 12000)


def test_an_active_wlz_allocation_counts_as_an_indication(world):
    youth = world.client("123456721")
    world.register(youth, "0344", "TW-UTR")
    world.register(youth, "wlz", "WLZ-1", start=D(2025, 3, 1))
    assert world.session(youth, D(2025, 3, 10)).allocation.number == "WLZ-1"


# --- the Zvw: only the client's own insurer ----------------------------------------------


def test_the_zvw_pays_only_through_the_clients_own_insurer(world):
    adult = world.client("123456733", born=ADULT_BORN)
    health_insurance_record(
        client=adult, uzovi="3311", start=D(2025, 1, 1), end=None, actor=world.worker
    )
    world.register(adult, "8888", "ZVW-ANDER")
    activity = world.session(adult, D(2025, 3, 10))
    assert activity.funding_status == "unfunded"
    [refusal] = activity.funding_reason["refusals"]
    assert (refusal["code"], refusal["uzovi"]) == ("not_own_insurer", "3311")
    with translation.override("en"):
        assert "is not the client's own health insurer" in funding_reason_text(
            activity.funding_reason
        )
    # Named and valued at the own insurer's tariff (1.95 a minute), not the cheaper other one.
    [item] = unfunded_queue(organisation=world.organisation).items
    assert (item.funder.name, item.value_cents) == ("Verzekeraar Eigen", 11700)


# --- the queue's named funder and value --------------------------------------------------


# client                              care on 10 March 2025         named funder     value
# 13, Utrecht                         60 min treatment              Gemeente Utrecht 12000
# 13, Utrecht, Wlz indication         60 min treatment              Zorgkantoor       6000
# 20, insured with 3311               60 min treatment              Verzekeraar Eigen 11700
# 20, no insurer recorded             60 min treatment              none (Zvw)            0
# 13, Zwolle (no contract)            60 min treatment              Gemeente Zwolle       0
@pytest.mark.parametrize(
    ("case", "named", "stream_code", "value"),
    [
        ("youth", "Gemeente Utrecht", "jeugdwet", 12000),
        ("wlz", "Zorgkantoor", "wlz", 6000),
        ("insured adult", "Verzekeraar Eigen", "zvw-ggz", 11700),
        ("adult without insurer", None, "zvw-ggz", 0),
        ("youth of Zwolle", "Gemeente Zwolle", "jeugdwet", 0),
    ],
)
def test_the_queue_names_the_responsible_funder_and_values_at_its_tariff(
    world, case, named, stream_code, value
):
    FunderFactory(name="Gemeente Zwolle", kind=FunderKind.MUNICIPALITY, code="0193")
    born = ADULT_BORN if "adult" in case else YOUTH_BORN
    client = world.client("123456745", "0193" if "Zwolle" in case else "0344", born=born)
    if case == "wlz":
        wlz_indication_record(
            client=client, care_profile="VG 5", start=D(2025, 1, 1), end=None, actor=None
        )
    if case == "insured adult":
        health_insurance_record(
            client=client, uzovi="3311", start=D(2025, 1, 1), end=None, actor=None
        )
    world.session(client, D(2025, 3, 10))
    [item] = unfunded_queue(organisation=world.organisation).items
    assert (item.funder.name if item.funder else None) == named
    assert item.stream.code == stream_code
    assert item.value_cents == value


# --- the annex never leaks another funder's clients --------------------------------------


LEAK_BSNS = {
    "utrecht youth": "123456708",
    "amersfoort youth": "123456721",
    "wlz youth": "123456733",
    "own insurer adult": "123456745",
    "other insurer adult": "123456757",
}
OWN_CLIENTS = {
    "0344": {"utrecht youth"},
    "0307": {"amersfoort youth"},
    "wlz": {"wlz youth"},
    "3311": {"own insurer adult"},
    "8888": {"other insurer adult"},
}


@pytest.mark.parametrize("funder_key", sorted(OWN_CLIENTS))
def test_a_funders_annex_never_shows_another_funders_client(world, funder_key):
    clients = {
        "utrecht youth": world.client(LEAK_BSNS["utrecht youth"], "0344"),
        "amersfoort youth": world.client(LEAK_BSNS["amersfoort youth"], "0307"),
        "wlz youth": world.client(LEAK_BSNS["wlz youth"], "0344"),
        "own insurer adult": world.client(LEAK_BSNS["own insurer adult"], born=ADULT_BORN),
        "other insurer adult": world.client(LEAK_BSNS["other insurer adult"], born=ADULT_BORN),
    }
    wlz_indication_record(
        client=clients["wlz youth"], care_profile="LVG 4", start=D(2025, 1, 1), end=None, actor=None
    )
    for key, uzovi in (("own insurer adult", "3311"), ("other insurer adult", "8888")):
        health_insurance_record(
            client=clients[key], uzovi=uzovi, start=D(2025, 1, 1), end=None, actor=None
        )
    # Every client has an allocation of every funder that could hold one: the old annex
    # listed a non-municipal funder's allocation clients whatever the care's route.
    for key, client in clients.items():
        world.session(client, D(2025, 3, 10))
        if "adult" in key:
            world.register(client, "wlz", f"WLZ-{client.pk}", start=D(2025, 6, 1))
    figures = world.annex(funder_key)
    listed = {line.client.bsn or line.client.client_number for line in figures.unfunded}
    own = {clients[key] for key in OWN_CLIENTS[funder_key]}
    assert set(figures.unfunded_client_ids) == {client.pk for client in own}
    assert len(figures.unfunded) == 1
    with translation.override("nl"):
        csv_text = render.render_csv(figures, dialect="nl").decode("utf-8-sig")
    for key, bsn in LEAK_BSNS.items():
        if key not in OWN_CLIENTS[funder_key]:
            assert bsn not in csv_text, key
            assert bsn not in listed, key
            assert clients[key].client_number not in csv_text, key


# --- query counts -----------------------------------------------------------------------


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as context:
        run()
    return len(context)


def test_the_queue_and_the_annex_do_not_grow_with_activities_or_clients(world):
    """A mover, a Wlz youth and an insured adult, then three times as many with more care:
    the same number of queries."""

    def add(n):
        for index in range(n):
            mover = world.move(world.client(""), "0307", MOVED_ON)
            world.register(mover, "0344", f"TW-M{n}-{index}", volume=60)
            wlz = world.client("")
            wlz_indication_record(
                client=wlz, care_profile="LVG 4", start=D(2025, 1, 1), end=None, actor=None
            )
            adult = world.client("", born=ADULT_BORN)
            uzovi = "3311" if index % 2 else "8888"
            health_insurance_record(
                client=adult, uzovi=uzovi, start=D(2025, 1, 1), end=None, actor=None
            )
            # Other days and insurers each time: what the rule remembers does not hide a
            # query per activity.
            for client in (mover, wlz, adult):
                for day in (D(2025, 3, 5 + n), D(2025, 3, 20 + index), D(2025, 4, 7 + n)):
                    world.session(client, day)

    add(1)
    unfunded_queue(organisation=world.organisation)  # stored: the queries counted read it
    queue_small = _queries(lambda: unfunded_queue(organisation=world.organisation))
    annex_small = _queries(lambda: world.annex("0344"))
    add(3)
    unfunded_queue(organisation=world.organisation)
    queue_large = _queries(lambda: unfunded_queue(organisation=world.organisation))
    annex_large = _queries(lambda: world.annex("0344"))
    assert queue_small == queue_large
    assert annex_small == annex_large
    assert unfunded_queue(organisation=world.organisation).count >= 4 * 3 * 2


# --- the pilot's regular route ----------------------------------------------------------


@pytest.mark.parametrize(
    ("indicated", "regular_funder", "regular_cents"),
    [(False, "Gemeente Utrecht", 12000), (True, "Zorgkantoor", 6000)],
)
def test_the_pilots_regular_route_is_the_responsible_funders(
    world, indicated, regular_funder, regular_cents
):
    """A pilot client's hour of care would have cost, on the regular route, the Jeugdwet of
    its municipality (60 minutes at 2.00) without a Wlz indication, though the care office's
    Wlz product is cheaper; with one, the care office's (1 hour at 60.00)."""
    pilot = IntegralPilotFactory(
        contract__organisation=world.organisation, contract__funder=world.funders["0344"]
    )
    pilot_product(pilot, code="INT-ZORG", unit=Unit.HOUR, tariff_cents=5000)
    youth = world.client("123456708")
    if indicated:
        wlz_indication_record(
            client=youth, care_profile="LVG 4", start=D(2025, 1, 1), end=None, actor=None
        )
    pilot_enrol(pilot=pilot, client=youth, actor=world.worker)
    assert world.session(youth, D(2025, 3, 10)).funding_status == "pilot"
    report = pilot_report(pilot=pilot)
    assert [funder.name for funder in report.regular_funders] == [regular_funder]
    assert report.regular_cents == regular_cents


def test_registering_an_indication_moves_the_care_it_covers_to_the_wlz(world):
    """Care already paid by the Jeugdwet from the indication's start is decided again: it
    waits for the Wlz; care before it stays with the Jeugdwet."""
    youth = world.client("123456721")
    world.register(youth, "0344", "TW-UTR")
    before, after = world.session(youth, D(2025, 2, 20)), world.session(youth, D(2025, 3, 10))
    assert after.allocation.number == "TW-UTR"
    wlz_indication_register(
        client=youth, care_profile="LVG 4", start=D(2025, 3, 1), end=None, actor=world.worker
    )
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.allocation.number == "TW-UTR"
    assert after.funding_status == "unfunded"
    assert after.funding_reason["refusals"][0]["code"] == "wlz_indication"


def test_registering_the_own_insurer_moves_care_off_another_insurers_allocation(world):
    adult = world.client("123456733", born=ADULT_BORN)
    world.register(adult, "8888", "ZVW-ANDER")
    activity = world.session(adult, D(2025, 3, 10))
    assert activity.allocation.number == "ZVW-ANDER"  # no insurer recorded: not checked
    health_insurance_register(
        client=adult, uzovi="3311", start=D(2025, 1, 1), end=None, actor=world.worker
    )
    activity.refresh_from_db()
    assert activity.funding_status == "unfunded"
    assert activity.funding_reason["refusals"][0]["code"] == "not_own_insurer"
