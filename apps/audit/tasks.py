from celery import shared_task

from .services import access_log_purge_expired


@shared_task(name="audit.access_log_purge_task")
def access_log_purge_task() -> dict:
    """Nightly: destroy the access-log entries older than the retention period (five years)."""
    return {"purged": access_log_purge_expired()}
