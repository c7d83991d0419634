"""Reading the allocated products (ToegewezenProduct) of a JW301 / WMO301 into plain values."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from lxml import etree

from apps.exchange.xml import child, children, date_at, text_at
from apps.funding.models import AllocationVariant


@dataclass
class Line:
    """One ToegewezenProduct as sent; ``element`` is the element in the message (its retour
    codes are put on it)."""

    element: etree._Element
    number: str
    reference: str
    category: str
    code: str
    start: datetime.date
    end: datetime.date | None
    reason: str
    volume: int | None
    unit: str
    frequency: str
    budget_cents: int | None
    assigned_on: datetime.date | None
    assigned_at: str
    comment: str

    @property
    def variant(self) -> str:
        """IV075: a product code makes it specific, a category alone aspecific, neither
        generic."""
        if self.code:
            return AllocationVariant.SPECIFIC
        if self.category:
            return AllocationVariant.ASPECIFIC
        return AllocationVariant.GENERIC

    @property
    def withdraws(self) -> bool:
        """RedenWijziging 13 (removed) with Einddatum = Ingangsdatum (CS335)."""
        return self.reason == "13" and self.end == self.start

    @property
    def path(self) -> str:
        return f"ToegewezenProduct[ToewijzingNummer={self.number}]"

    def data(self) -> dict:
        """The product as received, for JSON fields."""
        return {
            "number": self.number,
            "reference": self.reference,
            "variant": str(self.variant),
            "category": self.category,
            "code": self.code,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "reason": self.reason,
            "volume": self.volume,
            "unit": self.unit,
            "frequency": self.frequency,
            "budget_cents": self.budget_cents,
            "assigned_on": self.assigned_on.isoformat() if self.assigned_on else None,
            "assigned_at": self.assigned_at,
            "comment": self.comment,
        }


def _int(value: str) -> int | None:
    return int(value) if value else None


def lines_read(client: etree._Element) -> list[Line]:
    """The allocated products of the message's Client (the schema has checked their form)."""
    holder = child(client, "ToegewezenProducten")
    lines = []
    for element in children(holder, "ToegewezenProduct") if holder is not None else []:
        lines.append(
            Line(
                element=element,
                number=text_at(element, "ToewijzingNummer"),
                reference=text_at(element, "ReferentieAanbieder"),
                category=text_at(element, "Product", "Categorie"),
                code=text_at(element, "Product", "Code"),
                start=date_at(element, "Ingangsdatum"),
                end=date_at(element, "Einddatum"),
                reason=text_at(element, "RedenWijziging"),
                volume=_int(text_at(element, "Omvang", "Volume")),
                unit=text_at(element, "Omvang", "Eenheid"),
                frequency=text_at(element, "Omvang", "Frequentie"),
                budget_cents=_int(text_at(element, "Budget")),
                assigned_on=date_at(element, "Toewijzingsdatum"),
                assigned_at=text_at(element, "Toewijzingstijd"),
                comment=text_at(element, "Commentaar"),
            )
        )
    return lines


def line_from_data(data: dict) -> dict:
    """The JSON of ``Line.data`` with its dates as dates again."""
    parsed = dict(data)
    for key in ("start", "end", "assigned_on"):
        parsed[key] = datetime.date.fromisoformat(data[key]) if data.get(key) else None
    return parsed
