"""One table drives every client-facing URL with every role against four clients.

The clients: one on the user's care team ("own"), one of the same organisation on another
team ("other"), a shielded one on another team ("shielded"), and one of another organisation
("foreign"). Expected: ALLOWED, REFUSED (404, logged as refused), or PSEUDONYM (allowed, but
no name, BSN or date of birth anywhere on the page). A client-facing URL that is missing from
the table fails the test.

The second half does the same for the REST API (apps/api): every endpoint and method, with a
token of every role, the refusals logged and every answer searched for what the role may
never see; an API endpoint or method missing from its tables fails the test as well.
"""

import datetime
import json

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import get_resolver, reverse

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.safety.services import safety_notice_set
from apps.trajectories.services import activity_log, care_team_join
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

ALLOWED, REFUSED, PSEUDONYM = "allowed", "refused", "pseudonym"
ROLES = ["caseworker", "teacher", "job_coach", "manager", "privacy_officer", "administrator"]
TEAM_ROLE = {"caseworker": "caseworker", "teacher": "teacher", "job_coach": "job_coach"}


def row(own, other, shielded, foreign):
    return {"own": own, "other": other, "shielded": shielded, "foreign": foreign}


NOBODY = row(REFUSED, REFUSED, REFUSED, REFUSED)

MATRIX = {
    "clients:detail": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # The client page's funding mosaic (tests/funding/test_control_views.py): whoever sees the
    # client's funding; a teacher or job coach of the team is refused (403, logged).
    "clients:mosaic": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:activity_new": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:education": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:work": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # The school placement (teachers) and the employment (job coaches): read by whoever sees
    # the lane, the manager included (a funding basis, not a note); changed by the care team.
    "clients:school_placements": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": NOBODY,
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:employments": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:goal_new": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:care_team": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:extended_youth_care": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # The Zvw route (insurer, referral, regiebehandelaar, typing, prestaties): the care team's
    # caseworkers, who decide on the client's care (tests/zvw/test_views.py).
    "zvw:route": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # The Wlz indications and health insurers: whoever sees the funding reads them; a
    # caseworker of the care team or a manager records them
    # (tests/trajectories/test_funding_facts_views.py).
    "clients:funding_facts": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # Residential stays: admission, discharge and leave by a caseworker of the care team.
    "clients:stays": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:day_parts": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:break_glass": {
        "caseworker": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # Planning an appointment (apps/agenda): who may log with the client, on the care team.
    "agenda:plan": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "audit:client_history": {
        "caseworker": NOBODY,
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": row(PSEUDONYM, PSEUDONYM, PSEUDONYM, REFUSED),
        "administrator": NOBODY,
    },
    # A record's retention date and its extensions (apps/retention, tests/retention/).
    "retention:extend": {
        "caseworker": NOBODY,
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": row(PSEUDONYM, PSEUDONYM, PSEUDONYM, REFUSED),
        "administrator": NOBODY,
    },
    "audit:client_access_report": {
        "caseworker": NOBODY,
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": row(PSEUDONYM, PSEUDONYM, PSEUDONYM, REFUSED),
        "administrator": NOBODY,
    },
    # Registration's result and the trajectory's steps (tests/intake/test_views.py): a
    # caseworker of the care team only.
    "intake:registered": {
        **dict.fromkeys(ROLES, NOBODY),
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    },
    "intake:lifecycle": {
        **dict.fromkeys(ROLES, NOBODY),
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    },
    # The treatment plan (tests/plans/): read as the client page is (a manager sees figures,
    # a teacher or job coach their lane); written by the care team's caseworkers only.
    "plans:plan": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # An activity's own page (an education-lane activity of each client: the teacher's lane,
    # not the job coach's); correcting it (tests/trajectories/test_corrections.py).
    "clients:activity_detail": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": NOBODY,
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    **{
        name: {**dict.fromkeys(ROLES, NOBODY), "caseworker": row(ALLOWED, *[REFUSED] * 3)}
        for name in ("plans:plan_edit", "plans:goal_new", "plans:evaluation_new")
    },
    "clients:activity_correct": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,  # a teacher corrects only what they logged themselves
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # Safety notices (tests/safety/): kept by the care team's caseworkers; the team sees the
    # notice itself on the client page.
    "safety:notices": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "safety:notice_change": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    # A copy of the record and the client's statements (tests/records/): the privacy
    # officer's pages show a client by pseudonym; the statements are kept by the care team's
    # caseworkers and the privacy officer.
    "records:client": {
        **dict.fromkeys(ROLES, NOBODY),
        "privacy_officer": row(PSEUDONYM, PSEUDONYM, PSEUDONYM, REFUSED),
    },
    "records:statements": {
        **dict.fromkeys(ROLES, NOBODY),
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "privacy_officer": row(PSEUDONYM, PSEUDONYM, PSEUDONYM, REFUSED),
    },
    # The consent register (issue 18): the care team sees it; its caseworkers record and
    # withdraw (clients:consent_withdraw, POST only; tests/trajectories/test_consent_views.py).
    "clients:consents": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
}
# URL arguments besides the client's pk: the world's activity or notice of that client.
EXTRA_KWARGS = {
    "clients:activity_detail": lambda subject: {"activity_pk": subject.matrix_activity_pk},
    "clients:activity_correct": lambda subject: {"activity_pk": subject.matrix_activity_pk},
    "safety:notice_change": lambda subject: {"notice_pk": subject.matrix_notice_pk},
}
# Pages without a client in the URL: which roles may open them.
ROLE_PAGES = {
    "clients:list": {
        "caseworker",
        "teacher",
        "job_coach",
        "manager",
        "privacy_officer",
        "administrator",
    },
    "clients:break_glass_find": {"caseworker"},
    "audit:home": {"privacy_officer"},
    # Retention and destruction (apps/retention, tests/retention/test_views.py).
    "retention:requests": {"privacy_officer"},
    "retention:due": {"privacy_officer"},
    "retention:tombstones": {"privacy_officer"},
    "funding:overview": {"manager"},
    "funding:alerts": {"caseworker", "manager"},
    "funding:allocation_new": {"manager"},
    "funding:mosaic": {"manager"},
    "pools:list": {"manager"},
    "reports:list": {"manager"},
    "exchange:deliveries": {"manager"},
    "exchange:requests": {"manager"},
    "exchange:declarations": {"manager"},
    "exchange:declarations_rejected": {"manager"},
    # The insurers' declarations and their rejected lines (tests/zvw/test_views.py).
    "zvw:declarations": {"manager"},
    "zvw:rejected": {"manager"},
    # The inbox and outbox (tests/exchange/test_messages_views.py).
    "exchange:messages": {"manager"},
    "exchange:waiting": {"caseworker"},
    # The worker's own agenda (tests/agenda/test_appointments.py).
    "agenda:week": {"caseworker", "teacher", "job_coach"},
    "agenda:day": {"caseworker", "teacher", "job_coach"},
    # The manager's client search (apps/workday, tests/workday/test_search.py).
    "workday:clients": {"manager"},
    # Registering a client; the closed trajectories one may reopen (tests/intake/).
    "intake:register": {"caseworker"},
    "intake:closed": {"caseworker"},
    # Registers (group sessions, classes): whoever works with clients (tests/registers/).
    "registers:home": {"caseworker", "teacher", "job_coach"},
    "registers:group_new": {"caseworker", "teacher", "job_coach"},
    "registers:class_new": {"caseworker", "teacher", "job_coach"},
    # Access requests still to answer (tests/records/test_views.py).
    "records:home": {"privacy_officer"},
}
# Reached only by POST from a page in the table; tested in tests/audit and
# tests/trajectories/test_forms_views.py.
POST_ONLY = {
    "audit:break_glass_review",
    # A destruction request (its own pk, GET) and the forms on it and on the list of records
    # past their date (tests/retention/test_views.py): the organisation's privacy officer only.
    "retention:request",
    "retention:request_review",
    "retention:request_execute",
    "retention:due_destroy",
    "clients:activity_preview",
    "clients:goal_progress",
    "clients:care_team_remove",
    # Cancelling an activity, ending a safety notice: forms on the pages above
    # (tests/trajectories/test_corrections.py, tests/safety/test_safety_notices.py).
    "clients:activity_cancel",
    "safety:notice_end",
    # One recorded period of extended youth care (tests/trajectories/test_youth_care_views.py).
    "clients:extended_youth_care_change",
    "clients:extended_youth_care_end",
    # Ending a Wlz indication or a health insurance
    # (tests/trajectories/test_funding_facts_views.py).
    "clients:wlz_indication_end",
    "clients:health_insurance_end",
    # Forms on the stays page (tests/trajectories/test_presence_views.py).
    "clients:stay_discharge",
    "clients:stay_dates",
    "clients:stay_leave",
    "clients:stay_leave_cancel",
    # Ending a placement or a job (tests/trajectories/test_education.py).
    "clients:school_placement_end",
    "clients:employment_end",
    # A report run's pages (tests/reports/test_views.py): managers of its organisation only.
    "reports:status",
    "reports:download",
    # An alert, an allocation or a pilot of the organisation (tests/funding/test_views.py,
    # tests/funding/test_alerts.py and test_pilots.py).
    "funding:alert_acknowledge",
    "funding:allocation_detail",
    "funding:allocation_change",
    "funding:allocation_replace",
    # A pooled budget of the organisation, its forms and its exports per funder
    # (tests/pools/test_views.py): managers of its organisation only.
    "pools:detail",
    "pools:enrolment_exit",
    "pools:basis_new",
    "pools:funder_export",
    # The message exchange (tests/exchange/): each part adds its pages' names here.
    # Removing a start or stop sent in error (tests/exchange/test_startstop.py).
    "exchange:delivery_remove",
    # A request from a client of the unfunded queue, or for a change of an allocation
    # (tests/exchange/test_requests.py): managers of its organisation only.
    "exchange:request_new",
    "exchange:request_change",
    # A declaration of the organisation (tests/exchange/test_declarations.py).
    "exchange:declaration_detail",
    # One message, its file, uploading and fetching (tests/exchange/test_messages_views.py):
    # managers of its organisation only.
    "exchange:message_detail",
    "exchange:message_file",
    "exchange:messages_upload",
    "exchange:messages_fetch",
    # Linking a waiting allocation (tests/exchange/test_allocations_in.py).
    "exchange:waiting_link",
    "exchange:waiting_dismiss",
    # An appointment of one's own, and the calendar feed (tests/agenda/): confirm, no-show and
    # cancel answer 404 (logged) for anyone but the appointment's worker; the feed needs no
    # login, its secret is the key (GET, 404 when unknown or revoked).
    "agenda:confirm",
    "agenda:no_show",
    "agenda:cancel",
    "agenda:feed_create",
    "agenda:feed_revoke",
    "agenda:feed",
    # The lifecycle's forms (tests/intake/test_views.py).
    "intake:phase_move",
    "intake:close",
    "intake:resume",
    # A register or a class of one's own (tests/registers/test_views.py and
    # test_permission_matrix_registers.py): another worker, another organisation and the
    # roles without clients are refused (404, logged as refused per client); a shielded
    # client shows by pseudonym.
    "registers:session",
    "registers:class",
    "registers:class_pupil_add",
    "registers:class_pupil_remove",
    "registers:class_lesson",
    "registers:absence_report",
    # Making, watching and downloading a copy of the record (tests/records/): the privacy
    # officer of the client's organisation only, others 404 (logged).
    "records:copy_make",
    "records:copy_status",
    "records:copy_download",
    # The Zvw: a typing is a form on zvw:route; an insurer declaration of the organisation, its
    # review, export and answer, and handling a rejected line (tests/zvw/test_views.py).
    "zvw:typing",
    "zvw:participant_add",
    "zvw:declaration",
    "zvw:declaration_approve",
    "zvw:declaration_export",
    "zvw:declaration_answer",
    "zvw:resolve",
    # Withdrawing a consent: a form on clients:consents (tests/trajectories/test_consent_views.py).
    "clients:consent_withdraw",
}


# --- The meldcode and reports to the inspectorate (tests/safety/test_meldcode.py): the client's
# care team only, every team role; a manager, a privacy officer, another organisation and a
# caseworker outside the team get 404, logged. A track and a report are made per case by the
# client's lead caseworker (the world is rolled back after each case).
def _matrix_meldcode_track(subject):
    from apps.safety.meldcode import meldcode_track_open
    from apps.trajectories.models import Trajectory

    lead = Trajectory.objects.get(client=subject).lead_caseworker
    track = meldcode_track_open(
        client=subject, concern="Qzorg", opened_on=datetime.date(2025, 2, 3), actor=lead
    )
    return {"track_pk": track.pk}


def _matrix_inspectorate_report(subject):
    from apps.safety.meldcode import inspectorate_report_record
    from apps.trajectories.models import Trajectory

    lead = Trajectory.objects.get(client=subject).lead_caseworker
    report = inspectorate_report_record(
        client=subject,
        kind="violence",
        summary="Qgeweld",
        occurred_on=datetime.date(2025, 2, 3),
        discovered_on=datetime.date(2025, 2, 3),
        actor=lead,
    )
    return {"report_pk": report.pk}


_CARE_TEAM_ONLY = {
    **dict.fromkeys(ROLES, NOBODY),
    **dict.fromkeys(TEAM_ROLE, row(ALLOWED, REFUSED, REFUSED, REFUSED)),
}
MATRIX.update(
    {
        "safety:meldcode": _CARE_TEAM_ONLY,
        "safety:meldcode_track": _CARE_TEAM_ONLY,
        "safety:inspectorate": _CARE_TEAM_ONLY,
        "safety:inspectorate_report": _CARE_TEAM_ONLY,
    }
)
EXTRA_KWARGS.update(
    {
        "safety:meldcode_track": _matrix_meldcode_track,
        "safety:inspectorate_report": _matrix_inspectorate_report,
    }
)
# The track's forms (a step, the report to Veilig Thuis, a follow-up, closing).
POST_ONLY |= {
    "safety:meldcode_step",
    "safety:meldcode_report",
    "safety:meldcode_follow_up",
    "safety:meldcode_close",
}
# --- end of the meldcode block.


def _client_facing_url_names() -> set[str]:
    names = set()
    resolver = get_resolver()
    for namespace in (
        "clients",
        "audit",
        "funding",
        "reports",
        "exchange",
        "agenda",
        "workday",
        "intake",
        "plans",
        "safety",
        "registers",
        "records",
        "retention",
        "pools",
        "zvw",
    ):
        _prefix, sub = resolver.namespace_dict[namespace]
        for pattern in sub.url_patterns:
            names.add(f"{namespace}:{pattern.name}")
    return names


def test_every_client_facing_url_is_in_the_table():
    assert _client_facing_url_names() == set(MATRIX) | set(ROLE_PAGES) | POST_ONLY


@pytest.fixture(scope="module")
def _web_world(django_db_setup, django_db_blocker):
    """Built once for the module; the outer transaction is rolled back after its tests, and
    each case's own writes (the access log) are rolled back after it (the ``db`` fixture)."""
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        yield _web_world_build()
        transaction.set_rollback(True)


@pytest.fixture
def world(_web_world, db):
    return _web_world


def _web_world_build():
    organisation = OrganisationFactory()
    lead = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    users = {role: UserFactory(organisation=organisation, roles=[Role(role)]) for role in ROLES}
    clients = {
        "own": ClientFactory(
            organisation=organisation, given_name="Qannelies", family_name="Qeigenteam"
        ),
        "other": ClientFactory(
            organisation=organisation, given_name="Qbram", family_name="Qandersteam"
        ),
        "shielded": ClientFactory(
            organisation=organisation,
            given_name="Qcato",
            family_name="Qverborgen",
            shielded=True,
            date_of_birth=datetime.date(2009, 11, 23),
            bsn="999999990",
        ),
        "foreign": ClientFactory(given_name="Qdirk", family_name="Qbuitenland"),
    }
    trajectories = {
        key: TrajectoryFactory(client=client, lead_caseworker=lead if key != "foreign" else None)
        if key != "foreign"
        else TrajectoryFactory(client=client)
        for key, client in clients.items()
    }
    for role, team_role in TEAM_ROLE.items():
        care_team_join(
            trajectory=trajectories["own"],
            user=users[role],
            role=team_role,
            start=datetime.date(2025, 1, 1),
            actor=lead,
        )
    for key, client in clients.items():
        trajectory = trajectories[key]
        client.matrix_activity_pk = activity_log(
            trajectory=trajectory,
            domain="education",
            kind="lesson",
            date=datetime.date(2025, 2, 3),
            duration_minutes=45,
            performed_by=trajectory.lead_caseworker,
            actor=trajectory.lead_caseworker,
        ).pk
        client.matrix_notice_pk = safety_notice_set(
            client=client,
            text="Deel geen verblijfplaats",
            start=datetime.date(2025, 2, 3),
            actor=trajectory.lead_caseworker,
        ).pk
    return users, clients


def _check(response, expected, client):
    # The names are unlike any name the factories give users, so a hit is a leak.
    if expected == REFUSED:
        # 404 where the client may not be seen at all, 403 where it may be seen but not this.
        assert response.status_code in (403, 404)
        return
    assert response.status_code == 200
    text = response.content.decode()
    if expected == PSEUDONYM or client.shielded:
        assert client.pseudonym in text
        for secret in (client.given_name, client.family_name, client.bsn or "no-bsn", "23-11-2009"):
            assert secret not in text


CASES = [
    (url_name, role, target)
    for url_name, by_role in MATRIX.items()
    for role in ROLES
    for target in ("own", "other", "shielded", "foreign")
]


@pytest.mark.parametrize(("url_name", "role", "target"), CASES)
def test_permission_matrix(world, client, url_name, role, target):
    users, clients = world
    user, subject = users[role], clients[target]
    expected = MATRIX[url_name][role][target]
    client.force_login(user)
    before = AccessLogEntry.objects.filter(user=user, client=subject).count()
    extra = EXTRA_KWARGS.get(url_name, lambda subject: {})(subject)
    response = client.get(reverse(url_name, kwargs={"pk": subject.pk, **extra}))
    _check(response, expected, subject)
    entries = AccessLogEntry.objects.filter(user=user, client=subject).order_by("pk")[before:]
    outcomes = [entry.outcome for entry in entries]
    if expected == REFUSED:
        assert "refused" in outcomes, "a refused read is logged"
        assert "allowed" not in outcomes
    else:
        assert outcomes.count("allowed") >= 1, "an allowed read is logged"


@pytest.mark.parametrize(("url_name", "role"), [(u, r) for u in ROLE_PAGES for r in ROLES])
def test_role_pages(world, client, url_name, role):
    users, _clients = world
    client.force_login(users[role])
    response = client.get(reverse(url_name))
    assert response.status_code == (200 if role in ROLE_PAGES[url_name] else 404)


# --- the API (apps/api): every endpoint and method ---------------------------------------
#
# The same four clients (tests/api/world.py builds them, with a note and a goal in every
# lane, allocations, alerts and a finished report), each role calling with its own token.
# Besides the status, every allowed answer is searched for what the role may never see: a
# teacher no care or work note or goal, a job coach no care or education one, a manager no
# note or goal text at all, and nobody the name, BSN or birth date of a client shown by
# pseudonym.

LANE_OF_ROLE = {"caseworker": "care", "teacher": "education", "job_coach": "work"}
CARE_TEAM_ONLY = {
    "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
    "privacy_officer": NOBODY,
    "administrator": NOBODY,
}
TEAM_MAY_LOG = {
    "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    "manager": NOBODY,
    "privacy_officer": NOBODY,
    "administrator": NOBODY,
}
CASEWORKER_CORRECTS = {
    **dict.fromkeys(ROLES, NOBODY),
    "caseworker": row(ALLOWED, *[REFUSED] * 3),
}
SEES_FUNDING = {
    **dict.fromkeys(ROLES, NOBODY),
    "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
    "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
}
MANAGES_FUNDING = {
    **dict.fromkeys(ROLES, NOBODY),
    "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
}

# (URL name, method) with a client in the URL or the body.
API_MATRIX = {
    ("api:client-detail", "GET"): CARE_TEAM_ONLY,
    ("api:client-activities", "GET"): CARE_TEAM_ONLY,
    ("api:client-activities", "POST"): TEAM_MAY_LOG,
    ("api:client-goals", "GET"): CARE_TEAM_ONLY,
    ("api:client-goals", "POST"): TEAM_MAY_LOG,
    ("api:trajectory-detail", "GET"): CARE_TEAM_ONLY,
    ("api:goal-detail", "GET"): CARE_TEAM_ONLY,
    ("api:goal-detail", "PATCH"): TEAM_MAY_LOG,
    ("api:activity-detail", "GET"): CARE_TEAM_ONLY,
    ("api:activity-detail", "PATCH"): CASEWORKER_CORRECTS,
    ("api:activity-cancel", "POST"): CASEWORKER_CORRECTS,
    ("api:allocation-detail", "GET"): SEES_FUNDING,
    ("api:allocation-detail", "PATCH"): MANAGES_FUNDING,
    ("api:allocation-replace", "POST"): MANAGES_FUNDING,
    ("api:allocation-list", "GET"): SEES_FUNDING,  # ?client=
    ("api:allocation-list", "POST"): MANAGES_FUNDING,
    ("api:alert-acknowledge", "POST"): {
        **dict.fromkeys(ROLES, NOBODY),
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
    },
}
EVERYONE = set(ROLES)
# (URL name, method) without a client: which roles may call them.
API_ROLE_ENDPOINTS = {
    ("api:me", "GET"): EVERYONE,
    ("api:client-list", "GET"): EVERYONE,  # each sees the clients of their own care teams
    ("api:allocation-list", "GET"): {"manager"},  # the organisation's, without ?client=
    ("api:alert-list", "GET"): {"caseworker", "manager"},
    ("api:funder-list", "GET"): {"manager", "administrator"},
    ("api:funder-detail", "GET"): {"manager", "administrator"},
    ("api:contract-list", "GET"): {"manager", "administrator"},
    ("api:contract-detail", "GET"): {"manager", "administrator"},
    # Pooled budgets (tests/pools/test_api.py): the organisation's managers.
    ("api:pool-list", "GET"): {"manager"},
    ("api:pool-detail", "GET"): {"manager"},
    ("api:pool-funder-shares", "GET"): {"manager"},
    ("api:report-list", "GET"): {"manager"},
    ("api:report-list", "POST"): {"manager"},
    ("api:report-detail", "GET"): {"manager"},
    ("api:report-download", "GET"): {"manager"},
    # The organisation's messages (tests/exchange/test_messages_api.py).
    ("api:message-list", "GET"): {"manager"},
    ("api:message-detail", "GET"): {"manager"},
    ("api:message-file", "GET"): {"manager"},
    ("api:message-import", "POST"): {"manager"},
    ("api:schema", "GET"): EVERYONE,
    ("api:docs", "GET"): EVERYONE,  # a page of the web interface (session)
}
# What each role must never find in an answer (tests/api/world.py writes these texts).
NEVER_SHOWN = {
    "teacher": ("NOTECARE", "NOTEWORK", "GOALCARE", "GOALWORK"),
    "job_coach": ("NOTECARE", "NOTEEDUCATION", "GOALCARE", "GOALEDUCATION"),
    "manager": ("NOTE", "GOAL"),
    "privacy_officer": ("NOTE", "GOAL"),
    "administrator": ("NOTE", "GOAL"),
}


def _api_methods() -> set[tuple[str, str]]:
    """Every (URL name, method) of the API; OPTIONS answers 405 and HEAD is GET."""
    _prefix, sub = get_resolver().namespace_dict["api"]
    found = set()
    for pattern in sub.url_patterns:
        view = pattern.callback
        view_class = getattr(view, "cls", None) or view.__wrapped__.cls
        for method in view_class().allowed_methods:
            if method not in ("OPTIONS", "HEAD"):
                found.add((f"api:{pattern.name}", method))
    return found


def test_every_api_endpoint_and_method_is_in_the_table():
    assert _api_methods() == set(API_MATRIX) | set(API_ROLE_ENDPOINTS)


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the module, rolled back at its end; each test rolls back its own writes."""
    from django.db import transaction
    from django.test import override_settings

    from tests.api.world import build_world, raise_world_alerts

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock():
        media.enable()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            raise_world_alerts(world)
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()


@pytest.fixture
def unthrottled(settings):
    settings.API_THROTTLE_RATES = {"user": "100000/minute", "anon": "100000/minute"}


def _api_call(world, name: str, method: str, role: str, target: str | None):
    """The request for one cell of the table: its URL and a body that is valid when allowed."""
    from rest_framework.test import APIClient

    lane = LANE_OF_ROLE.get(role, "care")
    client = world.clients[target] if target else None
    kwargs, body = {}, None
    if name in ("api:client-detail", "api:client-activities", "api:client-goals"):
        kwargs = {"pk": client.pk}
    elif name == "api:trajectory-detail":
        kwargs = {"pk": world.trajectories[target].pk}
    elif name == "api:goal-detail":
        kwargs = {"pk": world.goals[target, lane].pk}
    elif name in ("api:activity-detail", "api:activity-cancel"):
        kwargs = {"pk": world.activities[target, lane].pk}
    elif name in ("api:allocation-detail", "api:allocation-replace"):
        kwargs = {"pk": world.allocations[target].pk}
    elif name == "api:alert-acknowledge":
        kwargs = {"pk": world.alerts[target].pk}
    elif name in ("api:funder-detail",):
        kwargs = {"pk": world.funder.pk}
    elif name == "api:contract-detail":
        kwargs = {"pk": world.contract.pk}
    elif name in ("api:pool-detail", "api:pool-funder-shares"):
        from tests.funding.builders import IntegralPilotFactory
        from tests.pools.factories import PoolFunderFactory

        pool = IntegralPilotFactory(contract__organisation=world.contract.organisation)
        part = PoolFunderFactory(pool=pool, funder=world.contract.funder, share_permille=1000)
        kwargs = {"pk": pool.pk}
        if name == "api:pool-funder-shares":
            kwargs["funder_pk"] = part.funder_id
    elif name in ("api:report-detail", "api:report-download"):
        kwargs = {"pk": world.report.pk}
    elif name in ("api:message-detail", "api:message-file"):
        kwargs = {"pk": world.message.pk}
    url = reverse(name, kwargs=kwargs)
    if (name, method) == ("api:allocation-list", "GET") and target:
        url += f"?client={client.pk}"
    if (name, method) == ("api:client-activities", "POST"):
        body = {
            "care": {"kind": "treatment_session"},
            "education": {"kind": "lesson", "attendance": "present", "subject": "Taal"},
            "work": {"kind": "internship_day"},
        }[lane] | {"domain": lane, "date": "2025-03-03", "duration_minutes": 30}
    elif (name, method) == ("api:client-goals", "POST"):
        body = {"domain": lane, "description": "Nieuw doel"}
    elif (name, method) == ("api:goal-detail", "PATCH"):
        body = {"progress": 50}
    elif (name, method) == ("api:activity-detail", "PATCH"):
        body = {"duration_minutes": 45}
    elif (name, method) == ("api:allocation-detail", "PATCH"):
        body = {"volume": 7000, "reason": "04"}
    elif (name, method) == ("api:allocation-replace", "POST"):
        body = {
            "reason": "05",
            "number": f"TW-REPLACED-{target}",
            "volume": 100,
            "frequency": "6",
            "start": "2025-06-01",
            "end": "2025-12-31",
        }
    elif (name, method) == ("api:allocation-list", "POST"):
        body = {
            "client": client.pk,
            "product": world.product.pk,
            "number": f"TW-MATRIX-{target}",
            "volume": 100,
            "frequency": "6",
            "start": "2025-01-01",
            "end": "2025-12-31",
        }
    elif (name, method) == ("api:report-list", "POST"):
        body = {
            "funder": world.funder.pk,
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "format": "csv",
        }
    api = APIClient()
    if (name, method) == ("api:message-import", "POST"):
        return _api_import(api, world, role, url)
    if name == "api:docs":
        api.force_login(world.users[role])  # the documentation is a page of the web interface
    else:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}")
    return api.generic(
        method,
        url,
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )


def _api_import(api, world, role: str, url: str):
    """Import a message file, with a handler for its kind registered for the call."""
    from unittest import mock

    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.exchange import incoming
    from tests.exchange.factories_pages import HANDLER, message_bytes

    content = message_bytes(receiver=world.organisation.agb_code, identification="MATRIX-1")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}")
    with mock.patch.dict(incoming.HANDLERS, {"JW301": HANDLER}):
        return api.post(url, {"file": SimpleUploadedFile("m.xml", content)}, format="multipart")


def _no_leak(response, role: str, subject=None) -> None:
    text = response.content.decode() if not getattr(response, "streaming", False) else ""
    for secret in NEVER_SHOWN.get(role, ()):
        assert secret not in text, f"{role} was shown {secret}"
    if subject is not None:
        for secret in (
            subject.given_name,
            subject.family_name,
            subject.bsn or "no-bsn",
            "2009-11-23",
            "23-11-2009",
        ):
            assert secret not in text, f"{role} was shown {secret} of a pseudonymous client"


API_CASES = [(name, method, role) for (name, method) in API_MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), API_CASES)
def test_api_permission_matrix(api_world, unthrottled, db, name, method, role):
    world = api_world
    user = world.users[role]
    for target in ("own", "other", "shielded", "foreign"):
        expected = API_MATRIX[name, method][role][target]
        subject = world.clients[target]
        before = AccessLogEntry.objects.filter(user=user, client=subject).count()
        response = _api_call(world, name, method, role, target)
        entries = AccessLogEntry.objects.filter(user=user, client=subject).order_by("pk")[before:]
        outcomes = [entry.outcome for entry in entries]
        where = f"{method} {name} as {role} on {target}: {response.status_code}"
        if expected == REFUSED:
            assert response.status_code in (403, 404), where
            assert response.json()["code"] in ("permission_denied", "not_found"), where
            assert "refused" in outcomes, f"{where}: the refusal is logged"
            assert "allowed" not in outcomes, where
            continue
        assert response.status_code in (200, 201, 202), f"{where} {response.content[:300]}"
        assert "allowed" in outcomes, f"{where}: the read is logged"
        _no_leak(response, role, subject if expected == PSEUDONYM or subject.shielded else None)


API_ROLE_CASES = [(name, method, role) for (name, method) in API_ROLE_ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), API_ROLE_CASES)
def test_api_role_endpoints(api_world, unthrottled, db, name, method, role):
    world = api_world
    response = _api_call(world, name, method, role, None)
    where = f"{method} {name} as {role}: {response.status_code}"
    if role in API_ROLE_ENDPOINTS[name, method]:
        assert response.status_code in (200, 201, 202), where
        _no_leak(response, role, world.clients["shielded"])
    else:
        assert response.status_code == 403, where
        assert response.json()["code"] == "permission_denied", where
        assert AccessLogEntry.objects.filter(user=world.users[role], outcome="refused").exists()
