import datetime

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.trajectories.services import activity_log, care_team_join, goal_add
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
# The client page's queries, whatever the number of activities: 25, and four for school and work
# (the placements, the employments, and the mosaic's pupils per funding basis and school
# registrations); one for each panel of the apps above (trajectories/panels.py): the lifecycle's
# representatives, the plan, the next appointments and the safety notices; one for the meldcode
# (whether an open track or report exists).
CLIENT_PAGE_QUERIES = 34


@pytest.fixture
def record(db):
    """A client with a note and a goal in each lane."""
    trajectory = TrajectoryFactory(
        start=D(2025, 1, 1), client__given_name="Fenna", client__family_name="Zorgvuldig"
    )
    lead = trajectory.lead_caseworker
    for domain, kind, note, goal in (
        ("care", "treatment_session", "ZORGNOTITIE traumaverwerking", "ZORGDOEL veiligheid"),
        ("education", "lesson", "ONDERWIJSNOTITIE rekenen", "ONDERWIJSDOEL diploma"),
        ("work", "job_coaching", "WERKNOTITIE sollicitatie", "WERKDOEL stageplek"),
    ):
        goal_add(trajectory=trajectory, domain=domain, description=goal, actor=lead)
        activity_log(
            trajectory=trajectory,
            domain=domain,
            kind=kind,
            date=D(2025, 2, 3),
            duration_minutes=60,
            performed_by=lead,
            actor=lead,
            note=note,
            attendance="present" if domain == "education" else "",
        )
    return trajectory


def _member(trajectory, role):
    user = UserFactory(organisation=trajectory.client.organisation, roles=[Role(role)])
    care_team_join(
        trajectory=trajectory,
        user=user,
        role=role,
        start=max(D(2025, 1, 1), trajectory.start),
        actor=trajectory.lead_caseworker,
    )
    return user


def _page(client, user, trajectory):
    client.force_login(user)
    response = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    assert response.status_code == 200
    return response.text


def test_the_caseworker_sees_every_lane_note_and_goal(client, record):
    text = _page(client, record.lead_caseworker, record)
    for secret in (
        "ZORGNOTITIE",
        "ONDERWIJSNOTITIE",
        "WERKNOTITIE",
        "ZORGDOEL",
        "ONDERWIJSDOEL",
        "WERKDOEL",
    ):
        assert secret in text


def test_a_teacher_sees_the_education_lane_only_and_never_a_treatment_note(client, record):
    text = _page(client, _member(record, "teacher"), record)
    assert "ONDERWIJSNOTITIE" in text
    assert "ONDERWIJSDOEL" in text
    for secret in ("ZORGNOTITIE", "ZORGDOEL", "WERKNOTITIE", "WERKDOEL", "Behandelsessie"):
        assert secret not in text


def test_a_job_coach_sees_the_work_lane_only(client, record):
    text = _page(client, _member(record, "job_coach"), record)
    assert "WERKNOTITIE" in text
    for secret in ("ZORGNOTITIE", "ONDERWIJSNOTITIE", "ZORGDOEL", "ONDERWIJSDOEL"):
        assert secret not in text


def test_a_manager_sees_funding_but_never_a_note_or_a_goals_text(client, record):
    manager = UserFactory(organisation=record.client.organisation, roles=[Role.MANAGER])
    text = _page(client, manager, record)
    for secret in ("NOTITIE", "DOEL"):
        assert secret not in text
    assert "Toewijzingen" in text
    entry = AccessLogEntry.objects.filter(user=manager).latest("pk")
    assert (entry.basis, entry.acting_role) == ("management", "manager")


def test_the_client_page_queries_stay_bounded_with_2000_activities(
    client, record, django_assert_max_num_queries
):
    from apps.trajectories.models import Activity

    lead = record.lead_caseworker
    template = Activity.objects.filter(domain="care").first()
    Activity.objects.bulk_create(  # volume only: the rules are tested elsewhere
        Activity(
            trajectory=record,
            domain="care",
            kind="treatment_session",
            date=D(2025, 2, 3),
            duration_minutes=45,
            performed_by=lead,
            funding_status="unfunded",
            funding_reason=template.funding_reason,
        )
        for _ in range(2000)
    )
    client.force_login(lead)
    with django_assert_max_num_queries(CLIENT_PAGE_QUERIES):
        response = client.get(reverse("clients:detail", kwargs={"pk": record.client.pk}))
    assert response.status_code == 200


