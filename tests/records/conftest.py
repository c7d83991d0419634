"""A client with something in every part of the record, for the copy and the statements."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.agenda.models import Appointment
from apps.clients.consent import consent_record
from apps.clients.models import Client, ConsentRecipient, LegalRepresentative, Referral
from apps.core.domains import ActivityKind, Attendance, Domain
from apps.plans.models import Evaluation, GoalScore, TreatmentPlan
from apps.registers.models import AbsenceReport
from apps.safety.meldcode import meldcode_track_open
from apps.safety.services import safety_notice_set
from apps.trajectories.models import Employment, TeamRole, Trajectory
from apps.trajectories.services import (
    activity_log,
    care_team_join,
    goal_add,
    schooling_progress_record,
)
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

# Distinctive texts, one per part of the record, to look for in the copy.
TEXTS = {
    "treatment_note": "ZORGNOTITIE traumaverwerking sessie vier",
    "lesson_note": "LESNOTITIE breuken gaan goed",
    "goal": "DOELTEKST weer veilig naar buiten",
    "help_question": "HULPVRAAG zich veilig voelen",
    "evaluation": "EVALUATIETEKST eerste evaluatie",
    "appointment": "AFSPRAAKDOEL gesprek met moeder",
    "notice": "VEILIGHEIDSTEKST deel geen adres",
    "absence": "VERZUIMNOTITIE gemeld bij leerplicht",
    "referral": "Huisartsenpraktijk Zuidpoort",
    "representative": "Johanna Verbrugghen",
    "employer": "WERKGEVER Bakkerij de Korenschoof",
    "consent": "TOESTEMMINGSDOEL stage afstemmen",
}
# In the record, named in the copy but not copied (apps/records/sections.py, ``meldcode``).
MELDCODE_CONCERN = "ZORGSIGNAAL onbekende volwassene"


@dataclass(frozen=True)
class Record:
    client: Client
    trajectory: Trajectory
    caseworker: User
    teacher: User
    privacy_officer: User
    mother: LegalRepresentative
    father_without_authority: LegalRepresentative


def _age(years: int, today: datetime.date) -> datetime.date:
    return today.replace(year=today.year - years) - datetime.timedelta(days=40)


@pytest.fixture
def record(db) -> Record:
    """A 15-year-old client with a mother holding parental authority and a father without it,
    a referral, a care team (caseworker and teacher), a plan with a goal and an evaluation, a
    treatment session and a lesson with notes, an appointment, a safety notice and an absence
    report."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=90)
    client = ClientFactory(
        given_name="Merel",
        family_name="Verbrugghen",
        date_of_birth=_age(15, today),
        bsn="999999990",
    )
    trajectory = TrajectoryFactory(client=client, start=start)
    caseworker = trajectory.lead_caseworker
    teacher = UserFactory(organisation=client.organisation, roles=[Role.TEACHER])
    care_team_join(
        trajectory=trajectory, user=teacher, role=TeamRole.TEACHER, start=start, actor=caseworker
    )
    privacy_officer = UserFactory(organisation=client.organisation, roles=[Role.PRIVACY_OFFICER])
    mother = LegalRepresentative.objects.create(
        client=client, name=TEXTS["representative"], relation="parent", parental_authority=True
    )
    father = LegalRepresentative.objects.create(
        client=client, name="Pieter Verbrugghen", relation="parent", parental_authority=False
    )
    Referral.objects.create(client=client, kind="02", name=TEXTS["referral"], referred_on=start)
    goal = goal_add(
        trajectory=trajectory, domain=Domain.CARE, description=TEXTS["goal"], actor=caseworker
    )
    plan = TreatmentPlan.objects.create(
        trajectory=trajectory, help_question=TEXTS["help_question"], agreed_on=start
    )
    evaluation = Evaluation.objects.create(
        plan=plan,
        date=today - datetime.timedelta(days=10),
        text=TEXTS["evaluation"],
        evaluated_by=caseworker,
    )
    GoalScore.objects.create(evaluation=evaluation, goal=goal, score=40)
    activity_log(
        trajectory=trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.TREATMENT_SESSION,
        date=today - datetime.timedelta(days=7),
        duration_minutes=60,
        performed_by=caseworker,
        actor=caseworker,
        note=TEXTS["treatment_note"],
        goal=goal,
    )
    schooling_progress_record(
        trajectory=trajectory,
        date=today - datetime.timedelta(days=3),
        teacher=teacher,
        attendance=Attendance.PRESENT,
        subject="Rekenen",
        duration_minutes=50,
        note=TEXTS["lesson_note"],
    )
    Appointment.objects.create(
        trajectory=trajectory,
        worker=caseworker,
        domain=Domain.CARE,
        kind=ActivityKind.FAMILY_SESSION,
        date=today + datetime.timedelta(days=5),
        start_time=datetime.time(10, 0),
        duration_minutes=60,
        purpose=TEXTS["appointment"],
    )
    safety_notice_set(client=client, text=TEXTS["notice"], start=start, actor=caseworker)
    AbsenceReport.objects.create(
        client=client,
        reported_on=today - datetime.timedelta(days=20),
        reported_by=teacher,
        absence_until=today - datetime.timedelta(days=21),
        unexcused_minutes=17 * 60,
        note=TEXTS["absence"],
    )
    Employment.objects.create(
        trajectory=trajectory, employer=TEXTS["employer"], hours_per_week=8, start=start
    )
    consent_record(
        client=client,
        recipient=ConsentRecipient.EMPLOYER,
        purpose=TEXTS["consent"],
        given_on=start,
        actor=caseworker,
        young_person=True,
        representatives=[mother],
    )
    meldcode_track_open(client=client, concern=MELDCODE_CONCERN, opened_on=today, actor=caseworker)
    return Record(client, trajectory, caseworker, teacher, privacy_officer, mother, father)
