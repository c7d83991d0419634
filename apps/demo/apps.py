from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data (`manage.py seed_demo`): synthetic clients, trajectories, funding and
    users that show every part of the product. It writes through the services of every app and
    nothing imports it."""

    name = "apps.demo"
    label = "demo"
    verbose_name = _("Demo")
