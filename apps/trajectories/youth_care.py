"""Extended youth care and the funding that follows it.

Recording, changing or ending a client's extended youth care (apps.clients.youth_care) changes
what the Jeugdwet pays for after the 18th birthday; these services do that write and, in the
same transaction, decide the care it touches again: the activities on the client's allocations
of a stream that stops at 18 are reassigned (care after a shortened end is released), then the
waiting unfunded care is matched (care now covered is absorbed).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from apps.accounts.models import User
from apps.clients.models import Client, ExtendedYouthCare
from apps.clients.youth_care import (
    extended_youth_care_change,
    extended_youth_care_end,
    extended_youth_care_record,
)
from apps.funding.models import Allocation, AllocationStatus

from .assignment import allocation_activities_reassign, unfunded_rematch


def _funding_follows(*, client: Client, actor: User) -> None:
    allocations = Allocation.objects.filter(
        client=client,
        status=AllocationStatus.ACTIVE,
        contract__stream__age_limit__isnull=False,
    ).order_by("pk")
    for allocation in allocations:
        allocation_activities_reassign(allocation=allocation, actor=actor)
    unfunded_rematch(client=Client.objects.get(pk=client.pk), actor=actor)


@transaction.atomic
def extended_youth_care_register(*, client: Client, actor: User, **fields) -> ExtendedYouthCare:
    """Record extended youth care and let the Jeugdwet pay the care it now covers."""
    care = extended_youth_care_record(client=client, actor=actor, **fields)
    _funding_follows(client=care.client, actor=actor)
    return care


@transaction.atomic
def extended_youth_care_update(
    *, care: ExtendedYouthCare, actor: User, **changes
) -> ExtendedYouthCare:
    """Change extended youth care and decide the Jeugdwet care around it again."""
    care = extended_youth_care_change(care=care, actor=actor, **changes)
    _funding_follows(client=care.client, actor=actor)
    return care


@transaction.atomic
def extended_youth_care_stop(
    *, care: ExtendedYouthCare, ended_on: date | None, actor: User
) -> ExtendedYouthCare:
    """End extended youth care; Jeugdwet care after its last day waits unfunded."""
    care = extended_youth_care_end(care=care, ended_on=ended_on, actor=actor)
    _funding_follows(client=care.client, actor=actor)
    return care
