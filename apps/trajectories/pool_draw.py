"""What an enrolled client's activity draws on a pooled budget (docs/pools.md).

Called by the assignment (``_pilot_decide``) once a product of the pool's contract fits the
activity: the client must take part on the day, and then the pool's pricing decides what the
activity itself draws. Priced per client (a month, a trajectory) it draws nothing: the price
is the cost, whatever care was delivered. Priced at the contract's tariffs it draws its value
from the pool's budget; with a budget per client, from the client's budget as well.
"""

from __future__ import annotations

from django.db.models import Sum

from apps.funding.models import IntegralPilot, PoolPricing

from .models import Activity, ActivityStatus, FundingStatus


def _drawn(pilot: IntegralPilot, activity: Activity, **filters) -> int:
    drawn = Activity.objects.filter(
        status=ActivityStatus.RECORDED,
        funding_status=FundingStatus.PILOT,
        pilot_product__contract_id=pilot.contract_id,
        **filters,
    )
    if activity.pk is not None:
        drawn = drawn.exclude(pk=activity.pk)
    return drawn.aggregate(total=Sum("pilot_cents"))["total"] or 0


def pool_draw(*, pilot: IntegralPilot, activity: Activity, value: int) -> tuple[int, dict | None]:
    """The cents the activity draws from the pool, or a refusal saying why it cannot."""
    enrolments = getattr(pilot, "client_enrolments", None) or []
    enrolment = enrolments[0] if enrolments else None
    if enrolment is not None and not enrolment.covers(activity.date):
        return 0, {
            "code": "pool_not_enrolled_on_date",
            "pilot": pilot.name,
            "start": enrolment.start.isoformat(),
            "end": enrolment.end.isoformat() if enrolment.end else "",
            "date": activity.date.isoformat(),
        }
    if pilot.priced_per_client:
        return 0, None
    if pilot.pricing == PoolPricing.CLIENT_BUDGET:
        client_used = _drawn(pilot, activity, trajectory__client_id=activity.trajectory.client_id)
        if client_used + value > pilot.price_cents:
            return 0, {
                "code": "pool_client_budget_used",
                "pilot": pilot.name,
                "left": max(pilot.price_cents - client_used, 0),
                "needed": value,
            }
    used = _drawn(pilot, activity)
    if used + value > pilot.budget_cents:
        return 0, {
            "code": "pilot_budget_used",
            "pilot": pilot.name,
            "left": max(pilot.budget_cents - used, 0),
            "needed": value,
        }
    return value, None
