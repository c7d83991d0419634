"""A client's CIZ indication (Wlz) and own health insurer (Zvw): periods with history, never
overlapping, and each recording in the access log (docs/funding.md, "Who is responsible")."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.audit.models import AccessLogEntry
from apps.clients.models import HealthInsurance, WlzIndication
from apps.clients.services import health_insurance_record, wlz_indication_record
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_recording_an_indication_keeps_history_and_logs_it():
    client = ClientFactory()
    actor = UserFactory(organisation=client.organisation)
    indication = wlz_indication_record(
        client=client, care_profile=" LVG 4 ", start=D(2025, 3, 1), end=None, actor=actor
    )
    assert indication.care_profile == "LVG 4"
    assert indication.is_valid_on(D(2025, 3, 1))
    assert not indication.is_valid_on(D(2025, 2, 28))
    assert indication.history.get().history_user == actor
    assert AccessLogEntry.objects.filter(client=client, user=actor).exists()


def test_indications_may_not_overlap_and_nothing_is_saved():
    client = ClientFactory()
    wlz_indication_record(
        client=client, care_profile="VG 5", start=D(2025, 1, 1), end=D(2025, 6, 30), actor=None
    )
    with translation.override("en"), pytest.raises(ValidationError, match="already has a Wlz"):
        wlz_indication_record(
            client=client, care_profile="VG 6", start=D(2025, 6, 30), end=None, actor=None
        )
    wlz_indication_record(
        client=client, care_profile="VG 6", start=D(2025, 7, 1), end=None, actor=None
    )
    assert WlzIndication.objects.filter(client=client).count() == 2


@pytest.mark.parametrize("uzovi", ["399", "39999", "ABCD", ""])
def test_a_uzovi_code_has_four_digits(uzovi):
    client = ClientFactory()
    with pytest.raises(ValidationError) as caught:
        health_insurance_record(
            client=client, uzovi=uzovi, start=D(2025, 1, 1), end=None, actor=None
        )
    assert "uzovi" in caught.value.message_dict
    assert not HealthInsurance.objects.exists()


def test_insurers_follow_each_other_without_overlap():
    client = ClientFactory()
    health_insurance_record(
        client=client, uzovi="3311", start=D(2024, 1, 1), end=D(2024, 12, 31), actor=None
    )
    health_insurance_record(client=client, uzovi="8888", start=D(2025, 1, 1), end=None, actor=None)
    with translation.override("en"), pytest.raises(ValidationError, match="has a health insurer"):
        health_insurance_record(
            client=client, uzovi="7777", start=D(2024, 6, 1), end=None, actor=None
        )
    with pytest.raises(ValidationError):
        health_insurance_record(
            client=client, uzovi="7777", start=D(2023, 6, 1), end=D(2023, 1, 1), actor=None
        )
