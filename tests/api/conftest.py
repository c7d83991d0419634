import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from .world import build_world


@pytest.fixture(autouse=True)
def _api_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # report files
    cache.clear()  # throttling counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api(world):
    """``api(role)``: a client that calls with that role's token (English messages)."""

    def make(role: str | None = None, *, key: str | None = None, language: str = "en"):
        client = APIClient()
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if role is not None or key is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key or world.keys[role]}"
        client.credentials(**headers)
        return client

    return make
