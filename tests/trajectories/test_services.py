import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.trajectories.models import Activity, CareTeamMembership, Trajectory
from apps.trajectories.services import (
    activity_cancel,
    activity_log,
    care_team_join,
    care_team_leave,
    goal_add,
    goal_update,
    schooling_progress_record,
    trajectory_close,
    trajectory_open,
)
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory

D = datetime.date


def _log(trajectory, caseworker, **overrides):
    values = {
        "trajectory": trajectory,
        "domain": "care",
        "kind": "treatment_session",
        "date": D(2025, 3, 3),
        "duration_minutes": 60,
        "performed_by": caseworker,
        "actor": caseworker,
    }
    values.update(overrides)
    return activity_log(**values)


def _messages(call, field: str) -> dict[str, str]:
    """The first message for a field, in Dutch and in English."""
    messages = {}
    for language in ("nl", "en"):
        with translation.override(language), pytest.raises(ValidationError) as error:
            call()
        with translation.override(language):
            messages[language] = str(error.value.message_dict[field][0])
    return messages


def test_trajectory_open_puts_the_lead_caseworker_on_the_care_team(db):
    client = ClientFactory()
    lead = UserFactory(organisation=client.organisation, roles=[Role.CASEWORKER])
    trajectory = trajectory_open(
        client=client, start=D(2025, 1, 1), lead_caseworker=lead, actor=lead
    )
    membership = CareTeamMembership.objects.get(trajectory=trajectory)
    assert (membership.user, membership.role, membership.end) == (lead, "caseworker", None)
    assert trajectory.history.get().history_user == lead


def test_one_open_trajectory_per_client(trajectory, caseworker):
    with pytest.raises(ValidationError):
        trajectory_open(
            client=trajectory.client,
            start=D(2025, 2, 1),
            lead_caseworker=caseworker,
            actor=caseworker,
        )
    trajectory_close(trajectory=trajectory, end=D(2025, 3, 1), actor=caseworker)
    again = trajectory_open(
        client=trajectory.client, start=D(2025, 4, 1), lead_caseworker=caseworker, actor=caseworker
    )
    assert Trajectory.objects.filter(client=trajectory.client).count() == 2
    assert again.status == "open"


def test_trajectory_close_ends_the_care_team(trajectory, caseworker):
    membership = care_team_join(
        trajectory=trajectory,
        user=caseworker,
        role="caseworker",
        start=D(2025, 1, 1),
        actor=caseworker,
    )
    trajectory_close(trajectory=trajectory, end=D(2025, 6, 30), actor=caseworker)
    membership.refresh_from_db()
    assert membership.end == D(2025, 6, 30)


def test_care_team_join_refuses_a_colleague_of_another_organisation(trajectory, caseworker):
    stranger = UserFactory(roles=[Role.TEACHER])
    with pytest.raises(ValidationError):
        care_team_join(
            trajectory=trajectory,
            user=stranger,
            role="teacher",
            start=D(2025, 1, 1),
            actor=caseworker,
        )


def test_care_team_leave_cannot_end_before_the_start(trajectory, caseworker):
    membership = care_team_join(
        trajectory=trajectory,
        user=caseworker,
        role="caseworker",
        start=D(2025, 2, 1),
        actor=caseworker,
    )
    with pytest.raises(ValidationError):
        care_team_leave(membership=membership, end=D(2025, 1, 31), actor=caseworker)
    care_team_leave(membership=membership, end=D(2025, 2, 1), actor=caseworker)
    assert membership.history.first().end == D(2025, 2, 1)


def test_goals_are_added_and_updated_with_history(trajectory, caseworker):
    goal = goal_add(
        trajectory=trajectory,
        domain="education",
        description="Diploma entree",
        actor=caseworker,
        target_date=D(2025, 7, 1),
    )
    goal = goal_update(goal=goal, actor=caseworker, progress=40)
    goal = goal_update(goal=goal, actor=caseworker, status="achieved")
    assert (goal.progress, goal.status) == (100, "achieved")
    assert goal.history.count() == 3
    with pytest.raises(ValidationError):
        goal_update(goal=goal, actor=caseworker, progress=130)


# --- validation of activities, in both languages -------------------------------------------


def test_an_activity_before_the_trajectory_starts_is_refused(trajectory, caseworker):
    messages = _messages(lambda: _log(trajectory, caseworker, date=D(2024, 12, 31)), "date")
    assert "voor het begin van het traject" in messages["nl"]
    assert "before the trajectory started" in messages["en"]
    assert not Activity.objects.exists()


def test_an_activity_in_the_future_is_refused(trajectory, caseworker):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    messages = _messages(lambda: _log(trajectory, caseworker, date=tomorrow), "date")
    assert "in de toekomst" in messages["nl"]
    assert "in the future" in messages["en"]


@pytest.mark.parametrize("minutes", [-30, 0, 1441, 3000])
def test_a_negative_or_absurd_duration_is_refused(trajectory, caseworker, minutes):
    messages = _messages(
        lambda: _log(trajectory, caseworker, duration_minutes=minutes), "duration_minutes"
    )
    assert "tussen 1 en 1440 minuten" in messages["nl"]
    assert "between 1 and 1440 minutes" in messages["en"]
    assert not Activity.objects.exists()


def test_a_kind_of_another_domain_is_refused(trajectory, caseworker):
    messages = _messages(lambda: _log(trajectory, caseworker, domain="education"), "kind")
    assert "Treatment session is not an activity of the domain Education" in messages["en"]


def test_a_goal_of_another_domain_is_refused(trajectory, caseworker):
    goal = goal_add(trajectory=trajectory, domain="work", description="Stage", actor=caseworker)
    with pytest.raises(ValidationError) as error:
        _log(trajectory, caseworker, goal=goal)
    assert "goal" in error.value.message_dict


