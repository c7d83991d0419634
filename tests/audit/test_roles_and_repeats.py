"""The role column is always filled in; a form's live preview is one read, not one a keystroke."""

import datetime

import pytest
from django.urls import reverse

from apps.audit import services
from apps.audit.models import AccessLogEntry
from apps.audit.services import access_log_record, access_log_write_many
from apps.trajectories.services import care_team_join
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.trajectories.factories import TrajectoryFactory


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(start=datetime.date(2025, 1, 1))


def test_logins_and_failed_logins_have_a_role(client, db):
    user = UserFactory(roles=["teacher"])
    client.post(reverse("login"), {"username": "nobody-here", "password": "wrong"})
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert AccessLogEntry.objects.get(user=user, event="login").acting_role == "teacher"
    assert (
        AccessLogEntry.objects.get(username="nobody-here", event="login_failed").acting_role
        == "not_signed_in"
    )


def test_a_change_by_a_service_has_the_actors_role(trajectory):
    entry = AccessLogEntry.objects.filter(
        client=trajectory.client, event="permission_change"
    ).get()  # the factory's lead joined the care team through the service
    assert entry.acting_role == "caseworker"


def test_a_nightly_change_without_a_user_is_the_systems(trajectory):
    access_log_write_many(
        actor=None, event="change", changed=[(trajectory.client, trajectory)], basis="care_team"
    )
    entry = AccessLogEntry.objects.filter(client=trajectory.client, event="change").latest("pk")
    assert (entry.username, entry.acting_role) == ("system", "system")


def test_a_user_with_several_roles_is_logged_with_all_that_fit(db):
    user = UserFactory(roles=["caseworker", "teacher", "privacy_officer"])
    entry = access_log_record(user=user, event="view", basis="none")
    assert entry.acting_role == "caseworker,privacy_officer"  # the third would not fit (30)
    assert access_log_record(user=UserFactory(), event="view", basis="none").acting_role == (
        "no_role"
    )


def test_a_refusal_has_the_refused_users_role(client, trajectory):
    teacher = UserFactory(organisation=trajectory.client.organisation, roles=["teacher"])
    client.force_login(teacher)
    assert client.get(reverse("audit:home")).status_code == 404
    entry = AccessLogEntry.objects.filter(user=teacher, outcome="refused").get()
    assert (entry.acting_role, entry.view_name) == ("teacher", "audit:home")


def _preview(client, trajectory, **data):
    return client.post(
        reverse("clients:activity_preview", kwargs={"pk": trajectory.client.pk}),
        {"domain": "care", "kind": "session", "date": "2025-03-03", **data},
        HTTP_HX_REQUEST="true",
    )


def test_typing_in_the_activity_form_ten_times_logs_one_funding_preview(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    for minutes in range(10, 20):
        assert _preview(client, trajectory, duration_minutes=minutes).status_code == 200
    entries = AccessLogEntry.objects.filter(
        client=trajectory.client, view_name="clients:activity_preview"
    )
    assert [(e.event, e.outcome, e.acting_role) for e in entries] == [
        ("view", "allowed", "caseworker")
    ]


def test_a_preview_after_the_window_or_of_another_user_is_logged_again(
    client, trajectory, monkeypatch
):
    colleague = UserFactory(organisation=trajectory.client.organisation, roles=["caseworker"])
    care_team_join(
        trajectory=trajectory,
        user=colleague,
        role="caseworker",
        start=datetime.date(2025, 1, 1),
        actor=trajectory.lead_caseworker,
    )
    client.force_login(trajectory.lead_caseworker)
    _preview(client, trajectory)
    client.force_login(colleague)
    _preview(client, trajectory)
    _preview(client, trajectory)
    monkeypatch.setattr(services, "REPEAT_WINDOW", datetime.timedelta(0))
    _preview(client, trajectory)
    users = list(
        AccessLogEntry.objects.filter(
            client=trajectory.client, view_name="clients:activity_preview"
        )
        .order_by("pk")
        .values_list("user__username", flat=True)
    )
    assert users == [
        trajectory.lead_caseworker.username,
        colleague.username,
        colleague.username,  # the window had passed
    ]


def test_other_reads_are_never_collapsed(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    for _ in range(3):
        client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    assert AccessLogEntry.objects.filter(view_name="clients:detail").count() == 3
