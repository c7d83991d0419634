"""Writes of the privacy officer: the review of an emergency access."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.permissions import REVIEW_BREAK_THE_GLASS, may
from apps.audit.models import BreakGlassAccess
from apps.core.errors import PermissionRefused


@transaction.atomic
def break_glass_review(
    *, access: BreakGlassAccess, reviewer: User, comment: str
) -> BreakGlassAccess:
    """Mark an emergency access as reviewed by the privacy officer, with a comment."""
    access = BreakGlassAccess.objects.select_for_update().select_related("client").get(pk=access.pk)
    if (
        not may(reviewer, REVIEW_BREAK_THE_GLASS)
        or reviewer.organisation_id != access.client.organisation_id
    ):
        raise PermissionRefused(
            _("Only the organisation's privacy officer reviews emergency access.")
        )
    if access.reviewed_at is not None:
        raise ValidationError(_("This emergency access has already been reviewed."))
    if not comment.strip():
        raise ValidationError({"review_comment": _("Write down what the review found.")})
    access.reviewed_by = reviewer
    access.reviewed_at = timezone.now()
    access.review_comment = comment.strip()
    access._history_user = reviewer
    access.save(update_fields=["reviewed_by", "reviewed_at", "review_comment"])
    return access