def test_my_clients_lists_the_care_team_clients_and_searches(client, record):
    lead = record.lead_caseworker
    shielded = TrajectoryFactory(
        client__organisation=record.client.organisation,
        client__shielded=True,
        client__given_name="Geheim",
        client__family_name="Afgeschermd",
        client__pseudonym="Zwaluw",
        lead_caseworker=lead,
    )
    ClientFactory(
        organisation=record.client.organisation, given_name="Niet", family_name="Mijnteam"
    )
    client.force_login(lead)
    listing = client.get(reverse("clients:list")).text
    assert "Zorgvuldig" in listing
    assert "Mijnteam" not in listing
    assert "Zorgvuldig" in client.get(reverse("clients:list"), {"q": "zorgvul"}).text
    assert (
        record.client.client_number
        in client.get(reverse("clients:list"), {"q": record.client.client_number}).text
    )
    assert "Zwaluw" in client.get(reverse("clients:list"), {"q": "zwaluw"}).text
    assert "Zwaluw" not in client.get(reverse("clients:list"), {"q": "Afgeschermd"}).text
    search_entries = AccessLogEntry.objects.filter(user=lead, event="search")
    assert {entry.client_id for entry in search_entries} >= {record.client.pk, shielded.client.pk}


def test_my_clients_list_is_bounded_in_queries(client, record, django_assert_max_num_queries):
    lead = record.lead_caseworker
    for _ in range(20):
        TrajectoryFactory(client__organisation=record.client.organisation, lead_caseworker=lead)
    client.force_login(lead)
    # 12, and one per extra column of apps above (panels.py: the agenda's next appointment).
    with django_assert_max_num_queries(13):
        client.get(reverse("clients:list"))


def test_my_clients_shows_what_needs_attention(client, db):
    from django.utils import timezone

    from apps.funding.models import Frequency
    from apps.trajectories.assignment import allocation_register
    from tests.funding.factories import ContractFactory, ProductFactory, stream

    today = timezone.localdate()
    born = today.replace(year=today.year - 18) + datetime.timedelta(days=40)
    trajectory = TrajectoryFactory(
        start=today - datetime.timedelta(days=60), client__date_of_birth=born
    )
    lead = trajectory.lead_caseworker
    contract = ContractFactory(
        organisation=trajectory.client.organisation, stream=stream("jeugdwet"), start=D(2020, 1, 1)
    )
    allocation_register(
        client=trajectory.client,
        product=ProductFactory(contract=contract),
        number="BIJNA-OP",
        volume=100,
        frequency=Frequency.TOTAL,
        start=today - datetime.timedelta(days=60),
        end=today + datetime.timedelta(days=20),
        actor=lead,
    )
    activity_log(
        trajectory=trajectory,
        domain="care",
        kind="intake",
        date=today - datetime.timedelta(days=20),
        duration_minutes=85,
        performed_by=lead,
        actor=lead,
    )
    activity_log(
        trajectory=trajectory,
        domain="care",
        kind="intake",
        date=today - datetime.timedelta(days=19),
        duration_minutes=60,
        performed_by=lead,
        actor=lead,
    )
    client.force_login(lead)
    response = client.get(reverse("clients:list"))
    [(_client, attention)] = response.context["caseload"]
    assert [a.number for a in attention.expiring] == ["BIJNA-OP"]
    assert [a.number for a in attention.nearly_used] == ["BIJNA-OP"]
    assert attention.unfunded == 1
    assert attention.birthday_18 == trajectory.client.birthday(18)
    assert attention.quiet
    assert "BIJNA-OP" in response.text


