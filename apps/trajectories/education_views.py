"""The school placement (teachers and caseworkers) and the employment (job coaches and
caseworkers) of a client: read by whoever sees the lane, changed by the care team only."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.audit.models import AccessBasis
from apps.core.domains import Domain
from apps.core.views import service_refusals

from .access import ClientAccess, client_open_for
from .education import (
    employment_end,
    employment_register,
    employments_for,
    samenwerkingsverbanden,
    school_placement_end,
    school_placement_register,
    school_placements_for,
)
from .forms import EmploymentForm, EndDateForm, SchoolPlacementForm
from .selectors import trajectory_open_for_client


def _reads(lane: str):
    return lambda access: lane in access.lanes


def _changes(lane: str):
    """The care team records a placement or a job in its own lane; emergency access and the
    manager's figures do not."""

    def require(access: ClientAccess) -> bool:
        return access.basis == AccessBasis.CARE_TEAM and access.may_log and lane in access.lanes

    return require


def _may_change(access: ClientAccess, lane: str) -> bool:
    return _changes(lane)(access)


@require_http_methods(["GET", "POST"])
def school_placements(request: HttpRequest, pk: int) -> HttpResponse:
    """The pupil's schools and their funding basis; a teacher or caseworker adds one."""
    lane = Domain.EDUCATION
    posting = request.method == "POST"
    client, access = client_open_for(
        user=request.user,
        pk=pk,
        what="school placements",
        require=_changes(lane) if posting else _reads(lane),
    )
    trajectory = trajectory_open_for_client(client=client)
    form = SchoolPlacementForm(
        request.POST if posting else None,
        samenwerkingsverbanden=samenwerkingsverbanden(),
        initial={"start": timezone.localdate()},
    )
    if posting and trajectory is None:
        messages.error(request, _("This client has no open trajectory: open one first."))
    elif posting and form.is_valid():
        with service_refusals(request, form=form):
            school_placement_register(
                trajectory=trajectory, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("The school placement is saved."))
            return redirect("clients:school_placements", pk=client.pk)
    return render(
        request,
        "clients/school_placements.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "placements": school_placements_for(trajectory=trajectory) if trajectory else [],
            "form": form if _may_change(access, lane) and trajectory else None,
            "end_form": EndDateForm(initial={"end": timezone.localdate()}),
        },
    )


@require_POST
def school_placement_finish(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    client, _access = client_open_for(
        user=request.user,
        pk=pk,
        what="school placements",
        require=_changes(Domain.EDUCATION),
    )
    trajectory = trajectory_open_for_client(client=client)
    placement = trajectory.school_placements.filter(pk=placement_pk).first() if trajectory else None
    if placement is None:
        raise Http404
    form = EndDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the end date as a date."))
    else:
        with service_refusals(request):
            school_placement_end(
                placement=placement, end=form.cleaned_data["end"], actor=request.user
            )
            messages.success(request, _("The school placement is ended."))
    return redirect("clients:school_placements", pk=client.pk)


@require_http_methods(["GET", "POST"])
def employments(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's jobs; a job coach or caseworker records one (the UWV's job coaching
    rests on it)."""
    lane = Domain.WORK
    posting = request.method == "POST"
    client, access = client_open_for(
        user=request.user,
        pk=pk,
        what="employments",
        require=_changes(lane) if posting else _reads(lane),
    )
    trajectory = trajectory_open_for_client(client=client)
    form = EmploymentForm(
        request.POST if posting else None, initial={"start": timezone.localdate()}
    )
    if posting and trajectory is None:
        messages.error(request, _("This client has no open trajectory: open one first."))
    elif posting and form.is_valid():
        with service_refusals(request, form=form):
            employment_register(trajectory=trajectory, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The employment is saved."))
            return redirect("clients:employments", pk=client.pk)
    return render(
        request,
        "clients/employments.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "employments": employments_for(trajectory=trajectory) if trajectory else [],
            "form": form if _may_change(access, lane) and trajectory else None,
            "end_form": EndDateForm(initial={"end": timezone.localdate()}),
        },
    )


@require_POST
def employment_finish(request: HttpRequest, pk: int, employment_pk: int) -> HttpResponse:
    client, _access = client_open_for(
        user=request.user, pk=pk, what="employments", require=_changes(Domain.WORK)
    )
    trajectory = trajectory_open_for_client(client=client)
    employment = trajectory.employments.filter(pk=employment_pk).first() if trajectory else None
    if employment is None:
        raise Http404
    form = EndDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the end date as a date."))
    else:
        with service_refusals(request):
            employment_end(employment=employment, end=form.cleaned_data["end"], actor=request.user)
            messages.success(request, _("The employment is ended."))
    return redirect("clients:employments", pk=client.pk)
