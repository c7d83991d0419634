"""Our schemas of the allocation message (301) and its retour (302) against the published 3.2
structure, for the iJw (JW301, JW302) and the iWmo (WMO301, WMO302).

The expected paths, cardinalities and types below are written from the documentation of the
3.2 messages (the JW301 / JW302 summaries of the iJw XSD schemas, "Master Overview iJW
XSD-schema's", and the iWmo 3.2 WMO301 structure; both have the same structure in 3.2), not
from our XSD: element order matters (xs:sequence).
"""

import datetime

import pytest
from lxml import etree

from apps.exchange.codes import MESSAGE_CODES
from apps.exchange.models import Standard
from apps.exchange.synthetic import jw301_file
from apps.exchange.xml import (
    basis_namespace,
    kind_of,
    message_namespace,
    parse_safely,
    schema_errors,
    schema_text,
)

XS = "{http://www.w3.org/2001/XMLSchema}"

# (name, min, max, type): "b:" a basisschema type, "m:" one of the message; None where the
# documented type (LDT_Tijd, LDT_Budget, LDT_Persoonsid, LDT_RedenWijziging, ...) is not in our
# basisschema: any declared type will do there.
HEADER = [
    ("BerichtCode", 1, 1, None),  # COD002 (fixed per message)
    ("BerichtVersie", 1, 1, None),  # CS025: 3
    ("BerichtSubversie", 1, 1, None),  # CS015: 2
    ("Afzender", 1, 1, "b:LDT_Gemeente"),  # RS035
    ("Ontvanger", 1, 1, "b:LDT_AgbCode"),  # RS036
    ("BerichtIdentificatie", 1, 1, "b:CDT_BerichtIdentificatie"),
    ("XsdVersie", 1, 1, "b:CDT_XsdVersie"),
]
RETOUR_HEADER = [
    *HEADER,
    ("IdentificatieRetour", 1, 1, "b:LDT_IdentificatieBericht"),
    ("DagtekeningRetour", 1, 1, "b:LDT_Datum"),
    ("XsltVersie", 0, 1, "b:LDT_Versie"),
    ("XsdVersieRetour", 1, 1, "b:CDT_XsdVersie"),
    ("RetourCodes", 0, 1, "m:RetourCodes"),
]
CLIENT = [
    ("Bsn", 1, 1, "b:LDT_BurgerServicenummer"),
    ("Geboortedatum", 1, 1, "b:CDT_Geboortedatum"),
    ("Geslacht", 1, 1, "b:LDT_Geslacht"),
    ("Naam", 1, 1, "b:CDT_VolledigeNaam"),
    ("Communicatie", 0, 1, "b:CDT_Communicatie"),
    ("JuridischeStatus", 0, 1, None),
    ("WettelijkeVertegenwoordiging", 0, 1, None),
    ("Commentaar", 0, 1, "b:LDT_Commentaar"),
    ("Relaties", 0, 1, "m:Relaties"),
    ("Contactgegevens", 1, 1, "m:Contactgegevens"),
    ("ToegewezenProducten", 1, 1, "m:ToegewezenProducten"),
]
RELATIE = [
    ("Nummer", 1, 1, None),
    ("Volgorde", 0, 1, None),
    ("Soort", 1, 1, None),
    ("Geboortedatum", 0, 1, "b:CDT_Geboortedatum"),
    ("Geslacht", 0, 1, "b:LDT_Geslacht"),
    ("Naam", 1, 1, "b:CDT_VolledigeNaam"),
    ("Contact", 1, 1, "m:Contact"),
]
CONTACT = [
    ("Soort", 1, 1, None),
    ("Adres", 0, 1, "b:CDT_Adres"),
    ("Organisatie", 0, 1, None),
    ("Telefoon", 0, 1, "b:CDT_Telefoonnummers"),
    ("Emailadres", 0, 1, None),
    ("Periode", 0, 1, "b:CDT_OpenPeriode"),
]
TOEGEWEZEN_PRODUCT = [
    ("ToewijzingNummer", 1, 1, "b:LDT_Nummer"),
    ("ReferentieAanbieder", 0, 1, "b:LDT_Referentie"),
    ("Product", 0, 1, "b:CDT_Product"),
    ("Toewijzingsdatum", 1, 1, "b:LDT_Datum"),
    ("Toewijzingstijd", 1, 1, None),
    ("Ingangsdatum", 1, 1, "b:LDT_Datum"),
    ("Einddatum", 0, 1, "b:LDT_Datum"),
    ("RedenWijziging", 0, 1, None),
    ("Omvang", 0, 1, "b:CDT_Omvang"),
    ("Budget", 0, 1, None),
    ("Commentaar", 0, 1, "b:LDT_Commentaar"),
]
RETOUR_CODES = ("RetourCodes", 1, 1, "m:RetourCodes")


def _types(standard: str, number: str) -> tuple[dict, dict]:
    document = etree.fromstring(schema_text(standard, number))
    assert document.get("targetNamespace") == message_namespace(standard, kind_of(standard, number))
    assert document.get("elementFormDefault") == "qualified"
    types = {t.get("name"): t for t in document.iter(f"{XS}complexType", f"{XS}simpleType")}
    return document, types


