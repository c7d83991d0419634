from datetime import date, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import agb_code_validator


class Role(models.TextChoices):
    """The roles of DESIGN.md; each is a Django group of the same name (data migration)."""

    CASEWORKER = "caseworker", _("Caseworker")
    TEACHER = "teacher", _("Teacher")
    JOB_COACH = "job_coach", _("Job coach")
    MANAGER = "manager", _("Manager")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class Organisation(models.Model):
    """A care provider. Several may share one installation; none sees another's data."""

    name = models.CharField(_("name"), max_length=200)
    agb_code = models.CharField(
        _("AGB code"),
        max_length=8,
        unique=True,
        validators=[agb_code_validator],
        help_text=_("The organisation's 8-digit AGB code (Vektis)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agb_code__regex=r"^[0-9]{8}$"),
                name="organisation_agb_code_8_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agb_code})"


class User(AbstractUser):
    """A person who works in the system; belongs to one organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        help_text=_("Only platform administrators have no organisation."),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        """The role codes this user holds (their groups that are roles)."""
        if not hasattr(self, "_roles_cache"):
            names = {group.name for group in self.groups.all()}
            self._roles_cache = frozenset(names & set(Role.values))
        return self._roles_cache

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.roles

    def role_labels(self) -> list[str]:
        return [Role(code).label for code in Role.values if code in self.roles]


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None) -> "ApiTokenQuerySet":
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal API token: it acts as its user, with exactly the user's roles.

    The key is shown once, when the token is created; only its prefix (to find the row) and a
    SHA-256 hash of its secret (256 random bits, so a plain hash is enough) are kept.
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. the school system.")
    )
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("hash of the secret"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    # The hash stays out of the history; last use is a counter, not a change.
    history = HistoricalRecords(excluded_fields=["secret_hash", "last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def valid_until(self) -> date:
        """The last day it works (it expires at the start of the next)."""
        return timezone.localtime(self.expires_at - timedelta(microseconds=1)).date()


class UnsavedFormQuerySet(models.QuerySet):
    def current(self, now=None) -> "UnsavedFormQuerySet":
        return self.filter(expires_at__gt=now or timezone.now())

    def expired(self, now=None) -> "UnsavedFormQuerySet":
        return self.filter(expires_at__lte=now or timezone.now())


class UnsavedForm(models.Model):
    """What a user posted after their session had ended, kept until they sign in again.

    Short-lived (apps/accounts/unsaved_forms.py): the fields are encrypted with a key that only
    the browser that posted them holds, in a cookie; the row is deleted once it is saved or
    discarded, and when it expires. No history: a copy of the fields must not outlive the row.
    Deleted with its user (CASCADE): it is not a record of care, only text on its way to one.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    path = models.CharField(_("page"), max_length=2000)
    ciphertext = models.TextField(_("encrypted fields"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))

    objects = UnsavedFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("unsaved form")
        verbose_name_plural = _("unsaved forms")
        indexes = [models.Index(fields=["expires_at"], name="unsaved_form_expires_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="unsaved_form_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"
