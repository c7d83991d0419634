"""Writes of pooled budgets: a client's exit, the legal basis a funder pays on, a payment."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write
from apps.clients.models import Client
from apps.funding.models import Allocation, Funder, FunderKind, IntegralPilot, PilotEnrolment
from apps.trajectories.assignment import FUNDING_FIELDS, pilot_enrol, unfunded_rematch
from apps.trajectories.models import Activity, ActivityStatus, FundingStatus
from apps.zvw.models import ZvwRoute

from .models import BasisKind, PoolBasis, PoolFunder, PoolPayment


@transaction.atomic
def pool_enrol(
    *,
    pool: IntegralPilot,
    client: Client,
    start: date | None,
    funder: Funder | None = None,
    kind: str = "",
    reference: str = "",
    zvw_referral: ZvwRoute | None = None,
    actor: User,
) -> list[Activity]:
    """Enrol a client in the pool from a day and, when given, record the legal basis of the
    funder responsible for the client from that day (for a Zvw referral, the client's own
    referral): both or neither (one transaction). Returns the waiting activities the pool
    took over."""
    absorbed = pilot_enrol(pilot=pool, client=client, actor=actor, start=start)
    if reference or zvw_referral is not None:
        pool_basis_record(
            enrolment=PilotEnrolment.objects.get(pilot=pool, client=client),
            funder=funder,
            kind=kind,
            reference=reference,
            start=start or pool.start,
            zvw_referral=zvw_referral,
            actor=actor,
        )
    return absorbed


@transaction.atomic
def pool_exit(*, enrolment: PilotEnrolment, end: date, actor: User | None) -> list[Activity]:
    """End a client's part in a pool on a day (the last day it pays for); the client's care
    after it that the pool had paid waits again for an allocation, and is matched to one
    where the client has it. Returns the activities that found another funder."""
    enrolment = (
        PilotEnrolment.objects.select_for_update()
        .select_related("pilot", "client")
        .get(pk=enrolment.pk)
    )
    pool = enrolment.pilot
    if end < enrolment.start:
        raise ValidationError(
            {
                "end": _("The client takes part from %(start)s.")
                % {"start": date_format(enrolment.start)}
            }
        )
    if end > pool.end:
        raise ValidationError(
            {"end": _("The pool ends on %(end)s.") % {"end": date_format(pool.end)}}
        )
    if enrolment.end is not None and end > enrolment.end:
        # The care after the first end has gone back to the allocations: a later end would
        # leave it there while the pool paid for the client again.
        raise ValidationError(
            {
                "end": _("The client's part already ended on %(end)s.")
                % {"end": date_format(enrolment.end)}
            }
        )
    enrolment.end = end
    enrolment._history_user = actor
    enrolment.save(update_fields=["end"])
    access_log_write(
        actor=actor,
        event=AccessEvent.CHANGE,
        client=enrolment.client,
        obj=enrolment,
        basis=AccessBasis.ADMINISTRATION,
    )
    after = list(
        Activity.objects.filter(
            trajectory__client=enrolment.client,
            status=ActivityStatus.RECORDED,
            funding_status=FundingStatus.PILOT,
            pilot_product__contract_id=pool.contract_id,
            date__gt=end,
        ).select_for_update(of=("self",))
    )
    for activity in after:
        # Released to wait; the rematch below decides each again and writes its history.
        activity.funding_status = FundingStatus.UNFUNDED
        activity.pilot_product, activity.pilot_cents, activity.consumed = None, 0, 0
        activity.allocation, activity.priced_product = None, None
        activity.funding_reason = {"code": "no_allocation"}
        activity._history_user = actor
        activity.save(update_fields=list(FUNDING_FIELDS))
    return unfunded_rematch(client=enrolment.client, actor=actor)


@transaction.atomic
def pool_basis_record(
    *,
    enrolment: PilotEnrolment,
    funder: Funder,
    kind: str,
    reference: str,
    start: date,
    end: date | None = None,
    allocation: Allocation | None = None,
    zvw_referral: ZvwRoute | None = None,
    actor: User | None,
) -> PoolBasis:
    """Record the legal basis on which one of the pool's funders pays for an enrolled client
    (an allocation, a Zvw referral, a TLV): the funder still accounts for it. A Zvw referral
    may be the client's own (from the client's Zvw route, of the insurer funder); its
    reference is then the referral's, unless one is given."""
    errors: dict[str, str] = {}
    if zvw_referral is not None:
        errors.update(_referral_refusals(enrolment, funder, kind, zvw_referral))
        if not errors and not reference.strip():
            reference = referral_reference(zvw_referral)
    if not PoolFunder.objects.filter(pool_id=enrolment.pilot_id, funder=funder).exists():
        errors["funder"] = _("This funder does not take part in the pool.")
    if kind not in BasisKind.values:
        errors["kind"] = _("Choose the kind of legal basis.")
    if allocation is not None and (
        allocation.client_id != enrolment.client_id or allocation.funder_id != funder.pk
    ):
        errors["allocation"] = _("This is not an allocation of this funder for this client.")
    if errors:
        raise ValidationError(errors)
    basis = PoolBasis(
        enrolment=enrolment,
        funder=funder,
        kind=kind,
        reference=reference.strip(),
        start=start,
        end=end,
        allocation=allocation,
        zvw_referral=zvw_referral,
    )
    basis.full_clean()
    basis._history_user = actor
    basis.save()
    access_log_write(
        actor=actor,
        event=AccessEvent.CREATE,
        client=enrolment.client,
        obj=basis,
        basis=AccessBasis.ADMINISTRATION,
    )
    return basis


def referral_reference(route: ZvwRoute) -> str:
    """A referral as its reference: who referred (AGB code, else name) and the date."""
    who = route.referrer_agb or route.referrer_name or route.get_referral_type_display()
    when = route.referral_date.isoformat() if route.referral_date else ""
    return f"{who} {when}".strip()[:60]


def _referral_refusals(
    enrolment: PilotEnrolment, funder: Funder | None, kind: str, route: ZvwRoute
) -> dict[str, str]:
    """A referral may be chosen only as a Zvw referral, the client's own and, when the funder
    is a health insurer, with that insurer on the client's route."""
    if kind != BasisKind.ZVW_REFERRAL:
        return {"zvw_referral": _('A referral goes with the legal basis "Referral (Zvw)".')}
    if route.client_id != enrolment.client_id:
        return {"zvw_referral": _("This is not a referral of this client.")}
    if not route.referral_type:
        return {"zvw_referral": _("The client's Zvw route records no referral.")}
    if (
        funder is not None
        and funder.kind == FunderKind.HEALTH_INSURER
        and route.uzovi
        and route.uzovi != funder.code
    ):
        return {
            "zvw_referral": _("The client's Zvw route names another insurer (UZOVI %(uzovi)s).")
            % {"uzovi": route.uzovi}
        }
    return {}


@transaction.atomic
def pool_payment_record(
    *, part: PoolFunder, paid_on: date, amount_cents: int, year: int, note: str = "", actor: User
) -> PoolPayment:
    """Record what a funder paid into the pool for a year (an advance or an instalment)."""
    payment = PoolPayment(
        part=part, paid_on=paid_on, amount_cents=amount_cents, year=year, note=note
    )
    payment.full_clean()
    payment._history_user = actor
    payment.save()
    return payment
