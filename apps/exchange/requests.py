"""Requests to a municipality when care may not wait for paperwork: a request for an allocation
(verzoek om toewijzing, JW315 / WMO315) for care that started without one, a request for a
change (verzoek om wijziging, JW317 / WMO317) for an allocation that runs out; the retours of
the municipality (316, 318), its answer (319) and our retour to that (320); and the allocation
(301) that honours a request.

Sources: iJw / iWmo release 3.2 (Zorginstituut Nederland), the structure of the messages and the
rules that span messages: TR347 (the provider's reference is unique for the provider), TR349
(a change request lists every current allocation of the client), TR350 / TR351 (unchanged and
changed products are current allocations), TR355 (an answer names a reference of an earlier
request: otherwise 9355), TR357 (a desired start on or before the message's date is the
original start), TR359 (an allocation was already sent for this reference), TR360 / TR365 (an
answer after an answer), TR374 (no second request while one is pending), TR379 (a 301 names a
reference that is no request); CD085 / CD086 (a refusal has a reason; "being investigated"
has none); IV095 (with reason 8 the municipality names the responsible one).
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from apps.accounts.models import Organisation, User
from apps.clients.models import Client, Municipality
from apps.funding.models import (
    Allocation,
    AllocationStatus,
    Frequency,
    Funder,
    FunderKind,
    Product,
    Unit,
)
from apps.funding.responsibility import ResponsibleRoutes
from apps.funding.rules import MUNICIPAL_STREAMS, units_of
from apps.trajectories.models import Activity

from .codes import MESSAGE_CODES, STANDARD_OF_STREAM, retour_outcome
from .models import (
    PENDING_REQUEST_STATUSES,
    REFERRER_WITH_CODE,
    REQUEST_STATUS_TRANSITIONS,
    AllocationRequest,
    Direction,
    Message,
    MessageStatus,
    RefusalReason,
    RequestAnswer,
    RequestKind,
    RequestStatus,
    Standard,
)
from .retour import retour_build, retour_read
from .store import message_next_identification, message_send, message_status_set, message_store
from .xml import (
    child,
    header_build,
    header_read,
    kind_of,
    maker,
    schema_errors,
    serialise,
    text_at,
)

STREAM_OF_STANDARD = {Standard.IJW: "jeugdwet", Standard.IWMO: "wmo"}


class MessageBuildError(RuntimeError):
    """A message this system built does not fit its own schema: a bug, never sent."""


# --- whom to ask --------------------------------------------------------------------------


def municipality_for(client: Client, standard: str) -> Municipality | None:
    """The municipality a request goes to: for the Jeugdwet the client's responsible
    municipality (woonplaatsbeginsel), for the Wmo the municipality of residence."""
    if standard == Standard.IJW:
        return client.responsible_municipality or client.municipality
    return client.municipality


def funder_for(client: Client, standard: str) -> Funder | None:
    municipality = municipality_for(client, standard)
    if municipality is None:
        return None
    return Funder.objects.filter(kind=FunderKind.MUNICIPALITY, code=municipality.cbs_code).first()


def contract_products(*, organisation: Organisation, funder: Funder, standard: str):
    """The products of the organisation's contracts with the municipality under the law."""
    return (
        Product.objects.filter(
            contract__organisation=organisation,
            contract__funder=funder,
            contract__stream__code=STREAM_OF_STANDARD[standard],
        )
        .select_related("contract")
        .order_by("code", "pk")
    )


# --- the proposal from the unfunded queue -------------------------------------------------


@dataclass
class RequestProposal:
    """What the one-step form proposes for a client with unfunded care."""

    client: Client
    standard: str | None = None
    funder: Funder | None = None
    activities: list[Activity] = field(default_factory=list)
    product: Product | None = None
    volume: int | None = None
    unit: str = ""
    frequency: str = Frequency.TOTAL
    start: datetime.date | None = None
    end: datetime.date | None = None
    problem: str = ""

    @property
    def activity_ids(self) -> list[int]:
        return [activity.pk for activity in self.activities]


