"""Reading and writing iJw / iWmo 3.2 XML: a hardened parser, the namespaces, the header, and
validation against the project's own schemas (``apps/exchange/schemas``).

Sources (iJw / iWmo release 3.2, Zorginstituut Nederland; read in the public copies of the
"Condities, constraints, restricties per data-element" of iJw and iWmo 3.2): the header holds
BerichtCode (RS010, 3 positions, COD002), BerichtVersie (CS025: 3), BerichtSubversie (CS015: 2),
Afzender and Ontvanger (a municipality: RS035, 4 digits; a provider: RS036, its 8-digit AGB
code), BerichtIdentificatie (Identificatie, at most 12 positions, RS017; Dagtekening, a date
without a time zone, RS032) and XsdVersie (BasisschemaXsdVersie, BerichtXsdVersie: three whole
numbers separated by dots, RS048).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from .codes import MESSAGE_CODES
from .models import Standard

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
# A monthly declaration of a large provider is a few MB; anything near this is not a message.
MAX_MESSAGE_BYTES = 20 * 1024 * 1024
RELEASE = "3_2"
MESSAGE_VERSION = "3"  # CS025
MESSAGE_SUBVERSION = "2"  # CS015
# The XsdVersie the project's schemas describe (RS048: three whole numbers).
BASISSCHEMA_XSD_VERSION = "1.0.0"
MESSAGE_XSD_VERSION = "1.0.0"

PREFIX = {Standard.IJW: "ijw", Standard.IWMO: "iwmo"}
KIND_PREFIX = {Standard.IJW: "JW", Standard.IWMO: "WMO"}


class MessageUnreadable(ValueError):
    """The file is not a message we can read: too large, not XML, not iJw / iWmo 3.2."""


def basis_namespace(standard: str) -> str:
    return f"http://www.istandaarden.nl/{PREFIX[standard]}/{RELEASE}/basisschema/schema"


def message_namespace(standard: str, kind: str) -> str:
    """The namespace of a message, e.g. http://www.istandaarden.nl/ijw/3_2/jw301/schema."""
    return f"http://www.istandaarden.nl/{PREFIX[standard]}/{RELEASE}/{kind.lower()}/schema"


_NAMESPACE = re.compile(
    r"^http://www\.istandaarden\.nl/(?P<standard>ijw|iwmo)/(?P<release>\d+_\d+)/"
    r"(?P<kind>(?:jw|wmo)\d{3})/schema$"
)


def kind_of(standard: str, number: str) -> str:
    """JW301, WMO323: the message's name from its standard and number."""
    return f"{KIND_PREFIX[standard]}{number}"


def _parser() -> etree.XMLParser:
    # No DTDs, no entities, no network, no huge trees (lxml then also limits the depth):
    # a message is plain XML, and anything else is refused before it is read.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )


def parse_safely(content: bytes) -> etree._Element:
    """Parse a message file; raise ``MessageUnreadable`` for anything that is not one."""
    if len(content) > MAX_MESSAGE_BYTES:
        raise MessageUnreadable(
            f"The file is {len(content):,} bytes; a message is at most {MAX_MESSAGE_BYTES:,}."
        )
    if b"<!DOCTYPE" in content[:4096].upper() or b"<!ENTITY" in content.upper():
        raise MessageUnreadable("The file holds a DOCTYPE or an entity; a message holds neither.")
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise MessageUnreadable(f"The file is not well-formed XML: {error}") from error
    if root is None:
        raise MessageUnreadable("The file is empty.")
    return root


@dataclass(frozen=True)
class MessageType:
    standard: str
    kind: str  # JW301
    namespace: str


def message_type_of(root: etree._Element) -> MessageType:
    """Which message this is, from the namespace of its root element ``Bericht``."""
    qname = etree.QName(root)
    match = _NAMESPACE.match(qname.namespace or "")
    if qname.localname != "Bericht" or match is None:
        raise MessageUnreadable(
            "This is not an iJw or iWmo message: its root must be Bericht in an iStandaarden "
            f"namespace, not {qname.text}."
        )
    if match["release"] != RELEASE:
        raise MessageUnreadable(
            f"This message is of release {match['release'].replace('_', '.')}; this system "
            "reads release 3.2."
        )
    standard = Standard.IJW if match["standard"] == "ijw" else Standard.IWMO
    kind = match["kind"].upper()
    expected = KIND_PREFIX[standard]
    if not kind.startswith(expected):
        raise MessageUnreadable(f"{kind} is not a message of the {standard} standard.")
    return MessageType(standard=standard, kind=kind, namespace=qname.namespace)


class _BasisschemaResolver(etree.Resolver):
    """Serves the basisschema of one standard to the message schemas that import it."""

    def __init__(self, standard: str) -> None:
        super().__init__()
        self.standard = standard

    def resolve(self, url, pubid, context):
        if url.endswith("basisschema.xsd"):
            return self.resolve_string(schema_text(self.standard, "basisschema"), context)
        return None


