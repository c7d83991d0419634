"""The session engine (SESSION_ENGINE): Django's database sessions, with one check more.

A session key is only of the characters Django makes one of; a cookie with another, such as a
NUL byte (which a quoted cookie value can carry as ``\\000``), is no session at all rather than
a query PostgreSQL refuses, which crashed every page.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS

_VALID = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key) -> bool:
        return bool(super()._validate_session_key(key)) and set(key) <= _VALID