def _requested_activity_ids(client: Client) -> set[int]:
    ids: set[int] = set()
    for activity_ids in AllocationRequest.objects.filter(
        client=client, status__in=PENDING_REQUEST_STATUSES
    ).values_list("activity_ids", flat=True):
        ids.update(activity_ids or ())
    return ids


def allocation_request_proposal(*, organisation: Organisation, client: Client) -> RequestProposal:
    """Propose a request for a client's unfunded care: the law and municipality responsible
    (``apps.funding.responsibility``), the municipality's cheapest fitting contract product
    (``apps.funding.rules.cheapest_stand_in``) and the volume the waiting care used, from the
    first waiting day. Care a pending request already covers is left out. Reads only."""
    proposal = RequestProposal(client=client)
    requested = _requested_activity_ids(client)
    activities = [
        activity
        for activity in Activity.objects.unfunded()
        .for_client(client)
        .select_related("trajectory__client")
        .order_by("date", "pk")
        if activity.pk not in requested
    ]
    if not activities:
        proposal.problem = _("This client has no unfunded care that is not already requested.")
        return proposal
    routes = ResponsibleRoutes.regular(organisation, [client])
    by_stream: dict[str, list[tuple[Activity, object]]] = {}
    for activity in activities:
        found = routes.responsible(activity)
        if found.stream is not None and found.stream.code in MUNICIPAL_STREAMS:
            by_stream.setdefault(found.stream.code, []).append((activity, found))
    if not by_stream:
        proposal.problem = _(
            "No municipality is responsible for this client's unfunded care (the Jeugdwet and "
            "the Wmo): an allocation request does not apply."
        )
        return proposal
    stream_code = max(by_stream, key=lambda code: len(by_stream[code]))
    found_items = by_stream[stream_code]
    proposal.standard = STANDARD_OF_STREAM[stream_code]
    proposal.funder = funder_for(client, proposal.standard)
    proposal.activities = [activity for activity, _found in found_items]
    proposal.start = min(activity.date for activity in proposal.activities)
    if proposal.funder is None:
        proposal.problem = _(
            "The municipality %(municipality)s is not registered as a funder: register it first."
        ) % {"municipality": municipality_for(client, proposal.standard)}
        return proposal
    products = Counter(
        found.product
        for _activity, found in found_items
        if found.product is not None and found.product.contract.funder_id == proposal.funder.pk
    )
    if products:
        product = products.most_common(1)[0][0]
        consumed = sum(
            found.consumed for _activity, found in found_items if found.product == product
        )
        proposal.product = product
        proposal.unit = product.unit
        proposal.volume = max(1, math.ceil(units_of(consumed, product.unit)))
    return proposal


# --- creating a request -------------------------------------------------------------------


def _new_reference(kind: str) -> str:
    # At most 36 positions (RS024), unique for the provider (TR347: also the database).
    prefix = "VOT" if kind == RequestKind.NEW else "VOW"
    return f"{prefix}-{uuid.uuid4().hex[:24].upper()}"


