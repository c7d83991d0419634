"""An access-log entry in words for the privacy officer: what it was about and in which role."""

from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.audit.labels import entry_what
from apps.audit.models import AccessEvent, AccessLogEntry
from apps.audit.services import ROLE_NONE, ROLE_NOT_SIGNED_IN, ROLE_SYSTEM

__all__ = ["entry_role", "entry_what", "role_label"]


def role_label(code: str) -> str:
    """A stored role (one code, or several comma-separated) in words."""
    special = {
        ROLE_SYSTEM: _("System (automatic)"),
        ROLE_NOT_SIGNED_IN: _("Not signed in"),
        ROLE_NONE: _("No role"),
    }
    if code in special:
        return special[code]
    return " / ".join(
        str(Role(part).label) if part in Role.values else part for part in code.split(",") if part
    )


def entry_role(entry: AccessLogEntry) -> str:
    """The role an entry was written in; for an entry written before the role was always
    recorded, what can be told from the entry itself, or "not recorded"."""
    if entry.acting_role:
        return role_label(entry.acting_role)
    if entry.user_id is None and entry.username == "system":
        return role_label(ROLE_SYSTEM)
    if entry.user_id is None and entry.event == AccessEvent.LOGIN_FAILED:
        return role_label(ROLE_NOT_SIGNED_IN)
    return _("not recorded")
