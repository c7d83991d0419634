"""Writes for reports: request a run (built later by the Celery task, apps.reports.build),
open a finished file."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, Role, User
from apps.accounts.permissions import REQUEST_REPORT, may
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.clients.models import Client
from apps.core.errors import PermissionRefused
from apps.funding.models import Funder

from .models import ReportFormat, ReportRun, ReportStatus
from .tasks import report_build_task

MAX_PERIOD_DAYS = 366


def report_funders_for(*, organisation: Organisation):
    """The funders the organisation has a contract with: those it can report to."""
    return Funder.objects.filter(contracts__organisation=organisation).distinct().order_by("name")


@transaction.atomic
def report_file_open(*, run: ReportRun, user: User):
    """Open a finished report's file to download it, and log the export against every client
    it names; None when there is nothing to serve (not finished, or the file is gone)."""
    if run.status != ReportStatus.DONE or not run.file:
        return None
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:  # the stored file is gone (a restore without media)
        return None
    access_log_record_many(
        user=user,
        clients=list(Client.objects.filter(pk__in=run.client_ids, organisation=run.organisation)),
        event=AccessEvent.EXPORT,
        basis=AccessBasis.MANAGEMENT,
        detail=f"report {run.pk} for {run.funder.name}"[:200],
        acting_role=Role.MANAGER,
    )
    return handle


def report_request(
    *,
    organisation: Organisation,
    funder: Funder,
    period_start: date,
    period_end: date,
    fmt: ReportFormat,
    actor: User,
    language: str = "nl",
) -> ReportRun:
    """Request a funder's report; it is built in the background once this transaction commits."""
    if not may(actor, REQUEST_REPORT) or actor.organisation_id != organisation.pk:
        raise PermissionRefused(_("Only the organisation's managers request reports."))
    errors: dict[str, list[str]] = {}
    if period_end < period_start:
        errors.setdefault("period_end", []).append(
            _("The end of the period lies before its start.")
        )
    elif (period_end - period_start).days >= MAX_PERIOD_DAYS:
        errors.setdefault("period_end", []).append(_("A report covers at most one year."))
    if period_start > timezone.localdate():
        errors.setdefault("period_start", []).append(_("The period starts in the future."))
    if not report_funders_for(organisation=organisation).filter(pk=funder.pk).exists():
        errors.setdefault("funder", []).append(
            _("Your organisation has no contract with this funder.")
        )
    if errors:
        raise ValidationError(errors)
    run = ReportRun(
        organisation=organisation,
        funder=funder,
        period_start=period_start,
        period_end=period_end,
        format=fmt,
        requested_by=actor,
        language=language,
    )
    run.full_clean()
    run._history_user = actor
    run.save()
    report_build_task.delay_on_commit(run.pk)
    return run