def _size_errors(
    *, product: Product | None, volume, unit, frequency, budget_cents, end
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if volume is not None and budget_cents is not None:
        errors["budget_cents"] = _("Ask for a volume or for a budget, not both (CD077, CD078).")
    if product is not None and volume is None:
        errors["volume"] = _("A request for a product says its volume (CD041).")
    if volume is not None and (not unit or not frequency):
        errors["volume"] = _("A volume has a unit and a frequency.")
    if budget_cents is not None and end is None:
        errors["end"] = _("A budget is asked for a period with an end (CD075).")
    if frequency == Frequency.PER_WEEK and end is None:
        errors["end"] = _("A volume per week is asked for a period with an end (CD076).")
    if product is None and budget_cents is None:
        errors["product"] = _("Ask for a product or for a budget.")
    if product is not None and (len(product.code) > 5 or len(product.category) != 2):
        errors["product"] = _(
            "Product %(code)s has no code of at most 5 positions in a category of 2 (RS009, "
            "RS012): it cannot be requested in a message."
        ) % {"code": product.code}
    return errors


@transaction.atomic
def allocation_request_create(
    *,
    organisation: Organisation,
    client: Client,
    standard: str,
    product: Product | None,
    volume: int | None,
    frequency: str,
    start: datetime.date,
    end: datetime.date | None = None,
    budget_cents: int | None = None,
    referrer_type: str,
    referrer_name: str = "",
    referrer_agb: str = "",
    comment: str = "",
    activity_ids: list[int] = (),
    actor: User,
) -> AllocationRequest:
    """A draft request for an allocation (315) to the municipality responsible for the client
    under the law; refused while another request of the client to that municipality is
    pending (TR374)."""
    if client.organisation_id != organisation.pk:
        raise ValidationError(_("This client is not a client of your organisation."))
    if not client.bsn:
        raise ValidationError(_("The client has no BSN: a request cannot be sent."))
    funder = funder_for(client, standard)
    if funder is None:
        raise ValidationError(
            _("The municipality responsible for this client is not registered as a funder.")
        )
    Client.objects.select_for_update().filter(pk=client.pk).first()  # one request at a time
    if (
        AllocationRequest.objects.pending()
        .filter(client=client, funder=funder, kind=RequestKind.NEW)
        .exists()
    ):
        raise ValidationError(
            _(
                "A request for this client to %(funder)s is still pending; wait for its answer "
                "(TR374)."
            )
            % {"funder": funder.name}
        )
    if product is not None and not (
        contract_products(organisation=organisation, funder=funder, standard=standard)
        .filter(pk=product.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "product": _("This product is not in your contract with %(funder)s.")
                % {"funder": funder.name}
            }
        )
    unit = product.unit if product is not None else ""
    errors = _size_errors(
        product=product,
        volume=volume,
        unit=unit,
        frequency=frequency,
        budget_cents=budget_cents,
        end=end,
    )
    if referrer_type in REFERRER_WITH_CODE and not (referrer_name or referrer_agb):
        errors["referrer_name"] = _("Name the referrer or give its AGB code (CD067).")
    if referrer_type not in REFERRER_WITH_CODE and referrer_agb:
        errors["referrer_agb"] = _("Only a doctor or an institution has an AGB code (CD068).")
    if referrer_agb and (len(referrer_agb) != 8 or not referrer_agb.isdigit()):
        errors["referrer_agb"] = _("An AGB code has 8 digits (RS036).")
    if end is not None and end < start:
        errors["end"] = _("The end is before the start.")
    if errors:
        raise ValidationError(errors)
    request = AllocationRequest(
        organisation=organisation,
        client=client,
        funder=funder,
        standard=standard,
        kind=RequestKind.NEW,
        provider_reference=_new_reference(RequestKind.NEW),
        product=product,
        category=product.category if product is not None else "",
        product_code=product.code if product is not None else "",
        volume=volume if budget_cents is None else None,
        unit=unit if budget_cents is None else Unit.EURO,
        frequency=frequency if budget_cents is None else Frequency.TOTAL,
        budget_cents=budget_cents,
        start=start,
        end=end,
        referrer_type=referrer_type,
        referrer_name="" if referrer_agb else referrer_name,
        referrer_agb=referrer_agb,
        comment=comment.strip(),
        activity_ids=sorted(activity_ids),
        created_by=actor,
    )
    request.full_clean()
    request._history_user = actor
    request.save()
    return request


def current_allocations(*, client: Client, funder: Funder, on: datetime.date) -> list[Allocation]:
    """The client's current allocations of the municipality: active, not ended before the day
    (TR349: a change request lists all of them)."""
    return list(
        Allocation.objects.filter(client=client, funder=funder, status=AllocationStatus.ACTIVE)
        .exclude(end__lt=on)
        .select_related("product")
        .order_by("start", "pk")
    )


@transaction.atomic
def change_request_create(
    *,
    organisation: Organisation,
    allocation: Allocation,
    reason: str,
    start: datetime.date,
    end: datetime.date | None,
    volume: int | None = None,
    frequency: str = "",
    budget_cents: int | None = None,
    comment: str = "",
    actor: User,
) -> AllocationRequest:
    """A draft request for a change (317) of one of the client's current allocations; the
    others are listed unchanged (TR349). Refused while another change request of the client
    to that municipality is pending (TR374)."""
    client = allocation.client
    if client.organisation_id != organisation.pk:
        raise ValidationError(_("This allocation is not of a client of your organisation."))
    funder = allocation.funder
    if funder.kind != FunderKind.MUNICIPALITY:
        raise ValidationError(_("Only a municipality's allocation is changed by a request."))
    stream_code = allocation.contract.stream.code
    if stream_code not in STANDARD_OF_STREAM:
        raise ValidationError(_("Only a Jeugdwet or Wmo allocation is changed by a request."))
    today = timezone.localdate()
    current = current_allocations(client=client, funder=funder, on=today)
    if allocation not in current:
        raise ValidationError(_("This allocation is not current: it cannot be changed (TR351)."))
    not_numbers = [item.number for item in current if not item.number.isdigit()]
    if not_numbers:
        raise ValidationError(
            _(
                "Allocation numbers %(numbers)s are not the municipality's numbers from a "
                "message: a change request cannot name them."
            )
            % {"numbers": ", ".join(not_numbers)}
        )
    Client.objects.select_for_update().filter(pk=client.pk).first()
    if (
        AllocationRequest.objects.pending()
        .filter(client=client, funder=funder, kind=RequestKind.CHANGE)
        .exists()
    ):
        raise ValidationError(
            _("A change request for this client is still pending; wait for its answer (TR374).")
        )
    errors: dict[str, str] = {}
    if reason not in ("1", "2"):
        errors["reason"] = _("Give the reason for the request (WJ758).")
    # TR357: a desired start on or before the message's date is the original start.
    if start <= today and start != allocation.start:
        errors["start"] = _(
            "A desired start on or before today must be the allocation's own start, "
            "%(start)s (TR357)."
        ) % {"start": allocation.start.isoformat()}
    if volume is not None and budget_cents is not None:
        errors["budget_cents"] = _("Ask for a volume or for a budget, not both (CD077, CD078).")
    if volume is None and budget_cents is None:
        errors["volume"] = _("Ask for a new volume or a new budget.")
    if volume is not None and allocation.product_id is None:
        errors["volume"] = _("An allocation without a product is changed by its budget.")
    if budget_cents is not None and end is None:
        errors["end"] = _("A budget is asked for a period with an end (CD075).")
    frequency = frequency or allocation.frequency
    if volume is not None and frequency == Frequency.PER_WEEK and end is None:
        errors["end"] = _("A volume per week is asked for a period with an end (CD076).")
    if end is not None and end < start:
        errors["end"] = _("The end is before the start.")
    if errors:
        raise ValidationError(errors)
    request = AllocationRequest(
        organisation=organisation,
        client=client,
        funder=funder,
        standard=STANDARD_OF_STREAM[stream_code],
        kind=RequestKind.CHANGE,
        provider_reference=_new_reference(RequestKind.CHANGE),
        product=allocation.product,
        category=allocation.product.category if allocation.product_id else allocation.category,
        product_code=allocation.product.code if allocation.product_id else "",
        volume=volume,
        unit=allocation.unit if volume is not None else Unit.EURO,
        frequency=frequency if volume is not None else Frequency.TOTAL,
        budget_cents=budget_cents,
        start=start,
        end=end,
        allocation=allocation,
        reason=reason,
        comment=comment.strip(),
        created_by=actor,
    )
    request.full_clean()
    request._history_user = actor
    request.save()
    return request


# --- building and sending -----------------------------------------------------------------


def _size(m, b, request: AllocationRequest) -> list[etree._Element]:
    if request.budget_cents is not None:
        return [m.Budget(str(request.budget_cents))]
    if request.volume is None:
        return []
    return [
        m.Omvang(
            b.Volume(str(request.volume)),
            b.Eenheid(request.unit),
            b.Frequentie(request.frequency),
        )
    ]


def _product(m, b, category: str, code: str) -> list[etree._Element]:
    if not category:
        return []
    parts = [b.Categorie(category)]
    if code:
        parts.append(b.Code(code))
    return [m.Product(*parts)]


def _name(b, client: Client) -> list[etree._Element]:
    # CDT_VerkorteNaam: Geslachtsnaam (Achternaam, Voorvoegsel?), Voornamen?, Voorletters?.
    family = client.family_name.strip()
    prefix = ""
    for candidate in ("van der", "van den", "van de", "van", "de", "den", "der", "ter", "te"):
        if family.lower().startswith(candidate + " ") and len(family) > len(candidate) + 1:
            prefix, family = family[: len(candidate)], family[len(candidate) + 1 :]
            break
    surname = [b.Achternaam(family[:200])]
    if prefix:
        surname.append(b.Voorvoegsel(prefix[:10]))
    parts = [b.Geslachtsnaam(*surname)]
    if client.given_name.strip():
        parts.append(b.Voornamen(client.given_name.strip()[:200]))
    return parts


def request_message_build(
    *, request: AllocationRequest, identification: str, dated: datetime.date
) -> etree._Element:
    """The 315 or 317 of a request, as the 3.2 structure orders it."""
    kind = request.message_kind
    m, b = maker(request.standard, kind)
    header = header_build(
        standard=request.standard,
        kind=kind,
        message_code=MESSAGE_CODES[kind],
        sender=request.organisation.agb_code,
        receiver=request.funder.code,
        identification=identification,
        dated=dated,
    )
    client = request.client
    if request.kind == RequestKind.NEW:
        referrer = [b.Type(request.referrer_type)]
        if request.referrer_name:
            referrer.append(b.Naam(request.referrer_name[:64]))
        if request.referrer_agb:
            referrer.append(b.ZorgverlenerCode(request.referrer_agb))
        product = [
            m.ReferentieAanbieder(request.provider_reference),
            *_product(m, b, request.category, request.product_code),
            m.ToewijzingIngangsdatum(request.start.isoformat()),
        ]
        if request.end is not None:
            product.append(m.ToewijzingEinddatum(request.end.isoformat()))
        product += [*_size(m, b, request), m.Verwijzer(*referrer)]
        if request.comment:
            product.append(m.Commentaar(request.comment))
        body = m.Client(
            m.Bsn(client.bsn),
            # CDT_Geboortedatum: the date is known in full, so no DatumGebruik (COD170
            # codes only a partly unknown date).
            m.Geboortedatum(b.Datum(client.date_of_birth.isoformat())),
            m.Geslacht("0"),  # COD046: not known; the system does not record it
            m.Naam(*_name(b, client)),
            m.AangevraagdeProducten(m.AangevraagdProduct(*product)),
        )
    else:
        today = dated
        current = current_allocations(client=client, funder=request.funder, on=today)
        unchanged = [item for item in current if item.pk != request.allocation_id]
        changed = [
            m.ToewijzingNummer(str(int(request.allocation.number))),
            m.GewensteIngangsdatum(request.start.isoformat()),
        ]
        if request.end is not None:
            changed.append(m.Einddatum(request.end.isoformat()))
        changed += _size(m, b, request)
        verzoek = [
            m.ReferentieAanbieder(request.provider_reference),
            m.RedenVerzoek(request.reason),
        ]
        if unchanged:
            verzoek.append(
                m.OngewijzigdeProducten(
                    *(
                        m.OngewijzigdProduct(m.ToewijzingNummer(str(int(item.number))))
                        for item in unchanged
                    )
                )
            )
        verzoek.append(m.TeWijzigenProducten(m.TeWijzigenProduct(*changed)))
        body = m.Client(m.Bsn(client.bsn), m.Verzoek(*verzoek))
    return m.Bericht(header, body)


def _checked(root: etree._Element, *, standard: str, kind: str) -> bytes:
    errors = schema_errors(root, standard=standard, kind=kind)
    if errors:
        raise MessageBuildError(f"The {kind} built does not fit the schema: {errors}")
    return serialise(root)


def _request_status_set(*, request: AllocationRequest, status: str, actor: User | None) -> None:
    if status == request.status:
        return
    if status not in REQUEST_STATUS_TRANSITIONS[request.status]:
        raise ValidationError(
            _("A request that is “%(old)s” cannot become “%(new)s”.")
            % {
                "old": RequestStatus(request.status).label,
                "new": RequestStatus(status).label,
            }
        )
    request.status = status


@transaction.atomic
def allocation_request_send(*, request: AllocationRequest, actor: User) -> Message:
    """Build the request's 315 (or 317), check it against the schema (a message that does not
    fit is a bug: it raises and nothing is sent), store it as an outgoing message and hand it
    to the transport."""
    request = (
        AllocationRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "client", "funder", "allocation")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.DRAFT:
        raise ValidationError(_("This request was sent before."))
    if not request.client.bsn:
        raise ValidationError(_("The client has no BSN: a request cannot be sent."))
    dated = timezone.localdate()
    identification = message_next_identification(organisation=request.organisation)
    root = request_message_build(request=request, identification=identification, dated=dated)
    kind = request.message_kind
    content = _checked(root, standard=request.standard, kind=kind)
    message = message_store(
        organisation=request.organisation,
        direction=Direction.OUT,
        header=header_read(root),
        content=content,
        filename=f"{kind}-{identification}.xml",
        status=MessageStatus.READY,
        actor=actor,
        funder=request.funder,
        clients=[request.client],
    )
    message_send(message=message, actor=actor)
    _request_status_set(request=request, status=RequestStatus.SENT, actor=actor)
    request.sent_message = message
    request._history_user = actor
    request.save(update_fields=["status", "sent_message"])
    return message


def change_request_send(*, request: AllocationRequest, actor: User) -> Message:
    """Send a change request (317): as ``allocation_request_send``."""
    if request.kind != RequestKind.CHANGE:
        raise ValidationError(_("This is not a change request."))
    return allocation_request_send(request=request, actor=actor)


# --- receiving: the retours 316 / 318 -----------------------------------------------------


def _funder_of(code: str) -> Funder | None:
    return Funder.objects.filter(kind=FunderKind.MUNICIPALITY, code=code).first()


def request_retour_handle(
    *,
    organisation: Organisation,
    root: etree._Element,
    header,
    content: bytes,
    filename: str,
    actor: User | None,
    transport: str,
) -> Message:
    """A retour (316 / 318) of a request we sent: the request was received by the municipality,
    or refused with codes (each explained in the user's language). A retour is not answered."""
    sent_kind = kind_of(header.standard, "315" if header.kind.endswith("316") else "317")
    original = (
        Message.objects.of(organisation)
        .outbox()
        .filter(kind=sent_kind, identification=header.answers)
        .first()
    )
    errors = schema_errors(root, standard=header.standard, kind=header.kind)
    request = (
        AllocationRequest.objects.filter(sent_message=original).select_related("client").first()
        if original is not None
        else None
    )
    if errors or original is None or request is None:
        why = (
            _("The retour does not fit the schema: %(errors)s") % {"errors": "; ".join(errors)}
            if errors
            else _("No %(kind)s with identification %(id)s was sent: the retour answers nothing.")
            % {"kind": sent_kind, "id": header.answers}
        )
        return message_store(
            organisation=organisation,
            direction=Direction.IN,
            header=header,
            content=content,
            filename=filename,
            status=MessageStatus.REJECTED,
            actor=actor,
            funder=_funder_of(header.sender),
            in_reply_to=original,
            outcome=[{"code": "", "text": why, "path": ""}],
            transport=transport,
        )
    reading = retour_read(root)
    outcome = retour_outcome(reading.header_codes, "Header")
    codes = list(reading.header_codes)
    for element, element_codes in reading.classes:
        outcome += retour_outcome(element_codes, etree.QName(element).localname)
        codes += element_codes
    message = message_store(
        organisation=organisation,
        direction=Direction.IN,
        header=header,
        content=content,
        filename=filename,
        status=MessageStatus.PROCESSED,
        actor=actor,
        funder=original.funder,
        in_reply_to=original,
        outcome=outcome,
        clients=[request.client],
        transport=transport,
    )
    if original.status == MessageStatus.SENT:
        message_status_set(
            message=original,
            status=MessageStatus.ACCEPTED if reading.accepted else MessageStatus.REFUSED,
            actor=actor,
            outcome=outcome,
        )
    request.retour_message = message
    request.retour_codes = [code for code in codes if code != "0200"]
    if request.status == RequestStatus.SENT:
        _request_status_set(
            request=request,
            status=RequestStatus.RECEIVED if reading.accepted else RequestStatus.REFUSED,
            actor=actor,
        )
        if not reading.accepted:
            request.answered_at = timezone.now()
    request._history_user = actor
    request.save()
    return message


# --- receiving: the answer 319, answered with a 320 ---------------------------------------


@dataclass
class _AnswerCheck:
    request: AllocationRequest | None
    codes: list[str]
    refused_on_rules: bool = False


def _answer_check(*, organisation: Organisation, answer: etree._Element, header) -> _AnswerCheck:
    reference = text_at(answer, "ReferentieAanbieder")
    value = text_at(answer, "VerzoekAntwoord")
    reason = text_at(answer, "RedenAfwijzingVerzoek")
    # CD085 / CD086 (level 2, refused on the rules inside the message: 0001).
    if value not in RequestAnswer.values:
        return _AnswerCheck(None, ["0001"], refused_on_rules=True)
    if value == RequestAnswer.REFUSED and not reason:
        return _AnswerCheck(None, ["0001"], refused_on_rules=True)
    if value == RequestAnswer.INVESTIGATING and reason:
        return _AnswerCheck(None, ["0001"], refused_on_rules=True)
    request = (
        AllocationRequest.objects.select_for_update(of=("self",))
        .filter(organisation=organisation, provider_reference=reference)
        .select_related("client", "funder")
        .first()
    )
    if request is None or request.sent_message_id is None:
        return _AnswerCheck(None, ["9355"])  # TR355
    if request.funder.code != header.sender:
        return _AnswerCheck(None, ["9355"])  # not a request to this municipality
    if request.status == RequestStatus.HONOURED:
        return _AnswerCheck(request, ["9359"])  # TR359: an allocation was sent already
    if request.status == RequestStatus.REFUSED and request.answer:
        return _AnswerCheck(request, ["9365"])  # TR365
    if request.status == RequestStatus.INVESTIGATING and value == RequestAnswer.INVESTIGATING:
        return _AnswerCheck(request, ["9360"])  # TR360
    return _AnswerCheck(request, [])


def request_answer_handle(
    *,
    organisation: Organisation,
    root: etree._Element,
    header,
    content: bytes,
    filename: str,
    actor: User | None,
    transport: str,
) -> Message:
    """The municipality's answer (319) to a request: refused with a reason, or being
    investigated. The request is updated and the answer gets its retour (320): the header only
    when all is in order, the Antwoord with its code otherwise (9355 for a reference of no
    request, TR355). A 319 that does not fit the schema gets no retour (level 1)."""
    funder = _funder_of(header.sender)
    errors = schema_errors(root, standard=header.standard, kind=header.kind)
    if errors:
        return message_store(
            organisation=organisation,
            direction=Direction.IN,
            header=header,
            content=content,
            filename=filename,
            status=MessageStatus.REJECTED,
            actor=actor,
            funder=funder,
            outcome=[
                {
                    "code": "",
                    "text": _("The answer does not fit the schema: %(errors)s")
                    % {"errors": "; ".join(errors)},
                    "path": "",
                }
            ],
            transport=transport,
        )
    answer = child(root, "Antwoord")
    check = _answer_check(organisation=organisation, answer=answer, header=header)
    request = check.request
    accepted = not check.codes
    clients = [request.client] if request is not None else []
    message = message_store(
        organisation=organisation,
        direction=Direction.IN,
        header=header,
        content=content,
        filename=filename,
        status=MessageStatus.PROCESSED if accepted else MessageStatus.REJECTED,
        actor=actor,
        funder=funder,
        in_reply_to=request.sent_message if request is not None else None,
        outcome=retour_outcome(check.codes, "Antwoord"),
        clients=clients,
        transport=transport,
    )
    if accepted:
        value = text_at(answer, "VerzoekAntwoord")
        _request_status_set(
            request=request,
            status=RequestStatus.REFUSED
            if value == RequestAnswer.REFUSED
            else RequestStatus.INVESTIGATING,
            actor=actor,
        )
        request.answer = value
        request.refusal_reason = text_at(answer, "RedenAfwijzingVerzoek")
        if request.refusal_reason and request.refusal_reason not in RefusalReason.values:
            request.refusal_reason = request.refusal_reason[:2]
        request.responsible_municipality_code = text_at(answer, "Woonplaatsbeginsel", "Gemeente")
        request.answer_message = message
        request.answered_at = timezone.now()
        request._history_user = actor
        request.save()
    _answer_retour_send(
        organisation=organisation,
        root=root,
        header=header,
        answered=message,
        check=check,
        actor=actor,
        clients=clients,
    )
    return message


def _answer_retour_send(
    *,
    organisation: Organisation,
    root: etree._Element,
    header,
    answered: Message,
    check: _AnswerCheck,
    actor: User | None,
    clients: list[Client],
) -> Message:
    retour_kind = kind_of(header.standard, "320")
    identification = message_next_identification(organisation=organisation)
    class_codes = None
    header_codes: list[str] = []
    if check.codes and not check.refused_on_rules:
        header_codes = ["0200"]
        answer = child(root, "Antwoord")
        class_codes = {answer: check.codes}
        residence = child(answer, "Woonplaatsbeginsel")
        if residence is not None:
            class_codes[residence] = ["0200"]
    retour = retour_build(
        original=root,
        standard=header.standard,
        retour_kind=retour_kind,
        identification=identification,
        dated=timezone.localdate(),
        header_codes=header_codes,
        class_codes=class_codes,
        refused_on_rules=check.refused_on_rules,
    )
    content = _checked(retour, standard=header.standard, kind=retour_kind)
    message = message_store(
        organisation=organisation,
        direction=Direction.OUT,
        header=header_read(retour),
        content=content,
        filename=f"{retour_kind}-{identification}.xml",
        status=MessageStatus.READY,
        actor=actor,
        funder=answered.funder,
        in_reply_to=answered,
        clients=clients,
    )
    return message_send(message=message, actor=actor)


# --- honoured: the allocation (301) that answers a request ---------------------------------


@transaction.atomic
def allocation_request_honoured(
    *, provider_reference: str, allocation: Allocation, actor: User | None
) -> AllocationRequest | None:
    """Mark the request with this reference honoured by the allocation received (a 301 whose
    ToegewezenProduct names our ReferentieAanbieder) and link them. None when no request has
    the reference (the importer answers 9379, TR379). Refused with code 9359 (TR359) when the
    request was honoured before by another allocation."""
    request = (
        AllocationRequest.objects.select_for_update(of=("self",))
        .filter(
            organisation_id=allocation.client.organisation_id, provider_reference=provider_reference
        )
        .first()
    )
    if request is None:
        return None
    if request.status == RequestStatus.HONOURED:
        if request.honoured_by_id == allocation.pk:
            return request
        raise ValidationError(
            _("An allocation was received before for request %(reference)s (TR359).")
            % {"reference": provider_reference},
            code="9359",
        )
    if request.client_id != allocation.client_id:
        raise ValidationError(
            _("Request %(reference)s is for another client.") % {"reference": provider_reference},
            code="9379",
        )
    _request_status_set(request=request, status=RequestStatus.HONOURED, actor=actor)
    request.honoured_by = allocation
    request.answered_at = timezone.now()
    request._history_user = actor
    request.save()
    return request
