"""An ended allocation now means one whose validity is over: it still pays for care within its
validity and never becomes active again. Allocations ended by hand before their end date get
the day they were ended as their end date, so that they pay for nothing after it, as before.

Written with QuerySet.update(): a historical model in a migration has no history helpers, and
the change carries over what the status already said (the historical rows keep the old end).
Not reversed: the earlier end date is what the status meant.
"""

from django.db import migrations
from django.db.models import Q


def ended_allocations_end_when_ended(apps, schema_editor):
    Allocation = apps.get_model("funding", "Allocation")
    HistoricalAllocation = apps.get_model("funding", "HistoricalAllocation")
    for allocation in Allocation.objects.filter(status="ended").order_by("pk"):
        ended = (
            HistoricalAllocation.objects.filter(id=allocation.pk, status="ended")
            .order_by("history_date")
            .first()
        )
        if ended is None:
            continue
        day = max(ended.history_date.date(), allocation.start)
        Allocation.objects.filter(pk=allocation.pk).filter(
            Q(end__isnull=True) | Q(end__gt=day)
        ).update(end=day)


class Migration(migrations.Migration):
    dependencies = [("funding", "0005_allocation_changes")]

    operations = [
        migrations.RunPython(ended_allocations_end_when_ended, migrations.RunPython.noop),
    ]
