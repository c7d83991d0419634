from celery import shared_task

from apps.accounts.models import Organisation

from .services import retention_due_refresh


@shared_task(name="retention.retention_due_task")
def retention_due_task() -> dict:
    """Nightly: list each organisation's records past their retention date for the privacy
    officer (nothing is destroyed without the officer's confirmation)."""
    return {
        str(organisation.pk): retention_due_refresh(organisation=organisation)
        for organisation in Organisation.objects.order_by("pk")
    }
