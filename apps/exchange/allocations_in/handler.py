"""Receiving an allocation message (JW301 iJw, WMO301 iWmo) and answering it with its retour
(JW302, WMO302).

Sources: iJw / iWmo 3.2 (Zorginstituut Nederland): IV028 and IV032 (the levels of checking and
what the retour holds), the WJ001 retour codes with their TR rules, IV066 (what an allocation
may change), IV075 (the variants: specific, aspecific, generic), and the constraints CS002
(BSN eleven-test), CS335 / CS336 (RedenWijziging 13 and 01), CS338 and CD076 (unit and
frequency).

Levels (IV028): a message that does not fit the schema is stored REJECTED with the schema's
errors and is not answered (level 1). A rule inside the message that fails (level 2) refuses it
with 0001 on the header and XsltVersie. A rule across messages or our data (levels 3 and 4:
the municipality's contract, the products, the allocation numbers) refuses it with the client's
classes, each with its code. Nothing is changed by a refused message: its work is done in a
transaction that is rolled back. Every 301 that fits the schema gets exactly one 302.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree

from apps.accounts.models import Organisation, User
from apps.clients.models import Client
from apps.exchange.codes import STREAM_OF_STANDARD
from apps.exchange.models import (
    Direction,
    Message,
    MessageStatus,
    ReceivedAllocation,
    WaitingAllocation,
)
from apps.exchange.requests import allocation_request_honoured
from apps.exchange.retour import retour_build
from apps.exchange.store import (
    message_next_identification,
    message_send,
    message_status_set,
    message_store,
)
from apps.exchange.xml import (
    Header,
    child,
    children,
    date_at,
    header_read,
    kind_of,
    schema_errors,
    serialise,
)
from apps.exchange.xml import text_at as _text_at
from apps.funding.models import (
    Allocation,
    AllocationSource,
    ChangeReason,
    Contract,
    Funder,
    FunderKind,
    Product,
)
from apps.trajectories.allocations import allocation_replace
from apps.trajectories.assignment import allocation_change, allocation_register

from .lines import lines_read
from .rules import (
    Plan,
    duplicates,
    entry,
    header_rules,
    inside_rules,
    line_plan,
    pair_replacements,
)


class _Refused(Exception):
    """Rolls the message's work back (raised inside its transaction)."""


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
    """Handle one JW301 / WMO301 (registered in ``apps.exchange.incoming.HANDLERS``)."""
    funder = Funder.objects.filter(kind=FunderKind.MUNICIPALITY, code=header.sender).first()
    store = {
        "organisation": organisation,
        "direction": Direction.IN,
        "header": header,
        "content": content,
        "filename": filename,
        "actor": actor,
        "funder": funder,
        "transport": transport,
    }
    errors = schema_errors(root, standard=header.standard, kind=header.kind)
    if errors:  # level 1: stored, not answered
        return message_store(
            **store,
            status=MessageStatus.REJECTED,
            outcome=[entry("", error) for error in errors],
        )
    client_element = child(root, "Client")
    bsn = _text_at(client_element, "Bsn")
    lines = lines_read(client_element)
    client = Client.objects.filter(organisation=organisation, bsn=bsn).first() if bsn else None

    problems = inside_rules(bsn=bsn, lines=lines)
    if problems:  # level 2: the header with 0001 and XsltVersie
        message = message_store(**store, status=MessageStatus.REJECTED, outcome=problems)
        _answer(message=message, root=root, header=header, actor=actor, refused_on_rules=True)
        return message

    message = message_store(
        **store, status=MessageStatus.RECEIVED, clients=[client] if client else []
    )
    header_problem = header_rules(organisation=organisation, header=header, funder=funder)
    if header_problem:
        message_status_set(
            message=message, status=MessageStatus.REJECTED, actor=actor, outcome=[header_problem]
        )
        _answer(
            message=message,
            root=root,
            header=header,
            actor=actor,
            header_codes=[header_problem["code"]],
        )
        return message

    contracts = list(
        Contract.objects.filter(
            funder=funder,
            organisation=organisation,
            stream__code=STREAM_OF_STANDARD[header.standard],
        ).order_by("start", "pk")
    )
    plans = [
        line_plan(line=line, funder=funder, contracts=contracts, bsn=bsn, client=client)
        for line in lines
    ]
    duplicates(plans)
    pair_replacements(plans)
    waiting = 0
    try:
        with transaction.atomic():
            if any(plan.code for plan in plans):
                raise _Refused
            for plan in plans:
                waiting += _carry_out(
                    plan=plan,
                    plans=plans,
                    message=message,
                    client=client,
                    bsn=bsn,
                    client_element=client_element,
                    actor=actor,
                )
    except _Refused:
        waiting = 0
        outcome = [entry(plan.code, plan.text, plan.line.path) for plan in plans if plan.code]
        message_status_set(
            message=message, status=MessageStatus.REJECTED, actor=actor, outcome=outcome
        )
        _answer(
            message=message,
            root=root,
            header=header,
            actor=actor,
            header_codes=["0200"],
            class_codes=_class_codes(client_element, plans),
        )
        return message
    if waiting:
        outcome = [
            entry(
                "",
                ngettext(
                    "No client with this BSN yet: %(count)s allocated product waits until a "
                    "caseworker links it to the client.",
                    "No client with this BSN yet: %(count)s allocated products wait until a "
                    "caseworker links them to the client.",
                    waiting,
                )
                % {"count": waiting},
            )
        ]
        message_status_set(
            message=message, status=MessageStatus.WAITING, actor=actor, outcome=outcome
        )
    else:
        message_status_set(message=message, status=MessageStatus.PROCESSED, actor=actor)
    _answer(message=message, root=root, header=header, actor=actor)
    return message


