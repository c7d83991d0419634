from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlConfig(AppConfig):
    """Funding control, the manager's pages: the funding overview and the unfunded queue,
    funding alerts, the organisation's funding mosaic, integral pilots beside the regular
    route. It reads allocations (apps.funding) together with the care that draws on them
    (apps.trajectories), so it sits above both."""

    name = "apps.control"
    label = "control"
    verbose_name = _("Funding control")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the trajectory_closed receiver)
