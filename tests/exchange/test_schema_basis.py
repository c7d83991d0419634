"""The project's basisschema (apps/exchange/schemas/basisschema.xsd) against the published 3.2
structure, and the published example messages, rebuilt here from their values, against our
message schemas.

Sources (public copies in i-Sociaal-Lab/jaapjunior):
- the "Master Overview iJW XSD-schema's" and its WMO counterpart: which CDT each message element
  has (e.g. JW323/WMO323 ProductReferentie: CDT_Referentie; JW305 Naam: CDT_VerkorteNaam;
  JW315 Verwijzer: CDT_Verwijzer; JW301 Communicatie / Adres / Telefoon);
- the WMO302, WMO306, WMO308, WMO316 and WMO325 example messages
  (packages/api/wmo/bronnen/berichten/): the children of CDT_Adres, CDT_Huis,
  CDT_Telefoonnummers, CDT_Communicatie, CDT_Referentie and CDT_TotaalBedragMetDC (whose
  amount is named TotaalBedrag, not Bedrag);
- the restrictions RSxxx of "Condities, constraints, restricties per data-element" (iJw / iWmo
  3.2) and the code lists named per type (COD002, COD043, COD046, COD170, COD327, COD467, COD700,
  JZ020 / WMO020, WJ001, WJ756, WMO757), as summarised in the research notes
  (research/ijw32-core.md, section 5).
"""

import datetime

import pytest
from lxml import etree

from apps.exchange.codes import MESSAGE_CODES
from apps.exchange.models import Standard
from apps.exchange.retour import retour_build
from apps.exchange.xml import (
    basis_namespace,
    kind_of,
    message_namespace,
    schema_errors,
    schema_text,
)

XS = "{http://www.w3.org/2001/XMLSchema}"
U = "unbounded"
STANDARDS = [Standard.IJW, Standard.IWMO]

