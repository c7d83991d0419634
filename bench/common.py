"""Shared helpers of the bench: database URLs, the Django environment, statistics, output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# One folder per `make` run (the Makefile sets BENCH_RESULTS): every figure of a run together,
# for bench/report.py.
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results")
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
BENCH_PASSWORD = "bench-wachtwoord-2026"  # noqa: S105 - synthetic users of a synthetic data set


def db_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def conninfo(name: str) -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={name}"


def django_env(db: str, **extra: str) -> dict[str, str]:
    """The environment for the application against a bench database (production-like)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url(db),
        DJANGO_DEBUG="false",
        SECRET_KEY="bench-secret-key-not-for-production-" + "x" * 40,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        REQUIRE_2FA="false",  # force_login has no second factor; the load test does it for real
        LOG_LEVEL="ERROR",
    )
    env.update(extra)
    return env


def django_setup(db: str, **extra: str) -> None:
    """Set up Django in this process against a bench database."""
    os.environ.update(django_env(db, **extra))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemanager.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(db: str, *args: str, **extra: str) -> None:
    """Run a management command against a bench database."""
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=django_env(db, **extra),
        check=True,
        cwd=ROOT,
    )


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile by linear interpolation between the two nearest ranks.

    The usual definition (Hyndman & Fan's type 7, numpy's and Excel's default): the position
    ``share × (n − 1)`` in the sorted values, interpolated between its neighbours. With 20 runs
    the 95th percentile lies between the 19th and the 20th value, not on the maximum.
    """
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = share * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [value * 1000 for value in seconds]
    return {
        "runs": len(ms),
        "median_ms": round(percentile(ms, 0.5), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
        "min_ms": round(min(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def git(*args: str) -> str:
    result = subprocess.run(  # noqa: S603 - git on our own checkout
        ["git", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def provenance() -> dict:
    """Where a result comes from: when, which code (and whether it had local changes), and how
    busy the machine was when the run started (``finish`` adds the load at its end)."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "HEAD"),
        # Changes to tracked files make the figures not those of the commit; untracked files
        # are listed too (the worktree's .venv symlink is one and changes nothing).
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "status": git("status", "--porcelain").splitlines()[:20],
        "load_before": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
    }


def finish(context: dict) -> dict:
    """Add the machine's load at the end of the run to a ``provenance`` record."""
    context["load_after"] = [round(value, 2) for value in os.getloadavg()]
    return context


POSTGRES_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "max_connections",
    "jit",
    "synchronous_commit",
    "maintenance_work_mem",
)


def postgres_settings(cursor) -> dict[str, str]:
    """PostgreSQL's version and the settings that move the figures, through a DB-API cursor."""
    cursor.execute("SHOW server_version")
    settings = {"server_version": cursor.fetchone()[0]}
    cursor.execute(
        "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
        [list(POSTGRES_SETTINGS)],
    )
    settings.update({name: f"{value}{unit or ''}" for name, value, unit in cursor.fetchall()})
    return settings


def save_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return path


def load_json(name: str) -> dict | None:
    path = RESULTS / name
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def human_bytes(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{size:.1f} TB"
