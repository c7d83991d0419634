"""The project's schemas of the requests (315, 317), the answer (319) and their retours (316,
318, 320) hold what the published iJw / iWmo 3.2 structure says: the element paths in order,
their cardinalities and types, written here from the documentation and checked against the
rendered XSDs of both standards.

Sources (Zorginstituut Nederland, iJw / iWmo release 3.2, read in public copies): the XSD
summaries of JW315-JW320 and WMO315-WMO320 (classes, child elements, types, cardinalities),
"Condities, constraints, restricties per data-element" (RS024: ReferentieAanbieder at most 36;
RS008: VerzoekAntwoord 1 position, WJ760; RS009: RedenAfwijzingVerzoek at most 2, WJ759;
RS005: Budget at most 99999999; RS025: NaamVerwijzer at most 64), the code lists WJ758
(RedenVerzoek), WJ759, WJ760 (1 Verzoek afgewezen, 2 Aanvraag in onderzoek), COD327 (type of
referrer) and the example messages WMO316, WMO318 and WMO320 (rebuilt below from their values).
Only the iJw has GezagsdragerBekend (315) and Woonplaatsbeginsel (319, 320; IV095).
"""

import datetime

import pytest
from lxml import etree

from apps.exchange.models import Standard
from apps.exchange.xml import (
    header_build,
    maker,
    schema_errors,
    schema_text,
)

XS = "{http://www.w3.org/2001/XMLSchema}"
UNBOUNDED = "n"

# (element, cardinality, documented type). Types of the standard's basisschema that the
# shared basisschema.xsd lacks are declared in the message schema (see LOCAL below).
HEADER = [
    ("BerichtCode", "1..1", "BerichtCode"),
    ("BerichtVersie", "1..1", "BerichtVersie"),
    ("BerichtSubversie", "1..1", "BerichtSubversie"),
    ("Afzender", "1..1", "LDT_AgbCode"),
    ("Ontvanger", "1..1", "LDT_Gemeente"),
    ("BerichtIdentificatie", "1..1", "CDT_BerichtIdentificatie"),
    ("XsdVersie", "1..1", "CDT_XsdVersie"),
]
RETOUR_HEADER = [
    ("IdentificatieRetour", "1..1", "LDT_IdentificatieBericht"),
    ("DagtekeningRetour", "1..1", "LDT_Datum"),
    ("XsltVersie", "0..1", "LDT_Versie"),
    ("XsdVersieRetour", "1..1", "CDT_XsdVersie"),
    ("RetourCodes", "0..1", "RetourCodes"),
]
MUNICIPALITY_HEADER = [
    (name, card, {"LDT_AgbCode": "LDT_Gemeente", "LDT_Gemeente": "LDT_AgbCode"}.get(kind, kind))
    for name, card, kind in HEADER
]
CODES = ("RetourCodes", "1..1", "RetourCodes")