# Every composite type: its children in order as (name, min, max, type).
CDT = {
    # Header (research notes section 2: CDT_BerichtIdentificatie, RS017 / RS032)
    "CDT_BerichtIdentificatie": [
        ("Identificatie", 1, 1, "LDT_IdentificatieBericht"),
        ("Dagtekening", 1, 1, "LDT_Datum"),
    ],
    # RS048; IV034 (copied from the XSDs' appinfo)
    "CDT_XsdVersie": [
        ("BasisschemaXsdVersie", 1, 1, "LDT_Versie"),
        ("BerichtXsdVersie", 1, 1, "LDT_Versie"),
    ],
    # COD170: DatumGebruik only when part of the date is unknown (CS139); the WMO302 example
    # has a Geboortedatum with Datum only.
    "CDT_Geboortedatum": [
        ("Datum", 1, 1, "LDT_Datum"),
        ("DatumGebruik", 0, 1, "LDT_DatumGebruik"),
    ],
    "CDT_Achternaam": [  # RS028, RS016
        ("Achternaam", 1, 1, "LDT_Naam"),
        ("Voorvoegsel", 0, 1, "LDT_Voorvoegsel"),
    ],
    # "Geslachtsnaam, eventueel Partnernaam, Voornamen en/of Voorletters en NaamGebruik"
    # (Master overview, Client/Naam of 301); WMO302 example.
    "CDT_VolledigeNaam": [
        ("Geslachtsnaam", 1, 1, "CDT_Achternaam"),
        ("Partnernaam", 0, 1, "CDT_Achternaam"),
        ("Voornamen", 0, 1, "LDT_Naam"),
        ("Voorletters", 0, 1, "LDT_Voorletters"),
        ("NaamGebruik", 1, 1, "LDT_NaamGebruik"),
    ],
    # 305-308, 315, 316 Client/Naam: "aangeduid als Geslachtsnaam en eventueel Voornamen en/of
    # Voorletters" (Master overview JW305-JW308, Client/Naam)
    "CDT_VerkorteNaam": [
        ("Geslachtsnaam", 1, 1, "CDT_Achternaam"),
        ("Voornamen", 0, 1, "LDT_Naam"),
        ("Voorletters", 0, 1, "LDT_Voorletters"),
    ],
    # 315 / 316 AangevraagdProduct/Verwijzer: Type COD327, Naam RS025, ZorgverlenerCode (AGB)
    # with CD066-CD068 on which of them is filled.
    "CDT_Verwijzer": [
        ("Type", 1, 1, "LDT_TypeVerwijzer"),
        ("Naam", 0, 1, "LDT_NaamVerwijzer"),
        ("ZorgverlenerCode", 0, 1, "LDT_AgbCode"),
    ],
    # Product (WMO302 / WMO318 examples: Categorie, Code)
    "CDT_Product": [
        ("Categorie", 1, 1, "LDT_ProductCategorie"),
        ("Code", 0, 1, "LDT_ProductCode"),
    ],
    # "uitgedrukt in Volume, Eenheid en Frequentie" (Master overview, Omvang)
    "CDT_Omvang": [
        ("Volume", 1, 1, "LDT_Volume"),
        ("Eenheid", 1, 1, "LDT_Eenheid"),
        ("Frequentie", 1, 1, "LDT_Frequentie"),
    ],
    "CDT_GeslotenPeriode": [  # DeclaratiePeriode, ProductPeriode (WMO325 example)
        ("Begindatum", 1, 1, "LDT_Datum"),
        ("Einddatum", 1, 1, "LDT_Datum"),
    ],
    "CDT_OpenPeriode": [  # "Begindatum en/of een einddatum" (Contact/Periode)
        ("Begindatum", 1, 1, "LDT_Datum"),
        ("Einddatum", 0, 1, "LDT_Datum"),
    ],
    "CDT_BedragMetDC": [  # IngediendBedrag (WMO325 example); COD043
        ("Bedrag", 1, 1, "LDT_Bedrag"),
        ("DebetCredit", 1, 1, "LDT_DebetCredit"),
    ],
    "CDT_TotaalBedragMetDC": [  # TotaalIngediendBedrag / TotaalToegekendBedrag; RS040
        ("TotaalBedrag", 1, 1, "LDT_TotaalBedrag"),
        ("DebetCredit", 1, 1, "LDT_DebetCredit"),
    ],
    "CDT_Referentie": [  # 323 / 325 ProductReferentie; RS019; CD060 (previous on a credit)
        ("ReferentieNummer", 1, 1, "LDT_ReferentieNummer"),
        ("VorigReferentieNummer", 0, 1, "LDT_ReferentieNummer"),
    ],
    "CDT_Communicatie": [  # 301 / 302 Client/Communicatie (WMO302 example: Vorm, Taal)
        ("Vorm", 1, 1, "LDT_Communicatievorm"),
        ("Taal", 0, 1, "LDT_Taal"),
    ],
    # WMO302 example: Huisnummer, Huisletter, HuisnummerToevoeging, AanduidingWoonadres
    "CDT_Huis": [
        ("Huisnummer", 1, 1, "LDT_Huisnummer"),
        ("Huisletter", 0, 1, "LDT_Huisletter"),
        ("HuisnummerToevoeging", 0, 1, "LDT_HuisnummerToevoeging"),
        ("AanduidingWoonadres", 0, 1, "LDT_AanduidingWoonadres"),
    ],
    "CDT_Adres": [  # 301 / 302 Contact/Adres (WMO302 example)
        ("Huis", 0, 1, "CDT_Huis"),
        ("Postcode", 0, 1, "LDT_Postcode"),
        ("Straatnaam", 0, 1, "LDT_Straatnaam"),
        ("Plaatsnaam", 0, 1, "LDT_Plaatsnaam"),
        ("LandCode", 0, 1, "LDT_LandCode"),
    ],
    "CDT_Telefoon": [
        ("Telefoonnummer", 1, 1, "LDT_Telefoonnummer"),
        ("Landnummer", 0, 1, "LDT_Landnummer"),
    ],
    "CDT_Telefoonnummers": [  # 301 / 302 Contact/Telefoon (WMO302 example)
        ("Telefoon01", 1, 1, "CDT_Telefoon"),
        ("Telefoon02", 0, 1, "CDT_Telefoon"),
    ],
}

