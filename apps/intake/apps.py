from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Registration of a client and the trajectory's lifecycle: registration, intake,
    treatment, aftercare, closed (docs/casework.md, "Registration and lifecycle")."""

    name = "apps.intake"
    label = "intake"
    verbose_name = _("Registration and lifecycle")

    def ready(self) -> None:
        from apps.trajectories.panels import ClientPanel, PanelSlot, client_panel_register

        from . import receivers  # noqa: F401  (the trajectory_closed receiver)
        from .panels import lifecycle_panel

        client_panel_register(
            ClientPanel(
                name="lifecycle",
                slot=PanelSlot.TOP,
                order=10,
                template="intake/_lifecycle_panel.html",
                context=lifecycle_panel,
            )
        )
