"""The day page (/): each role's sections, what they show and log, and a query count that does
not grow with the organisation."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.audit.models import AccessLogEntry
from apps.plans.services import plan_save
from apps.workday.sections import SECTIONS, Section, day_sections_for
from apps.workday.templatetags.workday import grouped

from .world import NOTE, build_world

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [section.name for section in response.context["sections"]]


def test_a_caseworker_sees_clients_unfinished_work_and_alerts(client):
    world = build_world(2)
    client.force_login(world.caseworker)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert _names(response) == [
        "clients_today",
        "appointments",
        "plans_due",
        "unfinished",
        "alerts",
    ]  # no allocation waits
    text = response.content.decode()
    for subject in world.clients:
        assert subject.full_name in text
        assert reverse("clients:detail", args=[subject.pk]) in text
    assert "1 activiteit wacht op financiering" in text
    assert "sinds" in text  # the alert's own text, in Dutch
    assert NOTE not in text
    assert response.context["waiting_allocations"] is None
    # The teacher's lesson without a duration is the teacher's, not the caseworker's.
    assert "zonder duur" not in text


def test_a_teacher_sees_lessons_without_a_duration_but_no_funding(client):
    world = build_world(1)
    client.force_login(world.teacher)
    response = client.get(reverse("home"))
    assert _names(response) == ["clients_today", "appointments", "unfinished"]
    text = response.content.decode()
    assert "Vandaag geen afspraken." in text  # the appointments are the caseworker's
    assert "1 activiteit zonder duur" in text
    assert "financiering" not in text.lower().split("<main")[1]
    assert response.context["waiting_allocations"] is None


def test_the_day_page_logs_each_client_it_shows(client):
    world = build_world(2)
    client.force_login(world.caseworker)
    client.get(reverse("home"))
    for subject in world.clients:
        details = set(
            AccessLogEntry.objects.filter(
                user=world.caseworker, client=subject, outcome="allowed"
            ).values_list("detail", flat=True)
        )
        assert {
            "day page: clients",
            "day page: unfinished work",
            "day page: funding alerts",
            "day page: appointments",
            "day page: plans due",
        } <= details
    assert not AccessLogEntry.objects.filter(client=world.foreign, user=world.caseworker).exists()


def test_a_manager_sees_the_organisations_signals_and_the_search(client):
    world = build_world(3, shielded=1)
    client.force_login(world.manager)
    response = client.get(reverse("home"))
    assert _names(response) == ["signals", "search"]
    signals = response.context["sections"][0].context["signals"]
    assert signals.open_alerts == 3
    assert signals.alerts_by_kind == [("Ongefinancierde zorg wacht langer dan 14 dagen", 3)]
    assert signals.unfunded_activities == 3
    assert signals.rejected_lines == 0
    text = response.content.decode()
    assert reverse("funding:alerts") in text
    assert reverse("exchange:declarations_rejected") in text
    assert reverse("workday:clients") in text
    for subject in world.clients:  # counts only: no client on the page, nothing logged
        assert subject.full_name not in text
        assert subject.pseudonym not in text
    assert not AccessLogEntry.objects.filter(user=world.manager, client__isnull=False).exists()


def test_a_managers_signals_count_only_the_organisations_own(client):
    world = build_world(1)
    other = build_world(2)
    client.force_login(world.manager)
    signals = client.get(reverse("home")).context["sections"][0].context["signals"]
    assert (signals.open_alerts, signals.unfunded_activities) == (1, 1)
    assert other.manager.organisation_id != world.manager.organisation_id


@pytest.mark.parametrize(
    ("role", "sections", "link"),
    [
        ("privacy_officer", ["privacy"], "audit:home"),
        ("administrator", ["admin"], "admin:index"),
    ],
)
def test_privacy_officers_and_administrators_get_their_own_entry_points(
    client, role, sections, link
):
    world = build_world(1)
    client.force_login(getattr(world, role))
    response = client.get(reverse("home"))
    assert _names(response) == sections
    assert reverse(link) in response.content.decode()


# The whole request: session, user, roles, the sections' reads and the access-log inserts.
QUERY_LIMITS = {"caseworker": 30, "teacher": 26, "manager": 14}


@pytest.fixture(scope="module")
def few_and_many(django_db_setup, django_db_blocker):
    """Two organisations, one with a client and one with twelve, built once for the module;
    rolled back after its tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(1), build_world(12)
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", sorted(QUERY_LIMITS))
def test_the_query_count_does_not_grow_with_the_organisation(
    few_and_many, client, django_assert_max_num_queries, role
):
    counts = []
    for world in few_and_many:
        client.force_login(getattr(world, role))
        with (
            django_assert_max_num_queries(QUERY_LIMITS[role]),
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.get(reverse("home"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_section_is_one_function_and_one_line(rf):
    world = build_world(1)
    request = rf.get("/")
    request.user = world.caseworker
    seen = []

    def appointments(request, today):
        seen.append(today)
        return {"appointments": ["09:00"]}

    SECTIONS.insert(1, Section("appointments", "workday/_waiting.html", appointments))
    try:
        names = [s.name for s in day_sections_for(request, today=datetime.date(2026, 11, 30))]
    finally:
        SECTIONS.pop(1)
    assert names[:2] == ["clients_today", "appointments"]
    assert seen == [datetime.date(2026, 11, 30)]


def test_numbers_are_grouped_as_the_language_writes_them():
    with translation.override("nl"):
        assert grouped(12345) == "12.345"
    with translation.override("en"):
        assert grouped(12345) == "12,345"


def test_the_day_page_in_english_writes_the_date_the_english_way(client):
    world = build_world(1)
    client.force_login(world.caseworker)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    today = response.context["today"]
    with translation.override("en"):
        from django.utils.formats import date_format

        assert date_format(today, "DATE_FORMAT") in text
    assert "Clients with something to do" in text


def test_today_s_appointments_can_be_confirmed_from_the_day_page_and_a_plan_leaves_the_list(client):
    world = build_world(2)
    first, second = world.clients
    client.force_login(world.caseworker)
    response = client.get(reverse("home"))
    text = response.content.decode()
    appointments = response.context["sections"][1].context["rows"]
    assert [row["client"] for row in appointments] == [first, second]
    assert text.count("Heeft plaatsgevonden: registreren als activiteit") == 2
    assert "Gesprek over school" in text  # the appointment's purpose, for its own worker
    assert NOTE not in text
    due = response.context["sections"][2].context
    assert due["count"] == 2
    assert reverse("plans:plan", args=[first.pk]) in text
    assert "nog geen plan" in text

    trajectory = first.trajectories.get()
    plan_save(
        trajectory=trajectory,
        actor=world.caseworker,
        help_question="Veiligheid",
        approach="Traumabehandeling",
        agreed_on=timezone.localdate(),
        young_person_agreed=True,
        agreed_how="conversation",
        guardian_name="Moeder",
    )
    response = client.get(reverse("home"))
    assert response.context["sections"][2].context["count"] == 1
    assert reverse("plans:plan", args=[first.pk]) not in response.content.decode()
