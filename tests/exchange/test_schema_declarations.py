"""Our schemas of the declaration (323) and its answer (325), checked against the published
iJw / iWmo 3.2 structure.

Sources: the JW323 and JW325 rows of "Condities, constraints, restricties per data-element"
(iJw 3.2), the WMO323 structure of iWmo 3.2 and IV087 (the answer: a header naming the
declaration answered, DeclaratieIdentificatie; XsltVersie when refused on the rules inside the
message; a DeclaratieAntwoord with TotaalIngediendBedrag, TotaalToegekendBedrag, the clients
and lines it has something to say about and retour codes on each class).
"""

import pytest
from lxml import etree

from apps.exchange.xml import message_namespace, schema_errors, schema_text

XS = "{http://www.w3.org/2001/XMLSchema}"
U = "unbounded"

PRESTATIE = [
    ("ProductReferentie", "b:CDT_Referentie", "1", "1"),  # Master overview JW323/WMO323
    ("ToewijzingNummer", "b:LDT_Nummer", "1", "1"),  # RS001, RS006
    ("ProductCategorie", "b:LDT_ProductCategorie", "1", "1"),  # RS009, JZ020 / WMO020
    ("ProductCode", "b:LDT_ProductCode", "1", "1"),  # RS012, RS033
    ("ProductPeriode", "b:CDT_GeslotenPeriode", "1", "1"),  # CS337
    ("GeleverdVolume", "b:LDT_Volume", "1", "1"),  # RS001, RS005
    ("Eenheid", "b:LDT_Eenheid", "1", "1"),  # WJ756
    ("ProductTarief", "b:LDT_Bedrag", "0", "1"),  # CD087: not for euro
    ("IngediendBedrag", "b:CDT_BedragMetDC", "1", "1"),  # CS339, CS325
]
HEADER = [
    "BerichtCode",
    "BerichtVersie",
    "BerichtSubversie",
    "Afzender",
    "Ontvanger",
    "BerichtIdentificatie",
    "XsdVersie",
]

