from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """iJw / iWmo 3.2 message traffic with municipalities (named so: ``messages`` is Django's)."""

    name = "apps.exchange"
    label = "exchange"
    verbose_name = _("Message exchange")

    def ready(self) -> None:
        from apps.exchange.declarations.guard import declared_activity_refused
        from apps.trajectories.signals import activity_change_asked

        activity_change_asked.connect(
            declared_activity_refused, dispatch_uid="exchange.declared_activity_refused"
        )
