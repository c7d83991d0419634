from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    """Safety notices on a client (docs/corrections.md), shown at the top of the client page; the
    meldcode and reports to the inspectorate (docs/privacy.md), the care team's only."""

    name = "apps.safety"
    label = "safety"
    verbose_name = _("Safety notices")

    def ready(self) -> None:
        from apps.trajectories.panels import ClientPanel, PanelSlot, client_panel_register

        from .panels import meldcode_panel, safety_notice_panel

        client_panel_register(
            ClientPanel(
                name="safety",
                slot=PanelSlot.TOP,
                order=0,  # first: it is about the client's safety
                template="safety/_client_panel.html",
                context=safety_notice_panel,
            )
        )
        client_panel_register(
            ClientPanel(
                name="meldcode",
                slot=PanelSlot.TOP,
                order=1,  # right after the safety notice: a step that stalls is urgent
                template="safety/_meldcode_panel.html",
                context=meldcode_panel,
            )
        )
