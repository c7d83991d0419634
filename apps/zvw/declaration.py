"""The monthly declaration to an insurer: drafted from the derived prestaties, reviewed by the
manager, exported as the EI file, and its answer read back (accepted and rejected lines; the
rejected ones wait in a queue until handled), like the municipal declarations
(apps.exchange.declarations)."""

from __future__ import annotations

import calendar
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, User
from apps.trajectories.models import Activity, ActivityStatus, FundingStatus

from .ei import (
    ACCEPTED,
    ANSWER_STANDARD,
    LINE_END,
    PRESTATIE_CODE_LIST,
    STANDARD,
    SUBVERSION,
    VERSION,
    EIError,
    ei_date,
    ei_validate,
    record_read,
    record_write,
)
from .models import (
    DECLARATION_TRANSITIONS,
    CareDemandTyping,
    DeclarationLine,
    DeclarationStatus,
    InsurerDeclaration,
    LineStatus,
    PractitionerProfile,
    ZvwRoute,
)
from .selectors import activity_derivation, price_for

# A rejected line's or an activity's prestaties are declared again in a later month's draft.
DECLARED = (LineStatus.PENDING, LineStatus.ACCEPTED)


@dataclass
class Draft:
    declaration: InsurerDeclaration | None
    blocked: list[dict] = field(default_factory=list)  # prestaties without a tariff


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


NUMBER_ATTEMPTS = 10


def _save_numbered(declaration: InsurerDeclaration) -> None:
    """Save a new declaration with its invoice number (12 characters at most): ZVW and a
    sequence number in nine digits, unique across organisations. The sequence is the highest
    declaration's + 1; two managers drafting at the same moment take the same one, and the
    second's insert then fails on the unique number (after the first's commit): it takes the
    next, in a savepoint, so that the draft is never refused for it."""
    last = InsurerDeclaration.objects.aggregate(top=Max("pk"))["top"] or 0
    for attempt in range(NUMBER_ATTEMPTS):
        declaration.number = f"ZVW{last + 1 + attempt:09d}"
        if attempt == NUMBER_ATTEMPTS - 1:
            declaration.save()  # the last try: an error now is a real one
            return
        try:
            with transaction.atomic():
                declaration.save()
        except IntegrityError:
            if not InsurerDeclaration.objects.filter(number=declaration.number).exists():
                raise  # another constraint than the number's
            declaration.pk = None
            last = InsurerDeclaration.objects.aggregate(top=Max("pk"))["top"] or 0
        else:
            return


@transaction.atomic
def insurer_declaration_draft(
    *, organisation: Organisation, uzovi: str, year: int, month: int, actor: User
) -> Draft:
    """Draft the month's declaration to the insurer: the prestaties of the care it pays (the
    route) of the organisation's clients insured with it, not yet declared (or rejected before);
    a prestatie without a tariff for the year is left out and named."""
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("Give a month from 1 to 12.")})
    first, last = _month_bounds(year, month)
    if last >= timezone.localdate():
        raise ValidationError({"month": _("A month is declared after it has ended.")})
    if InsurerDeclaration.objects.filter(
        organisation=organisation,
        uzovi=uzovi,
        year=year,
        month=month,
        status=DeclarationStatus.DRAFT,
    ).exists():
        raise ValidationError(_("A draft for this insurer and month is waiting for review."))
    clients = ZvwRoute.objects.filter(uzovi=uzovi, client__organisation=organisation).values(
        "client_id"
    )
    activities = list(
        Activity.objects.filter(
            trajectory__client_id__in=clients,
            status=ActivityStatus.RECORDED,
            funding_status=FundingStatus.ROUTE,
            date__gte=first,
            date__lte=last,
        )
        .select_related("trajectory__client")
        .order_by("date", "pk")
        .select_for_update(of=("self",))
    )
    # A prestatie pending or accepted in a declaration is not declared again; a rejected one is.
    declared = set(
        DeclarationLine.objects.filter(
            activity_id__in=[activity.pk for activity in activities], status__in=DECLARED
        ).values_list("activity_id", "prestatie", "practitioner_id")
    )
    declaration = None
    blocked = []
    line_number = 0
    for activity in activities:
        for prestatie in activity_derivation(activity).prestaties:
            if (activity.pk, prestatie.key, prestatie.practitioner_id) in declared:
                continue
            price = price_for(
                organisation_id=organisation.pk, uzovi=uzovi, year=year, prestatie=prestatie.key
            )
            if price is None:
                blocked.append({"activity": activity, "prestatie": prestatie})
                continue
            if declaration is None:
                declaration = InsurerDeclaration(
                    organisation=organisation,
                    uzovi=uzovi,
                    year=year,
                    month=month,
                    created_by=actor,
                )
                declaration._history_user = actor
                _save_numbered(declaration)
            line_number += 1
            line = DeclarationLine(
                declaration=declaration,
                line_number=line_number,
                activity=activity,
                client=activity.trajectory.client,
                date=activity.date,
                prestatie=prestatie.key,
                code=price.code,
                practitioner_id=prestatie.practitioner_id,
                count=prestatie.count,
                tariff_cents=price.cents,
                amount_cents=price.cents * prestatie.count,
                contracted=price.contracted,
            )
            line._history_user = actor
            line.save()
    return Draft(declaration, blocked)


