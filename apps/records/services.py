"""Writes of the client's rights to the record: record a request for access or a copy, make
the copy (built later by the Celery task, apps.records.build), open its file, delete expired
files, and add the client's own statement."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.accounts.permissions import VIEW_PRIVACY_PAGES, may
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record
from apps.clients.models import Client, LegalRepresentative
from apps.clients.representation import decision_makers
from apps.core.errors import PermissionRefused, text_too_long
from apps.trajectories.access import client_access_for

from .models import (
    REQUEST_NOTE_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    AccessRequest,
    AccessRequestKind,
    ClientStatement,
    CopyStatus,
    RecordCopy,
    Requester,
)
from .tasks import record_copy_build_task

# AVG art. 12 lid 3: the controller answers a request of the data subject within one month of
# receiving it (extendable by two months for complex requests, telling the client why).
ANSWER_WITHIN = relativedelta(months=1)


def request_deadline(received_on: date) -> date:
    """The last day to answer a request received on ``received_on`` (AVG art. 12 lid 3)."""
    return received_on + ANSWER_WITHIN


def is_privacy_officer_of(*, user: User, client: Client) -> bool:
    """The privacy officer of the client's own organisation."""
    return may(user, VIEW_PRIVACY_PAGES) and user.organisation_id == client.organisation_id


def is_statement_keeper(*, user: User, client: Client) -> bool:
    """Who records a client's statement: a caseworker on the client's care team (not under
    emergency access: a statement is lasting), or the organisation's privacy officer."""
    if is_privacy_officer_of(user=user, client=client):
        return True
    access = client_access_for(user=user, client=client)
    return (
        access is not None
        and access.basis == AccessBasis.CARE_TEAM
        and access.acting_role == Role.CASEWORKER
    )


def _log_write(*, actor: User, client: Client, obj, event: AccessEvent) -> None:
    privacy = is_privacy_officer_of(user=actor, client=client)
    access_log_record(
        user=actor,
        event=event,
        basis=AccessBasis.PRIVACY_REVIEW if privacy else AccessBasis.CARE_TEAM,
        client=client,
        obj=obj,
        detail=f"{obj._meta.verbose_name} {event}"[:200],
        acting_role=Role.PRIVACY_OFFICER if privacy else Role.CASEWORKER,
    )


def requester_errors(
    *,
    client: Client,
    on: date,
    requester: str,
    representative: LegalRepresentative | None,
    field: str,
) -> dict[str, list[str]]:
    """Whether the young person or this representative exercises the client's rights on a day:
    the age rules of BW 7:465 (apps.clients.representation.decision_makers), which the
    Jeugdwet follows for the youth-care record (art. 7.3.10 and 7.3.15)."""
    makers = decision_makers(client, on)
    if requester == Requester.YOUNG_PERSON:
        if not makers.young_person:
            return {
                field: [
                    _(
                        "Under 12 the legal representatives exercise the client's rights "
                        "(BW 7:465 lid 1): choose the representative who asked."
                    )
                ]
            }
        return {}
    if requester != Requester.REPRESENTATIVE or representative is None:
        return {"representative": [_("Choose the representative who asked.")]}
    if representative.client_id != client.pk:
        return {"representative": [_("This is not a representative of this client.")]}
    if representative not in makers.representatives:
        if makers.age >= 16:
            message = _(
                "From 16 the young person exercises these rights alone (BW 7:465 lid 1); "
                "a representative needs the young person's written permission."
            )
        else:
            message = _("Only a representative who holds parental authority acts for the client.")
        return {"representative": [message]}
    return {}


@transaction.atomic
def access_request_record(
    *,
    client: Client,
    kind: str,
    requester: str,
    received_on: date,
    actor: User,
    representative: LegalRepresentative | None = None,
    note: str = "",
) -> AccessRequest:
    """Record a request for access to the record or a copy of it, with its deadline."""
    if not is_privacy_officer_of(user=actor, client=client):
        raise PermissionRefused(_("Only the organisation's privacy officer records requests."))
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if kind not in AccessRequestKind.values:
        errors["kind"] = [_("Choose what was asked for.")]
    if received_on > timezone.localdate():
        errors["received_on"] = [_("A request cannot be received in the future.")]
    elif received_on < client.date_of_birth:
        errors["received_on"] = [_("This date lies before the client's birth.")]
    else:
        errors.update(
            requester_errors(
                client=client,
                on=received_on,
                requester=requester,
                representative=representative,
                field="requester",
            )
        )
    if message := text_too_long(note, REQUEST_NOTE_MAX_LENGTH):
        errors["note"] = [message]
    if errors:
        raise ValidationError(errors)
    request = AccessRequest(
        client=client,
        kind=kind,
        requester=requester,
        representative=representative if requester == Requester.REPRESENTATIVE else None,
        received_on=received_on,
        deadline=request_deadline(received_on),
        note=note,
        recorded_by=actor,
    )
    request.full_clean()
    request._history_user = actor
    request.save()
    _log_write(actor=actor, client=client, obj=request, event=AccessEvent.CREATE)
    return request


