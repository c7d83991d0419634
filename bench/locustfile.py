"""Locust users for the load test (bench/loadtest.py starts the server and runs this headless).

Caseworkers, teachers and managers log in as people do (the login form with its CSRF token, then
the TOTP code of their authenticator, computed from their django-otp device's key), then do their
daily work with a little thinking time in between:

- caseworker: my clients, a client's page, the form to log an activity and logging it;
- teacher: my clients, a client's schooling page, recording a lesson;
- manager: the funding overview, the reports page, a client's page (figures only).

The accounts come from the JSON file in LOADTEST_USERS (written by loadtest.py): one account per
simulated user, so that each logs in once. The run is bounded by locust's --run-time and by
LOADTEST_MAX_REQUESTS: when that many requests were made, the runner stops by itself.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
from datetime import date

import gevent
import urllib3
from django_otp.oath import totp
from locust import HttpUser, between, events, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # our self-signed test cert

ACCOUNTS = json.loads(open(os.environ["LOADTEST_USERS"], encoding="utf-8").read())  # noqa: SIM115
MAX_REQUESTS = int(os.environ.get("LOADTEST_MAX_REQUESTS", "20000"))
COUNTS = json.loads(os.environ.get("LOADTEST_COUNTS", "{}"))  # simulated people per role
FUNDING_OVERVIEW = os.environ.get("LOADTEST_FUNDING_OVERVIEW", "1") == "1"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLIENT_LINK = re.compile(r'href="/clients/(\d+)/"')
_lock = threading.Lock()
_taken: dict[str, int] = {}
_requests = {"count": 0}


def take(role: str) -> dict:
    with _lock:
        index = _taken.get(role, 0)
        _taken[role] = index + 1
    pool = ACCOUNTS[role]
    return pool[index % len(pool)]


_environment: dict = {}


@events.request.add_listener
def _bounded(**_kwargs) -> None:
    """Stop the whole run once MAX_REQUESTS requests were made (the time limit is locust's)."""
    _requests["count"] += 1
    runner = _environment.get("runner")
    if _requests["count"] == MAX_REQUESTS and runner is not None:
        gevent.spawn(runner.quit)


@events.init.add_listener
def _remember(environment, **_kwargs) -> None:
    _environment["runner"] = environment.runner


class Worker(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.verify = False
        self.account = take(self.role)
        self.client_ids: list[int] = []
        page = self.client.get("/login/", name="login form")
        response = self.post(
            "/login/",
            page,
            {"username": self.account["username"], "password": self.account["password"]},
            name="login (password)",
        )
        code = f"{totp(bytes.fromhex(self.account['key'])):06d}"
        self.post("/account/2fa/verify/", response, {"token": code}, name="login (TOTP code)")

    def post(self, path: str, form_page, data: dict, *, name: str, expect_redirect=True):
        match = CSRF.search(form_page.text)
        token = match.group(1) if match else ""
        with self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + path},
            name=name,
            catch_response=True,
        ) as response:
            redirected = bool(response.history)
            if response.status_code != 200 or (expect_redirect and not redirected):
                response.failure(f"{response.status_code}, redirected={redirected}")
            return response

    def my_clients(self) -> None:
        response = self.client.get("/clients/", name="my clients")
        ids = [int(pk) for pk in CLIENT_LINK.findall(response.text)]
        self.client_ids = ids or self.client_ids

    def a_client(self) -> int | None:
        if not self.client_ids:
            self.my_clients()
        return random.choice(self.client_ids) if self.client_ids else None


class Caseworker(Worker):
    role = "caseworker"
    fixed_count = COUNTS.get("caseworker", 1)
    weight = 6

    @task(3)
    def look_at_a_client(self) -> None:
        self.my_clients()
        pk = self.a_client()
        if pk:
            self.client.get(f"/clients/{pk}/", name="client page")

    @task(2)
    def log_an_activity(self) -> None:
        pk = self.a_client()
        if not pk:
            return
        form = self.client.get(f"/clients/{pk}/activities/new/", name="log activity form")
        self.post(
            f"/clients/{pk}/activities/new/",
            form,
            {
                "domain": "care",
                "kind": random.choice(["treatment_session", "family_session", "crisis_contact"]),
                "date": date.today().isoformat(),  # noqa: DTZ011 - the server's day, same machine
                "start_time": "10:00",
                "duration_minutes": random.choice(["45", "60", "90"]),
                "note": "Gesprek over de afgelopen week; afspraken voor de komende week.",
            },
            name="log activity (POST)",
        )


class Teacher(Worker):
    role = "teacher"
    fixed_count = COUNTS.get("teacher", 1)
    weight = 2

    @task
    def record_a_lesson(self) -> None:
        self.my_clients()
        pk = self.a_client()
        if not pk:
            return
        page = self.client.get(f"/clients/{pk}/schooling/", name="schooling page")
        self.post(
            f"/clients/{pk}/schooling/",
            page,
            {
                "domain": "education",
                "kind": "lesson",
                "date": date.today().isoformat(),  # noqa: DTZ011
                "start_time": "09:00",
                "duration_minutes": "50",
                "attendance": random.choice(["present", "present", "absent_authorised"]),
                "subject": random.choice(["Nederlands", "Rekenen", "Engels"]),
            },
            name="record lesson (POST)",
        )


class Manager(Worker):
    role = "manager"
    fixed_count = COUNTS.get("manager", 1)
    weight = 1

    @task(2)
    def funding(self) -> None:
        if FUNDING_OVERVIEW:
            self.client.get("/funding/", name="funding overview")

    @task(2)
    def reports(self) -> None:
        self.client.get("/reports/", name="reports page")

    @task(1)
    def a_client_page(self) -> None:
        if self.account.get("clients"):
            pk = random.choice(self.account["clients"])
            self.client.get(f"/clients/{pk}/", name="client page (manager)")
