import datetime

import psycopg
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry, BreakGlassAccess
from apps.audit.services import access_log_record
from apps.privacy.services import break_glass_review
from apps.trajectories.access import break_glass_open
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.trajectories.factories import TrajectoryFactory


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(start=datetime.date(2025, 1, 1))


def _entries(**filters):
    return list(AccessLogEntry.objects.filter(**filters).order_by("pk"))


def test_a_client_page_read_writes_exactly_one_complete_entry(client, trajectory, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    lead = trajectory.lead_caseworker
    client.force_login(lead)
    before = AccessLogEntry.objects.count()
    response = client.get(
        reverse("clients:detail", kwargs={"pk": trajectory.client.pk}),
        HTTP_X_FORWARDED_FOR="10.9.8.7, 203.0.113.5",
        HTTP_USER_AGENT="Firefox/140",
    )
    assert response.status_code == 200
    entries = list(AccessLogEntry.objects.order_by("pk")[before:])
    assert len(entries) == 1
    entry = entries[0]
    assert entry.user == lead
    assert entry.username == lead.username
    assert entry.acting_role == "caseworker"
    assert entry.client == trajectory.client
    assert entry.organisation == trajectory.client.organisation
    assert entry.event == "view"
    assert entry.detail == "client page"
    assert entry.basis == "care_team"
    assert entry.outcome == "allowed"
    assert (
        entry.ip_address == "203.0.113.5"
    )  # the address the proxy saw, not what the client claimed
    assert entry.user_agent == "Firefox/140"
    assert abs(entry.occurred_at - timezone.now()) < datetime.timedelta(minutes=1)


def test_a_forged_forwarded_header_without_a_proxy_is_ignored(client, trajectory, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.force_login(trajectory.lead_caseworker)
    client.get(
        reverse("clients:detail", kwargs={"pk": trajectory.client.pk}),
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert AccessLogEntry.objects.filter(event="view").latest("pk").ip_address == "127.0.0.1"


def test_a_refused_read_is_logged_as_refused(client, trajectory):
    outsider = UserFactory(organisation=trajectory.client.organisation, roles=[Role.TEACHER])
    client.force_login(outsider)
    response = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    assert response.status_code == 404
    entry = AccessLogEntry.objects.get(user=outsider, client=trajectory.client)
    assert (entry.outcome, entry.basis) == ("refused", "none")


def test_logins_failed_logins_and_logouts_are_logged(client, db):
    user = UserFactory()
    client.post(reverse("login"), {"username": user.username, "password": "wrong-password"})
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    client.post(reverse("logout"))
    events = [(e.event, e.outcome, e.username) for e in _entries(username=user.username)]
    assert events == [
        ("login_failed", "refused", user.username),
        ("login", "allowed", user.username),
        ("logout", "allowed", user.username),
    ]


def test_joining_and_leaving_a_care_team_is_logged_as_a_permission_change(trajectory):
    entries = _entries(event="permission_change", client=trajectory.client)
    assert entries, "the factory's lead joined through the service"


def test_the_application_cannot_change_or_delete_an_entry(trajectory):
    entry = access_log_record(user=trajectory.lead_caseworker, event="view", basis="care_team")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(detail="x")
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.filter(pk=entry.pk).delete()


def test_postgresql_trigger_refuses_update_and_delete(db_owner):
    """As the table's owner: the application's role may not even try (test_database_role.py)."""
    (entry_pk,) = db_owner.execute(
        "INSERT INTO audit_accesslogentry (occurred_at, username, acting_role, event,"
        " object_type, object_id, detail, user_agent, basis, reason, outcome)"
        " VALUES (now(), '', '', 'view', '', '', '', '', 'care_team', '', 'allowed') RETURNING id"
    ).fetchone()
    for statement in (
        "UPDATE audit_accesslogentry SET detail = 'x' WHERE id = %s",
        "DELETE FROM audit_accesslogentry WHERE id = %s",
    ):
        with pytest.raises(psycopg.DatabaseError, match="append-only"), db_owner.transaction():
            db_owner.execute(statement, [entry_pk])
    assert db_owner.execute(
        "SELECT count(*) FROM audit_accesslogentry WHERE id = %s AND detail = ''", [entry_pk]
    ).fetchone() == (1,)


# --- break the glass -----------------------------------------------------------------------


def test_break_the_glass_opens_a_client_for_a_limited_time_and_queues_a_review(client, trajectory):
    caseworker = UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
    client.force_login(caseworker)
    url = reverse("clients:detail", kwargs={"pk": trajectory.client.pk})
    assert client.get(url).status_code == 404
    response = client.post(
        reverse("clients:break_glass", kwargs={"pk": trajectory.client.pk}),
        {"reason": "Client belt in paniek, behandelaar onbereikbaar"},
    )
    assert response.status_code == 302
    access = BreakGlassAccess.objects.get(user=caseworker)
    assert access.expires_at - access.started_at == datetime.timedelta(hours=12)
    response = client.get(url)
    assert response.status_code == 200
    entry = AccessLogEntry.objects.filter(user=caseworker, event="view", outcome="allowed").latest(
        "pk"
    )
    assert entry.basis == "break_the_glass"
    assert entry.reason == "Client belt in paniek, behandelaar onbereikbaar"


def test_break_the_glass_expires(client, trajectory):
    caseworker = UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
    access = break_glass_open(
        user=caseworker, client=trajectory.client, reason="Acute crisis in de nacht"
    )
    BreakGlassAccess.objects.filter(pk=access.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=13),
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    client.force_login(caseworker)
    assert (
        client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk})).status_code
        == 404
    )


