"""The funding-control pages through the test client: alerts, acknowledging, registering an
allocation and what it absorbed, the mosaic, a pilot; who may open them, what they log, what
they show of a client, and that bad input gets a message instead of an error."""

import datetime
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Organisation, Role, User
from apps.audit.models import AccessLogEntry
from apps.control.alerts import funding_alerts_refresh
from apps.funding.models import (
    Allocation,
    Frequency,
    FundingAlert,
    IntegralPilot,
    PilotEnrolment,
    Product,
)
from apps.trajectories.models import Activity, TeamRole, Trajectory
from apps.trajectories.services import care_team_join
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import (
    HOUR,
    IntegralPilotFactory,
    log,
    pilot_product,
    product,
    register,
    trajectory_of,
)

D = datetime.date
TODAY = D(2025, 4, 1)


@dataclass
class Office:
    organisation: Organisation
    manager: User
    lead: User
    users: dict[str, User]
    visible: Trajectory  # Fenna Zichtbaar: an allocation 80% used
    shielded: Trajectory  # shielded, pseudonym Merel-77: care waiting
    waiting: Trajectory  # Sem Wachtkamer: two sessions waiting
    jeugdwet: Product
    allocation: Allocation
    pilot: IntegralPilot
    foreign_allocation: Allocation
    foreign_pilot: IntegralPilot
    foreign_alert: FundingAlert

    def alert_of(self, trajectory) -> FundingAlert:
        return FundingAlert.objects.get(client=trajectory.client)


@pytest.fixture(scope="module")
def _office(django_db_setup, django_db_blocker):
    """Built once for the module; the outer transaction is rolled back after its tests, and
    each test's own changes are rolled back after it (as in tests/test_demo_data.py)."""
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        yield _office_build()
        transaction.set_rollback(True)


@pytest.fixture
def office(_office, db) -> Office:
    for obj in (_office.allocation, _office.pilot, _office.foreign_alert):
        obj.refresh_from_db()
    return _office


def _office_build() -> Office:
    organisation = OrganisationFactory()
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    lead = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    jeugdwet = product(organisation, code="45A99", tariff_cents=175)
    visible = trajectory_of(organisation, lead, given_name="Fenna", family_name="Zichtbaar")
    shielded = trajectory_of(
        organisation,
        lead,
        given_name="Xandriel",
        family_name="Verborgenheid",
        pseudonym="Merel-77",
        shielded=True,
    )
    waiting = trajectory_of(organisation, lead, given_name="Sem", family_name="Wachtkamer")
    allocation = register(visible.client, jeugdwet, lead, number="TW-ZICHTBAAR")
    for day in range(3, 11):
        log(visible, D(2025, 3, day))  # 480 of 600 minutes
    log(shielded, D(2025, 3, 3))
    log(waiting, D(2025, 3, 3))
    log(waiting, D(2025, 3, 4))
    users = {"manager": manager, "caseworker": lead}
    for role in (Role.TEACHER, Role.JOB_COACH):
        users[role] = UserFactory(organisation=organisation, roles=[role])
        care_team_join(
            trajectory=visible,
            user=users[role],
            role=TeamRole(role),
            start=D(2025, 1, 1),
            actor=lead,
        )
    for role in (Role.PRIVACY_OFFICER, Role.ADMINISTRATOR):
        users[role] = UserFactory(organisation=organisation, roles=[role])
    pilot = IntegralPilotFactory(contract__organisation=organisation, name="Samen Verder")
    pilot_product(pilot, code="INT-UUR", unit=HOUR, tariff_cents=6000)

    elsewhere = OrganisationFactory()
    foreign = trajectory_of(elsewhere, given_name="Vreemd", family_name="Elders")
    foreign_allocation = register(foreign.client, product(elsewhere), foreign.lead_caseworker)
    log(trajectory_of(elsewhere), D(2025, 3, 3))  # waits, elsewhere
    foreign_pilot = IntegralPilotFactory(contract__organisation=elsewhere)

    funding_alerts_refresh(today=TODAY)
    return Office(
        organisation=organisation,
        manager=manager,
        lead=lead,
        users=users,
        visible=visible,
        shielded=shielded,
        waiting=waiting,
        jeugdwet=jeugdwet,
        allocation=allocation,
        pilot=pilot,
        foreign_allocation=foreign_allocation,
        foreign_pilot=foreign_pilot,
        foreign_alert=FundingAlert.objects.get(client__organisation=elsewhere),
    )


