from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "apps.agenda"
    label = "agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from apps.trajectories.panels import (
            ClientListColumn,
            ClientPanel,
            PanelSlot,
            client_list_column_register,
            client_panel_register,
        )
        from apps.trajectories.signals import trajectory_closed

        from .panels import next_appointment_column, next_appointments_panel
        from .receivers import appointments_cancel_on_closing

        client_panel_register(
            ClientPanel(
                name="agenda",
                slot=PanelSlot.TOP,
                order=20,
                template="agenda/_client_panel.html",
                context=next_appointments_panel,
            )
        )
        client_list_column_register(
            ClientListColumn(
                name="agenda",
                header=_("Next appointment"),
                order=20,
                template="agenda/_client_list_cell.html",
                values=next_appointment_column,
            )
        )
        trajectory_closed.connect(
            appointments_cancel_on_closing, dispatch_uid="agenda_cancel_on_closing"
        )
