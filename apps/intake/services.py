"""Registering a client and moving the trajectory through its lifecycle.

Registration writes the client, its representatives, the referral, the trajectory and the first
care team in one transaction (nothing half-saved). The lifecycle is registration → intake →
treatment → aftercare → closed; every step is a ``TrajectoryPhaseChange`` (the date and who),
and the trajectory's status and the client's status follow the phase:

    phase          trajectory status   client status
    registration   open                intake
    intake         open                intake
    treatment      open                active
    aftercare      open                aftercare
    closed         closed              closed
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, Role, User
from apps.accounts.permissions import REGISTER_CLIENT, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_write
from apps.clients.models import Client, ClientStatus, Municipality
from apps.clients.services import (
    client_create,
    client_status_change,
    legal_representative_add,
    referral_record,
)
from apps.trajectories.access import client_access_for
from apps.trajectories.models import (
    CareTeamMembership,
    ClosingReason,
    TeamRole,
    Trajectory,
    TrajectoryPhase,
    TrajectoryPhaseChange,
    TrajectoryStatus,
)
from apps.trajectories.services import care_team_join, trajectory_close, trajectory_open

CLIENT_STATUS_OF_PHASE = {
    TrajectoryPhase.REGISTRATION: ClientStatus.INTAKE,
    TrajectoryPhase.INTAKE: ClientStatus.INTAKE,
    TrajectoryPhase.TREATMENT: ClientStatus.ACTIVE,
    TrajectoryPhase.AFTERCARE: ClientStatus.AFTERCARE,
    TrajectoryPhase.CLOSED: ClientStatus.CLOSED,
}
# The moves of an open trajectory (closing is trajectory_finish). Registration may go straight
# to treatment (care that cannot wait); aftercare may go back to treatment (a relapse).
PHASE_MOVES = {
    TrajectoryPhase.REGISTRATION: (TrajectoryPhase.INTAKE, TrajectoryPhase.TREATMENT),
    TrajectoryPhase.INTAKE: (TrajectoryPhase.TREATMENT,),
    TrajectoryPhase.TREATMENT: (TrajectoryPhase.AFTERCARE,),
    TrajectoryPhase.AFTERCARE: (TrajectoryPhase.TREATMENT,),
    TrajectoryPhase.CLOSED: (),
}
NEXT_PHASE = {
    TrajectoryPhase.REGISTRATION: TrajectoryPhase.INTAKE,
    TrajectoryPhase.INTAKE: TrajectoryPhase.TREATMENT,
    TrajectoryPhase.TREATMENT: TrajectoryPhase.AFTERCARE,
}


def _today() -> date:
    return timezone.localdate()


def reopen_until(trajectory: Trajectory) -> date | None:
    """The last day a closed trajectory may be reopened (settings.TRAJECTORY_REOPEN_MONTHS)."""
    if trajectory.end is None:
        return None
    return trajectory.end + relativedelta(months=settings.TRAJECTORY_REOPEN_MONTHS)


# --- registration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RepresentativeData:
    name: str
    relation: str
    parental_authority: bool
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ReferralData:
    kind: str
    referred_on: date
    name: str = ""
    agb_code: str = ""


class DuplicateClient(ValidationError):
    """The organisation already has a client with this BSN: ``client_pk`` is that client."""

    def __init__(self, client_pk: int):
        super().__init__(
            _("A client with this BSN is already registered in your organisation."),
            code="duplicate_bsn",
        )
        self.client_pk = client_pk


def client_number_next(*, organisation: Organisation, on: date) -> str:
    """The next client number of the organisation in the year: 2026-0001, 2026-0002, ...
    The caller holds the organisation's row locked, so two registrations never get one."""
    prefix = f"{on.year}-"
    numbers = Client.objects.filter(
        organisation=organisation, client_number__startswith=prefix
    ).values_list("client_number", flat=True)
    highest = max(
        (int(number[len(prefix) :]) for number in numbers if number[len(prefix) :].isdigit()),
        default=0,
    )
    return f"{prefix}{highest + 1:04d}"


