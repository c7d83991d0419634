from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The privacy officer's pages: emergency access reviews, a client's change history and
    access log, the overview a client may ask for. It reads the access log (apps.audit) and the
    records of every app below it, and sits at the top so that none of them depends on it."""

    name = "apps.privacy"
    label = "privacy"
    verbose_name = _("Privacy")
