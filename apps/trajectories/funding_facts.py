"""Recording who else pays for a client's care (a CIZ indication for the Wlz, the client's own
health insurer) and deciding the client's care again by it (docs/funding.md, "Who is
responsible").

The records themselves are the clients app's (``apps.clients.services``); deciding the care
again writes activities, so it lives here, with the assignment.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from apps.accounts.models import User
from apps.clients.models import Client, HealthInsurance, WlzIndication
from apps.clients.services import (
    health_insurance_end,
    health_insurance_record,
    wlz_indication_end,
    wlz_indication_record,
)
from apps.funding.models import Allocation, AllocationStatus

from .assignment import FUNDED, allocation_activities_reassign, unfunded_rematch


def client_care_redecide(*, client: Client, actor: User | None) -> None:
    """Decide the client's funded care again (each active allocation's, in primary-key
    order) and match its waiting care: after a fact the rules read has changed."""
    allocations = (
        Allocation.objects.filter(
            client=client, status=AllocationStatus.ACTIVE, activities__funding_status=FUNDED
        )
        .distinct()
        .order_by("pk")
    )
    for allocation in allocations:
        allocation_activities_reassign(allocation=allocation, actor=actor)
    unfunded_rematch(client=client, actor=actor)


@transaction.atomic
def wlz_indication_register(
    *,
    client: Client,
    care_profile: str,
    start: date,
    end: date | None,
    actor: User | None,
    decision_reference: str = "",
) -> WlzIndication:
    """Record a CIZ indication and decide the client's care again: from its start the Wlz
    goes first for the care it covers."""
    indication = wlz_indication_record(
        client=client,
        care_profile=care_profile,
        start=start,
        end=end,
        decision_reference=decision_reference,
        actor=actor,
    )
    client_care_redecide(client=client, actor=actor)
    return indication


@transaction.atomic
def health_insurance_register(
    *, client: Client, uzovi: str, start: date, end: date | None, actor: User | None
) -> HealthInsurance:
    """Record the client's own health insurer and decide the client's care again: only this
    insurer's Zvw allocations pay in the period."""
    insurance = health_insurance_record(
        client=client, uzovi=uzovi, start=start, end=end, actor=actor
    )
    client_care_redecide(client=client, actor=actor)
    return insurance


@transaction.atomic
def wlz_indication_stop(
    *, indication: WlzIndication, end: date | None, actor: User | None
) -> WlzIndication:
    """End a CIZ indication and decide the client's care again: after its last day the
    Jeugdwet (or another law) may pay the care again."""
    indication = wlz_indication_end(indication=indication, end=end, actor=actor)
    client_care_redecide(client=indication.client, actor=actor)
    return indication


@transaction.atomic
def health_insurance_stop(
    *, insurance: HealthInsurance, end: date | None, actor: User | None
) -> HealthInsurance:
    """End the client's health insurance and decide the client's care again."""
    insurance = health_insurance_end(insurance=insurance, end=end, actor=actor)
    client_care_redecide(client=insurance.client, actor=actor)
    return insurance