def _as(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _refused_entry(user):
    return AccessLogEntry.objects.filter(user=user).latest("pk")


# --- who may open what ----------------------------------------------------------------------

PAGES = {
    # name: (path of the office, what a refusal logs)
    "alerts": (lambda office: reverse("funding:alerts"), "funding alerts"),
    "allocation_new": (lambda office: reverse("funding:allocation_new"), "register allocation"),
    "allocation_detail": (
        lambda office: reverse("funding:allocation_detail", args=[office.allocation.pk]),
        "allocation",
    ),
    "allocation_change": (
        lambda office: reverse("funding:allocation_change", args=[office.allocation.pk]),
        "change allocation",
    ),
    "allocation_replace": (
        lambda office: reverse("funding:allocation_replace", args=[office.allocation.pk]),
        "replace allocation",
    ),
    "mosaic": (lambda office: reverse("funding:mosaic"), "funding mosaic"),
    "pilot_detail": (  # the pool's page (apps.pools), where the pilot went
        lambda office: reverse("pools:detail", args=[office.pilot.pk]),
        "pooled budget",
    ),
}
ALLOWED = {
    "manager": set(PAGES),
    "caseworker": {"alerts"},
    Role.TEACHER: set(),
    Role.JOB_COACH: set(),
    Role.PRIVACY_OFFICER: set(),
    Role.ADMINISTRATOR: set(),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_page_answers_only_the_roles_it_serves(client, office, page, role):
    user = office.users[role]
    path_of, what = PAGES[page]

    response = _as(client, user).get(path_of(office))

    if page in ALLOWED[role]:
        assert response.status_code == 200
        assert not AccessLogEntry.objects.filter(user=user, outcome="refused").exists()
    else:
        assert response.status_code == 404
        entry = _refused_entry(user)
        assert (entry.event, entry.outcome, entry.basis, entry.detail) == (
            "view",
            "refused",
            "none",
            what,
        )
        assert not AccessLogEntry.objects.filter(user=user, outcome="allowed", event="view")


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("allocation_detail", "allocation"),
        ("allocation_change", "change allocation"),
        ("allocation_replace", "replace allocation"),
        ("pools:detail", "pooled budget"),
    ],
)
def test_another_organisations_allocation_or_pilot_is_not_found(client, office, name, what):
    target = office.foreign_pilot if name == "pools:detail" else office.foreign_allocation
    name = name if ":" in name else f"funding:{name}"
    response = _as(client, office.manager).get(reverse(name, args=[target.pk]))
    assert response.status_code == 404
    entry = _refused_entry(office.manager)
    assert (entry.outcome, entry.detail, entry.client) == ("refused", what, None)
    assert "Vreemd" not in response.text


def test_an_unknown_allocation_is_not_found(client, office):
    response = _as(client, office.manager).get(reverse("funding:allocation_detail", args=[999999]))
    assert response.status_code == 404


def test_a_manager_without_an_organisation_is_refused(client, office):
    manager = UserFactory(organisation=None, roles=[Role.MANAGER])
    assert _as(client, manager).get(reverse("funding:mosaic")).status_code == 404
    alerts = _as(client, manager).get(reverse("funding:alerts"))
    assert alerts.status_code in (200, 404)
    assert office.visible.client.client_number not in alerts.text
    assert office.foreign_alert.client.client_number not in alerts.text


# --- the alerts page ------------------------------------------------------------------------


def test_the_manager_sees_the_organisations_alerts_and_a_shielded_client_by_pseudonym(
    client, office
):
    response = _as(client, office.manager).get(reverse("funding:alerts"))

    text = response.text
    for shown in (
        office.visible.client.client_number,
        "Fenna Zichtbaar",
        "TW-ZICHTBAAR",
        "80% used",
        office.shielded.client.client_number,
        "Merel-77",
        "Sem Wachtkamer",
        "2 activities have waited for funding since",
    ):
        assert shown in text
    for hidden in ("Xandriel", "Verborgenheid", "Vreemd", "GEHEIME-NOTITIE"):
        assert hidden not in text
    assert text.count("Acknowledge</button>") == 3


def test_the_caseworker_on_the_team_sees_the_shielded_clients_name(client, office):
    text = _as(client, office.lead).get(reverse("funding:alerts")).text
    assert "Xandriel Verborgenheid" in text
    assert "Fenna Zichtbaar" in text


def test_a_caseworker_of_another_team_sees_no_alerts(client, office):
    other = trajectory_of(office.organisation).lead_caseworker
    text = _as(client, other).get(reverse("funding:alerts")).text
    assert "No alerts." in text
    assert office.visible.client.client_number not in text


