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
