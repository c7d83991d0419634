"""The sections of a copy of a client's complete record (WGBO 7:456, Jeugdwet 7.3.10).

Each section is one function ``(client) -> Section`` in ``SECTIONS``, in the order the copy
shows them; a part of the record that another app adds later (consents, the meldcode) is one
more function in the list. A section holds only text already put into words in the active
language: the renderer (apps.records.render) computes nothing. A section with nothing in it
says so rather than disappearing, so the reader sees that the part was looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.agenda.models import Appointment
from apps.clients.models import (
    Client,
    Consent,
    HealthInsurance,
    LegalRepresentative,
    Referral,
    WlzIndication,
)
from apps.clients.representation import decision_makers
from apps.plans.models import Evaluation, GoalScore, TreatmentPlan
from apps.registers.models import AbsenceReport
from apps.safety.models import MeldcodeTrack, SafetyNotice
from apps.trajectories.models import (
    Activity,
    CareTeamMembership,
    Employment,
    Goal,
    SchoolPlacement,
    Stay,
    Trajectory,
    TrajectoryPhaseChange,
)

from .models import ClientStatement

NOTHING = "—"


@dataclass(frozen=True)
class Facts:
    """Labelled values: a person's details, a plan's agreement."""

    items: list[tuple[str, str]]
    caption: str = ""
    kind: str = "facts"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""
    kind: str = "table"


@dataclass(frozen=True)
class Section:
    title: str
    blocks: list[Facts | Table] = field(default_factory=list)
    empty: str = ""  # shown when there are no blocks

    @property
    def is_empty(self) -> bool:
        return not self.blocks


SectionBuilder = Callable[[Client], Section]


# --- values in words ------------------------------------------------------------------------


def day(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else NOTHING


def moment(value: datetime | None) -> str:
    if value is None:
        return NOTHING
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def period(start: date | None, end: date | None) -> str:
    return f"{day(start)} – {day(end) if end else ''}".rstrip()


def person(user) -> str:
    return str(user) if user is not None else NOTHING


def text(value: str | None) -> str:
    return value.strip() if value and value.strip() else NOTHING


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# --- the sections ---------------------------------------------------------------------------


def personal_data(client: Client) -> Section:
    items = [
        (_("Name"), client.full_name),
        (_("Pseudonym"), client.pseudonym),
        (_("Client number"), client.client_number),
        (_("Date of birth"), day(client.date_of_birth)),
        (_("BSN"), client.bsn or NOTHING),
        (
            _("Address"),
            ", ".join(p for p in (client.street_and_number, client.postcode, client.place) if p)
            or NOTHING,
        ),
        (_("Municipality of residence"), str(client.municipality)),
        (_("Responsible municipality (Jeugdwet)"), str(client.responsible_municipality)),
        (_("Status"), client.get_status_display()),
        (_("Shielded"), yes_no(client.shielded)),
        (_("Registered at"), moment(client.created_at)),
    ]
    blocks: list[Facts | Table] = [Facts(items)]
    insurances = HealthInsurance.objects.filter(client=client).order_by("start", "pk")
    if insurances:
        blocks.append(
            Table(
                [_("UZOVI code"), _("Period")],
                [[i.uzovi, period(i.start, i.end)] for i in insurances],
                caption=_("Health insurance"),
            )
        )
    indications = WlzIndication.objects.filter(client=client).order_by("start", "pk")
    if indications:
        blocks.append(
            Table(
                [_("Care profile"), _("CIZ decision"), _("Period")],
                [
                    [w.care_profile, text(w.decision_reference), period(w.start, w.end)]
                    for w in indications
                ],
                caption=_("Wlz indications"),
            )
        )
    extended = client.extended_youth_care.order_by("start", "pk")
    if extended:
        blocks.append(
            Table(
                [_("Basis"), _("Decided by"), _("Period")],
                [
                    [e.get_basis_display(), text(e.decided_by), period(e.start, e.last_day)]
                    for e in extended
                ],
                caption=_("Extended youth care"),
            )
        )
    return Section(_("Personal data"), blocks)


def representatives(client: Client) -> Section:
    people = list(LegalRepresentative.objects.filter(client=client).order_by("pk"))
    blocks: list[Facts | Table] = []
    if people:
        blocks.append(
            Table(
                [_("Name"), _("Relation"), _("Parental authority"), _("Phone"), _("Email")],
                [
                    [
                        r.name,
                        r.get_relation_display(),
                        yes_no(r.parental_authority),
                        text(r.phone),
                        text(r.email),
                    ]
                    for r in people
                ],
            )
        )
    makers = decision_makers(client, timezone.localdate(), representatives=people)
    blocks.append(Facts([(_("Who decides today"), makers.text)]))
    return Section(_("Legal representatives"), blocks)


def referrals(client: Client) -> Section:
    rows = [
        [day(r.referred_on), r.get_kind_display(), text(r.name), text(r.agb_code)]
        for r in Referral.objects.filter(client=client).order_by("referred_on", "pk")
    ]
    blocks = [Table([_("Referred on"), _("Referrer"), _("Name"), _("AGB code")], rows)]
    return Section(_("Referral"), blocks if rows else [], empty=_("No referral is recorded."))


def _trajectories(client: Client):
    return Trajectory.objects.filter(client=client).select_related("lead_caseworker")


def trajectories(client: Client) -> Section:
    blocks: list[Facts | Table] = []
    changes = TrajectoryPhaseChange.objects.filter(trajectory__client=client).select_related("by")
    by_trajectory: dict[int, list[TrajectoryPhaseChange]] = {}
    for change in changes.order_by("recorded_at", "pk"):
        by_trajectory.setdefault(change.trajectory_id, []).append(change)
    for trajectory in _trajectories(client).order_by("start", "pk"):
        blocks.append(
            Facts(
                [
                    (_("Period"), period(trajectory.start, trajectory.end)),
                    (_("Status"), trajectory.get_status_display()),
                    (_("Phase"), trajectory.get_phase_display()),
                    (_("Lead caseworker"), person(trajectory.lead_caseworker)),
                ],
                caption=_("Trajectory from %(start)s") % {"start": day(trajectory.start)},
            )
        )
        steps = by_trajectory.get(trajectory.pk, [])
        if steps:
            blocks.append(
                Table(
                    [_("Date"), _("Phase"), _("By"), _("Reason"), _("Note")],
                    [
                        [
                            day(c.on),
                            c.get_phase_display(),
                            person(c.by),
                            c.get_reason_display() if c.reason else NOTHING,
                            text(c.note),
                        ]
                        for c in steps
                    ],
                    caption=_("Phases"),
                )
            )
    return Section(_("Trajectories and phases"), blocks, empty=_("No trajectory is recorded."))


def care_team(client: Client) -> Section:
    rows = [
        [person(m.user), m.get_role_display(), period(m.start, m.end), day(m.trajectory.start)]
        for m in CareTeamMembership.objects.filter(trajectory__client=client)
        .select_related("user", "trajectory")
        .order_by("trajectory__start", "start", "pk")
    ]
    blocks = [Table([_("Name"), _("Role"), _("Period"), _("Trajectory from")], rows)]
    return Section(_("Care team"), blocks if rows else [], empty=_("Nobody is recorded."))


def plans(client: Client) -> Section:
    blocks: list[Facts | Table] = []
    for plan in TreatmentPlan.objects.filter(trajectory__client=client).select_related(
        "trajectory"
    ):
        blocks.append(
            Facts(
                [
                    (_("Help question"), text(plan.help_question)),
                    (_("Approach"), text(plan.approach)),
                    (_("Agreed on"), day(plan.agreed_on)),
                    (_("Agreed how"), plan.get_agreed_how_display() or NOTHING),
                    (_("The young person agreed"), yes_no(plan.young_person_agreed)),
                    (_("Parent or guardian who agreed"), text(plan.guardian_name)),
                    (_("Next evaluation"), day(plan.next_evaluation_on)),
                ],
                caption=_("Treatment plan of the trajectory from %(start)s")
                % {"start": day(plan.trajectory.start)},
            )
        )
    goals = Goal.objects.filter(trajectory__client=client).order_by("trajectory__start", "pk")
    goal_rows = [
        [
            g.get_domain_display(),
            g.description,
            day(g.target_date),
            f"{g.progress}%",
            g.get_status_display(),
        ]
        for g in goals
    ]
    if goal_rows:
        blocks.append(
            Table(
                [_("Lane"), _("Goal"), _("Target date"), _("Progress"), _("Status")],
                goal_rows,
                caption=_("Goals"),
            )
        )
    scores: dict[int, list[GoalScore]] = {}
    for score in GoalScore.objects.filter(
        evaluation__plan__trajectory__client=client
    ).select_related("goal"):
        scores.setdefault(score.evaluation_id, []).append(score)
    evaluations = (
        Evaluation.objects.filter(plan__trajectory__client=client)
        .select_related("evaluated_by")
        .order_by("date", "pk")
    )
    evaluation_rows = [
        [
            day(e.date),
            person(e.evaluated_by),
            text(e.text),
            "; ".join(
                f"{s.goal.description[:60]}: {s.score}%" + (f" ({s.comment})" if s.comment else "")
                for s in scores.get(e.pk, [])
            )
            or NOTHING,
        ]
        for e in evaluations
    ]
    if evaluation_rows:
        blocks.append(
            Table(
                [_("Date"), _("Evaluated by"), _("Summary"), _("Scores")],
                evaluation_rows,
                caption=_("Evaluations"),
            )
        )
    return Section(
        _("Treatment plan, goals and evaluations"), blocks, empty=_("No plan or goal is recorded.")
    )


def activities(client: Client) -> Section:
    """Every activity of every lane with its note, cancelled ones included (marked); the
    nights of a residential stay are the stay's (shown as stays, not night by night)."""
    rows = []
    for a in (
        Activity.objects.filter(trajectory__client=client, stay__isnull=True)
        .select_related("performed_by", "goal")
        .order_by("date", "start_time", "pk")
    ):
        size = (
            _("%(minutes)s min") % {"minutes": a.duration_minutes}
            if a.duration_minutes is not None
            else str(a.units or "")
        )
        details = [
            value
            for value in (
                a.get_attendance_display() if a.attendance else "",
                a.subject,
                a.assessment,
                a.milestone,
            )
            if value
        ]
        note = " · ".join([*details, a.note.strip()]) if a.note.strip() else " · ".join(details)
        kind = a.get_kind_display()
        if a.status == "cancelled":
            kind = _("%(kind)s (cancelled)") % {"kind": kind}
        rows.append(
            [
                day(a.date),
                a.get_domain_display(),
                kind,
                size,
                person(a.performed_by),
                note or NOTHING,
            ]
        )
    blocks: list[Facts | Table] = []
    if rows:
        blocks.append(
            Table([_("Date"), _("Lane"), _("Activity"), _("Duration"), _("By"), _("Note")], rows)
        )
    stays = Stay.objects.filter(trajectory__client=client).prefetch_related("leaves")
    stay_rows = [
        [
            period(s.admitted_on, s.discharged_on),
            "; ".join(
                f"{period(leave.leaves_on, leave.returns_on)} {leave.note}".strip()
                for leave in s.leaves.all()
                if not leave.cancelled
            )
            or NOTHING,
        ]
        for s in stays.order_by("admitted_on", "pk")
    ]
    if stay_rows:
        blocks.append(Table([_("Stay"), _("Leave")], stay_rows, caption=_("Residential stays")))
    return Section(
        _("Activities and notes (all lanes)"), blocks, empty=_("No activity is recorded.")
    )


