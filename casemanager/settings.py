"""Settings, read from the environment: production unless told otherwise.

Without any environment this module refuses to start (SECRET_KEY is required) and is otherwise
production: DEBUG off, cookies only over HTTPS, HSTS, two-factor authentication. The demo and the
tests select their own thin overrides explicitly: casemanager/settings_demo.py (`make demo`) and
casemanager/settings_test.py (pytest). See README.md for the full list of variables.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DJANGO_DEBUG off the application needs a secret key "
            "of at least 50 random characters in the SECRET_KEY environment variable."
        )
    # Only when DJANGO_DEBUG=true was asked for explicitly (the demo, a developer's machine).
    SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production-0000"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "casemanager.admin.CaseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_htmx",
    # The project's apps, bottom layer first (docs/architecture.md): each imports only from
    # the apps above it in this list.
    "apps.core",  # domains, shared form widgets and template filters
    "apps.audit",  # the access log: everyone writes to it
    "apps.accounts",
    "apps.clients",
    "apps.funding",
    "apps.trajectories",
    "apps.control",  # funding control: the manager's funding pages and alerts
    "apps.intake",  # registration of a client and the trajectory's lifecycle
    "apps.plans",  # the treatment plan and its evaluations
    "apps.safety",  # safety notices on a client (docs/corrections.md)
    "apps.zvw",  # GGZ after 18 under the Zvw: referral, insurer, prestaties, declarations
    "apps.registers",  # group sessions, classes and unexcused absence
    "apps.reports",
    "apps.privacy",  # the privacy officer's pages
    "apps.records",  # the client's copy of the record and their own statement
    "apps.pools",  # pooled budgets of several funders (integral funding)
    "apps.exchange",  # iJw / iWmo message traffic with municipalities
    "apps.retention",  # retention periods, destruction and its tombstones
    "apps.agenda",  # appointments and the personal calendar feed
    "apps.demo",  # seed_demo
    "apps.workday",  # the day page (the start page) and the manager's client search
    # The REST API under /api/v1/ (apps/api) and its OpenAPI description.
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files
    "apps.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.NoStoreMiddleware",  # after WhiteNoise: static files stay cacheable
    # Django's SessionMiddleware, keeping the cookie of a session ended by the idle timeout.
    "apps.accounts.keepalive.SessionMiddlewareKeepingEndedSessions",
    "apps.accounts.middleware.DutchByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Django's LoginRequiredMiddleware, keeping a form posted after the session ended.
    "apps.accounts.keepalive.LoginRequiredKeepingFormsMiddleware",
    "apps.accounts.middleware.TwoFactorRequiredMiddleware",
    "apps.accounts.keepalive.UnsavedFormsMiddleware",  # after 2FA: only for a signed-in user
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.audit.context.AccessPointMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casemanager.urls"
WSGI_APPLICATION = "casemanager.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.keepalive.session_timeout_context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default takes concurrent requests (a preview that logs a read while a save
    # writes): WAL lets readers go on beside the one writer; every transaction takes the write
    # lock when it begins (BEGIN IMMEDIATE), so that a read-then-write transaction waits for
    # the lock (up to "timeout" seconds) instead of failing with "database is locked" when it
    # tries to upgrade. synchronous=NORMAL is safe with WAL (tests/test_sqlite_concurrency.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins
    "django.contrib.auth.backends.ModelBackend",
    # The roles' named permissions (apps/accounts/permissions.py), for user.has_perm and perms.
    "rules.permissions.ObjectPermissionBackend",
]
# django-guardian stays installed only for the tables of its old object permissions, which
# nothing writes or reads any more: care-team access is read from the memberships
# (apps/trajectories/access.py, docs/architecture.md "Permissions"), so its backend is not used.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login security. Lockout is keyed on username and client IP together, so that one attacker
# cannot lock everyone out; it ends after the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.audit.context.client_ip"
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.locked_out"
AXES_VERBOSE = False
# How many reverse proxies (nginx) stand before the application and append X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
# Two-factor authentication (TOTP) for every user; only the demo and the tests turn it off.
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "Casemanager"
# Emergency access (break the glass) lasts this long, then the care team's rules apply again.
BREAK_GLASS_HOURS = env.int("BREAK_GLASS_HOURS", default=12)

# Guardian: no anonymous user row; permissions are only ever checked for logged-in users.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "nl"
FORMAT_MODULE_PATH = ["casemanager.formats"]  # dd-mm-jjjj in Dutch, dd/mm/yyyy in English
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Sessions end when the browser closes and after SESSION_COOKIE_AGE seconds.
SESSION_ENGINE = "apps.core.sessions"  # database sessions; a malformed key is no session
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle timeout
# Pages warn this long before the idle timeout and offer to stay signed in.
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=2 * 60)
# A form posted after the session ended is kept this long for its user to sign in again.
UNSAVED_FORM_MINUTES = env.int("UNSAVED_FORM_MINUTES", default=15)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline scripts or styles, nothing from elsewhere; QR codes for 2FA are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# HTTPS only, also with DJANGO_DEBUG on: the demo and the tests, on plain HTTP, turn this off.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# nginx terminates TLS and sets X-Forwarded-Proto (docs/deployment.md).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=True) else None
)

# Celery: with no broker configured, tasks run eagerly in the request (the demo needs nothing).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 11 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers a lost worker's unacknowledged task after this many seconds (> time limits).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
# Reports are rendered on their own queue, by a worker with low concurrency whose children are
# replaced when they grow past the memory limit (docs: `celery worker -Q reports -c 1`).
CELERY_TASK_ROUTES = {"reports.report_build_task": {"queue": "reports"}}
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_KB", default=600_000)
REPORT_MAX_ATTEMPTS = 3
# A copy of a client's record (apps/records) is kept this many days, then its file is deleted.
RECORD_COPY_KEEP_DAYS = env.int("RECORD_COPY_KEEP_DAYS", default=30)

# iJw / iWmo messages (docs/messages.md): how files travel, and the folder of the folder transport.
EXCHANGE_TRANSPORT = env.str(
    "EXCHANGE_TRANSPORT", default="apps.exchange.transport.FolderTransport"
)
EXCHANGE_FOLDER = env.str("EXCHANGE_FOLDER", default=str(BASE_DIR / "media" / "exchange-transport"))

CELERY_BEAT_SCHEDULE = {
    # Every night after midnight: allocations whose end date has passed end (never to return).
    "allocations-end": {
        "task": "funding.allocations_end_task",
        "schedule": crontab(hour=0, minute=15),
    },
    # Every night: funding alerts are raised, and resolved when their cause has gone.
    "funding-alerts": {
        "task": "funding.funding_alerts_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every night just after midnight: open residential stays get the night of the new day
    # (a night counts on the date it starts; apps/trajectories/presence.py).
    "stays-extend": {
        "task": "trajectories.stays_extend_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # Every night, after the allocations have ended (00:15): the start and stop of care are
    # told to the municipalities (JW305/JW307, WMO305/WMO307; apps/exchange/startstop.py).
    "exchange-deliveries": {
        "task": "exchange.deliveries_prepare_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every 15 minutes: the message files waiting at the transport (EXCHANGE_TRANSPORT) are
    # received, each for the organisation it is addressed to (apps/exchange/tasks.py).
    "messages-fetch": {
        "task": "exchange.messages_fetch_task",
        "schedule": crontab(minute="*/15"),
    },
    # Every 15 minutes: outgoing messages the transport could not take when they were sent
    # are handed over again (apps/exchange/store.py, messages_deliver_pending).
    "messages-deliver": {
        "task": "exchange.messages_deliver_task",
        "schedule": crontab(minute="7-59/15"),
    },
    # Every night: the files of copies of clients' records past their days are deleted
    # (RECORD_COPY_KEEP_DAYS; apps/records/tasks.py).
    "record-copies-expire": {
        "task": "records.record_copies_expire_task",
        "schedule": crontab(hour=3, minute=10),
    },
    # Every night: access-log entries older than five years are destroyed (NEN 7513 par. 8.5,
    # Stcrt. 2019, 38007; apps/audit/services.py, access_log_purge_expired).
    "access-log-purge": {
        "task": "audit.access_log_purge_task",
        "schedule": crontab(hour=3, minute=45),
    },
    # Every night: the records past their retention date (twenty years after the last care,
    # BW 7:454 lid 3) are listed for the privacy officer, who confirms each destruction
    # (apps/retention/services.py, retention_due_refresh).
    "retention-due": {
        "task": "retention.retention_due_task",
        "schedule": crontab(hour=3, minute=15),
    },
}

# The cache: API throttling counts requests in it. The default is per process; with several
# web processes set CACHE_URL (e.g. redis://127.0.0.1:6379/1) so that they share the counts.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://casemanager")}

# The REST API (apps/api): personal tokens or the session, one error format, throttled per user.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
API_TOKENS_PER_USER = 10  # active tokens one person may hold at once
API_BODY_MAX_BYTES = 1024 * 1024  # a larger JSON body is refused (413) before it is read
API_THROTTLE_RATES = {
    "user": env.str("API_THROTTLE_USER", default="120/minute"),
    "anon": env.str("API_THROTTLE_ANON", default="30/minute"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.ApiTokenAuthentication",
        "apps.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttling.UserThrottle",
        "apps.api.throttling.AnonThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.JSONParser"],  # limits size and nesting
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "apps.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "apps.api.errors.api_exception_handler",
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS answers 405; /api/v1/schema/ describes the API
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Casemanager API",
    "DESCRIPTION": (
        "The REST API of the care-case management system: the same services, access rules and "
        "access log as the web interface. Authenticate with a personal API token from your "
        "profile page (`Authorization: Bearer <token>`). Errors share one format: a "
        "machine-readable `code`, a `message` in the language of `Accept-Language` (nl or en, "
        "default nl) and, for invalid input, `errors` per field."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ActivityKindEnum": "apps.core.domains.ActivityKind",
        "FunderKindEnum": "apps.funding.models.FunderKind",
        "ClientStatusEnum": "apps.clients.models.ClientStatus",
        "TrajectoryStatusEnum": "apps.trajectories.models.TrajectoryStatus",
        "GoalStatusEnum": "apps.trajectories.models.GoalStatus",
        "ActivityStatusEnum": "apps.trajectories.models.ActivityStatus",
        "FundingStatusEnum": "apps.trajectories.models.FundingStatus",
        "AllocationStatusEnum": "apps.funding.models.AllocationStatus",
        "ChangeReasonEnum": "apps.funding.models.ChangeReason",
        "ReportStatusEnum": "apps.reports.models.ReportStatus",
        "MessageStatusEnum": "apps.exchange.models.MessageStatus",
        "MessageDirectionEnum": "apps.exchange.models.Direction",
        "MessageStandardEnum": "apps.exchange.models.Standard",
    },
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="casemanager@localhost")
# New funding alerts are mailed (client numbers only, no names) when this is on; it is on when
# an SMTP server is configured (EMAIL_HOST). SITE_URL makes the link in the mail.
_email_host = env.str("EMAIL_HOST", default="")
EMAIL_HOST = _email_host or "localhost"
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
FUNDING_ALERT_MAIL = env.bool("FUNDING_ALERT_MAIL", default=bool(_email_host))
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# A closed trajectory may be reopened (same team, goals and record) for this many months after
# its end; later a new trajectory is opened with a new intake. A return within a few months is
# usually a relapse of the same problem, for which the last assessment still holds; after a
# quarter the client's situation (school, home, the municipality's allocation) has commonly
# changed and the care must be assessed anew. Organisation policy, not law: adjustable.
TRAJECTORY_REOPEN_MONTHS = env.int("TRAJECTORY_REOPEN_MONTHS", default=3)