def test_the_alerts_page_logs_a_read_of_every_client_it_shows(client, office):
    _as(client, office.manager).get(reverse("funding:alerts"))
    _as(client, office.lead).get(reverse("funding:alerts"))

    clients = {office.visible.client.pk, office.shielded.client.pk, office.waiting.client.pk}
    for user, basis, acting_role in (
        (office.manager, "management", "manager"),
        (office.lead, "care_team", "caseworker"),
    ):
        entries = AccessLogEntry.objects.filter(user=user, event="view", detail="funding alerts")
        assert sorted(entries.values_list("client_id", flat=True)) == sorted(clients)
        assert set(entries.values_list("basis", "acting_role", "outcome")) == {
            (basis, acting_role, "allowed")
        }


def test_resolved_alerts_are_shown_only_when_asked(client, office):
    register(office.waiting.client, office.jeugdwet, office.manager)  # absorbs the waiting care
    funding_alerts_refresh(today=TODAY)
    client = _as(client, office.manager)
    assert "Sem Wachtkamer" not in client.get(reverse("funding:alerts")).text
    text = client.get(reverse("funding:alerts") + "?resolved=1").text
    assert "Sem Wachtkamer" in text
    assert "resolved on" in text


def test_the_alerts_page_needs_the_same_queries_for_many_alerts(
    client, office, django_assert_max_num_queries
):
    url = reverse("funding:alerts")
    client = _as(client, office.manager)
    client.get(url)  # warm up: session, translations
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(10):
        log(trajectory_of(office.organisation, office.lead), D(2025, 3, 3))
    funding_alerts_refresh(today=TODAY)
    assert (
        FundingAlert.objects.open().filter(client__organisation=office.organisation).count() == 13
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.text.count("Acknowledge</button>") == 13


# --- acknowledging --------------------------------------------------------------------------


def _acknowledge(client, user, alert):
    return _as(client, user).post(reverse("funding:alert_acknowledge", args=[alert.pk]))


@pytest.mark.parametrize("role", ["manager", "caseworker"])
def test_an_alert_is_acknowledged_by_post(client, office, role):
    alert = office.alert_of(office.visible)
    user = office.users[role]

    response = _acknowledge(client, user, alert)

    assert response.status_code == 302
    assert response.url == reverse("funding:alerts")
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.resolved_at) == (user, None)
    page = client.get(reverse("funding:alerts")).text
    assert "Alert acknowledged. It is resolved when its cause is gone." in page
    assert "acknowledged by" in page


def test_acknowledging_twice_gives_a_message_not_an_error(client, office):
    alert = office.alert_of(office.visible)
    _acknowledge(client, office.manager, alert)

    response = _acknowledge(client, office.lead, alert)

    assert response.status_code == 302
    assert "already acknowledged" in client.get(reverse("funding:alerts")).text
    alert.refresh_from_db()
    assert alert.acknowledged_by == office.manager


def test_acknowledging_needs_a_post(client, office):
    alert = office.alert_of(office.visible)
    url = reverse("funding:alert_acknowledge", args=[alert.pk])
    assert _as(client, office.manager).get(url).status_code == 405
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


@pytest.mark.parametrize(
    "who",
    [Role.TEACHER, Role.JOB_COACH, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR, "other-caseworker"],
)
def test_who_may_not_see_an_alert_cannot_acknowledge_it(client, office, who):
    if who == "other-caseworker":
        user = trajectory_of(office.organisation).lead_caseworker
    else:
        user = office.users[who]
    alert = office.alert_of(office.visible)

    assert _acknowledge(client, user, alert).status_code == 404

    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    entry = _refused_entry(user)
    assert (entry.outcome, entry.detail) == ("refused", "funding alert")


def test_another_organisations_alert_cannot_be_acknowledged(client, office):
    assert _acknowledge(client, office.manager, office.foreign_alert).status_code == 404
    office.foreign_alert.refresh_from_db()
    assert office.foreign_alert.acknowledged_at is None


# --- registering an allocation --------------------------------------------------------------


def _form(office, **overrides):
    data = {
        "client": office.waiting.client.client_number,
        "product": office.jeugdwet.pk,
        "number": "TW-NIEUW-1",
        "volume": "600",
        "unit": "",
        "frequency": "6",
        "start": "2025-01-01",
        "end": "2025-12-31",
    }
    data.update(overrides)
    return data


