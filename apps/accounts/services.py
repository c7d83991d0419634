"""Writes for organisations, users and their personal API tokens."""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record
from apps.core.errors import PermissionRefused

from .models import ApiToken, Organisation, Role, User


@transaction.atomic
def organisation_create(*, name: str, agb_code: str, actor: User | None) -> Organisation:
    """Create a care provider after validating its AGB code."""
    organisation = Organisation(name=name, agb_code=agb_code)
    organisation.full_clean()
    organisation._history_user = actor
    organisation.save()
    return organisation


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    organisation: Organisation | None,
    roles: Iterable[Role],
    actor: User | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user in an organisation with the given roles."""
    user = User(
        username=username,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
    )
    user.set_password(password)
    user.full_clean()
    user._history_user = actor
    user.save()
    user.groups.set(Group.objects.filter(name__in=[str(role) for role in roles]))
    return user


def user_roles_check(*, user: User, roles: Iterable[Role | str], actor: User) -> None:
    """Refuse a change of one's own roles (a ValidationError with a message for people).

    An administrator who could give himself a client-facing role (caseworker) could then open
    client records and break the glass; roles are given by someone else, and logged.
    """
    if actor.pk == user.pk and {str(role) for role in roles} != _roles_held(user):
        raise ValidationError(
            _("You cannot change your own roles. Ask another administrator."),
            code="own_roles",
        )


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[Role | str], actor: User) -> User:
    """Give a user exactly these roles (groups that are not roles stay), and log the change.

    Nobody changes their own roles (user_roles_check).
    """
    roles = {str(Role(role)) for role in roles}
    User.objects.select_for_update().get(pk=user.pk)  # one role change of a user at a time
    user_roles_check(user=user, roles=roles, actor=actor)
    before = _roles_held(user)
    if roles == before:
        return user
    user.groups.remove(*Group.objects.filter(name__in=before - roles))
    user.groups.add(*Group.objects.filter(name__in=roles - before))
    user.__dict__.pop("_roles_cache", None)
    access_log_record(
        user=actor,
        event=AccessEvent.PERMISSION_CHANGE,
        basis=AccessBasis.ADMINISTRATION,
        obj=user,
        detail=f"roles of {user.get_username()}: {', '.join(sorted(roles)) or '-'}",
    )
    return user


def _roles_held(user: User) -> set[str]:
    """The user's roles as stored now (not the per-request cache of ``User.roles``)."""
    return set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))


# --- personal API tokens -----------------------------------------------------------------

API_TOKEN_KEY_PREFIX = "cm"  # noqa: S105 (the public start of every key, not a secret)
_PREFIX = re.compile(r"[0-9a-f]{12}")  # secrets.token_hex(6): a key of another form is invalid
# Last use is written at most this often, not on every request.
API_TOKEN_LAST_USED_EVERY = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    """What is stored of a secret (an API token's, a calendar feed's): its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_on: date, actor: User
) -> tuple[ApiToken, str]:
    """Create a personal API token; return it and its key, which is never shown again.

    The token is valid until the end of ``expires_on`` (at most API_TOKEN_MAX_DAYS ahead).
    """
    if actor != user:
        raise PermissionRefused(_("People create their own API tokens."))
    name = name.strip()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not name:
        errors.setdefault("name", []).append(_("Give the token a name, e.g. what it is for."))
    if expires_on <= today:
        errors.setdefault("expires_on", []).append(_("The expiry date lies in the past or today."))
    elif expires_on > today + timedelta(days=settings.API_TOKEN_MAX_DAYS):
        errors.setdefault("expires_on", []).append(
            ngettext(
                "A token is valid for at most %(days)s day.",
                "A token is valid for at most %(days)s days.",
                settings.API_TOKEN_MAX_DAYS,
            )
            % {"days": settings.API_TOKEN_MAX_DAYS}
        )
    User.objects.select_for_update().get(pk=user.pk)  # counts tokens one request at a time
    if ApiToken.objects.active().filter(user=user).count() >= settings.API_TOKENS_PER_USER:
        errors.setdefault("__all__", []).append(
            ngettext(
                "You have %(count)s active token, the most allowed: revoke it first.",
                "You have %(count)s active tokens, the most allowed: revoke one first.",
                settings.API_TOKENS_PER_USER,
            )
            % {"count": settings.API_TOKENS_PER_USER}
        )
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(6)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 48 bits: practically never
        prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        secret_hash=secret_hash(secret),
        expires_at=timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), time.min)),
    )
    token.full_clean()
    token._history_user = actor
    token.save()
    access_log_record(
        user=actor,
        event=AccessEvent.PERMISSION_CHANGE,
        basis=AccessBasis.ADMINISTRATION,
        obj=token,
        detail=f"API token {prefix} created, valid until {expires_on.isoformat()}",
    )
    return token, f"{API_TOKEN_KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token at once; it is kept (revoked) for the record."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionRefused(_("People revoke their own API tokens."))
    if token.revoked_at is not None:
        raise ValidationError(_("This token has already been revoked."))
    token.revoked_at = timezone.now()
    token._history_user = actor
    token.save(update_fields=["revoked_at"])
    access_log_record(
        user=actor,
        event=AccessEvent.PERMISSION_CHANGE,
        basis=AccessBasis.ADMINISTRATION,
        obj=token,
        detail=f"API token {token.prefix} revoked",
    )
    return token


class ApiTokenRefused(Exception):
    """A key that does not authenticate; ``code`` says why (invalid, expired, revoked)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def api_token_authenticate(*, key: str) -> ApiToken:
    """The active token of a key, with its user; log and raise ApiTokenRefused otherwise.

    The key is ``cm_<prefix>_<secret>``: the prefix finds the row, the secret's hash is
    compared in constant time.
    """
    parts = key.split("_", 2)
    token = None
    if len(parts) == 3 and parts[0] == API_TOKEN_KEY_PREFIX and _PREFIX.fullmatch(parts[1]):
        token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, secret_hash(parts[2])):
        _refused(token=None, code="token_invalid")
    now = timezone.now()
    if token.revoked_at is not None:
        _refused(token=token, code="token_revoked")
    if token.expires_at <= now:
        _refused(token=token, code="token_expired")
    if not token.user.is_active:
        _refused(token=token, code="token_invalid")
    if token.last_used_at is None or token.last_used_at < now - API_TOKEN_LAST_USED_EVERY:
        # A timestamp, not a change: no history row (QuerySet.update on purpose).
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _refused(*, token: ApiToken | None, code: str):
    access_log_record(
        user=None,
        username=token.user.get_username() if token is not None else "",
        event=AccessEvent.LOGIN_FAILED,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        obj=token,
        detail=f"API token refused: {code}",
    )
    raise ApiTokenRefused(code)