def _refuse_duplicate(*, organisation: Organisation, bsn: str, actor: User) -> None:
    """Refuse a BSN the organisation already has, and log the attempt on that client's record.
    Runs outside the registration's transaction, so that the entry stays when it is refused.
    Other organisations' clients are never looked at."""
    if not bsn:
        return
    existing = Client.objects.filter(organisation=organisation, bsn=bsn).first()
    if existing is None:
        return
    access_log_record(
        user=actor,
        event=AccessEvent.CREATE,
        basis=AccessBasis.ADMINISTRATION,
        outcome=AccessOutcome.REFUSED,
        client=existing,
        detail="registration refused: same BSN",
    )
    raise DuplicateClient(existing.pk)


def _team_member_check(user: User | None, *, role: Role, field: str, organisation) -> None:
    if user is None:
        return
    if user.organisation_id != organisation.pk or not user.is_active or not user.has_role(role):
        raise ValidationError(
            {field: _("Choose an active colleague of your organisation in this role.")}
        )


def client_register(
    *,
    organisation: Organisation,
    actor: User,
    given_name: str,
    family_name: str,
    pseudonym: str,
    date_of_birth: date,
    municipality: Municipality,
    lead_caseworker: User,
    start: date,
    bsn: str = "",
    street_and_number: str = "",
    postcode: str = "",
    place: str = "",
    in_residential_stay: bool = False,
    municipality_before_stay: Municipality | None = None,
    shielded: bool = False,
    representatives: list[RepresentativeData] | tuple = (),
    referral: ReferralData | None = None,
    teacher: User | None = None,
    job_coach: User | None = None,
) -> Trajectory:
    """Register a client and open its trajectory, in the registration phase, with its first
    care team. Refuses (DuplicateClient, logged) a BSN the organisation already has."""
    if not may(actor, REGISTER_CLIENT) or actor.organisation_id != organisation.pk:
        raise PermissionDenied("Only a caseworker of the organisation registers its clients.")
    _refuse_duplicate(organisation=organisation, bsn=bsn, actor=actor)
    return _client_register(
        organisation=organisation,
        actor=actor,
        client_fields={
            "given_name": given_name.strip(),
            "family_name": family_name.strip(),
            "pseudonym": pseudonym.strip(),
            "date_of_birth": date_of_birth,
            "municipality": municipality,
            "bsn": bsn,
            "street_and_number": street_and_number,
            "postcode": postcode,
            "place": place,
            "in_residential_stay": in_residential_stay,
            "municipality_before_stay": municipality_before_stay,
            "shielded": shielded,
        },
        lead_caseworker=lead_caseworker,
        start=start,
        representatives=representatives,
        referral=referral,
        teacher=teacher,
        job_coach=job_coach,
    )


@transaction.atomic
def _client_register(
    *,
    organisation,
    actor,
    client_fields,
    lead_caseworker,
    start,
    representatives,
    referral,
    teacher,
    job_coach,
) -> Trajectory:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if start > _today():
        raise ValidationError({"start": _("The registration date lies in the future.")})
    if start < client_fields["date_of_birth"]:
        raise ValidationError({"start": _("The registration date lies before the birth.")})
    _team_member_check(
        lead_caseworker, role=Role.CASEWORKER, field="lead_caseworker", organisation=organisation
    )
    _team_member_check(teacher, role=Role.TEACHER, field="teacher", organisation=organisation)
    _team_member_check(job_coach, role=Role.JOB_COACH, field="job_coach", organisation=organisation)
    client = client_create(
        organisation=organisation,
        client_number=client_number_next(organisation=organisation, on=start),
        actor=actor,
        **client_fields,
    )
    for representative in representatives:
        legal_representative_add(
            client=client,
            name=representative.name,
            relation=representative.relation,
            parental_authority=representative.parental_authority,
            phone=representative.phone,
            email=representative.email,
            actor=actor,
        )
    if referral is not None:
        if referral.referred_on > start:
            raise ValidationError({"referred_on": _("The referral date lies after registration.")})
        referral_record(
            client=client,
            kind=referral.kind,
            referred_on=referral.referred_on,
            name=referral.name,
            agb_code=referral.agb_code,
            actor=actor,
        )
    trajectory = trajectory_open(
        client=client, start=start, lead_caseworker=lead_caseworker, actor=actor
    )
    for user, role in ((teacher, TeamRole.TEACHER), (job_coach, TeamRole.JOB_COACH)):
        if user is not None:
            care_team_join(trajectory=trajectory, user=user, role=role, start=start, actor=actor)
    _phase_change_record(trajectory, TrajectoryPhase.REGISTRATION, on=start, actor=actor)
    return trajectory


