import datetime

import factory
from factory.django import DjangoModelFactory

from apps.clients.models import Client, Municipality, ResponsibilityRule
from tests.accounts.factories import OrganisationFactory


def municipality(cbs_code: str = "0363") -> Municipality:
    """A municipality from the reference table the migration loaded."""
    return Municipality.objects.get(cbs_code=cbs_code)


class ClientFactory(DjangoModelFactory[Client]):
    class Meta:
        model = Client

    organisation = factory.SubFactory(OrganisationFactory)
    client_number = factory.Sequence(lambda n: f"C{n:05d}")
    given_name = factory.Faker("first_name", locale="nl_NL")
    family_name = factory.Faker("last_name", locale="nl_NL")
    pseudonym = factory.Sequence(lambda n: f"Roos-{n}")
    date_of_birth = datetime.date(2010, 5, 17)
    # Utrecht: the municipality the funding tests' "Gemeente Utrecht" (CBS 0344) stands for.
    municipality = factory.LazyFunction(lambda: municipality("0344"))
    responsible_municipality = factory.SelfAttribute("municipality")
    responsibility_rule = ResponsibilityRule.REGISTERED_ADDRESS
    status = "active"

    class Params:
        shielded_client = factory.Trait(shielded=True)


def extended_youth_care(
    client: Client,
    *,
    until: datetime.date,
    actor,
    start: datetime.date | None = None,
    basis: str = "continued",
    **fields,
):
    """Record extended youth care through the service: by default youth care that started a
    year before the 18th birthday and is continued from the birthday on."""
    from apps.clients.youth_care import extended_youth_care_record

    turns_18 = client.birthday(18)
    values = {
        "basis": basis,
        "care_started_on": turns_18 - datetime.timedelta(days=365),
        "decided_by": "College van B&W, gemeente Utrecht",
        "decision_reference": "VJH-TEST",
        "decision_date": turns_18 - datetime.timedelta(days=30),
        "start": start or turns_18,
        "until": until,
    }
    values.update(fields)
    return extended_youth_care_record(client=client, actor=actor, **values)


def consent_given(
    client: Client,
    recipient: str,
    *,
    given_on: datetime.date,
    purpose: str = "Schooling and work alongside the care",
    **fields,
):
    """A consent to share with the recipient, as the test world's fact (not through the service
    and its age rules, which tests/clients/test_consent.py pins): a teacher's or job coach's
    lane rests on one (apps.trajectories.access)."""
    from apps.clients.models import Consent

    return Consent.objects.create(
        client=client,
        recipient=recipient,
        purpose=purpose,
        given_by_young_person=True,
        age_when_given=max(0, client.age_on(given_on)),
        given_on=given_on,
        **fields,
    )
