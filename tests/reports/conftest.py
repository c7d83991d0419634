import datetime
from dataclasses import dataclass

import pytest

from apps.accounts.models import Role
from apps.funding.models import Frequency, Funder, FunderKind, Unit
from apps.trajectories.assignment import allocation_register
from apps.trajectories.services import activity_cancel, activity_log
from tests.accounts.factories import UserFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date


@dataclass
class Scenario:
    funder: Funder
    organisation: object
    manager: object
    caseworker: object
    shielded_client: object
    plain_client: object
    allocations: dict


@pytest.fixture
def scenario(db) -> Scenario:
    """Two clients of one municipality's Jeugdwet contract (per minute and per hour), care in
    February and March 2025, one session outside the period, one cancelled, one unfunded."""
    funder = Funder.objects.create(
        name="Gemeente Utrecht", kind=FunderKind.MUNICIPALITY, code="0344"
    )
    shielded = TrajectoryFactory(
        start=D(2025, 1, 1),
        client__shielded=True,
        client__given_name="Anna Maria",
        client__bsn="999999990",
        client__date_of_birth=D(2010, 4, 2),
    )
    organisation = shielded.client.organisation
    lead = shielded.lead_caseworker
    plain = TrajectoryFactory(
        start=D(2025, 1, 1),
        client__organisation=organisation,
        client__given_name="Bo",
        client__date_of_birth=D(2011, 6, 1),
        lead_caseworker=lead,
    )
    contract = ContractFactory(
        funder=funder,
        organisation=organisation,
        stream=stream("jeugdwet"),
        reference="JW-UTR-2025",
        start=D(2025, 1, 1),
    )
    per_minute = ProductFactory(contract=contract, code="45A07", unit=Unit.MINUTE, tariff_cents=187)
    per_hour = ProductFactory(
        contract=contract, code="46A01", unit=Unit.HOUR, tariff_cents=12345, category="46"
    )
    allocations = {}
    for name, trajectory, product in (("a", shielded, per_minute), ("b", plain, per_hour)):
        allocations[name], _ = allocation_register(
            client=trajectory.client,
            product=product,
            number=f"TW-{name.upper()}-1",
            volume=6000,
            frequency=Frequency.TOTAL,
            start=D(2025, 1, 1),
            end=D(2025, 12, 31),
            actor=lead,
        )

    def log(trajectory, day, minutes, **extra):
        return activity_log(
            trajectory=trajectory,
            domain="care",
            kind="treatment_session",
            date=day,
            duration_minutes=minutes,
            performed_by=lead,
            actor=lead,
            **extra,
        )

    log(shielded, D(2025, 2, 3), 45)
    log(shielded, D(2025, 2, 17), 50)
    log(shielded, D(2025, 3, 3), 45)
    log(shielded, D(2025, 4, 7), 60)  # after the period
    activity_cancel(activity=log(shielded, D(2025, 3, 10), 90), actor=lead)  # never counts
    log(plain, D(2025, 2, 4), 40)
    log(plain, D(2025, 3, 25), 35)
    # Care under a stream this contract cannot pay for waits unfunded (annex). (A lesson
    # would not: schools are not paid per lesson, so it is never waiting for funding.)
    activity_log(
        trajectory=plain,
        domain="work",
        kind="job_coaching",
        date=D(2025, 3, 12),
        duration_minutes=50,
        performed_by=lead,
        actor=lead,
    )
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    return Scenario(funder, organisation, manager, lead, shielded.client, plain.client, allocations)
