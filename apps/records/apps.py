from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """The client's rights to their record: a complete copy (WGBO 7:456) and the client's own
    statement added to the record (WGBO 7:454 lid 1) (docs/privacy.md)."""

    name = "apps.records"
    label = "records"
    verbose_name = _("The client's record")

    def ready(self) -> None:
        from apps.trajectories.panels import ClientPanel, PanelSlot, client_panel_register

        from .panels import statements_panel

        client_panel_register(
            ClientPanel(
                name="records_statements",
                slot=PanelSlot.SIDE,
                order=80,
                template="records/_client_panel.html",
                context=statements_panel,
            )
        )
