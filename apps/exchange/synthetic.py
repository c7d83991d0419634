"""Synthetic allocation messages (JW301 / WMO301) for the tests and the demo: made-up clients and
allocations in the 3.2 structure, valid against the project's own schema (``schemas/301.xsd``).

A product line is a dict with the keys of a ToegewezenProduct:

- ``number`` (ToewijzingNummer, required), ``reference`` (ReferentieAanbieder);
- ``category`` and ``code`` (Product: a specific allocation names both, an aspecific one only
  the category, a generic one neither);
- ``start`` and ``end`` (Ingangsdatum, Einddatum), ``reason`` (RedenWijziging, JZ002 / WMO002:
  a change; 13 with end = start withdraws);
- ``volume``, ``unit``, ``frequency`` (Omvang; a specific allocation only);
- ``budget_cents`` (Budget, in euro cents; aspecific and generic);
- ``assigned_on`` (Toewijzingsdatum, default the message's date), ``comment``.
"""

from __future__ import annotations

import datetime

from lxml import etree

from .codes import MESSAGE_CODES
from .xml import header_build, kind_of, maker, serialise


def jw301_file(
    *,
    standard: str,
    municipality_code: str,
    agb_code: str,
    identification: str,
    dated: datetime.date,
    bsn: str,
    birth_date: datetime.date,
    products: list[dict],
    surname: str = "Testpersoon",
    relations: int = 0,
) -> bytes:
    """A JW301 (iJw) or WMO301 (iWmo) from a municipality to a provider for one client, with
    ``relations`` made-up relations (a parent each)."""
    kind = kind_of(standard, "301")
    m, b = maker(standard, kind)
    root = m.Bericht(
        header_build(
            standard=standard,
            kind=kind,
            message_code=MESSAGE_CODES[kind],
            sender=municipality_code,
            receiver=agb_code,
            identification=identification,
            dated=dated,
        ),
        m.Client(
            m.Bsn(bsn),
            # COD170: DatumGebruik only when part of the date is unknown.
            m.Geboortedatum(b.Datum(birth_date.isoformat())),
            m.Geslacht("0"),
            m.Naam(b.Geslachtsnaam(b.Achternaam(surname)), b.NaamGebruik("1")),
            *(
                [m.Relaties(*(_relation(m, b, number) for number in range(1, relations + 1)))]
                if relations
                else []
            ),
            m.Contactgegevens(m.Contact(m.Soort("01"))),
            m.ToegewezenProducten(*(_product(m, b, line, dated) for line in products)),
        ),
    )
    return serialise(root)


def _relation(m, b, number: int) -> etree._Element:
    return m.Relatie(
        m.Nummer(str(number)),
        m.Soort("02"),
        m.Naam(b.Geslachtsnaam(b.Achternaam(f"Ouder {number}")), b.NaamGebruik("1")),
        m.Contact(m.Soort("01")),
    )


def _product(m, b, line: dict, dated: datetime.date) -> etree._Element:
    element = m.ToegewezenProduct(m.ToewijzingNummer(str(line["number"])))
    if line.get("reference"):
        element.append(m.ReferentieAanbieder(line["reference"]))
    if line.get("category"):
        product = m.Product(b.Categorie(line["category"]))
        if line.get("code"):
            product.append(b.Code(line["code"]))
        element.append(product)
    element.append(m.Toewijzingsdatum(line.get("assigned_on", dated).isoformat()))
    element.append(m.Toewijzingstijd(line.get("assigned_at", "12:00:00")))
    element.append(m.Ingangsdatum(line["start"].isoformat()))
    if line.get("end"):
        element.append(m.Einddatum(line["end"].isoformat()))
    if line.get("reason"):
        element.append(m.RedenWijziging(line["reason"]))
    if line.get("volume") is not None:
        element.append(
            m.Omvang(
                b.Volume(str(line["volume"])),
                b.Eenheid(line["unit"]),
                b.Frequentie(line["frequency"]),
            )
        )
    if line.get("budget_cents") is not None:
        element.append(m.Budget(str(line["budget_cents"])))
    if line.get("comment"):
        element.append(m.Commentaar(line["comment"]))
    return element
