"""Logins, logouts and failed logins go to the access log (Django only signals these)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AccessBasis, AccessEvent, AccessOutcome
from .services import access_log_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    access_log_record(user=user, event=AccessEvent.LOGIN, basis=AccessBasis.NONE)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        access_log_record(user=user, event=AccessEvent.LOGOUT, basis=AccessBasis.NONE)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    access_log_record(
        user=None,
        username=str(credentials.get("username", "")),
        event=AccessEvent.LOGIN_FAILED,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
    )
