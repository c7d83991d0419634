"""The meldcode on a client (apps/safety): a track per concern, its five steps in order with
the afwegingskader leading to the decision, the report to Veilig Thuis and the follow-up;
reports to the inspectorate with their timeline. The care team only: a manager, a privacy
officer, another organisation and a caseworker under emergency access get 404, logged.

Sources (the rules themselves: tests/safety/test_meldcode_rules.py): Besluit verplichte meldcode
huiselijk geweld en kindermishandeling (Stb. 2013, 324) art. 2 and the Basismodel meldcode (the
five steps and that they are recorded in the client's file); the basisdocument "Het
afwegingskader in de Meldcode" (afwegingen 1 to 5); Jeugdwet art. 4.1.7 and 4.1.8 with the
Leidraad Meldingen Jeugd (three working days).
"""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.core.errors import PermissionRefused
from apps.safety.meldcode import (
    inspectorate_report_record,
    inspectorate_report_update,
    meldcode_follow_up_record,
    meldcode_report_record,
    meldcode_step_record,
    meldcode_track_close,
    meldcode_track_open,
)
from apps.safety.models import (
    InspectorateReport,
    MeldcodeDecision,
    MeldcodeStepRecord,
    MeldcodeTrack,
)
from apps.trajectories.access import break_glass_open
from apps.trajectories.models import TeamRole
from apps.trajectories.services import care_team_join
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CONCERN = "Qzorg signalen uitbuiting"


def days_ago(n: int) -> datetime.date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def team():
    client = ClientFactory(given_name="Qmeldnaam", family_name="Qverborgenfam", shielded=True)
    trajectory = TrajectoryFactory(client=client, start=datetime.date(2025, 1, 1))
    organisation = client.organisation
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
    for role in ("manager", "privacy_officer"):
        users[role] = UserFactory(organisation=organisation, roles=[Role(role)])
    users["outsider"] = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    users["foreign"] = UserFactory(roles=[Role.CASEWORKER])
    return client, users


def _open(client, users, opened=20):
    return meldcode_track_open(
        client=client, concern=CONCERN, opened_on=days_ago(opened), actor=users["caseworker"]
    )


def _steps_1_to_3(track, users, start=20):
    meldcode_step_record(
        track=track, step=1, date=days_ago(start), outcome="Signalen", actor=users["teacher"]
    )
    meldcode_step_record(
        track=track,
        step=2,
        date=days_ago(start - 2),
        outcome="Aandachtsfunctionaris",
        veilig_thuis_consulted=True,
        actor=users["caseworker"],
    )
    meldcode_step_record(
        track=track,
        step=3,
        date=days_ago(start - 4),
        outcome="Gesprek",
        conversation_held=True,
        actor=users["caseworker"],
    )


def _weigh(track, users, day, **answers):
    return meldcode_step_record(
        track=track, step=4, date=day, outcome="Gewogen", actor=users["caseworker"], **answers
    )


# --- the five steps -------------------------------------------------------------------------


def test_the_five_steps_in_order_lead_from_the_signals_to_a_report_and_its_follow_up(team):
    client, users = team
    track = _open(client, users)
    _steps_1_to_3(track, users)
    # Afweging 2 "ja" (sexual exploitation is acute unsafety): reporting is necessary.
    weighing = _weigh(
        track, users, days_ago(15), suspicion=True, acute_or_structural=True, effective_help=True
    )
    assert weighing.effective_help is None  # a question after the weighing ended stays open
    with pytest.raises(ValidationError) as refused:
        meldcode_step_record(
            track=track,
            step=5,
            date=days_ago(15),
            outcome="Hulp",
            decision=MeldcodeDecision.HELP,
            actor=users["caseworker"],
        )
    assert "decision" in refused.value.error_dict
    meldcode_step_record(
        track=track,
        step=5,
        date=days_ago(14),
        outcome="Melden",
        decision=MeldcodeDecision.REPORT_AND_HELP,
        actor=users["caseworker"],
    )
    with pytest.raises(ValidationError):  # closing waits for the report
        meldcode_track_close(track=track, closed_on=TODAY, note="Klaar", actor=users["caseworker"])
    meldcode_report_record(
        track=track, reported_on=days_ago(14), reference="VT-2026-0042", actor=users["caseworker"]
    )
    meldcode_follow_up_record(
        track=track,
        date=days_ago(2),
        notes="Veilig Thuis doet onderzoek",
        help_works=True,
        actor=users["job_coach"],
    )
    meldcode_track_close(
        track=track, closed_on=TODAY, note="Overgedragen", actor=users["caseworker"]
    )
    track.refresh_from_db()
    assert (track.status, track.reported_on, track.report_reference) == (
        "closed",
        days_ago(14),
        "VT-2026-0042",
    )
    assert [record.step for record in track.steps.all()] == [1, 2, 3, 4, 5]
    assert track.history.count() == 3  # opened, reported, closed
    assert MeldcodeStepRecord.history.filter(track_id=track.pk).count() == 5


