"""The simulated people of the load test (bench/loadtest.py starts the server and runs them).

Caseworkers, teachers and managers log in as people do (the login form with its CSRF token,
the password, then the TOTP code of their own authenticator), then do their daily work with a
real person's pause between clicks (5 to 30 seconds, drawn per click):

- caseworker: my clients, then a client's page; or the form to log an activity, then logging it;
- teacher: my clients, a client's schooling page, recording a lesson;
- manager: the funding overview, the funding alerts, the mosaic, the reports page, a client's page.

Each person is a thread with its own HTTPS session (keep-alive, as a browser), and every request
is recorded (name, start, seconds, error) in a ``Recorder``. Logging in is a phase of its own:
everyone logs in first (spread over the ramp-up), and the measured phase starts for all at one
moment, so that the page figures are of the steady work and the logins (a million PBKDF2
iterations each, on purpose) are reported apart. When the measured phase ends nobody starts a
new request; a request still running after the grace period counts as a timeout error.
"""

from __future__ import annotations

import contextlib
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date

import requests
from django_otp.oath import totp

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLIENT_LINK = re.compile(r'href="/clients/(\d+)/"')
HTMX = {"HX-Request": "true"}  # what htmx sends with the part of a page it asks
LOGINS = ("login form", "login (password)", "login (TOTP code)")
THINK = (5.0, 30.0)  # seconds between two clicks of a person, uniform
REQUEST_TIMEOUT = 30.0  # seconds; a slower answer is a timeout error
# A login hashes the password (a million PBKDF2 iterations, on purpose): when everyone logs in
# at once they queue. The login phase is reported apart, with its own patience.
LOGIN_TIMEOUT = 120.0
# Simulated people per role, as a share of all (the organisation's staff: mostly caseworkers).
SHARE = {"caseworker": 6, "teacher": 2, "manager": 1}


@dataclass
class Request:
    name: str
    started: float  # time.monotonic()
    seconds: float | None = None  # None while it runs
    error: str = ""


@dataclass
class Recorder:
    """Every request of the run, in the order they started (thread-safe)."""

    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, name: str) -> Request:
        request = Request(name=name, started=time.monotonic())
        with self.lock:
            self.requests.append(request)
        return request

    def unfinished(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.seconds is None]


@dataclass
class Phase:
    """The measured phase, shared by everyone: it begins when all have logged in (``start``,
    time.monotonic()) and ends when ``stopping`` is set."""

    start: float = 0.0
    begun: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)


class Refused(Exception):
    """An answer a person would see as an error (a status, a redirect that did not come)."""


class Person(threading.Thread):
    role = ""

    def __init__(
        self,
        *,
        base: str,
        certificate: str,
        account: dict,
        recorder: Recorder,
        phase: Phase,
        seed: int,
        leader: Person | None = None,
    ):
        super().__init__(daemon=True)  # a person stuck in a request is left behind at the end
        self.base, self.account, self.recorder, self.phase = base, account, recorder, phase
        self.random = random.Random(seed)
        self.session = requests.Session()
        # Verified against the test's own certificate, given with every request: a session's
        # ``verify`` loses to REQUESTS_CA_BUNDLE in the environment.
        self.certificate = certificate
        # Who logs in for this person's account when several people share it; None: this one.
        self.leader = leader
        self.client_ids: list[int] = []
        self.logged_in = threading.Event()
        self.login_error = ""

    # --- one request, recorded ---------------------------------------------------------------

    def request(
        self, method: str, path: str, name: str, *, data=None, expect_redirect=False, headers=None
    ):
        record = self.recorder.start(name)
        try:
            response = self.session.request(
                method,
                self.base + path,
                data=data,
                headers=headers or ({"Referer": self.base + path} if method == "POST" else None),
                timeout=LOGIN_TIMEOUT if name in LOGINS else REQUEST_TIMEOUT,
                verify=self.certificate,
            )
            redirected = bool(response.history)
            if response.status_code != 200 or (expect_redirect and not redirected):
                raise Refused(f"{response.status_code}, redirected={redirected}")
        except requests.Timeout:
            limit = LOGIN_TIMEOUT if name in LOGINS else REQUEST_TIMEOUT
            record.error = f"timeout (over {limit:.0f} s)"
            raise
        except (requests.RequestException, Refused) as error:
            record.error = str(error)[:200] or type(error).__name__
            raise
        finally:
            record.seconds = time.monotonic() - record.started
        return response

    def post_form(self, path: str, form_page, data: dict, name: str):
        match = CSRF.search(form_page.text)
        token = match.group(1) if match else ""
        return self.request(
            "POST", path, name, data={**data, "csrfmiddlewaretoken": token}, expect_redirect=True
        )

    # --- the day ------------------------------------------------------------------------------

    def run(self) -> None:
        if self.leader is not None:
            self.leader.logged_in.wait()
            self.login_error = self.leader.login_error and "its account's login failed"
            self.session.cookies.update(self.leader.session.cookies)
            self.logged_in.set()
        else:
            self.log_in()
        if self.login_error:
            return
        # Start at a random moment of one pause into the measured phase: people do not click
        # in step.
        self.phase.begun.wait()
        if not self.pause(until=self.phase.start + self.random.uniform(*THINK)):
            return
        while not self.phase.stopping.is_set():
            # An error is recorded; the person goes on with the next thing.
            with contextlib.suppress(requests.RequestException, Refused):
                self.task()
            if not self.think():
                return

    def log_in(self) -> None:
        try:
            page = self.request("GET", "/login/", "login form")
            response = self.post_form(
                "/login/",
                page,
                {"username": self.account["username"], "password": self.account["password"]},
                "login (password)",
            )
            code = f"{totp(bytes.fromhex(self.account['key'])):06d}"
            self.post_form("/account/2fa/verify/", response, {"token": code}, "login (TOTP code)")
        except (requests.RequestException, Refused) as error:
            self.login_error = str(error)[:200] or type(error).__name__
        finally:
            self.logged_in.set()

    def pause(self, *, until: float) -> bool:
        """Wait until a moment; False when the measured phase ends first."""
        return not self.phase.stopping.wait(max(0.0, until - time.monotonic()))

    def think(self) -> bool:
        """A person's pause between two clicks; False when the measured phase ended."""
        return self.pause(until=time.monotonic() + self.random.uniform(*THINK))

    def task(self) -> None:
        raise NotImplementedError

    def my_clients(self) -> None:
        response = self.request("GET", "/clients/", "my clients")
        self.client_ids = [int(pk) for pk in CLIENT_LINK.findall(response.text)] or self.client_ids

    def client_page(self, pk: int, name: str) -> None:
        """A client's page, then its funding mosaic as the browser's htmx asks it on load."""
        response = self.request("GET", f"/clients/{pk}/", name)
        mosaic = f"/clients/{pk}/mosaic/"
        if f'hx-get="{mosaic}"' in response.text:
            self.request("GET", mosaic, f"{name}: mosaic (htmx)", headers=HTMX)

    def a_client(self) -> int | None:
        if not self.client_ids:
            self.my_clients()
            if not self.think():
                return None
        return self.random.choice(self.client_ids) if self.client_ids else None


