"""The insurer's declaration as an EI file (fixed-length records, VECOZO) and its answer.

Which standard: the ggz declaration to a health insurer is Vektis' EI standard "Declaratie
Basis en Gespecialiseerde GGZ", GZ321 (declaration) and GZ322 (answer, retourinformatie)
(docplayer.nl, "Declaratie Basis en Gespecialiseerde GGZ GZ321-GZ322"). What a ggz
declaration carries per client and per prestatie is listed by Zilveren Kruis ("Restitutienota
ggz"): the insurer's UZOVI code and the policy number, the referrer's AGB code and the
referral type, the regiebehandelaar's AGB code, the chosen care-demand type, and per prestatie
the prestatie code from code list 071, the date, the tariff, the number (1) and the AGB code of
the practitioner who delivered it.

How it is written follows the EI conventions every EI standard shares: fixed-length records
that open with a two-digit record type (01 voorlooprecord, 02 verzekerderecord, 04
prestatierecord, 99 sluitrecord), numeric fields right-aligned with leading zeros, alphanumeric
fields left-aligned with trailing spaces, dates as CCYYMMDD, amounts in euro cents, and a
closing record with the counts and the total. NOTE for a new colleague: the field positions
below are this system's; the GZ321 Berichtspecificatie [BER] (its exact positions, record
length and message code) was not among the sources we could read. Before a live exchange,
check the layout against the BER of the GZ321 version the insurers take, field by field: the
table ``RECORDS`` is the one place to change (docs/zvw.md).

A later search (docs/zvw.md, "The EI file") found no GZ3xx record layout, but VECOZO's
validation stylesheets of Vektis's generic XML declaration GDS801 (answer GDS802), whose rule
VC183 (return code 9853) requires GGZ prestaties (code list 071) from 1 January 2027 to be
submitted with GDS801 version 2.1 or higher. This writer is therefore an internal format with
the declaration's content: replace it by a GDS801 writer from the published XSD before any file
is sent to an insurer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RECORD_LENGTH = 200
STANDARD = "GZ321"
ANSWER_STANDARD = "GZ322"
VERSION = "01"
SUBVERSION = "00"
PRESTATIE_CODE_LIST = "071"  # the code list of the zorgprestatiemodel's prestaties
# Retourcode "0001": accepted without remarks (the EI retourcode list); any other code rejects.
ACCEPTED = "0001"
LINE_END = "\r\n"


@dataclass(frozen=True)
class Field:
    name: str
    start: int  # 1-based, as the EI specifications count
    length: int
    kind: str  # "N" numeric, "AN" alphanumeric


def _fields(*specs: tuple[str, int, str]) -> tuple[Field, ...]:
    fields, start = [], 1
    for name, length, kind in specs:
        fields.append(Field(name, start, length, kind))
        start += length
    if start - 1 > RECORD_LENGTH:
        raise ValueError("record longer than RECORD_LENGTH")
    return tuple(fields)


RECORDS: dict[str, tuple[Field, ...]] = {
    "01": _fields(
        ("record_type", 2, "N"),
        ("standard", 6, "AN"),
        ("version", 2, "N"),
        ("subversion", 2, "N"),
        ("uzovi", 4, "N"),
        ("provider_agb", 8, "N"),
        ("invoice_number", 12, "AN"),
        ("invoice_date", 8, "N"),
        ("period_start", 8, "N"),
        ("period_end", 8, "N"),
        ("currency", 3, "AN"),
    ),
    "02": _fields(
        ("record_type", 2, "N"),
        ("record_id", 12, "N"),
        ("bsn", 9, "N"),
        ("uzovi", 4, "N"),
        ("policy_number", 15, "AN"),
        ("birth_date", 8, "N"),
        ("family_name", 25, "AN"),
        ("initials", 6, "AN"),
        ("referrer_agb", 8, "N"),
        ("referral_type", 2, "N"),
        ("regiebehandelaar_agb", 8, "N"),
        ("care_demand_type", 4, "AN"),
    ),
    "04": _fields(
        ("record_type", 2, "N"),
        ("record_id", 12, "N"),
        ("insured_record_id", 12, "N"),
        ("code_list", 3, "N"),
        ("prestatie_code", 12, "AN"),
        ("date", 8, "N"),
        ("number", 4, "N"),
        ("practitioner_agb", 8, "N"),
        ("tariff", 8, "N"),
        ("amount", 11, "N"),
        ("debit_credit", 1, "AN"),
        ("reference", 20, "AN"),
        ("contracted", 1, "AN"),
        ("return_code", 4, "AN"),  # empty in the declaration; the answer fills it
        ("granted", 11, "N"),  # zero in the declaration; the answer fills it
    ),
    "99": _fields(
        ("record_type", 2, "N"),
        ("insured_records", 7, "N"),
        ("prestatie_records", 7, "N"),
        ("detail_records", 7, "N"),
        ("total", 11, "N"),
    ),
}


class EIError(ValueError):
    """A record or field that does not follow the layout; ``errors`` lists every one."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def ei_date(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else "0" * 8


