from django.core.management.base import BaseCommand
from django.db import transaction

from apps.demo.accounts import DEMO_PASSWORD, DEMO_USERS, demo_accounts_seed
from apps.demo.seed import demo_domain_seed, demo_summary


class Command(BaseCommand):
    help = "Load synthetic demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        self.stdout.write("Loading the demo data (a minute or two), step by step:")
        with transaction.atomic():
            users = demo_accounts_seed()
            self.stdout.write(f"  Demo logins: {len(users)}")
            created = demo_domain_seed(
                users=users, progress=lambda line: self.stdout.write(f"  {line}")
            )
        if not created:
            self.stdout.write("  The demo data was there already: nothing added.")
        counts = demo_summary()
        self.stdout.write(
            "Demo clients: {clients}, activities: {activities} ({funded} funded, {unfunded} "
            "unfunded, {not_chargeable} not chargeable, {cancelled} cancelled).".format(**counts)
        )
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins (password for all):"))
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
        for demo in DEMO_USERS:
            roles = ", ".join(str(role.label) for role in demo.roles)
            self.stdout.write(f"  {demo.username:<20} {roles}")
