"""The sections of the day page, in the order they are shown.

Each section is a name, a template and a function ``context(request, today)`` that returns the
template's context, or None when the section has nothing for this user (the wrong role, nothing
waiting that is worth a heading). The function asks ``may`` itself, reads through selectors in
a fixed number of queries, and logs in the access log every client it shows.

A new section is one function and one line in ``SECTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest

from apps.accounts.models import Role
from apps.accounts.permissions import (
    LINK_WAITING_ALLOCATION,
    REVIEW_BREAK_THE_GLASS,
    SEARCH_CLIENTS,
    USE_ADMIN,
    VIEW_ALERTS,
    VIEW_MY_CLIENTS,
    VIEW_ORGANISATION_ALERTS,
    VIEW_PRIVACY_PAGES,
    holds_role,
    may,
)
from apps.agenda.rows import appointment_rows
from apps.agenda.selectors import appointments_for_worker
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.clients.models import Client
from apps.control.alerts import funding_alert_list_for_user
from apps.exchange.allocations_in.waiting import waiting_allocations_for
from apps.plans.selectors import evaluations_due_for
from apps.privacy.selectors import break_glass_review_queue
from apps.safety.selectors import meldcode_reminders_for
from apps.trajectories.access import caseload_access_for, client_list_for_user
from apps.trajectories.selectors import caseload_with_attention

from .forms import ManagerClientSearchForm
from .selectors import (
    SECTION_LIMIT,
    organisation_signals,
    unfinished_activities_for,
    unsaved_form_count_for,
)

SectionContext = Callable[[HttpRequest, date], dict[str, Any] | None]
# The caseload the day page looks through for "something to do today", as "my clients" does.
CASELOAD_LIMIT = 200


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: SectionContext


@dataclass(frozen=True)
class RenderedSection:
    name: str
    template: str
    context: dict[str, Any]


def _log_shown(request: HttpRequest, clients: list[Client], what: str) -> None:
    """One access-log entry per client the section shows, in one statement."""
    if clients:
        access_log_record_many(
            user=request.user,
            clients=list({client.pk: client for client in clients}.values()),
            event=AccessEvent.VIEW,
            basis=AccessBasis.CARE_TEAM,
            detail=what,
        )


# --- caseworkers, teachers and job coaches -----------------------------------------------------


def clients_today(request: HttpRequest, today: date) -> dict | None:
    """The clients of the user's care teams with something to do: the "needs attention" of my
    clients (an allocation ending or nearly used, waiting care, an 18th birthday, no activity
    for two weeks), as far as the user may see it."""
    if not may(request.user, VIEW_MY_CLIENTS):
        return None
    caseload = list(
        client_list_for_user(user=request.user).order_by("client_number")[:CASELOAD_LIMIT]
    )
    attention = [
        (client, needs)
        for client, needs in caseload_with_attention(
            user=request.user, clients=caseload, today=today
        )
        if needs.any
    ]
    shown = attention[:SECTION_LIMIT]
    _log_shown(request, [client for client, _needs in shown], "day page: clients")
    return {"attention": shown, "count": len(attention), "caseload_count": len(caseload)}


def appointments_today(request: HttpRequest, today: date) -> dict | None:
    """The worker's appointments today (apps.agenda), to confirm or mark as a no-show."""
    if not may(request.user, VIEW_MY_CLIENTS):
        return None
    appointments = appointments_for_worker(user=request.user, day=today)
    rows = appointment_rows(request, appointments, what="day page: appointments")
    return {"rows": rows, "here": request.get_full_path()}


def plans_due(request: HttpRequest, today: date) -> dict | None:
    """For caseworkers: their clients whose treatment plan is missing six weeks after the start
    or whose evaluation is due (apps.plans)."""
    if not holds_role(request.user, Role.CASEWORKER):
        return None
    due = evaluations_due_for(user=request.user, today=today)
    if not due:
        return None
    shown = due[:SECTION_LIMIT]
    access = caseload_access_for(user=request.user, clients=[item.client for item in shown])
    _log_shown(request, [item.client for item in shown], "day page: plans due")
    rows = [
        (item, access[item.client.pk].name_of(item.client))
        for item in shown
        if item.client.pk in access
    ]
    return {"rows": rows, "count": len(due)}


