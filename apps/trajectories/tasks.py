from celery import shared_task

from .presence import stays_extend


@shared_task(name="trajectories.stays_extend_task")
def stays_extend_task() -> dict:
    """Nightly: add to every open residential stay the night that has begun."""
    return stays_extend()
