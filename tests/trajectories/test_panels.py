"""The client page's panels (apps/trajectories/panels.py) and the trajectory_closed signal:
how apps above trajectories add to its page and hear of a closing without being imported."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.trajectories import panels
from apps.trajectories.models import TrajectoryStatus
from apps.trajectories.services import trajectory_close
from apps.trajectories.signals import trajectory_closed

D = datetime.date


@pytest.fixture
def panel_template(settings, tmp_path):
    (tmp_path / "panel_test.html").write_text(
        "<p class='panel-{{ panel.name }}'>{{ panel.text }}</p>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], str(tmp_path)]}
    ]
    return "panel_test.html"  # the settings fixture's change resets the template engines


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})
    return panels._PANELS


def test_a_panel_shows_in_its_slot_and_order_and_only_when_it_has_something(
    client, trajectory, caseworker, panel_template, registered
):
    seen = []

    def shown(text):
        def context(request, client_, access, trajectory_):
            seen.append((client_.pk, access.acting_role, trajectory_.pk))
            return {"name": text, "text": f"{text} for {access.acting_role}"}

        return context

    panels.client_panel_register(
        panels.ClientPanel("second", panels.PanelSlot.TOP, 20, panel_template, shown("second"))
    )
    panels.client_panel_register(
        panels.ClientPanel("first", panels.PanelSlot.TOP, 10, panel_template, shown("first"))
    )
    panels.client_panel_register(
        panels.ClientPanel("side", panels.PanelSlot.SIDE, 0, panel_template, shown("side"))
    )
    panels.client_panel_register(
        panels.ClientPanel("empty", panels.PanelSlot.TOP, 0, panel_template, lambda *a: None)
    )
    from apps.trajectories.services import care_team_join

    care_team_join(
        trajectory=trajectory,
        user=caseworker,
        role="caseworker",
        start=trajectory.start,
        actor=trajectory.lead_caseworker,
    )
    client.force_login(caseworker)
    page = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk})).text

    assert page.index("first for caseworker") < page.index("second for caseworker")
    assert page.index("second for caseworker") < page.index('id="goals-title"')
    assert page.index('id="goals-title"') < page.index("side for caseworker")
    assert "panel-empty" not in page
    assert seen[0] == (trajectory.client.pk, "caseworker", trajectory.pk)


def test_closing_a_trajectory_tells_the_receivers_and_a_refusal_saves_nothing(trajectory):
    heard = []

    def receiver(sender, trajectory, end, actor, **kwargs):
        heard.append((trajectory.pk, end, actor.pk))

    def refuse(sender, **kwargs):
        raise ValidationError("not yet")

    trajectory_closed.connect(receiver, weak=False)
    try:
        trajectory_close(trajectory=trajectory, end=D(2025, 6, 1), actor=trajectory.lead_caseworker)
    finally:
        trajectory_closed.disconnect(receiver)
    assert heard == [(trajectory.pk, D(2025, 6, 1), trajectory.lead_caseworker.pk)]

    other = type(trajectory).objects.create(
        client=trajectory.client, start=D(2025, 7, 1), lead_caseworker=trajectory.lead_caseworker
    )
    trajectory_closed.connect(refuse, weak=False)
    try:
        with pytest.raises(ValidationError):
            trajectory_close(trajectory=other, end=D(2025, 8, 1), actor=other.lead_caseworker)
    finally:
        trajectory_closed.disconnect(refuse)
    other.refresh_from_db()
    assert other.status == TrajectoryStatus.OPEN
    assert other.memberships.filter(end__isnull=False).count() == 0
