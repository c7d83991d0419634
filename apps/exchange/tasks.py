from celery import shared_task

from .incoming import messages_fetch
from .transport import transport_get


@shared_task(name="exchange.messages_fetch_task", ignore_result=True)
def messages_fetch_task() -> dict[str, int]:
    """Receive what the transport holds (every 15 minutes, CELERY_BEAT_SCHEDULE); each file is
    acknowledged once stored or refused, so that a run that overlaps another never receives a
    file twice (a repeated identification is refused, TR056)."""
    results = messages_fetch(transport=transport_get())
    return {
        "stored": sum(1 for result in results if result.message is not None),
        "refused": sum(1 for result in results if result.refused),
    }
