"""A Zvw referral as a funder's legal basis in a pool (the client's own, from the client's Zvw
route), the dates of a legal basis within the pool's period, and the shares per domain that
make the whole (1000 per mille) at each age."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.funding.models import PilotEnrolment, SplitRule
from apps.pools.models import PoolBasis, PoolDomainShare
from apps.pools.selectors import pool_share_problems
from apps.pools.services import pool_basis_record
from tests.accounts.factories import UserFactory
from tests.funding.builders import trajectory_of
from tests.pools.factories import signed_in
from tests.zvw.factories import complete_route

D = datetime.date


@pytest.fixture
def world(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 1000, stream_code="jeugdwet")
    world.part(world.insurer, 1000, stream_code="zvw-ggz")
    world.adult = trajectory_of(world.organisation, date_of_birth=D(2000, 1, 1))
    world.route, _matched = complete_route(world.adult.client, world.manager)  # UZOVI 3311
    world.other = trajectory_of(world.organisation, date_of_birth=D(2001, 1, 1))
    world.other_route, _matched = complete_route(world.other.client, world.manager)
    return world


def _enrol(client, world, **values):
    data = {
        "client": world.adult.client.client_number,
        "start": "2025-03-01",
        "funder": world.insurer.pk,
        "kind": "zvw_referral",
        "zvw_referral": world.route.pk,
        **values,
    }
    return signed_in(client, world.manager).post(
        reverse("pools:detail", args=[world.pool.pk]), data
    )


def test_enrolling_with_the_clients_own_referral_links_it(client, world):
    page = signed_in(client, world.manager).get(reverse("pools:detail", args=[world.pool.pk]))
    assert "The client&#x27;s referral (Zvw)" in page.text

    response = _enrol(client, world)

    assert response.status_code == 302
    basis = PoolBasis.objects.get(enrolment__client=world.adult.client)
    assert (basis.kind, basis.zvw_referral, basis.funder) == (
        "zvw_referral",
        world.route,
        world.insurer,
    )
    # Without a reference of its own, the referral's: who referred and when.
    assert basis.reference == "01012345 2025-03-01"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"zvw_referral": "OTHER"}, "Not this client&#x27;s referral: choose a referral of client"),
        ({"kind": "tlv", "reference": "TLV-1"}, "A referral goes with the legal basis"),
        ({"zvw_referral": "999999"}, "Choose one of the referrals listed."),
        ({"zvw_referral": "x'; drop"}, "Choose one of the referrals listed."),
    ],
)
def test_another_clients_or_a_garbage_referral_is_refused_and_nothing_saved(
    client, world, values, message
):
    if values.get("zvw_referral") == "OTHER":
        values["zvw_referral"] = world.other_route.pk
    response = _enrol(client, world, **values)
    assert response.status_code == 200
    assert message in response.text
    assert not PilotEnrolment.objects.filter(client=world.adult.client).exists()
    assert not PoolBasis.objects.exists()


def test_another_organisations_referral_is_not_a_choice(client, world):
    foreign = trajectory_of(UserFactory().organisation, date_of_birth=D(2000, 1, 1))
    foreign_route, _matched = complete_route(foreign.client, world.manager)
    response = _enrol(client, world, zvw_referral=foreign_route.pk)
    assert response.status_code == 200
    assert "Choose one of the referrals listed." in response.text
    assert not PoolBasis.objects.exists()


def test_the_dutch_form_refuses_another_clients_referral_in_dutch(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = signed_in(client, world.manager, "nl").post(
        reverse("pools:detail", args=[world.pool.pk]),
        {
            "client": world.adult.client.client_number,
            "funder": world.insurer.pk,
            "kind": "zvw_referral",
            "zvw_referral": world.other_route.pk,
        },
    )
    assert response.status_code == 200
    assert "Niet de verwijzing van deze cliënt" in response.text


def test_the_service_refuses_another_clients_referral_or_another_insurer(world):
    from apps.trajectories.assignment import pilot_enrol

    pilot_enrol(pilot=world.pool, client=world.adult.client, actor=world.manager)
    enrolment = PilotEnrolment.objects.get(client=world.adult.client)
    values = {
        "enrolment": enrolment,
        "funder": world.insurer,
        "kind": "zvw_referral",
        "reference": "",
        "start": D(2025, 1, 1),
        "actor": world.manager,
    }
    with translation.override("en"), pytest.raises(ValidationError) as other:
        pool_basis_record(**values, zvw_referral=world.other_route)
    assert "This is not a referral of this client." in str(other.value)
    world.route.uzovi = "3999"
    world.route.save()
    with translation.override("en"), pytest.raises(ValidationError) as insurer:
        pool_basis_record(**values, zvw_referral=world.route)
    assert "another insurer (UZOVI 3999)" in str(insurer.value)
    assert not PoolBasis.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (D(2024, 12, 1), None, "start"),
        (D(2025, 6, 1), D(2026, 1, 31), "end"),
        (D(2026, 1, 1), None, "start"),
    ],
)
def test_a_basis_lies_within_the_pools_period(world, start, end, field):
    from apps.trajectories.assignment import pilot_enrol

    pilot_enrol(pilot=world.pool, client=world.adult.client, actor=world.manager)
    enrolment = PilotEnrolment.objects.get(client=world.adult.client)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        pool_basis_record(
            enrolment=enrolment,
            funder=world.utrecht,
            kind="allocation",
            reference="JW-1",
            start=start,
            end=end,
            actor=world.manager,
        )
    assert field in refused.value.message_dict
    assert "within the pool's period" in refused.value.message_dict[field][0]
    with translation.override("nl"), pytest.raises(ValidationError) as dutch:
        PoolBasis(enrolment=enrolment, start=start, end=end).clean()
    assert "binnen de looptijd van de pot" in str(dutch.value)
    assert not PoolBasis.objects.exists()


def test_the_basis_form_refuses_dates_outside_the_pool(client, world):
    from apps.trajectories.assignment import pilot_enrol

    pilot_enrol(pilot=world.pool, client=world.adult.client, actor=world.manager)
    enrolment = PilotEnrolment.objects.get(client=world.adult.client)
    response = signed_in(client, world.manager).post(
        reverse("pools:basis_new", args=[world.pool.pk]),
        {
            "enrolment": enrolment.pk,
            "funder": world.insurer.pk,
            "kind": "zvw_referral",
            "zvw_referral": world.route.pk,
            "start": "2027-01-01",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "within the pool&#x27;s period" in response.text
    assert not PoolBasis.objects.exists()


# --- shares per domain ------------------------------------------------------------------


def test_shares_per_domain_that_do_not_make_the_whole_are_named(make_pool):
    world = make_pool(split_rule=SplitRule.DOMAIN)
    world.part(world.utrecht, stream_code="jeugdwet", domains={"care": 600, "work": 1000})
    world.part(world.insurer, stream_code="zvw-ggz", domains={"care": 1000})
    world.part(world.swv, domains={"education": 1000, "care": 400})

    with translation.override("en"):
        problems = pool_share_problems(pool=world.pool)

    # Before 18: care 600 + 400 = 1000. From 18: the insurer's 1000 + the SWV's 400 = 1400.
    # Work from 18: no funder at all, which the page shows as "No funder", not listed here.
    assert problems == [
        "Care: the shares of the funders that pay at the age of 18 come to 1400 per mille; "
        "together they must make the whole (1000)."
    ]
    world.pool.split_rule = SplitRule.FIXED
    assert pool_share_problems(pool=world.pool) == []


def test_the_pool_page_names_shares_that_do_not_make_the_whole(client, make_pool):
    world = make_pool(split_rule=SplitRule.DOMAIN)
    world.part(world.utrecht, domains={"care": 700})
    response = signed_in(client, world.manager, "nl").get(
        reverse("pools:detail", args=[world.pool.pk])
    )
    assert "komen uit op 700 promille" in response.text


def _admin(client, world):
    administrator = UserFactory(
        roles=[Role.ADMINISTRATOR], is_staff=True, organisation=world.organisation
    )
    client.force_login(administrator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _admin_data(world, funder, shares):
    data = {
        "pool": world.pool.pk,
        "funder": funder.pk,
        "stream": "",
        "share_permille": "0",
        "contribution_cents": "0",
        "domain_shares-TOTAL_FORMS": str(len(shares)),
        "domain_shares-INITIAL_FORMS": "0",
        "payments-TOTAL_FORMS": "0",
        "payments-INITIAL_FORMS": "0",
    }
    for index, (domain, permille) in enumerate(shares):
        data[f"domain_shares-{index}-domain"] = domain
        data[f"domain_shares-{index}-share_permille"] = str(permille)
    return data


def test_the_admin_refuses_domain_shares_over_the_whole(client, make_pool, settings):
    settings.REQUIRE_2FA = False
    world = make_pool(split_rule=SplitRule.DOMAIN)
    world.part(world.utrecht, domains={"care": 700})
    admin = _admin(client, world)

    over = admin.post(
        reverse("admin:pools_poolfunder_add"), _admin_data(world, world.swv, [("care", 400)])
    )
    assert over.status_code == 200
    assert "come to 1100 per mille" in over.text
    assert PoolDomainShare.objects.count() == 1

    fits = admin.post(
        reverse("admin:pools_poolfunder_add"),
        _admin_data(world, world.swv, [("care", 300)]),
        follow=True,
    )
    assert fits.status_code == 200
    assert PoolDomainShare.objects.count() == 2
    assert "must make the whole" not in fits.text  # care makes 1000 now