EXPECTED = {
    "323": {
        "Root": [("Header", "m:Header", "1", "1"), ("Declaratie", "m:Declaratie", "1", "1")],
        "Declaratie": [
            ("DeclaratieNummer", "m:IdentificatieDeclaratie", "1", "1"),  # RS017, CS319
            ("DeclaratiePeriode", "b:CDT_GeslotenPeriode", "1", "1"),  # CS100, CS340
            ("DeclaratieDagtekening", "b:LDT_Datum", "1", "1"),  # RS032
            ("TotaalIngediendBedrag", "b:CDT_TotaalBedragMetDC", "1", "1"),  # RS040, CS325
            ("Clienten", "m:Clienten", "1", "1"),
        ],
        "Clienten": [("Client", "m:Client", "1", U)],
        "Client": [
            ("Bsn", "b:LDT_BurgerServicenummer", "1", "1"),  # CS002, RS015, RS037
            ("Prestaties", "m:Prestaties", "1", "1"),
        ],
        "Prestaties": [("Prestatie", "m:Prestatie", "1", U)],
        "Prestatie": PRESTATIE,
    },
    "325": {
        "Root": [
            ("Header", "m:Header", "1", "1"),
            # IV087: a refusal on the rules inside the message returns the header only.
            ("DeclaratieAntwoord", "m:DeclaratieAntwoord", "0", "1"),
        ],
        "DeclaratieAntwoord": [
            ("DeclaratieNummer", "m:IdentificatieDeclaratie", "1", "1"),
            ("TotaalIngediendBedrag", "b:CDT_TotaalBedragMetDC", "1", "1"),
            ("TotaalToegekendBedrag", "b:CDT_TotaalBedragMetDC", "1", "1"),  # TR342
            # IV087: accepted lines and clients without errors are left out.
            ("Clienten", "m:Clienten", "0", "1"),
            ("RetourCodes", "m:RetourCodes", "1", "1"),
        ],
        "Clienten": [("Client", "m:Client", "1", U)],
        "Client": [
            ("Bsn", "b:LDT_BurgerServicenummer", "1", "1"),
            ("Prestaties", "m:Prestaties", "1", "1"),
            ("RetourCodes", "m:RetourCodes", "1", "1"),
        ],
        "Prestaties": [("Prestatie", "m:Prestatie", "1", U)],
        "Prestatie": [*PRESTATIE, ("RetourCodes", "m:RetourCodes", "1", "1")],
        "RetourCodes": [("RetourCode", "b:LDT_RetourCode", "1", U)],  # RS011, WJ001
    },
}
HEADERS = {
    "323": HEADER,
    "325": [
        *HEADER,
        "DeclaratieIdentificatie",
        "XsltVersie",
        "XsdVersieDeclaratie",
        "RetourCodes",
    ],
}
# The header with types and cardinalities (Master overview JW323 / WMO323 and JW325 / WMO325
# Header): the provider sends the 323 (Afzender AGB code RS036, Ontvanger municipality RS035),
# the municipality the 325; BerichtCode / BerichtVersie / BerichtSubversie are inline
# restrictions (COD002, CS025, CS015). The 325's RetourCodes is 1..1 in its header.
_FIXED = [
    ("BerichtCode", None, "1", "1"),
    ("BerichtVersie", None, "1", "1"),
    ("BerichtSubversie", None, "1", "1"),
]
HEADER_TYPES = {
    "323": [
        *_FIXED,
        ("Afzender", "b:LDT_AgbCode", "1", "1"),
        ("Ontvanger", "b:LDT_Gemeente", "1", "1"),
        ("BerichtIdentificatie", "b:CDT_BerichtIdentificatie", "1", "1"),
        ("XsdVersie", "b:CDT_XsdVersie", "1", "1"),
    ],
    "325": [
        *_FIXED,
        ("Afzender", "b:LDT_Gemeente", "1", "1"),
        ("Ontvanger", "b:LDT_AgbCode", "1", "1"),
        ("BerichtIdentificatie", "b:CDT_BerichtIdentificatie", "1", "1"),
        ("XsdVersie", "b:CDT_XsdVersie", "1", "1"),
        ("DeclaratieIdentificatie", "b:CDT_BerichtIdentificatie", "1", "1"),
        ("XsltVersie", "b:LDT_Versie", "0", "1"),
        ("XsdVersieDeclaratie", "b:CDT_XsdVersie", "1", "1"),
        ("RetourCodes", "m:RetourCodes", "1", "1"),
    ],
}
CODES = {
    ("ijw", "323"): "490",
    ("iwmo", "323"): "484",
    ("ijw", "325"): "491",
    ("iwmo", "325"): "485",
}
STANDARDS = [("ijw", "JW"), ("iwmo", "WMO")]


def _types(standard: str, number: str) -> dict[str, list[tuple[str, str, str, str]]]:
    root = etree.fromstring(schema_text(standard, number))
    types = {}
    for complex_type in root.iter(f"{XS}complexType"):
        name = complex_type.get("name")
        if name is None:
            continue
        types[name] = [
            (
                element.get("name"),
                element.get("type"),
                element.get("minOccurs", "1"),
                element.get("maxOccurs", "1"),
            )
            for element in complex_type.iter(f"{XS}element")
        ]
    return types


@pytest.mark.parametrize("standard", ["ijw", "iwmo"])
@pytest.mark.parametrize("number", ["323", "325"])
def test_the_classes_hold_the_published_elements(standard, number):
    types = _types(standard, number)
    for name, expected in EXPECTED[number].items():
        assert types[name] == expected, name
    assert [element[0] for element in types["Header"]] == HEADERS[number]
    assert types["Header"] == HEADER_TYPES[number]
    # Every class of the schema is listed above: nothing in it goes unchecked.
    assert set(types) == {*EXPECTED[number], "Header"}


@pytest.mark.parametrize("standard", ["ijw", "iwmo"])
@pytest.mark.parametrize("number", ["323", "325"])
def test_namespace_and_message_code(standard, number):
    prefix = dict(STANDARDS)[standard]
    root = etree.fromstring(schema_text(standard, number))
    assert root.get("targetNamespace") == message_namespace(standard, f"{prefix}{number}")
    patterns = [p.get("value") for p in root.iter(f"{XS}pattern")]
    assert CODES[(standard, number)] in patterns  # RS047, COD002