def test_a_step_comes_only_after_the_one_before_and_not_before_its_date(team):
    client, users = team
    track = _open(client, users)
    with pytest.raises(ValidationError, match="stap 1 vast"):
        meldcode_step_record(
            track=track,
            step=2,
            date=TODAY,
            outcome="x",
            veilig_thuis_consulted=False,
            actor=users["caseworker"],
        )
    meldcode_step_record(
        track=track, step=1, date=days_ago(5), outcome="Signalen", actor=users["caseworker"]
    )
    with pytest.raises(ValidationError) as refused:
        meldcode_step_record(
            track=track,
            step=2,
            date=days_ago(6),
            outcome="Overleg",
            veilig_thuis_consulted=False,
            actor=users["caseworker"],
        )
    assert "date" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        meldcode_step_record(
            track=track,
            step=2,
            date=TODAY + timedelta(days=1),
            outcome="Overleg",
            actor=users["caseworker"],
        )
    assert set(refused.value.error_dict) == {"date", "veilig_thuis_consulted"}
    assert track.steps.count() == 1


def test_no_conversation_needs_a_reason_and_an_unfinished_weighing_is_refused(team):
    client, users = team
    track = _open(client, users)
    meldcode_step_record(
        track=track, step=1, date=days_ago(5), outcome="Signalen", actor=users["caseworker"]
    )
    meldcode_step_record(
        track=track,
        step=2,
        date=days_ago(4),
        outcome="Overleg",
        veilig_thuis_consulted=False,
        actor=users["caseworker"],
    )
    with pytest.raises(ValidationError) as refused:
        meldcode_step_record(
            track=track,
            step=3,
            date=days_ago(3),
            outcome="Geen gesprek",
            conversation_held=False,
            actor=users["caseworker"],
        )
    assert "notes" in refused.value.error_dict
    meldcode_step_record(
        track=track,
        step=3,
        date=days_ago(3),
        outcome="Geen gesprek",
        conversation_held=False,
        notes="Een gesprek zou haar in gevaar brengen.",
        actor=users["caseworker"],
    )
    with pytest.raises(ValidationError):  # afweging 3 not answered yet
        _weigh(track, users, days_ago(2), suspicion=True, acute_or_structural=False)
    # No suspicion: the weighing ends at afweging 1, and only closing fits.
    _weigh(track, users, days_ago(2), suspicion=False, acute_or_structural=True)
    with pytest.raises(ValidationError):
        meldcode_step_record(
            track=track,
            step=5,
            date=days_ago(1),
            outcome="Melden",
            decision=MeldcodeDecision.REPORT,
            actor=users["caseworker"],
        )
    meldcode_step_record(
        track=track,
        step=5,
        date=days_ago(1),
        outcome="Geen vermoeden",
        decision=MeldcodeDecision.CLOSE,
        actor=users["caseworker"],
    )
    with pytest.raises(ValidationError):  # no report where the decision was not to report
        meldcode_report_record(
            track=track, reported_on=TODAY, reference="VT-1", actor=users["caseworker"]
        )


def test_only_the_care_team_keeps_the_meldcode_not_under_emergency_access(team):
    client, users = team
    break_glass_open(
        user=users["outsider"], client=client, reason="Crisis in de nacht, team onbereikbaar"
    )
    for role in ("manager", "privacy_officer", "outsider", "foreign"):
        with pytest.raises(PermissionRefused):
            meldcode_track_open(client=client, concern=CONCERN, opened_on=TODAY, actor=users[role])
    assert not MeldcodeTrack.objects.exists()
    track = _open(client, users)
    with pytest.raises(PermissionRefused):
        meldcode_step_record(track=track, step=1, date=TODAY, outcome="x", actor=users["outsider"])


# --- the pages ------------------------------------------------------------------------------


