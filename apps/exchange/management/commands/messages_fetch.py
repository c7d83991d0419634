import sys

from django.core.management.base import BaseCommand

from apps.exchange.incoming import messages_fetch
from apps.exchange.transport import transport_get


class Command(BaseCommand):
    help = (
        "Receive the message files waiting at the transport (EXCHANGE_TRANSPORT), each for the "
        "organisation it is addressed to, as the task does every 15 minutes. Exit code 1 if "
        "any is refused (it is set aside by the transport, e.g. in/refused/)."
    )

    def handle(self, *args, **options):
        results = messages_fetch(transport=transport_get())
        refused = 0
        for result in results:
            if result.refused:
                refused += 1
                self.stdout.write(f"{result.filename}: refused: {result.refused}")
            else:
                message = result.message
                self.stdout.write(
                    f"{result.filename}: stored for {message.organisation.agb_code}: "
                    f"{message.kind} {message.identification} (#{message.pk})"
                )
        self.stdout.write(f"{len(results) - refused} stored, {refused} refused.")
        if refused:
            sys.exit(1)
