"""Builders for the funding-control tests (alerts, pace, pilots, mosaic): an integral-pilot
factory and short helpers that go through the real services, so that assignment, history and
the access log happen as in use."""

import datetime
import itertools

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Role
from apps.control.selectors import allocation_list_current, allocation_page_with_use
from apps.funding.models import Allocation, Frequency, IntegralPilot, Unit
from apps.trajectories.assignment import allocation_register
from apps.trajectories.services import activity_log
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
TRAJECTORY_START = datetime.date(2025, 1, 1)
_numbers = itertools.count(1)


class IntegralPilotFactory(DjangoModelFactory[IntegralPilot]):
    """A pilot on a contract of the integral stream, for care, education and work in 2025."""

    class Meta:
        model = IntegralPilot

    contract = factory.SubFactory(
        ContractFactory, stream=factory.LazyFunction(lambda: stream("integraal"))
    )
    name = factory.Sequence(lambda n: f"Pilot Samen Verder {n}")
    domains = factory.LazyFunction(lambda: ["care", "education", "work"])
    budget_cents = 1_000_000
    start = D(2025, 1, 1)
    end = D(2025, 12, 31)


def product(organisation, stream_code="jeugdwet", funder=None, **overrides):
    """A product on a new contract of the organisation in the given stream."""
    contract_values = {"organisation": organisation, "stream": stream(stream_code)}
    if funder is not None:
        contract_values["funder"] = funder
    if stream_code == "wmo":
        overrides.setdefault("category", "02")
    elif stream_code != "jeugdwet":
        overrides.setdefault("category", "")
    return ProductFactory(contract=ContractFactory(**contract_values), **overrides)


def pilot_product(pilot, **overrides):
    """A product of the pilot's own contract: it prices the pilot's care."""
    overrides.setdefault("category", "")
    return ProductFactory(contract=pilot.contract, **overrides)


def trajectory_of(organisation, lead=None, start=TRAJECTORY_START, **client):
    """An open trajectory of a new client of the organisation, with a lead caseworker."""
    lead = lead or UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    return TrajectoryFactory(
        client=ClientFactory(organisation=organisation, **client), start=start, lead_caseworker=lead
    )


def register(client, product, actor, **overrides):
    """allocation_register with a year's total of 600 minutes unless told otherwise."""
    values = {
        "client": client,
        "product": product,
        "number": f"TW-{next(_numbers):05d}",
        "volume": 600,
        "frequency": Frequency.TOTAL,
        "start": D(2025, 1, 1),
        "end": D(2025, 12, 31),
        "actor": actor,
    }
    values.update(overrides)
    allocation, _matched = allocation_register(**values)
    return allocation


def register_weekly_without_end(client, product, actor, **overrides):
    """A weekly allocation without an end date, as one registered before condition CD076 (a
    weekly allocation needs an end date) was checked: registered with an end, which is then
    cleared in the database."""
    allocation = register(client, product, actor, frequency=Frequency.PER_WEEK, **overrides)
    Allocation.objects.filter(pk=allocation.pk).update(end=None)  # legacy data: no history
    allocation.refresh_from_db()
    return allocation


def log(trajectory, day, minutes=60, actor=None, **overrides):
    """activity_log of a treatment session (or what the overrides say) by the lead."""
    actor = actor or trajectory.lead_caseworker
    values = {
        "trajectory": trajectory,
        "domain": "care",
        "kind": "treatment_session",
        "date": day,
        "duration_minutes": minutes,
        "performed_by": actor,
        "actor": actor,
        "note": "GEHEIME-NOTITIE over het gesprek",
    }
    if overrides.get("domain") == "education":
        values.update(kind="lesson", attendance="present")
    elif overrides.get("domain") == "work":
        values.update(kind="job_coaching")
    values.update(overrides)
    return activity_log(**values)


HOUR = Unit.HOUR
MINUTE = Unit.MINUTE


def current_with_use(organisation, today):
    """The organisation's current allocations in the list's order, with their use: every page
    of the funding overview's (and the API's) list at once."""
    current = allocation_list_current(organisation=organisation, today=today)
    return allocation_page_with_use(ids=list(current.values_list("pk", flat=True)), today=today)
