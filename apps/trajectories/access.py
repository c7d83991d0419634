"""Who may see what of a client: the one vocabulary for permission questions.

Web views (and later the API) ask these functions and nothing else, so they cannot drift
apart. The rules (DESIGN.md, "Who uses it"):

- nobody sees a client of another organisation, whatever their role;
- caseworkers on the care team see everything of the client;
- a teacher on the care team sees the basic details and the education lane; a job coach the
  work lane; neither sees treatment notes. Their lane rests on the client's consent to share
  with the school, or with the employer or UWV (apps.clients.consent): without a consent that
  holds today the lane is closed, and the client page says why;
- a caseworker outside the care team may break the glass: full access for a limited time,
  logged and reviewed, but a shielded client still shows only its pseudonym;
- a manager sees funding figures (units, amounts, allocation numbers) of every client of the
  organisation, never a note or a goal's text, and a shielded client only by pseudonym;
- administrators and privacy officers have no client page (the privacy officer has the audit
  pages).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.accounts.permissions import BREAK_THE_GLASS, holds_role, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome, BreakGlassAccess
from apps.audit.services import access_log_record
from apps.clients.consent import consent_state
from apps.clients.models import Client, Consent, ConsentRecipient
from apps.core.domains import Domain
from apps.core.errors import PermissionRefused

from .models import CareTeamMembership, TeamRole

LANES_OF_TEAM_ROLE = {
    TeamRole.CASEWORKER: frozenset(Domain.values),
    TeamRole.TEACHER: frozenset({Domain.EDUCATION}),
    TeamRole.JOB_COACH: frozenset({Domain.WORK}),
}

# The lanes of a teacher or job coach rest on the client's consent to share with this
# recipient (WGBO 7:457 lid 1, Jeugdwet 7.3.11 lid 1); a caseworker's do not: the care
# provider's own care team is not "another" (WGBO 7:457 lid 2).
CONSENT_OF_LANE = {
    Domain.EDUCATION: ConsentRecipient.SCHOOL,
    Domain.WORK: ConsentRecipient.EMPLOYER,
}


@dataclass(frozen=True)
class ClosedLane:
    """A lane a team member would have, closed for want of a consent that holds today."""

    lane: str
    recipient: str
    since: date | None  # the first day without a consent; None: none was ever recorded

    @property
    def reason(self) -> str:
        recipient = ConsentRecipient(self.recipient).label
        if self.since is None:
            return _("No consent to share with %(recipient)s is recorded.") % {
                "recipient": recipient
            }
        return _("No valid consent to share with %(recipient)s since %(date)s.") % {
            "recipient": recipient,
            "date": date_format(self.since, "DATE_FORMAT"),
        }

    @property
    def lane_label(self) -> str:
        return str(Domain(self.lane).label)


@dataclass(frozen=True)
class ClientAccess:
    basis: AccessBasis
    acting_role: str
    lanes: frozenset[str]
    sees_identity: bool
    sees_notes: bool
    sees_goal_text: bool
    sees_funding: bool
    sees_care_team: bool
    may_log: bool
    # Invite colleagues into the care team and remove them: who has access to the client is
    # decided only by the care team's caseworkers, never under emergency access.
    may_change_care_team: bool = False
    break_glass: BreakGlassAccess | None = None
    # The lanes the user's team role gives but a missing consent closes (teachers, job coaches).
    closed_lanes: tuple[ClosedLane, ...] = ()

    def name_of(self, client: Client) -> str:
        return client.full_name if self.sees_identity else client.pseudonym


# --- the shielding rule ---------------------------------------------------------------------


def sees_identity_of(client: Client, *, on_care_team: bool) -> bool:
    """The shielding rule: a shielded client's identity (the name, the date of birth and any
    text that gives it away, such as "turns 18 on ...") is shown to its care team only.

    ``ClientAccess.sees_identity``, the templates' ``client_name`` and ``alert_text`` filters
    (``apps.trajectories.templatetags.shielding``) and the API all come here.
    """
    return on_care_team or not client.shielded


# --- care-team membership: the one definition of "on the care team now" ------------------------


def ongoing_memberships() -> Q:
    """Memberships that have not ended: leaving on a day ends access that day."""
    return Q(end__isnull=True) | Q(end__gt=timezone.localdate())


def current_memberships() -> Q:
    """Memberships that are in force today: started (a colleague added from next week is on
    the team from next week) and not ended. What gives access, alerts and their mail."""
    return ongoing_memberships() & Q(start__lte=timezone.localdate())


def memberships_giving_access(*, user: User) -> QuerySet[CareTeamMembership]:
    """The user's care-team memberships that give access now, in the user's organisation.

    The one rule that both "my clients" (``client_list_for_user``) and the door to one client
    (``client_access_for``) read, evaluated at the moment of the request: a membership whose
    end date has come, or whose start date has not, gives nothing, whether or not any nightly
    job has run.
    """
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return CareTeamMembership.objects.none()
    return CareTeamMembership.objects.filter(
        current_memberships(),
        user=user,
        trajectory__client__organisation_id=user.organisation_id,
    )


def client_list_for_user(*, user: User) -> QuerySet[Client]:
    """My clients: the clients on the user's care teams now, in the user's organisation (one
    query; exactly the clients ``client_access_for`` opens on the care-team basis)."""
    return Client.objects.filter(
        organisation_id=user.organisation_id,
        pk__in=memberships_giving_access(user=user).values("trajectory__client_id"),
    ).select_related("responsible_municipality")


def client_access_for(*, user: User, client: Client) -> ClientAccess | None:
    """What the user may see of the client, or None: the single access decision."""
    if (
        not user.is_authenticated
        or not user.is_active
        or user.organisation_id is None
        or user.organisation_id != client.organisation_id
        or client.destroyed_on is not None
    ):
        return None
    team_roles = set(
        memberships_giving_access(user=user)
        .filter(trajectory__client=client)
        .values_list("role", flat=True)
    )
    if team_roles:
        consents = (
            []
            if TeamRole.CASEWORKER in team_roles
            else list(Consent.objects.filter(client=client, recipient__in=_consents_asked()))
        )
        return _care_team_access(team_roles, consents)
    if may(user, BREAK_THE_GLASS):
        emergency = (
            BreakGlassAccess.objects.filter(
                user=user,
                client=client,
                started_at__lte=timezone.now(),
                expires_at__gt=timezone.now(),
            )
            .order_by("-expires_at")
            .first()
        )
        if emergency is not None:
            return _break_the_glass_access(client, emergency)
    if holds_role(user, Role.MANAGER):
        return _management_access(client)
    return None


def client_accesses_for(*, user: User, clients: Iterable[Client]) -> dict[int, ClientAccess]:
    """``client_access_for`` for many clients at once, keyed by client id; a client the user
    may not open is left out.

    The same decision in a fixed number of queries whatever the number of clients (a list of
    alerts, one page of the API): the care-team part as ``caseload_access_for`` reads it, the
    emergency accesses in one query, then the manager's view.
    """
    open_to = [
        client
        for client in {client.pk: client for client in clients}.values()
        if user.is_authenticated
        and user.is_active
        and user.organisation_id is not None
        and user.organisation_id == client.organisation_id
        and client.destroyed_on is None
    ]
    accesses: dict[int, ClientAccess] = dict(caseload_access_for(user=user, clients=open_to))
    rest = [client for client in open_to if client.pk not in accesses]
    if rest and may(user, BREAK_THE_GLASS):
        now = timezone.now()
        emergencies: dict[int, BreakGlassAccess] = {}
        # The latest expiry first, as client_access_for takes it: the first seen is kept.
        for emergency in BreakGlassAccess.objects.filter(
            user=user, client__in=rest, started_at__lte=now, expires_at__gt=now
        ).order_by("-expires_at"):
            emergencies.setdefault(emergency.client_id, emergency)
        for client in rest:
            if client.pk in emergencies:
                accesses[client.pk] = _break_the_glass_access(client, emergencies[client.pk])
        rest = [client for client in rest if client.pk not in accesses]
    if rest and holds_role(user, Role.MANAGER):
        accesses.update((client.pk, _management_access(client)) for client in rest)
    return accesses


def _management_access(client: Client) -> ClientAccess:
    """What a manager sees of a client of the organisation: the figures, not the care."""
    return ClientAccess(
        basis=AccessBasis.MANAGEMENT,
        acting_role=Role.MANAGER,
        lanes=frozenset(Domain.values),
        sees_identity=sees_identity_of(client, on_care_team=False),
        sees_notes=False,
        sees_goal_text=False,
        sees_funding=True,
        sees_care_team=False,
        may_log=False,
    )


def _consents_asked() -> list[str]:
    return [str(recipient) for recipient in CONSENT_OF_LANE.values()]


def _care_team_access(team_roles: set[str], consents: list[Consent]) -> ClientAccess:
    """What a member of the care team sees, from their (ongoing) roles in it and, for a
    teacher's or job coach's lane, the client's consents (read by the caller)."""
    if TeamRole.CASEWORKER in team_roles:
        return _full_access(
            AccessBasis.CARE_TEAM,
            sees_identity=True,  # sees_identity_of(on_care_team=True): the team sees who it is
            may_change_care_team=True,
        )
    today = timezone.localdate()
    lanes: set[str] = set()
    closed: list[ClosedLane] = []
    for lane in sorted(frozenset().union(*(LANES_OF_TEAM_ROLE[role] for role in team_roles))):
        recipient = CONSENT_OF_LANE.get(lane)
        if recipient is None:
            lanes.add(lane)
            continue
        state = consent_state(consents, recipient=recipient, on=today)
        if state.holds:
            lanes.add(lane)
        else:
            closed.append(ClosedLane(lane=lane, recipient=recipient, since=state.since))
    return ClientAccess(
        basis=AccessBasis.CARE_TEAM,
        acting_role=sorted(team_roles)[0],
        lanes=frozenset(lanes),
        sees_identity=True,  # sees_identity_of(on_care_team=True): the team sees who it is
        sees_notes=True,  # the notes of their own lanes only
        sees_goal_text=True,
        sees_funding=False,
        sees_care_team=True,
        may_log=bool(lanes),  # nothing to log in when every lane is closed
        closed_lanes=tuple(closed),
    )


