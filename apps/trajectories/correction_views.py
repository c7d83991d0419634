"""An activity's own page, and correcting or cancelling it with a reason (docs/corrections.md).

The client through ``client_open_for`` (decided and logged), the activity within it and in a
lane the user sees; the writes through ``activity_correct`` / ``activity_cancel``, which decide
the funding again. Apps above may refuse a change first (``activity_change_asked``: the
message exchange for care already declared to a municipality).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.views import service_refusals

from .access import ClientAccess, client_open_for
from .corrections import activity_may_change, activity_versions
from .forms import ActivityCancelForm, ActivityCorrectForm
from .models import Activity, ActivityStatus
from .selectors import activity_list_for_client, goal_list_for_client
from .services import ACTIVITY_CORRECTABLE_FIELDS, activity_cancel, activity_correct
from .signals import activity_change_refusals


def _open_activity(request: HttpRequest, pk: int, activity_pk: int, *, what: str, change=False):
    """The client (logged) and one of its activities in a lane the user sees; 404 when the
    activity is not the client's, 403 (logged as refused) when its lane is not the user's or
    the user may not change it."""
    activity = (
        Activity.objects.filter(pk=activity_pk, trajectory__client_id=pk)
        .only("pk", "domain", "performed_by_id")
        .first()
    )

    def allowed(access: ClientAccess) -> bool:
        if activity is None or activity.domain not in access.lanes:
            return False
        return not change or activity_may_change(
            user=request.user, access=access, activity=activity
        )

    client, access = client_open_for(user=request.user, pk=pk, what=what, require=allowed)
    activity = (
        activity_list_for_client(client=client, lanes=access.lanes)
        .select_related("trajectory", "priced_product", "pilot_product")
        .filter(pk=activity_pk)
        .first()
    )
    if activity is None:  # pragma: no cover - decided above
        raise Http404
    return client, access, activity


def _without_tick_unless_asked(form, activity, user):
    """The "change the declared claim" tick only where an app above holds the activity back."""
    if not activity_change_refusals(activity=activity, actor=user):
        form.fields.pop("declared_confirmed", None)
    return form


def _detail_page(request, client, access, activity, *, cancel_form=None, status=200):
    may_change = activity_may_change(user=request.user, access=access, activity=activity)
    recorded = activity.status == ActivityStatus.RECORDED
    if cancel_form is None and may_change and recorded:
        cancel_form = _without_tick_unless_asked(
            ActivityCancelForm(auto_id="id_cancel_%s"), activity, request.user
        )
    return render(
        request,
        "clients/activity_detail.html",
        {
            "client": client,
            "access": access,
            "display_name": access.name_of(client),
            "activity": activity,
            "versions": activity_versions(activity=activity, access=access),
            "may_change": may_change and recorded,
            "cancel_form": cancel_form,
        },
        status=status,
    )


@require_http_methods(["GET"])
def activity_detail(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """What was logged, by whom, its funding and why, and its versions."""
    client, access, activity = _open_activity(request, pk, activity_pk, what="activity")
    return _detail_page(request, client, access, activity)


def _initial(activity: Activity) -> dict:
    initial = {name: getattr(activity, name) for name in ACTIVITY_CORRECTABLE_FIELDS}
    initial["goal"] = activity.goal_id
    initial["domain"] = activity.domain
    return initial


def _changes(form: ActivityCorrectForm, activity: Activity) -> dict:
    changes = {}
    for name in ACTIVITY_CORRECTABLE_FIELDS & set(form.fields):
        value = form.cleaned_data.get(name)
        if isinstance(value, str):
            value = value.strip()
        current = getattr(activity, name)
        if name == "goal":
            same = (value.pk if value else None) == activity.goal_id
        else:
            same = (value if value not in (None, "") else None) == (
                current if current not in (None, "") else None
            )
        if not same:
            changes[name] = "" if value is None and name in _TEXT_FIELDS else value
    return changes


_TEXT_FIELDS = {"note", "attendance", "subject", "assessment", "milestone", "expected_funding"}


@require_http_methods(["GET", "POST"])
def activity_correct_view(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """Correct an activity with a reason; the funding is decided again."""
    client, access, activity = _open_activity(
        request, pk, activity_pk, what="correct an activity", change=True
    )
    if activity.status == ActivityStatus.CANCELLED:
        messages.error(request, _("A cancelled activity cannot be corrected."))
        return redirect("clients:activity_detail", pk=client.pk, activity_pk=activity.pk)
    form = ActivityCorrectForm(
        request.POST or None,
        activity=activity,
        goals=goal_list_for_client(client=client, lanes={activity.domain}).filter(status="open")
        | goal_list_for_client(client=client, lanes={activity.domain}).filter(
            pk=activity.goal_id or 0
        ),
        sees_notes=access.sees_notes,
        sees_funding=access.sees_funding,
        initial=_initial(activity),
    )
    _without_tick_unless_asked(form, activity, request.user)
    if request.method == "POST" and form.is_valid():
        changes = _changes(form, activity)
        refusals = activity_change_refusals(
            activity=activity,
            actor=request.user,
            confirmed=form.cleaned_data.get("declared_confirmed", False),
        )
        if not changes:
            form.add_error(None, _("Nothing is changed: change a field, or go back."))
        elif refusals:
            form.add_error(None, refusals)
        else:
            with service_refusals(request, form=form):
                activity = activity_correct(
                    activity=activity,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    **changes,
                )
                if access.sees_funding:
                    message = _("The activity is corrected. %(funding)s") % {
                        "funding": activity.funding_reason_text
                    }
                else:
                    message = _("The activity is corrected.")
                messages.success(request, message)
                return redirect("clients:activity_detail", pk=client.pk, activity_pk=activity.pk)
    return render(
        request,
        "clients/activity_correct.html",
        {
            "client": client,
            "access": access,
            "display_name": access.name_of(client),
            "activity": activity,
            "form": form,
        },
    )


@require_POST
def activity_cancel_view(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """Cancel an activity with a reason (nothing is deleted); its units go back."""
    client, access, activity = _open_activity(
        request, pk, activity_pk, what="cancel an activity", change=True
    )
    form = _without_tick_unless_asked(
        ActivityCancelForm(request.POST, auto_id="id_cancel_%s"), activity, request.user
    )
    if activity.status == ActivityStatus.CANCELLED:
        messages.error(request, _("This activity is already cancelled."))
        return redirect("clients:activity_detail", pk=client.pk, activity_pk=activity.pk)
    if form.is_valid():
        refusals = activity_change_refusals(
            activity=activity,
            actor=request.user,
            confirmed=form.cleaned_data.get("declared_confirmed", False),
        )
        if refusals:
            form.add_error(None, refusals)
        else:
            with service_refusals(request, form=form):
                activity_cancel(
                    activity=activity, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The activity is cancelled."))
                return redirect("clients:activity_detail", pk=client.pk, activity_pk=activity.pk)
    return _detail_page(request, client, access, activity, cancel_form=form, status=400)