STRUCTURE_315 = {
    "Root": [("Header", "1..1", "Header"), ("Client", "1..1", "Client")],
    "Client": [
        ("Bsn", "1..1", "LDT_BurgerServicenummer"),
        ("Geboortedatum", "1..1", "CDT_Geboortedatum"),
        ("Geslacht", "1..1", "LDT_Geslacht"),
        ("Naam", "1..1", "CDT_VerkorteNaam"),
        ("GezagsdragerBekend", "0..1", "LDT_JaNee"),  # iJw only
        ("Commentaar", "0..1", "LDT_Commentaar"),
        ("AangevraagdeProducten", "1..1", "AangevraagdeProducten"),
    ],
    "AangevraagdeProducten": [("AangevraagdProduct", "1..n", "AangevraagdProduct")],
    "AangevraagdProduct": [
        ("ReferentieAanbieder", "1..1", "LDT_Referentie"),
        ("BeschikkingNummer", "0..1", "LDT_Nummer"),
        ("Product", "0..1", "CDT_Product"),
        ("BeschikkingIngangsdatum", "0..1", "LDT_Datum"),
        ("ToewijzingIngangsdatum", "1..1", "LDT_Datum"),
        ("ToewijzingEinddatum", "0..1", "LDT_Datum"),
        ("Omvang", "0..1", "CDT_Omvang"),
        ("Budget", "0..1", "LDT_Budget"),
        ("Verwijzer", "1..1", "CDT_Verwijzer"),
        ("Raamcontract", "0..1", "LDT_JaNee"),
        ("Commentaar", "0..1", "LDT_Commentaar"),
    ],
}
STRUCTURE_317 = {
    "Root": [("Header", "1..1", "Header"), ("Client", "1..1", "Client")],
    "Client": [("Bsn", "1..1", "LDT_BurgerServicenummer"), ("Verzoek", "1..1", "Verzoek")],
    "Verzoek": [
        ("ReferentieAanbieder", "1..1", "LDT_Referentie"),
        ("RedenVerzoek", "1..1", "LDT_RedenVerzoek"),
        ("OngewijzigdeProducten", "0..1", "OngewijzigdeProducten"),
        ("TeWijzigenProducten", "0..1", "TeWijzigenProducten"),
        ("NieuweProducten", "0..1", "NieuweProducten"),
    ],
    "OngewijzigdeProducten": [("OngewijzigdProduct", "1..n", "OngewijzigdProduct")],
    "OngewijzigdProduct": [("ToewijzingNummer", "1..1", "LDT_Nummer")],
    "TeWijzigenProducten": [("TeWijzigenProduct", "1..n", "TeWijzigenProduct")],
    "TeWijzigenProduct": [
        ("ToewijzingNummer", "1..1", "LDT_Nummer"),
        ("GewensteIngangsdatum", "1..1", "LDT_Datum"),
        ("Einddatum", "0..1", "LDT_Datum"),
        ("Omvang", "0..1", "CDT_Omvang"),
        ("Budget", "0..1", "LDT_Budget"),
    ],
    "NieuweProducten": [("NieuwProduct", "1..n", "NieuwProduct")],
    "NieuwProduct": [
        ("Product", "0..1", "CDT_Product"),
        ("GewensteIngangsdatum", "1..1", "LDT_Datum"),
        ("Einddatum", "0..1", "LDT_Datum"),
        ("Omvang", "0..1", "CDT_Omvang"),
        ("Budget", "0..1", "LDT_Budget"),
    ],
}
STRUCTURE_319 = {
    "Root": [("Header", "1..1", "Header"), ("Antwoord", "1..1", "Antwoord")],
    "Antwoord": [
        ("ReferentieAanbieder", "1..1", "LDT_Referentie"),
        ("VerzoekAntwoord", "1..1", "LDT_VerzoekAntwoord"),
        ("RedenAfwijzingVerzoek", "0..1", "LDT_RedenAfwijzingVerzoek"),
        ("Woonplaatsbeginsel", "0..1", "Woonplaatsbeginsel"),  # iJw only
    ],
    "Woonplaatsbeginsel": [("Gemeente", "1..1", "LDT_Gemeente")],  # iJw only
}
IJW_ONLY = {"GezagsdragerBekend", "Woonplaatsbeginsel"}
# The documented basisschema simple types our schemas declare in the message namespace (their
# restriction is pinned in test_the_local_types_restrict_as_documented). CDT_VerkorteNaam,
# CDT_Verwijzer and CDT_Geboortedatum are the basisschema's own (test_schema_basis.py).
LOCAL = {
    "LDT_Budget": "Budget",
    "LDT_JaNee": "JaNee",
    "LDT_RedenVerzoek": "RedenVerzoek",
    "LDT_VerzoekAntwoord": "VerzoekAntwoord",
    "LDT_RedenAfwijzingVerzoek": "RedenAfwijzingVerzoek",
}


def _retour(structure: dict, root_body: str) -> dict:
    """A retour's structure: the body 0..1, every class with its RetourCodes last."""
    retour = {}
    for name, children in structure.items():
        if name == "Root":
            retour[name] = [
                (child, "0..1" if child == root_body else card, kind)
                for child, card, kind in children
            ]
        elif name.endswith(("Producten",)) or name == "AangevraagdeProducten":
            retour[name] = children  # a list holder, not a class
        else:
            retour[name] = [*children, CODES]
    # RetourCodes: RetourCode 1..unbounded (LDT_RetourCode, RS011, WJ001).
    retour["RetourCodes"] = [("RetourCode", f"1..{UNBOUNDED}", "LDT_RetourCode")]
    return retour