def record_write(record_type: str, values: dict[str, object]) -> str:
    """One record from its values; a value too long for its field is an error, never cut."""
    parts = []
    for spec in RECORDS[record_type]:
        value = values.get(spec.name, record_type if spec.name == "record_type" else None)
        parts.append(_field_write(spec, value))
    return "".join(parts).ljust(RECORD_LENGTH)


def _field_write(spec: Field, value: object) -> str:
    if spec.kind == "N":
        text = "" if value is None else str(value)
        if text and not text.isdigit():
            raise EIError([f"{spec.name}: {text!r} is not numeric"])
        if len(text) > spec.length:
            raise EIError([f"{spec.name}: {text!r} is longer than {spec.length}"])
        return text.rjust(spec.length, "0")
    text = "" if value is None else str(value)
    if len(text) > spec.length:
        raise EIError([f"{spec.name}: {text!r} is longer than {spec.length}"])
    if not text.isascii():
        raise EIError([f"{spec.name}: {text!r} holds characters outside ASCII"])
    return text.ljust(spec.length)


def record_read(line: str) -> dict[str, str]:
    """A record's fields as text (numeric fields keep their zeros)."""
    record_type = line[:2]
    return {
        spec.name: line[spec.start - 1 : spec.start - 1 + spec.length]
        for spec in RECORDS[record_type]
    }


def ei_validate(text: str, *, answer: bool = False) -> list[dict[str, str]]:
    """Check every record's length, type and fields, the references and the closing record's
    counts and total; return the records read, or raise EIError listing every fault."""
    errors: list[str] = []
    records: list[dict[str, str]] = []
    lines = text.split(LINE_END)
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if len(line) != RECORD_LENGTH:
            errors.append(f"record {number}: length {len(line)}, not {RECORD_LENGTH}")
            continue
        record_type = line[:2]
        if record_type not in RECORDS:
            errors.append(f"record {number}: unknown record type {record_type!r}")
            continue
        fields = record_read(line)
        for spec in RECORDS[record_type]:
            value = fields[spec.name]
            if spec.kind == "N" and not value.isdigit():
                errors.append(f"record {number}, {spec.name}: {value!r} is not numeric")
            if spec.name in ("invoice_date", "period_start", "period_end", "date", "birth_date"):
                try:
                    date(int(value[:4]), int(value[4:6]), int(value[6:]))
                except ValueError:
                    errors.append(f"record {number}, {spec.name}: {value!r} is not a date")
        records.append(fields)
    if errors:
        raise EIError(errors)
    _check_structure(records, errors, answer=answer)
    if errors:
        raise EIError(errors)
    return records


def _check_structure(records: list[dict[str, str]], errors: list[str], *, answer: bool) -> None:
    if not records or records[0]["record_type"] != "01":
        errors.append("the file does not open with a voorlooprecord (01)")
        return
    if records[-1]["record_type"] != "99":
        errors.append("the file does not close with a sluitrecord (99)")
        return
    if records[0]["standard"].strip() != (ANSWER_STANDARD if answer else STANDARD):
        errors.append(f"the file is not a {ANSWER_STANDARD if answer else STANDARD} message")
    insured = {r["record_id"] for r in records if r["record_type"] == "02"}
    prestaties = [r for r in records if r["record_type"] == "04"]
    total = 0
    for prestatie in prestaties:
        if prestatie["insured_record_id"] not in insured:
            errors.append(f"prestatie {prestatie['record_id']}: no verzekerderecord it refers to")
        amount = int(prestatie["amount"])
        if amount != int(prestatie["tariff"]) * int(prestatie["number"]):
            errors.append(f"prestatie {prestatie['record_id']}: amount is not tariff x number")
        total += amount
    closing = records[-1]
    if int(closing["insured_records"]) != len(insured):
        errors.append("sluitrecord: the number of verzekerderecords does not match")
    if int(closing["prestatie_records"]) != len(prestaties):
        errors.append("sluitrecord: the number of prestatierecords does not match")
    if int(closing["detail_records"]) != len(records) - 2:
        errors.append("sluitrecord: the number of detail records does not match")
    if int(closing["total"]) != total:
        errors.append("sluitrecord: the total does not match the prestatierecords")
