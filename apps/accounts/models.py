from django.contrib.auth.models import AbstractUser
from django.db import models
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
