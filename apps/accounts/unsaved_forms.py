"""What a user typed when their session had ended: kept for a short while, for them only.

A form posted after the idle timeout (SESSION_COOKIE_AGE) used to be lost: the login-required
middleware sends the browser to the login page and the posted fields are gone. Now, when the
expired session still says whose it was (its row is read without honouring its expiry), the
posted fields are kept: never a password, a token or the CSRF token, never files. They are
encrypted with a fresh key that only the posting browser holds (a cookie), for
UNSAVED_FORM_MINUTES. After that same user signs in again on that browser they get the fields
back, to save (post them again) or to discard; either deletes the row. Another user signing in
on the browser never sees them: every read is filtered on the signed-in user.

The fields are client data (a treatment note): they are never logged, and the page that shows
them is not cached.
"""

import base64
import binascii
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY

from .models import UnsavedForm, User

COOKIE_NAME = "unsaved_forms"
# A session that ended longer ago than this no longer names whose form it was.
EXPIRED_SESSION_GRACE = timedelta(hours=24)
MAX_PER_BROWSER = 5
MAX_PER_USER = 20  # at a time: more is not a person saving their work
MAX_PAYLOAD_BYTES = 256 * 1024
# A field whose name contains one of these is never kept.
SECRET_FIELD_WORDS = ("password", "csrf", "token", "secret")


@dataclass(frozen=True)
class UnsavedFormContent:
    pk: int
    path: str
    fields: list[tuple[str, str]]
    had_files: bool
    created_at: datetime


def _minutes() -> int:
    return settings.UNSAVED_FORM_MINUTES


# --- whose expired session -------------------------------------------------------------------


def expired_session_user(request: HttpRequest) -> User | None:
    """The user whose session the request's cookie names, also after that session expired.

    None when the row is gone (logged out, cleared), ended more than a day ago, was never fully
    signed in (password and, with REQUIRE_2FA, the second factor), or when the user's password
    changed since or the user may no longer sign in.
    """
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not session_key or not hasattr(store_class, "get_model_class"):
        return None  # only database-backed sessions outlive their expiry
    if not store_class()._validate_session_key(session_key):
        return None  # not a key Django makes (a NUL byte, say): no session, and no query
    row = (
        store_class.get_model_class()
        .objects.filter(
            session_key=session_key, expire_date__gt=timezone.now() - EXPIRED_SESSION_GRACE
        )
        .first()
    )
    if row is None:
        return None
    data = store_class().decode(row.session_data)
    user_id = data.get(SESSION_KEY)
    backend_path = data.get(BACKEND_SESSION_KEY)
    session_hash = data.get(HASH_SESSION_KEY)
    if not (user_id and session_hash) or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    if settings.REQUIRE_2FA and not data.get(DEVICE_ID_SESSION_KEY):
        return None
    try:
        user = load_backend(backend_path).get_user(user_id)
    except (ValueError, ValidationError):
        return None
    if user is None or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user


# --- the browser's keys -------------------------------------------------------------------------


def _parse_cookie(value: str) -> dict[int, bytes]:
    """The cookie's rows and their keys: "<pk>_<hex key>" entries joined by dots."""
    keys = {}
    for entry in value.split(".")[:MAX_PER_BROWSER]:
        pk, _sep, hex_key = entry.partition("_")
        try:
            keys[int(pk)] = base64.urlsafe_b64encode(bytes.fromhex(hex_key))
        except ValueError:
            continue
    return keys


def _format_cookie(keys: dict[int, bytes]) -> str:
    return ".".join(f"{pk}_{base64.urlsafe_b64decode(key).hex()}" for pk, key in keys.items())


def browser_keys(request: HttpRequest) -> dict[int, bytes]:
    return _parse_cookie(request.COOKIES.get(COOKIE_NAME, ""))


def browser_keys_store(response: HttpResponse, keys: dict[int, bytes]) -> None:
    """Set (or, when no key is left, delete) the cookie with the browser's keys."""
    if not keys:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return
    response.set_cookie(
        COOKIE_NAME,
        _format_cookie(dict(list(keys.items())[-MAX_PER_BROWSER:])),
        max_age=_minutes() * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- services ------------------------------------------------------------------------------------


def _keepable_fields(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, values in request.POST.lists()
        if not any(word in name.lower() for word in SECRET_FIELD_WORDS)
        for value in values
    ]


def _safe_path(request: HttpRequest) -> str | None:
    path = request.get_full_path()
    if path.startswith("/") and url_has_allowed_host_and_scheme(
        path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return path
    return None


@transaction.atomic
def unsaved_form_keep(
    *, request: HttpRequest, user: User
) -> tuple[UnsavedForm, bytes] | tuple[None, None]:
    """Keep the fields of a form the user posted after their session ended.

    Returns the row and the key that decrypts it (for the browser's cookie), or (None, None)
    when there is nothing worth keeping or too much.
    """
    UnsavedForm.objects.expired().delete()
    fields = _keepable_fields(request)
    path = _safe_path(request)
    if (
        path is None
        or not any(value.strip() for _name, value in fields)
        or UnsavedForm.objects.current().filter(user=user).count() >= MAX_PER_USER
    ):
        return None, None
    payload = json.dumps({"fields": fields, "files": bool(request.FILES)}).encode()
    if len(payload) > MAX_PAYLOAD_BYTES:
        return None, None
    key = base64.urlsafe_b64encode(secrets.token_bytes(32))
    now = timezone.now()
    unsaved = UnsavedForm.objects.create(
        user=user,
        path=path,
        ciphertext=Fernet(key).encrypt(payload).decode(),
        created_at=now,
        expires_at=now + timedelta(minutes=_minutes()),
    )
    return unsaved, key


def unsaved_form_discard(*, user: User, pk: int) -> bool:
    """Delete one of the user's unsaved forms (saved again or thrown away)."""
    deleted, _by_model = UnsavedForm.objects.filter(pk=pk, user=user).delete()
    return bool(deleted)


# --- selectors -----------------------------------------------------------------------------------


def unsaved_forms_for(*, user: User, keys: dict[int, bytes]) -> list[UnsavedFormContent]:
    """The user's current unsaved forms that this browser holds the keys of, decrypted."""
    if not keys:
        return []
    contents = []
    for unsaved in UnsavedForm.objects.current().filter(user=user, pk__in=keys).order_by("pk"):
        try:
            payload = json.loads(Fernet(keys[unsaved.pk]).decrypt(unsaved.ciphertext.encode()))
        except (InvalidToken, binascii.Error, ValueError):
            continue
        contents.append(
            UnsavedFormContent(
                pk=unsaved.pk,
                path=unsaved.path,
                fields=[(name, value) for name, value in payload["fields"]],
                had_files=payload["files"],
                created_at=unsaved.created_at,
            )
        )
    return contents


def unsaved_forms_exist(*, user: User, keys: dict[int, bytes]) -> bool:
    return bool(keys) and UnsavedForm.objects.current().filter(user=user, pk__in=keys).exists()