# Every logical type: its base and its facets, in order.
LDT = {
    "LDT_BerichtVersie": ("xs:integer", [("minInclusive", "0"), ("maxInclusive", "99")]),
    "LDT_BurgerServicenummer": ("xs:string", [("pattern", "[0-9]{9}")]),  # RS015, RS037
    "LDT_AgbCode": ("xs:string", [("pattern", "[0-9]{8}")]),  # RS014, RS036
    "LDT_Gemeente": ("xs:string", [("pattern", "[0-9]{4}")]),  # RS035
    "LDT_Datum": ("xs:date", [("pattern", "[0-9]{4}-[0-9]{2}-[0-9]{2}")]),  # RS032
    "LDT_IdentificatieBericht": ("xs:string", [("minLength", "1"), ("maxLength", "12")]),  # RS017
    "LDT_Versie": ("xs:string", [("pattern", r"[0-9]+\.[0-9]+\.[0-9]+")]),  # RS048
    "LDT_RetourCode": ("xs:string", [("minLength", "1"), ("maxLength", "4")]),  # RS011, WJ001
    "LDT_Nummer": ("xs:integer", [("minInclusive", "0"), ("maxInclusive", "999999999")]),  # RS006
    "LDT_ProductCategorie": ("xs:string", [("pattern", "[0-9A-Z]{2}")]),  # RS009
    "LDT_ProductCode": ("xs:string", [("minLength", "1"), ("maxLength", "5")]),  # RS012
    "LDT_Volume": ("xs:integer", [("minInclusive", "0"), ("maxInclusive", "99999999")]),
    "LDT_Eenheid": (
        "xs:string",
        [("enumeration", v) for v in ("01", "04", "14", "16", "82", "83", "84")],
    ),  # WJ756
    "LDT_Frequentie": ("xs:string", [("enumeration", v) for v in ("1", "2", "4", "6")]),  # WMO757
    "LDT_Bedrag": ("xs:integer", [("minInclusive", "0"), ("maxInclusive", "99999999")]),  # RS005
    "LDT_TotaalBedrag": (
        "xs:integer",
        [("minInclusive", "0"), ("maxInclusive", "999999999999")],
    ),  # RS040
    "LDT_DebetCredit": ("xs:string", [("enumeration", "D"), ("enumeration", "C")]),  # COD043
    "LDT_Reden": ("xs:string", [("pattern", "[0-9]{2}")]),  # JZ002 / JZ588
    "LDT_StatusAanlevering": ("xs:string", [("enumeration", v) for v in ("1", "2", "3")]),  # COD467
    "LDT_Referentie": ("xs:string", [("minLength", "1"), ("maxLength", "36")]),  # RS024
    "LDT_ReferentieNummer": ("xs:string", [("minLength", "1"), ("maxLength", "20")]),  # RS019
    "LDT_Commentaar": ("xs:string", [("minLength", "1"), ("maxLength", "4000")]),  # RS031
    "LDT_DatumGebruik": ("xs:string", [("pattern", "[0-9]")]),  # COD170
    "LDT_Geslacht": ("xs:string", [("enumeration", v) for v in ("0", "1", "2")]),  # COD046
    "LDT_Naam": ("xs:string", [("minLength", "1"), ("maxLength", "200")]),  # RS028
    "LDT_Voorvoegsel": ("xs:string", [("minLength", "1"), ("maxLength", "10")]),  # RS016
    "LDT_Voorletters": ("xs:string", [("pattern", "[^ .]{1,6}")]),  # RS013, RS045
    "LDT_NaamGebruik": ("xs:string", [("pattern", "[0-9]")]),  # COD700
    # The address, telephone numbers and communication: "Condities, constraints, restricties
    # per data-element" iJw 3.2, JW301 Client / Contact (RS001, RS004, RS008, RS009, RS011,
    # RS014, RS018, RS020, RS021, RS026, RS046).
    "LDT_Huisnummer": ("xs:integer", [("minInclusive", "0"), ("maxInclusive", "99999")]),  # RS004
    "LDT_Huisletter": ("xs:string", [("minLength", "1"), ("maxLength", "1")]),  # RS008
    "LDT_HuisnummerToevoeging": ("xs:string", [("minLength", "1"), ("maxLength", "4")]),
    "LDT_AanduidingWoonadres": ("xs:string", [("minLength", "1"), ("maxLength", "2")]),  # RS009
    "LDT_Postcode": ("xs:string", [("minLength", "1"), ("maxLength", "8")]),
    "LDT_Straatnaam": ("xs:string", [("minLength", "1"), ("maxLength", "24")]),
    "LDT_Plaatsnaam": ("xs:string", [("minLength", "1"), ("maxLength", "80")]),
    "LDT_LandCode": ("xs:string", [("minLength", "1"), ("maxLength", "2")]),  # COD032, RS009
    "LDT_Telefoonnummer": ("xs:string", [("pattern", "[0-9]{1,15}")]),
    "LDT_Landnummer": ("xs:string", [("minLength", "1"), ("maxLength", "4")]),  # RS011
    "LDT_Communicatievorm": ("xs:string", [("pattern", "[0-9]")]),
    "LDT_Taal": ("xs:string", [("minLength", "1"), ("maxLength", "25")]),  # RS021, RS033
    "LDT_TypeVerwijzer": ("xs:string", [("pattern", "[0-9]{2}")]),  # COD327
    "LDT_NaamVerwijzer": ("xs:string", [("minLength", "1"), ("maxLength", "64")]),  # RS025
}


