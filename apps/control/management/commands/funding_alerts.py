from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.control.alerts import funding_alerts_refresh


class Command(BaseCommand):
    help = (
        "Check the funding now, as the nightly task does: raise alerts for new causes and "
        "resolve those whose cause has gone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="check as on this day (YYYY-MM-DD) instead of today", default=None
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(
                    f"--date: not a date as YYYY-MM-DD: {options['date']}"
                ) from error
        run = funding_alerts_refresh(today=today)
        self.stdout.write(
            f"{len(run.raised)} alerts raised, {run.resolved} resolved, {run.open} open."
        )
        for alert in run.raised:
            self.stdout.write(f"  + {alert.client_id}: {alert.text_for(sees_identity=False)}")
