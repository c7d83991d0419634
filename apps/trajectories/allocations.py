"""Writes for allocations beyond registering and changing them (``assignment``): replacing an
allocation under a new number, and the nightly end of allocations whose end date has passed.

IV066 (iJw/iWmo 3.2): an allocation changes only in its end date, its budget and, with the
frequency "total within the validity", its volume. Any other change ends the allocation the day
before the change takes effect and registers a new one, with a new number, from that day
(IV093: "het actueel ToegewezenProduct wordt ingetrokken [en] krijgt een einddatum
GewensteIngangsdatum minus 1 dag"), with a reason from JZ002.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from apps.accounts.models import User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write_many
from apps.funding.allocation_rules import change_reason_errors
from apps.funding.models import (
    Allocation,
    AllocationSource,
    AllocationStatus,
    Frequency,
    Product,
    Unit,
)

from .assignment import _allocation_changed, _refuse_unless_changeable, allocation_register
from .models import Activity

ENDED_BY_ITSELF = "ended the night after its end date"


@transaction.atomic
def allocation_replace(
    *,
    allocation: Allocation,
    actor: User | None,
    reason: str,
    number: str,
    volume: int,
    frequency: Frequency,
    start: date,
    end: date | None,
    unit: Unit | None = None,
    product: Product | None = None,
    budget_cents: int | None = None,
    by_message: bool = False,
) -> tuple[Allocation, list[Activity]]:
    """Replace an allocation from ``start`` by a new one under a new number, in one
    transaction: the old one ends the day before (or is withdrawn when the new one starts on or
    before its first day), with the JZ002 reason; the new one is registered and what the old one
    no longer funds is matched again. Returns the new allocation and the activities now paid.
    An allocation received as a message is replaced only ``by_message`` (the exchange); the new
    one is then a message allocation too.
    """
    old = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("contract__funder", "product", "client")
        .get(pk=allocation.pk)
    )
    _refuse_unless_changeable(old, by_message=by_message)
    whole = start <= old.start
    if not whole and old.end is not None and start > old.end:
        raise ValidationError(
            {
                "start": _(
                    "The new allocation starts after this one ends: register it as a new "
                    "allocation instead."
                )
            }
        )
    old_end = old.start if whole else start - timedelta(days=1)
    reason_errors = change_reason_errors(reason=reason, start=old.start, end=old_end)
    if reason_errors:
        raise ValidationError({"reason": reason_errors})
    old.change_reason = reason
    if whole:
        old.status = AllocationStatus.WITHDRAWN
    else:
        old.end = old_end
    old._history_user = actor
    old.save(update_fields=["change_reason", "status", "end"])
    _allocation_changed(allocation=old, actor=actor)
    # The new allocation is of the same variant (aspecific, generic: its category, contract
    # and budget, unless a new budget is given; no volume).
    specific = old.is_specific
    new, matched = allocation_register(
        client=old.client,
        product=(product or old.product) if specific else None,
        number=number,
        volume=volume if specific else None,
        frequency=frequency,
        start=start,
        end=end,
        unit=unit,
        actor=actor,
        variant=old.variant,
        category=old.category,
        contract=old.contract,
        budget_cents=None if specific else (budget_cents or old.budget_cents),
        source=AllocationSource.MESSAGE if by_message else AllocationSource.MANUAL,
    )
    new.replaces = old
    new._history_user = actor
    new.save(update_fields=["replaces"])
    return new, matched


@transaction.atomic
def allocations_end_expired(*, today: date | None = None) -> list[Allocation]:
    """End every active allocation whose end date lies before ``today`` (the nightly run).

    What they funded stays: an ended allocation still pays for care within its validity.
    Idempotent; a fixed number of statements however many allocations end.
    """
    today = today or timezone.localdate()
    expired = list(
        Allocation.objects.filter(status=AllocationStatus.ACTIVE, end__lt=today)
        .select_related("client")
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    if not expired:
        return []
    for allocation in expired:
        allocation.status = AllocationStatus.ENDED
    bulk_update_with_history(expired, Allocation, ["status"], default_change_reason=ENDED_BY_ITSELF)
    access_log_write_many(
        actor=None,
        event=AccessEvent.CHANGE,
        changed=[(allocation.client, allocation) for allocation in expired],
        basis=AccessBasis.ADMINISTRATION,
    )
    return expired
