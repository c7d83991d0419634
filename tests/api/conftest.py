import copy
import shutil

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.suite import shared_rows

from .world import build_world


@pytest.fixture(autouse=True)
def _api_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # report files
    cache.clear()  # throttling counts live in the cache
    yield
    cache.clear()


# One world for the consecutive tests that ask for it (tests/suite.py, SharedRows): built in
# its own media folder, copied into each test's.
_WORLD = shared_rows("_api_world_shared", build_world)


@pytest.fixture(scope="session")
def _api_world_shared(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("api-world-media")
    _WORLD.settings["MEDIA_ROOT"] = str(media)
    _WORLD.open(django_db_blocker)
    yield _WORLD
    _WORLD.close()


@pytest.fixture
def world(_api_world_shared, _api_settings, db, settings):
    """build_world(), the same rows for every test that asks (each test's writes rolled back
    after it), as a deep copy of the objects; its files in the test's MEDIA_ROOT."""
    built = _api_world_shared.value
    if built is None:  # not shared after all (tests/suite.py): its own
        return build_world()
    shutil.copytree(
        _api_world_shared.settings["MEDIA_ROOT"], settings.MEDIA_ROOT, dirs_exist_ok=True
    )
    return copy.deepcopy(built)


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
