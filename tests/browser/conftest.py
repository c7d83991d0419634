"""Browser tests: Debian's headless Chromium, driven by Playwright, against the live server.

Every test in this folder is marked ``browser`` and ``django_db(transaction=True,
serialized_rollback=True)`` (the live server sees committed data), runs after all other
tests (of its pytest-xdist worker: each worker starts its own Chromium and live server, on a
free port), and runs on PostgreSQL only (on SQLite it is skipped; CI runs the whole suite on
PostgreSQL). When Playwright or Chromium is missing the tests are skipped with a message,
except with ``CI=true``, where that is a failure. ``CHROMIUM_PATH`` points at another Chromium
(default ``/usr/bin/chromium``); never ``playwright install``.

One browser serves the whole session; each test gets its own context (cookies, a Dutch
browser locale) and builds its own data with the factories. For a new test:

    def test_something(browser_page, login, screenshot):
        user = UserFactory(roles=[Role.TEACHER], organisation=...)
        login(browser_page, user)
        browser_page.goto("/clients/")  # relative to the live server
        screenshot(browser_page, "my-clients")  # screenshots/something--my-clients.png

``client_record`` is one client with a funded treatment session, a lesson, goals in both
lanes, a lead caseworker and a teacher on the care team; ``serious_accessibility_violations(page)``
runs axe-core in the page.
"""

import datetime
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.clients.models import Client
from apps.core.domains import ActivityKind, Attendance, Domain
from apps.funding.models import Allocation, Frequency
from apps.trajectories.assignment import allocation_register
from apps.trajectories.models import Activity, TeamRole, Trajectory
from apps.trajectories.services import (
    activity_log,
    care_team_join,
    goal_add,
    schooling_progress_record,
)
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking switches Chromium reaches for the network, which is closed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
BROWSER_TESTS = Path(__file__).resolve().parent
SERIOUS_IMPACTS = frozenset({"serious", "critical"})
MISSING = "browser tests need Playwright and headless Chromium:"

# The live server listens on the loopback address (not "localhost", which may resolve to ::1).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _browser_missing() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (requirements/dev.txt)"
    if not os.access(CHROMIUM_PATH, os.X_OK):
        return (
            f"Chromium is not installed at {CHROMIUM_PATH} "
            "(apt-get install chromium chromium-driver, or set CHROMIUM_PATH)"
        )
    return None


def _browser_unavailable(reason: str):
    message = f"{MISSING} {reason}"
    if _in_ci():
        pytest.fail(f"{message}; with CI=true a missing browser is a failure", pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this folder's tests, skip them where they cannot run, and run them last.

    Last, because Playwright's sync API keeps an event loop in the main thread once it has
    started, which would change how every later test reaches the database (see chromium).
    """
    on_postgres = connections["default"].vendor == "postgresql"
    missing = None if _in_ci() else _browser_missing()  # in CI, the browser fixture fails
    browser_items, other_items = [], []
    for item in items:
        if BROWSER_TESTS not in Path(item.path).resolve().parents:
            other_items.append(item)
            continue
        browser_items.append(item)
        item.add_marker(pytest.mark.browser)
        # Committed data, seen by the live server. The flush after each test empties every
        # table; the migrations' reference data (roles, municipalities, funding streams) is
        # reloaded before the next.
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        if not on_postgres:
            item.add_marker(
                pytest.mark.skip(
                    reason="browser tests run on PostgreSQL only "
                    "(set DATABASE_URL=postgres://...; CI runs them there)"
                )
            )
        elif missing:
            item.add_marker(pytest.mark.skip(reason=f"{MISSING} {missing}"))
    items[:] = other_items + browser_items


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test, so that a failed test leaves a screenshot."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless Chromium for the whole session (skipped, or failed in CI, when missing)."""
    missing = _browser_missing()
    if missing:
        _browser_unavailable(missing)
    from playwright.sync_api import Error, sync_playwright

    # Playwright's sync API runs an event loop in this thread from now until it stops. The
    # tests' ORM calls are still synchronous and safe, but Django then keeps its database
    # connections per context instead of per thread: the ones opened before are no longer
    # seen, and the new ones lack the migrations' reference data that serialized_rollback
    # restores before each test. Close the old ones and hand that data over.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    serialized = {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if hasattr(connection, "_test_serialized_contents")
    }
    connections.close_all()
    playwright = sync_playwright().start()
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents

    def stop():
        connections.close_all()  # unseen once the loop stops; they would block dropping the DB
        playwright.stop()

    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
    except Error as error:
        stop()
        _browser_unavailable(f"Chromium at {CHROMIUM_PATH} did not start: {error}")
    yield browser
    browser.close()
    stop()


def _test_name(request: pytest.FixtureRequest) -> str:
    name = request.node.name.removeprefix("test_")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture
