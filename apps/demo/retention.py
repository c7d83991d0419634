"""Demo: a destruction request waiting for the privacy officer's review (apps/retention)."""

from datetime import date, timedelta

from apps.accounts.models import User
from apps.clients.models import Client
from apps.retention.models import DestructionRequest, Requester
from apps.retention.services import destruction_request_record


def demo_retention_seed(*, users: dict[str, User], today: date) -> DestructionRequest | None:
    """A young person of 16 or older asked three weeks ago to destroy their record."""
    officer = users["privacy"]
    received_on = today - timedelta(weeks=3)
    for client in Client.objects.filter(
        organisation_id=officer.organisation_id, shielded=False
    ).order_by("-client_number"):
        if client.age_on(received_on) >= 16:
            return destruction_request_record(
                client=client,
                requester=Requester.YOUNG_PERSON,
                received_on=received_on,
                actor=officer,
            )
    return None
