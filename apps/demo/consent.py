"""The demo's consent register (docs/privacy.md, "Consent").

Every demo client with a teacher or job coach on the care team consented, on the day the first
of them joined, to share with the school (a teacher) or with the employer or UWV (a job coach),
given by whom the age rules require on that day (apps.clients.consent): a client under 16 with
a parent who holds parental authority, recorded here when the client has none yet. One client
of the teacher ("docent") has since withdrawn the school consent, so that the teacher's client
page shows a closed education lane and why.

Runs before the agenda and the registers are seeded: those plan and log in the teachers' and
job coaches' lanes, which rest on these consents.
"""

from datetime import date, timedelta

from apps.accounts.models import User
from apps.clients.consent import consent_record, consent_withdraw
from apps.clients.models import ConsentRecipient
from apps.clients.representation import DecisionRule, decision_rule_for_age
from apps.clients.services import legal_representative_add
from apps.trajectories.access import CONSENT_OF_LANE, LANES_OF_TEAM_ROLE
from apps.trajectories.models import CareTeamMembership, TeamRole, TrajectoryStatus

PURPOSES = {
    ConsentRecipient.SCHOOL: "Aanwezigheid, voortgang en wat de school nodig heeft om haar "
    "veilig les te geven delen met de mentor; geen behandelinhoud.",
    ConsentRecipient.EMPLOYER: "Stage- en werkafspraken en de voortgang delen met de "
    "werkgever en UWV; geen behandelinhoud.",
}
RECIPIENT_NAMES = {
    ConsentRecipient.SCHOOL: "De school (mentor)",
    ConsentRecipient.EMPLOYER: "Stagebedrijf en UWV",
}
WITHDRAWAL_REASON = "De jongere wil niet meer dat de school meeleest; besproken in het gesprek."
PARENT_GIVEN_NAMES = ["Marieke", "Sandra", "Linda", "Esther", "Ingrid", "Petra"]


def demo_consents_seed(*, users: dict[str, User], today: date) -> int:
    """Record the consents and the one withdrawal; returns the number of consents recorded.
    Idempotent per client: a client with a consent already is passed over."""
    memberships = (
        CareTeamMembership.objects.filter(
            role__in=[TeamRole.TEACHER, TeamRole.JOB_COACH],
            trajectory__status=TrajectoryStatus.OPEN,
            trajectory__client__consents__isnull=True,
        )
        .select_related("trajectory__client", "trajectory__lead_caseworker")
        .order_by("trajectory__client__client_number", "start")
    )
    first_day: dict[tuple[int, str], date] = {}
    trajectories = {}
    for membership in memberships:
        trajectory = membership.trajectory
        trajectories[trajectory.pk] = trajectory
        for lane in LANES_OF_TEAM_ROLE[membership.role]:
            key = (trajectory.pk, CONSENT_OF_LANE[lane])
            first_day[key] = min(first_day.get(key, membership.start), membership.start)
    made = 0
    for (trajectory_pk, recipient), given_on in sorted(first_day.items()):
        trajectory = trajectories[trajectory_pk]
        client, lead = trajectory.client, trajectory.lead_caseworker
        given_on = min(given_on, today)
        rule = decision_rule_for_age(client.age_on(given_on))
        parents = []
        if rule != DecisionRule.YOUNG_PERSON:
            parents = [r for r in client.representatives.all() if r.parental_authority]
            if not parents:
                name = PARENT_GIVEN_NAMES[client.pk % len(PARENT_GIVEN_NAMES)]
                parents = [
                    legal_representative_add(
                        client=client,
                        name=f"{name} {client.family_name}",
                        relation="parent",
                        parental_authority=True,
                        actor=lead,
                    )
                ]
        consent_record(
            client=client,
            recipient=recipient,
            recipient_name=RECIPIENT_NAMES[recipient],
            purpose=PURPOSES[recipient],
            young_person=rule != DecisionRule.REPRESENTATIVES,
            representatives=parents,
            given_on=given_on,
            actor=lead,
        )
        made += 1
    _withdraw_one(users=users, today=today)
    return made


def _withdraw_one(*, users: dict[str, User], today: date) -> None:
    """The teacher's last unshielded client (by number) withdrew the school consent two weeks
    ago: past the agenda's first three clients and the safety notice's first one."""
    teacher = users.get("docent")
    if teacher is None:
        return
    membership = (
        CareTeamMembership.objects.filter(
            user=teacher,
            role=TeamRole.TEACHER,
            end__isnull=True,
            trajectory__status=TrajectoryStatus.OPEN,
            trajectory__client__shielded=False,
            trajectory__client__consents__recipient=ConsentRecipient.SCHOOL,
            trajectory__client__consents__withdrawn_on__isnull=True,
        )
        .select_related("trajectory__client", "trajectory__lead_caseworker")
        .order_by("-trajectory__client__client_number")
        .first()
    )
    if membership is None:
        return
    client = membership.trajectory.client
    consent = client.consents.filter(recipient=ConsentRecipient.SCHOOL).first()
    withdrawn_on = max(consent.given_on, today - timedelta(days=14))
    consent_withdraw(
        consent=consent,
        withdrawn_on=withdrawn_on,
        reason=WITHDRAWAL_REASON,
        actor=membership.trajectory.lead_caseworker,
    )
