"""Making a requested copy of a client's record: the sections gathered, rendered to PDF,
stored under MEDIA_ROOT/records/. Called by the Celery task (apps.records.tasks) with an id."""

import hashlib
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import CopyStatus, RecordCopy

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a copy that kills its worker this often is given up


def record_copy_build(*, copy_id: int) -> RecordCopy | None:
    """Make a requested copy: sections, render, store; idempotent and safe to re-run."""
    with transaction.atomic():
        copy = RecordCopy.objects.select_for_update().filter(pk=copy_id).first()
        if copy is None or copy.status not in (CopyStatus.QUEUED, CopyStatus.RUNNING):
            return copy
        if copy.attempts >= MAX_ATTEMPTS:
            with translation.override(copy.language):
                return _fail(copy, _("The copy stopped its worker too often and was given up."))
        copy.attempts += 1
        copy.status = CopyStatus.RUNNING
        copy.save(update_fields=["attempts", "status"])
    try:
        from .render import record_pdf  # WeasyPrint loads only where copies are made
        from .sections import record_sections

        copy = RecordCopy.objects.select_related("client__organisation", "requested_by").get(
            pk=copy_id
        )
        with translation.override(copy.language):
            content = record_pdf(
                client=copy.client,
                sections=record_sections(copy.client),
                made_by=str(copy.requested_by),
                made_at=timezone.now(),
            )
        return _store(copy_id, content=content)
    except Exception as error:  # the privacy officer reads the error; the worker lives on
        logger.exception("record copy %s failed", copy_id)
        with transaction.atomic():
            copy = RecordCopy.objects.select_for_update().get(pk=copy_id)
            with translation.override(copy.language):
                return _fail(copy, _("The copy could not be made: %(error)s") % {"error": error})


def _fail(copy: RecordCopy, message: str) -> RecordCopy:
    copy.status = CopyStatus.FAILED
    copy.error = message
    copy.finished_at = timezone.now()
    copy.save(update_fields=["status", "error", "finished_at"])
    return copy


def record_copy_delete_after(finished_on: date) -> date:
    """The day a copy's file is deleted (by the nightly task): RECORD_COPY_KEEP_DAYS after it
    was made."""
    return finished_on + timedelta(days=settings.RECORD_COPY_KEEP_DAYS)


def _store(copy_id: int, *, content: bytes) -> RecordCopy:
    with transaction.atomic():
        copy = RecordCopy.objects.select_for_update().select_related("client").get(pk=copy_id)
        if copy.file:
            copy.file.delete(save=False)  # a re-run replaces the file: one file per copy
        copy.file.save(copy.filename, ContentFile(content), save=False)
        copy.size = len(content)
        copy.sha256 = hashlib.sha256(content).hexdigest()
        copy.status = CopyStatus.DONE
        copy.error = ""
        copy.finished_at = timezone.now()
        copy.delete_after = record_copy_delete_after(timezone.localdate())
        copy.save(
            update_fields=[
                "file",
                "size",
                "sha256",
                "status",
                "error",
                "finished_at",
                "delete_after",
            ]
        )
    return copy
