"""The administrator sets up a pool's funders in the admin, for their own organisation's
pools only."""

from django.urls import reverse

from apps.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.funding.builders import IntegralPilotFactory
from tests.pools.factories import PoolFunderFactory


def test_the_administrator_adds_a_funder_to_their_own_pools_only(db, client, settings):
    settings.REQUIRE_2FA = False
    own = IntegralPilotFactory(name="Eigen pool")
    foreign = IntegralPilotFactory(name="Vreemde pool")
    PoolFunderFactory(pool=foreign)
    administrator = UserFactory(
        roles=[Role.ADMINISTRATOR], is_staff=True, organisation=own.contract.organisation
    )
    client.force_login(administrator)

    add = client.get(reverse("admin:pools_poolfunder_add"))
    changelist = client.get(reverse("admin:pools_poolfunder_changelist"))

    assert add.status_code == 200
    assert list(add.context["adminform"].form.fields["pool"].queryset) == [own]
    assert changelist.context["cl"].result_count == 0
