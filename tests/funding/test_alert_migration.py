"""Funding 0017: every funding alert, and every historical row of one, takes its client's
organisation (replayed by make test-deep)."""

import datetime

import pytest
from django.utils import timezone

from apps.funding.models import FundingAlert
from tests.migrating import migrate_to

BEFORE = [("funding", "0016_allocation_registered_index")]


@pytest.mark.deep
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("as_schema_owner")
def test_an_alert_of_before_and_its_history_take_the_clients_organisation():
    from tests.clients.factories import ClientFactory

    client = ClientFactory()
    try:
        old = migrate_to(BEFORE)
        alert = old.get_model("funding", "FundingAlert").objects.create(
            kind="unfunded_waiting",
            key="waiting:before",
            client_id=client.pk,
            raised_on=datetime.date(2025, 6, 2),
        )
        old.get_model("funding", "HistoricalFundingAlert").objects.create(
            id=alert.pk,
            kind=alert.kind,
            key=alert.key,
            client_id=client.pk,
            details={},
            raised_on=alert.raised_on,
            raised_at=alert.raised_at,
            history_date=timezone.now(),
            history_type="+",
        )
        migrate_to()
    finally:
        migrate_to()
    migrated = FundingAlert.objects.get(pk=alert.pk)
    assert migrated.organisation_id == client.organisation_id
    assert migrated.history.get().organisation_id == client.organisation_id
