from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZvwConfig(AppConfig):
    """GGZ after 18 as the health insurers pay it (Zvw): the client's insurer and referral,
    consults registered as the zorgprestatiemodel asks, the prestaties derived from them, and
    the monthly declaration to each insurer (docs/zvw.md)."""

    name = "apps.zvw"
    label = "zvw"
    verbose_name = _("GGZ under the Zvw")

    def ready(self) -> None:
        from apps.trajectories.panels import ClientPanel, PanelSlot, client_panel_register
        from apps.trajectories.routes import funding_route_register

        from .panels import zvw_route_panel
        from .route import zvw_route_decide

        funding_route_register("zvw", zvw_route_decide)
        client_panel_register(
            ClientPanel(
                name="zvw",
                slot=PanelSlot.TOP,
                order=30,
                template="zvw/_client_panel.html",
                context=zvw_route_panel,
            )
        )
