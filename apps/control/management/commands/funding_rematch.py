from django.core.management.base import BaseCommand
from django.db import transaction

from apps.clients.models import Client
from apps.trajectories.assignment import unfunded_rematch
from apps.trajectories.models import ActivityStatus, FundingStatus


class Command(BaseCommand):
    help = (
        "Match every client's waiting unfunded care to the allocations and pilots that can pay "
        "for it, as registering an allocation does. Run it after a migration released "
        "activities (issue 15: activities drawn on a product that does not pay for their kind)."
    )

    def handle(self, *args, **options):
        clients = (
            Client.objects.filter(
                trajectories__activities__status=ActivityStatus.RECORDED,
                trajectories__activities__funding_status=FundingStatus.UNFUNDED,
            )
            .distinct()
            .order_by("pk")
        )
        matched = 0
        for client in clients:
            # One transaction per client: the service locks that client's allocations.
            with transaction.atomic():
                matched += len(unfunded_rematch(client=client, actor=None))
        self.stdout.write(f"{matched} waiting activities matched.")
