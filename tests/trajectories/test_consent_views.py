"""The consent register's pages and the lanes that rest on it (apps.trajectories.access).

A teacher's education lane rests on the client's consent to share with the school, a job
coach's work lane on one to share with the employer or UWV: outside the care provider's own
care team nothing is shared without the client's consent (WGBO 7:457 lid 1, Jeugdwet 7.3.11
lid 1, https://wetten.legaltools.nl/jeugdwet/artikel-7311), and consent may be withdrawn at
any time (AVG art. 7 lid 3): from the day it is withdrawn the lane is closed.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.clients.models import Consent, ConsentRecipient
from apps.clients.services import legal_representative_add
from apps.trajectories.services import activity_log, care_team_join
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory, consent_given
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date


@pytest.fixture(autouse=True)
def _english(client):
    """The pages in English (the Dutch catalogue is compiled at release); one test reads Dutch."""
    client.cookies["django_language"] = "en"


@pytest.fixture
def world(db):
    """A 15-year-old client with a mother who holds parental authority, a lesson and an
    internship day, and a teacher and a job coach on the care team; the client consented to
    share with the school and with the employer (the factory's default)."""
    today = timezone.localdate()
    client = ClientFactory(date_of_birth=today - datetime.timedelta(days=15 * 365 + 100))
    trajectory = TrajectoryFactory(client=client, start=today - datetime.timedelta(days=60))
    lead = trajectory.lead_caseworker
    mother = legal_representative_add(
        client=client, name="Moeder Visser", relation="parent", parental_authority=True, actor=lead
    )
    members = {}
    for role in ("teacher", "job_coach"):
        members[role] = UserFactory(organisation=client.organisation, roles=[Role(role)])
        care_team_join(
            trajectory=trajectory,
            user=members[role],
            role=role,
            start=trajectory.start,
            actor=lead,
        )
    for domain, kind, note in (
        ("education", "lesson", "ONDERWIJSNOTITIE breuken"),
        ("work", "job_coaching", "WERKNOTITIE stageplek"),
    ):
        activity_log(
            trajectory=trajectory,
            domain=domain,
            kind=kind,
            date=today - datetime.timedelta(days=3),
            duration_minutes=60,
            performed_by=lead,
            actor=lead,
            note=note,
            attendance="present" if domain == "education" else "",
        )
    return {
        "client": client,
        "trajectory": trajectory,
        "lead": lead,
        "mother": mother,
        **members,
    }


def _url(name, client, **kwargs):
    return reverse(f"clients:{name}", kwargs={"pk": client.pk, **kwargs})


def _school_consent(client):
    return Consent.objects.get(client=client, recipient=ConsentRecipient.SCHOOL)


def _last_entry(user, client):
    return AccessLogEntry.objects.filter(user=user, client=client).latest("pk")


# --- the teacher's lane and its consent -------------------------------------------------------


def test_a_teacher_loses_the_education_lane_when_the_consent_is_withdrawn(client, world):
    subject, teacher = world["client"], world["teacher"]
    client.force_login(teacher)
    assert client.get(_url("education", subject)).status_code == 200
    assert "ONDERWIJSNOTITIE" in client.get(_url("detail", subject)).text

    client.force_login(world["lead"])
    consent = _school_consent(subject)
    today = timezone.localdate()
    response = client.post(
        _url("consent_withdraw", subject, consent_pk=consent.pk),
        {"withdrawn_on": today.isoformat(), "reason": "De jongere trekt haar toestemming in"},
    )
    assert response.status_code == 302

    client.force_login(teacher)
    assert client.get(_url("education", subject)).status_code == 403
    refused = _last_entry(teacher, subject)
    assert (refused.outcome, refused.detail) == ("refused", "schooling record")

    page = client.get(_url("detail", subject))
    assert page.status_code == 200
    assert "ONDERWIJSNOTITIE" not in page.text
    with translation.override("en"):
        since = date_format(today, "DATE_FORMAT")  # the active language's long date
    assert f"No valid consent to share with the school since {since}." in page.text
    lane_entries = AccessLogEntry.objects.filter(
        user=teacher, client=subject, outcome="refused", detail__startswith="education lane"
    )
    assert lane_entries.exists(), "the closed lane's read is logged as refused"
    # Her school placements page rests on the same lane.
    assert client.get(_url("school_placements", subject)).status_code == 403


def test_the_closed_lane_gives_its_date_in_the_active_language(client, world):
    subject = world["client"]
    Consent.objects.filter(client=subject, recipient=ConsentRecipient.SCHOOL).update(
        given_on=D(2026, 1, 5), withdrawn_on=D(2026, 3, 2)
    )
    client.force_login(world["teacher"])
    client.cookies["django_language"] = "nl"
    text = client.get(_url("detail", subject)).text
    assert "2 maart 2026" in text


def test_a_job_coach_without_consent_to_share_with_the_employer_has_no_work_lane(client, db):
    trajectory = TrajectoryFactory(lane_consents=False)
    job_coach = UserFactory(organisation=trajectory.client.organisation, roles=[Role.JOB_COACH])
    care_team_join(
        trajectory=trajectory,
        user=job_coach,
        role="job_coach",
        start=trajectory.start,
        actor=trajectory.lead_caseworker,
    )
    client.force_login(job_coach)
    subject = trajectory.client
    assert client.get(_url("work", subject)).status_code == 403
    text = client.get(_url("detail", subject)).text
    assert "No consent to share with the employer or UWV is recorded." in text
    # A consent from today opens it; one that starts tomorrow would not.
    consent_given(subject, ConsentRecipient.EMPLOYER, given_on=timezone.localdate())
    assert client.get(_url("work", subject)).status_code == 200


def test_a_caseworker_needs_no_consent_the_care_team_is_not_another(client, db):
    trajectory = TrajectoryFactory(lane_consents=False)
    client.force_login(trajectory.lead_caseworker)
    assert client.get(_url("education", trajectory.client)).status_code == 200
    assert client.get(_url("work", trajectory.client)).status_code == 200


def test_my_clients_follows_the_consent(client, world):
    from apps.trajectories.access import caseload_access_for, client_access_for

    subject, teacher = world["client"], world["teacher"]
    Consent.objects.filter(client=subject, recipient=ConsentRecipient.SCHOOL).update(
        withdrawn_on=timezone.localdate()
    )
    one = client_access_for(user=teacher, client=subject)
    many = caseload_access_for(user=teacher, clients=[subject])[subject.pk]
    assert one == many
    assert one.lanes == frozenset()
    assert not one.may_log
    assert [closed.lane for closed in one.closed_lanes] == ["education"]


# --- the register's pages ----------------------------------------------------------------------


def test_the_caseworker_records_a_consent_as_the_age_rules_require(client, world):
    subject, lead, mother = world["client"], world["lead"], world["mother"]
    client.force_login(lead)
    form = {
        "recipient": "municipality",
        "recipient_name": "Gemeente Utrecht",
        "purpose": "Voortgang voor de herindicatie",
        "young_person": "on",
        "given_on": timezone.localdate().isoformat(),
    }
    # 15: the mother's consent is needed too (BW 7:450 lid 2).
    response = client.post(_url("consents", subject), form)
    assert response.status_code == 400
    assert "Moeder Visser" in response.text
    assert not Consent.objects.filter(client=subject, recipient="municipality").exists()

    response = client.post(_url("consents", subject), {**form, "given_by": [mother.pk]})
    assert response.status_code == 302
    consent = Consent.objects.get(client=subject, recipient="municipality")
    assert consent.given_by_young_person
    assert list(consent.given_by_representatives.all()) == [mother]
    assert {row.history_user for row in consent.history.all()} == {lead}
    entry = _last_entry(lead, subject)
    assert (entry.event, entry.object_id) == ("create", str(consent.pk))
    page = client.get(_url("consents", subject)).text
    assert "Gemeente Utrecht" in page
    assert "Moeder Visser" in page


def test_a_wrong_consent_form_says_what_is_wrong_and_saves_nothing(client, world):
    subject = world["client"]
    client.force_login(world["lead"])
    response = client.post(
        _url("consents", subject),
        {"recipient": "school", "purpose": "", "given_on": "morgen", "young_person": "on"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"purpose", "given_on"}
    assert Consent.objects.filter(client=subject).count() == 2


def test_a_wrong_withdrawal_says_why_and_changes_nothing(client, world):
    subject = world["client"]
    consent = _school_consent(subject)
    client.force_login(world["lead"])
    response = client.post(
        _url("consent_withdraw", subject, consent_pk=consent.pk),
        {"withdrawn_on": "2000-01-01", "reason": "jongere"},
        follow=True,
    )
    assert "The withdrawal lies before the day the consent was given." in response.text
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_the_care_team_page_shows_the_consents(client, world):
    client.force_login(world["lead"])
    text = client.get(_url("care_team", world["client"])).text
    assert 'id="consents-title"' in text
    assert text.count('id="consent-') == 2


def test_a_teacher_sees_the_register_but_records_nothing(client, world):
    subject, teacher = world["client"], world["teacher"]
    client.force_login(teacher)
    response = client.get(_url("consents", subject))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Record a withdrawal" not in response.text
    response = client.post(
        _url("consents", subject),
        {"recipient": "school", "purpose": "x", "given_on": "2026-01-01", "young_person": "on"},
    )
    assert response.status_code == 403
    assert _last_entry(teacher, subject).outcome == "refused"
    consent = _school_consent(subject)
    response = client.post(
        _url("consent_withdraw", subject, consent_pk=consent.pk),
        {"withdrawn_on": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_the_register_is_refused_to_a_manager_and_another_organisation(client, world):
    subject = world["client"]
    manager = UserFactory(organisation=subject.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert client.get(_url("consents", subject)).status_code == 403
    assert _last_entry(manager, subject).outcome == "refused"
    stranger = UserFactory(organisation=OrganisationFactory(), roles=[Role.CASEWORKER])
    client.force_login(stranger)
    assert client.get(_url("consents", subject)).status_code == 404
    assert _last_entry(stranger, subject).outcome == "refused"
    consent = _school_consent(subject)
    response = client.post(
        _url("consent_withdraw", subject, consent_pk=consent.pk),
        {"withdrawn_on": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 404


def test_a_consent_of_another_client_cannot_be_withdrawn_here(client, world):
    other = TrajectoryFactory(
        client__organisation=world["client"].organisation, lead_caseworker=world["lead"]
    )
    foreign_consent = Consent.objects.filter(client=other.client).first()
    client.force_login(world["lead"])
    response = client.post(
        _url("consent_withdraw", world["client"], consent_pk=foreign_consent.pk),
        {"withdrawn_on": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 404
    foreign_consent.refresh_from_db()
    assert foreign_consent.withdrawn_on is None
    # The probe is in the access log, as refused, against the client whose page was asked for.
    assert AccessLogEntry.objects.filter(
        user=world["lead"], client=world["client"], outcome="refused", detail="consent register"
    ).exists()
