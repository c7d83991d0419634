"""Setting, changing and ending a safety notice: a caseworker of the client's care team only."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write
from apps.clients.models import Client
from apps.core.errors import PermissionRefused
from apps.trajectories.access import client_access_for
from apps.trajectories.services import change_reason_clean

from .models import SAFETY_NOTICE_MAX_LENGTH, SafetyNotice


def safety_notice_may_keep(*, user: User, client: Client) -> bool:
    """A caseworker on the client's care team (not under emergency access: a notice lasts)."""
    access = client_access_for(user=user, client=client)
    return (
        access is not None
        and access.basis == AccessBasis.CARE_TEAM
        and access.acting_role == Role.CASEWORKER
    )


def _refuse_unless_keeper(actor: User, client: Client) -> None:
    if not safety_notice_may_keep(user=actor, client=client):
        raise PermissionRefused(
            _("Only a caseworker of the client's care team sets or changes a safety notice.")
        )


def _validate(notice: SafetyNotice) -> None:
    errors: dict[str, list[str]] = {}
    if not notice.text:
        errors["text"] = [_("Write what everyone working with the client must know.")]
    elif len(notice.text) > SAFETY_NOTICE_MAX_LENGTH:
        errors["text"] = [
            _("Write at most %(limit)s characters (this text has %(length)s).")
            % {
                "limit": number_format(SAFETY_NOTICE_MAX_LENGTH, force_grouping=True),
                "length": number_format(len(notice.text), force_grouping=True),
            }
        ]
    if notice.end is not None and notice.end < notice.start:
        errors["end"] = [_("The end lies before the start.")]
    if errors:
        raise ValidationError(errors)
    notice.full_clean(exclude=["client", "set_by"], validate_constraints=False)


@transaction.atomic
def safety_notice_set(
    *, client: Client, text: str, start: date, actor: User, end: date | None = None
) -> SafetyNotice:
    """Set a safety notice on a client, from ``start`` until ``end`` (open when None)."""
    _refuse_unless_keeper(actor, client)
    notice = SafetyNotice(client=client, text=text.strip(), start=start, end=end, set_by=actor)
    _validate(notice)
    notice._history_user = actor
    notice.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=notice)
    return notice


@transaction.atomic
def safety_notice_change(
    *,
    notice: SafetyNotice,
    text: str,
    start: date,
    actor: User,
    end: date | None = None,
    reason: str = "",
) -> SafetyNotice:
    """Change a notice's text or dates; the history keeps the earlier version and why."""
    notice = SafetyNotice.objects.select_for_update().select_related("client").get(pk=notice.pk)
    _refuse_unless_keeper(actor, notice.client)
    notice.text, notice.start, notice.end = text.strip(), start, end
    _validate(notice)
    notice._history_user = actor
    notice._change_reason = change_reason_clean(reason)
    notice.save()
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=notice.client, obj=notice)
    return notice


@transaction.atomic
def safety_notice_end(*, notice: SafetyNotice, end: date, actor: User) -> SafetyNotice:
    """End a notice on a day (it is shown up to and including that day)."""
    notice = SafetyNotice.objects.select_for_update().select_related("client").get(pk=notice.pk)
    _refuse_unless_keeper(actor, notice.client)
    if notice.end is not None and notice.end <= end:
        raise ValidationError(_("This notice has already ended."))
    if end < notice.start:
        raise ValidationError({"end": _("The end lies before the start.")})
    notice.end = end
    notice._history_user = actor
    notice.save(update_fields=["end"])
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=notice.client, obj=notice)
    return notice