def schema_text(standard: str, name: str) -> bytes:
    """A schema of the project for one standard: ``schemas/<name>.xsd`` with its placeholders
    filled in (@NS@, @BASIS@, @CODE@, @KIND@) and the parts of the other standard left out.

    The iJw and the iWmo 3.2 messages share their structure; they differ in namespace, message
    code and a few elements (marked ``<!-- ijw-only -->`` … ``<!-- /ijw-only -->``, and
    likewise ``iwmo-only``).
    """
    path = SCHEMA_DIR / f"{name}.xsd"
    if not path.exists():
        raise MessageUnreadable(f"This system has no schema for {name}.")
    text = path.read_text(encoding="utf-8")
    other = "iwmo" if standard == Standard.IJW else "ijw"
    text = re.sub(rf"<!-- {other}-only -->.*?<!-- /{other}-only -->", "", text, flags=re.DOTALL)
    kind = kind_of(standard, name) if name.isdigit() else ""
    return (
        text.replace("@NS@", message_namespace(standard, kind) if kind else "")
        .replace("@BASIS@", basis_namespace(standard))
        .replace("@CODE@", MESSAGE_CODES.get(kind, ""))
        .replace("@KIND@", kind.lower())
        .encode("utf-8")
    )


@cache
def schema_for(standard: str, kind: str) -> etree.XMLSchema:
    """The project's schema of one message (``schemas/<number>.xsd`` for the standard)."""
    parser = _parser()
    parser.resolvers.add(_BasisschemaResolver(standard))
    document = etree.fromstring(schema_text(standard, kind[-3:]), parser=parser)
    return etree.XMLSchema(document)


def schema_errors(root: etree._Element, *, standard: str, kind: str) -> list[str]:
    """What in the message does not fit its schema; empty when it fits."""
    schema = schema_for(standard, kind)
    if schema.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def maker(standard: str, kind: str) -> tuple[ElementMaker, ElementMaker]:
    """Element makers for a message's own namespace and for the basisschema."""
    ns = message_namespace(standard, kind)
    basis = basis_namespace(standard)
    nsmap = {kind.lower(): ns, PREFIX[standard]: basis}
    return ElementMaker(namespace=ns, nsmap=nsmap), ElementMaker(namespace=basis, nsmap=nsmap)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- the header -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    standard: str
    kind: str
    message_code: str
    sender: str
    receiver: str
    identification: str
    dated: datetime.date
    # A retour (302, 306, ...) copies the header of the message it answers (IV028): that
    # message's identification and date; its own are IdentificatieRetour and DagtekeningRetour.
    answers: str = ""
    answers_dated: datetime.date | None = None

    @property
    def is_retour(self) -> bool:
        return bool(self.answers)


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def child(parent: etree._Element, name: str) -> etree._Element | None:
    """The first child with this local name, whatever its namespace."""
    for element in parent:
        if isinstance(element.tag, str) and etree.QName(element).localname == name:
            return element
    return None


def children(parent: etree._Element, name: str) -> list[etree._Element]:
    return [
        element
        for element in parent
        if isinstance(element.tag, str) and etree.QName(element).localname == name
    ]


def text_at(parent: etree._Element, *path: str) -> str:
    """The text at a path of local names below ``parent``; empty when it is not there."""
    element: etree._Element | None = parent
    for name in path:
        if element is None:
            return ""
        element = child(element, name)
    return _text(element)


def date_at(parent: etree._Element, *path: str) -> datetime.date | None:
    value = text_at(parent, *path)
    return datetime.date.fromisoformat(value) if value else None


def header_read(root: etree._Element) -> Header:
    """The header of a message: who sent it to whom, its identification and date.

    A retour keeps the Afzender and Ontvanger of the message it answers (IV028): its sender is
    that message's Ontvanger, and its own identification is IdentificatieRetour.
    """
    message_type = message_type_of(root)
    header = child(root, "Header")
    if header is None:
        raise MessageUnreadable("The message has no Header.")
    try:
        dated = date_at(header, "BerichtIdentificatie", "Dagtekening")
        retour_dated = date_at(header, "DagtekeningRetour")
    except ValueError as error:
        raise MessageUnreadable(f"The header holds a date that is not a date: {error}") from error
    if dated is None:
        raise MessageUnreadable("The message's header has no Dagtekening.")
    identification = text_at(header, "BerichtIdentificatie", "Identificatie")
    retour_identification = text_at(header, "IdentificatieRetour")
    afzender, ontvanger = text_at(header, "Afzender"), text_at(header, "Ontvanger")
    if retour_identification:
        return Header(
            standard=message_type.standard,
            kind=message_type.kind,
            message_code=text_at(header, "BerichtCode"),
            sender=ontvanger,
            receiver=afzender,
            identification=retour_identification,
            dated=retour_dated or dated,
            answers=identification,
            answers_dated=dated,
        )
    return Header(
        standard=message_type.standard,
        kind=message_type.kind,
        message_code=text_at(header, "BerichtCode"),
        sender=afzender,
        receiver=ontvanger,
        identification=identification,
        dated=dated,
    )


def header_build(
    *,
    standard: str,
    kind: str,
    message_code: str,
    sender: str,
    receiver: str,
    identification: str,
    dated: datetime.date,
) -> etree._Element:
    """The Header of an outgoing message, in the order of the 3.2 structure."""
    m, b = maker(standard, kind)
    return m.Header(
        m.BerichtCode(message_code),
        m.BerichtVersie(MESSAGE_VERSION),
        m.BerichtSubversie(MESSAGE_SUBVERSION),
        m.Afzender(sender),
        m.Ontvanger(receiver),
        m.BerichtIdentificatie(b.Identificatie(identification), b.Dagtekening(dated.isoformat())),
        m.XsdVersie(
            b.BasisschemaXsdVersie(BASISSCHEMA_XSD_VERSION),
            b.BerichtXsdVersie(MESSAGE_XSD_VERSION),
        ),
    )
