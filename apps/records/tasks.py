from celery import shared_task

from .build import record_copy_build


@shared_task(
    name="records.record_copy_build_task",
    acks_late=True,  # acknowledged only when done: a lost worker's copy is made again
    reject_on_worker_lost=True,
    soft_time_limit=25 * 60,
    time_limit=30 * 60,
)
def record_copy_build_task(copy_id: int) -> None:
    """Make one copy of a client's record (ids only in the broker, never client data)."""
    record_copy_build(copy_id=copy_id)


@shared_task(name="records.record_copies_expire_task")
def record_copies_expire_task() -> int:
    """Delete the files of copies whose days have passed (nightly, CELERY_BEAT_SCHEDULE)."""
    from .services import record_copies_expire  # services import this module

    return record_copies_expire()
