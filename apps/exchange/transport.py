"""How message files travel: pluggable transports. The folder transport is the default.

A transport moves files, nothing more: it never reads or changes a message. Receiving is
``fetch`` (the files waiting, each acknowledged once it is stored), sending is ``deliver``.
A VECOZO transport implements the same two methods (see docs/messages.md) and is chosen with
the setting ``EXCHANGE_TRANSPORT``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes
    path: Path | None = None  # where the folder transport found it


class Transport(Protocol):
    name: str

    def fetch(self) -> Iterator[IncomingFile]:
        """The files waiting to be received."""

    def acknowledge(self, incoming: IncomingFile, *, refused: bool = False) -> None:
        """The file is stored, or refused: do not offer it again."""

    def deliver(self, *, filename: str, content: bytes) -> None:
        """Send one file."""


class FolderTransport:
    """Files dropped in ``<folder>/in`` are received and moved to ``<folder>/in/done`` (or
    ``in/refused`` with the reason in the log and on the inbox page); sent
    files are written to ``<folder>/out``, for the hub's client (or a person) to pick up."""

    name = "folder"

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self.folder = Path(folder or settings.EXCHANGE_FOLDER)

    @property
    def inbox(self) -> Path:
        return self.folder / "in"

    @property
    def outbox(self) -> Path:
        return self.folder / "out"

    def fetch(self) -> Iterator[IncomingFile]:
        if not self.inbox.is_dir():
            return
        for path in sorted(self.inbox.iterdir()):
            if path.is_file() and path.suffix.lower() == ".xml":
                yield IncomingFile(name=path.name, content=path.read_bytes(), path=path)

    def acknowledge(self, incoming: IncomingFile, *, refused: bool = False) -> None:
        if incoming.path is None:
            return
        done = self.inbox / ("refused" if refused else "done")
        done.mkdir(parents=True, exist_ok=True)
        incoming.path.replace(done / incoming.path.name)

    def deliver(self, *, filename: str, content: bytes) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        # Write, then rename: a reader never sees half a file.
        partial = self.outbox / f".{filename}.partial"
        partial.write_bytes(content)
        partial.replace(self.outbox / Path(filename).name)


def transport_get() -> Transport:
    """The configured transport (``EXCHANGE_TRANSPORT``, a dotted path to its class)."""
    return import_string(settings.EXCHANGE_TRANSPORT)()
