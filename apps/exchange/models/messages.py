"""Every iJw / iWmo message received or sent, stored as it was, with what the system did."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation
from apps.funding.models import Funder


class Standard(models.TextChoices):
    IJW = "ijw", _("iJw (Jeugdwet)")
    IWMO = "iwmo", _("iWmo (Wmo 2015)")


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class MessageStatus(models.TextChoices):
    # Received messages
    RECEIVED = "received", _("Received, not yet processed")
    PROCESSED = "processed", _("Processed")
    WAITING = "waiting", _("Waiting for a client to be linked")
    REJECTED = "rejected", _("Rejected (answered with error codes)")
    # Sent messages
    READY = "ready", _("Ready to be sent")
    SENT = "sent", _("Sent, no answer yet")
    ACCEPTED = "accepted", _("Accepted by the receiver")
    REFUSED = "refused", _("Refused by the receiver")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")


MESSAGE_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    MessageStatus.RECEIVED: frozenset(
        {MessageStatus.PROCESSED, MessageStatus.WAITING, MessageStatus.REJECTED}
    ),
    MessageStatus.WAITING: frozenset({MessageStatus.PROCESSED}),
    MessageStatus.PROCESSED: frozenset(),
    MessageStatus.REJECTED: frozenset(),
    MessageStatus.READY: frozenset({MessageStatus.SENT}),
    MessageStatus.SENT: frozenset(
        {MessageStatus.ACCEPTED, MessageStatus.REFUSED, MessageStatus.PARTLY_ACCEPTED}
    ),
    MessageStatus.ACCEPTED: frozenset(),
    MessageStatus.REFUSED: frozenset(),
    MessageStatus.PARTLY_ACCEPTED: frozenset(),
}


class MessageQuerySet(models.QuerySet):
    def of(self, organisation: Organisation) -> "MessageQuerySet":
        return self.filter(organisation=organisation)

    def inbox(self) -> "MessageQuerySet":
        return self.filter(direction=Direction.IN)

    def outbox(self) -> "MessageQuerySet":
        return self.filter(direction=Direction.OUT)


class Message(models.Model):
    """One message file, received or sent, kept byte for byte.

    The file is never changed after it is stored; ``sha256`` proves it. What the system did with
    it is in ``status`` and ``outcome`` (a list of ``{"code", "text", "path"}`` entries: retour
    codes from WJ001 with the element they are about, or a plain explanation).
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="exchange_messages",
        verbose_name=_("organisation"),
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    standard = models.CharField(_("standard"), max_length=4, choices=Standard.choices)
    # The message's name (JW301, WMO323) and its code from COD002 (BerichtCode).
    kind = models.CharField(_("message"), max_length=6)
    message_code = models.CharField(_("message code (COD002)"), max_length=3)
    version = models.CharField(_("version"), max_length=8, default="3.2")
    identification = models.CharField(_("identification"), max_length=12)
    dated = models.DateField(_("dated (dagtekening)"))
    sender = models.CharField(_("sender"), max_length=8)
    receiver = models.CharField(_("receiver"), max_length=8)
    funder = models.ForeignKey(
        Funder,
        on_delete=models.PROTECT,
        related_name="exchange_messages",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
    )
    file = models.FileField(_("file"), upload_to="exchange/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=MessageStatus.choices)
    outcome = models.JSONField(_("outcome"), default=list, blank=True)
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # The clients the message names, so that every read of it is logged against each of them.
    client_ids = models.JSONField(_("clients named"), default=list, blank=True)
    transport = models.CharField(_("transport"), max_length=30, default="folder")
    created_at = models.DateTimeField(_("received or made at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported or made by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed or answered at"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # TR056: the identification is unique per message kind for the sending party.
            models.UniqueConstraint(
                fields=["organisation", "direction", "sender", "kind", "identification"],
                name="message_identification_unique_per_sender_and_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=["in", "out"]), name="message_direction_known"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "direction", "-created_at"]),
            models.Index(fields=["sha256"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.identification} ({self.dated:%d-%m-%Y})"

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.IN

    @property
    def is_retour(self) -> bool:
        """A retour (302, 306, 308, 316, 318, 320, 325): the answer to a message."""
        from apps.exchange.codes import RETOUR_OF  # codes imports this module

        return self.kind[-3:] in RETOUR_OF.values()

    def get_status_display(self) -> str:
        """The status as the pages show it. A retour is never answered itself (IV028): one we
        sent is "sent", not "sent, no answer yet" for ever."""
        if self.status == MessageStatus.SENT and self.is_retour:
            return str(_("Sent (a retour gets no answer)"))
        return self._get_FIELD_display(self._meta.get_field("status"))


class OutgoingCounter(models.Model):
    """The last identification number used by an organisation for its outgoing messages.

    Taken under a row lock (``message_next_identification``): two sends never share a number,
    which TR056 requires per message kind (we keep one series for all kinds: simpler, and still
    unique per kind).
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    last = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("outgoing message counter")
        verbose_name_plural = _("outgoing message counters")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.last}"
