"""The extended youth care page: a caseworker of the care team records, changes or ends it;
everyone else is refused; every read and write is logged; bad input never gives a 500 and
nothing is half-saved. The rules themselves: tests/clients/test_youth_care.py (with the
sources)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.clients.models import ExtendedYouthCare
from apps.control.alerts import funding_alerts_refresh
from apps.trajectories.services import care_team_join
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory, extended_youth_care
from tests.funding.builders import product, register
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
BORN = D(2007, 8, 1)  # 18 on 1 August 2025

VALID = {
    "basis": "continued",
    "care_started_on": "2024-09-01",
    "decided_by": "College van B&W, gemeente Utrecht",
    "decision_reference": "VJH-2025-12",
    "decision_date": "2025-07-01",
    "start": "2025-08-01",
    "until": "2026-07-31",
}


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(client=ClientFactory(date_of_birth=BORN), start=D(2025, 1, 1))


def _url(trajectory, name="clients:extended_youth_care", **kwargs):
    return reverse(name, kwargs={"pk": trajectory.client.pk, **kwargs})


def _logged(user, client, outcome="allowed"):
    return AccessLogEntry.objects.filter(
        user=user, client=client, detail="extended youth care", outcome=outcome
    ).exists()


def test_the_caseworker_of_the_care_team_reads_the_page_and_the_read_is_logged(client, trajectory):
    lead = trajectory.lead_caseworker
    client.force_login(lead)
    response = client.get(_url(trajectory))
    assert response.status_code == 200
    assert _logged(lead, trajectory.client)


def test_recording_from_the_page(client, trajectory):
    lead = trajectory.lead_caseworker
    client.force_login(lead)
    response = client.post(_url(trajectory), VALID)
    assert response.status_code == 302
    care = ExtendedYouthCare.objects.get(client=trajectory.client)
    assert (care.basis, care.until, care.decision_reference) == (
        "continued",
        D(2026, 7, 31),
        "VJH-2025-12",
    )
    assert AccessLogEntry.objects.filter(user=lead, event="create").exists()
    page = client.get(_url(trajectory)).text
    assert "VJH-2025-12" in page


@pytest.mark.parametrize(
    "changes",
    [
        # Resumed seven months after the care ended: the law allows six.
        {
            "basis": "resumed",
            "previous_care_ended_on": "2025-07-31",
            "start": "2026-02-28",
            "decision_date": "2026-02-20",
        },
        {"until": "2030-08-01"},  # the 23rd birthday
        {"care_started_on": "2025-08-01"},  # on the 18th birthday, not before
        {"basis": "unknown"},  # only for carried-over records
        {"basis": "nonsense", "start": "31-02-2025", "until": "", "decision_date": "morgen"},
        {"decided_by": "x" * 500},
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, trajectory, changes):
    client.force_login(trajectory.lead_caseworker)
    with translation.override("en"):
        response = client.post(_url(trajectory), {**VALID, **changes}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert not ExtendedYouthCare.objects.exists()
    trajectory.client.refresh_from_db()
    assert trajectory.client.extended_youth_care_until is None


def test_resumed_too_late_says_why(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    data = {
        **VALID,
        "basis": "resumed",
        "previous_care_ended_on": "2025-07-31",
        "start": "2026-02-28",
        "decision_date": "2026-02-20",
    }
    response = client.post(_url(trajectory), data)
    assert "zes maanden" in response.text or "six months" in response.text


@pytest.mark.parametrize("role", ["teacher", "job_coach"])
def test_other_members_of_the_care_team_are_refused_and_it_is_logged(client, trajectory, role):
    member = UserFactory(organisation=trajectory.client.organisation, roles=[Role(role)])
    care_team_join(
        trajectory=trajectory,
        user=member,
        role=role,
        start=D(2025, 1, 1),
        actor=trajectory.lead_caseworker,
    )
    client.force_login(member)
    assert client.get(_url(trajectory)).status_code == 403
    assert client.post(_url(trajectory), VALID).status_code == 403
    assert not ExtendedYouthCare.objects.exists()
    assert _logged(member, trajectory.client, outcome="refused")


@pytest.mark.parametrize("where", ["same organisation, other team", "other organisation"])
def test_caseworkers_outside_the_care_team_are_refused_and_it_is_logged(client, trajectory, where):
    organisation = trajectory.client.organisation if where.startswith("same") else None
    outsider = UserFactory(
        roles=[Role.CASEWORKER], **({"organisation": organisation} if organisation else {})
    )
    client.force_login(outsider)
    assert client.get(_url(trajectory)).status_code == 404
    assert client.post(_url(trajectory), VALID).status_code == 404
    assert not ExtendedYouthCare.objects.exists()
    assert AccessLogEntry.objects.filter(
        user=outsider, detail="extended youth care", outcome="refused"
    ).exists()


def test_a_manager_is_refused(client, trajectory):
    manager = UserFactory(organisation=trajectory.client.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert client.post(_url(trajectory), VALID).status_code in (403, 404)
    assert not ExtendedYouthCare.objects.exists()


def test_changing_and_ending_from_the_page(client, trajectory):
    lead = trajectory.lead_caseworker
    care = extended_youth_care(trajectory.client, until=D(2026, 7, 31), actor=lead)
    client.force_login(lead)
    change_url = _url(trajectory, "clients:extended_youth_care_change", care_pk=care.pk)
    assert client.get(change_url).status_code == 200
    response = client.post(change_url, {**VALID, "until": "2027-07-31"})
    assert response.status_code == 302
    care.refresh_from_db()
    assert care.until == D(2027, 7, 31)

    end_url = _url(trajectory, "clients:extended_youth_care_end", care_pk=care.pk)
    prefix = f"end-{care.pk}"
    response = client.post(end_url, {f"{prefix}-ended_on": "gisteren"})
    assert response.status_code == 302
    care.refresh_from_db()
    assert care.ended_on is None
    response = client.post(end_url, {f"{prefix}-ended_on": "2028-01-01"})  # after its end
    assert response.status_code == 302
    care.refresh_from_db()
    assert care.ended_on is None
    client.post(end_url, {f"{prefix}-ended_on": "2025-12-31"})
    care.refresh_from_db()
    assert care.ended_on == D(2025, 12, 31)
    trajectory.client.refresh_from_db()
    assert trajectory.client.extended_youth_care_until == D(2025, 12, 31)


def test_another_clients_period_is_not_found(client, trajectory):
    other = TrajectoryFactory(
        client=ClientFactory(organisation=trajectory.client.organisation, date_of_birth=BORN),
        lead_caseworker=trajectory.lead_caseworker,
    )
    care = extended_youth_care(other.client, until=D(2026, 7, 31), actor=other.lead_caseworker)
    client.force_login(trajectory.lead_caseworker)
    for name in ("clients:extended_youth_care_change", "clients:extended_youth_care_end"):
        assert client.post(_url(trajectory, name, care_pk=care.pk), VALID).status_code == 404
    care.refresh_from_db()
    assert care.until == D(2026, 7, 31)


def test_a_carried_over_period_is_shown_as_without_basis(client, trajectory):
    lead = trajectory.lead_caseworker
    ExtendedYouthCare.objects.create(
        client=trajectory.client,
        basis="unknown",
        start=BORN.replace(year=2025),
        until=D(2026, 1, 1),
    )
    client.force_login(lead)
    with translation.override("en"):
        page = client.get(_url(trajectory), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Recorded before the basis was asked" in page or "Vastgelegd voordat" in page


def test_the_18th_birthday_alert_links_to_the_page(client, trajectory):
    lead = trajectory.lead_caseworker
    register(trajectory.client, product(trajectory.client.organisation), lead)
    funding_alerts_refresh(today=D(2025, 6, 2))
    client.force_login(lead)
    page_url = _url(trajectory)
    assert page_url in client.get(_url(trajectory, "clients:detail")).text
    assert page_url in client.get(reverse("funding:alerts")).text
    # A manager sees the alert but is not the one to record it: no link.
    manager = UserFactory(organisation=trajectory.client.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert page_url not in client.get(reverse("funding:alerts")).text