def browser_page(chromium, live_server, request: pytest.FixtureRequest) -> Iterator:
    """A new page in its own browser context, on the live server, as a Dutch user's browser.

    Relative URLs go to the live server: ``browser_page.goto("/clients/")``. A test that fails
    leaves ``screenshots/<test>--FAILED.png``.
    """
    context = chromium.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed and not page.is_closed():
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{_test_name(request)}--FAILED.png", full_page=True)
        context.close()


@pytest.fixture
def login() -> Callable:
    """``login(page, user)``: log in through the real login page, as a person would."""

    def login(page, user, password: str = TEST_PASSWORD) -> None:
        page.goto("/login/")
        page.locator("input[name=username]").fill(user.get_username())
        page.locator("input[name=password]").fill(password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return login


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable:
    """``screenshot(page, name)``: save the full page as screenshots/<test>--<name>.png."""
    prefix = _test_name(request)

    def screenshot(page, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{prefix}--{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return screenshot


@pytest.fixture(scope="session")
def axe():
    """axe-core (the copy that axe-playwright-python ships), read once."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def serious_accessibility_violations(axe) -> Callable:
    """``serious_accessibility_violations(page)``: axe-core's serious and critical findings.

    Each as ``"<rule id> (<impact>): <element> <html>"``, ready for an assertion message.
    """

    def check(page) -> list[str]:
        results = axe.run(page)
        return [
            f"{violation['id']} ({violation['impact']}): {', '.join(map(str, node['target']))} "
            f"{node['html']}"
            for violation in results.response["violations"]
            if violation["impact"] in SERIOUS_IMPACTS
            for node in violation["nodes"]
        ]

    return check


# --- data --------------------------------------------------------------------------------


# Distinctive texts, to look for (or not) on a page.
TREATMENT_NOTE = "ZORGNOTITIE traumaverwerking met EMDR, sessie vier"
CARE_GOAL = "ZORGDOEL zich weer veilig voelen bij het naar buiten gaan"
LESSON_NOTE = "ONDERWIJSNOTITIE breuken gaan goed, tempo omhoog"
EDUCATION_GOAL = "ONDERWIJSDOEL diploma entree behalen"


@dataclass(frozen=True)
class ClientRecord:
    client: Client
    trajectory: Trajectory
    caseworker: User
    teacher: User
    allocation: Allocation
    treatment: Activity
    lesson: Activity
    treatment_note: str = TREATMENT_NOTE
    care_goal: str = CARE_GOAL
    lesson_note: str = LESSON_NOTE
    education_goal: str = EDUCATION_GOAL


@pytest.fixture
def client_record() -> ClientRecord:
    """A 15-year-old client with a funded treatment session and a lesson, dated recently.

    The lead caseworker registered a Jeugdwet allocation first, so the session is funded; a
    teacher is on the care team and recorded the lesson.
    """
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    client = ClientFactory(
        given_name="Merel",
        family_name="Verbrugghen",
        date_of_birth=today - datetime.timedelta(days=15 * 365 + 100),
    )
    trajectory = TrajectoryFactory(client=client, start=start)
    caseworker = trajectory.lead_caseworker
    teacher = UserFactory(organisation=client.organisation, roles=[Role.TEACHER])
    care_team_join(
        trajectory=trajectory, user=teacher, role=TeamRole.TEACHER, start=start, actor=caseworker
    )
    product = ProductFactory(
        contract=ContractFactory(organisation=client.organisation, stream=stream("jeugdwet")),
        description="Ambulante traumabehandeling",
    )
    allocation, _ = allocation_register(
        client=client,
        product=product,
        number="TW-2026-004711",
        volume=600,
        frequency=Frequency.TOTAL,
        start=start,
        end=today + datetime.timedelta(days=300),
        actor=caseworker,
    )
    care_goal = goal_add(
        trajectory=trajectory, domain=Domain.CARE, description=CARE_GOAL, actor=caseworker
    )
    education_goal = goal_add(
        trajectory=trajectory, domain=Domain.EDUCATION, description=EDUCATION_GOAL, actor=caseworker
    )
    treatment = activity_log(
        trajectory=trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.TREATMENT_SESSION,
        date=today - datetime.timedelta(days=7),
        duration_minutes=60,
        performed_by=caseworker,
        actor=caseworker,
        note=TREATMENT_NOTE,
        goal=care_goal,
    )
    lesson = schooling_progress_record(
        trajectory=trajectory,
        date=today - datetime.timedelta(days=6),
        teacher=teacher,
        attendance=Attendance.PRESENT,
        subject="Rekenen",
        duration_minutes=45,
        note=LESSON_NOTE,
        goal=education_goal,
    )
    return ClientRecord(
        client=client,
        trajectory=trajectory,
        caseworker=caseworker,
        teacher=teacher,
        allocation=allocation,
        treatment=treatment,
        lesson=lesson,
    )
