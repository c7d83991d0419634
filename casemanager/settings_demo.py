"""The demo (`make demo`): the production settings on plain HTTP on this machine.

The development key and the console mail of DEBUG, but DEBUG itself off, so the demo shows
the product's own 404 and 500 pages; whitenoise serves the static files straight from the
source folders (no collectstatic) and notices changes. DEMO_DEBUG=true brings back Django's
debug pages with tracebacks for a developer. SQLite in the project folder unless DATABASE_URL
is set, Celery tasks run in the request, no second login factor, and the development key when
SECRET_KEY is not set. Never for real data.
Selected explicitly: DJANGO_SETTINGS_MODULE=casemanager.settings_demo.
"""

import os

# Before the production settings are read: with DEBUG on they accept the development key and
# keep the static files unhashed (StaticFilesStorage) and mail on the console.
os.environ.setdefault("DJANGO_DEBUG", "true")

from casemanager.settings import *  # noqa: F403
from casemanager.settings import env

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# runserver on http://127.0.0.1:8000: no HTTPS-only cookies, redirect, HSTS or proxy in front.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = None
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# The demo logins need no authenticator app; REQUIRE_2FA=true shows the second factor.
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=False)

# No broker, no worker: reports and alerts are built in the request.
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True

# The product's own error pages (templates/404.html, 500.html) unless DEMO_DEBUG=true asks for
# Django's debug pages. With DEBUG off runserver serves no static files
# (whitenoise.runserver_nostatic): whitenoise finds them in the source folders itself.
DEBUG = env.bool("DEMO_DEBUG", default=False)
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