# --- the lifecycle --------------------------------------------------------------------------


def _phase_change_record(
    trajectory: Trajectory,
    phase: TrajectoryPhase,
    *,
    on: date,
    actor: User | None,
    reopened: bool = False,
    reason: str = "",
    note: str = "",
) -> TrajectoryPhaseChange:
    change = TrajectoryPhaseChange(
        trajectory=trajectory,
        phase=phase,
        on=on,
        by=actor,
        reopened=reopened,
        reason=reason,
        note=note,
    )
    change.full_clean()
    change._history_user = actor
    change.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=trajectory.client, obj=change)
    return change


def _client_status_follow(client: Client, phase: TrajectoryPhase, *, actor: User | None) -> None:
    status = CLIENT_STATUS_OF_PHASE[phase]
    if Client.objects.filter(pk=client.pk).values_list("status", flat=True).get() != status:
        client_status_change(client=client, status=status, actor=actor)


def _lifecycle_refused(*, actor: User, trajectory: Trajectory) -> None:
    """Only a caseworker on the care team moves the trajectory (never under emergency access)."""
    access = client_access_for(user=actor, client=trajectory.client)
    if access is None or not access.may_change_care_team:
        raise PermissionDenied("Only a caseworker on the care team moves the trajectory.")


def _last_step_on(trajectory: Trajectory) -> date:
    last = trajectory.phase_changes.order_by("-on").values_list("on", flat=True).first()
    return max(last or trajectory.start, trajectory.start)


def _step_date_check(trajectory: Trajectory, on: date, *, field: str = "on") -> None:
    if on > _today():
        raise ValidationError({field: _("The date lies in the future.")})
    last = _last_step_on(trajectory)
    if on < last:
        raise ValidationError(
            {field: _("The date lies before the trajectory's last step (%(day)s).") % {"day": last}}
        )


@transaction.atomic
def trajectory_phase_move(
    *, trajectory: Trajectory, phase: TrajectoryPhase, on: date, actor: User
) -> Trajectory:
    """Move an open trajectory to another phase on a day (PHASE_MOVES); the client's status
    follows."""
    trajectory = (
        Trajectory.objects.select_for_update().select_related("client").get(pk=trajectory.pk)
    )
    _lifecycle_refused(actor=actor, trajectory=trajectory)
    if phase not in PHASE_MOVES[trajectory.phase]:
        raise ValidationError(
            _("A trajectory cannot go from %(old)s to %(new)s.")
            % {
                "old": TrajectoryPhase(trajectory.phase).label,
                "new": TrajectoryPhase(phase).label,
            }
        )
    _step_date_check(trajectory, on)
    trajectory.phase = phase
    trajectory._history_user = actor
    trajectory.save(update_fields=["phase"])
    _phase_change_record(trajectory, phase, on=on, actor=actor)
    _client_status_follow(trajectory.client, phase, actor=actor)
    return trajectory


@transaction.atomic
def trajectory_finish(
    *, trajectory: Trajectory, end: date, reason: str, actor: User, note: str = ""
) -> Trajectory:
    """Close the trajectory on its last day, with the reason: trajectory_close ends the care
    team and tells the apps above (the agenda, funding control); the receiver below records
    the step and closes the client."""
    trajectory = (
        Trajectory.objects.select_for_update().select_related("client").get(pk=trajectory.pk)
    )
    _lifecycle_refused(actor=actor, trajectory=trajectory)
    errors = {}
    if reason not in ClosingReason.values:
        errors["reason"] = [_("Choose why the trajectory closes.")]
    elif reason == ClosingReason.OTHER and not note.strip():
        errors["note"] = [_("Say why the trajectory closes.")]
    if errors:
        raise ValidationError(errors)
    _step_date_check(trajectory, end, field="end")
    trajectory = trajectory_close(trajectory=trajectory, end=end, actor=actor)
    change = trajectory.phase_changes.filter(phase=TrajectoryPhase.CLOSED).latest("pk")
    change.reason, change.note = reason, note.strip()
    change.full_clean()
    change._history_user = actor
    change.save(update_fields=["reason", "note"])
    return trajectory


