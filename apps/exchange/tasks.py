"""The exchange's background work (Celery): ids in, counts out, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from apps.accounts.models import Organisation

from .incoming import messages_fetch
from .startstop import deliveries_prepare
from .store import messages_deliver_pending
from .transport import transport_get


@shared_task(name="exchange.deliveries_prepare_task")
def deliveries_prepare_task(organisation_id: int | None = None) -> dict:
    """Nightly: send the start and stop messages that are due, for one organisation or all.
    A second run makes nothing new (every allocation then has its current start and stop)."""
    organisations = Organisation.objects.order_by("pk")
    if organisation_id is not None:
        organisations = organisations.filter(pk=organisation_id)
    today = timezone.localdate()
    notices = messages = 0
    for organisation in organisations:
        prepared = deliveries_prepare(organisation=organisation, today=today, actor=None)
        notices += len(prepared.notices)
        messages += len(prepared.messages)
    return {"notices": notices, "messages": messages}


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


@shared_task(name="exchange.messages_deliver_task", ignore_result=True)
def messages_deliver_task() -> dict[str, int]:
    """Hand the transport every outgoing message it has not taken yet (every 15 minutes: a
    transport that was down when a message was sent gets it on the next run)."""
    return {"delivered": messages_deliver_pending()}
