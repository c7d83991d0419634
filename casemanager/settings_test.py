"""The test suite's settings (pyproject.toml): production's, on plain HTTP, with a test key.

DEBUG stays off as in production (Django's test runner turns it off anyway). DATABASE_URL
selects PostgreSQL; without it the tests run on SQLite. Tests that need production's values
(2FA, the proxy count) set them themselves.
"""

import os

# Before the production settings are read, which refuse to start without a key.
os.environ.setdefault(
    "SECRET_KEY", "django-insecure-tests-only-never-use-this-key-in-production-00000000"
)

from casemanager.settings import *  # noqa: F403
from casemanager.settings import env

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]  # the test client's "testserver" is added by Django

# The test client and the live server speak plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = None
TRUSTED_PROXY_COUNT = 0

REQUIRE_2FA = False  # force_login gives no second factor; the 2FA tests turn it on

# Static files without collectstatic's manifest; mail to the console (the runner keeps it).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
