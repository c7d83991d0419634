"""Writes for reports: request a run, and build it (the Celery task calls report_build)."""

import hashlib
import logging
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Organisation, Role, User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.clients.models import Client
from apps.core.errors import PermissionRefused
from apps.funding.models import Funder

from .models import ReportFormat, ReportRun, ReportStatus
from .selectors import report_figures

logger = logging.getLogger(__name__)

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
    if not actor.has_role(Role.MANAGER) or actor.organisation_id != organisation.pk:
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
    from .tasks import report_build_task  # the task module imports this one

    report_build_task.delay_on_commit(run.pk)
    return run


def _set(run_id: int, **fields) -> ReportRun:
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        for name, value in fields.items():
            setattr(run, name, value)
        # Progress alone is no change worth a history row.
        run.skip_history_when_saving = set(fields) == {"progress"}
        run.save(update_fields=list(fields))
    return run


def _message(run_id: int, text, **params) -> str:
    """A message for the run's requester, in their language."""
    language = ReportRun.objects.filter(pk=run_id).values_list("language", flat=True).first()
    with translation.override(language or "nl"):
        return str(text) % params


def report_build(
    *, run_id: int, on_progress: Callable[[int], None] | None = None
) -> ReportRun | None:
    """Build a requested report: figures, render, store; idempotent and safe to re-run.

    A run that is done is left alone; a run whose worker died mid-way is built again, at most
    REPORT_MAX_ATTEMPTS times, so that a report that kills its worker is not retried forever.
    Every step is its own short transaction, so the page can show the progress.
    """
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return run
        if run.attempts >= settings.REPORT_MAX_ATTEMPTS:
            run.status = ReportStatus.FAILED
            with translation.override(run.language):
                run.error = _(
                    "The report stopped its worker %(count)s times and was given up. Try a "
                    "shorter period, or ask the administrator to look at the worker's log."
                ) % {"count": run.attempts}
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            return run
        run.attempts += 1
        run.status = ReportStatus.RUNNING
        run.progress = 5
        run.error = ""
        run.save(update_fields=["attempts", "status", "progress", "error"])

    def progress(percent: int) -> None:
        _set(run_id, progress=min(95, 20 + percent * 75 // 100))
        if on_progress is not None:
            on_progress(percent)

    try:
        from .render import render  # WeasyPrint loads only where reports are built

        run = ReportRun.objects.select_related("organisation", "funder", "requested_by").get(
            pk=run_id
        )
        with translation.override(run.language):  # in the language of the person asking
            figures = report_figures(
                organisation=run.organisation,
                funder=run.funder,
                period_start=run.period_start,
                period_end=run.period_end,
            )
            _set(run_id, progress=20)
            content = render(
                figures, run.format, generated_by=str(run.requested_by), on_progress=progress
            )
        return _store(run_id, content=content, client_ids=sorted(figures.client_ids))
    except Exception as error:  # any failure is the manager's to read, and the worker lives on
        logger.exception("report run %s failed", run_id)
        return _set(
            run_id,
            status=ReportStatus.FAILED,
            error=_message(
                run_id, gettext_lazy("The report could not be built: %(error)s"), error=error
            ),
            finished_at=timezone.now(),
        )


def _store(run_id: int, *, content: bytes, client_ids: list[int]) -> ReportRun:
    """Keep the file (replacing an earlier one: one file per run) and mark the run done."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.file:
            run.file.delete(save=False)  # a re-run replaces the file: one file per run
        run.file.save(run.filename, ContentFile(content), save=False)
        run.size = len(content)
        run.sha256 = hashlib.sha256(content).hexdigest()
        run.client_ids = client_ids
        run.status = ReportStatus.DONE
        run.progress = 100
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "file",
                "size",
                "sha256",
                "client_ids",
                "status",
                "progress",
                "finished_at",
            ]
        )
    return run
