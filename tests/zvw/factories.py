"""Factories and short builders for the Zvw tests: they go through the real services, so that
assignment, history and the access log happen as in use."""

import datetime

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Role
from apps.zvw.models import PractitionerProfile, Profession, ReferralType
from apps.zvw.services import care_demand_typing_record, zvw_route_save
from tests.accounts.factories import UserFactory

D = datetime.date
REFERRED = D(2025, 3, 1)
TYPED = D(2025, 5, 1)


class PractitionerProfileFactory(DjangoModelFactory[PractitionerProfile]):
    class Meta:
        model = PractitionerProfile

    user = factory.SubFactory(UserFactory, roles=[Role.CASEWORKER])
    profession = Profession.GZ_PSYCHOLOOG


def practitioner(organisation, profession=Profession.GZ_PSYCHOLOOG):
    """A caseworker of the organisation with a profession on the zorgprestatiemodel's list."""
    user = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    PractitionerProfileFactory(user=user, profession=profession)
    return user


def complete_route(client, actor, *, regiebehandelaar=None, referral_date=REFERRED):
    """Every piece the insurer needs, except the care-demand typing."""
    route, matched = zvw_route_save(
        client=client,
        actor=actor,
        uzovi="3311",
        policy_number="123456789",
        insurance_checked_on=D(2025, 5, 1),
        referral_type=ReferralType.GP,
        referrer_name="Huisartsenpraktijk De Linde",
        referrer_agb="01012345",
        referral_date=referral_date,
        regiebehandelaar=regiebehandelaar or practitioner(client.organisation),
    )
    return route, matched


def typed(client, actor, measured_on=TYPED, care_demand_type="X1"):
    return care_demand_typing_record(
        client=client, care_demand_type=care_demand_type, measured_on=measured_on, actor=actor
    )
