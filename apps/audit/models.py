from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AccessEvent(models.TextChoices):
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Found in a search")
    EXPORT = "export", _("Exported or downloaded")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Cancelled or deleted")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    PERMISSION_CHANGE = "permission_change", _("Access granted or revoked")
    BREAK_THE_GLASS = "break_the_glass", _("Emergency access (break the glass)")


class AccessBasis(models.TextChoices):
    CARE_TEAM = "care_team", _("Care-team membership")
    BREAK_THE_GLASS = "break_the_glass", _("Emergency access (break the glass)")
    MANAGEMENT = "management", _("Management reporting")
    PRIVACY_REVIEW = "privacy_review", _("Privacy review")
    ADMINISTRATION = "administration", _("Administration")
    NONE = "none", _("No basis")


class AccessOutcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    REFUSED = "refused", _("Refused")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessLogEntry(models.Model):
    """One access to a client's record, a login or a permission change (NEN 7513).

    Append-only: the application offers no way to change or delete an entry, and on
    PostgreSQL a trigger refuses UPDATE and DELETE on the table.
    """

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="access_log_entries",
        verbose_name=_("who"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    acting_role = models.CharField(_("acting role"), max_length=30, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        related_name="access_log_entries",
        verbose_name=_("client"),
    )
    event = models.CharField(_("event"), max_length=30, choices=AccessEvent.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object"), max_length=40, blank=True)
    detail = models.CharField(_("what"), max_length=200, blank=True)
    # The URL name of the request that wrote the entry ("clients:detail"); apps/audit/labels.py
    # puts it into words. Empty outside a request (tasks, commands) and in entries before 0004.
    view_name = models.CharField(_("page"), max_length=100, blank=True, db_default="")
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    basis = models.CharField(_("basis"), max_length=30, choices=AccessBasis.choices)
    reason = models.TextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=AccessOutcome.choices)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "occurred_at"]),
            models.Index(fields=["user", "occurred_at"]),
            models.Index(fields=["organisation", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.username} {self.event}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class BreakGlassAccess(models.Model):
    """A caseworker's emergency access to a client outside their care team, for a limited time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="break_glass_accesses",
        verbose_name=_("user"),
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="break_glass_accesses",
        verbose_name=_("client"),
    )
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "client", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="break_glass_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.client} ({self.started_at:%Y-%m-%d %H:%M})"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.started_at <= now < self.expires_at
