from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """iJw / iWmo 3.2 message traffic with municipalities (named so: ``messages`` is Django's)."""

    name = "apps.exchange"
    label = "exchange"
    verbose_name = _("Message exchange")
