"""What the allocation messages (JW301 / WMO301) leave behind: the allocations received, and
the ones that wait for their client (a BSN this organisation does not know yet)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.clients.models import Client
from apps.funding.models import Allocation

from .messages import Message


class ReceivedAllocation(models.Model):
    """An allocation registered or changed from a JW301 / WMO301: the message it came with, the
    provider's reference (ReferentieAanbieder: the request it answers) and the product as sent."""

    message = models.ForeignKey(
        Message,
        on_delete=models.PROTECT,
        related_name="received_allocations",
        verbose_name=_("message"),
    )
    allocation = models.OneToOneField(
        Allocation,
        on_delete=models.PROTECT,
        related_name="received_as",
        verbose_name=_("allocation"),
    )
    provider_reference = models.CharField(
        _("provider's reference (ReferentieAanbieder)"), max_length=36, blank=True
    )
    product = models.JSONField(_("allocated product as received"), default=dict)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("received allocation")
        verbose_name_plural = _("received allocations")
        indexes = [models.Index(fields=["provider_reference"])]

    def __str__(self) -> str:
        return f"{self.message} · {self.allocation.number}"


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for its client")
    LINKED = "linked", _("Linked to a client")
    DISMISSED = "dismissed", _("Dismissed")


class WaitingAllocation(models.Model):
    """An allocated product for a BSN the organisation has no client for (yet). A caseworker
    links it to the client once the client is registered; then the allocation is made."""

    message = models.ForeignKey(
        Message,
        on_delete=models.PROTECT,
        related_name="waiting_allocations",
        verbose_name=_("message"),
    )
    bsn = models.CharField(_("BSN"), max_length=9)
    birth_date = models.DateField(_("date of birth"))
    product = models.JSONField(_("allocated product as received"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    allocation = models.OneToOneField(
        Allocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allocation"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("waiting allocation")
        verbose_name_plural = _("waiting allocations")
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "bsn"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="linked")
                | (models.Q(client__isnull=False) & models.Q(allocation__isnull=False)),
                name="waiting_allocation_linked_has_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message} · {self.product.get('number', '')}"
