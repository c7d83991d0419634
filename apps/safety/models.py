from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.clients.models import Client

SAFETY_NOTICE_MAX_LENGTH = 1000


class SafetyNoticeQuerySet(models.QuerySet):
    def in_force_on(self, day) -> "SafetyNoticeQuerySet":
        """Started on or before the day, and not ended before it (the end day is included)."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)


class SafetyNotice(models.Model):
    """What everyone working with the client must know for the client's safety ("do not share
    whereabouts; call the caseworker when ..."): shown to the whole care team, never a
    treatment detail."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="safety_notices", verbose_name=_("client")
    )
    text = models.TextField(_("notice"))
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    objects = SafetyNoticeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety notice")
        verbose_name_plural = _("safety notices")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="safety_notice_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.start:%d-%m-%Y}"
