"""The exchange's background work (Celery): ids in, counts out, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from apps.accounts.models import Organisation

from .startstop import deliveries_prepare


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
