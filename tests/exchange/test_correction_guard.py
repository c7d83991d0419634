"""Care declared to a municipality is not changed silently on the correction pages
(apps.exchange.declarations.guard, through apps.trajectories.signals.activity_change_asked)."""

import pytest
from django.urls import reverse

from apps.exchange.declarations import declaration_draft, declaration_send

from .factories_declarations import OCTOBER, world_fixture  # noqa: F401
from .test_declarations import _answer

pytestmark = pytest.mark.django_db


def _sent(world):
    (run,) = declaration_draft(
        organisation=world.organisation, funder=world.funder, month=OCTOBER, actor=world.manager
    )
    return declaration_send(run=run, actor=world.manager)


def _correct(client, activity, **extra):
    url = reverse(
        "clients:activity_correct",
        kwargs={"pk": activity.trajectory.client_id, "activity_pk": activity.pk},
    )
    data = {
        "kind": activity.kind,
        "date": activity.date.isoformat(),
        "duration_minutes": 80,
        "reason": "Duur was 80 minuten",
        **extra,
    }
    return client.post(url, data)


def test_a_claim_without_an_answer_is_locked_and_an_accepted_one_needs_a_tick(client, world):
    activity = world.a.activities.get(date__day=6, date__month=10)
    run = _sent(world)
    client.force_login(world.caseworker)
    response = _correct(client, activity, declared_confirmed="on")
    assert response.status_code == 200
    assert f"declaratie {run.number}" in response.content.decode()
    assert "nog niet beantwoord" in response.content.decode()
    activity.refresh_from_db()
    assert activity.duration_minutes == 45
    _answer(world, run)  # accepted
    response = _correct(client, activity)
    assert "vink" in response.content.decode()
    assert 'name="declared_confirmed"' in response.content.decode()  # the tick is offered
    activity.refresh_from_db()
    assert activity.duration_minutes == 45
    assert _correct(client, activity, declared_confirmed="on").status_code == 302
    activity.refresh_from_db()
    assert activity.duration_minutes == 80
    # The next declaration of the month withdraws the claim and claims anew.
    (again,) = declaration_draft(
        organisation=world.organisation, funder=world.funder, month=OCTOBER, actor=world.manager
    )
    assert sorted(again.lines.values_list("debit_credit", flat=True)) == ["C", "D"]


def test_care_of_another_month_is_not_held_back(client, world):
    _sent(world)
    november = world.b.activities.get(date__month=11)
    client.force_login(world.caseworker)
    assert _correct(client, november).status_code == 302