def caseload_access_for(*, user: User, clients: Iterable[Client]) -> dict[int, ClientAccess]:
    """What the user may see of each client on their care teams, in one query.

    The care-team part of ``client_access_for`` for a whole caseload ("my clients"); a client
    the user is not on the care team of is left out (the list shows care-team clients only).
    The consents a teacher's or job coach's lanes rest on are read in one more query.
    """
    clients = [
        client
        for client in clients
        if user.is_authenticated
        and user.is_active
        and user.organisation_id is not None
        and client.organisation_id == user.organisation_id
        and client.destroyed_on is None
    ]
    team_roles: dict[int, set[str]] = {}
    for client_id, role in (
        memberships_giving_access(user=user)
        .filter(trajectory__client__in=clients)
        .values_list("trajectory__client_id", "role")
    ):
        team_roles.setdefault(client_id, set()).add(role)
    consents: dict[int, list[Consent]] = {}
    asking = [pk for pk, roles in team_roles.items() if TeamRole.CASEWORKER not in roles]
    if asking:
        for consent in Consent.objects.filter(
            client_id__in=asking, recipient__in=_consents_asked()
        ):
            consents.setdefault(consent.client_id, []).append(consent)
    return {
        client_id: _care_team_access(roles, consents.get(client_id, []))
        for client_id, roles in team_roles.items()
    }