def _carry_out(
    *,
    plan: Plan,
    plans: list[Plan],
    message: Message,
    client: Client | None,
    bsn: str,
    client_element: etree._Element,
    actor: User | None,
) -> int:
    """Do what the plan says; return 1 when the product waits for its client. A service that
    refuses marks the line and rolls the whole message back."""
    line = plan.line
    try:
        if plan.action == "withdraw":
            allocation = allocation_change(
                allocation=plan.existing,
                actor=actor,
                reason=ChangeReason.REMOVED,
                end=plan.existing.start,
                by_message=True,
            )
        elif plan.action == "change":
            allocation = allocation_change(
                allocation=plan.existing,
                actor=actor,
                reason=line.reason,
                by_message=True,
                **plan.changes,
            )
        elif plan.action in ("same", "replaced"):
            return 0  # nothing changes / the new line does the work
        elif client is None:
            WaitingAllocation.objects.create(
                message=message,
                bsn=bsn,
                birth_date=date_at(client_element, "Geboortedatum", "Datum"),
                product={
                    **line.data(),
                    "contract_id": plan.contract.pk,
                    "product_id": plan.product.pk if plan.product else None,
                },
            )
            return 1
        elif plan.replaces is not None:
            ender = plan.replaces
            allocation, _matched = allocation_replace(
                allocation=ender.existing,
                actor=actor,
                reason=ender.line.reason,
                number=line.number,
                volume=line.volume,
                frequency=line.frequency or None,
                start=line.start,
                end=line.end,
                unit=line.unit or None,
                product=plan.product,
                budget_cents=line.budget_cents,
                by_message=True,
            )
        else:
            allocation = allocation_from_line(
                client=client,
                data=line.data(),
                contract=plan.contract,
                product=plan.product,
                actor=actor,
            )
        received_record(message=message, allocation=allocation, data=line.data())
        if line.data().get("reference"):
            _request_honoured(
                reference=line.data()["reference"], allocation=allocation, actor=actor
            )
    except ValidationError as error:
        plan.code = error.code if getattr(error, "code", None) in ("9359", "9379") else "0001"
        plan.text = "; ".join(error.messages)
        for other in plans:
            if other is not plan and not other.code:
                other.code, other.text = "0233", ""
        raise _Refused from error
    return 0


