from celery import shared_task

from .allocations import allocations_end_expired
from .presence import stays_extend


@shared_task(name="funding.allocations_end_task")
def allocations_end_task() -> dict:
    """Nightly: end the allocations whose end date has passed (IV066: they never come back)."""
    return {"ended": len(allocations_end_expired())}


@shared_task(name="trajectories.stays_extend_task")
def stays_extend_task() -> dict:
    """Nightly: add to every open residential stay the night that has begun."""
    return stays_extend()