def _basis(standard: str):
    document = etree.fromstring(schema_text(standard, "basisschema"))
    assert document.get("targetNamespace") == basis_namespace(standard)
    assert document.get("elementFormDefault") == "qualified"
    return document


@pytest.mark.parametrize("standard", STANDARDS)
def test_every_composite_type_has_the_published_children_in_order(standard):
    document = _basis(standard)
    declared = {}
    for complex_type in document.findall(f"{XS}complexType"):
        sequence = complex_type.find(f"{XS}sequence")
        parts = [part for part in complex_type if isinstance(part.tag, str)]
        assert parts == [sequence], complex_type.get("name")  # a plain sequence
        declared[complex_type.get("name")] = [
            (
                element.get("name"),
                int(element.get("minOccurs", "1")),
                U if element.get("maxOccurs") == U else int(element.get("maxOccurs", "1")),
                element.get("type").split(":")[1],
            )
            for element in sequence
            if isinstance(element.tag, str)
        ]
    assert declared == CDT


@pytest.mark.parametrize("standard", STANDARDS)
def test_every_logical_type_has_the_published_restriction(standard):
    document = _basis(standard)
    declared = {}
    for simple_type in document.findall(f"{XS}simpleType"):
        restriction = simple_type.find(f"{XS}restriction")
        declared[simple_type.get("name")] = (
            restriction.get("base"),
            [
                (etree.QName(f).localname, f.get("value"))
                for f in restriction
                if isinstance(f.tag, str)
            ],
        )
    assert declared == LDT


@pytest.mark.parametrize(
    "number",
    [
        "301",
        "302",
        "305",
        "306",
        "307",
        "308",
        "315",
        "316",
        "317",
        "318",
        "319",
        "320",
        "323",
        "325",
    ],
)
@pytest.mark.parametrize("standard", STANDARDS)
def test_no_message_schema_accepts_unchecked_content(standard, number):
    """Every element of every message schema has a declared type: no xs:any, no open type."""
    document = etree.fromstring(schema_text(standard, number))
    assert document.find(f".//{XS}any") is None
    assert document.find(f".//{XS}anyAttribute") is None
    basis = etree.fromstring(schema_text(standard, "basisschema"))
    basis_types = {t.get("name") for t in basis if isinstance(t.tag, str)}
    local = {t.get("name") for t in document if isinstance(t.tag, str) and t.get("name")}
    for element in document.iter(f"{XS}element"):
        kind = element.get("type")
        if kind is None:  # an inline restriction (BerichtCode, BerichtVersie...)
            assert element.find(f"{XS}simpleType/{XS}restriction") is not None
            continue
        prefix, name = kind.split(":")
        namespace = document.nsmap[prefix]
        if namespace == basis_namespace(standard):
            assert name in basis_types, kind
        else:
            assert namespace == message_namespace(standard, kind_of(standard, number))
            assert name in local, kind


# --- the published examples, rebuilt from their values ---------------------------------------


class _Build:
    """E("m:Name", "text") or E("m:Name", child, ...): m the message, b the basisschema."""

    def __init__(self, standard: str, kind: str):
        self.ns = {"m": message_namespace(standard, kind), "b": basis_namespace(standard)}
        self.nsmap = {kind.lower(): self.ns["m"], standard: self.ns["b"]}

    def __call__(self, tag: str, *content) -> etree._Element:
        prefix, name = tag.split(":")
        element = etree.Element(f"{{{self.ns[prefix]}}}{name}", nsmap=self.nsmap)
        for part in content:
            if isinstance(part, str):
                element.text = part
            else:
                element.append(part)
        return element


