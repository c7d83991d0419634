import time

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Organisation
from apps.trajectories.waiting import waiting_revalue_organisation, waiting_rows_complete


class Command(BaseCommand):
    help = (
        "Value every organisation's waiting (unfunded) activities again and store it, as the "
        "unfunded queue and the report annex read it (docs/performance.md). Run it once after "
        "the upgrade that adds the stored valuation; afterwards the changes keep it up to date."
    )

    def handle(self, *args, **options):
        # PostgreSQL: a row for every waiting activity, and the running sums from the rows.
        added = waiting_rows_complete()
        if added:
            self.stdout.write(f"{added} waiting activities without a stored valuation found.")
        for organisation in Organisation.objects.order_by("pk"):
            started = time.monotonic()
            with transaction.atomic():
                valued = waiting_revalue_organisation(organisation=organisation)
            seconds = time.monotonic() - started
            self.stdout.write(
                f"{organisation}: {valued} waiting activities valued ({seconds:.1f} s)."
            )
