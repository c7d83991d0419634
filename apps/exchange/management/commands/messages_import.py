import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organisation
from apps.exchange.incoming import messages_receive
from apps.exchange.xml import MAX_MESSAGE_BYTES


class Command(BaseCommand):
    help = (
        "Receive message files for an organisation, as an upload on the inbox page does: each "
        "file is stored and handled, or refused with the reason. Exit code 1 if any is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="iJw / iWmo 3.2 message files (.xml)")
        parser.add_argument(
            "--organisation", required=True, help="the receiving organisation's AGB code"
        )

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(agb_code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with AGB code {options['organisation']}.")
        files, unreadable = [], []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                unreadable.append((path.name, "no such file"))
            elif path.stat().st_size > MAX_MESSAGE_BYTES:
                unreadable.append(
                    (path.name, f"larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB")
                )
            else:
                files.append((path.name, path.read_bytes()))
        results = messages_receive(
            organisation=organisation, files=files, actor=None, transport="command"
        )
        refused = len(unreadable)
        for name, reason in unreadable:
            self.stdout.write(f"{name}: refused: {reason}")
        for result in results:
            if result.refused:
                refused += 1
                self.stdout.write(f"{result.filename}: refused: {result.refused}")
            else:
                message = result.message
                self.stdout.write(
                    f"{result.filename}: stored: {message.kind} {message.identification} "
                    f"(#{message.pk}, {message.get_status_display()})"
                )
        self.stdout.write(f"{len(results) + len(unreadable) - refused} stored, {refused} refused.")
        if refused:
            sys.exit(1)