def _header(E, standard, kind, *, sender, receiver, identification, dated, extra=()):
    return E(
        "m:Header",
        E("m:BerichtCode", MESSAGE_CODES[kind]),
        E("m:BerichtVersie", "3"),
        E("m:BerichtSubversie", "2"),
        E("m:Afzender", sender),
        E("m:Ontvanger", receiver),
        E(
            "m:BerichtIdentificatie",
            E("b:Identificatie", identification),
            E("b:Dagtekening", dated),
        ),
        E("m:XsdVersie", E("b:BasisschemaXsdVersie", "1.0.0"), E("b:BerichtXsdVersie", "1.0.0")),
        *extra,
    )


def _retour_header(E, *, identification, dated, xslt=True, codes=("0200",)):
    parts = [E("m:IdentificatieRetour", identification), E("m:DagtekeningRetour", dated)]
    if xslt:
        parts.append(E("m:XsltVersie", "1.0.0"))
    parts.append(
        E(
            "m:XsdVersieRetour",
            E("b:BasisschemaXsdVersie", "1.0.0"),
            E("b:BerichtXsdVersie", "1.0.0"),
        )
    )
    if codes:
        parts.append(_codes(E, *codes))
    return parts


def _codes(E, *codes):
    return E("m:RetourCodes", *[E("m:RetourCode", code) for code in codes])


def _contact(E, retour, *, number, letter, street, email, phones=True):
    """A Contact of the WMO302 example: an address with a house, telephone numbers, an email."""
    parts = [
        E("m:Soort", "01"),
        E(
            "m:Adres",
            E(
                "b:Huis",
                E("b:Huisnummer", number),
                E("b:Huisletter", letter),
                E("b:HuisnummerToevoeging", "BAL"),
                E("b:AanduidingWoonadres", "AB"),
            ),
            E("b:Postcode", "9999XX"),
            E("b:Straatnaam", street),
            E("b:Plaatsnaam", "plaats"),
            E("b:LandCode", "AD"),
        ),
        E("m:Organisatie", "Thuis"),
    ]
    if phones:
        parts.append(
            E(
                "m:Telefoon",
                E("b:Telefoon01", E("b:Telefoonnummer", "0101234567"), E("b:Landnummer", "0031")),
                E("b:Telefoon02", E("b:Telefoonnummer", "0201234567"), E("b:Landnummer", "0031")),
            )
        )
    parts.append(E("m:Emailadres", email))
    if retour:
        parts.append(_codes(E, "0200"))
    return E("m:Contact", *parts)


def _name(E, family, prefix, partner, partner_prefix, given, initials, use):
    return E(
        "m:Naam",
        E("b:Geslachtsnaam", E("b:Achternaam", family), E("b:Voorvoegsel", prefix)),
        E("b:Partnernaam", E("b:Achternaam", partner), E("b:Voorvoegsel", partner_prefix)),
        E("b:Voornamen", given),
        E("b:Voorletters", initials),
        E("b:NaamGebruik", use),
    )


