"""Our schemas of the start and stop messages and their retours (JW305-JW308, WMO305-WMO308)
against the published 3.2 structure.

The expected element paths, cardinalities and types below are written from the documentation,
not from our schemas: the "Master overview" of the iJw 3.2 XSDs and its iWmo counterpart
(Root: Header 1..1, Client 1..1 in the 305 / 307 and 0..1 in the retours; Client: Bsn,
Geboortedatum, Geslacht, Naam, StartProducten / StopProducten, each 1..1, and RetourCodes 1..1
in the retours; StartProduct: ToewijzingNummer 0..1, Product 0..1, ToewijzingIngangsdatum
0..1, Begindatum 1..1, StatusAanlevering 1..1; StopProduct adds RedenBeeindiging and Einddatum
1..1 between Begindatum and StatusAanlevering), the header rules of the "Condities,
constraints, restricties per data-element" (Afzender an AGB code, RS036; Ontvanger a CBS code,
RS035) and COD002 (BerichtCode 438-441 in the iJw, 418-421 in the iWmo). The reasons of a stop
come from the code lists JZ588 (iJw) and WMO588 (iWmo).
"""

import datetime

import pytest
from lxml import etree

from apps.exchange.models import STOP_REASONS, Standard
from apps.exchange.xml import header_build, maker, schema_errors, schema_text

XS = "{http://www.w3.org/2001/XMLSchema}"
ONE, OPTIONAL, MANY = (1, 1), (0, 1), (1, "unbounded")

HEADER = {
    "Header/BerichtCode": ("code", ONE),
    "Header/BerichtVersie": ("3", ONE),  # CS025
    "Header/BerichtSubversie": ("2", ONE),  # CS015
    "Header/Afzender": ("b:LDT_AgbCode", ONE),  # RS014, RS036: the provider
    "Header/Ontvanger": ("b:LDT_Gemeente", ONE),  # RS035: the municipality
    "Header/BerichtIdentificatie": ("b:CDT_BerichtIdentificatie", ONE),
    "Header/XsdVersie": ("b:CDT_XsdVersie", ONE),
}
RETOUR_HEADER = {
    # IV028: the retour adds these after the header of the message it answers.
    "Header/IdentificatieRetour": ("b:LDT_IdentificatieBericht", ONE),
    "Header/DagtekeningRetour": ("b:LDT_Datum", ONE),
    "Header/XsltVersie": ("b:LDT_Versie", OPTIONAL),
    "Header/XsdVersieRetour": ("b:CDT_XsdVersie", ONE),
    "Header/RetourCodes": ("m:RetourCodes", OPTIONAL),
    "Header/RetourCodes/RetourCode": ("b:LDT_RetourCode", MANY),
}
CLIENT = {
    "Client/Bsn": ("b:LDT_BurgerServicenummer", ONE),
    "Client/Geboortedatum": ("b:CDT_Geboortedatum", ONE),
    "Client/Geslacht": ("b:LDT_Geslacht", ONE),
    "Client/Naam": ("b:CDT_VerkorteNaam", ONE),  # Master overview JW305/WMO305
}
START = {
    "Client/StartProducten": ("m:StartProducten", ONE),
    "Client/StartProducten/StartProduct": ("m:StartProduct", MANY),
    "Client/StartProducten/StartProduct/ToewijzingNummer": ("b:LDT_Nummer", OPTIONAL),
    "Client/StartProducten/StartProduct/Product": ("b:CDT_Product", OPTIONAL),
    "Client/StartProducten/StartProduct/ToewijzingIngangsdatum": ("b:LDT_Datum", OPTIONAL),
    "Client/StartProducten/StartProduct/Begindatum": ("b:LDT_Datum", ONE),
    "Client/StartProducten/StartProduct/StatusAanlevering": ("b:LDT_StatusAanlevering", ONE),
}
STOP = {
    "Client/StopProducten": ("m:StopProducten", ONE),
    "Client/StopProducten/StopProduct": ("m:StopProduct", MANY),
    "Client/StopProducten/StopProduct/ToewijzingNummer": ("b:LDT_Nummer", OPTIONAL),
    "Client/StopProducten/StopProduct/Product": ("b:CDT_Product", OPTIONAL),
    "Client/StopProducten/StopProduct/ToewijzingIngangsdatum": ("b:LDT_Datum", OPTIONAL),
    "Client/StopProducten/StopProduct/Begindatum": ("b:LDT_Datum", ONE),
    "Client/StopProducten/StopProduct/RedenBeeindiging": ("m:RedenBeeindiging", ONE),
    "Client/StopProducten/StopProduct/Einddatum": ("b:LDT_Datum", ONE),
    "Client/StopProducten/StopProduct/StatusAanlevering": ("b:LDT_StatusAanlevering", ONE),
}


def _retour(body: dict, products: str) -> dict:
    """The retour's body: the Client optional, RetourCodes last in the Client and each product."""
    expected = {"Client": ("m:Client", OPTIONAL)}
    expected.update(body)
    product = f"Client/{products}/{products[:-2]}"
    for holder in ("Client", product):
        expected[f"{holder}/RetourCodes"] = ("m:RetourCodes", ONE)
        expected[f"{holder}/RetourCodes/RetourCode"] = ("b:LDT_RetourCode", MANY)
    return expected


