"""A real Celery worker in a subprocess, on Redis, against the test database (tests only).

The worker is ``celery -A casemanager worker -Q reports -c 1`` in its own process group, with
the test's database (``DATABASE_URL`` built from the test connection), the test's
``MEDIA_ROOT`` and a Redis database of its own as the broker. Its output goes to a log file
that every failure message shows. Every wait is bounded.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from celery import Celery
from django.conf import settings
from kombu import Connection

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379


def _redis_db() -> int:
    """13, or one of its own for each of the first three pytest-xdist workers (gw0: 13, gw1: 14,
    gw2: 15), so that they run their worker tests side by side; no other test nor the demo uses
    these. Further workers share 13 and take turns through the lock below."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    return 13 + index if index < 3 else 13


REDIS_DB = _redis_db()  # emptied before and after each test
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
# A killed worker's unacknowledged task goes to another worker after this many seconds.
VISIBILITY_TIMEOUT = 5
LOCK_KEY = "casemanager-tests:broker-db-held"
LOCK_WAIT = 120  # seconds a test waits for another test run's worker test to end
LOCK_EXPIRY = 300  # a crashed test run holds the database no longer than this

READY_TIMEOUT = 30
STOP_TIMEOUT = 10
LOG_TAIL = 6000  # characters of a worker's log shown in a failure message
RECEIVED = re.compile(r"Task (?P<name>[\w.]+)\[(?P<id>[0-9a-f-]+)\] received")
# WeasyPrint logs every step of every page at INFO: left out of the failure messages.
WEASYPRINT_STEP = re.compile(r"^\[[^]]*ForkPoolWorker-\d+\] Step \d - .*\n", re.MULTILINE)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def redis_missing() -> str | None:
    """Why the broker cannot be reached, or None when it can."""
    client = redis.Redis(
        host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_connect_timeout=2, socket_timeout=2
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return f"Redis does not answer at {REDIS_HOST}:{REDIS_PORT} ({error})"
    finally:
        client.close()
    return None


def _redis() -> redis.Redis:
    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)


@contextmanager
def redis_broker_db_held() -> Iterator[None]:
    """REDIS_DB for this test alone, emptied before and after.

    Another test run on the same machine (CI and a developer, or two checkouts) uses the same
    Redis database: its worker test waits here until this one ends (at most LOCK_WAIT s),
    rather than flushing this one's messages or letting its worker take them.
    """
    client = _redis()
    lock = client.lock(LOCK_KEY, timeout=LOCK_EXPIRY, blocking_timeout=LOCK_WAIT)
    try:
        if not lock.acquire():
            pytest.fail(
                f"Redis database {REDIS_DB} was held by another test run for {LOCK_WAIT} s",
                pytrace=False,
            )
        try:
            _empty_broker_db(client)
            yield
        finally:
            _empty_broker_db(client)
            with suppress(redis.exceptions.LockError):  # expired: the other run may have it now
                lock.release()
    finally:
        client.close()


def _empty_broker_db(client) -> None:
    keys = [key for key in client.scan_iter(count=1000) if key != LOCK_KEY.encode()]
    if keys:
        client.delete(*keys)


def redis_broker_messages(queue: str = "reports") -> dict[str, int]:
    """The messages the broker holds: waiting in the queue, and delivered but not acknowledged.

    Read from kombu's Redis layout: the queue is a list, the unacknowledged messages a hash.
    """
    client = _redis()
    try:
        return {"waiting": client.llen(queue), "unacknowledged": client.hlen("unacked")}
    finally:
        client.close()


