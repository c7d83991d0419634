"""The agenda pages: my week, my day, planning with a client, confirming, the calendar feed."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import VIEW_MY_CLIENTS, may
from apps.accounts.redirects import safe_next_url
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record
from apps.core.domains import Domain
from apps.core.views import service_refusals
from apps.trajectories.access import client_open_for
from apps.trajectories.selectors import trajectory_open_for_client

from .forms import AppointmentForm, DayForm
from .models import Appointment, CalendarFeed
from .rows import appointment_rows
from .selectors import appointments_for_worker, appointments_for_worker_between, week_of
from .services import (
    appointment_cancel,
    appointment_confirm,
    appointment_no_show,
    appointment_plan,
    calendar_feed_create,
    calendar_feed_find,
    calendar_feed_read,
    calendar_feed_revoke,
    default_kind,
    may_plan,
)


def _agenda_user(request: HttpRequest) -> None:
    if not may(request.user, VIEW_MY_CLIENTS):
        raise Http404


def _day_asked(request: HttpRequest) -> date:
    form = DayForm(request.GET)
    return (form.cleaned_data["date"] if form.is_valid() else None) or timezone.localdate()


@require_GET
def week(request: HttpRequest) -> HttpResponse:
    """My week: Monday to Sunday, with the previous and next week; the calendar feed."""
    _agenda_user(request)
    monday, sunday = week_of(_day_asked(request))
    rows = appointment_rows(
        request,
        appointments_for_worker_between(user=request.user, first=monday, last=sunday),
        what="agenda",
    )
    days = [
        (
            monday + timedelta(days=n),
            [r for r in rows if r["appointment"].date == monday + timedelta(days=n)],
        )
        for n in range(7)
    ]
    return render(
        request,
        "agenda/week.html",
        {
            "days": days,
            "monday": monday,
            "sunday": sunday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "today": timezone.localdate(),
            "feed": CalendarFeed.objects.active().filter(user=request.user).first(),
            "here": request.get_full_path(),
        },
    )


@require_GET
def day(request: HttpRequest) -> HttpResponse:
    """My day, with the previous and next day."""
    _agenda_user(request)
    shown = _day_asked(request)
    return render(
        request,
        "agenda/day.html",
        {
            "day": shown,
            "rows": appointment_rows(
                request, appointments_for_worker(user=request.user, day=shown), what="agenda"
            ),
            "previous": shown - timedelta(days=1),
            "next": shown + timedelta(days=1),
            "today": timezone.localdate(),
            "here": request.get_full_path(),
        },
    )


@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan an appointment with a client, in a lane the user logs in."""
    client, access = client_open_for(
        user=request.user, pk=pk, what="plan an appointment", require=may_plan
    )
    trajectory = trajectory_open_for_client(client=client)
    lanes = [d.value for d in Domain if d.value in access.lanes]
    lane = request.GET.get("lane") if request.GET.get("lane") in lanes else lanes[0]
    form = AppointmentForm(
        request.POST or None,
        lanes=lanes,
        initial={
            "domain": lane,
            "kind": default_kind(trajectory=trajectory, domain=lane),
            "date": timezone.localdate(),
        },
    )
    if trajectory is None:
        messages.error(request, _("This client has no open trajectory: open one first."))
    elif request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            appointment = appointment_plan(
                trajectory=trajectory, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("The appointment is planned."))
            return redirect(reverse("agenda:week") + f"?date={appointment.date.isoformat()}")
    return render(
        request,
        "agenda/plan.html",
        {"client": client, "access": access, "display_name": access.name_of(client), "form": form},
    )


def _appointment_opened(request: HttpRequest, pk: int, what: str):
    """The user's own appointment and its client's access (both reads logged), or 404."""
    appointment = Appointment.objects.select_related("trajectory__client").filter(pk=pk).first()
    if appointment is None or appointment.worker_id != request.user.pk:
        access_log_record(
            user=request.user,
            event=AccessEvent.VIEW,
            basis=AccessBasis.NONE,
            outcome=AccessOutcome.REFUSED,
            client=appointment.trajectory.client if appointment else None,
            detail=what,
        )
        raise Http404
    _client, access = client_open_for(
        user=request.user,
        pk=appointment.trajectory.client_id,
        what=what,
        require=lambda access: may_plan(access, appointment.domain),
    )
    return appointment, access


def _back(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    """Back to the page the button was on (the day page, the agenda), else the day's agenda."""
    day = reverse("agenda:day") + f"?date={appointment.date.isoformat()}"
    return redirect(safe_next_url(request, default=day))


@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """It took place: one click logs it as an activity; the funding outcome is shown."""
    appointment, access = _appointment_opened(request, pk, "confirm an appointment")
    with service_refusals(request):
        activity = appointment_confirm(appointment=appointment, actor=request.user)
        if access.sees_funding:
            messages.success(
                request,
                _("Confirmed and logged as an activity. %(funding)s")
                % {"funding": activity.funding_reason_text},
            )
        else:
            messages.success(request, _("Confirmed and logged as an activity."))
    return _back(request, appointment)


@require_POST
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    """The client did not come: recorded as an absence, never billed."""
    appointment, _access = _appointment_opened(request, pk, "no-show of an appointment")
    with service_refusals(request):
        appointment_no_show(appointment=appointment, actor=request.user)
        messages.success(request, _("Recorded as a no-show; nothing is billed."))
    return _back(request, appointment)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, _access = _appointment_opened(request, pk, "cancel an appointment")
    with service_refusals(request):
        appointment_cancel(appointment=appointment, actor=request.user)
        messages.success(request, _("The appointment is cancelled."))
    return _back(request, appointment)


@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    """A new calendar feed; its address is shown on this page once, never again."""
    _agenda_user(request)
    _feed, secret = calendar_feed_create(user=request.user, actor=request.user)
    url = request.build_absolute_uri(reverse("agenda:feed", kwargs={"secret": secret}))
    return render(request, "agenda/feed_created.html", {"url": url})


@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    _agenda_user(request)
    if calendar_feed_revoke(user=request.user, actor=request.user):
        messages.success(request, _("The calendar feed is revoked; its address no longer works."))
    return redirect("agenda:week")


@login_not_required
@require_GET
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The calendar feed (no login: the secret in the address is the key); 404 when unknown
    or revoked. Every read is logged."""
    found = calendar_feed_find(secret=secret)
    if found is None:
        raise Http404
    response = HttpResponse(
        calendar_feed_read(feed=found), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    return response