class Caseworker(Person):
    role = "caseworker"

    def task(self) -> None:
        if self.random.random() < 0.6:
            self.my_clients()
            if not self.think():
                return
            pk = self.a_client()
            if pk:
                self.client_page(pk, "client page")
            return
        pk = self.a_client()
        if not pk:
            return
        path = f"/clients/{pk}/activities/new/"
        form = self.request("GET", path, "log activity form")
        if not self.think():
            return
        self.post_form(
            path,
            form,
            {
                "domain": "care",
                "kind": self.random.choice(["treatment_session", "family_session"]),
                "date": date.today().isoformat(),  # noqa: DTZ011 - the server's day, same machine
                "start_time": "10:00",
                "duration_minutes": self.random.choice(["45", "60", "90"]),
                "note": "Gesprek over de afgelopen week; afspraken voor de komende week.",
            },
            "log activity (POST)",
        )


class Teacher(Person):
    role = "teacher"

    def task(self) -> None:
        self.my_clients()
        if not self.think():
            return
        pk = self.a_client()
        if not pk:
            return
        path = f"/clients/{pk}/schooling/"
        page = self.request("GET", path, "schooling page")
        if not self.think():
            return
        self.post_form(
            path,
            page,
            {
                "domain": "education",
                "kind": "lesson",
                "date": date.today().isoformat(),  # noqa: DTZ011
                "start_time": "09:00",
                "duration_minutes": "50",
                "attendance": self.random.choice(["present", "present", "absent_authorised"]),
                "subject": self.random.choice(["Nederlands", "Rekenen", "Engels"]),
            },
            "record lesson (POST)",
        )


class Manager(Person):
    role = "manager"
    funding_overview = True

    def task(self) -> None:
        pages = [
            ("/funding/alerts/", "funding alerts"),
            ("/funding/mosaic/", "funding mosaic"),
            ("/reports/", "reports page"),
        ]
        if self.funding_overview:
            pages.append(("/funding/", "funding overview"))
        if self.account.get("clients"):
            pk = self.random.choice(self.account["clients"])
            pages.append((f"/clients/{pk}/", "client page (manager)"))
        path, name = self.random.choice(pages)
        if name == "client page (manager)":
            self.client_page(pk, name)
        else:
            self.request("GET", path, name)


PEOPLE = {"caseworker": Caseworker, "teacher": Teacher, "manager": Manager}


def people_needed(*, cores: int, service_s: float, utilisation: float) -> int:
    """How many people keep ``cores`` cores busy to ``utilisation`` (Little's law).

    A person makes one request per think time plus answer time; a request holds a core for
    about its service time (the application and PostgreSQL on the same machine), so the cores
    are busy ``people × service / (think + service)`` on average.
    """
    think = sum(THINK) / 2
    return max(1, round(utilisation * cores * (think + service_s) / service_s))


def split(people: int) -> dict[str, int]:
    """People per role by ``SHARE``, at least one of each."""
    total = sum(SHARE.values())
    counts = {role: max(1, round(people * weight / total)) for role, weight in SHARE.items()}
    return counts
