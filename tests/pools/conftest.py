"""A pooled budget of one organisation with a care product at EUR 60 an hour, and its
funders: the municipality of Utrecht, an insurer and a samenwerkingsverband."""

import datetime
from dataclasses import dataclass

import pytest

from apps.accounts.models import Organisation, Role, User
from apps.funding.models import Funder, FunderKind, IntegralPilot, PoolPricing
from apps.trajectories.assignment import pilot_enrol
from apps.trajectories.models import Trajectory
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import HOUR, IntegralPilotFactory, pilot_product, trajectory_of
from tests.funding.factories import FunderFactory, stream
from tests.pools.factories import PoolDomainShareFactory, PoolFunderFactory

D = datetime.date


def funder(kind: str, code: str, name: str) -> Funder:
    found = Funder.objects.filter(kind=kind, code=code).first()
    return found or FunderFactory(kind=kind, code=code, name=name)


@dataclass
class PoolWorld:
    organisation: Organisation
    manager: User
    pool: IntegralPilot
    utrecht: Funder
    insurer: Funder
    swv: Funder

    def part(self, funder: Funder, share_permille: int = 0, stream_code: str | None = None,
             domains: dict | None = None, **values):  # fmt: skip
        part = PoolFunderFactory(
            pool=self.pool,
            funder=funder,
            share_permille=share_permille,
            stream=stream(stream_code) if stream_code else None,
            **values,
        )
        for domain, permille in (domains or {}).items():
            PoolDomainShareFactory(part=part, domain=domain, share_permille=permille)
        return part

    def enrolled(self, start=None, **client) -> Trajectory:
        trajectory = trajectory_of(self.organisation, **client)
        pilot_enrol(pilot=self.pool, client=trajectory.client, actor=self.manager, start=start)
        return trajectory


@pytest.fixture
def make_pool(db):
    def make(**values) -> PoolWorld:
        organisation = OrganisationFactory()
        values.setdefault("pricing", PoolPricing.CLIENT_MONTH)
        if values["pricing"] != PoolPricing.TARIFF:
            values.setdefault("price_cents", 300_000)
        pool = IntegralPilotFactory(contract__organisation=organisation, **values)
        pilot_product(pool, code="INT-UUR", unit=HOUR, tariff_cents=6000)
        return PoolWorld(
            organisation=organisation,
            manager=UserFactory(organisation=organisation, roles=[Role.MANAGER]),
            pool=pool,
            utrecht=funder(FunderKind.MUNICIPALITY, "0344", "Gemeente Utrecht"),
            insurer=funder(FunderKind.HEALTH_INSURER, "3311", "Zorgverzekeraar Midden"),
            swv=funder(FunderKind.SAMENWERKINGSVERBAND, "VO2602", "SWV VO Utrecht"),
        )

    return make
