from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """The treatment plan of a trajectory (Jeugdwet art. 4.1.3) and its evaluations. Above
    trajectories: it reads the goals and writes their progress through goal_update, and adds
    its warnings to the client page through a panel (apps.trajectories.panels)."""

    name = "apps.plans"
    label = "plans"
    verbose_name = _("Treatment plans")

    def ready(self) -> None:
        from apps.trajectories.panels import ClientPanel, PanelSlot, client_panel_register

        from .panels import plan_panel

        client_panel_register(
            ClientPanel(
                name="plans",
                slot=PanelSlot.TOP,
                order=30,
                template="plans/_client_panel.html",
                context=plan_panel,
            )
        )