@transaction.atomic
def record_copy_request(
    *, access_request: AccessRequest, actor: User, language: str = "nl"
) -> RecordCopy:
    """Ask for a copy of the complete record for a request; it is made in the background once
    this transaction commits (the first copy is free of charge: BW 7:456, AVG art. 15 lid 3)."""
    client = access_request.client
    if not is_privacy_officer_of(user=actor, client=client):
        raise PermissionRefused(_("Only the organisation's privacy officer makes a copy."))
    copy = RecordCopy(
        request=access_request,
        client=client,
        requested_by=actor,
        language=language if language in dict(settings.LANGUAGES) else "nl",
    )
    copy._history_user = actor
    copy.save()
    _log_write(actor=actor, client=client, obj=copy, event=AccessEvent.CREATE)
    record_copy_build_task.delay_on_commit(copy.pk)
    return copy


@transaction.atomic
def record_copy_file_open(*, copy: RecordCopy, user: User):
    """Open a finished copy's file to download it, and log the export; None when there is
    nothing to serve (not finished, deleted, or the file is gone)."""
    if not is_privacy_officer_of(user=user, client=copy.client):
        raise PermissionRefused(_("Only the organisation's privacy officer downloads a copy."))
    if copy.status != CopyStatus.DONE or not copy.file:
        return None
    try:
        handle = copy.file.open("rb")
    except FileNotFoundError:
        return None
    access_log_record(
        user=user,
        event=AccessEvent.EXPORT,
        basis=AccessBasis.PRIVACY_REVIEW,
        client=copy.client,
        obj=copy,
        detail="copy of the record (PDF) downloaded",
        acting_role=Role.PRIVACY_OFFICER,
    )
    return handle


def record_copies_expire(*, today: date | None = None) -> int:
    """Delete the files of copies whose days have passed; the row stays (who made it, when,
    its SHA-256), as the history of the request. Returns the number of files deleted."""
    today = today or timezone.localdate()
    deleted = 0
    due = RecordCopy.objects.filter(status=CopyStatus.DONE, delete_after__lte=today)
    for copy_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            copy = RecordCopy.objects.select_for_update().filter(pk=copy_id).first()
            if copy is None or copy.status != CopyStatus.DONE:
                continue
            if copy.file:
                copy.file.delete(save=False)
            copy.status = CopyStatus.DELETED
            copy.deleted_at = timezone.now()
            copy._change_reason = "kept days passed"
            copy.save(update_fields=["file", "status", "deleted_at"])
            deleted += 1
    return deleted


@transaction.atomic
def client_statement_add(
    *,
    client: Client,
    text: str,
    given_by: str,
    given_on: date,
    actor: User,
    representative: LegalRepresentative | None = None,
) -> ClientStatement:
    """Add the client's own statement about the record to it (WGBO 7:454 lid 1)."""
    if not is_statement_keeper(user=actor, client=client):
        raise PermissionRefused(
            _(
                "Only a caseworker of the client's care team or the privacy officer records "
                "a client's statement."
            )
        )
    text = text.strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [_("Write down the statement as the client gave it.")]
    elif message := text_too_long(text, STATEMENT_MAX_LENGTH):
        errors["text"] = [message]
    if given_on > timezone.localdate():
        errors["given_on"] = [_("A statement cannot be given in the future.")]
    elif given_on < client.date_of_birth:
        errors["given_on"] = [_("This date lies before the client's birth.")]
    else:
        errors.update(
            requester_errors(
                client=client,
                on=given_on,
                requester=given_by,
                representative=representative,
                field="given_by",
            )
        )
    if errors:
        raise ValidationError(errors)
    statement = ClientStatement(
        client=client,
        text=text,
        given_by=given_by,
        representative=representative if given_by == Requester.REPRESENTATIVE else None,
        given_on=given_on,
        recorded_by=actor,
    )
    statement.full_clean()
    statement._history_user = actor
    statement.save()
    _log_write(actor=actor, client=client, obj=statement, event=AccessEvent.CREATE)
    return statement