def test_a_registered_allocation_absorbs_the_waiting_care_and_shows_it(client, office):
    response = _as(client, office.manager).post(
        reverse("funding:allocation_new"),
        _form(office, client=" " + office.waiting.client.client_number),
    )

    allocation = Allocation.objects.get(number="TW-NIEUW-1")
    assert response.status_code == 302
    assert response.url == reverse("funding:allocation_detail", args=[allocation.pk])
    assert (allocation.client, allocation.product, allocation.volume) == (
        office.waiting.client,
        office.jeugdwet,
        600,
    )
    waiting = Activity.objects.filter(trajectory=office.waiting)
    assert set(waiting.values_list("allocation", flat=True)) == {allocation.pk}
    assert not waiting.filter(absorbed_at__isnull=True).exists()
    assert allocation.history.get().history_user == office.manager

    page = client.get(response.url)
    assert page.status_code == 200
    text = page.text
    assert "2 activities that waited unfunded are now paid by this allocation: € 210.00." in text
    assert text.count("Treatment session") == 2
    assert text.count("60 min") == 2
    assert "105.00" in text  # each hour at EUR 1.75 a minute
    assert "GEHEIME-NOTITIE" not in text
    entry = AccessLogEntry.objects.filter(user=office.manager, detail="allocation").get()
    assert (entry.client, entry.basis, entry.outcome) == (
        office.waiting.client,
        "management",
        "allowed",
    )


def test_an_allocation_with_nothing_waiting_says_so(client, office):
    text = (
        _as(client, office.manager)
        .get(reverse("funding:allocation_detail", args=[office.allocation.pk]))
        .text
    )
    assert "Nothing was waiting for this allocation." in text
    assert "TW-ZICHTBAAR" in text
    assert "480 of 600 minutes used (80%), 120 left" in text  # the unit in its plural
    dutch = _as(client, office.manager, "nl").get(
        reverse("funding:allocation_detail", args=[office.allocation.pk])
    )
    assert "480 van 600 minuten gebruikt (80%), 120 over" in dutch.text


def test_the_form_offers_only_the_organisations_regular_products(client, office):
    response = _as(client, office.manager).get(reverse("funding:allocation_new"))
    offered = {value for value, _label in response.context["form"].fields["product"].choices}
    offered = {str(value) for value in offered if value}
    assert str(office.jeugdwet.pk) in offered
    assert "INT-UUR" not in response.text  # the pilot's product is no route for an allocation
    # The product's own options, not any value="…" of the page: another field's option can
    # carry the same number.
    assert str(office.foreign_allocation.product.pk) not in offered


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client": "ONBEKEND-1"}, "No client with this number in your organisation."),
        ({"client": ""}, "This field is required."),
        ({"start": "2025-06-01", "end": "2025-05-31"}, "The end date lies before the start date."),
        ({"start": "2025-02-30"}, "Enter a valid date."),
        ({"volume": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"volume": "-5"}, "Ensure this value is greater than or equal to 1."),
        ({"volume": "veel"}, "Enter a whole number."),
        ({"number": "TW-ZICHTBAAR"}, "Allocation number TW-ZICHTBAAR is already used at"),
        ({"number": "   "}, "This field is required."),
        ({"unit": "83"}, "does not fit the product"),
        ({"start": "2023-01-01"}, "The allocation must lie within the contract"),
        ({"frequency": "9"}, "Select a valid choice."),
        ({"product": "999999"}, "Select a valid choice."),
    ],
    ids=[
        "unknown-client",
        "no-client",
        "end-before-start",
        "no-such-date",
        "volume-0",
        "negative-volume",
        "volume-not-a-number",
        "duplicate-number",
        "blank-number",
        "unit-of-another-kind",
        "before-the-contract",
        "unknown-frequency",
        "unknown-product",
    ],
)
def test_invalid_registrations_get_a_clear_message_and_save_nothing(
    client, office, overrides, message
):
    before = Allocation.objects.count()

    response = _as(client, office.manager).post(
        reverse("funding:allocation_new"), _form(office, **overrides)
    )

    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text
    assert Allocation.objects.count() == before
    assert not Activity.objects.filter(trajectory=office.waiting, absorbed_at__isnull=False)


def test_a_client_or_product_of_another_organisation_is_refused(client, office):
    foreign_client = office.foreign_allocation.client
    response = _as(client, office.manager).post(
        reverse("funding:allocation_new"),
        _form(
            office,
            client=foreign_client.client_number,
            product=office.foreign_allocation.product.pk,
        ),
    )
    assert response.status_code == 200
    assert "No client with this number in your organisation." in response.text
    assert "Select a valid choice." in response.text
    assert Allocation.objects.count() == 2


