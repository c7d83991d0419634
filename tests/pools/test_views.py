"""The manager's pool pages: who may open them (a wrong role and another organisation get a
logged 404), what they log, enrolling with a funder's legal basis, ending a client's part,
recording a basis, and the export of a funder's share (only its own clients, by BSN and its
own legal basis)."""

import datetime

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.funding.models import PilotEnrolment, SplitRule
from apps.pools.models import PoolBasis
from tests.accounts.factories import UserFactory
from tests.funding.builders import IntegralPilotFactory, trajectory_of
from tests.pools.factories import signed_in

D = datetime.date


@pytest.fixture
def world(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 1000, stream_code="jeugdwet")
    world.part(world.insurer, 1000, stream_code="zvw-ggz")
    world.young = world.enrolled(
        start=D(2025, 1, 1), bsn="111222333", given_name="Xandriel", shielded=True
    )
    world.adult = world.enrolled(start=D(2025, 1, 1), date_of_birth=D(2000, 1, 1), bsn="")
    return world


def test_the_pool_list_and_page_show_the_pool_and_log_its_clients(client, world):
    manager = world.manager

    listed = signed_in(client, manager).get(reverse("pools:list"))
    page = client.get(reverse("pools:detail", args=[world.pool.pk]))

    assert listed.status_code == 200
    assert world.pool.name in listed.text
    assert page.status_code == 200
    text = page.text
    assert "The pool beside the regular route" in text
    assert "Assumptions" in text
    assert "Xandriel" not in text  # shielded: the pseudonym only
    logged = AccessLogEntry.objects.filter(user=manager, detail="pooled budget", event="view")
    assert {entry.client_id for entry in logged} == {
        world.young.client_id,
        world.adult.client_id,
    }


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.TEACHER, Role.PRIVACY_OFFICER])
def test_other_roles_get_a_logged_404(client, world, role):
    user = UserFactory(organisation=world.organisation, roles=[role])
    for url in (
        reverse("pools:list"),
        reverse("pools:detail", args=[world.pool.pk]),
        reverse("pools:funder_export", args=[world.pool.pk, world.utrecht.pk, "csv"]),
    ):
        response = signed_in(client, user).get(url)
        assert response.status_code == 404
        entry = AccessLogEntry.objects.filter(user=user).latest("pk")
        assert (entry.outcome, entry.detail) == ("refused", "pooled budget")


def test_another_organisations_pool_is_not_found_and_logged(client, world):
    foreign = IntegralPilotFactory(name="Vreemde pool")
    response = signed_in(client, world.manager).get(reverse("pools:detail", args=[foreign.pk]))
    assert response.status_code == 404
    assert "Vreemde" not in response.text
    entry = AccessLogEntry.objects.filter(user=world.manager).latest("pk")
    assert (entry.outcome, entry.detail, entry.client) == ("refused", "pooled budget", None)


def test_a_manager_enrols_a_client_with_the_funders_legal_basis(client, world):
    trajectory = trajectory_of(world.organisation)
    response = signed_in(client, world.manager).post(
        reverse("pools:detail", args=[world.pool.pk]),
        {
            "client": trajectory.client.client_number,
            "start": "2025-03-01",
            "funder": world.utrecht.pk,
            "kind": "allocation",
            "reference": "JW-2025-0042",
        },
    )
    assert response.status_code == 302
    enrolment = PilotEnrolment.objects.get(client=trajectory.client)
    assert enrolment.start == D(2025, 3, 1)
    basis = PoolBasis.objects.get(enrolment=enrolment)
    assert (basis.funder, basis.kind, basis.reference) == (
        world.utrecht,
        "allocation",
        "JW-2025-0042",
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"start": "2026-02-01"}, "The pool runs from"),
        ({"reference": "JW-1"}, "Give the funder, the kind and the reference."),
        ({"client": "ONBEKEND"}, "No client with this number in your organisation."),
        ({"start": "morgen"}, "Enter a valid date."),
    ],
)
def test_a_bad_enrolment_says_why_and_saves_nothing(client, world, values, message):
    trajectory = trajectory_of(world.organisation)
    data = {"client": trajectory.client.client_number, **values}
    response = signed_in(client, world.manager).post(
        reverse("pools:detail", args=[world.pool.pk]), data
    )
    assert response.status_code == 200
    assert message in response.text
    assert not PilotEnrolment.objects.filter(client=trajectory.client).exists()
    assert not PoolBasis.objects.exists()


