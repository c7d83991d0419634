"""Cache-Control: no-store on everything a signed-in user or an API caller is answered, since
pages, exports, downloads and API answers hold client data; static files stay cacheable."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.world import build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the world's report file
    cache.clear()  # throttling counts
    return build_world()


def _not_stored(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_pages_and_exports_of_a_signed_in_user_are_not_stored(client, world):
    client.force_login(world.users["caseworker"])
    own = world.clients["own"]
    for url in [
        reverse("clients:list"),
        reverse("clients:detail", kwargs={"pk": own.pk}),
        reverse("clients:detail", kwargs={"pk": world.clients["foreign"].pk}),  # a 404 page
        "/no-such-page/",
    ]:
        response = client.get(url)
        assert _not_stored(response), (url, response.status_code, response.get("Cache-Control"))
    client.force_login(world.users["privacy_officer"])
    export = client.get(reverse("audit:client_history", kwargs={"pk": own.pk}), {"export": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    assert _not_stored(export)


def test_a_report_download_is_not_stored(client, world):
    client.force_login(world.users["manager"])
    response = client.get(reverse("reports:download", kwargs={"pk": world.report.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert _not_stored(response)


def test_api_answers_are_not_stored(world):
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys['manager']}")
    for url in [
        "/api/v1/me/",
        "/api/v1/clients/",
        f"/api/v1/reports/{world.report.pk}/download/",
        "/api/v1/clients/999999/",
        "/api/v1/nothing/",
    ]:
        response = caller.get(url)
        assert _not_stored(response), (url, response.status_code)
    assert _not_stored(APIClient().get("/api/v1/clients/"))  # a 401 as well


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, world):
    client.force_login(world.users["caseworker"])
    response = client.get(reverse("account"))  # never_cache, as it may show a new key
    assert response["Cache-Control"].startswith("max-age=0")


def test_static_files_stay_cacheable(client, world, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client.force_login(world.users["caseworker"])
    static = client.get("/static/favicon.svg")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