def _drop_broker_pools(app: Celery) -> None:
    # Celery makes its connection and producer pools on first use (an eager task takes a
    # producer too) for the broker_url of that moment, and keeps them: a new broker_url is seen
    # only once they are dropped, as Celery itself does after a fork (Celery._after_fork).
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@contextmanager
def celery_app_publishing_to(app: Celery, broker_url: str) -> Iterator[None]:
    """Let ``app`` send tasks to ``broker_url`` instead of running them eagerly; then undo it.

    Fails before anything is sent when the app would still publish elsewhere (the default
    broker is amqp://localhost, where a message would wait unseen).
    """
    conf = app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, broker_url
    _drop_broker_pools(app)
    try:
        with app.producer_or_acquire() as producer:
            publishing_to = producer.connection.as_uri()
        if publishing_to != Connection(broker_url).as_uri():
            pytest.fail(f"the Celery app publishes to {publishing_to}, not to {broker_url}")
        yield
    finally:
        _drop_broker_pools(app)
        conf.task_always_eager, conf.broker_url = saved


def database_url(settings_dict: dict) -> str:
    """The DATABASE_URL of a PostgreSQL connection's settings (the test database's NAME)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


class Worker:
    """One worker process group; ``log()`` is what it wrote so far."""

    def __init__(self, *, name: str, env: dict[str, str], log_path: Path):
        self.name = name
        self.log_path = log_path
        self._log_file = log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "casemanager",
                "worker",
                "-Q",
                "reports",
                "-c",
                "1",
                "--pool",
                "prefork",
                "-l",
                "info",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool's children die with it
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def received(self) -> list[str]:
        """The ids of the tasks this worker took from the broker, in order."""
        return [match["id"] for match in RECEIVED.finditer(self.log())]

    def running(self) -> bool:
        return self.process.poll() is None

    def kill_hard(self) -> None:
        """SIGKILL the whole process group, as a crash would: nothing is acknowledged."""
        if self.process.returncode is not None:
            pytest.fail(f"{self.name} had already stopped\n{self.log()}", pytrace=False)
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM); what is left of the group after STOP_TIMEOUT is killed."""
        # Signals go to the group only while its leader is not reaped: until then its process
        # group id cannot belong to anyone else.
        if self.process.returncode is None:
            self._signal_group(signal.SIGTERM)
            self._exited_within(STOP_TIMEOUT)
            self._signal_group(signal.SIGKILL)  # a pool child left behind, or a hung worker
            self.process.wait(timeout=STOP_TIMEOUT)
        self._log_file.close()

    def _exited_within(self, timeout: float) -> bool:
        """Wait for the leader to exit without reaping it (WNOWAIT)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
            if os.waitid(os.P_PID, self.process.pid, flags) is not None:
                return True
            time.sleep(0.05)
        return False

    def _signal_group(self, signum: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


class Workers:
    """Starts workers for one test, shows their logs in failures, stops them all at the end."""

    def __init__(self, *, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.started: list[Worker] = []

    def start(self) -> Worker:
        """A new worker, once it says it is ready to take tasks from the queue."""
        name = f"worker{len(self.started) + 1}"
        worker = Worker(name=name, env=self.env, log_path=self.log_dir / f"{name}.log")
        self.started.append(worker)
        self.wait_for(
            lambda: " ready." in worker.log(),
            timeout=READY_TIMEOUT,
            what=f"{name} to be ready",
            fail_early=lambda: not worker.running(),
        )
        return worker

    def logs(self) -> str:
        parts = []
        for worker in self.started:
            text = WEASYPRINT_STEP.sub("", worker.log())
            if len(text) > LOG_TAIL:
                text = "[...]\n" + text[-LOG_TAIL:]
            parts.append(f"----- {worker.name} ({worker.log_path}) -----\n{text}")
        return "\n".join(parts) or "(no worker started)"

    def wait_for(
        self,
        condition: Callable[[], bool],
        *,
        timeout: float,
        what: str,
        interval: float = 0.1,
        fail_early: Callable[[], bool] | None = None,
    ) -> None:
        """Poll ``condition`` until it holds; fail with the workers' logs after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not condition():
            if fail_early is not None and fail_early():
                pytest.fail(f"gave up waiting for {what}\n{self.logs()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"waited {timeout} s for {what} in vain\n{self.logs()}", pytrace=False)
            time.sleep(interval)

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()
