"""Writes of retention and destruction: a request recorded, reviewed and carried out; a record
past its retention date destroyed after the privacy officer's confirmation; a retention
extended; the nightly list of records past their date."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, Role, User
from apps.accounts.permissions import VIEW_PRIVACY_PAGES, may
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record
from apps.clients.models import Client
from apps.core.errors import PermissionRefused, text_too_long
from apps.reports.models import ReportRun, ReportStatus
from apps.trajectories.models import TrajectoryStatus

from .destruction import DestructionBlocked, record_destroy
from .models import (
    REQUEST_STATUS_TRANSITIONS,
    DestructionGround,
    DestructionRequest,
    RefusalGround,
    RequestStatus,
    RetentionDue,
    RetentionExtension,
    Tombstone,
)
from .rules import requester_refusal
from .selectors import retention_of, retention_of_clients


def _officer_of(actor: User, client: Client) -> None:
    if not may(actor, VIEW_PRIVACY_PAGES) or actor.organisation_id != client.organisation_id:
        raise PermissionRefused(_("Only the organisation's privacy officer does this."))


def _log(actor: User, client: Client, event: AccessEvent, obj, detail: str) -> None:
    access_log_record(
        user=actor,
        event=event,
        basis=AccessBasis.PRIVACY_REVIEW,
        client=client,
        obj=obj,
        detail=detail,
        acting_role=Role.PRIVACY_OFFICER,
    )


def _move(request: DestructionRequest, status: str) -> None:
    if status not in REQUEST_STATUS_TRANSITIONS[request.status]:
        raise ValidationError(
            _("This request is %(status)s; that cannot change now.")
            % {"status": request.get_status_display().lower()}
        )
    request.status = status


@transaction.atomic
def destruction_request_record(
    *, client: Client, requester: str, received_on: date, actor: User
) -> DestructionRequest:
    """Record a request to destroy the client's record, checking who may ask at the client's age
    on the day it came in."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    _officer_of(actor, client)
    if Tombstone.objects.filter(client=client).exists():
        raise ValidationError(_("This record has already been destroyed."))
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A request cannot come in on a future date.")})
    refusal = requester_refusal(client=client, requester=requester, on=received_on)
    if refusal:
        raise ValidationError({"requester": refusal})
    if DestructionRequest.objects.filter(
        client=client, status__in=[RequestStatus.PENDING, RequestStatus.GRANTED]
    ).exists():
        raise ValidationError(_("There is already an open request for this record."))
    request = DestructionRequest(
        organisation_id=client.organisation_id,
        client=client,
        requester=requester,
        received_on=received_on,
        recorded_by=actor,
    )
    request.full_clean()
    request._history_user = actor
    request.save()
    _log(actor, client, AccessEvent.CREATE, request, "destruction request recorded")
    return request


@transaction.atomic
def destruction_request_review(
    *,
    request: DestructionRequest,
    grant: bool,
    actor: User,
    ground: str = "",
    explanation: str = "",
) -> DestructionRequest:
    """Grant the request, or refuse it on one of the law's grounds with an explanation
    (BW 7:455 lid 2, Jeugdwet 7.3.10)."""
    request = (
        DestructionRequest.objects.select_for_update().select_related("client").get(pk=request.pk)
    )
    _officer_of(actor, request.client)
    explanation = explanation.strip()
    if grant:
        _move(request, RequestStatus.GRANTED)
        request.refusal_ground, request.refusal_explanation = "", ""
    else:
        errors = {}
        if ground not in RefusalGround.values:
            errors["refusal_ground"] = _("Choose the legal ground of the refusal.")
        if not explanation:
            errors["refusal_explanation"] = _("Explain the refusal to the client.")
        elif too_long := text_too_long(explanation, 2000):
            errors["refusal_explanation"] = too_long
        if errors:
            raise ValidationError(errors)
        _move(request, RequestStatus.REFUSED)
        request.refusal_ground, request.refusal_explanation = ground, explanation
    request.reviewed_by = actor
    request.reviewed_at = timezone.now()
    request._history_user = actor
    request.save(
        update_fields=[
            "status",
            "refusal_ground",
            "refusal_explanation",
            "reviewed_by",
            "reviewed_at",
        ]
    )
    _log(
        actor,
        request.client,
        AccessEvent.CHANGE,
        request,
        "destruction request granted" if grant else "destruction request refused",
    )
    return request


def _confirmed(client: Client, confirmation: str) -> None:
    if confirmation.strip() != client.client_number:
        raise ValidationError(
            {"confirmation": _("Type the client number to confirm the destruction.")}
        )