def test_a_pilot_product_cannot_be_registered_as_an_allocation(client, office):
    pilot_product_pk = office.pilot.contract.products.get().pk
    response = _as(client, office.manager).post(
        reverse("funding:allocation_new"), _form(office, product=pilot_product_pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.text


def test_the_registration_form_is_for_managers_only_also_by_post(client, office):
    response = _as(client, office.lead).post(reverse("funding:allocation_new"), _form(office))
    assert response.status_code == 404
    assert not Allocation.objects.filter(number="TW-NIEUW-1").exists()


# --- the mosaic -----------------------------------------------------------------------------


def test_the_mosaic_shows_the_period_asked_for(client, office):
    response = _as(client, office.manager).get(
        reverse("funding:mosaic"), {"period_start": "2025-03-01", "period_end": "2025-03-31"}
    )
    assert response.status_code == 200
    mosaic = response.context["mosaic"]
    assert (mosaic.period_start, mosaic.period_end) == (D(2025, 3, 1), D(2025, 3, 31))
    assert (mosaic.funders, mosaic.allocations, mosaic.activities, mosaic.unfunded) == (1, 1, 8, 3)
    assert "840.00" in response.text  # 480 minutes at EUR 1.75
    assert "March 2025" in response.text
    entry = AccessLogEntry.objects.filter(user=office.manager, detail="funding mosaic").get()
    assert (entry.basis, entry.client, entry.outcome) == ("management", None, "allowed")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period_start": "2025-13-01"}, "Enter a valid date."),
        ({"period_end": "gisteren"}, "Enter a valid date."),
        (
            {"period_start": "2025-06-01", "period_end": "2025-05-31"},
            "The end date lies before the start date.",
        ),
        (
            {"period_start": "2019-01-01", "period_end": "2025-03-31"},
            "Choose a period of at most five years.",
        ),
    ],
)
def test_a_bad_period_gets_a_message_and_the_default_period(client, office, query, message):
    response = _as(client, office.manager).get(reverse("funding:mosaic"), query)
    assert response.status_code == 200
    assert message in response.text
    mosaic = response.context["mosaic"]
    assert mosaic.period_start <= mosaic.period_end


def test_a_period_ending_in_the_year_one_gets_a_message_not_an_error(client, office):
    response = _as(client, office.manager).get(
        reverse("funding:mosaic"), {"period_end": "0001-01-15"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("years_from_today", "message"),
    [(1, "The end date lies before the start date."), (-10, "at most five years")],
    ids=["start-after-today", "start-ten-years-back"],
)
def test_a_start_date_alone_is_checked_against_today(client, office, years_from_today, message):
    from django.utils import timezone

    start = timezone.localdate() + datetime.timedelta(days=366 * years_from_today)
    response = _as(client, office.manager).get(
        reverse("funding:mosaic"), {"period_start": start.isoformat()}
    )
    assert response.status_code == 200
    assert message in response.text


# --- a pilot --------------------------------------------------------------------------------


def test_the_pilot_page_shows_its_report_and_logs_its_clients(client, office):
    from apps.trajectories.assignment import pilot_enrol

    pilot_enrol(pilot=office.pilot, client=office.shielded.client, actor=office.manager)

    response = _as(client, office.manager).get(reverse("pools:detail", args=[office.pilot.pk]))

    text = response.text
    assert response.status_code == 200
    assert "Samen Verder" in text
    assert "The pool beside the regular route" in text
    assert "Merel-77" in text
    assert "Xandriel" not in text
    assert response.context["comparison"].activities == 1
    entry = AccessLogEntry.objects.filter(user=office.manager, detail="pooled budget").get()
    assert (entry.client, entry.basis) == (office.shielded.client, "management")


def test_a_manager_enrols_a_client_by_number_and_the_pilot_absorbs_its_waiting_care(client, office):
    url = reverse("pools:detail", args=[office.pilot.pk])

    response = _as(client, office.manager).post(
        url, {"client": office.waiting.client.client_number}
    )

    assert response.status_code == 302
    assert response.url == url
    assert PilotEnrolment.objects.get().client == office.waiting.client
    waiting = Activity.objects.filter(trajectory=office.waiting)
    assert set(waiting.values_list("funding_status", flat=True)) == {"pilot"}
    text = client.get(url).text
    assert "Client enrolled; the pool took over 2 waiting activities." in text
    assert "Sem Wachtkamer" in text


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("ONBEKEND-1", "No client with this number in your organisation."),
        ("", "This field is required."),
        ("foreign", "No client with this number in your organisation."),
        ("twice", "This client already takes part in the pilot."),
    ],
)
def test_a_bad_enrolment_gets_a_message(client, office, number, message):
    from apps.trajectories.assignment import pilot_enrol

    if number == "foreign":
        number = office.foreign_allocation.client.client_number
    elif number == "twice":
        pilot_enrol(pilot=office.pilot, client=office.waiting.client, actor=office.manager)
        number = office.waiting.client.client_number
    before = PilotEnrolment.objects.count()

    response = _as(client, office.manager).post(
        reverse("pools:detail", args=[office.pilot.pk]), {"client": number}
    )

    assert response.status_code == 200
    assert message in response.text
    assert PilotEnrolment.objects.count() == before


def test_only_a_manager_enrols(client, office):
    response = _as(client, office.lead).post(
        reverse("pools:detail", args=[office.pilot.pk]),
        {"client": office.waiting.client.client_number},
    )
    assert response.status_code == 404
    assert not PilotEnrolment.objects.exists()


