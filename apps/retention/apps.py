from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """How long a client's record is kept (WGBO 7:454, Jeugdwet 7.3.11), destruction on request
    or after the retention period, and the tombstone it leaves (docs/privacy.md)."""

    name = "apps.retention"
    label = "retention"
    verbose_name = _("Retention and destruction")
