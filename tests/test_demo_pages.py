"""The demo (`make demo`) shows the product's own 404 and 500 pages and still serves its static
files without collectstatic; DEMO_DEBUG=true brings back Django's debug pages.

Each case runs the demo settings in a fresh process (the test process has the test settings).
"""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SCRIPT = """
import django
django.setup()
from django.test import Client
import casemanager.views

def broken():
    raise RuntimeError("a crash in the demo")

casemanager.views._database_state = broken
client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
for path in ("/no-such-page/", "/healthz", "/static/css/app.css"):
    response = client.get(path)
    body = b"".join(response) if response.streaming else response.content
    print(path, response.status_code, body.decode()[:20000].replace("\\n", " "))
"""


def _demo(tmp_path, **env) -> dict[str, tuple[int, str]]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "SECRET_KEY"}
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", SCRIPT],
        cwd=BASE_DIR,
        env={
            **clean,
            "PYTHONPATH": str(BASE_DIR),
            "DJANGO_SETTINGS_MODULE": "casemanager.settings_demo",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = {}
    for line in result.stdout.splitlines():
        path, status, body = line.split(" ", 2)
        answers[path] = (int(status), body)
    return answers


def test_the_demo_shows_the_products_error_pages_and_serves_its_static_files(tmp_path):
    answers = _demo(tmp_path)
    status, body = answers["/no-such-page/"]
    assert status == 404
    assert "Niet gevonden" in body  # templates/404.html, in Dutch, the default
    assert "Technical response" not in body
    assert "Page not found at" not in body
    status, body = answers["/healthz"]
    assert status == 500
    assert "Er ging iets mis" in body  # templates/500.html
    assert "Traceback" not in body
    assert "a crash in the demo" not in body
    status, body = answers["/static/css/app.css"]
    assert status == 200
    assert "{" in body


def test_demo_debug_brings_back_the_debug_pages(tmp_path):
    status, body = _demo(tmp_path, DEMO_DEBUG="true")["/no-such-page/"]
    assert status == 404
    assert "Page not found" in body
    assert "Niet gevonden" not in body


def _make_demo(*args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "demo", *args],  # noqa: S607 - make from the PATH, as the README says
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_make_demo_serves_on_the_port_asked_for():
    assert "runserver 127.0.0.1:8000" in _make_demo()
    output = _make_demo("PORT=8010")
    assert "runserver 127.0.0.1:8010" in output
    assert "http://127.0.0.1:8010/" in output
    assert "8000" not in output