def meldcode_stalled(request: HttpRequest, today: date) -> dict | None:
    """For caseworkers: meldcode steps that stall on the clients of their care teams
    (apps.safety; the day counts are apps/safety/meldcode_rules.py)."""
    if not holds_role(request.user, Role.CASEWORKER):
        return None
    reminders = meldcode_reminders_for(user=request.user, today=today)
    if not reminders:
        return None
    shown = reminders[:SECTION_LIMIT]
    _log_shown(request, [reminder.client for reminder in shown], "day page: meldcode")
    return {"reminders": shown, "count": len(reminders)}


def unfinished_work(request: HttpRequest, today: date) -> dict | None:
    """Forms kept after a session ended, and the user's own activities waiting for funding or
    without a duration."""
    if not may(request.user, VIEW_MY_CLIENTS):
        return None
    unsaved = unsaved_form_count_for(request=request)
    activities, client_count = unfinished_activities_for(user=request.user)
    _log_shown(request, [row.client for row in activities], "day page: unfinished work")
    if not unsaved and not activities:
        return None
    return {"unsaved_forms": unsaved, "activities": activities, "client_count": client_count}


def funding_alerts(request: HttpRequest, today: date) -> dict | None:
    """The open funding alerts of the caseworker's own clients, the newest first."""
    user = request.user
    if not may(user, VIEW_ALERTS) or may(user, VIEW_ORGANISATION_ALERTS):
        return None  # a manager sees the organisation's alerts as counts (organisation_signals)
    alerts = funding_alert_list_for_user(user=user).filter(acknowledged_at__isnull=True)
    shown = list(alerts[:10])
    if not shown:
        return None
    _log_shown(request, [alert.client for alert in shown], "day page: funding alerts")
    return {"alerts": shown, "count": alerts.count()}


def waiting_allocations(request: HttpRequest, today: date) -> dict | None:
    """Allocations received from a municipality for a BSN without a client yet (caseworkers
    link them); nothing when none waits."""
    if not may(request.user, LINK_WAITING_ALLOCATION):
        return None
    count = waiting_allocations_for(organisation=request.user.organisation).order_by().count()
    return {"waiting_allocations": count} if count else None


# --- managers ------------------------------------------------------------------------------------


def manager_signals(request: HttpRequest, today: date) -> dict | None:
    if not may(request.user, VIEW_ORGANISATION_ALERTS):
        return None
    return {"signals": organisation_signals(organisation=request.user.organisation)}


def manager_client_search(request: HttpRequest, today: date) -> dict | None:
    if not may(request.user, SEARCH_CLIENTS):
        return None
    return {"search_form": ManagerClientSearchForm()}


# --- privacy officers and administrators ------------------------------------------------------


def privacy_entry(request: HttpRequest, today: date) -> dict | None:
    if not may(request.user, VIEW_PRIVACY_PAGES):
        return None
    reviews = (
        break_glass_review_queue(organisation_id=request.user.organisation_id).order_by().count()
        if may(request.user, REVIEW_BREAK_THE_GLASS)
        else None
    )
    return {"reviews_waiting": reviews}


def admin_entry(request: HttpRequest, today: date) -> dict | None:
    if not may(request.user, USE_ADMIN):
        return None
    return {"is_administrator": request.user.has_role(Role.ADMINISTRATOR)}


SECTIONS: list[Section] = [
    Section("clients_today", "workday/_clients_today.html", clients_today),
    Section("appointments", "workday/_appointments.html", appointments_today),
    Section("plans_due", "workday/_plans_due.html", plans_due),
    Section("meldcode", "workday/_meldcode.html", meldcode_stalled),
    Section("unfinished", "workday/_unfinished.html", unfinished_work),
    Section("alerts", "workday/_alerts.html", funding_alerts),
    Section("waiting", "workday/_waiting.html", waiting_allocations),
    Section("signals", "workday/_signals.html", manager_signals),
    Section("search", "workday/_search.html", manager_client_search),
    Section("privacy", "workday/_privacy.html", privacy_entry),
    Section("admin", "workday/_admin.html", admin_entry),
]


def day_sections_for(request: HttpRequest, *, today: date) -> list[RenderedSection]:
    """The sections that have something for this user, in order."""
    rendered = []
    for section in SECTIONS:
        context = section.context(request, today)
        if context is not None:
            rendered.append(RenderedSection(section.name, section.template, context))
    return rendered