# --- the client page ------------------------------------------------------------------------


def _with_current_allocation(office, number, *, since_days, **allocation):
    """A new client's trajectory of the last ``since_days`` days, with a Jeugdwet allocation
    from then until 300 days from today."""
    from django.utils import timezone

    today = timezone.localdate()
    start = today - datetime.timedelta(days=since_days)
    trajectory = trajectory_of(office.organisation, office.lead, start=start)
    register(
        trajectory.client,
        office.jeugdwet,
        office.lead,
        number=number,
        start=start,
        end=today + datetime.timedelta(days=300),
        **allocation,
    )
    return trajectory


def _client_page(client, user, trajectory):
    response = _as(client, user).get(reverse("clients:detail", args=[trajectory.client.pk]))
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize("role", ["caseworker", "manager"])
def test_the_client_page_shows_its_alerts_the_pace_and_the_mosaic(client, office, role):
    text = _client_page(client, office.users[role], office.visible)
    assert 'aria-label="Funding alerts"' in text
    assert "Allocation TW-ZICHTBAAR is 80% used." in text
    assert 'class="pace"' in text
    assert "pace: " in text
    # The mosaic comes after the page (issue 19): a placeholder that htmx swaps on load, whose
    # link opens the mosaic as a page of its own without JavaScript.
    mosaic = reverse("clients:mosaic", args=[office.visible.client.pk])
    assert "Funding mosaic of this trajectory" in text
    assert f'hx-get="{mosaic}" hx-trigger="load" hx-swap="outerHTML"' in text
    assert f'<a href="{mosaic}">Show what pays for this trajectory</a>' in text


def test_the_client_page_shows_a_teacher_no_funding(client, office):
    text = _client_page(client, office.users[Role.TEACHER], office.visible)
    assert "TW-ZICHTBAAR" not in text
    assert "80% used" not in text
    assert 'class="pace"' not in text
    assert "Funding mosaic" not in text
    assert reverse("clients:mosaic", args=[office.visible.client.pk]) not in text


# --- the client page's mosaic (clients:mosaic) ---------------------------------------------


def _mosaic(client, user, trajectory, *, htmx=True, language="en"):
    headers = {"HX-Request": "true"} if htmx else {}
    return _as(client, user, language).get(
        reverse("clients:mosaic", args=[trajectory.client.pk]), headers=headers
    )


def _last_entry(user):
    return AccessLogEntry.objects.filter(user=user).latest("pk")


@pytest.mark.parametrize("role", ["caseworker", "manager"])
def test_the_client_mosaic_is_a_part_for_htmx_and_its_read_is_logged(client, office, role):
    from django.utils import timezone

    user, today = office.users[role], timezone.localdate()
    trajectory = _with_current_allocation(office, "TW-MOZAIEK", since_days=30)
    log(trajectory, today - datetime.timedelta(days=2))

    response = _mosaic(client, user, trajectory)

    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<div id="client-mosaic">')  # the part, not a page
    assert "<html" not in text
    assert "What pays for this one trajectory since" in text
    assert "funders 1, funding streams 1, contracts 1, allocations 1." in text
    assert response.context["mosaic"].activities == 1
    entry = _last_entry(user)
    assert (entry.event, entry.outcome, entry.detail, entry.client) == (
        "view",
        "allowed",
        "funding mosaic",
        trajectory.client,
    )


def test_without_javascript_the_client_mosaic_is_a_page_of_its_own_in_dutch(client, office):
    response = _mosaic(client, office.lead, office.visible, htmx=False, language="nl")
    assert response.status_code == 200
    assert "<html" in response.text
    assert "Financieringsmozaïek van Fenna Zichtbaar" in response.text
    assert reverse("clients:detail", args=[office.visible.client.pk]) in response.text


def test_the_client_mosaic_shows_a_shielded_client_to_the_manager_by_pseudonym(client, office):
    response = _mosaic(client, office.manager, office.shielded, htmx=False)
    assert response.status_code == 200
    assert "Funding mosaic of Merel-77" in response.text
    assert "Verborgenheid" not in response.text
    assert "Xandriel" not in response.text


@pytest.mark.parametrize("role", [Role.TEACHER, Role.JOB_COACH])
def test_the_client_mosaic_is_refused_to_a_team_member_who_sees_no_funding(client, office, role):
    user = office.users[role]
    response = _mosaic(client, user, office.visible)
    assert response.status_code == 403
    entry = _last_entry(user)
    assert (entry.outcome, entry.detail, entry.client) == (
        "refused",
        "funding mosaic",
        office.visible.client,
    )
    assert "What pays" not in response.text


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_the_client_mosaic_is_not_found_for_a_role_without_clients(client, office, role):
    user = office.users[role]
    assert _mosaic(client, user, office.visible).status_code == 404
    assert _last_entry(user).outcome == "refused"