CASES = {
    "315": (STRUCTURE_315, HEADER),
    "316": (_retour(STRUCTURE_315, "Client"), HEADER + RETOUR_HEADER),
    "317": (STRUCTURE_317, HEADER),
    "318": (_retour(STRUCTURE_317, "Client"), HEADER + RETOUR_HEADER),
    "319": (STRUCTURE_319, MUNICIPALITY_HEADER),
    "320": (_retour(STRUCTURE_319, "Antwoord"), MUNICIPALITY_HEADER + RETOUR_HEADER),
}


def _declared(standard: str, number: str) -> dict[str, list[tuple[str, str, str]]]:
    """Each complex type of our rendered XSD: its children (name, cardinality, type name)."""
    document = etree.fromstring(schema_text(standard, number))
    types = {}
    for complex_type in document.iter(f"{XS}complexType"):
        name = complex_type.get("name")
        children = []
        for element in complex_type.iter(f"{XS}element"):
            low = element.get("minOccurs", "1")
            high = element.get("maxOccurs", "1")
            high = UNBOUNDED if high == "unbounded" else high
            children.append(
                (element.get("name"), f"{low}..{high}", element.get("type").split(":")[-1])
            )
        types[name] = children
    return types


def _expected_type(documented: str) -> str:
    return LOCAL.get(documented, documented)


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
@pytest.mark.parametrize("number", sorted(CASES))
def test_the_schema_holds_the_documented_structure(standard, number):
    structure, header = CASES[number]
    declared = _declared(standard, number)
    assert declared["Header"] == [(n, c, _expected_type(k)) for n, c, k in header]
    for class_name, children in structure.items():
        if standard == Standard.IWMO and class_name in IJW_ONLY:
            assert class_name not in declared
            continue
        expected = [
            (name, card, _expected_type(kind))
            for name, card, kind in children
            if not (standard == Standard.IWMO and name in IJW_ONLY)
        ]
        assert declared[class_name] == expected, class_name
    # Every class of the schema is listed in the documented structure: none goes unchecked.
    documented = {
        name for name in structure if not (standard == Standard.IWMO and name in IJW_ONLY)
    }
    assert set(declared) - {"Header"} == documented


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
def test_the_local_types_restrict_as_documented(standard):
    # RS005 (Budget at most 8 nines), RS008 (1 position), RS009 (at most 2 positions).
    text = schema_text(standard, "319").decode() + schema_text(standard, "315").decode()
    assert '<xs:simpleType name="VerzoekAntwoord">' in text
    assert 'name="RedenAfwijzingVerzoek"' in text
    assert "[0-9]{1,2}" in text
    assert '<xs:maxInclusive value="99999999"/>' in text


# --- the worked examples of the standard, rebuilt from their values ------------------------


def _retour_header(m, b, *, standard, kind, sender, receiver, code, xslt=False, codes=()):
    header = header_build(
        standard=standard,
        kind=kind,
        message_code=code,
        sender=sender,
        receiver=receiver,
        identification="987654321",
        dated=datetime.date(2023, 4, 3),
    )
    header.append(m.IdentificatieRetour("RT12345"))
    header.append(m.DagtekeningRetour("2023-04-03"))
    if xslt:
        header.append(m.XsltVersie("1.0.0"))
    header.append(m.XsdVersieRetour(b.BasisschemaXsdVersie("1.0.0"), b.BerichtXsdVersie("1.0.0")))
    if codes:
        header.append(m.RetourCodes(*(m.RetourCode(code) for code in codes)))
    return header


def _codes(m, *codes):
    return m.RetourCodes(*(m.RetourCode(code) for code in codes))


def test_the_wmo316_example_fits_header_only():
    # WMO316 example: a retour without remarks is the header only (IV028).
    m, b = maker(Standard.IWMO, "WMO316")
    root = m.Bericht(
        _retour_header(
            m,
            b,
            standard=Standard.IWMO,
            kind="WMO316",
            sender="42420001",
            receiver="0384",
            code="445",
        )
    )
    assert schema_errors(root, standard=Standard.IWMO, kind="WMO316") == []


