"""Shared fixtures. Tests build their own data with the factories beside them."""

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.LANGUAGE_CODE = "nl"
    # Hashing is deliberately slow in production; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Hypothesis profiles and the demo seeded once per module: tests/suite.py.
pytest_plugins = ["tests.suite"]


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL to a PostgreSQL database)")
