"""The demo's safety notice and corrected activity (apps/demo/safety.py)."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.demo.safety import CORRECTION_REASON, NOTICE
from apps.safety.models import SafetyNotice
from apps.trajectories.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


def test_the_teacher_sees_the_demo_safety_notice_on_the_client_page(client):
    notice = SafetyNotice.objects.get()
    assert notice.text == NOTICE
    assert notice.history.get().history_user == notice.set_by
    client.force_login(User.objects.get(username="docent"))
    page = client.get(reverse("clients:detail", kwargs={"pk": notice.client_id})).content.decode()
    assert "Deel nooit waar zij woont" in page


def test_one_demo_activity_is_corrected_with_its_reason(client):
    rows = Activity.history.filter(history_change_reason=CORRECTION_REASON)
    assert rows.count() == 1
    activity = Activity.objects.get(pk=rows.get().id)
    versions = activity.history.order_by("history_date", "pk")
    assert versions.first().duration_minutes + 15 == activity.duration_minutes
    client.force_login(rows.get().history_user)
    url = reverse(
        "clients:activity_detail",
        kwargs={"pk": activity.trajectory.client_id, "activity_pk": activity.pk},
    )
    assert CORRECTION_REASON in client.get(url).content.decode()