def _client_301(E, *, retour: bool):
    """The client of the WMO302 example (a full 301 client: Communicatie, two Relaties, an
    address with telephone numbers, one product with Omvang and one with a Budget)."""

    def codes():
        return [_codes(E, "0200")] if retour else []

    def relatie(number, family, partner, given, street, house):
        return E(
            "m:Relatie",
            E("m:Nummer", number),
            E("m:Volgorde", number),
            E("m:Soort", "03"),
            E("m:Geboortedatum", E("b:Datum", "1967-01-13")),
            E("m:Geslacht", "0"),
            _name(E, family, "van", partner, "de", given, given[0], "1"),
            _contact(E, retour, number=house, letter="A", street=street, email="a@b.com"),
            *codes(),
        )

    product_1 = [
        E("m:ToewijzingNummer", "101"),
        E("m:ReferentieAanbieder", "42420002"),
        E("m:Product", E("b:Categorie", "01"), E("b:Code", "01A01")),
        E("m:Toewijzingsdatum", "2023-08-13"),
        E("m:Toewijzingstijd", "12:34:56"),
        E("m:Ingangsdatum", "2023-01-01"),
        E("m:Einddatum", "2023-12-31"),
        E("m:Omvang", E("b:Volume", "10"), E("b:Eenheid", "01"), E("b:Frequentie", "1")),
        E("m:Commentaar", "Toegewezen product 1 Commentaar"),
    ]
    product_2 = [
        E("m:ToewijzingNummer", "102"),
        E("m:ReferentieAanbieder", "42420001"),
        E("m:Toewijzingsdatum", "2023-08-13"),
        E("m:Toewijzingstijd", "12:34:56"),
        E("m:Ingangsdatum", "2023-01-01"),
        E("m:Einddatum", "2023-12-31"),
        E("m:Budget", "500000"),
        E("m:Commentaar", "Toegewezen product 2 Commentaar"),
    ]
    if retour:
        product_1.append(_codes(E, "0200"))
        product_2.append(_codes(E, "9332"))
    return E(
        "m:Client",
        E("m:Bsn", "999900006"),
        E("m:Geboortedatum", E("b:Datum", "1967-08-13")),
        E("m:Geslacht", "1"),
        _name(E, "Wit", "de", "Jansen", "van", "Tim", "T", "4"),
        E("m:Communicatie", E("b:Vorm", "1"), E("b:Taal", "Deens")),
        E("m:JuridischeStatus", "02"),
        E("m:WettelijkeVertegenwoordiging", "06"),
        E("m:Commentaar", "Client commentaar"),
        E(
            "m:Relaties",
            relatie("1", "Jansen", "Vries", "Jan", "straat", "10"),
            relatie("2", "Mentor", "Dijkhof", "Meindert", "Straatweg", "20"),
        ),
        E(
            "m:Contactgegevens",
            _contact(
                E,
                retour,
                number="100",
                letter="C",
                street="Straatweg",
                email="1@er.com",
                phones=False,
            ),
        ),
        E(
            "m:ToegewezenProducten",
            E("m:ToegewezenProduct", *product_1),
            E("m:ToegewezenProduct", *product_2),
        ),
        *codes(),
    )


@pytest.mark.parametrize("standard", STANDARDS)
def test_the_302_example_fits_and_so_does_the_301_it_answers(standard):
    """WMO302 example (packages/api/wmo/bronnen/berichten/WMO302.xml): every class of the client
    copied with its RetourCodes (IV028); CDT_Communicatie, CDT_Adres, CDT_Telefoonnummers."""
    kind_302, kind_301 = kind_of(standard, "302"), kind_of(standard, "301")
    E = _Build(standard, kind_302)
    retour = E(
        "m:Bericht",
        _header(
            E,
            standard,
            kind_302,
            sender="0384",
            receiver="42420001",
            identification="123456789012",
            dated="2023-08-13",
            extra=_retour_header(E, identification="123456TT", dated="2023-08-13"),
        ),
        _client_301(E, retour=True),
    )
    assert schema_errors(retour, standard=standard, kind=kind_302) == []

    E = _Build(standard, kind_301)
    original = E(
        "m:Bericht",
        _header(
            E,
            standard,
            kind_301,
            sender="0384",
            receiver="42420001",
            identification="123456789012",
            dated="2023-08-13",
        ),
        _client_301(E, retour=False),
    )
    assert schema_errors(original, standard=standard, kind=kind_301) == []

    # Our own 302 of that 301 (apps.exchange.retour.retour_build), with a code on every class.
    classes = [
        element
        for element in original.iter()
        if etree.QName(element).localname in ("Client", "Relatie", "Contact", "ToegewezenProduct")
    ]
    ours = retour_build(
        original=original,
        standard=standard,
        retour_kind=kind_302,
        identification="R1",
        dated=datetime.date(2023, 8, 13),
        header_codes=["0200"],
        class_codes={element: ["0200"] for element in classes},
    )
    assert schema_errors(ours, standard=standard, kind=kind_302) == []