def _request_honoured(*, reference: str, allocation: Allocation, actor: User | None) -> None:
    """An allocated product that names our ReferentieAanbieder answers our request for it: the
    request is honoured. A reference that names no request of ours is refused (TR379: 9379)."""
    if (
        allocation_request_honoured(
            provider_reference=reference, allocation=allocation, actor=actor
        )
        is None
    ):
        raise ValidationError(
            _("ReferentieAanbieder %(reference)s names no request of this organisation (TR379).")
            % {"reference": reference},
            code="9379",
        )


def allocation_from_line(
    *,
    client: Client,
    data: dict,
    contract: Contract,
    product: Product | None,
    actor: User | None,
) -> Allocation:
    """Register the allocation of one received product (``Line.data``) for its client."""
    start = datetime.date.fromisoformat(data["start"])
    end = datetime.date.fromisoformat(data["end"]) if data.get("end") else None
    allocation, _matched = allocation_register(
        client=client,
        product=product,
        number=data["number"],
        volume=data["volume"] if product is not None else None,
        frequency=data["frequency"] or None,
        start=start,
        end=end,
        actor=actor,
        unit=data["unit"] or None,
        variant=data["variant"],
        category=data["category"] if product is None else "",
        contract=contract,
        budget_cents=data["budget_cents"] if product is None else None,
        source=AllocationSource.MESSAGE,
    )
    return allocation


def received_record(*, message: Message, allocation: Allocation, data: dict) -> None:
    """Keep which message brought (or last changed) the allocation, and its product as sent."""
    ReceivedAllocation.objects.update_or_create(
        allocation=allocation,
        defaults={
            "message": message,
            "provider_reference": data.get("reference") or "",
            "product": data,
        },
    )


# --- the retour ------------------------------------------------------------------------------


def _class_codes(client_element: etree._Element, plans: list[Plan]) -> dict:
    """IV028 level 3: every class of the client with its codes (0200: no remark)."""
    codes: dict[etree._Element, list[str]] = {client_element: ["0200"]}
    relations = child(client_element, "Relaties")
    for relation in children(relations, "Relatie") if relations is not None else []:
        codes[relation] = ["0200"]
        contact = child(relation, "Contact")
        if contact is not None:
            codes[contact] = ["0200"]
    details = child(client_element, "Contactgegevens")
    for contact in children(details, "Contact") if details is not None else []:
        codes[contact] = ["0200"]
    for plan in plans:
        codes[plan.line.element] = [plan.code or "0200"]
    return codes


def _answer(
    *,
    message: Message,
    root: etree._Element,
    header: Header,
    actor: User | None,
    header_codes: list[str] = (),
    class_codes: dict | None = None,
    refused_on_rules: bool = False,
) -> Message:
    """Build, store and send the one retour (JW302 / WMO302) of the message."""
    retour = retour_build(
        original=root,
        standard=header.standard,
        retour_kind=kind_of(header.standard, "302"),
        identification=message_next_identification(organisation=message.organisation),
        dated=timezone.localdate(),
        header_codes=list(header_codes),
        class_codes=class_codes,
        refused_on_rules=refused_on_rules,
    )
    content = serialise(retour)
    answer = message_store(
        organisation=message.organisation,
        direction=Direction.OUT,
        header=header_read(retour),
        content=content,
        filename=f"{kind_of(header.standard, '302')}-{message.identification}.xml",
        status=MessageStatus.READY,
        actor=actor,
        funder=message.funder,
        in_reply_to=message,
        transport=message.transport,
    )
    return message_send(message=answer, actor=actor)