def _destroy(
    *,
    client: Client,
    actor: User,
    ground: str,
    request: DestructionRequest | None = None,
) -> Tombstone:
    if Tombstone.objects.filter(client=client).exists():
        raise DestructionBlocked(_("This record has already been destroyed."))
    if client.trajectories.filter(status=TrajectoryStatus.OPEN).exists():
        raise DestructionBlocked(
            _("The client's trajectory is still open: close it before the record is destroyed.")
        )
    if ReportRun.objects.filter(
        organisation_id=client.organisation_id,
        status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
    ).exists():
        # A report being built has read the record already and would store it after the
        # destruction, in a file nothing removes: wait until it is done.
        raise DestructionBlocked(
            _("A report is being made for the organisation; try again when it is done.")
        )
    outcome = record_destroy(client=client)
    # The explanations of earlier refusals were written to the client and may name them; the
    # ground stays. Their history goes with the text.
    earlier = DestructionRequest.objects.filter(client=client).exclude(refusal_explanation="")
    DestructionRequest.history.filter(client_id=client.pk).update(refusal_explanation="")
    earlier.update(refusal_explanation="")
    tombstone = Tombstone.objects.create(
        organisation_id=client.organisation_id,
        client_id=client.pk,
        destroyed_at=timezone.now(),
        destroyed_by=actor,
        ground=ground,
        requester=request.requester if request else "",
        request=request,
        removed=outcome.removed,
        kept=outcome.kept,
        files_removed=outcome.files_removed,
        files_redacted=outcome.files_redacted,
    )
    _log(actor, client, AccessEvent.DELETE, tombstone, "record destroyed")
    return tombstone


@transaction.atomic
def destruction_request_execute(
    *, request: DestructionRequest, actor: User, confirmation: str
) -> Tombstone:
    """Carry out a granted request: destroy the record, leave the tombstone."""
    request = DestructionRequest.objects.select_for_update().get(pk=request.pk)
    client = Client.objects.select_for_update().get(pk=request.client_id)
    _officer_of(actor, client)
    _move(request, RequestStatus.EXECUTED)
    _confirmed(client, confirmation)
    tombstone = _destroy(
        client=client, actor=actor, ground=DestructionGround.REQUEST, request=request
    )
    request._history_user = actor
    request.save(update_fields=["status"])
    return tombstone


@transaction.atomic
def retention_destroy(*, due: RetentionDue, actor: User, confirmation: str) -> Tombstone:
    """Destroy a record past its retention date, after the privacy officer's confirmation."""
    client = Client.objects.select_for_update().get(pk=due.client_id)
    _officer_of(actor, client)
    _confirmed(client, confirmation)
    if not retention_of(client).past(timezone.localdate()):
        raise DestructionBlocked(
            _("This record is no longer past its retention date; nothing was destroyed.")
        )
    return _destroy(client=client, actor=actor, ground=DestructionGround.RETENTION_ENDED)


@transaction.atomic
def retention_extend(
    *, client: Client, until: date, reason: str, actor: User
) -> RetentionExtension:
    """Keep a record longer than twenty years, with the reason (BW 7:454 lid 3)."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    _officer_of(actor, client)
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Write down why the record is kept longer.")
    elif too_long := text_too_long(reason, 1000):
        errors["reason"] = too_long
    if until <= retention_of(client).until:
        errors["until"] = _("The new date must lie after the current retention date.")
    if errors:
        raise ValidationError(errors)
    extension = RetentionExtension(client=client, until=until, reason=reason, created_by=actor)
    extension.full_clean()
    extension._history_user = actor
    extension.save()
    RetentionDue.objects.filter(client=client).delete()
    _log(actor, client, AccessEvent.CHANGE, extension, "retention extended")
    return extension


@transaction.atomic
def retention_due_refresh(*, organisation: Organisation, today: date | None = None) -> int:
    """The nightly list of the organisation's records past their retention date, made anew;
    returns how many there are. The list is derived data (no history)."""
    today = today or timezone.localdate()
    due = [
        retention
        for retention in retention_of_clients(Client.objects.filter(organisation=organisation))
        if retention.past(today)
    ]
    RetentionDue.objects.filter(organisation=organisation).exclude(
        client_id__in=[r.client_id for r in due]
    ).delete()
    for retention in due:
        RetentionDue.objects.update_or_create(
            client_id=retention.client_id,
            defaults={
                "organisation": organisation,
                "last_care_on": retention.last_care_on,
                "retention_until": retention.until,
                "listed_on": today,
            },
        )
    return len(due)