def test_the_wmo318_example_fits_with_a_code_per_class():
    # WMO318 example: OngewijzigdProduct 20071 refused with 9350 (TR350), the others 0200.
    m, b = maker(Standard.IWMO, "WMO318")
    root = m.Bericht(
        _retour_header(
            m,
            b,
            standard=Standard.IWMO,
            kind="WMO318",
            sender="65656055",
            receiver="0384",
            code="481",
            xslt=True,
            codes=["0200"],
        ),
        m.Client(
            m.Bsn("999900006"),
            m.Verzoek(
                m.ReferentieAanbieder("9003"),
                m.RedenVerzoek("1"),
                m.OngewijzigdeProducten(
                    m.OngewijzigdProduct(m.ToewijzingNummer("20071"), _codes(m, "9350"))
                ),
                m.TeWijzigenProducten(
                    m.TeWijzigenProduct(
                        m.ToewijzingNummer("20072"),
                        m.GewensteIngangsdatum("2023-04-02"),
                        m.Einddatum("2023-12-31"),
                        m.Omvang(b.Volume("10"), b.Eenheid("01"), b.Frequentie("1")),
                        _codes(m, "0200"),
                    )
                ),
                m.NieuweProducten(
                    m.NieuwProduct(
                        m.Product(b.Categorie("01"), b.Code("01A12")),
                        m.GewensteIngangsdatum("2023-04-01"),
                        m.Einddatum("2023-12-31"),
                        m.Omvang(b.Volume("20"), b.Eenheid("14"), b.Frequentie("4")),
                        _codes(m, "0200"),
                    )
                ),
                _codes(m, "0200"),
            ),
            _codes(m, "0200"),
        ),
    )
    assert schema_errors(root, standard=Standard.IWMO, kind="WMO318") == []
    # Without the Verzoek's own codes it does not fit: every class carries them.
    verzoek = root.find(".//{*}Verzoek")
    verzoek.remove(verzoek[-1])
    assert schema_errors(root, standard=Standard.IWMO, kind="WMO318")


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
def test_the_320_example_fits_in_both_standards(standard):
    # WMO320 example: reference 9003 "being investigated" (2) a second time: 9360 (TR360).
    kind = "JW320" if standard == Standard.IJW else "WMO320"
    m, b = maker(standard, kind)
    root = m.Bericht(
        _retour_header(
            m,
            b,
            standard=standard,
            kind=kind,
            sender="0384",
            receiver="65656055",
            code="489" if standard == Standard.IJW else "483",
            xslt=True,
            codes=["0200"],
        ),
        m.Antwoord(m.ReferentieAanbieder("9003"), m.VerzoekAntwoord("2"), _codes(m, "9360")),
    )
    assert schema_errors(root, standard=standard, kind=kind) == []


def test_only_the_ijw_319_names_the_responsible_municipality():
    # IV095: refused for reason 8 (woonplaatsbeginsel), the iJw answer names the municipality.
    def answer(standard, kind, code):
        m, _b = maker(standard, kind)
        return m.Bericht(
            header_build(
                standard=standard,
                kind=kind,
                message_code=code,
                sender="0344",
                receiver="73000001",
                identification="A-1",
                dated=datetime.date(2026, 11, 2),
            ),
            m.Antwoord(
                m.ReferentieAanbieder("VOT-1"),
                m.VerzoekAntwoord("1"),
                m.RedenAfwijzingVerzoek("8"),
                m.Woonplaatsbeginsel(m.Gemeente("0307")),
            ),
        )

    assert schema_errors(answer(Standard.IJW, "JW319", "488"), standard="ijw", kind="JW319") == []
    assert schema_errors(answer(Standard.IWMO, "WMO319", "482"), standard="iwmo", kind="WMO319")


def test_a_reference_longer_than_36_positions_does_not_fit():
    # RS024: ReferentieAanbieder at most 36 positions.
    m, _b = maker(Standard.IJW, "JW319")
    root = m.Bericht(
        header_build(
            standard=Standard.IJW,
            kind="JW319",
            message_code="488",
            sender="0344",
            receiver="73000001",
            identification="A-1",
            dated=datetime.date(2026, 11, 2),
        ),
        m.Antwoord(m.ReferentieAanbieder("X" * 37), m.VerzoekAntwoord("2")),
    )
    assert schema_errors(root, standard=Standard.IJW, kind="JW319")
