"""The safety notices of a client: a caseworker of the care team sets, changes and ends them."""

from collections import defaultdict

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Role
from apps.audit.models import AccessBasis
from apps.core.views import service_refusals
from apps.trajectories.access import client_open_for

from .forms import SafetyNoticeChangeForm, SafetyNoticeEndForm, SafetyNoticeForm
from .models import SafetyNotice
from .services import safety_notice_change, safety_notice_end, safety_notice_set


def _keeps_notices(access) -> bool:
    return access.basis == AccessBasis.CARE_TEAM and access.acting_role == Role.CASEWORKER


def _open(request, pk: int, what: str):
    return client_open_for(user=request.user, pk=pk, what=what, require=_keeps_notices)


def _notice_of(client, notice_pk: int) -> SafetyNotice:
    notice = SafetyNotice.objects.filter(pk=notice_pk, client=client).first()
    if notice is None:
        raise Http404
    return notice


def _page(request, client, access, *, form=None, status=200):
    notices = list(SafetyNotice.objects.filter(client=client).select_related("set_by"))
    today = timezone.localdate()
    versions = defaultdict(list)  # every notice's history in one query
    for version in (
        SafetyNotice.history.filter(id__in=[notice.pk for notice in notices])
        .select_related("history_user")
        .order_by("history_date", "pk")
    ):
        versions[version.id].append(version)
    for notice in notices:
        notice.in_force = notice.start <= today and (notice.end is None or notice.end >= today)
        notice.versions = versions[notice.pk]
    return render(
        request,
        "safety/notices.html",
        {
            "client": client,
            "access": access,
            "display_name": access.name_of(client),
            "notices": notices,
            "form": form or SafetyNoticeForm(initial={"start": today}),
            "end_form": SafetyNoticeEndForm(initial={"end": today}),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def safety_notices(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's safety notices, and a form to set a new one."""
    client, access = _open(request, pk, "safety notices")
    if request.method == "GET":
        return _page(request, client, access)
    form = SafetyNoticeForm(request.POST)
    if form.is_valid():
        with service_refusals(request, form=form):
            safety_notice_set(client=client, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The safety notice is set."))
            return redirect("clients:detail", pk=client.pk)
    return _page(request, client, access, form=form)


@require_http_methods(["GET", "POST"])
def safety_notice_change_view(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    client, access = _open(request, pk, "safety notices")
    notice = _notice_of(client, notice_pk)
    form = SafetyNoticeChangeForm(
        request.POST or None,
        initial={"text": notice.text, "start": notice.start, "end": notice.end},
    )
    if request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            safety_notice_change(notice=notice, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The safety notice is changed."))
            return redirect("safety:notices", pk=client.pk)
    return render(
        request,
        "safety/notice_change.html",
        {"client": client, "display_name": access.name_of(client), "form": form, "notice": notice},
    )


@require_POST
def safety_notice_end_view(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    client, _access = _open(request, pk, "safety notices")
    notice = _notice_of(client, notice_pk)
    form = SafetyNoticeEndForm(request.POST)
    if form.is_valid():
        with service_refusals(request):
            safety_notice_end(notice=notice, actor=request.user, end=form.cleaned_data["end"])
            messages.success(request, _("The safety notice is ended."))
    else:
        messages.error(request, _("Give the day the notice ends."))
    return redirect("safety:notices", pk=client.pk)
