"""Sections that apps above this one add to the client page.

The client page (views.client_detail) belongs to this app, but much of what a caseworker
must see there belongs to apps above it: the next appointment, the treatment plan's
warnings, a safety notice. Those apps may not be imported from here (the layers of
pyproject.toml), so they register a panel in their AppConfig.ready():

    client_panel_register(ClientPanel(
        name="agenda", slot=PanelSlot.TOP, order=20,
        template="agenda/_client_panel.html", context=next_appointment_panel,
    ))

`context(request, client, access, trajectory)` returns the template's context, or None when
the panel has nothing to show this user (the wrong lane, no trajectory, nothing planned). It
checks what `access` allows by itself. A panel is part of the client page, whose read is logged
once ("client page"), so a panel writes no entry of its own unless the privacy officer must be
able to tell its showing apart (the safety notice shown to a teacher or job coach). Panels
render in `order` within their slot.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import HttpRequest

from apps.clients.models import Client

from .access import ClientAccess
from .models import Trajectory


class PanelSlot(StrEnum):
    TOP = "top"  # under the client's header: notices, warnings, what is next
    SIDE = "side"  # after the goals: plans, registers, anything a lane adds


PanelContext = Callable[[HttpRequest, Client, ClientAccess, Trajectory | None], dict | None]


@dataclass(frozen=True)
class ClientPanel:
    name: str
    slot: PanelSlot
    order: int
    template: str
    context: PanelContext


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    template: str
    context: dict[str, Any]


_PANELS: dict[str, ClientPanel] = {}


def client_panel_register(panel: ClientPanel) -> None:
    """Adds (or, under the same name, replaces) a panel; called from AppConfig.ready()."""
    _PANELS[panel.name] = panel


def client_panels_for(
    request: HttpRequest, *, client: Client, access: ClientAccess, trajectory: Trajectory | None
) -> dict[str, list[RenderedPanel]]:
    """The panels that have something for this user, per slot, in order."""
    slots: dict[str, list[RenderedPanel]] = {slot.value: [] for slot in PanelSlot}
    for panel in sorted(_PANELS.values(), key=lambda p: (p.slot, p.order, p.name)):
        context = panel.context(request, client, access, trajectory)
        if context is not None:
            slots[panel.slot.value].append(RenderedPanel(panel.name, panel.template, context))
    return slots


# --- extra columns of "my clients" (views.client_list) ---------------------------------------
#
# The same pattern for the client list: an app above this one adds a column in its
# AppConfig.ready():
#
#     client_list_column_register(ClientListColumn(
#         name="agenda", header=_("Next appointment"), order=20,
#         template="agenda/_client_list_cell.html", values=next_appointment_column,
#     ))
#
# `values(clients, user)` gets the list's clients (already logged by the list as read) and
# returns {client_id: value} in ONE query, whatever the number of clients, so the list's
# query count stays constant; the template renders one cell with `value` (None when the
# client has none).

ColumnValues = Callable[[list[Client], Any], dict[int, Any]]


@dataclass(frozen=True)
class ClientListColumn:
    name: str
    header: str
    order: int
    template: str
    values: ColumnValues


@dataclass(frozen=True)
class RenderedCell:
    template: str
    value: Any


_COLUMNS: dict[str, ClientListColumn] = {}


def client_list_column_register(column: ClientListColumn) -> None:
    """Adds (or, under the same name, replaces) a column; called from AppConfig.ready()."""
    _COLUMNS[column.name] = column


def client_list_columns_for(
    *, clients: list[Client], user
) -> tuple[list[str], dict[int, list[RenderedCell]]]:
    """The extra columns' headers, and each client's cells in the same order."""
    columns = sorted(_COLUMNS.values(), key=lambda c: (c.order, c.name))
    cells: dict[int, list[RenderedCell]] = {client.pk: [] for client in clients}
    for column in columns:
        values = column.values(clients, user) if clients else {}
        for client in clients:
            cells[client.pk].append(RenderedCell(column.template, values.get(client.pk)))
    return [column.header for column in columns], cells
