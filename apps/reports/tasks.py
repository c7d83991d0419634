from celery import shared_task

from .build import report_build


@shared_task(
    name="reports.report_build_task",
    acks_late=True,  # acknowledged only when done: a lost worker's report is delivered again
    reject_on_worker_lost=True,
    soft_time_limit=25 * 60,
    time_limit=30 * 60,
)
def report_build_task(run_id: int) -> None:
    """Build one report run (ids only in the broker, never client data)."""
    report_build(run_id=run_id)