def test_the_care_team_walks_the_steps_through_the_pages(client, team):
    subject, users = team
    client.force_login(users["caseworker"])
    url = reverse("safety:meldcode", kwargs={"pk": subject.pk})
    response = client.post(url, {"concern": "", "opened_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert not MeldcodeTrack.objects.exists()
    response = client.post(url, {"concern": CONCERN, "opened_on": TODAY.isoformat()})
    track = MeldcodeTrack.objects.get()
    track_url = reverse("safety:meldcode_track", kwargs={"pk": subject.pk, "track_pk": track.pk})
    assert response.url == track_url
    step_url = reverse("safety:meldcode_step", kwargs={"pk": subject.pk, "track_pk": track.pk})
    day = TODAY.isoformat()
    posts = [
        {"date": day, "outcome": "Signalen"},
        {"date": day, "outcome": "Overleg", "veilig_thuis_consulted": "yes"},
        {"date": day, "outcome": "Gesprek", "conversation_held": "yes"},
        {
            "date": day,
            "outcome": "Gewogen",
            "suspicion": "yes",
            "acute_or_structural": "no",
            "effective_help": "yes",
            "help_accepted": "yes",
        },
        {"date": day, "outcome": "Hulp", "decision": "help"},
    ]
    for number, post in enumerate(posts, start=1):
        response = client.post(step_url, post)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert track.steps.count() == number
    page = client.get(track_url).content.decode()
    assert "Hulp bieden of organiseren zonder melding" in page
    assert "Qmeldnaam" in page  # the care team sees who it is
    follow_up = reverse(
        "safety:meldcode_follow_up", kwargs={"pk": subject.pk, "track_pk": track.pk}
    )
    response = client.post(follow_up, {"date": day, "help_works": "no", "notes": ""})
    assert response.status_code == 200
    assert not track.follow_ups.exists()
    client.post(follow_up, {"date": day, "help_works": "no", "notes": "Geweld gaat door"})
    page = client.get(track_url).content.decode()
    assert "opnieuw" in page  # afweging 5 "nee": report (again)


def test_a_wrong_role_or_organisation_gets_a_logged_404(client, team):
    subject, users = team
    track = _open(subject, users)
    report = inspectorate_report_record(
        client=subject,
        kind="violence",
        summary="Geweld door groepsgenoot",
        occurred_on=days_ago(3),
        discovered_on=days_ago(3),
        actor=users["caseworker"],
    )
    break_glass_open(
        user=users["outsider"], client=subject, reason="Crisis in de nacht, team onbereikbaar"
    )
    urls = [
        reverse("safety:meldcode", kwargs={"pk": subject.pk}),
        reverse("safety:meldcode_track", kwargs={"pk": subject.pk, "track_pk": track.pk}),
        reverse("safety:inspectorate", kwargs={"pk": subject.pk}),
        reverse("safety:inspectorate_report", kwargs={"pk": subject.pk, "report_pk": report.pk}),
    ]
    for role in ("manager", "privacy_officer", "outsider", "foreign"):
        client.force_login(users[role])
        for url in urls:
            assert client.get(url).status_code == 404
        entries = AccessLogEntry.objects.filter(user=users[role], client=subject)
        assert entries.filter(outcome="refused").count() == len(urls)
        assert not entries.filter(outcome="allowed", detail__contains="meldcode").exists()
    for role in ("caseworker", "teacher", "job_coach"):
        client.force_login(users[role])
        for url in urls:
            assert client.get(url).status_code == 200
        assert AccessLogEntry.objects.filter(
            user=users[role], client=subject, outcome="allowed", detail="meldcode track"
        ).exists()


def test_a_track_or_report_of_another_client_is_refused_and_logged(client, team):
    """The care team of one client probing the id of another client's track or report gets 404,
    written to the access log as refused (not only the allowed read of its own client)."""
    subject, users = team
    other, other_users = _team_of_another_client(users["caseworker"])
    track = _open(other, other_users)
    report = inspectorate_report_record(
        client=other,
        kind="violence",
        summary="Geweld door groepsgenoot",
        occurred_on=days_ago(3),
        discovered_on=days_ago(3),
        actor=other_users["caseworker"],
    )
    client.force_login(users["caseworker"])
    for url, what in (
        (
            reverse("safety:meldcode_track", kwargs={"pk": subject.pk, "track_pk": track.pk}),
            "meldcode track",
        ),
        (
            reverse(
                "safety:inspectorate_report", kwargs={"pk": subject.pk, "report_pk": report.pk}
            ),
            "inspectorate report",
        ),
    ):
        assert client.get(url).status_code == 404
        assert AccessLogEntry.objects.filter(
            user=users["caseworker"], client=subject, outcome="refused", detail=what
        ).exists()


def _team_of_another_client(caseworker):
    other = ClientFactory(organisation=caseworker.organisation)
    trajectory = TrajectoryFactory(client=other, start=datetime.date(2025, 1, 1))
    return other, {"caseworker": trajectory.lead_caseworker}


def test_the_client_page_panel_shows_a_stalled_step_to_the_team_only(client, team):
    subject, users = team
    track = _open(subject, users)
    _steps_1_to_3(track, users)  # step 3 sixteen days ago: the weighing stalls
    detail = reverse("clients:detail", kwargs={"pk": subject.pk})
    client.force_login(users["teacher"])
    page = client.get(detail).content.decode()
    assert CONCERN in page
    assert "Vastgelopen" in page
    break_glass_open(
        user=users["outsider"], client=subject, reason="Crisis in de nacht, team onbereikbaar"
    )
    for role in ("manager", "outsider"):
        client.force_login(users[role])
        page = client.get(detail).content.decode()
        assert CONCERN not in page
        assert "Meldcode" not in page


def test_the_day_page_reminds_the_teams_caseworker_by_the_name_the_team_sees(
    client, team, django_assert_max_num_queries
):
    subject, users = team
    track = _open(subject, users)
    _steps_1_to_3(track, users)
    fresh = _open(subject, users, opened=1)  # a step due in six days: no reminder
    client.force_login(users["caseworker"])
    page = client.get(reverse("home")).content.decode()
    assert "Meldcodestappen die vastlopen" in page
    assert "Qmeldnaam" in page
    assert reverse("safety:meldcode_track", kwargs={"pk": subject.pk, "track_pk": track.pk}) in page
    assert f"/meldcode/{fresh.pk}/" not in page
    assert AccessLogEntry.objects.filter(
        user=users["caseworker"], client=subject, detail="day page: meldcode"
    ).exists()
    for role in ("teacher", "manager"):
        client.force_login(users[role])
        page = client.get(reverse("home")).content.decode()
        assert "Meldcodestappen die vastlopen" not in page
        assert f"/meldcode/{track.pk}/" not in page


def test_a_shielded_clients_name_stays_out_of_the_access_log(client, team):
    subject, users = team
    track = _open(subject, users)
    _steps_1_to_3(track, users)
    client.force_login(users["caseworker"])
    client.get(reverse("safety:meldcode_track", kwargs={"pk": subject.pk, "track_pk": track.pk}))
    client.force_login(users["manager"])
    client.get(reverse("safety:meldcode", kwargs={"pk": subject.pk}))
    details = " ".join(AccessLogEntry.objects.values_list("detail", flat=True))
    assert "meldcode" in details
    for secret in ("Qmeldnaam", "Qverborgenfam", CONCERN):
        assert secret not in details


# --- reports to the inspectorate ------------------------------------------------------------


def test_a_report_to_the_inspectorate_keeps_its_timeline_and_flags_lateness(client, team):
    subject, users = team
    with pytest.raises(ValidationError) as refused:
        inspectorate_report_record(
            client=subject,
            kind="calamity",
            summary="Ernstig letsel",
            occurred_on=days_ago(3),
            discovered_on=days_ago(5),
            actor=users["caseworker"],
        )
    assert "discovered_on" in refused.value.error_dict
    report = inspectorate_report_record(
        client=subject,
        kind="calamity",
        summary="Ernstig letsel",
        occurred_on=days_ago(30),
        discovered_on=days_ago(30),
        actor=users["caseworker"],
    )
    page_url = reverse(
        "safety:inspectorate_report", kwargs={"pk": subject.pk, "report_pk": report.pk}
    )
    client.force_login(users["caseworker"])
    assert "Te laat" in client.get(page_url).content.decode()  # not reported, term passed
    with pytest.raises(ValidationError) as refused:
        inspectorate_report_update(
            report=report,
            actor=users["caseworker"],
            reported_on=None,
            igj_reference="",
            investigation_due=None,
            investigation_sent_on=days_ago(1),
            closed_on=None,
        )
    assert "investigation_sent_on" in refused.value.error_dict
    response = client.post(
        page_url,
        {
            "reported_on": days_ago(29).isoformat(),
            "igj_reference": "IGJ-123",
            "investigation_due": days_ago(2).isoformat(),
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.reported_on, report.igj_reference) == (days_ago(29), "IGJ-123")
    page = client.get(page_url).content.decode()
    assert "Achterstallig" in page  # the investigation report is overdue
    assert report.history.count() == 2
    assert InspectorateReport.objects.count() == 1


def test_the_tracks_page_and_the_day_page_read_a_fixed_number_of_queries(
    client, team, django_assert_max_num_queries
):
    subject, users = team
    client.force_login(users["caseworker"])
    url = reverse("safety:meldcode", kwargs={"pk": subject.pk})
    counts = []
    for _round in range(2):
        for _track in range(3):
            _steps_1_to_3(_open(subject, users), users)
        with django_assert_max_num_queries(40) as counted:
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(80) as day:
            client.get(reverse("home"))
        counts.append((len(counted), len(day)))
    assert counts[0] == counts[1]  # six tracks cost what three did
