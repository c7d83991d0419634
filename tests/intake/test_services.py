"""Registration in one transaction and the trajectory's lifecycle (apps/intake/services.py)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.clients.models import Client, ClientStatus, ReferrerKind
from apps.funding.models import FundingAlert
from apps.intake.services import (
    DuplicateClient,
    trajectory_finish,
    trajectory_phase_move,
    trajectory_resume,
)
from apps.trajectories.models import CareTeamMembership, TrajectoryPhase, TrajectoryStatus
from apps.trajectories.services import trajectory_close
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory

from .conftest import register

D = datetime.date


def test_registration_writes_client_representative_referral_trajectory_and_team(
    organisation, caseworker, teacher, today
):
    trajectory = register(organisation, caseworker, teacher=teacher)
    client = trajectory.client
    assert client.client_number == "2026-0001"
    assert client.postcode == "3511 AB"
    assert client.status == ClientStatus.INTAKE
    assert client.responsible_municipality.cbs_code == "0344"
    assert [(r.name, r.parental_authority) for r in client.representatives.all()] == [
        ("Anna de Vries", True)
    ]
    referral = client.referrals.get()
    assert (referral.kind, referral.agb_code) == (ReferrerKind.GENERAL_PRACTITIONER, "01012345")
    assert trajectory.phase == TrajectoryPhase.REGISTRATION
    assert [(s.phase, s.on, s.by) for s in trajectory.phase_changes.all()] == [
        ("registration", D(2026, 2, 1), caseworker)
    ]
    assert sorted(trajectory.memberships.values_list("role", flat=True)) == [
        "caseworker",
        "teacher",
    ]
    second = register(organisation, caseworker, bsn="", pseudonym="Lot")
    assert second.client.client_number == "2026-0002"


def test_a_residential_stay_makes_the_municipality_before_it_responsible(
    organisation, caseworker, today
):
    from tests.clients.factories import municipality

    trajectory = register(
        organisation,
        caseworker,
        in_residential_stay=True,
        municipality_before_stay=municipality("0307"),
    )
    assert trajectory.client.responsible_municipality.cbs_code == "0307"


def test_nothing_is_saved_when_a_later_part_is_refused(organisation, caseworker, today):
    not_a_teacher = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    with pytest.raises(ValidationError) as refused:
        register(organisation, caseworker, teacher=not_a_teacher)
    assert "teacher" in refused.value.message_dict
    assert not Client.objects.filter(organisation=organisation).exists()
    # A referral with an AGB code for a kind that has none: refused after the client was made.
    from apps.intake.services import ReferralData

    with pytest.raises(ValidationError):
        register(
            organisation,
            caseworker,
            referral=ReferralData(kind="01", referred_on=D(2026, 1, 2), agb_code="01012345"),
        )
    assert not Client.objects.filter(organisation=organisation).exists()
    bare = register(organisation, caseworker, referral=None, representatives=[])
    assert bare.client.referrals.count() == 0


def test_a_duplicate_bsn_is_refused_and_logged_on_the_existing_client(
    organisation, caseworker, today
):
    first = register(organisation, caseworker).client
    with pytest.raises(DuplicateClient) as refused:
        register(organisation, caseworker, pseudonym="Iris")
    assert refused.value.client_pk == first.pk
    entry = AccessLogEntry.objects.filter(client=first, outcome="refused").get()
    assert (entry.user, entry.detail) == (caseworker, "registration refused: same BSN")
    assert Client.objects.filter(organisation=organisation).count() == 1


def test_the_same_bsn_in_another_organisation_is_no_duplicate(organisation, caseworker, today):
    foreign = ClientFactory(organisation=OrganisationFactory(), bsn="111222333")
    trajectory = register(organisation, caseworker)
    assert trajectory.client.bsn == foreign.bsn
    assert not AccessLogEntry.objects.filter(client=foreign).exists()


def test_only_a_caseworker_of_the_organisation_registers(organisation, teacher, today):
    with pytest.raises(PermissionDenied):
        register(organisation, teacher, lead_caseworker=teacher)
    stranger = UserFactory(roles=[Role.CASEWORKER])
    with pytest.raises(PermissionDenied):
        register(organisation, stranger, lead_caseworker=stranger)


def test_the_phases_move_and_the_client_status_follows(organisation, caseworker, today):
    trajectory = register(organisation, caseworker)
    trajectory = trajectory_phase_move(
        trajectory=trajectory, phase=TrajectoryPhase.INTAKE, on=D(2026, 2, 3), actor=caseworker
    )
    assert Client.objects.get().status == ClientStatus.INTAKE
    trajectory = trajectory_phase_move(
        trajectory=trajectory, phase=TrajectoryPhase.TREATMENT, on=D(2026, 2, 10), actor=caseworker
    )
    assert Client.objects.get().status == ClientStatus.ACTIVE
    with pytest.raises(ValidationError):  # treatment cannot go back to intake
        trajectory_phase_move(
            trajectory=trajectory, phase=TrajectoryPhase.INTAKE, on=today, actor=caseworker
        )
    with pytest.raises(ValidationError):  # before the last step
        trajectory_phase_move(
            trajectory=trajectory,
            phase=TrajectoryPhase.AFTERCARE,
            on=D(2026, 2, 9),
            actor=caseworker,
        )
    trajectory_phase_move(
        trajectory=trajectory, phase=TrajectoryPhase.AFTERCARE, on=today, actor=caseworker
    )
    assert Client.objects.get().status == ClientStatus.AFTERCARE
    assert list(trajectory.phase_changes.values_list("phase", flat=True)) == [
        "registration",
        "intake",
        "treatment",
        "aftercare",
    ]


def test_only_a_caseworker_on_the_team_moves_the_trajectory(
    organisation, caseworker, teacher, today
):
    trajectory = register(organisation, caseworker, teacher=teacher)
    outsider = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    for actor in (teacher, outsider):
        with pytest.raises(PermissionDenied):
            trajectory_phase_move(
                trajectory=trajectory, phase=TrajectoryPhase.INTAKE, on=today, actor=actor
            )


def test_closing_records_the_reason_ends_the_team_and_resolves_alerts(
    organisation, caseworker, teacher, today
):
    trajectory = register(organisation, caseworker, teacher=teacher)
    client = trajectory.client
    alert = FundingAlert.objects.create(
        kind="unfunded_waiting",
        key=f"unfunded_waiting:{client.pk}",
        client=client,
        raised_on=today,
    )
    with pytest.raises(ValidationError) as refused:
        trajectory_finish(trajectory=trajectory, end=today, reason="other", actor=caseworker)
    assert "note" in refused.value.message_dict
    trajectory = trajectory_finish(
        trajectory=trajectory, end=today, reason="goals_achieved", actor=caseworker
    )
    assert (trajectory.status, trajectory.phase) == ("closed", "closed")
    step = trajectory.phase_changes.latest("pk")
    assert (step.phase, step.on, step.by, step.reason) == (
        "closed",
        today,
        caseworker,
        "goals_achieved",
    )
    assert Client.objects.get(pk=client.pk).status == ClientStatus.CLOSED
    assert not CareTeamMembership.objects.filter(trajectory=trajectory, end__isnull=True).exists()
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_a_closing_from_anywhere_is_a_step_and_closes_the_client(organisation, caseworker, today):
    trajectory = register(organisation, caseworker)
    trajectory_close(trajectory=trajectory, end=today, actor=caseworker)
    trajectory.refresh_from_db()
    assert trajectory.phase == TrajectoryPhase.CLOSED
    assert trajectory.phase_changes.latest("pk").phase == "closed"
    assert trajectory.client.__class__.objects.get(pk=trajectory.client_id).status == "closed"


def test_reopen_within_the_period_else_a_new_trajectory(organisation, caseworker, today):
    trajectory = register(organisation, caseworker)
    trajectory = trajectory_finish(
        trajectory=trajectory,
        end=D(2025, 12, 2) if False else today,
        reason="moved",
        actor=caseworker,
    )
    other = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    with pytest.raises(PermissionDenied):  # never on its team
        trajectory_resume(trajectory=trajectory, on=today, actor=other)
    reopened = trajectory_resume(trajectory=trajectory, on=today, actor=caseworker)
    assert reopened.pk == trajectory.pk
    assert (reopened.status, reopened.phase, reopened.end) == ("open", "intake", None)
    assert reopened.phase_changes.latest("pk").reopened
    assert Client.objects.get().status == ClientStatus.INTAKE
    assert CareTeamMembership.objects.filter(
        trajectory=reopened, user=caseworker, end__isnull=True
    ).exists()


def test_after_the_period_a_new_trajectory_is_opened(organisation, caseworker, today, settings):
    settings.TRAJECTORY_REOPEN_MONTHS = 3
    trajectory = register(organisation, caseworker, start=D(2025, 10, 1), referral=None)
    trajectory = trajectory_finish(
        trajectory=trajectory, end=D(2025, 12, 1), reason="moved", actor=caseworker
    )
    # 1 March 2026 is the last day to reopen; today is 2 March.
    new = trajectory_resume(trajectory=trajectory, on=today, actor=caseworker)
    assert new.pk != trajectory.pk
    assert (new.status, new.phase, new.start) == (TrajectoryStatus.OPEN, "intake", today)
    trajectory.refresh_from_db()
    assert trajectory.status == TrajectoryStatus.CLOSED
