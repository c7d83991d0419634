"""Registering a client; the trajectory's lifecycle page; reopening a closed trajectory."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.permissions import REGISTER_CLIENT, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.clients.representation import decision_makers
from apps.core.views import service_refusals
from apps.trajectories.access import client_access_for, client_open_for, sees_identity_of
from apps.trajectories.models import Trajectory, TrajectoryPhase
from apps.trajectories.selectors import care_team_for_client, trajectory_open_for_client

from .forms import CloseForm, PhaseMoveForm, RegistrationForm, ResumeForm
from .selectors import (
    closed_trajectories_for_user,
    phase_steps_for_client,
    referral_for_client,
    representatives_for_client,
)
from .services import (
    NEXT_PHASE,
    PHASE_MOVES,
    DuplicateClient,
    client_register,
    may_resume,
    reopen_until,
    trajectory_finish,
    trajectory_phase_move,
    trajectory_resume,
)


def _role_refused(request: HttpRequest, what: str):
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        detail=what,
    )
    raise Http404


def _on_care_team_as_caseworker(access) -> bool:
    return access.may_change_care_team


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Register a client on one page; the trajectory opens in its registration phase."""
    if not may(request.user, REGISTER_CLIENT):
        _role_refused(request, "client registration")
    organisation = request.user.organisation
    form = RegistrationForm(request.POST or None, organisation=organisation, user=request.user)
    duplicate_url = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_refusals(request, form=form):
            try:
                trajectory = client_register(
                    organisation=organisation,
                    actor=request.user,
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    pseudonym=data["pseudonym"],
                    date_of_birth=data["date_of_birth"],
                    bsn=data["bsn"],
                    shielded=data["shielded"],
                    street_and_number=data["street_and_number"],
                    postcode=data["postcode"],
                    place=data["place"],
                    municipality=data["municipality"],
                    in_residential_stay=data["in_residential_stay"],
                    municipality_before_stay=data["municipality_before_stay"],
                    representatives=form.representatives(),
                    referral=form.referral(),
                    start=data["start"],
                    lead_caseworker=data["lead_caseworker"],
                    teacher=data["teacher"],
                    job_coach=data["job_coach"],
                )
            except DuplicateClient as duplicate:
                duplicate_url = reverse("clients:detail", kwargs={"pk": duplicate.client_pk})
                raise
            client = trajectory.client
            messages.success(
                request,
                _("%(name)s is registered as client %(number)s.")
                % {"name": data["pseudonym"], "number": client.client_number},
            )
            if client_access_for(user=request.user, client=client) is not None:
                return redirect("intake:registered", pk=client.pk)
            return redirect("intake:register")
    return render(request, "intake/register.html", {"form": form, "duplicate_url": duplicate_url})


@require_http_methods(["GET"])
def registered(request: HttpRequest, pk: int) -> HttpResponse:
    """The registration's result: the client number, who decides, the referral, the team."""
    client, access = client_open_for(
        user=request.user, pk=pk, what="registration result", require=_on_care_team_as_caseworker
    )
    representatives = representatives_for_client(client=client)
    return render(
        request,
        "intake/registered.html",
        {
            "client": client,
            "access": access,
            "display_name": access.name_of(client),
            "representatives": representatives,
            "deciders": decision_makers(
                client, on=timezone.localdate(), representatives=representatives
            ),
            "referral": referral_for_client(client=client),
            "trajectory": trajectory_open_for_client(client=client),
            "care_team": care_team_for_client(client=client),
        },
    )


def _lifecycle_context(client, access, *, move_form=None, close_form=None) -> dict:
    trajectory = trajectory_open_for_client(client=client)
    moves = PHASE_MOVES[trajectory.phase] if trajectory else ()
    return {
        "client": client,
        "access": access,
        "display_name": access.name_of(client),
        "trajectory": trajectory,
        "steps": list(phase_steps_for_client(client=client)),
        "next_phase": NEXT_PHASE.get(trajectory.phase) if trajectory else None,
        "move_form": move_form
        or (PhaseMoveForm(phases=moves, initial=_next_initial(trajectory)) if moves else None),
        "close_form": close_form or (CloseForm() if trajectory else None),
    }


