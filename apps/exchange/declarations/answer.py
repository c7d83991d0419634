"""The municipality's answer to a declaration (JW325 / WMO325), and the manager's decisions
about the lines it rejected.

Sources (iJw / iWmo 3.2, "UP-OP-IV"): IV087 (one answer per declaration; DeclaratieIdentificatie
names the declaration's message; a line is accepted or rejected as a whole; accepted lines and
clients without errors are left out of the answer; a refusal on the header (level 2: code 0001)
or on the class Declaratie (e.g. 9333) means the declaration was not processed; an error on a
Client returns its lines with 0233), IV088 (the levels of the checks and their codes), IV085 (a
rejected line is never credited).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from apps.accounts.models import Organisation, User
from apps.exchange.codes import retour_outcome
from apps.exchange.declarations.figures import AMOUNT, lines_update
from apps.exchange.models import (
    DebitCredit,
    DeclarationLine,
    DeclarationRun,
    DeclarationStatus,
    Direction,
    LineStatus,
    Message,
    MessageStatus,
    Resolution,
)
from apps.exchange.retour import _codes_of
from apps.exchange.store import message_status_set, message_store
from apps.exchange.xml import Header, child, children, schema_errors, text_at

# No remark; the declaration accepted in full.
FINE = frozenset({"0200", "8001"})


def handle(
    *,
    organisation: Organisation,
    root: etree._Element,
    header: Header,
    content: bytes,
    filename: str,
    actor: User | None,
    transport: str,
) -> Message:
    """Read a 325: mark the declaration's lines accepted or rejected with their codes."""
    errors = schema_errors(root, standard=header.standard, kind=header.kind)
    head = child(root, "Header")
    declared_id = text_at(head, "DeclaratieIdentificatie", "Identificatie")
    sent = (
        Message.objects.of(organisation)
        .outbox()
        .filter(kind=header.kind.replace("325", "323"), identification=declared_id)
        .first()
    )
    run = (
        DeclarationRun.objects.select_for_update()
        .filter(message=sent, status=DeclarationStatus.SENT)
        .first()
        if sent is not None
        else None
    )

    def store(status: str, outcome: list[dict], clients=()) -> Message:
        return message_store(
            organisation=organisation,
            direction=Direction.IN,
            header=header,
            content=content,
            filename=filename,
            status=status,
            actor=actor,
            funder=run.funder if run else None,
            in_reply_to=sent,
            outcome=outcome,
            clients=clients,
            transport=transport,
        )

    if errors:
        return store(MessageStatus.REJECTED, [{"code": "", "text": e, "path": ""} for e in errors])
    if run is None:
        text = _("No declaration awaiting an answer was sent with identification %(id)s.") % {
            "id": declared_id or "?"
        }
        return store(MessageStatus.REJECTED, [{"code": "", "text": text, "path": "Header"}])

    references = set(run.lines.values_list("reference", flat=True))
    header_codes = _codes_of(head)
    answer = child(root, "DeclaratieAntwoord")
    answer_codes = _codes_of(answer) if answer is not None else []
    outcome = retour_outcome(header_codes, "Header") + retour_outcome(
        answer_codes, "DeclaratieAntwoord"
    )
    refused = set(header_codes) - FINE or set(answer_codes) - FINE or answer is None
    rejected: dict[str, list[str]] = {}
    if refused:
        # Not processed at all (IV087): every line is rejected with the codes given.
        codes = sorted((set(header_codes) | set(answer_codes)) - FINE) or ["0001"]
        rejected = dict.fromkeys(references, codes)
    else:
        clients = child(answer, "Clienten")
        for client in children(clients, "Client") if clients is not None else []:
            client_codes = [code for code in _codes_of(client) if code not in FINE]
            prestaties = child(client, "Prestaties")
            for prestatie in children(prestaties, "Prestatie") if prestaties is not None else []:
                reference = text_at(prestatie, "ProductReferentie", "ReferentieNummer")
                codes = [code for code in _codes_of(prestatie) if code not in FINE]
                codes = codes or client_codes
                outcome += retour_outcome(codes, f"Prestatie {reference}")
                if codes and reference in references:
                    rejected[reference] = codes
    # IV087: the lines the answer leaves out are accepted as claimed, in one statement.
    accepted = run.lines.exclude(reference__in=list(rejected)) if not refused else run.lines.none()
    lines_update(
        accepted, status=LineStatus.ACCEPTED, retour_codes=[], accepted_cents=AMOUNT, actor=actor
    )
    named = []
    rejected_lines = run.lines.filter(reference__in=list(rejected)) if not refused else run.lines
    for line in rejected_lines.select_related("client"):
        line.status, line.retour_codes, line.accepted_cents = (
            LineStatus.REJECTED,
            rejected[line.reference],
            0,
        )
        line._history_user = actor
        line.save(update_fields=["status", "retour_codes", "accepted_cents"])
        named.append(line.client)
        if line.debit_credit == DebitCredit.CREDIT and line.credits_id:
            # The credit did not go through: the claim it withdrew stands (IV085).
            lines_update(
                DeclarationLine.objects.filter(pk=line.credits_id),
                status=LineStatus.ACCEPTED,
                actor=actor,
            )
    granted = dict(
        run.lines.filter(status=LineStatus.ACCEPTED)
        .values_list("debit_credit")
        .annotate(total=Sum("accepted_cents"))
    )
    accepted_total = (granted.get(DebitCredit.DEBIT) or 0) - (granted.get(DebitCredit.CREDIT) or 0)
    # IV087: the answer names only the clients of the lines it rejects.
    message = store(MessageStatus.PROCESSED, outcome, clients=set(named))
    run.status = DeclarationStatus.ANSWERED
    run.answer = message
    run.accepted_cents = accepted_total
    run._history_user = actor
    run.save(update_fields=["status", "answer", "accepted_cents"])
    if not rejected:
        result = MessageStatus.ACCEPTED
    elif len(rejected) == len(references):
        result = MessageStatus.REFUSED
    else:
        result = MessageStatus.PARTLY_ACCEPTED
    message_status_set(message=sent, status=result, actor=actor, outcome=outcome)
    return message


@transaction.atomic
def declaration_line_resolve(
    *, line: DeclarationLine, resolution: str, reason: str = "", actor: User
) -> DeclarationLine:
    """The manager's decision about a rejected line: corrected (the next draft of its month
    declares it again) or dropped (never declared again; a reason is required)."""
    line = DeclarationLine.objects.select_for_update().get(pk=line.pk)
    if line.status != LineStatus.REJECTED or line.resolution:
        raise ValidationError(_("Only a rejected line without a decision can be decided on."))
    if line.debit_credit != DebitCredit.DEBIT:
        raise ValidationError(_("A rejected credit line is not declared again."))
    if resolution not in (Resolution.CORRECTED, Resolution.DROPPED):
        raise ValidationError(_("Choose whether the line was corrected or is dropped."))
    if resolution == Resolution.DROPPED and not reason.strip():
        raise ValidationError({"reason": _("Say why the line is dropped.")})
    line.resolution = resolution
    line.resolution_reason = reason.strip()
    line.resolved_by = actor
    line.resolved_at = timezone.now()
    line._history_user = actor
    line.save(update_fields=["resolution", "resolution_reason", "resolved_by", "resolved_at"])
    return line