def _transition(declaration: InsurerDeclaration, to: str) -> None:
    if to not in DECLARATION_TRANSITIONS[declaration.status]:
        raise ValidationError(
            _("A declaration that is %(status)s cannot become %(to)s.")
            % {
                "status": declaration.get_status_display().lower(),
                "to": DeclarationStatus(to).label.lower(),
            }
        )
    declaration.status = to


@transaction.atomic
def insurer_declaration_approve(*, declaration: InsurerDeclaration, actor: User) -> None:
    """The manager has reviewed the draft: it may be exported."""
    declaration = InsurerDeclaration.objects.select_for_update().get(pk=declaration.pk)
    _transition(declaration, DeclarationStatus.APPROVED)
    declaration.approved_at, declaration.approved_by = timezone.now(), actor
    declaration._history_user = actor
    declaration.save(update_fields=["status", "approved_at", "approved_by"])


def declaration_total(declaration: InsurerDeclaration) -> int:
    return declaration.lines.aggregate(total=Sum("amount_cents"))["total"] or 0


def ei_file_build(*, declaration: InsurerDeclaration) -> str:
    """The declaration as an EI file, validated before it is handed out."""
    first, last = _month_bounds(declaration.year, declaration.month)
    organisation = declaration.organisation
    lines = list(declaration.lines.select_related("client", "activity").order_by("line_number"))
    records = [
        record_write(
            "01",
            {
                "standard": STANDARD,
                "version": VERSION,
                "subversion": SUBVERSION,
                "uzovi": declaration.uzovi,
                "provider_agb": organisation.agb_code,
                "invoice_number": declaration.number,
                "invoice_date": ei_date(declaration.created_at.date()),
                "period_start": ei_date(first),
                "period_end": ei_date(last),
                "currency": "EUR",
            },
        )
    ]
    agb = dict(PractitionerProfile.objects.values_list("user_id", "agb_code"))
    routes = {
        route.client_id: route
        for route in ZvwRoute.objects.filter(
            client_id__in={line.client_id for line in lines}
        ).select_related("regiebehandelaar")
    }
    insured_ids: dict[int, int] = {}
    detail = 0
    body = []
    for line in lines:
        client = line.client
        if client.pk not in insured_ids:
            detail += 1
            insured_ids[client.pk] = detail
            route = routes[client.pk]
            typing = (
                CareDemandTyping.objects.filter(client=client, measured_on__lte=line.date)
                .order_by("-measured_on", "-pk")
                .first()
            )
            body.append(
                record_write(
                    "02",
                    {
                        "record_id": detail,
                        "bsn": client.bsn,
                        "uzovi": route.uzovi,
                        "policy_number": route.policy_number,
                        "birth_date": ei_date(client.date_of_birth),
                        "family_name": _ascii(client.family_name)[:25],
                        "initials": _ascii(client.initials)[:6],
                        "referrer_agb": route.referrer_agb,
                        # Verwijstype 01: a referral is present; 03: none, by exception (acute).
                        "referral_type": "03" if route.referral_type == "acute" else "01",
                        "regiebehandelaar_agb": agb.get(route.regiebehandelaar_id, ""),
                        "care_demand_type": typing.care_demand_type if typing else "",
                    },
                )
            )
        detail += 1
        body.append(
            record_write(
                "04",
                {
                    "record_id": detail,
                    "insured_record_id": insured_ids[client.pk],
                    "code_list": PRESTATIE_CODE_LIST,
                    "prestatie_code": line.code,
                    "date": ei_date(line.date),
                    "number": line.count,
                    "practitioner_agb": agb.get(line.practitioner_id, ""),
                    "tariff": line.tariff_cents,
                    "amount": line.amount_cents,
                    "debit_credit": "D",
                    "reference": f"{declaration.number}-{line.line_number}",
                    "contracted": "J" if line.contracted else "N",
                },
            )
        )
    prestatie_count = len(lines)
    records += body
    records.append(
        record_write(
            "99",
            {
                "insured_records": len(insured_ids),
                "prestatie_records": prestatie_count,
                "detail_records": len(body),
                "total": sum(line.amount_cents for line in lines),
            },
        )
    )
    text = LINE_END.join(records) + LINE_END
    ei_validate(text)
    return text


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@transaction.atomic
def insurer_declaration_export(*, declaration: InsurerDeclaration, actor: User) -> str:
    """Export the reviewed declaration as its EI file (to send through VECOZO)."""
    declaration = InsurerDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status == DeclarationStatus.SENT:
        return ei_file_build(declaration=declaration)  # the same file again
    _transition(declaration, DeclarationStatus.SENT)
    text = ei_file_build(declaration=declaration)
    declaration.exported_at = timezone.now()
    declaration._history_user = actor
    declaration.save(update_fields=["status", "exported_at"])
    return text


