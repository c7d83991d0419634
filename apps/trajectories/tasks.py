from celery import shared_task

from .allocations import allocations_end_expired


@shared_task(name="funding.allocations_end_task")
def allocations_end_task() -> dict:
    """Nightly: end the allocations whose end date has passed (IV066: they never come back)."""
    return {"ended": len(allocations_end_expired())}
