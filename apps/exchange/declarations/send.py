"""Sending a declaration: the 323 written streamed to a temporary file (a large provider's
month is tens of thousands of lines), validated against our schema while it is read back,
stored byte for byte and handed to the transport.

Sources (iJw / iWmo 3.2): the JW323 / WMO323 structure (Header, Declaratie with
DeclaratieNummer, DeclaratiePeriode, DeclaratieDagtekening, TotaalIngediendBedrag, Clienten /
Client / Prestaties / Prestatie); IV086 (TotaalIngediendBedrag: debits minus credits; its sign
in DebetCredit), CS325 (an amount of 0 is D), CD060 (VorigReferentieNummer on a credit line),
CD087 (ProductTarief unless the unit is euro).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from apps.accounts.models import User
from apps.audit.models import AccessEvent
from apps.clients.models import Client
from apps.exchange.codes import MESSAGE_CODES
from apps.exchange.declarations.figures import lines_update
from apps.exchange.models import (
    DebitCredit,
    DeclarationLine,
    DeclarationRun,
    DeclarationStatus,
    Direction,
    LineStatus,
    Message,
    MessageStatus,
)
from apps.exchange.store import message_clients_log, message_next_identification, message_send
from apps.exchange.xml import (
    BASISSCHEMA_XSD_VERSION,
    MESSAGE_SUBVERSION,
    MESSAGE_VERSION,
    MESSAGE_XSD_VERSION,
    PREFIX,
    basis_namespace,
    kind_of,
    message_namespace,
    schema_for,
)

LINE_FIELDS = (
    "client__bsn",
    "reference",
    "previous_reference",
    "allocation__number",
    "allocation__category",
    "product__category",
    "product__code",
    "period_start",
    "period_end",
    "volume",
    "unit",
    "tariff_cents",
    "amount_cents",
    "debit_credit",
)


class _Writer:
    """Elements written one by one to an ``xmlfile``: nothing but the open ancestors is kept."""

    def __init__(self, xf, ns: str, basis: str) -> None:
        self.xf, self.ns, self.basis = xf, ns, basis

    def m(self, name: str):
        return self.xf.element(f"{{{self.ns}}}{name}")

    def leaf(self, name: str, text: object, *, basis: bool = False) -> None:
        with self.xf.element(f"{{{self.basis if basis else self.ns}}}{name}"):
            self.xf.write(str(text))

    def amount(self, name: str, cents: int, debit_credit: str, *, total: bool = False) -> None:
        """CDT_BedragMetDC (Bedrag) or, for a total, CDT_TotaalBedragMetDC (TotaalBedrag)."""
        with self.m(name):
            self.leaf("TotaalBedrag" if total else "Bedrag", cents, basis=True)
            self.leaf("DebetCredit", debit_credit, basis=True)

    def period(self, name: str, start, end) -> None:
        with self.m(name):
            self.leaf("Begindatum", start.isoformat(), basis=True)
            self.leaf("Einddatum", end.isoformat(), basis=True)


def declaration_write(
    *,
    run: DeclarationRun,
    identification: str,
    dated,
    path: Path,
    lines: Iterable[dict] | None = None,
) -> set[str]:
    """Write the run's 323 to ``path``, line by line; return the BSNs it names."""
    standard = run.standard
    kind = kind_of(standard, "323")
    ns, basis = message_namespace(standard, kind), basis_namespace(standard)
    nsmap = {kind.lower(): ns, PREFIX[standard]: basis}
    if lines is None:
        lines = (
            DeclarationLine.objects.filter(run=run)
            .order_by("client__bsn", "client_id", "pk")
            .values(*LINE_FIELDS)
            .iterator(chunk_size=2000)
        )
    total = run.total_cents
    bsns: set[str] = set()
    with etree.xmlfile(str(path), encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{ns}}}Bericht", nsmap=nsmap):
            w = _Writer(xf, ns, basis)
            with w.m("Header"):
                w.leaf("BerichtCode", MESSAGE_CODES[kind])
                w.leaf("BerichtVersie", MESSAGE_VERSION)
                w.leaf("BerichtSubversie", MESSAGE_SUBVERSION)
                w.leaf("Afzender", run.organisation.agb_code)
                w.leaf("Ontvanger", run.funder.code)
                with w.m("BerichtIdentificatie"):
                    w.leaf("Identificatie", identification, basis=True)
                    w.leaf("Dagtekening", dated.isoformat(), basis=True)
                with w.m("XsdVersie"):
                    w.leaf("BasisschemaXsdVersie", BASISSCHEMA_XSD_VERSION, basis=True)
                    w.leaf("BerichtXsdVersie", MESSAGE_XSD_VERSION, basis=True)
            with w.m("Declaratie"):
                w.leaf("DeclaratieNummer", run.number)
                w.period("DeclaratiePeriode", run.period_start, run.period_end)
                w.leaf("DeclaratieDagtekening", dated.isoformat())
                w.amount("TotaalIngediendBedrag", abs(total), "C" if total < 0 else "D", total=True)
                with w.m("Clienten"):
                    client_open = None
                    current = ""
                    for line in lines:
                        if line["client__bsn"] != current:
                            if client_open is not None:
                                _close(client_open)
                            current = line["client__bsn"]
                            bsns.add(current)
                            client_open = _open_client(w, current)
                        _prestatie(w, line)
                    if client_open is not None:
                        _close(client_open)
        xf.flush()
    return bsns


def _open_client(w: _Writer, bsn: str):
    client = w.m("Client")
    client.__enter__()
    w.leaf("Bsn", bsn)
    prestaties = w.m("Prestaties")
    prestaties.__enter__()
    return (prestaties, client)