def test_ending_a_clients_part_and_a_bad_end(client, world):
    enrolment = PilotEnrolment.objects.get(client=world.adult.client)
    url = reverse("pools:enrolment_exit", args=[world.pool.pk, enrolment.pk])

    before = signed_in(client, world.manager).post(url, {"end": "2024-12-31"}, follow=True)
    assert "The client takes part from" in before.text
    enrolment.refresh_from_db()
    assert enrolment.end is None

    response = client.post(url, {"end": "2025-06-30"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.end == D(2025, 6, 30)


def test_recording_a_basis_checks_the_funder_takes_part(client, world):
    enrolment = PilotEnrolment.objects.get(client=world.adult.client)
    url = reverse("pools:basis_new", args=[world.pool.pk])
    data = {
        "enrolment": enrolment.pk,
        "funder": world.insurer.pk,
        "kind": "zvw_referral",
        "reference": "VW-778",
        "start": "2025-01-01",
    }
    signed_in(client, world.manager).post(url, {**data, "funder": world.swv.pk}, follow=True)
    assert not PoolBasis.objects.exists()  # the samenwerkingsverband is not in this pool

    response = client.post(url, data)
    assert response.status_code == 302
    assert PoolBasis.objects.get().reference == "VW-778"


def test_a_funders_export_lists_only_its_own_clients_by_bsn_and_basis(client, world):
    young = PilotEnrolment.objects.get(client=world.young.client)
    PoolBasis.objects.create(
        enrolment=young,
        funder=world.utrecht,
        kind="allocation",
        reference="JW-555",
        start=D(2025, 1, 1),
    )
    url = reverse("pools:funder_export", args=[world.pool.pk, world.utrecht.pk, "csv"])

    response = signed_in(client, world.manager).get(url, {"year": 2025})

    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert "111222333" in text  # the minor: the municipality's client (Jeugdwet)
    assert "JW-555" in text
    assert "Xandriel" not in text
    # The adult is the insurer's (Zvw from 18): not in the municipality's export.
    assert world.adult.client.client_number not in text
    exported = AccessLogEntry.objects.filter(user=world.manager, event="export")
    assert {entry.client_id for entry in exported} == {world.young.client_id}

    pdf = client.get(
        reverse("pools:funder_export", args=[world.pool.pk, world.insurer.pk, "pdf"]),
        {"year": 2025},
    )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_a_funder_outside_the_pool_or_an_unknown_format_is_not_found(client, world):
    for args in (
        [world.pool.pk, world.swv.pk, "csv"],
        [world.pool.pk, world.utrecht.pk, "xlsx"],
    ):
        response = signed_in(client, world.manager).get(reverse("pools:funder_export", args=args))
        assert response.status_code == 404


def test_the_pool_list_takes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    IntegralPilotFactory(contract__organisation=world.organisation, name="Tweede pool")
    signed_in(client, world.manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("pools:list"))
    assert response.status_code == 200


def test_the_pool_page_takes_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    signed_in(client, world.manager)
    # One ledger per request (the page derives the rest from it), a fixed number of reads
    # whatever the number of clients or activities.
    with django_assert_max_num_queries(60):
        response = client.get(reverse("pools:detail", args=[world.pool.pk]))
    assert response.status_code == 200


# --- a review as an attacker and as a funder -----------------------------------------------


def test_an_enrolment_of_another_pool_in_the_exit_url_is_not_found_and_logged(client, world):
    other = make_other_pool(world)
    enrolment = PilotEnrolment.objects.get(pilot=other)
    url = reverse("pools:enrolment_exit", args=[world.pool.pk, enrolment.pk])

    response = signed_in(client, world.manager).post(url, {"end": "2025-06-30"})

    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.end is None
    entry = AccessLogEntry.objects.filter(user=world.manager).latest("pk")
    assert (entry.outcome, entry.detail) == ("refused", "pooled budget")


def make_other_pool(world):
    """A second pool of the same organisation, with a client of its own."""
    other = IntegralPilotFactory(contract__organisation=world.organisation, name="Andere pool")
    trajectory = trajectory_of(world.organisation)
    PilotEnrolment.objects.create(pilot=other, client=trajectory.client, start=D(2025, 1, 1))
    return other


def test_a_basis_for_an_enrolment_of_another_pool_saves_nothing(client, world):
    other = make_other_pool(world)
    data = {
        "enrolment": PilotEnrolment.objects.get(pilot=other).pk,
        "funder": world.utrecht.pk,
        "kind": "allocation",
        "reference": "JW-9",
        "start": "2025-01-01",
    }
    response = signed_in(client, world.manager).post(
        reverse("pools:basis_new", args=[world.pool.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert "The legal basis was not recorded" in response.text
    assert not PoolBasis.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"start": "2025-13-45"}, "Enter a valid date."),
        ({"end": "gisteren"}, "Enter a valid date."),
        ({"start": "2025-06-01", "end": "2025-05-01"}, "The end date lies before the start"),
        ({"funder": "999999"}, "Select a valid choice."),
        ({"kind": "bribe"}, "Select a valid choice."),
    ],
)
def test_a_bad_basis_says_why_and_saves_nothing(client, world, values, message):
    data = {
        "enrolment": PilotEnrolment.objects.get(client=world.adult.client).pk,
        "funder": world.insurer.pk,
        "kind": "zvw_referral",
        "reference": "VW-1",
        "start": "2025-01-01",
        **values,
    }
    response = signed_in(client, world.manager).post(
        reverse("pools:basis_new", args=[world.pool.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert message in response.text
    assert not PoolBasis.objects.exists()


def test_enrolling_twice_or_a_client_of_another_organisation_says_why(client, world):
    foreign = trajectory_of(UserFactory().organisation)
    url = reverse("pools:detail", args=[world.pool.pk])
    twice = signed_in(client, world.manager).post(url, {"client": world.adult.client.client_number})
    foreign_response = client.post(url, {"client": foreign.client.client_number})

    assert twice.status_code == 200
    assert "already takes part" in twice.text
    assert foreign_response.status_code == 200
    assert "No client with this number in your organisation." in foreign_response.text
    assert not PilotEnrolment.objects.filter(client=foreign.client).exists()


def test_an_enrolment_whose_basis_is_refused_is_not_saved_either(world):
    from django.core.exceptions import ValidationError

    from apps.pools.services import pool_enrol

    trajectory = trajectory_of(world.organisation)
    with pytest.raises(ValidationError):
        pool_enrol(
            pool=world.pool,
            client=trajectory.client,
            start=None,
            funder=world.swv,  # not one of this pool's funders
            kind="tlv",
            reference="TLV-1",
            actor=world.manager,
        )
    assert not PilotEnrolment.objects.filter(client=trajectory.client).exists()


@pytest.mark.parametrize("end", ["morgen", "2025-02-30", ""])
def test_a_garbage_exit_date_says_why(client, world, end):
    enrolment = PilotEnrolment.objects.get(client=world.adult.client)
    url = reverse("pools:enrolment_exit", args=[world.pool.pk, enrolment.pk])
    response = signed_in(client, world.manager).post(url, {"end": end}, follow=True)
    assert response.status_code == 200
    assert "Give the last day in the pool as a date." in response.text
    enrolment.refresh_from_db()
    assert enrolment.end is None


def test_an_ended_part_cannot_be_moved_later(client, world):
    enrolment = PilotEnrolment.objects.get(client=world.adult.client)
    url = reverse("pools:enrolment_exit", args=[world.pool.pk, enrolment.pk])
    signed_in(client, world.manager).post(url, {"end": "2025-03-31"})
    response = client.post(url, {"end": "2025-06-30"}, follow=True)
    assert "already ended on" in response.text
    enrolment.refresh_from_db()
    assert enrolment.end == D(2025, 3, 31)


def test_the_export_neutralises_formulas_and_writes_a_balance_due_as_an_amount(client, world):
    from apps.pools.models import PoolFunder
    from apps.pools.services import pool_payment_record

    world.pool.name = '=HYPERLINK("http://x")'
    world.pool.save()
    part = PoolFunder.objects.get(pool=world.pool, funder=world.utrecht)
    pool_payment_record(
        part=part, paid_on=D(2025, 1, 2), amount_cents=100, year=2025, actor=world.manager
    )
    url = reverse("pools:funder_export", args=[world.pool.pk, world.utrecht.pk, "csv"])

    text = signed_in(client, world.manager).get(url, {"year": 2025}).content.decode("utf-8")

    assert "'=HYPERLINK" in text
    # The young client's twelve months of EUR 3,000 less the EUR 1 paid: EUR 35,999 due.
    assert "Balance;35999,00;the funder pays more" in text
    assert "'-" not in text


def test_no_funder_paying_at_an_age_is_shown_on_the_page(client, make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 1000, stream_code="jeugdwet")
    world.enrolled(start=D(2025, 1, 1), date_of_birth=D(2000, 1, 1))

    response = signed_in(client, world.manager).get(
        reverse("pools:detail", args=[world.pool.pk]), {"year": 2025}
    )

    assert response.status_code == 200
    assert response.text.count("No funder") >= 2  # the share table and the settlement


def _page_queries(client, make_pool, clients: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.funding.builders import log

    world = make_pool(price_cents=300_000, split_rule=SplitRule.DOMAIN)
    world.part(world.utrecht, stream_code="jeugdwet", domains={"care": 1000})
    world.part(world.swv, domains={"education": 1000})
    for _index in range(clients):
        trajectory = world.enrolled(start=D(2025, 1, 1))
        log(trajectory, D(2025, 2, 3))
        log(trajectory, D(2025, 2, 4), domain="education")
    signed_in(client, world.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pools:detail", args=[world.pool.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_pool_page_takes_as_many_queries_for_ten_clients_as_for_two(client, make_pool):
    assert _page_queries(client, make_pool, 10) == _page_queries(client, make_pool, 2)