def test_schooling_progress_is_an_education_activity_with_structured_fields(trajectory):
    teacher = UserFactory(organisation=trajectory.client.organisation, roles=[Role.TEACHER])
    lesson = schooling_progress_record(
        trajectory=trajectory,
        date=D(2025, 3, 3),
        teacher=teacher,
        attendance="present",
        subject="Nederlands",
        duration_minutes=50,
        assessment="voldoende",
        milestone="Leesniveau 2F",
    )
    assert (lesson.domain, lesson.kind, lesson.subject, lesson.milestone) == (
        "education",
        "lesson",
        "Nederlands",
        "Leesniveau 2F",
    )
    assert lesson.history.get().history_user == teacher
    with pytest.raises(ValidationError) as error:
        schooling_progress_record(
            trajectory=trajectory,
            date=D(2025, 3, 3),
            teacher=teacher,
            attendance="",
            subject="Rekenen",
            duration_minutes=50,
        )
    assert "attendance" in error.value.message_dict


def test_a_cancelled_activity_stays_and_cannot_be_cancelled_twice(trajectory, caseworker):
    activity = _log(trajectory, caseworker)
    activity_cancel(activity=activity, actor=caseworker)
    assert Activity.objects.filter(pk=activity.pk, status="cancelled").exists()
    with pytest.raises(ValidationError):
        activity_cancel(activity=activity, actor=caseworker)


def test_an_activity_on_a_closed_trajectory_is_refused(trajectory, caseworker):
    trajectory_close(trajectory=trajectory, end=D(2025, 6, 30), actor=caseworker)
    with pytest.raises(ValidationError):
        _log(trajectory, caseworker)


def test_an_activity_performed_by_someone_of_another_organisation_is_refused(
    trajectory, caseworker
):
    stranger = UserFactory(roles=[Role.CASEWORKER])
    with pytest.raises(ValidationError) as error:
        _log(trajectory, caseworker, performed_by=stranger)
    assert "performed_by" in error.value.message_dict


def test_a_membership_cannot_start_before_the_trajectory(trajectory, caseworker):
    teacher = UserFactory(organisation=trajectory.client.organisation, roles=[Role.TEACHER])
    with pytest.raises(ValidationError) as error:
        care_team_join(
            trajectory=trajectory,
            user=teacher,
            role="teacher",
            start=D(2024, 12, 1),
            actor=caseworker,
        )
    assert "start" in error.value.message_dict


# --- limits on free text and dates -------------------------------------------------------


def test_a_note_over_10000_characters_is_refused_in_both_languages(trajectory, caseworker):
    messages = _messages(lambda: _log(trajectory, caseworker, note="x" * 100_000), "note")
    assert messages == {
        "nl": "Schrijf hoogstens 10.000 tekens (deze tekst heeft er 100.000).",
        "en": "Write at most 10,000 characters (this text has 100,000).",
    }
    assert not Activity.objects.exists()
    assert _log(trajectory, caseworker, note="x" * 10_000).note == "x" * 10_000


def test_a_correction_refuses_a_long_note_but_not_other_changes_to_an_old_one(
    trajectory, caseworker
):
    from apps.trajectories.services import activity_correct

    activity = _log(trajectory, caseworker)
    with pytest.raises(ValidationError) as error:
        activity_correct(activity=activity, actor=caseworker, note="x" * 10_001)
    assert "note" in error.value.message_dict
    # A note stored before the limit existed does not block correcting something else.
    Activity.objects.filter(pk=activity.pk).update(note="y" * 20_000)
    corrected = activity_correct(activity=activity, actor=caseworker, duration_minutes=30)
    assert corrected.duration_minutes == 30


@pytest.mark.parametrize("target", [D(1, 1, 1), D(1899, 12, 31), D(2010, 5, 16)])
def test_a_goal_target_date_before_the_clients_birth_is_refused(trajectory, caseworker, target):
    messages = _messages(
        lambda: goal_add(
            trajectory=trajectory,
            domain="care",
            description="Veiligheid",
            target_date=target,
            actor=caseworker,
        ),
        "target_date",
    )
    assert messages["en"] == "The target date lies before the client was born (17/05/2010)."
    assert messages["nl"] == "De streefdatum ligt vóór de geboorte van de cliënt (17-05-2010)."
    assert not trajectory.goals.exists()


def test_a_goal_target_date_more_than_10_years_ahead_is_refused(trajectory, caseworker):
    today = timezone.localdate()
    for target in (D(9999, 12, 31), today.replace(year=today.year + 11)):
        with pytest.raises(ValidationError) as error:
            goal_add(
                trajectory=trajectory,
                domain="care",
                description="Veiligheid",
                target_date=target,
                actor=caseworker,
            )
        assert "10 jaar vooruit" in error.value.message_dict["target_date"][0]
    assert not trajectory.goals.exists()
    goal = goal_add(
        trajectory=trajectory,
        domain="care",
        description="Veiligheid",
        target_date=today.replace(year=today.year + 9),
        actor=caseworker,
    )
    with pytest.raises(ValidationError):
        goal_update(goal=goal, actor=caseworker, target_date=D(9999, 1, 1))
    with pytest.raises(ValidationError):
        goal_update(goal=goal, actor=caseworker, description="x" * 2001)
    goal.refresh_from_db()
    assert goal.target_date.year == today.year + 9


def test_a_goal_text_over_2000_characters_is_refused(trajectory, caseworker):
    with pytest.raises(ValidationError) as error:
        goal_add(trajectory=trajectory, domain="care", description="x" * 2001, actor=caseworker)
    assert "description" in error.value.message_dict