def school_and_work(client: Client) -> Section:
    schools = [
        [s.school_name, s.get_school_type_display(), period(s.start, s.end)]
        for s in SchoolPlacement.objects.filter(trajectory__client=client).order_by("start", "pk")
    ]
    jobs = [
        [e.employer, str(e.hours_per_week), period(e.start, e.end)]
        for e in Employment.objects.filter(trajectory__client=client).order_by("start", "pk")
    ]
    blocks: list[Facts | Table] = []
    if schools:
        blocks.append(Table([_("School"), _("Kind of school"), _("Period")], schools))
    if jobs:
        blocks.append(Table([_("Employer"), _("Hours per week"), _("Period")], jobs))
    return Section(_("School and work"), blocks, empty=_("No school placement or job is recorded."))


def appointments(client: Client) -> Section:
    rows = [
        [
            day(a.date),
            a.start_time.strftime("%H:%M"),
            a.get_domain_display(),
            a.get_kind_display(),
            person(a.worker),
            text(a.purpose),
            a.get_status_display(),
        ]
        for a in Appointment.objects.filter(trajectory__client=client)
        .select_related("worker")
        .order_by("date", "start_time", "pk")
    ]
    blocks = [
        Table(
            [_("Date"), _("Time"), _("Lane"), _("Kind"), _("With"), _("Purpose"), _("Status")],
            rows,
        )
    ]
    return Section(_("Appointments"), blocks if rows else [], empty=_("No appointment."))


