"""The start and stop of care on an allocation: telling the municipality (JW305 / JW307,
WMO305 / WMO307) and reading its answer (JW306 / JW308, WMO306 / WMO308).

Sources (iJw / iWmo release 3.2, Zorginstituut Nederland; read in the public copies of the
"Master overview" of the 3.2 XSDs, the "Condities, constraints, restricties per data-element"
and the code lists JZ588, WMO588, COD046, COD467 and WJ001):

- A 305 holds one Client (Bsn, Geboortedatum, Geslacht, Naam) with StartProducten; a 307 one
  Client with StopProducten. One message per client and municipality is what the structure
  allows (the Client is 1..1); its products are 1..n.
- The key of a StartProduct: Bsn, ToewijzingNummer, Product, Begindatum; of a StopProduct also
  RedenBeeindiging and Einddatum. StatusAanlevering 1 or 3 (CS058).
- The municipality answers each message with exactly one retour (IV028): the header only when
  it accepts everything, the header with 0001 when it refuses on a rule inside the message, or
  the classes of the client, each with its codes (0200: no remark). Refusals across messages
  are 9069 (TR069, no current start with the key of a stop), 9071 (TR071, a start that cannot
  be removed because the care was stopped), 9074 (TR074, a message with the same key was
  received before), 9326 (TR326, the current delivery has not been stopped), 9413-9415
  (TR413-TR415, a second stop).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from lxml import etree

from apps.accounts.models import Organisation, User
from apps.funding.models import Allocation, AllocationStatus, ChangeReason
from apps.trajectories.models import (
    ActivityStatus,
    FundingStatus,
    Trajectory,
    TrajectoryStatus,
)

from .codes import MESSAGE_CODES, STANDARD_OF_STREAM, retour_outcome
from .models import (
    DeliveryNotice,
    DeliveryStatus,
    Direction,
    Message,
    MessageStatus,
    NoticeKind,
    NoticeStatus,
    Standard,
)
from .retour import retour_read
from .store import message_next_identification, message_send, message_status_set, message_store
from .xml import (
    Header,
    child,
    header_build,
    header_read,
    kind_of,
    maker,
    schema_errors,
    serialise,
    text_at,
)

# The funding streams whose allocations a municipality sends as iJw / iWmo messages.
NUMBER = {NoticeKind.START: "305", NoticeKind.STOP: "307"}
PRODUCTS = {
    NoticeKind.START: ("StartProducten", "StartProduct"),
    NoticeKind.STOP: ("StopProducten", "StopProduct"),
}
# COD046 Geslacht: 0 = unknown. The system records no sex of its clients; the 305 / 307 must
# hold the element (1..1), and the municipality knows the client by the Bsn (the key).
SEX_UNKNOWN = "0"


class GeneratedMessageInvalid(RuntimeError):
    """A message this system made does not fit its own schema: a bug, never sent."""


def allocations_reported(*, organisation: Organisation) -> QuerySet[Allocation]:
    """The allocations whose start and stop the organisation reports to a municipality.

    The ONE place that says which these are: the allocations of a Jeugdwet or Wmo contract,
    received as a 301 or typed in from a municipality's decision (its number is the
    municipality's ToewijzingNummer either way, so the municipality knows it), numbered as a
    ToewijzingNummer (LDT_Nummer: 0 to 999999999, RS001/RS006), of a funder with
    a CBS code (LDT_Gemeente, 4 digits, RS035), a client with a Bsn (the key) and a product
    the message can name (Categorie at most 2 positions, RS009; Code at most 5, RS012).
    """
    return (
        Allocation.objects.filter(
            contract__organisation=organisation,
            contract__stream__code__in=STANDARD_OF_STREAM,
            number__regex=r"^[0-9]{1,9}$",
            funder__code__regex=r"^[0-9]{4}$",
        )
        .filter(
            Q(product__isnull=True, category__regex=r"^.{0,2}$")
            | Q(product__code__regex=r"^.{1,5}$", product__category__regex=r"^.{0,2}$")
        )
        .exclude(client__bsn="")
    )


def _funded_activities() -> Q:
    return Q(
        activities__status=ActivityStatus.RECORDED,
        activities__funding_status=FundingStatus.FUNDED,
    )


# --- which notices are due -------------------------------------------------------------------

# The reason of a stop (JZ588 / WMO588) from the reason the municipality gave for its last
# change of the allocation (JZ002 / WMO002). Source: the column "Reden wijziging toewijzing" of
# the code list WMO588 (iWmo 3.2), which names the JZ002 / WMO002 codes each reason answers; the
# iJw's JZ588 has the same codes except a regular end (31 in the iJw, 19 in the iWmo) and
# moving (the iJw has no code of its own: 35, "voortijdig afgesloten wegens externe
# omstandigheden"; the iWmo 31, "verhuizing naar een andere gemeente").
_REASON_OF_CHANGE = {
    ChangeReason.CLIENT_DECEASED: "02",
    ChangeReason.OTHER_DOMAIN: "39",
    ChangeReason.OTHER_PROVIDER: "38",
    ChangeReason.BY_PROVIDER: "37",
    ChangeReason.CONTRACT_CHANGE: "36",
    ChangeReason.SHORTENED: "36",
    ChangeReason.DELIVERY_FORM: "36",
    ChangeReason.FUNDING_SYSTEM: "36",
    ChangeReason.MUNICIPAL_MERGER: "36",
}
REGULAR_END = {Standard.IJW: "31", Standard.IWMO: "19"}
MOVED = {Standard.IJW: "35", Standard.IWMO: "31"}
BY_MUNICIPALITY = "36"


def stop_reason_for(*, allocation: Allocation, standard: str, trajectory_closed: bool) -> str:
    """The JZ588 / WMO588 reason of the stop of the care on an allocation.

    - The municipality changed the allocation for a reason (JZ002): the reason that answers it
      (see ``_REASON_OF_CHANGE``; moved: ``MOVED``).
    - The allocation ran to its end date, or the client's trajectory was closed: the care ended
      as planned (31 in the iJw, 19 in the iWmo).
    - The allocation was withdrawn without a reason: initiated by the municipality (36).
    """
    reason = allocation.change_reason
    if reason == ChangeReason.MOVED:
        return MOVED[standard]
    if reason in _REASON_OF_CHANGE:
        return _REASON_OF_CHANGE[reason]
    if allocation.status == AllocationStatus.WITHDRAWN and not trajectory_closed:
        return BY_MUNICIPALITY
    return REGULAR_END[standard]


def _standard_of(allocation: Allocation) -> str:
    return STANDARD_OF_STREAM[allocation.contract.stream.code]


def starts_due(*, organisation: Organisation, today: datetime.date) -> list[DeliveryNotice]:
    """Unsaved start notices: allocations with a first funded activity and no current start.
    Begindatum is the date of that first activity (the first day care was delivered)."""
    current_start = DeliveryNotice.objects.filter(
        allocation=OuterRef("pk"), kind=NoticeKind.START, current=True
    )
    allocations = (
        allocations_reported(organisation=organisation)
        .annotate(first_care=Min("activities__date", filter=_funded_activities()))
        .filter(first_care__isnull=False, first_care__lte=today)
        .exclude(Exists(current_start))
        .select_related("contract__stream")
        .order_by("pk")
    )
    return [
        DeliveryNotice(
            organisation=organisation,
            allocation=allocation,
            standard=_standard_of(allocation),
            kind=NoticeKind.START,
            begin=allocation.first_care,
            date=allocation.first_care,
        )
        for allocation in allocations
    ]


def stops_due(*, organisation: Organisation, today: datetime.date) -> list[DeliveryNotice]:
    """Unsaved stop notices: allocations with a current start and no current stop whose
    allocation has ended (ended, withdrawn, or its end date passed) or whose client's
    trajectory was closed (no open trajectory left).

    Einddatum: the earliest of the allocation's end date and the trajectory's end that have
    come; without either, the last day care was delivered on the allocation; never before
    Begindatum."""
    current = DeliveryNotice.objects.filter(allocation=OuterRef("pk"), current=True)
    open_trajectory = Trajectory.objects.filter(
        client=OuterRef("client"), status=TrajectoryStatus.OPEN
    )
    closed_trajectory = Trajectory.objects.filter(
        client=OuterRef("client"), status=TrajectoryStatus.CLOSED
    )
    allocations = (
        allocations_reported(organisation=organisation)
        .filter(Exists(current.filter(kind=NoticeKind.START)))
        .exclude(Exists(current.filter(kind=NoticeKind.STOP)))
        .annotate(
            trajectory_closed=Exists(closed_trajectory) & ~Exists(open_trajectory),
            last_care=Max("activities__date", filter=_funded_activities()),
        )
        .filter(
            Q(status__in=[AllocationStatus.ENDED, AllocationStatus.WITHDRAWN])
            | Q(end__lt=today)
            | Q(trajectory_closed=True)
        )
        .select_related("contract__stream")
        .order_by("pk")
    )
    allocations = list(allocations)
    starts = {
        notice.allocation_id: notice
        for notice in DeliveryNotice.objects.filter(
            allocation__in=allocations, kind=NoticeKind.START, current=True
        )
    }
    trajectory_ends = dict(
        Trajectory.objects.filter(
            client__in={allocation.client_id for allocation in allocations},
            status=TrajectoryStatus.CLOSED,
        )
        .values("client")
        .annotate(last_end=Max("end"))
        .values_list("client", "last_end")
    )
    notices = []
    for allocation in allocations:
        start = starts[allocation.pk]
        standard = _standard_of(allocation)
        candidates = []
        if allocation.end is not None and allocation.end <= today:
            candidates.append(allocation.end)
        if allocation.trajectory_closed and trajectory_ends.get(allocation.client_id):
            candidates.append(trajectory_ends[allocation.client_id])
        end = min(candidates) if candidates else (allocation.last_care or today)
        end = max(end, start.begin)
        notices.append(
            DeliveryNotice(
                organisation=organisation,
                allocation=allocation,
                standard=standard,
                kind=NoticeKind.STOP,
                begin=start.begin,
                date=end,
                reason=stop_reason_for(
                    allocation=allocation,
                    standard=standard,
                    trajectory_closed=allocation.trajectory_closed,
                ),
            )
        )
    return notices


# --- building and sending the messages ------------------------------------------------------


def _naam(b, client) -> list[etree._Element]:
    """CDT_VerkorteNaam: Geslachtsnaam (Achternaam, Voorvoegsel?), Voornamen?, Voorletters?
    (RS028: at most 200 positions; RS045: initials without dots or spaces, at most 6)."""
    parts = [b.Geslachtsnaam(b.Achternaam(client.family_name[:200]))]
    if client.given_name:
        parts.append(b.Voornamen(client.given_name[:200]))
    return parts


def _product(m, b, notice: DeliveryNotice) -> etree._Element:
    allocation = notice.allocation
    product = allocation.product
    category = (product.category if product is not None else allocation.category) or ""
    parts = [m.ToewijzingNummer(str(int(allocation.number)))]
    if category:
        code = [b.Code(product.code)] if product is not None and product.code else []
        parts.append(m.Product(b.Categorie(category), *code))
    parts.append(m.ToewijzingIngangsdatum(allocation.start.isoformat()))
    parts.append(m.Begindatum(notice.begin.isoformat()))
    if notice.kind == NoticeKind.STOP:
        parts.append(m.RedenBeeindiging(notice.reason))
        parts.append(m.Einddatum(notice.date.isoformat()))
    parts.append(m.StatusAanlevering(notice.status_delivery))
    return (m.StartProduct if notice.kind == NoticeKind.START else m.StopProduct)(*parts)


def message_build(
    *,
    organisation: Organisation,
    notices: list[DeliveryNotice],
    identification: str,
    dated: datetime.date,
) -> etree._Element:
    """The 305 or 307 of one client's notices to one municipality; validated against our
    schema (``GeneratedMessageInvalid`` when it does not fit)."""
    first = notices[0]
    standard, kind = first.standard, kind_of(first.standard, NUMBER[first.kind])
    client = first.allocation.client
    m, b = maker(standard, kind)
    holder, _product_name = PRODUCTS[first.kind]
    root = m.Bericht(
        header_build(
            standard=standard,
            kind=kind,
            message_code=MESSAGE_CODES[kind],
            sender=organisation.agb_code,
            receiver=first.allocation.funder.code,
            identification=identification,
            dated=dated,
        ),
        m.Client(
            m.Bsn(client.bsn),
            # DatumGebruik (COD170) only when part of the date is unknown: never here.
            m.Geboortedatum(b.Datum(client.date_of_birth.isoformat())),
            m.Geslacht(SEX_UNKNOWN),
            m.Naam(*_naam(b, client)),
            getattr(m, holder)(*(_product(m, b, notice) for notice in notices)),
        ),
    )
    errors = schema_errors(root, standard=standard, kind=kind)
    if errors:
        raise GeneratedMessageInvalid(f"{kind} does not fit its schema: {'; '.join(errors)}")
    return root


def _send(
    *, organisation: Organisation, notices: list[DeliveryNotice], today: datetime.date, actor
) -> Message:
    root = message_build(
        organisation=organisation,
        notices=notices,
        identification=message_next_identification(organisation=organisation),
        dated=today,
    )
    header = header_read(root)
    content = serialise(root)
    message = message_store(
        organisation=organisation,
        direction=Direction.OUT,
        header=header,
        content=content,
        filename=f"{header.kind}-{header.identification}.xml",
        status=MessageStatus.READY,
        actor=actor,
        funder=notices[0].allocation.funder,
        clients=[notices[0].allocation.client],
    )
    for notice in notices:
        notice.message = message
        notice.status = NoticeStatus.SENT
        notice.created_by = actor
        notice._history_user = actor
        notice.full_clean(exclude=["allocation", "organisation", "message", "removes"])
        notice.save()
    message_send(message=message, actor=actor)
    return message


def _grouped(notices: list[DeliveryNotice]) -> list[list[DeliveryNotice]]:
    """One message per client, municipality, standard and kind (the Client is 1..1)."""
    groups: dict[tuple, list[DeliveryNotice]] = defaultdict(list)
    for notice in notices:
        allocation = notice.allocation
        groups[(notice.standard, notice.kind, allocation.funder_id, allocation.client_id)].append(
            notice
        )
    return list(groups.values())


@dataclass
class Prepared:
    """What one preparation made: the notices and the messages that carry them."""

    notices: list[DeliveryNotice] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def deliveries_prepare(
    *, organisation: Organisation, today: datetime.date, actor: User | None
) -> Prepared:
    """Make and send the start and stop messages that are due; nothing when none are (a second
    run on the same day makes nothing: every allocation has its current start and stop)."""
    with transaction.atomic():
        # One preparation of an organisation at a time: the nightly task and a manager's button.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        prepared = Prepared()
        due = starts_due(organisation=organisation, today=today) + stops_due(
            organisation=organisation, today=today
        )
        for group in _grouped(due):
            prepared.messages.append(
                _send(organisation=organisation, notices=group, today=today, actor=actor)
            )
            prepared.notices.extend(group)
        return prepared


def delivery_remove(
    *, notice: DeliveryNotice, today: datetime.date, actor: User | None
) -> DeliveryNotice:
    """Remove a start or stop sent in error: the same kind of message, with the same key and
    StatusAanlevering 3 (COD467, CS058). A start whose care was stopped cannot be removed
    before its stop is (TR071, 9071). A notice the municipality refused never stood there:
    it is only set aside, nothing is sent, and the next preparation makes it anew.
    Returns the removal sent, or the refused notice set aside."""
    with transaction.atomic():
        notice = DeliveryNotice.objects.select_for_update().get(pk=notice.pk)
        if not notice.current or notice.is_removal:
            raise ValidationError(_("This notice has already been removed."))
        if notice.status == NoticeStatus.READY:
            raise ValidationError(_("This notice has not been sent yet."))
        if (
            notice.kind == NoticeKind.START
            and DeliveryNotice.objects.filter(
                allocation=notice.allocation_id, kind=NoticeKind.STOP, current=True
            ).exists()
        ):
            raise ValidationError(
                _(
                    "The care on this allocation has been stopped: remove the stop first "
                    "(the municipality refuses the removal of a stopped start, TR071)."
                )
            )
        notice.current = False
        notice._history_user = actor
        notice.save(update_fields=["current"])
        if notice.status == NoticeStatus.REFUSED:
            return notice
        removal = DeliveryNotice(
            organisation=notice.organisation,
            allocation=notice.allocation,
            standard=notice.standard,
            kind=notice.kind,
            begin=notice.begin,
            date=notice.date,
            reason=notice.reason,
            status_delivery=DeliveryStatus.REMOVAL,
            removes=notice,
            current=False,
        )
        _send(organisation=notice.organisation, notices=[removal], today=today, actor=actor)
        return removal


# --- reading the retour ----------------------------------------------------------------------


def _key_of(product: etree._Element) -> tuple:
    return (
        text_at(product, "ToewijzingNummer").lstrip("0") or "0",
        text_at(product, "Product", "Categorie"),
        text_at(product, "Product", "Code"),
        text_at(product, "Begindatum"),
        text_at(product, "RedenBeeindiging"),
        text_at(product, "Einddatum"),
        text_at(product, "StatusAanlevering"),
    )


def _notice_key(notice: DeliveryNotice) -> tuple:
    allocation = notice.allocation
    product = allocation.product
    category = (product.category if product is not None else allocation.category) or ""
    stop = notice.kind == NoticeKind.STOP
    return (
        str(int(allocation.number)),
        category,
        product.code if product is not None and category else "",
        notice.begin.isoformat(),
        notice.reason if stop else "",
        notice.date.isoformat() if stop else "",
        notice.status_delivery,
    )


def _clients_of(message: Message | None) -> list:
    if message is None:
        return []
    notices = message.delivery_notices.select_related("allocation__client")
    return list({notice.allocation.client for notice in notices})


def retour_handle(
    *,
    organisation: Organisation,
    root: etree._Element,
    header: Header,
    content: bytes,
    filename: str,
    actor: User | None,
    transport: str,
) -> Message:
    """Read a JW306 / JW308 / WMO306 / WMO308: find the 305 / 307 it answers (its header's
    identification, IV028), mark each notice accepted or refused with its retour codes and
    the message accepted, refused or partly accepted."""
    number = header.kind[-3:]
    sent_kind = kind_of(header.standard, "305" if number == "306" else "307")

    def stored(status: str, outcome: list[dict], original: Message | None = None) -> Message:
        return message_store(
            organisation=organisation,
            direction=Direction.IN,
            header=header,
            content=content,
            filename=filename,
            status=status,
            actor=actor,
            funder=original.funder if original else None,
            in_reply_to=original,
            outcome=outcome,
            clients=_clients_of(original),
            transport=transport,
        )

    errors = schema_errors(root, standard=header.standard, kind=header.kind)
    if errors:
        return stored(
            MessageStatus.REJECTED,
            [{"code": "", "text": error, "path": ""} for error in errors[:20]],
        )
    original = (
        Message.objects.of(organisation)
        .outbox()
        .filter(kind=sent_kind, identification=header.answers, receiver=header.sender)
        .first()
    )
    if original is None:
        return stored(
            MessageStatus.REJECTED,
            [
                {
                    "code": "",
                    "text": _("No %(kind)s %(identification)s was sent to %(sender)s.")
                    % {
                        "kind": sent_kind,
                        "identification": header.answers,
                        "sender": header.sender,
                    },
                    "path": "",
                }
            ],
        )
    if original.status != MessageStatus.SENT:
        return stored(
            MessageStatus.REJECTED,
            [
                {
                    "code": "",
                    "text": _("%(kind)s %(identification)s has been answered before.")
                    % {"kind": original.kind, "identification": original.identification},
                    "path": "",
                }
            ],
            original,
        )

    reading = retour_read(root)
    header_codes = [code for code in reading.header_codes if code != "0200"]
    client_codes: list[str] = []
    product_codes: dict[tuple, list[str]] = {}
    client_element = child(root, "Client")
    if client_element is not None:
        for element, codes in reading.classes:
            name = etree.QName(element).localname
            if name == "Client":
                client_codes = [code for code in codes if code not in ("0200", "0233")]
            elif name in ("StartProduct", "StopProduct"):
                product_codes[_key_of(element)] = codes

    notices = list(original.delivery_notices.select_related("allocation__product"))
    outcome = retour_outcome(reading.header_codes, "Header")
    accepted = refused = 0
    for notice in notices:
        own = [
            code
            for code in product_codes.get(_notice_key(notice), [])
            if code not in ("0200", "0233")
        ]
        codes = header_codes + client_codes + own
        notice.retour_codes = codes
        notice.status = NoticeStatus.REFUSED if codes else NoticeStatus.ACCEPTED
        notice._history_user = actor
        notice.save(update_fields=["retour_codes", "status"])
        if codes:
            refused += 1
            outcome += retour_outcome(
                own, f"{notice.get_kind_display()} {notice.allocation.number}"
            )
        else:
            accepted += 1
    outcome += retour_outcome(client_codes, "Client")
    if refused and accepted:
        status = MessageStatus.PARTLY_ACCEPTED
    elif refused:
        status = MessageStatus.REFUSED
    else:
        status = MessageStatus.ACCEPTED
    message_status_set(message=original, status=status, actor=actor, outcome=outcome)
    return stored(MessageStatus.PROCESSED, outcome, original)


def notices_for(*, organisation: Organisation) -> QuerySet[DeliveryNotice]:
    """The organisation's start and stop notices, newest first, with what the page shows."""
    return DeliveryNotice.objects.of(organisation).select_related(
        "allocation__client", "allocation__product", "allocation__funder", "message"
    )


__all__ = [
    "GeneratedMessageInvalid",
    "Prepared",
    "allocations_reported",
    "deliveries_prepare",
    "delivery_remove",
    "message_build",
    "notices_for",
    "retour_handle",
    "starts_due",
    "stop_reason_for",
    "stops_due",
]
