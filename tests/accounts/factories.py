import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from apps.accounts.models import Organisation, User

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("agb_code",)

    name = factory.Sequence(lambda n: f"Zorgaanbieder {n}")
    agb_code = factory.Sequence(lambda n: f"{73000000 + n:08d}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=[str(role) for role in extracted]))
