"""The services' own refusals: what a service says when it will not do what it was asked.

Invalid input stays Django's ``ValidationError`` (it becomes errors per field). A refusal that
does not depend on the input, such as the actor not being allowed, is a ``ServiceError``: its
``message`` is translatable text for people, its ``code`` is for programs. Each is put into
words in one place: the API's exception handler (apps/api/errors.py) and, for the web pages,
``service_refusals`` (apps/core/views.py).
"""

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A service refuses to do this; not a problem of the input's fields."""

    default_message: str | Promise = _("This cannot be done.")
    default_code = "refused"

    def __init__(self, message: str | Promise | None = None, *, code: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class PermissionRefused(ServiceError, PermissionError):
    """The actor may not do this (403). Also a built-in ``PermissionError``, which the services
    raised before, so that code catching that keeps working."""

    default_message = _("You are not allowed to do this.")
    default_code = "permission_denied"


def text_too_long(text: str, limit: int) -> str | None:
    """The message for a text over its limit (in characters, numbers as the language writes
    them), or None when it fits: the services' one wording for it."""
    if len(text) <= limit:
        return None
    return gettext("Write at most %(limit)s characters (this text has %(length)s).") % {
        "limit": number_format(limit, force_grouping=True),
        "length": number_format(len(text), force_grouping=True),
    }
