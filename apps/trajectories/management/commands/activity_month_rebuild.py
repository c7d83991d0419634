import time

from django.core.management.base import BaseCommand

from apps.trajectories.activity_month import activity_month_differences, activity_month_rebuild


class Command(BaseCommand):
    help = (
        "Compute the monthly roll-up of the activities (trajectories.ActivityMonth), its funded "
        "care's running sums (FundedMonth) and the allocations' spans (AllocationSpan), read by "
        "the funding mosaic, again from the activities. Triggers keep them on every write; run "
        "this after a bulk load that bypasses triggers, or with --check to compare only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="only compare the roll-up with the activities"
        )

    def handle(self, *args, check=False, **options):
        if check:
            only_stored, only_live = activity_month_differences()
            if only_stored or only_live:
                self.stdout.write(
                    f"The roll-up differs: {len(only_stored)} rows only stored, "
                    f"{len(only_live)} only in the activities."
                )
                raise SystemExit(1)
            self.stdout.write("The roll-up equals the activities.")
            return
        started = time.monotonic()
        rows = activity_month_rebuild()
        self.stdout.write(f"{rows} roll-up rows written ({time.monotonic() - started:.1f} s).")
