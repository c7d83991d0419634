"""The SQLite default takes concurrent writers: no "database is locked" when two requests write.

A file database configured by the settings (whatever database this test run uses), written by
several threads at once, each in a Django transaction that reads and then writes, as a funding
preview that logs its read does beside the save of a note. Without BEGIN IMMEDIATE the ones
that read first fail at once with "database is locked" instead of waiting their turn.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
WRITERS = 6

# Run in a fresh interpreter, so that Django's connections point at the file database.
WRITERS_SCRIPT = """
import json, sys, threading, time
import django
django.setup()
from django.db import connection, transaction

writers = int(sys.argv[1])
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL)")
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA synchronous")
    synchronous = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy_timeout_ms = cursor.fetchone()[0]
connection.close()

start = threading.Barrier(writers)
errors = []

def write(number):
    try:
        start.wait()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM note")  # the read (an access check, a preview)
            time.sleep(0.2)  # the others read meanwhile
            cursor.execute("INSERT INTO note (writer) VALUES (%s)", [number])
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM note")
    rows = cursor.fetchone()[0]
print(json.dumps({
    "errors": errors, "rows": rows, "journal_mode": journal_mode,
    "synchronous": synchronous, "busy_timeout_ms": busy_timeout_ms,
}))
"""


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> dict:
    """Several writers at once on a SQLite file, configured by the production settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "casemanager.settings"
    env["SECRET_KEY"] = "sqlite-concurrency-test-key-" + "x" * 40
    env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'concurrent.sqlite3'}"
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WRITERS_SCRIPT, str(WRITERS)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_concurrent_read_then_write_transactions_all_succeed_on_sqlite(outcome):
    assert outcome["errors"] == []
    assert outcome["rows"] == WRITERS


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(outcome):
    assert outcome["journal_mode"] == "wal"
    assert outcome["synchronous"] == 1  # NORMAL: safe with WAL, no fsync per transaction
    assert outcome["busy_timeout_ms"] >= 10_000