EXPECTED = {
    "305": {"Header": ("m:Header", ONE), "Client": ("m:Client", ONE)} | HEADER | CLIENT | START,
    "307": {"Header": ("m:Header", ONE), "Client": ("m:Client", ONE)} | HEADER | CLIENT | STOP,
    "306": {"Header": ("m:Header", ONE)}
    | HEADER
    | RETOUR_HEADER
    | _retour(CLIENT | START, "StartProducten"),
    "308": {"Header": ("m:Header", ONE)}
    | HEADER
    | RETOUR_HEADER
    | _retour(CLIENT | STOP, "StopProducten"),
}
# The order inside each class (a sequence): the published order.
ORDER = {
    "Header": [
        "BerichtCode",
        "BerichtVersie",
        "BerichtSubversie",
        "Afzender",
        "Ontvanger",
        "BerichtIdentificatie",
        "XsdVersie",
    ],
    "StopProduct": [
        "ToewijzingNummer",
        "Product",
        "ToewijzingIngangsdatum",
        "Begindatum",
        "RedenBeeindiging",
        "Einddatum",
        "StatusAanlevering",
    ],
}
CODES = {
    Standard.IJW: {"305": "438", "306": "439", "307": "440", "308": "441"},
    Standard.IWMO: {"305": "418", "306": "419", "307": "420", "308": "421"},
}


def _paths(xsd: bytes) -> tuple[dict, dict]:
    """Every element path below Bericht: its type (``m:`` our own, ``b:`` the basisschema's, or
    the fixed value of a restriction), its (minOccurs, maxOccurs); and the order per type."""
    document = etree.fromstring(xsd)
    types = {node.get("name"): node for node in document.findall(f"{XS}complexType")}
    paths: dict[str, tuple] = {}
    order: dict[str, list[str]] = {}

    def walk(type_name: str, prefix: str) -> None:
        sequence = types[type_name].find(f"{XS}sequence")
        names = []
        for element in sequence.findall(f"{XS}element"):
            name = element.get("name")
            names.append(name)
            occurs = (int(element.get("minOccurs", "1")), element.get("maxOccurs", "1"))
            occurs = (occurs[0], int(occurs[1]) if occurs[1].isdigit() else occurs[1])
            kind = element.get("type")
            if kind is None:
                pattern = element.find(f".//{XS}pattern")
                kind = "code" if name == "BerichtCode" else pattern.get("value")
            path = f"{prefix}{name}"
            paths[path] = (kind, occurs)
            if kind.startswith("m:") and kind[2:] in types:
                walk(kind[2:], f"{path}/")
        order[type_name] = names

    walk("Root", "")
    return paths, order


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
@pytest.mark.parametrize("number", ["305", "306", "307", "308"])
def test_schema_has_the_published_elements(standard, number):
    paths, order = _paths(schema_text(standard, number))
    naam_and_birth = {
        path: value
        for path, value in paths.items()
        if "/Naam/" in path or "/Geboortedatum/" in path
    }
    assert naam_and_birth == {}  # their children are the basisschema's (see the schema)
    assert paths == EXPECTED[number]
    assert order["Header"][:7] == ORDER["Header"]
    if number in ("307", "308"):
        assert [name for name in order["StopProduct"] if name != "RetourCodes"] == ORDER[
            "StopProduct"
        ]


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
@pytest.mark.parametrize("number", ["305", "306", "307", "308"])
def test_schema_fixes_the_message_code_and_namespace(standard, number):
    """COD002 (RS047) and the namespace .../<standard>/3_2/<kind>/schema."""
    document = etree.fromstring(schema_text(standard, number))
    prefix = "jw" if standard == Standard.IJW else "wmo"
    assert document.get("targetNamespace") == (
        f"http://www.istandaarden.nl/{standard}/3_2/{prefix}{number}/schema"
    )
    code = document.find(f".//{XS}element[@name='BerichtCode']//{XS}pattern")
    assert code.get("value") == CODES[standard][number]


@pytest.mark.parametrize(
    ("standard", "codes"),
    [
        # JZ588 (iJw 3.2)
        (Standard.IJW, ["02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39"]),
        # WMO588 (iWmo 3.2)
        (Standard.IWMO, ["02", "19", "20", "21", "22", "23", "31", "36", "37", "38", "39"]),
    ],
)
def test_stop_reasons_are_the_standards_code_list(standard, codes):
    document = etree.fromstring(schema_text(standard, "307"))
    reason = document.find(f"{XS}simpleType[@name='RedenBeeindiging']")
    assert [node.get("value") for node in reason.iter(f"{XS}enumeration")] == codes
    assert sorted(STOP_REASONS[standard]) == codes


def test_a_retour_with_only_its_header_fits_the_308():
    """The shape of the published example WMO308.xml: a header-only retour (everything
    accepted, IV028), with XsltVersie; our own values."""
    m, b = maker(Standard.IWMO, "WMO308")
    header = header_build(
        standard=Standard.IWMO,
        kind="WMO308",
        message_code="421",
        sender="12345678",
        receiver="0344",
        identification="000000000007",
        dated=datetime.date(2026, 3, 2),
    )
    header.append(m.IdentificatieRetour("R-77"))
    header.append(m.DagtekeningRetour("2026-03-03"))
    header.append(m.XsltVersie("1.0.0"))
    header.append(m.XsdVersieRetour(b.BasisschemaXsdVersie("1.0.0"), b.BerichtXsdVersie("1.0.0")))
    assert schema_errors(m.Bericht(header), standard=Standard.IWMO, kind="WMO308") == []
    # A 307 without its Client does not fit: the Client is 1..1 outside the retour.
    m7, _b7 = maker(Standard.IWMO, "WMO307")
    header7 = header_build(
        standard=Standard.IWMO,
        kind="WMO307",
        message_code="420",
        sender="12345678",
        receiver="0344",
        identification="000000000007",
        dated=datetime.date(2026, 3, 2),
    )
    assert schema_errors(m7.Bericht(header7), standard=Standard.IWMO, kind="WMO307") != []
