"""The registration page, the result, the lifecycle page and panel, reopening."""

import datetime

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.clients.models import Client
from apps.intake.services import trajectory_finish
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory, municipality

from .conftest import register

D = datetime.date


def form_data(**overrides):
    data = {
        "given_name": "Sanne",
        "family_name": "de Vries",
        "pseudonym": "Merel",
        "date_of_birth": "2012-01-15",
        "bsn": "111222333",
        "street_and_number": "Oudegracht 1",
        "postcode": "3511 AB",
        "place": "Utrecht",
        "municipality": municipality("0344").pk,
        "referrer_kind": "02",
        "referrer_name": "Huisarts Jansen",
        "referrer_agb": "01012345",
        "referred_on": "2026-01-20",
        "start": "2026-02-01",
        "rep1_name": "Anna de Vries",
        "rep1_relation": "parent",
        "rep1_parental_authority": "on",
    }
    data.update(overrides)
    return data


def test_a_caseworker_registers_on_one_page_and_sees_who_decides(
    client, organisation, caseworker, today
):
    data = form_data(lead_caseworker=caseworker.pk)
    client.force_login(caseworker)
    assert client.get(reverse("intake:register")).status_code == 200
    response = client.post(reverse("intake:register"), data, follow=True)
    registered = Client.objects.get(organisation=organisation)
    assert response.redirect_chain[-1][0] == reverse("intake:registered", args=[registered.pk])
    text = response.content.decode()
    assert "2026-0001" in text
    # 14 on 2 March 2026: the young person together with the parent (BW 7:450 lid 2).
    assert "BW 7:450 lid 2" in text
    assert "Anna de Vries" in text
    assert AccessLogEntry.objects.filter(
        user=caseworker, client=registered, detail="registration result", outcome="allowed"
    ).exists()
    page = client.get(reverse("clients:detail", args=[registered.pk])).content.decode()
    assert "lifecycle-panel" in page
    assert "BW 7:450 lid 2" in page


def test_form_errors_say_what_to_fix_and_save_nothing(client, organisation, caseworker, today):
    client.force_login(caseworker)
    data = form_data(lead_caseworker=caseworker.pk, postcode="0123 SS", bsn="123456789")
    response = client.post(reverse("intake:register"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "postcode" in text.lower()
    assert "elfproef" in text.lower()
    assert not Client.objects.exists()


def test_a_duplicate_is_refused_with_a_link_to_the_existing_record(
    client, organisation, caseworker, today
):
    existing = register(organisation, caseworker).client
    client.force_login(caseworker)
    response = client.post(
        reverse("intake:register"), form_data(lead_caseworker=caseworker.pk, pseudonym="Iris")
    )
    text = response.content.decode()
    assert reverse("clients:detail", args=[existing.pk]) in text
    assert "al ingeschreven" in text
    assert Client.objects.count() == 1
    assert AccessLogEntry.objects.filter(
        client=existing, outcome="refused", detail="registration refused: same BSN"
    ).exists()


def test_another_organisations_bsn_is_no_duplicate_and_does_not_leak(
    client, organisation, caseworker, today
):
    foreign = ClientFactory(organisation=OrganisationFactory(), bsn="111222333")
    client.force_login(caseworker)
    response = client.post(reverse("intake:register"), form_data(lead_caseworker=caseworker.pk))
    assert response.status_code == 302
    assert reverse("clients:detail", args=[foreign.pk]) not in response.content.decode()
    assert not AccessLogEntry.objects.filter(client=foreign).exists()


def test_the_lifecycle_panel_and_page_are_for_caseworkers_on_the_team(
    client, organisation, caseworker, teacher, today
):
    trajectory = register(organisation, caseworker, teacher=teacher)
    pk = trajectory.client_id
    client.force_login(teacher)
    assert (
        "lifecycle-panel" not in client.get(reverse("clients:detail", args=[pk])).content.decode()
    )
    assert client.get(reverse("intake:lifecycle", args=[pk])).status_code == 403
    assert client.post(reverse("intake:close", args=[pk]), {}).status_code == 403
    client.force_login(caseworker)
    response = client.post(
        reverse("intake:phase_move", args=[pk]), {"phase": "treatment", "on": "2026-02-10"}
    )
    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.phase == "treatment"
    refused = client.post(
        reverse("intake:phase_move", args=[pk]), {"phase": "intake", "on": "2026-02-11"}
    )
    assert refused.status_code == 400
    response = client.post(
        reverse("intake:close", args=[pk]),
        {"end": "2026-03-01", "reason": "goals_achieved", "note": ""},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("intake:closed")
    assert "Heropenen" in response.content.decode()
    # Closed: the team has ended, the client page is no longer open to the caseworker.
    assert client.get(reverse("clients:detail", args=[pk])).status_code == 404


def test_reopening_from_the_closed_list(client, organisation, caseworker, today):
    trajectory = register(organisation, caseworker)
    trajectory_finish(trajectory=trajectory, end=today, reason="moved", actor=caseworker)
    other = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    client.force_login(other)
    assert (
        client.post(
            reverse("intake:resume", args=[trajectory.pk]), {"on": "2026-03-02"}
        ).status_code
        == 404
    )
    assert AccessLogEntry.objects.filter(user=other, outcome="refused").exists()
    client.force_login(caseworker)
    listing = client.get(reverse("intake:closed")).content.decode()
    assert trajectory.client.client_number in listing
    response = client.post(reverse("intake:resume", args=[trajectory.pk]), {"on": "2026-03-02"})
    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.status == "open"
    steps = client.get(reverse("intake:lifecycle", args=[trajectory.client_id])).content.decode()
    assert "heropend" in steps


@pytest.mark.parametrize("url_name", ["intake:register", "intake:closed"])
def test_other_roles_are_refused_and_logged(client, organisation, url_name):
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert client.get(reverse(url_name)).status_code == 404
    assert AccessLogEntry.objects.filter(user=manager, outcome="refused").exists()
