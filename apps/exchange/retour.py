"""Retour messages (302, 306, 308, 316, 318, 320): building the answer to a message received,
and reading the answer to a message sent.

Source: iJw / iWmo 3.2, IV028 and IV032 (read in the public copy of "UP-OP-IV iJw release
3.2"), and the structure of the retour messages (JW302, WMO302): a retour copies the header of
the message it answers unchanged, Afzender and Ontvanger included, except its BerichtCode, and
adds IdentificatieRetour, DagtekeningRetour, XsltVersie (when it was refused on the rules
inside the message), XsdVersieRetour and RetourCodes. Its body copies the classes it is about,
each with its own RetourCodes as the last child. Exactly one retour answers a message:

- no remark: the header only, without retour codes;
- refused on a rule inside the message (level 2, the TR/CD/CS rules): the header only, with
  retour code 0001 and XsltVersie;
- refused on a rule across messages or an external source (levels 3 and 4): the header (with
  0200 when it is in order) and every class of the client concerned, each with its codes:
  0200 (no remark), 0233 (not assessed) or the code of what is wrong.

A message that does not fit its schema (level 1) gets no retour.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from lxml import etree

from .codes import MESSAGE_CODES
from .xml import (
    BASISSCHEMA_XSD_VERSION,
    MESSAGE_XSD_VERSION,
    basis_namespace,
    child,
    children,
    message_namespace,
)

# The version of our own rule checks (XsltVersie: three whole numbers, RS048).
RULES_VERSION = "1.0.0"


def retour_build(
    *,
    original: etree._Element,
    standard: str,
    retour_kind: str,
    identification: str,
    dated: datetime.date,
    header_codes: list[str] = (),
    class_codes: dict[etree._Element, list[str]] | None = None,
    refused_on_rules: bool = False,
) -> etree._Element:
    """The retour of ``original``: its header copied, the retour's own identification and date
    added, and the classes in ``class_codes`` (elements of ``original``) copied with their
    codes. ``refused_on_rules`` marks a level-2 refusal: the header only, with XsltVersie."""
    retour_ns = message_namespace(standard, retour_kind)
    basis_ns = basis_namespace(standard)
    original_ns = etree.QName(original).namespace
    nsmap = {retour_kind.lower(): retour_ns, _basis_prefix(original, basis_ns): basis_ns}

    copy = _renamed_copy(original, original_ns, retour_ns, nsmap)
    # Comments and processing instructions are not copied: walk elements only.
    mapping = dict(zip(_elements(original), _elements(copy), strict=True))
    header = child(copy, "Header")
    code = child(header, "BerichtCode")
    code.text = MESSAGE_CODES[retour_kind]

    def r(name: str, *content) -> etree._Element:
        element = etree.SubElement(header, etree.QName(retour_ns, name))
        for part in content:
            if isinstance(part, str):
                element.text = part
            else:
                element.append(part)
        return element

    def b(name: str, text: str) -> etree._Element:
        element = etree.Element(etree.QName(basis_ns, name), nsmap=nsmap)
        element.text = text
        return element

    r("IdentificatieRetour", identification)
    r("DagtekeningRetour", dated.isoformat())
    if refused_on_rules:
        r("XsltVersie", RULES_VERSION)
    r(
        "XsdVersieRetour",
        b("BasisschemaXsdVersie", BASISSCHEMA_XSD_VERSION),
        b("BerichtXsdVersie", MESSAGE_XSD_VERSION),
    )
    codes = list(header_codes) or (["0001"] if refused_on_rules else [])
    if codes:
        _append_codes(header, codes, retour_ns)

    if refused_on_rules or not class_codes:
        for element in list(copy):
            if element is not header:
                copy.remove(element)
    else:
        for element, element_codes in class_codes.items():
            _append_codes(mapping[element], element_codes, retour_ns)
    return copy


def _elements(root: etree._Element) -> list[etree._Element]:
    return [element for element in root.iter() if isinstance(element.tag, str)]


def _basis_prefix(original: etree._Element, basis_ns: str) -> str:
    for prefix, namespace in (original.nsmap or {}).items():
        if namespace == basis_ns and prefix:
            return prefix
    return "ijw" if "/ijw/" in basis_ns else "iwmo"


def _renamed_copy(
    original: etree._Element, old_ns: str, new_ns: str, nsmap: dict[str, str]
) -> etree._Element:
    """A copy of the tree with every element of ``old_ns`` moved to ``new_ns``."""

    def copy_of(element: etree._Element, parent: etree._Element | None) -> etree._Element:
        qname = etree.QName(element)
        namespace = new_ns if qname.namespace == old_ns else qname.namespace
        tag = etree.QName(namespace, qname.localname)
        new = etree.Element(tag, nsmap=nsmap) if parent is None else etree.SubElement(parent, tag)
        new.text = element.text
        for sub in element:
            if isinstance(sub.tag, str):
                copy_of(sub, new)
        return new

    return copy_of(original, None)


def _append_codes(element: etree._Element, codes: list[str], namespace: str) -> None:
    holder = etree.SubElement(element, etree.QName(namespace, "RetourCodes"))
    for code in codes:
        etree.SubElement(holder, etree.QName(namespace, "RetourCode")).text = code


# --- reading a retour -----------------------------------------------------------------------


@dataclass
class RetourReading:
    """What a retour says: the codes on its header, and the classes it returns with theirs."""

    header_codes: list[str]
    classes: list[tuple[etree._Element, list[str]]] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """No code other than 0200 (no remark) anywhere: the message was accepted."""
        codes = set(self.header_codes).union(*(set(codes) for _element, codes in self.classes))
        return codes <= {"0200"}


def retour_read(root: etree._Element) -> RetourReading:
    """The retour codes of a retour message, per class."""
    header = child(root, "Header")
    header_codes = _codes_of(header) if header is not None else []
    classes = []
    for element in root.iterdescendants():
        if element is header or (header is not None and header in element.iterancestors()):
            continue
        if not isinstance(element.tag, str) or etree.QName(element).localname == "RetourCodes":
            continue
        codes_holder = child(element, "RetourCodes")
        if codes_holder is not None:
            classes.append((element, _codes_of(element)))
    return RetourReading(header_codes=header_codes, classes=classes)


def _codes_of(element: etree._Element) -> list[str]:
    holder = child(element, "RetourCodes")
    if holder is None:
        return []
    return [(code.text or "").strip() for code in children(holder, "RetourCode")]