def safety_notices(client: Client) -> Section:
    rows = [
        [period(n.start, n.end), n.text, person(n.set_by)]
        for n in SafetyNotice.objects.filter(client=client)
        .select_related("set_by")
        .order_by("start", "pk")
    ]
    blocks = [Table([_("Period"), _("Notice"), _("Set by")], rows)]
    return Section(_("Safety notices"), blocks if rows else [], empty=_("No safety notice."))


def absences(client: Client) -> Section:
    rows = [
        [
            day(r.reported_on),
            day(r.absence_until),
            str(r.unexcused_minutes // 60),
            person(r.reported_by),
            text(r.note),
        ]
        for r in AbsenceReport.objects.filter(client=client)
        .select_related("reported_by")
        .order_by("reported_on", "pk")
    ]
    blocks = [
        Table(
            [
                _("Reported on"),
                _("Absence counted until"),
                _("Unexcused hours"),
                _("Reported by"),
                _("Note"),
            ],
            rows,
        )
    ]
    return Section(
        _("Absence reported to the compulsory-education officer"),
        blocks if rows else [],
        empty=_("No absence was reported."),
    )


def statements(client: Client) -> Section:
    rows = [
        [day(s.given_on), s.whose, s.text, person(s.recorded_by)]
        for s in ClientStatement.objects.filter(client=client)
        .select_related("representative", "recorded_by")
        .order_by("given_on", "pk")
    ]
    blocks = [Table([_("Given on"), _("Whose"), _("Statement"), _("Recorded by")], rows)]
    return Section(
        _("The client's own statements"), blocks if rows else [], empty=_("No statement.")
    )


def consents(client: Client) -> Section:
    rows = []
    for c in (
        Consent.objects.filter(client=client)
        .prefetch_related("given_by_representatives")
        .order_by("given_on", "pk")
    ):
        givers = [r.name for r in c.given_by_representatives.all()]
        if c.given_by_young_person:
            givers.insert(0, _("the young person"))
        withdrawn = NOTHING
        if c.withdrawn_on:
            withdrawn = day(c.withdrawn_on)
            if c.withdrawal_reason:
                withdrawn += f": {c.withdrawal_reason}"
        rows.append(
            [
                c.get_recipient_display(),
                text(c.recipient_name),
                c.purpose,
                ", ".join(givers) or NOTHING,
                period(c.given_on, c.valid_until),
                withdrawn,
            ]
        )
    blocks = [
        Table(
            [
                _("Shared with"),
                _("Name"),
                _("Purpose"),
                _("Given by"),
                _("Valid"),
                _("Withdrawn"),
            ],
            rows,
        )
    ]
    return Section(_("Consents"), blocks if rows else [], empty=_("No consent is recorded."))


def meldcode(client: Client) -> Section:
    """The reporting code's tracks are named, not copied: they hold suspicions about people
    around the young person, whose privacy BW 7:456 protects, and the steps may still be under
    way. The privacy officer decides with the care team what of them to provide."""
    count = MeldcodeTrack.objects.filter(client=client).count()
    if not count:
        return Section(_("Reporting code"), [], empty=_("No reporting-code track."))
    note = ngettext(
        "The record holds %(count)d reporting-code track. It is not in this copy because it "
        "may concern others (BW 7:456); the privacy officer decides with the care team what "
        "of it is provided.",
        "The record holds %(count)d reporting-code tracks. They are not in this copy because "
        "they may concern others (BW 7:456); the privacy officer decides with the care team "
        "what of them is provided.",
        count,
    ) % {"count": count}
    return Section(_("Reporting code"), [Facts([(_("Not in this copy"), note)])])


SECTIONS: list[SectionBuilder] = [
    personal_data,
    representatives,
    consents,
    referrals,
    trajectories,
    care_team,
    plans,
    activities,
    school_and_work,
    appointments,
    safety_notices,
    meldcode,
    absences,
    statements,
]


def record_sections(client: Client) -> list[Section]:
    """The client's complete record, section by section, in the active language."""
    return [build(client) for build in SECTIONS]