@pytest.mark.parametrize(
    ("number", "sender", "receiver", "identification", "retour_identification", "xslt", "code"),
    [
        ("306", "65656055", "0363", "123456789013", "7ae60051-e0f", True, "8848"),  # WMO306.xml
        ("308", "65656055", "0363", "123456789013", "7ae60051-e0f", True, "8848"),  # like 306
        ("316", "42420001", "0384", "123456789012", "bf385732-a6f", False, None),  # WMO316.xml
    ],
)
@pytest.mark.parametrize("standard", STANDARDS)
def test_the_header_only_retour_examples_fit(
    standard, number, sender, receiver, identification, retour_identification, xslt, code
):
    """WMO306 / WMO316 examples: a retour without a body; the 316 without XsltVersie and
    RetourCodes (both 0..1 in the retour header)."""
    kind = kind_of(standard, number)
    E = _Build(standard, kind)
    codes = (code,) if code else ()
    root = E(
        "m:Bericht",
        _header(
            E,
            standard,
            kind,
            sender=sender,
            receiver=receiver,
            identification=identification,
            dated="2023-07-25",
            extra=_retour_header(
                E, identification=retour_identification, dated="2023-07-26", xslt=xslt, codes=codes
            ),
        ),
    )
    assert schema_errors(root, standard=standard, kind=kind) == []


def _declaration_answer(E, standard, kind, *, total_tag="b:TotaalBedrag", references=("RN001",)):
    """The WMO325 example: totals as CDT_TotaalBedragMetDC, a Prestatie with CDT_Referentie."""

    def prestatie(reference, number, code, volume, unit, tariff, amount, codes):
        return E(
            "m:Prestatie",
            E(
                "m:ProductReferentie",
                *[
                    E(f"b:{n}", v)
                    for n, v in zip(
                        ("ReferentieNummer", "VorigReferentieNummer", "Extra"),
                        reference,
                        strict=False,
                    )
                ],
            ),
            E("m:ToewijzingNummer", number),
            E("m:ProductCategorie", "01"),
            E("m:ProductCode", code),
            E("m:ProductPeriode", E("b:Begindatum", "2023-04-01"), E("b:Einddatum", "2023-04-30")),
            E("m:GeleverdVolume", volume),
            E("m:Eenheid", unit),
            E("m:ProductTarief", tariff),
            E("m:IngediendBedrag", E("b:Bedrag", amount), E("b:DebetCredit", "D")),
            _codes(E, *codes),
        )

    return E(
        "m:Bericht",
        _header(
            E,
            standard,
            kind,
            sender="0384",
            receiver="65656055",
            identification="654321987",
            dated="2023-05-06",
            extra=[
                E(
                    "m:DeclaratieIdentificatie",
                    E("b:Identificatie", "765432198"),
                    E("b:Dagtekening", "2023-05-06"),
                ),
                E("m:XsltVersie", "1.0.0"),
                E(
                    "m:XsdVersieDeclaratie",
                    E("b:BasisschemaXsdVersie", "1.0.0"),
                    E("b:BerichtXsdVersie", "1.0.0"),
                ),
                _codes(E, "0200"),
            ],
        ),
        E(
            "m:DeclaratieAntwoord",
            E("m:DeclaratieNummer", "DN001"),
            E("m:TotaalIngediendBedrag", E(total_tag, "58000"), E("b:DebetCredit", "D")),
            E("m:TotaalToegekendBedrag", E(total_tag, "24000"), E("b:DebetCredit", "D")),
            E(
                "m:Clienten",
                E(
                    "m:Client",
                    E("m:Bsn", "999900006"),
                    E(
                        "m:Prestaties",
                        prestatie(
                            references, "20072", "01A03", "4", "04", "1250", "5000", ["0611"]
                        ),
                        prestatie(
                            ("RN002",),
                            "20073",
                            "01A04",
                            "16",
                            "01",
                            "1500",
                            "24000",
                            ["9339", "9340", "9341"],
                        ),
                    ),
                    _codes(E, "0200"),
                ),
            ),
            _codes(E, "0200"),
        ),
    )


@pytest.mark.parametrize("standard", STANDARDS)
def test_the_325_example_fits(standard):
    kind = kind_of(standard, "325")
    root = _declaration_answer(_Build(standard, kind), standard, kind)
    assert schema_errors(root, standard=standard, kind=kind) == []
    # CD060: a credit line names the reference it corrects: CDT_Referentie holds both.
    root = _declaration_answer(_Build(standard, kind), standard, kind, references=("RN9", "RN1"))
    assert schema_errors(root, standard=standard, kind=kind) == []