def _next_initial(trajectory) -> dict:
    return {"phase": NEXT_PHASE.get(trajectory.phase), "on": timezone.localdate()}


@require_http_methods(["GET"])
def lifecycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Every step of the client's trajectories with its date and who; the next step, closing."""
    client, access = client_open_for(
        user=request.user, pk=pk, what="trajectory lifecycle", require=_on_care_team_as_caseworker
    )
    return render(request, "intake/lifecycle.html", _lifecycle_context(client, access))


@require_POST
def phase_move(request: HttpRequest, pk: int) -> HttpResponse:
    client, access = client_open_for(
        user=request.user, pk=pk, what="trajectory phase", require=_on_care_team_as_caseworker
    )
    trajectory = trajectory_open_for_client(client=client)
    if trajectory is None:
        raise Http404
    form = PhaseMoveForm(request.POST, phases=PHASE_MOVES[trajectory.phase])
    if form.is_valid():
        with service_refusals(request, form=form):
            phase = TrajectoryPhase(form.cleaned_data["phase"])
            trajectory_phase_move(
                trajectory=trajectory, phase=phase, on=form.cleaned_data["on"], actor=request.user
            )
            messages.success(
                request, _("The trajectory is now in the phase %(phase)s.") % {"phase": phase.label}
            )
            return redirect("intake:lifecycle", pk=client.pk)
    return render(
        request,
        "intake/lifecycle.html",
        _lifecycle_context(client, access, move_form=form),
        status=400,
    )


@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    client, access = client_open_for(
        user=request.user, pk=pk, what="trajectory closing", require=_on_care_team_as_caseworker
    )
    trajectory = trajectory_open_for_client(client=client)
    if trajectory is None:
        raise Http404
    form = CloseForm(request.POST)
    if form.is_valid():
        with service_refusals(request, form=form):
            trajectory = trajectory_finish(
                trajectory=trajectory,
                end=form.cleaned_data["end"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
            messages.success(
                request,
                _("The trajectory of %(name)s is closed; it can be reopened until %(until)s.")
                % {
                    "name": access.name_of(client),
                    "until": date_format(reopen_until(trajectory), "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("intake:closed")
    return render(
        request,
        "intake/lifecycle.html",
        _lifecycle_context(client, access, close_form=form),
        status=400,
    )


@require_http_methods(["GET"])
def closed(request: HttpRequest) -> HttpResponse:
    """The closed trajectories the caseworker was on: reopen within the period, or start anew."""
    if not may(request.user, REGISTER_CLIENT):
        _role_refused(request, "closed trajectories")
    today = timezone.localdate()
    trajectories = list(closed_trajectories_for_user(user=request.user)[:100])
    access_log_record_many(
        user=request.user,
        clients=[t.client for t in trajectories],
        event=AccessEvent.VIEW,
        basis=AccessBasis.CARE_TEAM,
        detail="closed trajectories",
    )
    rows = [
        {
            "trajectory": t,
            # A former team member no longer sees a shielded client's name.
            "name": (
                t.client.full_name
                if sees_identity_of(t.client, on_care_team=False)
                else t.client.pseudonym
            ),
            "until": reopen_until(t),
            "reopens": today <= reopen_until(t),
        }
        for t in trajectories
    ]
    return render(
        request,
        "intake/closed.html",
        {"rows": rows, "today": today, "months": settings.TRAJECTORY_REOPEN_MONTHS},
    )


@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory = Trajectory.objects.select_related("client").filter(pk=pk).first()
    if trajectory is None or not may_resume(user=request.user, trajectory=trajectory):
        access_log_record(
            user=request.user,
            event=AccessEvent.CHANGE,
            basis=AccessBasis.NONE,
            outcome=AccessOutcome.REFUSED,
            client=trajectory.client if trajectory else None,
            detail="resume trajectory",
        )
        raise Http404
    form = ResumeForm(request.POST)
    if form.is_valid():
        with service_refusals(request):
            resumed = trajectory_resume(
                trajectory=trajectory, on=form.cleaned_data["on"], actor=request.user
            )
            messages.success(
                request,
                _("The trajectory is reopened.")
                if resumed.pk == trajectory.pk
                else _("A new trajectory is opened."),
            )
            return redirect("intake:lifecycle", pk=trajectory.client_id)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("intake:closed")
