"""The woonplaatsbeginsel: only the client's responsible municipality pays Jeugdwet (and Wmo)
care, on the day of the care.

Sources (consulted November 2026):

- Jeugdwet art. 1.1, "woonplaats", as changed by the Wet wijziging woonplaatsbeginsel (in force
  1 January 2022), explained by the VNG, https://vng.nl/artikelen/woonplaatsbeginsel-jeugdhulp :
  1° the municipality where the young person has their address in the BRP (Wet basisregistratie
  personen art. 1.1 under o); 2° during a stay with a youth-care provider, foster parents, a
  shelter or beschermd wonen: the municipality of the BRP address just before the stay;
  3° otherwise (or with a BRP note of art. 2.26): where the mother lived at the birth, and else
  where the young person actually stays at the moment of the request for help. Before 2022 it
  was the municipality of the parent or guardian with authority (gezag).
- Sociaal Domein Fryslân,
  https://www.sdfryslan.nl/jeugd/wet-wijziging-woonplaatsbeginsel-1-januari-2022 :
  for ambulant care the municipality where the young person is registered in the BRP "at that
  moment"; with a stay, the one registered just before the stay.

The app records the outcome (``Client.responsible_municipality``, decided by
``responsible_municipality_decide``) and its history; a move counts from the day it was
recorded. Regions are not checked: which municipalities a region acts for is not recorded.
"""

import datetime

import pytest
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.clients.models import Client
from apps.clients.services import client_update
from apps.control.selectors import unfunded_queue
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import Frequency, FunderKind
from apps.funding.reasons import funding_reason_text
from apps.funding.rules import responsibility_timeline, responsible_municipality_on
from apps.trajectories.assignment import allocation_register
from apps.trajectories.services import activity_log
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory, municipality
from tests.funding.factories import ContractFactory, FunderFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db
D = datetime.date
MOVED_ON = D(2025, 3, 15)  # from Utrecht (0344) to Amersfoort (0307)
YEAR_START = D(2025, 1, 1)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _moved_client(organisation, actor):
    """A client registered in Utrecht on 1 January 2025 who moves to Amersfoort on 15 March."""
    client = ClientFactory(organisation=organisation, municipality=municipality("0344"))
    client.history.update(history_date=_at(D(2025, 1, 1)))
    client_update(client=client, municipality=municipality("0307"), actor=actor)
    client.history.filter(history_date__gt=_at(D(2025, 1, 2))).update(history_date=_at(MOVED_ON))
    return Client.objects.get(pk=client.pk)


def _jeugdwet_product(organisation, cbs_code: str, name: str):
    funder = FunderFactory(name=name, code=cbs_code)
    assert funder.kind == FunderKind.MUNICIPALITY
    return ProductFactory(
        contract=ContractFactory(
            funder=funder, organisation=organisation, stream=stream("jeugdwet")
        ),
        tariff_cents=200,
    )


@pytest.fixture
def moved():
    organisation = OrganisationFactory()
    worker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    client = _moved_client(organisation, worker)
    trajectory = TrajectoryFactory(client=client, lead_caseworker=worker)
    utrecht = _jeugdwet_product(organisation, "0344", "Gemeente Utrecht")
    amersfoort = _jeugdwet_product(organisation, "0307", "Gemeente Amersfoort")
    return organisation, worker, client, trajectory, utrecht, amersfoort


def _register(client, product, number, actor, start=YEAR_START):
    allocation, _matched = allocation_register(
        client=client,
        product=product,
        number=number,
        volume=6000,
        frequency=Frequency.TOTAL,
        start=start,
        end=D(2025, 12, 31),
        actor=actor,
    )
    return allocation


def _session(trajectory, worker, day):
    return activity_log(
        trajectory=trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.TREATMENT_SESSION,
        date=day,
        duration_minutes=60,
        performed_by=worker,
        actor=worker,
    )


def test_the_responsible_municipality_is_read_from_the_history_on_the_day(moved):
    _organisation, _worker, client, *_ = moved
    timeline = responsibility_timeline(client)
    assert [(day, m.cbs_code) for day, m in timeline] == [
        (D(2025, 1, 1), "0344"),
        (MOVED_ON, "0307"),
    ]
    on = {
        day: responsible_municipality_on(client, day, timeline).cbs_code
        for day in (D(2024, 12, 1), D(2025, 3, 14), MOVED_ON, D(2025, 3, 31))
    }
    # Before the first record: the municipality the client was registered with.
    assert on == {D(2024, 12, 1): "0344", D(2025, 3, 14): "0344", MOVED_ON: "0307"} | {
        D(2025, 3, 31): "0307"
    }
    assert responsible_municipality_on(client, D(2025, 3, 14)).cbs_code == "0344"  # reads it