def _declaration(standard: str, *, number: str = "D2025100001", extra: str = "") -> bytes:
    prefix = dict(STANDARDS)[standard]
    ns = message_namespace(standard, f"{prefix}323")
    basis = f"http://www.istandaarden.nl/{standard}/3_2/basisschema/schema"
    code = CODES[(standard, "323")]
    return f"""<m:Bericht xmlns:m="{ns}" xmlns:b="{basis}">
  <m:Header><m:BerichtCode>{code}</m:BerichtCode><m:BerichtVersie>3</m:BerichtVersie>
    <m:BerichtSubversie>2</m:BerichtSubversie><m:Afzender>12345678</m:Afzender>
    <m:Ontvanger>0344</m:Ontvanger>
    <m:BerichtIdentificatie><b:Identificatie>1</b:Identificatie>
      <b:Dagtekening>2025-11-05</b:Dagtekening></m:BerichtIdentificatie>
    <m:XsdVersie><b:BasisschemaXsdVersie>1.0.0</b:BasisschemaXsdVersie>
      <b:BerichtXsdVersie>1.0.0</b:BerichtXsdVersie></m:XsdVersie></m:Header>
  <m:Declaratie><m:DeclaratieNummer>{number}</m:DeclaratieNummer>
    <m:DeclaratiePeriode><b:Begindatum>2025-10-01</b:Begindatum>
      <b:Einddatum>2025-10-31</b:Einddatum></m:DeclaratiePeriode>
    <m:DeclaratieDagtekening>2025-11-05</m:DeclaratieDagtekening>
    <m:TotaalIngediendBedrag><b:TotaalBedrag>24690</b:TotaalBedrag><b:DebetCredit>D</b:DebetCredit>
    </m:TotaalIngediendBedrag>
    <m:Clienten><m:Client><m:Bsn>999999990</m:Bsn><m:Prestaties><m:Prestatie>
      <m:ProductReferentie><b:ReferentieNummer>R1</b:ReferentieNummer></m:ProductReferentie>
      <m:ToewijzingNummer>1002</m:ToewijzingNummer><m:ProductCategorie>46</m:ProductCategorie>
      <m:ProductCode>46A01</m:ProductCode>
      <m:ProductPeriode><b:Begindatum>2025-10-01</b:Begindatum>
        <b:Einddatum>2025-10-31</b:Einddatum></m:ProductPeriode>
      <m:GeleverdVolume>2</m:GeleverdVolume><m:Eenheid>04</m:Eenheid>
      <m:ProductTarief>12345</m:ProductTarief>
      <m:IngediendBedrag><b:Bedrag>24690</b:Bedrag><b:DebetCredit>D</b:DebetCredit>
      </m:IngediendBedrag>{extra}
    </m:Prestatie></m:Prestaties></m:Client></m:Clienten></m:Declaratie></m:Bericht>""".encode()


@pytest.mark.parametrize(("standard", "prefix"), STANDARDS)
def test_a_declaration_written_from_the_structure_validates(standard, prefix):
    root = etree.fromstring(_declaration(standard))
    assert schema_errors(root, standard=standard, kind=f"{prefix}323") == []


@pytest.mark.parametrize(("standard", "prefix"), STANDARDS)
@pytest.mark.parametrize(
    "number",
    [
        "D-2025",  # CS319: letters and digits only
        "D202510000011",  # RS017: at most 12 positions (this is 13)
    ],
)
def test_a_declaration_number_breaking_the_rules_is_refused(standard, prefix, number):
    root = etree.fromstring(_declaration(standard, number=number))
    assert schema_errors(root, standard=standard, kind=f"{prefix}323")


@pytest.mark.parametrize(("standard", "prefix"), STANDARDS)
def test_a_line_with_an_element_out_of_place_is_refused(standard, prefix):
    root = etree.fromstring(_declaration(standard, extra="<m:ProductTarief>1</m:ProductTarief>"))
    assert schema_errors(root, standard=standard, kind=f"{prefix}323")