def trajectory_phase_closed_record(*, trajectory: Trajectory, end: date, actor: User | None):
    """The closing step and the client's status, for whoever closed (the trajectory_closed
    receiver, so that a closing from anywhere keeps phase and status in step)."""
    _phase_change_record(trajectory, TrajectoryPhase.CLOSED, on=end, actor=actor)
    _client_status_follow(trajectory.client, TrajectoryPhase.CLOSED, actor=actor)


def may_resume(*, user: User, trajectory: Trajectory) -> bool:
    """A caseworker who was a caseworker on a closed trajectory's team may reopen it (within
    the period) or open a new one, when the client has no open trajectory."""
    return (
        may(user, REGISTER_CLIENT)
        and trajectory.status == TrajectoryStatus.CLOSED
        and trajectory.client.organisation_id == user.organisation_id
        and CareTeamMembership.objects.filter(
            trajectory=trajectory, user=user, role=TeamRole.CASEWORKER
        ).exists()
        and not Trajectory.objects.filter(
            client_id=trajectory.client_id, status=TrajectoryStatus.OPEN
        ).exists()
    )


@transaction.atomic
def trajectory_resume(*, trajectory: Trajectory, on: date, actor: User) -> Trajectory:
    """Take a closed trajectory's client back into care on a day: within
    TRAJECTORY_REOPEN_MONTHS of the end the trajectory itself is reopened (its record and goals
    go on), later a new trajectory is opened. Either starts with an intake; the actor joins
    the care team as caseworker (and the lead caseworker of a reopened one, when still here)."""
    Client.objects.select_for_update().get(pk=trajectory.client_id)
    trajectory = (
        Trajectory.objects.select_for_update().select_related("client").get(pk=trajectory.pk)
    )
    if not may_resume(user=actor, trajectory=trajectory):
        raise PermissionDenied("Only a caseworker of the closed trajectory's team resumes it.")
    if on > _today():
        raise ValidationError({"on": _("The date lies in the future.")})
    if on < trajectory.end:
        raise ValidationError({"on": _("The date lies before the trajectory closed.")})
    if on <= reopen_until(trajectory):
        trajectory.status, trajectory.end = TrajectoryStatus.OPEN, None
        trajectory.phase = TrajectoryPhase.INTAKE
        trajectory._history_user = actor
        trajectory.save(update_fields=["status", "end", "phase"])
        access_log_write(
            actor=actor, event=AccessEvent.CHANGE, client=trajectory.client, obj=trajectory
        )
        _phase_change_record(trajectory, TrajectoryPhase.INTAKE, on=on, actor=actor, reopened=True)
        care_team_join(
            trajectory=trajectory, user=actor, role=TeamRole.CASEWORKER, start=on, actor=actor
        )
        lead = trajectory.lead_caseworker
        if lead != actor and lead.is_active and lead.organisation_id == actor.organisation_id:
            care_team_join(
                trajectory=trajectory, user=lead, role=TeamRole.CASEWORKER, start=on, actor=actor
            )
    else:
        trajectory = trajectory_open(
            client=trajectory.client, start=on, lead_caseworker=actor, actor=actor
        )
        trajectory.phase = TrajectoryPhase.INTAKE
        trajectory._history_user = actor
        trajectory.save(update_fields=["phase"])
        _phase_change_record(trajectory, TrajectoryPhase.INTAKE, on=on, actor=actor)
    _client_status_follow(trajectory.client, TrajectoryPhase.INTAKE, actor=actor)
    return trajectory
