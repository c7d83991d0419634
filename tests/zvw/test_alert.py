"""The turns-18 alert says where the care goes on the birthday: youth GGZ moves to the Zvw
(never extended, no allocation follows it), and guidance continues under the Wmo or stops.

Sources: Jeugdwet art. 1.2 lid 1 (GGZ from 18 is Zvw care) and art. 1.1 "jeugdhulp" onder 2°
(guidance only under 18; for adults it is Wmo support), as in tests/funding/test_youth_age_rules.py.
"""

import datetime

import pytest
from django.utils import translation

from apps.control.alerts import funding_alerts_refresh
from apps.funding.models import FundingAlert, Unit
from tests.accounts.factories import OrganisationFactory
from tests.funding.builders import product, register, trajectory_of

D = datetime.date
BIRTHDAY = D(2025, 8, 1)
TODAY = D(2025, 7, 1)

pytestmark = pytest.mark.django_db


def _turning_18(*, wmo_guidance: bool):
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=D(2007, 8, 1))
    lead = trajectory.lead_caseworker
    register(trajectory.client, product(organisation, "jeugdwet", category="54"), lead)
    register(
        trajectory.client,
        product(organisation, "jeugdwet", category="45", is_guidance=True, unit=Unit.HOUR),
        lead,
        volume=40,
        number="JW-BG",
    )
    if wmo_guidance:
        register(
            trajectory.client,
            product(organisation, "wmo", is_guidance=True, unit=Unit.HOUR),
            lead,
            volume=40,
            number="WMO-BG",
            start=BIRTHDAY,
        )
    funding_alerts_refresh(today=TODAY)
    return FundingAlert.objects.open().get(kind="turns_18", client=trajectory.client)


def test_youth_ggz_always_raises_the_alert_and_guidance_continues_under_the_wmo():
    alert = _turning_18(wmo_guidance=True)
    assert alert.details["ggz"] is True
    assert alert.details["wmo_guidance"] == ["WMO-BG"]
    with translation.override("en"):
        assert "GGZ treatment moves to the Zvw on the birthday" in alert.text
        assert "It continues under the Wmo (allocation WMO-BG)." in alert.text


def test_without_a_wmo_allocation_the_alert_says_guidance_stops():
    alert = _turning_18(wmo_guidance=False)
    assert alert.details["wmo_guidance"] == []
    with translation.override("en"):
        assert "guidance stops on the birthday" in alert.text