def test_another_organisations_client_mosaic_is_not_found(client, office):
    foreign = Trajectory.objects.get(client__given_name="Vreemd")
    response = _mosaic(client, office.manager, foreign)
    assert response.status_code == 404
    entry = _last_entry(office.manager)
    assert (entry.outcome, entry.detail) == ("refused", "funding mosaic")
    assert "Vreemd" not in response.text


def test_a_client_without_an_open_trajectory_has_no_mosaic(client, office):
    trajectory = trajectory_of(office.organisation, office.lead)
    Trajectory.objects.filter(pk=trajectory.pk).update(status="closed", phase="closed")
    response = _mosaic(client, office.manager, trajectory)
    assert response.status_code == 200
    assert "This client has no open trajectory." in response.text
    assert response.context["mosaic"] is None


def test_the_client_mosaic_answers_only_get(client, office):
    url = reverse("clients:mosaic", args=[office.visible.client.pk])
    assert _as(client, office.lead).post(url).status_code == 405


def test_the_client_page_shows_a_forecast_at_the_current_pace(client, office):
    from django.utils import timezone

    today = timezone.localdate()
    trajectory = _with_current_allocation(office, "TW-TEMPO", since_days=60, volume=600)
    for days_ago in (27, 20, 13, 6):
        log(trajectory, today - datetime.timedelta(days=days_ago), minutes=120)  # 480 in 28 days

    text = _client_page(client, office.lead, trajectory)

    # 120 left at 120 a week: seven days from today.
    runs_out = today + datetime.timedelta(days=7)
    from django.utils.formats import date_format
    from django.utils.translation import override

    with override("en"):
        day = date_format(runs_out, "SHORT_DATE_FORMAT")
    assert f"runs out on {day} at this pace" in text
    assert "pace: 120 minutes a week (last 28 days)" in text


# --- changing and replacing an allocation (IV066) -------------------------------------------


def test_the_manager_changes_the_end_date_with_a_reason_and_the_read_is_logged(client, office):
    allocation = office.allocation
    page = _as(client, office.manager).get(
        reverse("funding:allocation_change", args=[allocation.pk])
    )
    assert page.status_code == 200
    assert "IV066" in page.text
    assert AccessLogEntry.objects.filter(
        user=office.manager,
        client=allocation.client,
        outcome="allowed",
        detail="change allocation",
    ).exists()
    response = _as(client, office.manager).post(
        reverse("funding:allocation_change", args=[allocation.pk]),
        {"reason": "05", "end": "2025-06-30", "volume": "600"},
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert (allocation.end, allocation.change_reason) == (D(2025, 6, 30), "05")
    detail = _as(client, office.manager).get(response.url)
    assert "Reassessment: allocation shortened" in detail.text


def test_a_change_without_a_reason_or_against_cs335_gets_a_message_and_saves_nothing(
    client, office
):
    allocation = office.allocation
    url = reverse("funding:allocation_change", args=[allocation.pk])
    missing = _as(client, office.manager).post(url, {"end": "2025-06-30", "volume": "600"})
    assert missing.status_code == 200
    assert "This field is required" in missing.text
    removed = _as(client, office.manager).post(
        url, {"reason": "13", "end": "2025-06-30", "volume": "600"}
    )
    assert removed.status_code == 200
    assert "CS335" in removed.text
    allocation.refresh_from_db()
    assert (allocation.end, allocation.change_reason) == (D(2025, 12, 31), "")


def test_a_weekly_volume_is_shown_but_not_changed_on_the_change_page(client, office):
    weekly = register(
        office.waiting.client,
        office.jeugdwet,
        office.lead,
        number="TW-WEEK",
        frequency=Frequency.PER_WEEK,
        volume=60,
    )
    url = reverse("funding:allocation_change", args=[weekly.pk])
    page = _as(client, office.manager).get(url)
    assert "replace the allocation" in page.text
    response = _as(client, office.manager).post(
        url, {"reason": "04", "end": "2025-12-31", "volume": "999"}
    )
    assert response.status_code == 302
    weekly.refresh_from_db()
    assert weekly.volume == 60  # the disabled field keeps the registered volume


def test_the_manager_replaces_an_allocation_by_a_new_number(client, office):
    allocation = office.allocation
    url = reverse("funding:allocation_replace", args=[allocation.pk])
    assert _as(client, office.manager).get(url).status_code == 200
    response = _as(client, office.manager).post(
        url,
        {
            "reason": "05",
            "number": "TW-OPVOLGER",
            "volume": "120",
            "unit": "",
            "frequency": "2",
            "start": "2025-03-06",
            "end": "2025-12-31",
        },
    )
    assert response.status_code == 302
    new = Allocation.objects.get(number="TW-OPVOLGER")
    assert response.url == reverse("funding:allocation_detail", args=[new.pk])
    allocation.refresh_from_db()
    assert (allocation.end, new.replaces) == (D(2025, 3, 5), allocation)
    detail = _as(client, office.manager).get(
        reverse("funding:allocation_detail", args=[allocation.pk])
    )
    assert "TW-OPVOLGER" in detail.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number": "TW-ZICHTBAAR"}, "already used"),
        ({"frequency": "2", "end": ""}, "CD076"),
        ({"start": "2024-01-01", "end": "2023-01-01"}, "The end date lies before the start date"),
    ],
)
def test_a_bad_replacement_gets_a_message_and_saves_nothing(client, office, changes, message):
    allocation = office.allocation
    values = {
        "reason": "05",
        "number": "TW-OPVOLGER",
        "volume": "120",
        "unit": "",
        "frequency": "6",
        "start": "2025-06-01",
        "end": "2025-12-31",
    } | changes
    response = _as(client, office.manager).post(
        reverse("funding:allocation_replace", args=[allocation.pk]), values
    )
    assert response.status_code == 200
    assert message in response.text
    allocation.refresh_from_db()
    assert (allocation.end, allocation.change_reason) == (D(2025, 12, 31), "")
    assert not Allocation.objects.filter(number="TW-OPVOLGER").exists()