@pytest.mark.parametrize(
    "change",
    [
        {"total_tag": "b:Bedrag"},  # CDT_TotaalBedragMetDC names its amount TotaalBedrag
        {"references": ()},  # ReferentieNummer is required
        {"references": ("RN1", "RN0", "RN2")},  # CDT_Referentie has two children at most
    ],
)
@pytest.mark.parametrize("standard", STANDARDS)
def test_a_325_breaking_the_basisschema_does_not_fit(standard, change):
    kind = kind_of(standard, "325")
    root = _declaration_answer(_Build(standard, kind), standard, kind, **change)
    assert schema_errors(root, standard=standard, kind=kind) != []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("Huisnummer", "123456"),  # at most 99999
        ("Telefoonnummer", "010-1234"),  # digits only
        ("LandCode", "NLD"),  # RS009: at most 2
        ("Vorm", ""),  # RS033: no empty element
        ("Postcode", "123456789"),  # RS014: at most 8
        ("Taal", "x" * 26),  # RS021: at most 25
        ("Huisletter", "AB"),  # RS008: 1 position
    ],
)
def test_an_address_or_phone_breaking_its_restriction_does_not_fit(path, value):
    standard = Standard.IWMO
    kind = kind_of(standard, "301")
    E = _Build(standard, kind)
    root = E(
        "m:Bericht",
        _header(
            E,
            standard,
            kind,
            sender="0384",
            receiver="42420001",
            identification="1",
            dated="2023-08-13",
        ),
        _client_301(E, retour=False),
    )
    assert schema_errors(root, standard=standard, kind=kind) == []
    element = next(e for e in root.iter() if etree.QName(e).localname == path)
    element.text = value
    assert schema_errors(root, standard=standard, kind=kind) != []


def _verkorte_naam(E, *parts):
    return E("m:Naam", *parts)


@pytest.mark.parametrize(
    ("names", "fits"),
    [
        (("Geslachtsnaam", "Voornamen", "Voorletters"), True),
        (("Geslachtsnaam",), True),
        (("Geslachtsnaam", "Voorletters", "Voornamen"), False),  # the published order
        (("Voornamen",), False),  # Geslachtsnaam 1..1
    ],
)
@pytest.mark.parametrize("standard", STANDARDS)
def test_the_short_name_of_a_305_keeps_the_published_order(standard, names, fits):
    kind = kind_of(standard, "305")
    E = _Build(standard, kind)
    parts = {
        "Geslachtsnaam": lambda: E(
            "b:Geslachtsnaam", E("b:Achternaam", "Wit"), E("b:Voorvoegsel", "de")
        ),
        "Voornamen": lambda: E("b:Voornamen", "Tim"),
        "Voorletters": lambda: E("b:Voorletters", "T"),
    }
    root = E(
        "m:Bericht",
        _header(
            E,
            standard,
            kind,
            sender="42420001",
            receiver="0384",
            identification="1",
            dated="2023-08-13",
        ),
        E(
            "m:Client",
            E("m:Bsn", "999900006"),
            E("m:Geboortedatum", E("b:Datum", "1967-08-13")),
            E("m:Geslacht", "1"),
            E("m:Naam", *[parts[name]() for name in names]),
            E(
                "m:StartProducten",
                E("m:StartProduct", E("m:Begindatum", "2023-08-14"), E("m:StatusAanlevering", "1")),
            ),
        ),
    )
    assert (schema_errors(root, standard=standard, kind=kind) == []) is fits


@pytest.mark.parametrize("number", ["301", "302"])
@pytest.mark.parametrize("standard", STANDARDS)
def test_the_order_of_a_relation_runs_from_0_to_99(standard, number):
    """JW301 Relatie / Volgorde_RelatieVolgorde: RS001 (minimum 0), RS002 (maximum 99)."""
    document = etree.fromstring(schema_text(standard, number))
    [volgorde] = [
        t for t in document.iter(f"{XS}simpleType") if t.get("name") == "LDT_RelatieVolgorde"
    ]
    restriction = volgorde.find(f"{XS}restriction")
    assert restriction.get("base") == "xs:integer"
    facets = [
        (etree.QName(f).localname, f.get("value")) for f in restriction if isinstance(f.tag, str)
    ]
    assert facets == [("minInclusive", "0"), ("maxInclusive", "99")]
