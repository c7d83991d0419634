"""What each role may do: the one vocabulary for role-level permission questions.

Every page, API endpoint, admin check and template that asks "may this user do this at all?"
asks one of the named permissions below through ``may`` (or the ``may`` template filter in
``apps.accounts.templatetags.permissions``), never ``has_role`` or a group lookup of its own.
What a user may see *of one client* is the other question, answered by
``apps.trajectories.access.client_access_for``; it asks this module for the role part.

The rules are predicates of the ``rules`` package, registered as permissions in its own rule
set. ``may`` tests that rule set directly: a superuser does not pass a role's permission by
being a superuser (Django's ``User.has_perm`` would let them), and an unknown name is an error,
not a silent "no".
"""

import rules

from .models import Role

# --- the roles ----------------------------------------------------------------------------


@rules.predicate
def in_an_organisation(user) -> bool:
    """An active, signed-in user of a care provider (platform administrators have none)."""
    return bool(user.is_authenticated and user.is_active and user.organisation_id is not None)


def _holds(role: Role) -> rules.Predicate:
    def holds_role(user) -> bool:
        return bool(user.is_authenticated and user.is_active and user.has_role(role))

    return rules.Predicate(holds_role, name=f"is_{role}")


is_caseworker = _holds(Role.CASEWORKER)
is_teacher = _holds(Role.TEACHER)
is_job_coach = _holds(Role.JOB_COACH)
is_manager = _holds(Role.MANAGER)
is_privacy_officer = _holds(Role.PRIVACY_OFFICER)
is_administrator = _holds(Role.ADMINISTRATOR)


@rules.predicate
def is_staff_superuser(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.is_superuser)


@rules.predicate
def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


works_with_clients = in_an_organisation & (is_caseworker | is_teacher | is_job_coach)
manager = in_an_organisation & is_manager
privacy_officer = in_an_organisation & is_privacy_officer

# --- the named permissions ------------------------------------------------------------------

# The client pages (what of one client: apps.trajectories.access).
VIEW_MY_CLIENTS = "clients.view_my_clients"
BREAK_THE_GLASS = "clients.break_the_glass"  # open a client outside one's care teams
CORRECT_ACTIVITY = "trajectories.correct_activity"  # correct or cancel a logged activity
# Funding control (apps.control) and the API's funding endpoints.
VIEW_ALERTS = "control.view_alerts"  # the alerts of one's own clients (caseworkers)...
VIEW_ORGANISATION_ALERTS = "control.view_organisation_alerts"  # ...or the organisation's
VIEW_FUNDING_OVERVIEW = "control.view_funding_overview"
VIEW_ALLOCATIONS = "control.view_allocations"  # the organisation's, and one on its own page
REGISTER_ALLOCATION = "control.register_allocation"
CHANGE_ALLOCATION = "control.change_allocation"
VIEW_MOSAIC = "control.view_mosaic"
ENROL_IN_PILOT = "control.enrol_in_pilot"  # a pilot's page and enrolling a client in it
VIEW_FUNDERS = "control.view_funders"
VIEW_CONTRACTS = "control.view_contracts"
# Reports (apps.reports).
VIEW_REPORTS = "reports.view_reports"
REQUEST_REPORT = "reports.request_report"
DOWNLOAD_REPORT = "reports.download_report"
# The message exchange with municipalities (apps.exchange): managers only, except linking an
# allocation that arrived for an unknown BSN to its client, which a caseworker does.
VIEW_MESSAGES = "exchange.view_messages"  # inbox, outbox, queues, declaration runs
IMPORT_MESSAGES = "exchange.import_messages"  # receive files: upload, fetch, API
SEND_MESSAGES = "exchange.send_messages"  # requests, start/stop, declarations: review and send
LINK_WAITING_ALLOCATION = "exchange.link_waiting_allocation"
# The privacy officer (apps.privacy).
VIEW_PRIVACY_PAGES = "privacy.view_privacy_pages"
REVIEW_BREAK_THE_GLASS = "privacy.review_break_the_glass"
# Registration and the trajectory's lifecycle (apps.intake).
REGISTER_CLIENT = "intake.register_client"  # register a client, reopen a trajectory
# The manager's client search on the day page (apps.workday): figures only, the organisation's.
SEARCH_CLIENTS = "workday.search_clients"
# Django's admin (configuration, not client records).
USE_ADMIN = "admin.use_admin"

PERMISSIONS: dict[str, rules.Predicate] = {
    VIEW_MY_CLIENTS: works_with_clients,
    BREAK_THE_GLASS: in_an_organisation & is_caseworker,
    CORRECT_ACTIVITY: in_an_organisation & is_caseworker,
    VIEW_ALERTS: in_an_organisation & (is_manager | is_caseworker),
    VIEW_ORGANISATION_ALERTS: manager,
    VIEW_FUNDING_OVERVIEW: manager,
    VIEW_ALLOCATIONS: manager,
    REGISTER_ALLOCATION: manager,
    CHANGE_ALLOCATION: manager,
    VIEW_MOSAIC: manager,
    ENROL_IN_PILOT: manager,
    VIEW_FUNDERS: in_an_organisation & (is_manager | is_administrator),
    VIEW_CONTRACTS: in_an_organisation & (is_manager | is_administrator),
    VIEW_REPORTS: manager,
    REQUEST_REPORT: manager,
    DOWNLOAD_REPORT: manager,
    VIEW_MESSAGES: manager,
    IMPORT_MESSAGES: manager,
    SEND_MESSAGES: manager,
    LINK_WAITING_ALLOCATION: in_an_organisation & is_caseworker,
    VIEW_PRIVACY_PAGES: privacy_officer,
    REVIEW_BREAK_THE_GLASS: privacy_officer,
    USE_ADMIN: is_staff & (is_staff_superuser | is_administrator),
    REGISTER_CLIENT: in_an_organisation & is_caseworker,
    SEARCH_CLIENTS: manager,
}

for _name, _predicate in PERMISSIONS.items():
    rules.set_perm(_name, _predicate)


def may(user, permission: str) -> bool:
    """Whether the user holds the named permission (one of the names above)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}: declare it in this module")
    return bool(rules.has_perm(permission, user))


def holds_role(user, role: Role | str) -> bool:
    """Whether the user, active and in an organisation, holds a role: for the per-client rules
    (apps.trajectories.access) and for naming the role an access-log entry acted in."""
    return bool(in_an_organisation(user) and user.has_role(role))
