import datetime

import pytest

from apps.accounts.models import Role
from apps.intake.services import ReferralData, RepresentativeData, client_register
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import municipality

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def today(monkeypatch):
    """The services' and views' today, fixed: the phase dates are checked against it."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def caseworker(organisation):
    return UserFactory(organisation=organisation, roles=[Role.CASEWORKER])


@pytest.fixture
def teacher(organisation):
    return UserFactory(organisation=organisation, roles=[Role.TEACHER])


def register(organisation, actor, **overrides):
    """Register a 14-year-old with a parent and a GP referral, as the page would."""
    values = {
        "organisation": organisation,
        "actor": actor,
        "given_name": "Sanne",
        "family_name": "de Vries",
        "pseudonym": "Merel",
        "date_of_birth": datetime.date(2012, 1, 15),
        "bsn": "111222333",
        "street_and_number": "Oudegracht 1",
        "postcode": "3511ab",
        "place": "Utrecht",
        "municipality": municipality("0344"),
        "lead_caseworker": actor,
        "start": datetime.date(2026, 2, 1),
        "representatives": [
            RepresentativeData(name="Anna de Vries", relation="parent", parental_authority=True)
        ],
        "referral": ReferralData(
            kind="02",
            referred_on=datetime.date(2026, 1, 20),
            name="Huisarts Jansen",
            agb_code="01012345",
        ),
    }
    values.update(overrides)
    return client_register(**values)
