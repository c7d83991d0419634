"""The demo has a client's statement on a client page and a copy of the record to download."""

import pytest

from apps.records.models import ClientStatement, CopyStatus, RecordCopy


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


@pytest.mark.django_db
def test_the_demo_has_a_statement_and_a_copy_ready_for_the_privacy_officer():
    statement = ClientStatement.objects.select_related("client").get()
    assert statement.client.age_on(statement.given_on) >= 12
    copy = RecordCopy.objects.get()
    assert copy.status == CopyStatus.DONE, copy.error
    assert copy.client == statement.client
    assert copy.requested_by.username == "privacy"
    assert copy.size > 0
