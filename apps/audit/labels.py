"""What an access-log entry was about, in words: one label per page (URL name) in one place.

An entry keeps the URL name of the request that wrote it (``view_name``); the privacy officer
reads it as the label below, in their own language. Every URL that can write to the log has a
label here (tests/audit/test_labels.py enumerates the URL resolver, so a new page fails that test
until it is labelled); a name without a label is still shown readably (``page_label``), never as
a crash. Entries written outside a request (nightly tasks, commands) have no URL name: they are
described by what they changed (``entry_what``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import AccessLogEntry

PAGE_LABELS = {
    # the whole application
    "home": _("Day page"),
    "login": _("Login"),
    "logout": _("Logout"),
    "account": _("Own account and API tokens"),
    "api_token_revoke": _("API token: revoke"),
    "two_factor_setup": _("Second login factor: set up"),
    "two_factor_verify": _("Second login factor: code"),
    "unsaved_forms": _("Unsaved forms after a session ended"),
    "unsaved_form_save": _("Unsaved form: save"),
    "unsaved_form_discard": _("Unsaved form: discard"),
    # a client's record
    "clients:list": _("My clients"),
    "clients:detail": _("Client page"),
    "clients:break_glass_find": _("Emergency access: find a client"),
    "clients:break_glass": _("Emergency access (break the glass)"),
    "clients:activity_new": _("Activity form"),
    "clients:activity_preview": _("Activity form: funding preview"),
    "clients:activity_detail": _("Activity"),
    "clients:activity_correct": _("Activity: correct"),
    "clients:activity_cancel": _("Activity: cancel"),
    "clients:education": _("Schooling page"),
    "clients:work": _("Work page"),
    "clients:goal_new": _("Goal form"),
    "clients:goal_progress": _("Goal progress"),
    "clients:stays": _("Residential stays"),
    "clients:stay_discharge": _("Residential stay: discharge"),
    "clients:stay_dates": _("Residential stay: correct dates"),
    "clients:stay_leave": _("Residential stay: leave"),
    "clients:stay_leave_cancel": _("Residential stay: cancel leave"),
    "clients:day_parts": _("Day parts attended"),
    "clients:school_placements": _("School placements"),
    "clients:school_placement_end": _("School placement: end"),
    "clients:employments": _("Jobs"),
    "clients:employment_end": _("Job: end"),
    "clients:care_team": _("Care team"),
    "clients:care_team_remove": _("Care team: remove a member"),
    "clients:extended_youth_care": _("Extended youth care"),
    "clients:extended_youth_care_change": _("Extended youth care: change"),
    "clients:extended_youth_care_end": _("Extended youth care: end"),
    "clients:funding_facts": _("Wlz indications and health insurance"),
    "clients:mosaic": _("Funding mosaic of this trajectory"),
    "clients:wlz_indication_end": _("Wlz indication: end"),
    "clients:health_insurance_end": _("Health insurance: end"),
    "safety:notices": _("Safety notices"),
    "safety:notice_change": _("Safety notice: change"),
    "safety:notice_end": _("Safety notice: end"),
    "safety:meldcode": _("Reporting code: the client's tracks"),
    "safety:meldcode_track": _("Reporting code: a track"),
    "safety:meldcode_step": _("Reporting code: record a step"),
    "safety:meldcode_report": _("Reporting code: the report to Veilig Thuis"),
    "safety:meldcode_follow_up": _("Reporting code: follow-up"),
    "safety:meldcode_close": _("Reporting code: close a track"),
    "safety:inspectorate": _("Reports to the inspectorate"),
    "safety:inspectorate_report": _("Report to the inspectorate"),
    "clients:consents": _("Consent register"),
    "clients:consent_withdraw": _("Consent: withdraw"),
    # the client's rights: a copy of the record, the client's statement, destruction
    "records:home": _("Access requests"),
    "records:client": _("Access requests of a client"),
    "records:statements": _("The client's statements"),
    "records:copy_make": _("Copy of the record: make"),
    "records:copy_status": _("Copy of the record: progress"),
    "records:copy_download": _("Copy of the record: download"),
    "retention:requests": _("Destruction requests"),
    "retention:request": _("Destruction request"),
    "retention:request_review": _("Destruction request: review"),
    "retention:request_execute": _("Destruction request: carry out"),
    "retention:due": _("Records past their retention date"),
    "retention:due_destroy": _("Record past its retention date: destroy"),
    "retention:extend": _("Retention date: keep longer"),
    "retention:tombstones": _("Destroyed records"),
    "plans:plan": _("Treatment plan"),
    "plans:plan_edit": _("Treatment plan: change"),
    "plans:goal_new": _("Treatment plan: new goal"),
    "plans:evaluation_new": _("Treatment plan: evaluation"),
    "intake:register": _("Registration of a client"),
    "intake:registered": _("Registration: result"),
    "intake:lifecycle": _("Trajectory steps"),
    "intake:phase_move": _("Trajectory: next phase"),
    "intake:close": _("Trajectory: close"),
    "intake:closed": _("Closed trajectories"),
    "intake:resume": _("Trajectory: resume"),
    # agenda and registers
    "agenda:day": _("Agenda: day"),
    "agenda:week": _("Agenda: week"),
    "agenda:plan": _("Appointment: plan"),
    "agenda:confirm": _("Appointment: took place"),
    "agenda:no_show": _("Appointment: client did not come"),
    "agenda:cancel": _("Appointment: cancel"),
    "agenda:feed": _("Calendar feed"),
    "agenda:feed_create": _("Calendar feed: create"),
    "agenda:feed_revoke": _("Calendar feed: revoke"),
    "registers:home": _("Registers"),
    "registers:group_new": _("Group session form"),
    "registers:session": _("Group session"),
    "registers:class": _("Class register"),
    "registers:class_new": _("Class: new"),
    "registers:class_lesson": _("Class: lesson"),
    "registers:class_pupil_add": _("Class: add a pupil"),
    "registers:class_pupil_remove": _("Class: remove a pupil"),
    "registers:absence_report": _("Absence reported to the attendance officer"),
    # funding, messages and reports
    "funding:overview": _("Funding overview"),
    "funding:alerts": _("Funding alerts"),
    "funding:alert_acknowledge": _("Funding alert: acknowledge"),
    "funding:mosaic": _("Funding mosaic"),
    "funding:allocation_new": _("Allocation: register"),
    "funding:allocation_detail": _("Allocation"),
    "funding:allocation_change": _("Allocation: change"),
    "funding:allocation_replace": _("Allocation: replace"),
    "pools:list": _("Pooled budgets"),
    "pools:detail": _("Pooled budget"),
    "pools:enrolment_exit": _("Pooled budget: end a client's part"),
    "pools:basis_new": _("Pooled budget: record a legal basis"),
    "pools:funder_export": _("Pooled budget: export of a funder's share"),
    "workday:clients": _("Client search (manager)"),
    "exchange:messages": _("Messages"),
    "exchange:message_detail": _("Message"),
    "exchange:message_file": _("Message file download"),
    "exchange:messages_fetch": _("Messages: receive"),
    "exchange:messages_upload": _("Messages: upload"),
    "exchange:waiting": _("Waiting allocations"),
    "exchange:waiting_link": _("Waiting allocation: link to a client"),
    "exchange:waiting_dismiss": _("Waiting allocation: dismiss"),
    "exchange:requests": _("Allocation requests"),
    "exchange:request_new": _("Allocation request: send"),
    "exchange:request_change": _("Allocation request: change"),
    "exchange:deliveries": _("Start and stop of care"),
    "exchange:delivery_remove": _("Start and stop of care: remove"),
    "zvw:route": _("Zvw route"),
    "zvw:typing": _("Zvw route: care-demand typing"),
    "zvw:participant_add": _("Zvw route: practitioner present"),
    "zvw:declarations": _("Insurer declarations"),
    "zvw:declaration": _("Insurer declaration"),
    "zvw:declaration_approve": _("Insurer declaration: approve"),
    "zvw:declaration_export": _("Insurer declaration: export"),
    "zvw:declaration_answer": _("Insurer declaration: answer"),
    "zvw:rejected": _("Insurer declarations: rejected lines"),
    "zvw:resolve": _("Insurer declarations: rejected line handled"),
    "exchange:declarations": _("Declarations"),
    "exchange:declarations_rejected": _("Declarations: rejected"),
    "exchange:declaration_detail": _("Declaration"),
    "reports:list": _("Reports"),
    "reports:status": _("Report: progress"),
    "reports:download": _("Report download"),
    # the privacy officer
    "audit:home": _("Privacy officer: start page"),
    "audit:break_glass_review": _("Emergency access: review"),
    "audit:client_history": _("Privacy officer: history and access log"),
    "audit:client_access_report": _("Privacy officer: overview for the client"),
    # the API
    "api:me": _("API: own account"),
    "api:client-list": _("API: my clients"),
    "api:client-detail": _("API: client"),
    "api:client-activities": _("API: activities of a client"),
    "api:client-goals": _("API: goals of a client"),
    "api:trajectory-detail": _("API: trajectory"),
    "api:goal-detail": _("API: goal"),
    "api:activity-detail": _("API: activity"),
    "api:activity-cancel": _("API: cancel an activity"),
    "api:allocation-list": _("API: allocations"),
    "api:allocation-detail": _("API: allocation"),
    "api:allocation-replace": _("API: replace an allocation"),
    "api:alert-list": _("API: funding alerts"),
    "api:alert-acknowledge": _("API: acknowledge a funding alert"),
    "api:funder-list": _("API: funders"),
    "api:funder-detail": _("API: funder"),
    "api:contract-list": _("API: contracts"),
    "api:contract-detail": _("API: contract"),
    "api:pool-list": _("API: pooled budgets"),
    "api:pool-detail": _("API: pooled budget"),
    "api:pool-funder-shares": _("API: a funder's share of a pooled budget"),
    "api:report-list": _("API: reports"),
    "api:report-detail": _("API: report"),
    "api:report-download": _("API: report download"),
    "api:message-list": _("API: messages"),
    "api:message-detail": _("API: message"),
    "api:message-file": _("API: message file download"),
    "api:message-import": _("API: message upload"),
}

# Pages that never read or change a client's record and never write to the access log:
# the test of the labels leaves them out.
NOT_LOGGED = frozenset({"healthz", "set_language", "session_keepalive", "api:schema", "api:docs"})

# Reads that a page repeats while one form is being filled in (the live funding preview posts
# on every change): the log keeps the first of a series (services.REPEAT_WINDOW).
REPEATED_READS = frozenset({"clients:activity_preview"})

WRITE_EVENTS = frozenset({"create", "change", "delete"})


def page_label(view_name: str) -> str:
    """The page in words; an unlabelled URL name readably ("records: copy request")."""
    label = PAGE_LABELS.get(view_name)
    if label is not None:
        return str(label)
    namespace, _sep, name = view_name.rpartition(":")
    words = name.replace("_", " ").replace("-", " ").strip()
    if not words:
        return view_name
    return f"{namespace}: {words}" if namespace else words.capitalize()


def _object_label(object_type: str) -> str:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


def entry_what(entry: AccessLogEntry) -> str:
    """What an entry is about, in the reader's language.

    A change names the part of the record it changed ("Activity"); a read names the page
    ("Client page"); an entry from before the URL name was kept shows the text it was written
    with.
    """
    if entry.event in WRITE_EVENTS and entry.object_type:
        return _object_label(entry.object_type)
    if entry.view_name:
        return page_label(entry.view_name)
    if entry.event == "permission_change":  # access follows care-team membership
        return str(PAGE_LABELS["clients:care_team"])
    if entry.detail:
        return entry.detail[:1].upper() + entry.detail[1:]
    return gettext("not recorded")
