"""The meldcode and the reports to the inspectorate of one client: the care team's pages.

Every page goes through ``meldcode_client_open_for`` (404, logged, for anyone outside the care
team; the read logged for the team), binds a form and calls a service."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.views import service_refusals

from .forms import (
    InspectorateReportForm,
    InspectorateTimelineForm,
    MeldcodeCloseForm,
    MeldcodeFollowUpForm,
    MeldcodeReportForm,
    MeldcodeStepForm,
    MeldcodeTrackOpenForm,
)
from .meldcode import (
    inspectorate_report_record,
    inspectorate_report_update,
    meldcode_follow_up_record,
    meldcode_report_record,
    meldcode_step_record,
    meldcode_track_close,
    meldcode_track_open,
)
from .meldcode_rules import FOLLOW_UP_DAYS, REPORT_STALL_DAYS, STEP_STALL_DAYS
from .models import MeldcodeStep
from .selectors import (
    inspectorate_report_of,
    inspectorate_reports_of,
    inspectorate_timeline,
    meldcode_client_open_for,
    meldcode_track_of,
    meldcode_tracks_of,
)

# --- the tracks ----------------------------------------------------------------------------------


def _tracks_page(request, client, access, *, form=None, status=200):
    today = timezone.localdate()
    return render(
        request,
        "safety/meldcode.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "states": meldcode_tracks_of(client=client, today=today),
            "form": form or MeldcodeTrackOpenForm(initial={"opened_on": today}),
            "stall_days": STEP_STALL_DAYS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def meldcode_tracks(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's meldcode tracks, and a form to open one."""
    client, access = meldcode_client_open_for(user=request.user, pk=pk, what="meldcode")
    if request.method == "GET":
        return _tracks_page(request, client, access)
    form = MeldcodeTrackOpenForm(request.POST)
    if form.is_valid():
        with service_refusals(request, form=form):
            track = meldcode_track_open(client=client, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The meldcode track is opened. Record the signals."))
            return redirect("safety:meldcode_track", pk=client.pk, track_pk=track.pk)
    return _tracks_page(request, client, access, form=form)


def _track_page(request, client, access, track_pk, **forms):
    today = timezone.localdate()
    state = meldcode_track_of(user=request.user, client=client, track_pk=track_pk, today=today)
    next_step = state.next_step
    context = {
        "client": client,
        "display_name": access.name_of(client),
        "state": state,
        "track": state.track,
        "step_rows": [
            (number, label, state.steps.get(number)) for number, label in MeldcodeStep.choices
        ],
        "stall_days": STEP_STALL_DAYS,
        "report_days": REPORT_STALL_DAYS,
        "follow_up_days": FOLLOW_UP_DAYS,
        "step_form": forms.get("step_form")
        or (
            MeldcodeStepForm(step=next_step, initial={"date": today})
            if next_step is not None
            else None
        ),
        "next_step_label": MeldcodeStep(next_step).label if next_step else "",
        "report_form": forms.get("report_form")
        or MeldcodeReportForm(initial={"reported_on": today}),
        "follow_up_form": forms.get("follow_up_form")
        or MeldcodeFollowUpForm(initial={"date": today}),
        "close_form": forms.get("close_form") or MeldcodeCloseForm(initial={"closed_on": today}),
    }
    return render(request, "safety/meldcode_track.html", context)


@require_http_methods(["GET"])
def meldcode_track(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    """One track: its steps so far, the next step's form, the report, the follow-up."""
    client, access = meldcode_client_open_for(user=request.user, pk=pk, what="meldcode track")
    return _track_page(request, client, access, track_pk)


@require_POST
def meldcode_step(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    client, access = meldcode_client_open_for(user=request.user, pk=pk, what="meldcode track")
    state = meldcode_track_of(
        user=request.user, client=client, track_pk=track_pk, today=timezone.localdate()
    )
    if state.next_step is None:
        messages.error(request, _("All five steps of this track are recorded."))
        return redirect("safety:meldcode_track", pk=client.pk, track_pk=track_pk)
    form = MeldcodeStepForm(request.POST, step=state.next_step)
    if form.is_valid():
        with service_refusals(request, form=form):
            meldcode_step_record(
                track=state.track, step=state.next_step, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("The step is recorded."))
            return redirect("safety:meldcode_track", pk=client.pk, track_pk=track_pk)
    return _track_page(request, client, access, track_pk, step_form=form)


def _track_form_post(request, pk, track_pk, form_class, form_name, service, done):
    client, access = meldcode_client_open_for(user=request.user, pk=pk, what="meldcode track")
    state = meldcode_track_of(
        user=request.user, client=client, track_pk=track_pk, today=timezone.localdate()
    )
    form = form_class(request.POST)
    if form.is_valid():
        with service_refusals(request, form=form):
            service(track=state.track, actor=request.user, **form.cleaned_data)
            messages.success(request, done)
            return redirect("safety:meldcode_track", pk=client.pk, track_pk=track_pk)
    return _track_page(request, client, access, track_pk, **{form_name: form})


@require_POST
def meldcode_report(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    return _track_form_post(
        request,
        pk,
        track_pk,
        MeldcodeReportForm,
        "report_form",
        meldcode_report_record,
        _("The report to Veilig Thuis is recorded."),
    )


@require_POST
def meldcode_follow_up(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    return _track_form_post(
        request,
        pk,
        track_pk,
        MeldcodeFollowUpForm,
        "follow_up_form",
        meldcode_follow_up_record,
        _("The follow-up is recorded."),
    )


@require_POST
def meldcode_close(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    return _track_form_post(
        request,
        pk,
        track_pk,
        MeldcodeCloseForm,
        "close_form",
        meldcode_track_close,
        _("The meldcode track is closed."),
    )


# --- reports to the inspectorate -----------------------------------------------------------------


def _reports_page(request, client, access, *, form=None):
    today = timezone.localdate()
    return render(
        request,
        "safety/inspectorate.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "timelines": inspectorate_reports_of(client=client, today=today),
            "form": form or InspectorateReportForm(initial={"discovered_on": today}),
        },
    )


@require_http_methods(["GET", "POST"])
def inspectorate_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's calamity and violence reports to the inspectorate, and a form for one."""
    client, access = meldcode_client_open_for(user=request.user, pk=pk, what="inspectorate reports")
    if request.method == "GET":
        return _reports_page(request, client, access)
    form = InspectorateReportForm(request.POST)
    if form.is_valid():
        with service_refusals(request, form=form):
            report = inspectorate_report_record(
                client=client, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("The report to the inspectorate is recorded."))
            return redirect("safety:inspectorate_report", pk=client.pk, report_pk=report.pk)
    return _reports_page(request, client, access, form=form)


@require_http_methods(["GET", "POST"])
def inspectorate_report(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """One report's timeline, and a form to bring it up to date."""
    client, access = meldcode_client_open_for(user=request.user, pk=pk, what="inspectorate report")
    report = inspectorate_report_of(user=request.user, client=client, report_pk=report_pk)
    fields = (
        "reported_on",
        "igj_reference",
        "investigation_due",
        "investigation_sent_on",
        "closed_on",
    )
    form = InspectorateTimelineForm(
        request.POST or None, initial={name: getattr(report, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            inspectorate_report_update(report=report, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The timeline is saved."))
            return redirect("safety:inspectorate_report", pk=client.pk, report_pk=report.pk)
        report.refresh_from_db()
    versions = list(
        report.history.select_related("history_user").order_by("history_date", "history_id")
    )
    return render(
        request,
        "safety/inspectorate_report.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "timeline": inspectorate_timeline(report, today=timezone.localdate()),
            "form": form,
            "versions": versions,
        },
    )
