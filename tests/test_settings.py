"""Settings come from the environment; production refuses to start without a secret.

casemanager.settings is production and what every entry point gets by default; the demo and the
tests select casemanager.settings_demo and casemanager.settings_test explicitly.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "k8#Yv2!qP0zR7mW4tL9sX1cN6bH3jD5fG8aE2uI0oK7yT4rQ1wZ9xC6vB3nM5lJ",
    "ALLOWED_HOSTS": "zorg.example.nl",
    "DATABASE_URL": f"sqlite:///{BASE_DIR / 'deploycheck.sqlite3'}",
}


def _run(code_or_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    clean.pop("CELERY_BROKER_URL", None)
    # pytest-django exports the test settings; each case here chooses its module itself.
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *code_or_args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings_value(name: str, env: dict[str, str]) -> str:
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'casemanager.settings');"
        f"from django.conf import settings; print(repr(settings.{name}))"
    )
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_missing_secret_key_in_production_is_a_clear_error():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_defaults_need_no_environment():
    env = {"DJANGO_DEBUG": "true", "DATABASE_URL": "", "SECRET_KEY": ""}
    assert _settings_value("DEBUG", env) == "True"
    assert _settings_value("CELERY_TASK_ALWAYS_EAGER", env) == "True"
    assert "sqlite3" in _settings_value("DATABASES['default']['ENGINE']", env)
    assert _settings_value("LANGUAGE_CODE", env) == "'nl'"
    assert _settings_value("TIME_ZONE", env) == "'Europe/Amsterdam'"


def test_database_broker_and_hosts_are_read_from_the_environment():
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": "postgres://care:secret@db.internal:5433/casemanager",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "a.example.nl,b.example.nl",
    }
    assert _settings_value("DATABASES['default']['HOST']", env) == "'db.internal'"
    assert _settings_value("DATABASES['default']['PORT']", env) == "5433"
    assert "postgresql" in _settings_value("DATABASES['default']['ENGINE']", env)
    assert _settings_value("CELERY_TASK_ALWAYS_EAGER", env) == "False"
    assert _settings_value("ALLOWED_HOSTS", env) == "['a.example.nl', 'b.example.nl']"
    assert _settings_value("SESSION_COOKIE_SECURE", env) == "True"


def test_deploy_check_passes_without_warnings_in_production():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("variable", ["DJANGO_DEBUG"])
def test_deploy_check_warns_in_debug_mode(variable):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {**PRODUCTION_ENV, variable: "true"},
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_production_is_what_you_get_without_environment():
    result = _run(["manage.py", "check"], {})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_https_and_two_factor_with_only_a_secret_key():
    env = {"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]}
    assert _settings_value("DEBUG", env) == "False"
    assert _settings_value("REQUIRE_2FA", env) == "True"
    assert _settings_value("SESSION_COOKIE_SECURE", env) == "True"
    assert _settings_value("CSRF_COOKIE_SECURE", env) == "True"
    assert _settings_value("SECURE_SSL_REDIRECT", env) == "True"
    assert _settings_value("TRUSTED_PROXY_COUNT", env) == "1"
    assert _settings_value("ALLOWED_HOSTS", env) == "[]"


def test_debug_alone_turns_off_neither_two_factor_nor_secure_cookies():
    env = {"DJANGO_DEBUG": "true"}
    assert _settings_value("DEBUG", env) == "True"
    assert _settings_value("REQUIRE_2FA", env) == "True"
    assert _settings_value("SESSION_COOKIE_SECURE", env) == "True"


@pytest.mark.parametrize("module", ["casemanager.wsgi", "casemanager.asgi", "casemanager.celery"])
def test_entry_points_default_to_the_production_settings(module):
    code = (
        f"import os, {module}; from django.conf import settings;"
        "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG, settings.REQUIRE_2FA)"
    )
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_DEBUG"}
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["casemanager.settings", "False", "True"]


def test_demo_settings_need_no_environment():
    env = {"DJANGO_SETTINGS_MODULE": "casemanager.settings_demo"}
    # DEBUG off so that the demo shows the product's 404 and 500 pages (tests/test_demo_pages.py).
    assert _settings_value("DEBUG", env) == "False"
    assert _settings_value("REQUIRE_2FA", env) == "False"
    assert _settings_value("SESSION_COOKIE_SECURE", env) == "False"
    assert _settings_value("SECURE_SSL_REDIRECT", env) == "False"
    assert _settings_value("CELERY_TASK_ALWAYS_EAGER", env) == "True"
    assert "sqlite3" in _settings_value("DATABASES['default']['ENGINE']", env)
    assert _settings_value("DATABASES['default']['OPTIONS']['transaction_mode']", env) == (
        "'IMMEDIATE'"
    )


def test_demo_settings_keep_the_environment_variables():
    env = {
        "DJANGO_SETTINGS_MODULE": "casemanager.settings_demo",
        "REQUIRE_2FA": "true",
        "DATABASE_URL": "postgres://care:secret@db.internal:5433/casemanager",
    }
    assert _settings_value("REQUIRE_2FA", env) == "True"
    assert _settings_value("DATABASES['default']['HOST']", env) == "'db.internal'"


def test_the_suite_runs_on_the_test_settings(settings):
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "casemanager.settings_test"
    assert settings.REQUIRE_2FA is False
    assert settings.SESSION_COOKIE_SECURE is False