@dataclass(frozen=True)
class AnswerResult:
    accepted: int
    rejected: int


@transaction.atomic
def insurer_answer_import(
    *, declaration: InsurerDeclaration, text: str, actor: User
) -> AnswerResult:
    """Read the insurer's answer (GZ322): each prestatierecord's return code accepts or rejects
    its line; rejected lines wait in the queue. A file that does not fit is refused whole."""
    declaration = InsurerDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != DeclarationStatus.SENT:
        raise ValidationError(_("Only an exported declaration can be answered."))
    try:
        records = ei_validate(text, answer=True)
    except EIError as error:
        raise ValidationError(
            _("The answer does not follow the EI layout: %(errors)s")
            % {"errors": "; ".join(error.errors[:5])}
        ) from error
    if records[0]["invoice_number"].strip() != declaration.number:
        raise ValidationError(_("The answer is for another declaration."))
    lines = {
        f"{declaration.number}-{line.line_number}": line
        for line in declaration.lines.select_for_update().order_by("pk")
    }
    accepted = rejected = 0
    answered = set()
    for record in records:
        if record["record_type"] != "04":
            continue
        line = lines.get(record["reference"].strip())
        if line is None:
            raise ValidationError(
                _("The answer names a line the declaration does not hold: %(reference)s.")
                % {"reference": record["reference"].strip()}
            )
        answered.add(line.pk)
        code = record["return_code"].strip()
        if code == ACCEPTED:
            line.status = LineStatus.ACCEPTED
            accepted += 1
        else:
            line.status = LineStatus.REJECTED
            line.rejection_code = code
            rejected += 1
        line._history_user = actor
        line.save(update_fields=["status", "rejection_code"])
    if len(answered) != len(lines):
        raise ValidationError(_("The answer does not answer every line of the declaration."))
    declaration.status = DeclarationStatus.ANSWERED
    declaration.answered_at = timezone.now()
    declaration._history_user = actor
    declaration.save(update_fields=["status", "answered_at"])
    return AnswerResult(accepted, rejected)


@transaction.atomic
def rejected_line_resolve(*, line: DeclarationLine, actor: User) -> None:
    """A rejected line is handled (corrected and declared again, or written off)."""
    line = DeclarationLine.objects.select_for_update().get(pk=line.pk)
    if line.status != LineStatus.REJECTED:
        raise ValidationError(_("Only a rejected line can be handled."))
    line.status = LineStatus.RESOLVED
    line._history_user = actor
    line.save(update_fields=["status"])


def insurer_answer_build(*, declaration: InsurerDeclaration, rejected: dict[int, str]) -> str:
    """An answer to an exported declaration as the insurer would send it: every line accepted
    (return code 0001) except the ones given (line number -> return code). The demo stands in
    for the insurer with it; the tests read it back."""
    by_reference = {
        f"{declaration.number}-{line.line_number}": line for line in declaration.lines.all()
    }
    answer = []
    for record in ei_file_build(declaration=declaration).split(LINE_END)[:-1]:
        values = {name: value.strip() for name, value in record_read(record).items()}
        if values["record_type"] == "01":
            values["standard"] = ANSWER_STANDARD
        if values["record_type"] == "04":
            line = by_reference[values["reference"]]
            code = rejected.get(line.line_number, ACCEPTED)
            values["return_code"] = code
            values["granted"] = line.amount_cents if code == ACCEPTED else 0
        answer.append(record_write(values["record_type"], values))
    return LINE_END.join(answer) + LINE_END