def _close(opened) -> None:
    for context in opened:
        context.__exit__(None, None, None)


def _prestatie(w: _Writer, line: dict) -> None:
    with w.m("Prestatie"):
        with w.m("ProductReferentie"):
            w.leaf("ReferentieNummer", line["reference"], basis=True)
            if line["previous_reference"]:
                w.leaf("VorigReferentieNummer", line["previous_reference"], basis=True)
        w.leaf("ToewijzingNummer", line["allocation__number"])
        w.leaf("ProductCategorie", line["product__category"] or line["allocation__category"])
        w.leaf("ProductCode", line["product__code"])
        w.period("ProductPeriode", line["period_start"], line["period_end"])
        w.leaf("GeleverdVolume", line["volume"])
        w.leaf("Eenheid", line["unit"])
        if line["tariff_cents"] is not None:
            w.leaf("ProductTarief", line["tariff_cents"])
        w.amount("IngediendBedrag", line["amount_cents"], line["debit_credit"])


def declaration_file_errors(*, path: Path, standard: str) -> list[str]:
    """Validate a written 323 against our schema while reading it back element by element."""
    schema = schema_for(standard, kind_of(standard, "323"))
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), schema=schema, resolve_entities=False, no_network=True
        ):
            if etree.QName(element).localname == "Client":
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        return [str(error)]
    return _extra_rule_errors(path)


def _extra_rule_errors(path: Path) -> list[str]:
    """RS019 and CD060, which the schema leaves to us (our basisschema has no CDT_Referentie)."""
    errors = []
    for _event, element in etree.iterparse(str(path), events=("end",), no_network=True):
        if etree.QName(element).localname != "Prestatie":
            continue
        reference = element.find("./{*}ProductReferentie")
        numbers = {etree.QName(child).localname: child.text or "" for child in reference}
        credit = element.findtext("./{*}IngediendBedrag/{*}DebetCredit") == "C"
        if not 1 <= len(numbers.get("ReferentieNummer", "")) <= 20:
            errors.append("RS019: ReferentieNummer must hold 1 to 20 positions.")
        if credit != bool(numbers.get("VorigReferentieNummer")):
            errors.append("CD060: VorigReferentieNummer on a credit line, and only there.")
        element.clear(keep_tail=True)
    return errors


def _sha256_of_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def message_store_file(
    *,
    run: DeclarationRun,
    identification: str,
    dated,
    path: Path,
    client_ids: Iterable[int],
    actor: User | None,
) -> Message:
    """``message_store`` for a file on disk: the 323 is never read into memory whole."""
    kind = kind_of(run.standard, "323")
    sha256, size = _sha256_of_file(path)
    message = Message(
        organisation=run.organisation,
        direction=Direction.OUT,
        standard=run.standard,
        kind=kind,
        message_code=MESSAGE_CODES[kind],
        identification=identification,
        dated=dated,
        sender=run.organisation.agb_code,
        receiver=run.funder.code,
        funder=run.funder,
        filename=f"{kind}-{identification}.xml",
        size=size,
        sha256=sha256,
        status=MessageStatus.READY,
        client_ids=sorted(set(client_ids)),
        created_by=actor,
    )
    with open(path, "rb") as handle:
        message.file.save(f"{kind.lower()}-{sha256[:16]}.xml", File(handle), save=False)
    message.full_clean(exclude=["file"])
    message._history_user = actor
    message.save()
    clients = Client.objects.filter(pk__in=message.client_ids).only("pk", "organisation_id")
    message_clients_log(
        message=message, clients=list(clients), actor=actor, event=AccessEvent.CREATE
    )
    return message


def declaration_send(*, run: DeclarationRun, actor: User | None) -> DeclarationRun:
    """Send a draft: write, validate, store and send its 323; its lines are then locked."""
    with transaction.atomic():
        run = (
            DeclarationRun.objects.select_for_update()
            .select_related("organisation", "funder")
            .get(pk=run.pk)
        )
        if run.status != DeclarationStatus.DRAFT:
            raise ValidationError(_("This declaration was sent before."))
        if not run.lines.exists():
            raise ValidationError(_("This declaration has no lines."))
        identification = message_next_identification(organisation=run.organisation)
        dated = timezone.localdate()
        handle, name = tempfile.mkstemp(suffix=".xml", prefix="declaration-")
        os.close(handle)
        path = Path(name)
        try:
            declaration_write(run=run, identification=identification, dated=dated, path=path)
            errors = declaration_file_errors(path=path, standard=run.standard)
            if errors:
                raise ValidationError(
                    _("The declaration does not fit the schema: %(errors)s")
                    % {"errors": "; ".join(errors[:5])}
                )
            client_ids = run.lines.values_list("client_id", flat=True).distinct()
            message = message_store_file(
                run=run,
                identification=identification,
                dated=dated,
                path=path,
                client_ids=client_ids,
                actor=actor,
            )
        finally:
            path.unlink(missing_ok=True)
        # The withdrawn claims first (the constraint allows one live debit per period).
        credited = run.lines.filter(debit_credit=DebitCredit.CREDIT).values("credits_id")
        lines_update(
            DeclarationLine.objects.filter(pk__in=credited),
            status=LineStatus.SUPERSEDED,
            actor=actor,
        )
        lines_update(run.lines.all(), status=LineStatus.PENDING, actor=actor)
        run.status = DeclarationStatus.SENT
        run.message = message
        run._history_user = actor
        run.save(update_fields=["status", "message"])
        message_send(message=message, actor=actor)
    return run
