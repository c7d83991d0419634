"""The safety notice: set, changed and ended by a caseworker of the care team, shown at the top
of the client page to the whole care team (each showing to a teacher or job coach logged), a
manager only told that one is in force (docs/corrections.md)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.core.errors import PermissionRefused
from apps.safety.models import SafetyNotice
from apps.safety.services import safety_notice_change, safety_notice_end, safety_notice_set
from apps.trajectories.models import TeamRole
from apps.trajectories.services import care_team_join
from tests.accounts.factories import UserFactory
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db

TEXT = "VEILIGHEID Deel niet waar zij woont; bel de behandelaar als iemand naar haar vraagt."


@pytest.fixture
def team():
    trajectory = TrajectoryFactory(start=datetime.date(2025, 1, 1))
    organisation = trajectory.client.organisation
    users = {"caseworker": trajectory.lead_caseworker}
    for role, team_role in (("teacher", TeamRole.TEACHER), ("job_coach", TeamRole.JOB_COACH)):
        users[role] = UserFactory(organisation=organisation, roles=[Role(role)])
        care_team_join(
            trajectory=trajectory,
            user=users[role],
            role=team_role,
            start=trajectory.start,
            actor=trajectory.lead_caseworker,
        )
    users["manager"] = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    users["outsider"] = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    return trajectory.client, users


def _set(client, users, **kwargs):
    return safety_notice_set(
        client=client,
        text=TEXT,
        start=kwargs.pop("start", timezone.localdate()),
        actor=users["caseworker"],
        **kwargs,
    )


def test_the_team_sees_the_notice_on_the_client_page_and_a_teachers_showing_is_logged(client, team):
    subject, users = team
    notice = _set(subject, users)
    url = reverse("clients:detail", kwargs={"pk": subject.pk})
    for role in ("caseworker", "teacher", "job_coach"):
        client.force_login(users[role])
        assert TEXT in client.get(url).content.decode()
    for role in ("teacher", "job_coach"):
        entry = AccessLogEntry.objects.filter(user=users[role], detail="safety notice").get()
        assert (entry.client_id, entry.object_id, entry.outcome) == (
            subject.pk,
            str(notice.pk),
            "allowed",
        )
    assert not AccessLogEntry.objects.filter(user=users["caseworker"], detail="safety notice")


def test_a_manager_learns_a_notice_is_in_force_but_never_its_text(client, team):
    subject, users = team
    _set(subject, users)
    client.force_login(users["manager"])
    page = client.get(reverse("clients:detail", kwargs={"pk": subject.pk})).content.decode()
    assert TEXT not in page
    assert "Er geldt een veiligheidsmelding" in page


def test_a_notice_shows_from_its_start_until_its_end(client, team):
    subject, users = team
    today = timezone.localdate()
    notice = _set(subject, users, start=today + datetime.timedelta(days=1))
    client.force_login(users["teacher"])
    url = reverse("clients:detail", kwargs={"pk": subject.pk})
    assert TEXT not in client.get(url).content.decode()
    safety_notice_change(
        notice=notice,
        text=TEXT,
        start=today - datetime.timedelta(days=3),
        actor=users["caseworker"],
        reason="Eerder ingegaan",
    )
    assert TEXT in client.get(url).content.decode()
    safety_notice_end(
        notice=notice, end=today - datetime.timedelta(days=1), actor=users["caseworker"]
    )
    assert TEXT not in client.get(url).content.decode()
    history = list(notice.history.order_by("history_date", "pk"))
    assert len(history) == 3
    assert history[1].history_change_reason == "Eerder ingegaan"


def test_only_a_caseworker_of_the_team_keeps_notices(team):
    subject, users = team
    for role in ("teacher", "job_coach", "manager", "outsider"):
        with pytest.raises(PermissionRefused):
            safety_notice_set(
                client=subject, text=TEXT, start=timezone.localdate(), actor=users[role]
            )
    assert not SafetyNotice.objects.exists()


def test_an_empty_notice_or_an_end_before_the_start_is_refused(team):
    subject, users = team
    with pytest.raises(ValidationError) as refused:
        _set(subject, users, end=timezone.localdate() - datetime.timedelta(days=1))
    assert "end" in refused.value.error_dict
    with pytest.raises(ValidationError):
        safety_notice_set(
            client=subject, text="  ", start=timezone.localdate(), actor=users["caseworker"]
        )
    assert not SafetyNotice.objects.exists()


def test_the_notices_page_sets_changes_and_ends_a_notice(client, team):
    subject, users = team
    client.force_login(users["caseworker"])
    url = reverse("safety:notices", kwargs={"pk": subject.pk})
    today = timezone.localdate().isoformat()
    response = client.post(url, {"text": TEXT, "start": today, "end": ""})
    assert response.status_code == 302
    notice = SafetyNotice.objects.get()
    change = reverse("safety:notice_change", kwargs={"pk": subject.pk, "notice_pk": notice.pk})
    response = client.post(change, {"text": TEXT + " Ook op school.", "start": today})
    assert response.status_code == 200  # no reason: the form says so, nothing saved
    notice.refresh_from_db()
    assert notice.text == TEXT
    response = client.post(
        change, {"text": TEXT + " Ook op school.", "start": today, "reason": "Aangevuld"}
    )
    assert response.status_code == 302
    end = reverse("safety:notice_end", kwargs={"pk": subject.pk, "notice_pk": notice.pk})
    assert client.post(end, {"end": today}).status_code == 302
    notice.refresh_from_db()
    assert notice.end == timezone.localdate()
    page = client.get(url).content.decode()
    assert "Aangevuld" in page
    assert "Ook op school." in page
    # An invalid date is a message, never a 500.
    assert client.post(end, {"end": "gisteren"}, follow=True).status_code == 200


def test_the_notices_pages_are_refused_to_teachers_and_logged(client, team):
    subject, users = team
    notice = _set(subject, users)
    client.force_login(users["teacher"])
    for url in (
        reverse("safety:notices", kwargs={"pk": subject.pk}),
        reverse("safety:notice_change", kwargs={"pk": subject.pk, "notice_pk": notice.pk}),
    ):
        assert client.get(url).status_code == 403
    end = reverse("safety:notice_end", kwargs={"pk": subject.pk, "notice_pk": notice.pk})
    assert client.post(end, {"end": timezone.localdate().isoformat()}).status_code == 403
    assert (
        AccessLogEntry.objects.filter(
            user=users["teacher"], outcome="refused", detail="safety notices"
        ).count()
        == 3
    )
    notice.refresh_from_db()
    assert notice.end is None


def test_reading_the_notices_page_is_logged(client, team):
    subject, users = team
    client.force_login(users["caseworker"])
    client.get(reverse("safety:notices", kwargs={"pk": subject.pk}))
    entry = AccessLogEntry.objects.filter(user=users["caseworker"]).latest("pk")
    assert (entry.detail, entry.outcome, entry.client_id) == (
        "safety notices",
        "allowed",
        subject.pk,
    )