def _children(types: dict, name: str, document) -> list[tuple]:
    """The sequence of a complex type as (name, min, max, type) with the prefixes normalised."""
    basis = basis_namespace_of(document)
    rows = []
    for element in types[name].find(f"{XS}sequence").findall(f"{XS}element"):
        maximum = element.get("maxOccurs", "1")
        kind = element.get("type")
        if kind is not None:
            prefix, local = kind.split(":")
            namespace = document.nsmap[prefix]
            kind = ("b:" if namespace == basis else "m:") + local
            if kind.startswith("m:") and local not in EXPECTED_MESSAGE_TYPES:
                kind = None  # a local simple type of ours
            elif kind.startswith("b:") and kind not in DOCUMENTED_BASIS_TYPES:
                kind = None  # a basisschema type of ours where the documented one is not there
        rows.append(
            (
                element.get("name"),
                int(element.get("minOccurs", "1")),
                "unbounded" if maximum == "unbounded" else int(maximum),
                kind,
            )
        )
    return rows


DOCUMENTED_BASIS_TYPES = {
    kind
    for rows in (RETOUR_HEADER, CLIENT, RELATIE, CONTACT, TOEGEWEZEN_PRODUCT)
    for _name, _min, _max, kind in rows
    if kind and kind.startswith("b:")
} | {"b:LDT_RetourCode"}

EXPECTED_MESSAGE_TYPES = {
    "Relaties",
    "Relatie",
    "Contactgegevens",
    "Contact",
    "ToegewezenProducten",
    "ToegewezenProduct",
    "RetourCodes",
    "Client",
    "Header",
}


CLASSES_301 = {
    "Root",
    "Header",
    "Client",
    "Relaties",
    "Relatie",
    "Contactgegevens",
    "Contact",
    "ToegewezenProducten",
    "ToegewezenProduct",
}


def _classes(document) -> set[str]:
    return {t.get("name") for t in document.iter(f"{XS}complexType") if t.get("name")}


def basis_namespace_of(document) -> str:
    return next(ns for ns in document.nsmap.values() if ns.endswith("/basisschema/schema"))


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
def test_the_301_schema_has_the_published_structure(standard):
    document, types = _types(standard, "301")
    assert basis_namespace_of(document) == basis_namespace(standard)
    assert _children(types, "Root", document) == [
        ("Header", 1, 1, "m:Header"),
        ("Client", 1, 1, "m:Client"),
    ]
    assert _children(types, "Header", document) == HEADER
    assert _children(types, "Client", document) == CLIENT
    assert _children(types, "Relatie", document) == RELATIE
    assert _children(types, "Contact", document) == CONTACT
    assert _children(types, "ToegewezenProduct", document) == TOEGEWEZEN_PRODUCT
    assert _children(types, "Relaties", document) == [("Relatie", 1, "unbounded", "m:Relatie")]
    assert _children(types, "Contactgegevens", document) == [
        ("Contact", 1, "unbounded", "m:Contact")
    ]
    assert _children(types, "ToegewezenProducten", document) == [
        ("ToegewezenProduct", 1, "unbounded", "m:ToegewezenProduct")
    ]
    # Every class of the schema is one checked above (no other complex type).
    assert _classes(document) == CLASSES_301
    # The only global element is Bericht; its BerichtCode is fixed (COD002: 436 / 414).
    assert [e.get("name") for e in document.findall(f"{XS}element")] == ["Bericht"]
    pattern = types["BerichtCode"].find(f"{XS}restriction/{XS}pattern").get("value")
    assert pattern == MESSAGE_CODES[kind_of(standard, "301")]


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
def test_the_302_schema_is_the_301_with_retour_codes_on_every_class(standard):
    document, types = _types(standard, "302")
    assert _children(types, "Root", document) == [
        ("Header", 1, 1, "m:Header"),
        ("Client", 0, 1, "m:Client"),  # a retour without remarks holds the header only
    ]
    assert _children(types, "Header", document) == RETOUR_HEADER
    assert _children(types, "Client", document) == [*CLIENT, RETOUR_CODES]
    assert _children(types, "Relatie", document) == [*RELATIE, RETOUR_CODES]
    assert _children(types, "Contact", document) == [*CONTACT, RETOUR_CODES]
    assert _children(types, "ToegewezenProduct", document) == [*TOEGEWEZEN_PRODUCT, RETOUR_CODES]
    assert _classes(document) == {*CLASSES_301, "RetourCodes"}
    assert _children(types, "RetourCodes", document) == [
        ("RetourCode", 1, "unbounded", "b:LDT_RetourCode")
    ]
    pattern = types["BerichtCode"].find(f"{XS}restriction/{XS}pattern").get("value")
    assert pattern == MESSAGE_CODES[kind_of(standard, "302")]  # 437 / 415


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
def test_the_synthetic_files_of_every_variant_fit_our_schema(standard):
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    products = [
        {
            "number": "1",
            "category": "45",
            "code": "45A01",
            "start": start,
            "end": end,
            "volume": 60,
            "unit": "04",
            "frequency": "2",
            "reference": "REQ-1",
        },
        {"number": "2", "category": "45", "start": start},
        {"number": "3", "category": "45", "start": start, "budget_cents": 100_000},
        {"number": "4", "start": start, "end": end, "budget_cents": 250_000, "comment": "x"},
        {
            "number": "5",
            "category": "45",
            "code": "45A01",
            "start": start,
            "end": start,
            "reason": "13",
            "volume": 1,
            "unit": "01",
            "frequency": "6",
        },
    ]
    content = jw301_file(
        standard=standard,
        municipality_code="0344",
        agb_code="73000001",
        identification="SYN-1",
        dated=datetime.date(2026, 11, 2),
        bsn="999993653",
        birth_date=datetime.date(2012, 3, 4),
        products=products,
    )
    root = parse_safely(content)
    kind = kind_of(standard, "301")
    assert schema_errors(root, standard=standard, kind=kind) == []
