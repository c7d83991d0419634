from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajectoriesConfig(AppConfig):
    name = "apps.trajectories"
    label = "trajectories"
    verbose_name = _("Trajectories")

    def ready(self) -> None:
        from . import waiting  # noqa: F401  the receivers that drop stale valuations