@pytest.fixture
def funded_caseload(db):
    """A client turning 18 soon with a Jeugdwet allocation that ends soon and is nearly used,
    an unfunded care activity and no education or work activity; a teacher and a job coach
    on the care team."""
    from django.utils import timezone

    from apps.funding.models import Frequency
    from apps.trajectories.assignment import allocation_register
    from tests.funding.factories import ContractFactory, ProductFactory, stream

    today = timezone.localdate()
    born = today.replace(year=today.year - 18) + datetime.timedelta(days=40)
    trajectory = TrajectoryFactory(
        start=today - datetime.timedelta(days=60),
        client__date_of_birth=born,
        client__bsn="999999990",
    )
    lead = trajectory.lead_caseworker
    contract = ContractFactory(
        organisation=trajectory.client.organisation, stream=stream("jeugdwet"), start=D(2020, 1, 1)
    )
    allocation_register(
        client=trajectory.client,
        product=ProductFactory(contract=contract),
        number="70048482",
        volume=100,
        frequency=Frequency.TOTAL,
        start=today - datetime.timedelta(days=60),
        end=today + datetime.timedelta(days=20),
        actor=lead,
    )
    for days_ago, minutes in ((3, 85), (2, 60)):  # the second no longer fits: unfunded
        activity_log(
            trajectory=trajectory,
            domain="care",
            kind="intake",
            date=today - datetime.timedelta(days=days_ago),
            duration_minutes=minutes,
            performed_by=lead,
            actor=lead,
        )
    return trajectory


@pytest.mark.parametrize("role", ["teacher", "job_coach"])
def test_my_clients_shows_a_teacher_or_job_coach_no_funding_and_only_their_lane(
    client, funded_caseload, role
):
    member = _member(funded_caseload, role)
    client.force_login(member)
    response = client.get(reverse("clients:list"))
    [(_client, attention)] = response.context["caseload"]
    assert attention.expiring == []
    assert attention.nearly_used == []
    assert attention.unfunded == 0
    assert attention.birthday_18 is None  # "the Jeugdwet ends" is a funding matter
    # Care activities are not in their lane: for them the client has had none yet.
    assert attention.last_activity is None
    assert attention.quiet
    for secret in ("70048482", "999999990", "unfunded", "ongefinancierd", "Jeugdwet"):
        assert secret not in response.text
    # The caseworker on the same team still sees all of it.
    client.force_login(funded_caseload.lead_caseworker)
    response = client.get(reverse("clients:list"))
    [(_client, attention)] = response.context["caseload"]
    assert [a.number for a in attention.expiring] == ["70048482"]
    assert [a.number for a in attention.nearly_used] == ["70048482"]
    assert attention.unfunded == 1
    assert attention.birthday_18 == funded_caseload.client.birthday(18)
    assert not attention.quiet
    assert "70048482" in response.text


def test_my_clients_counts_a_teachers_activities_in_their_own_lane(client, funded_caseload):
    from django.utils import timezone

    teacher = _member(funded_caseload, "teacher")
    lesson_day = timezone.localdate() - datetime.timedelta(days=20)
    activity_log(
        trajectory=funded_caseload,
        domain="education",
        kind="lesson",
        date=lesson_day,
        duration_minutes=50,
        attendance="present",
        performed_by=teacher,
        actor=teacher,
    )
    client.force_login(teacher)
    [(_client, attention)] = client.get(reverse("clients:list")).context["caseload"]
    assert attention.last_activity == lesson_day  # not the later care activities
    assert attention.quiet


@pytest.mark.parametrize("role", ["teacher", "job_coach"])
def test_the_client_page_shows_the_bsn_only_to_those_who_see_funding(client, funded_caseload, role):
    assert "999999990" not in _page(client, _member(funded_caseload, role), funded_caseload)
    assert "999999990" in _page(client, funded_caseload.lead_caseworker, funded_caseload)


def test_my_clients_list_of_a_teacher_is_bounded_in_queries(
    client, record, django_assert_max_num_queries
):
    teacher = _member(record, "teacher")
    for _ in range(20):
        care_team_join(
            trajectory=TrajectoryFactory(
                client__organisation=record.client.organisation,
                lead_caseworker=record.lead_caseworker,
            ),
            user=teacher,
            role="teacher",
            start=D(2025, 1, 1),
            actor=record.lead_caseworker,
        )
    client.force_login(teacher)
    # 13: one of them reads the consents the teacher's lanes rest on, for all clients at once.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("clients:list"))
    assert len(response.context["caseload"]) == 21