def test_a_short_reason_is_refused_with_a_clear_message(client, trajectory):
    caseworker = UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
    client.force_login(caseworker)
    response = client.post(
        reverse("clients:break_glass", kwargs={"pk": trajectory.client.pk}), {"reason": "nood"}
    )
    assert response.status_code == 200
    assert "15" in response.text
    assert not BreakGlassAccess.objects.exists()


def test_the_privacy_officer_reviews_an_emergency_access(client, trajectory):
    caseworker = UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
    officer = UserFactory(organisation=trajectory.client.organisation, roles=[Role.PRIVACY_OFFICER])
    access = break_glass_open(
        user=caseworker, client=trajectory.client, reason="Acute crisis in de nacht"
    )
    client.force_login(officer)
    page = client.get(reverse("audit:home"))
    assert "Acute crisis in de nacht" in page.text
    response = client.post(
        reverse("audit:break_glass_review", kwargs={"pk": access.pk}),
        {"review_comment": "Terecht: crisisdienst, nagebeld met behandelaar"},
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.reviewed_by == officer
    assert access.review_comment.startswith("Terecht")
    page = client.get(reverse("audit:home"))
    assert list(page.context["queue"]) == []
    assert list(page.context["reviewed"]) == [access]


def test_only_a_privacy_officer_of_the_organisation_reviews(trajectory):
    caseworker = UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
    access = break_glass_open(
        user=caseworker, client=trajectory.client, reason="Acute crisis in de nacht"
    )
    foreign_officer = UserFactory(roles=[Role.PRIVACY_OFFICER])
    with pytest.raises(PermissionError):
        break_glass_review(access=access, reviewer=foreign_officer, comment="ok")


def test_history_page_shows_who_changed_what_without_notes_and_exports_csv(client, trajectory):
    from apps.trajectories.services import activity_log

    lead = trajectory.lead_caseworker
    activity_log(
        trajectory=trajectory,
        domain="care",
        kind="intake",
        date=datetime.date(2025, 2, 3),
        duration_minutes=60,
        performed_by=lead,
        actor=lead,
        note="Vertrouwelijke notitie",
    )
    officer = UserFactory(organisation=trajectory.client.organisation, roles=[Role.PRIVACY_OFFICER])
    client.force_login(lead)
    client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    client.force_login(officer)
    page = client.get(reverse("audit:client_history", kwargs={"pk": trajectory.client.pk}))
    assert page.status_code == 200
    assert "Vertrouwelijke notitie" not in page.text
    assert lead.username in page.text
    assert "Cliëntpagina" in page.text  # the page in words (apps/audit/labels.py)
    export = client.get(
        reverse("audit:client_history", kwargs={"pk": trajectory.client.pk}), {"export": "csv"}
    )
    assert export["Content-Type"].startswith("text/csv")
    assert lead.username in export.content.decode("utf-8-sig")
    assert AccessLogEntry.objects.filter(
        user=officer, event="export", client=trajectory.client
    ).exists()
    filtered = client.get(
        reverse("audit:client_history", kwargs={"pk": trajectory.client.pk}),
        {"user": officer.pk, "event": "view"},
    )
    assert "Cliëntpagina" not in filtered.text


def test_access_report_lists_who_accessed_the_record_in_a_period(client, trajectory):
    lead = trajectory.lead_caseworker
    officer = UserFactory(organisation=trajectory.client.organisation, roles=[Role.PRIVACY_OFFICER])
    client.force_login(lead)
    client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    client.force_login(officer)
    today = timezone.localdate().isoformat()
    page = client.get(
        reverse("audit:client_access_report", kwargs={"pk": trajectory.client.pk}),
        {"since": today, "until": today},
    )
    assert trajectory.client.organisation.name in page.text
    assert "Cliëntpagina" in page.text
    wrong = client.get(
        reverse("audit:client_access_report", kwargs={"pk": trajectory.client.pk}),
        {"since": today, "until": "2000-01-01"},
    )
    assert wrong.status_code == 200
    assert "ligt na het einde" in wrong.text


def test_writes_through_the_services_are_logged_with_the_client(trajectory):
    from apps.trajectories.services import activity_cancel, activity_correct, activity_log

    lead = trajectory.lead_caseworker
    activity = activity_log(
        trajectory=trajectory,
        domain="care",
        kind="intake",
        date=datetime.date(2025, 2, 3),
        duration_minutes=60,
        performed_by=lead,
        actor=lead,
    )
    activity_correct(activity=activity, actor=lead, duration_minutes=45)
    activity_cancel(activity=activity, actor=lead)
    events = list(
        AccessLogEntry.objects.filter(
            object_type="trajectories.activity", object_id=str(activity.pk)
        )
        .order_by("pk")
        .values_list("event", "user", "client")
    )
    assert events == [
        ("create", lead.pk, trajectory.client.pk),
        ("change", lead.pk, trajectory.client.pk),
        ("delete", lead.pk, trajectory.client.pk),
    ]