def _full_access(
    basis: AccessBasis, *, sees_identity: bool, may_change_care_team: bool
) -> ClientAccess:
    return ClientAccess(
        basis=basis,
        acting_role=Role.CASEWORKER,
        lanes=frozenset(Domain.values),
        sees_identity=sees_identity,
        sees_notes=True,
        sees_goal_text=True,
        sees_funding=True,
        sees_care_team=True,
        may_log=True,
        may_change_care_team=may_change_care_team,
    )


def _break_the_glass_access(client: Client, emergency: BreakGlassAccess) -> ClientAccess:
    """What emergency access allows, listed in one place: for its limited time, read the whole
    record (a shielded client by pseudonym) and record the care given in the emergency
    (activities and goal progress: the record-keeping duty of WGBO 7:454 holds for emergency
    care too). It grants nothing: the care team cannot be changed, so emergency access never
    becomes lasting access, for this caseworker or anyone else."""
    return ClientAccess(
        basis=AccessBasis.BREAK_THE_GLASS,
        acting_role=Role.CASEWORKER,
        lanes=frozenset(Domain.values),
        sees_identity=sees_identity_of(client, on_care_team=False),
        sees_notes=True,
        sees_goal_text=True,
        sees_funding=True,
        sees_care_team=True,  # who to call; read only
        may_log=True,
        may_change_care_team=False,
        break_glass=emergency,
    )