# The worked example: care in March 2025 of a client who moves on 15 March.
#   day        allocations                       paid by
#   10 March   Utrecht + Amersfoort              Utrecht's allocation
#   20 March   Utrecht + Amersfoort              Amersfoort's allocation
#   10 March   Utrecht only                      Utrecht's allocation
#   20 March   Utrecht only                      Utrecht's: it goes on until Amersfoort takes
#                                                over (docs/funding.md, "Who is responsible")
#   20 March   Utrecht's, from the move on only  unfunded: "... Gemeente Amersfoort pays ..."
#                                                (it did not run at the move, so it does not
#                                                go on)
@pytest.mark.parametrize(
    ("with_amersfoort", "utrecht_from", "day", "paid_by"),
    [
        (True, D(2025, 1, 1), D(2025, 3, 10), "TW-UTR"),
        (True, D(2025, 1, 1), D(2025, 3, 20), "TW-AMF"),
        (False, D(2025, 1, 1), D(2025, 3, 10), "TW-UTR"),
        (False, D(2025, 1, 1), D(2025, 3, 20), "TW-UTR"),
        (False, MOVED_ON, D(2025, 3, 20), None),
    ],
)
def test_care_around_a_move_is_paid_by_the_municipality_responsible_on_its_day(
    moved, with_amersfoort, utrecht_from, day, paid_by
):
    _organisation, worker, client, trajectory, utrecht, amersfoort = moved
    _register(client, utrecht, "TW-UTR", worker, start=utrecht_from)
    if with_amersfoort:
        _register(client, amersfoort, "TW-AMF", worker)
    activity = _session(trajectory, worker, day)
    if paid_by is not None:
        assert activity.funding_status == "funded"
        assert activity.allocation.number == paid_by
        return
    assert activity.funding_status == "unfunded"
    (refusal,) = activity.funding_reason["refusals"]
    assert refusal["code"] == "not_responsible_municipality"
    assert refusal["municipality"] == "Amersfoort"
    with translation.override("en"):
        text = funding_reason_text(activity.funding_reason)
    assert "Gemeente Utrecht (allocation TW-UTR) is not the responsible municipality" in text
    assert "the woonplaatsbeginsel Amersfoort pays for Jeugdwet care" in text
    with translation.override("nl"):
        text = funding_reason_text(activity.funding_reason)
    assert "Gemeente Utrecht (toewijzing TW-UTR) is op 20-03-2025 niet de verantwoordelijke" in (
        text
    )
    assert "volgens het woonplaatsbeginsel betaalt Amersfoort de zorg onder de Jeugdwet" in text


def test_the_queue_names_the_municipality_responsible_on_the_day(moved):
    """Utrecht's Jeugdwet product is cheaper, but after the move only Amersfoort may pay."""
    organisation, worker, _client, trajectory, utrecht, _amersfoort = moved
    utrecht.tariff_cents = 100
    utrecht.save()
    before, after = (
        _session(trajectory, worker, D(2025, 3, 10)),
        _session(trajectory, worker, D(2025, 3, 20)),
    )
    queue = unfunded_queue(organisation=organisation)
    named = {item.activity.pk: item.funder.name for item in queue.items}
    assert named == {before.pk: "Gemeente Utrecht", after.pk: "Gemeente Amersfoort"}
    values = {item.activity.pk: item.value_cents for item in queue.items}
    assert values == {before.pk: 60 * 100, after.pk: 60 * 200}


def test_a_zvw_allocation_is_not_bound_to_the_municipality(moved):
    organisation, worker, client, trajectory, *_ = moved
    insurer = FunderFactory(name="Zorgverzekeraar", kind=FunderKind.HEALTH_INSURER, code="3999")
    product = ProductFactory(
        contract=ContractFactory(funder=insurer, organisation=organisation, stream=stream("wlz")),
        category="",
    )
    _register(client, product, "WLZ-1", worker)
    assert _session(trajectory, worker, D(2025, 3, 20)).allocation.number == "WLZ-1"
