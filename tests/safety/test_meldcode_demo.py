"""The demo's meldcode track (apps/demo/meldcode.py): one track in progress on DEMO-001, its
weighing stalled, shown to the lead caseworker; the emergency access the demo opens on the same
client (behandelaar2) does not see it."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.safety.models import MeldcodeTrack


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


@pytest.mark.django_db
def test_the_demo_has_a_stalled_meldcode_track_for_the_team_only(client):
    track = MeldcodeTrack.objects.select_related("client").get(client__client_number="DEMO-001")
    assert sorted(track.steps.values_list("step", flat=True)) == [1, 2, 3]
    assert track.status == "open"
    lead = track.client.trajectories.filter(status="open").get().lead_caseworker
    client.force_login(lead)
    page = client.get(reverse("clients:detail", kwargs={"pk": track.client.pk})).content.decode()
    assert track.concern in page
    assert "Vastgelopen" in page
    client.force_login(User.objects.get(username="behandelaar2"))
    url = reverse("safety:meldcode_track", kwargs={"pk": track.client.pk, "track_pk": track.pk})
    assert client.get(url).status_code == 404
    page = client.get(reverse("clients:detail", kwargs={"pk": track.client.pk})).content.decode()
    assert track.concern not in page