def client_open_for(
    *,
    user: User,
    pk: int,
    what: str,
    require: Callable[[ClientAccess], bool] | None = None,
) -> tuple[Client, ClientAccess]:
    """Open a client's record for a user and log the read; 404 (logged) when refused.

    ``what`` names the part of the record that is read, for the access log. ``require`` is
    what the page needs beyond seeing the client (e.g. may log in the education lane); when
    it does not hold the attempt is logged as refused and answered 403.
    """
    client = (
        Client.objects.select_related("municipality", "responsible_municipality", "organisation")
        .filter(pk=pk)
        .first()
    )
    access = client_access_for(user=user, client=client) if client is not None else None
    if access is None:
        access_log_record(
            user=user,
            event=AccessEvent.VIEW,
            basis=AccessBasis.NONE,
            outcome=AccessOutcome.REFUSED,
            client=client,
            detail=what,
        )
        raise Http404
    if require is not None and not require(access):
        access_log_record(
            user=user,
            event=AccessEvent.VIEW,
            basis=access.basis,
            outcome=AccessOutcome.REFUSED,
            client=client,
            detail=what,
            acting_role=access.acting_role,
        )
        raise PermissionDenied
    access_log_record(
        user=user,
        event=AccessEvent.VIEW,
        basis=access.basis,
        client=client,
        detail=what,
        acting_role=access.acting_role,
        reason=access.break_glass.reason if access.break_glass else "",
    )
    return client, access


def part_not_of_client(
    *, user: User, client: Client, what: str, event: str = AccessEvent.VIEW
) -> Http404:
    """An id in the URL that is not the opened client's (a track, a consent of another record:
    probing): logged as refused against the client whose page was asked for; raise the 404."""
    access_log_record(
        user=user,
        event=event,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        client=client,
        detail=what,
    )
    return Http404()


# Emergency access (break the glass): a caseworker outside the care team opens a client for a
# limited time, logged, and reviewed by the privacy officer afterwards (apps.privacy).


def break_glass_permitted(*, user: User, client: Client) -> bool:
    """Only a caseworker of the client's own organisation may break the glass."""
    return may(user, BREAK_THE_GLASS) and user.organisation_id == client.organisation_id


def break_glass_refused(*, user: User, client: Client | None) -> None:
    """Log a refused attempt to open a client in an emergency."""
    access_log_record(
        user=user,
        event=AccessEvent.BREAK_THE_GLASS,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        client=client,
    )


@transaction.atomic
def break_glass_open(*, user: User, client: Client, reason: str) -> BreakGlassAccess:
    """Open a client for a caseworker outside the care team, for a limited time, and log it."""
    reason = reason.strip()
    if not break_glass_permitted(user=user, client=client):
        break_glass_refused(user=user, client=client)
        raise PermissionRefused(
            _("Only caseworkers of the client's organisation may break the glass.")
        )
    if len(reason) < 15:
        raise ValidationError(
            {
                "reason": _(
                    "Describe the emergency in at least 15 characters: the privacy officer "
                    "reviews it."
                )
            }
        )
    now = timezone.now()
    access = BreakGlassAccess(
        user=user,
        client=client,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    access._history_user = user
    access.save()
    access_log_record(
        user=user,
        event=AccessEvent.BREAK_THE_GLASS,
        basis=AccessBasis.BREAK_THE_GLASS,
        client=client,
        obj=access,
        reason=reason,
        acting_role=Role.CASEWORKER,
    )
    return access
