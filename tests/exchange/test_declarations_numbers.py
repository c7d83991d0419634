"""Declaration numbers are the provider's own: two organisations in one installation each
number their declarations with their own counter (TR333: unique for the sender)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from apps.accounts.models import Role
from apps.exchange.declarations import declaration_draft, declaration_send
from apps.exchange.models import DeclarationRun, DeclarationStatus
from apps.funding.models import Frequency, Unit
from apps.trajectories.assignment import allocation_register
from apps.trajectories.services import activity_log
from tests.accounts.factories import UserFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

from .factories_declarations import OCTOBER, world_fixture  # noqa: F401

D = datetime.date
pytestmark = pytest.mark.django_db


def _second_provider(world):
    """Another organisation with care on the same municipality in October."""
    trajectory = TrajectoryFactory(start=D(2025, 1, 1), client__bsn="111222333")
    organisation = trajectory.client.organisation
    assert organisation != world.organisation
    lead = trajectory.lead_caseworker
    contract = ContractFactory(
        funder=world.funder,
        organisation=organisation,
        stream=stream("jeugdwet"),
        start=D(2025, 1, 1),
    )
    product = ProductFactory(
        contract=contract, code="45A07", unit=Unit.MINUTE, tariff_cents=187, category="45"
    )
    allocation_register(
        client=trajectory.client,
        product=product,
        number="2001",
        volume=6000,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        actor=lead,
    )
    activity_log(
        trajectory=trajectory,
        domain="care",
        kind="treatment_session",
        date=D(2025, 10, 8),
        duration_minutes=30,
        performed_by=lead,
        actor=lead,
    )
    return organisation, UserFactory(organisation=organisation, roles=[Role.MANAGER])


def test_tr333_each_provider_numbers_its_own_declarations(world):
    other, other_manager = _second_provider(world)
    (mine,) = declaration_draft(
        organisation=world.organisation, funder=world.funder, month=OCTOBER, actor=world.manager
    )
    (theirs,) = declaration_draft(
        organisation=other, funder=world.funder, month=OCTOBER, actor=other_manager
    )
    # Each organisation's outgoing counter starts at 1: the same number, twice, is allowed.
    assert mine.number == theirs.number
    for run, actor in ((mine, world.manager), (theirs, other_manager)):
        assert declaration_send(run=run, actor=actor).status == DeclarationStatus.SENT


def test_tr333_a_provider_never_uses_a_declaration_number_twice(world):
    (run,) = declaration_draft(
        organisation=world.organisation, funder=world.funder, month=OCTOBER, actor=world.manager
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclarationRun.objects.create(
            organisation=world.organisation,
            funder=world.funder,
            standard=run.standard,
            period_start=D(2025, 9, 1),
            period_end=D(2025, 9, 30),
            number=run.number,
        )
