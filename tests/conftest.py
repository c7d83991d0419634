"""Shared fixtures. Tests build their own data with the factories beside them."""

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _dutch_by_default(settings):
    settings.LANGUAGE_CODE = "nl"


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL to a PostgreSQL database)")