@pytest.mark.parametrize("name", ["allocation_change", "allocation_replace"])
def test_changing_is_for_managers_only_also_by_post(client, office, name):
    response = _as(client, office.lead).post(
        reverse(f"funding:{name}", args=[office.allocation.pk]),
        {"reason": "05", "end": "2025-06-30", "volume": "1"},
    )
    assert response.status_code == 404
    office.allocation.refresh_from_db()
    assert office.allocation.end == D(2025, 12, 31)


# --- allocation variants (iJw 3.2 procesbeschrijving 3.1.1; tests/funding/
# test_allocation_variants.py quotes the sources) ---------------------------------------------


def test_an_aspecific_allocation_with_a_budget_is_registered_and_shows_its_budget(client, office):
    contract = office.jeugdwet.contract
    response = _as(client, office.manager).post(
        reverse("funding:allocation_new"),
        _form(
            office,
            variant="aspecific",
            product="",
            volume="",
            frequency="",
            contract=contract.pk,
            category=office.jeugdwet.category,
            budget="150.00",
        ),
    )
    allocation = Allocation.objects.get(number="TW-NIEUW-1")
    assert response.status_code == 302
    assert (allocation.variant, allocation.product, allocation.budget_cents) == (
        "aspecific",
        None,
        15_000,
    )
    waiting = Activity.objects.filter(trajectory=office.waiting).order_by("date", "pk")
    assert [activity.allocation_id for activity in waiting] == [allocation.pk, None]
    assert waiting[0].priced_product == office.jeugdwet
    text = client.get(response.url).text
    category = office.jeugdwet.category
    assert f"Aspecific (a product category) · product category {category}" in text
    assert "€ 105.00 of the budget of € 150.00 used, € 45.00 left" in text
    assert "Priced by product" in text
    assert f"<td>{office.jeugdwet.code} {office.jeugdwet.description}</td>" in text
    client_page = _as(client, office.lead).get(
        reverse("clients:detail", args=[office.waiting.client.pk])
    )
    assert client_page.status_code == 200
    assert f"Aspecific · product category {category}" in client_page.text
    assert "€ 105.00 of the budget of € 150.00 used, € 45.00 left" in client_page.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"variant": "aspecific", "product": "", "volume": ""}, "names a product category"),
        ({"variant": "generic", "product": "", "volume": ""}, "A generic allocation is a budget"),
        ({"variant": "aspecific", "volume": ""}, "names no product"),
        ({"budget": "10"}, "A specific allocation has a volume, not a budget"),
        ({"variant": "aspecific", "product": "", "category": "45"}, "has no volume or frequency"),
        ({"variant": "generic", "product": "", "volume": "", "budget": "-1"}, "greater than"),
    ],
)
def test_a_variant_filled_wrongly_gets_a_clear_message_and_saves_nothing(
    client, office, overrides, message
):
    before = Allocation.objects.count()
    data = _form(office, contract=office.jeugdwet.contract.pk, **overrides)
    response = _as(client, office.manager).post(reverse("funding:allocation_new"), data)
    assert response.status_code == 200
    assert message in response.text
    assert Allocation.objects.count() == before
