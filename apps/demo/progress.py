"""What `seed_demo` prints while it works: one line per step with what the database now holds.

The seed takes a minute or two; a line per step shows it is not stuck. The counts are of all
demo data so far (a few count queries per step, nothing per row).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from apps.clients.models import Client
from apps.funding.models import Allocation
from apps.trajectories.models import Activity

Progress = Callable[[str], None]


def silent(line: str) -> None:
    """The default: a seed called from a test or a script prints nothing."""


class Steps:
    """Say each finished step with the counts so far and the seconds it took."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.started = self.last = time.monotonic()

    def done(self, step: str) -> None:
        now = time.monotonic()
        self.progress(
            f"{step}: {Client.objects.count()} clients, {Activity.objects.count()} activities, "
            f"{Allocation.objects.count()} allocations ({now - self.last:.1f} s)"
        )
        self.last = now
