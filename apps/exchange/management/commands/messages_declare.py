"""python manage.py messages_declare: draft (and send) a month's declarations (JW323 / WMO323)
to every municipality, or one, with a progress bar on stderr."""

import re
import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organisation
from apps.exchange.declarations import declaration_draft, declaration_send
from apps.exchange.declarations.selectors import declaration_funders_for


def _month(value: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"'{value}' is not a month: use YYYY-MM.")
    return date(int(match[1]), int(match[2]), 1)


class Command(BaseCommand):
    help = "Draft a month's declarations per municipality; with --send, send them too."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM, a month that is over")
        parser.add_argument("--municipality", help="the municipality's CBS code (4 digits)")
        parser.add_argument(
            "--organisation", help="the care provider's AGB code (needed when there are several)"
        )
        parser.add_argument("--send", action="store_true", help="send the drafts")

    def handle(self, *args, **options):
        month = _month(options["month"])
        organisations = Organisation.objects.all()
        if options["organisation"]:
            organisations = organisations.filter(agb_code=options["organisation"])
        if organisations.count() != 1:
            raise CommandError("Name the organisation with --organisation AGB (8 digits).")
        organisation = organisations.get()
        funders = declaration_funders_for(organisation=organisation).order_by("code")
        if options["municipality"]:
            funders = funders.filter(code=options["municipality"])
        funders = list(funders)
        if not funders:
            raise CommandError("No municipality has a Jeugdwet or Wmo contract with it.")
        steps, done = len(funders) * (2 if options["send"] else 1), 0
        self._bar(0, steps)
        drafted = sent = lines = 0
        total = 0
        for funder in funders:
            try:
                runs = declaration_draft(
                    organisation=organisation, funder=funder, month=month, actor=None
                )
            except ValidationError as error:
                sys.stderr.write("\n")
                raise CommandError(" ".join(error.messages)) from error
            done += 1
            self._bar(done, steps)
            drafted += len(runs)
            for run in runs:
                lines += run.lines.count()
                total += run.total_cents
            if options["send"]:
                for run in runs:
                    declaration_send(run=run, actor=None)
                    sent += 1
                done += 1
                self._bar(done, steps)
        sys.stderr.write("\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"{month:%Y-%m}: {drafted} declarations, {lines} lines, EUR {total / 100:.2f}"
                + (f", {sent} sent" if options["send"] else " (drafts; send with --send)")
            )
        )

    def _bar(self, done: int, steps: int) -> None:
        percent = done * 100 // max(steps, 1)
        filled = percent * 40 // 100
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (40 - filled)}] {percent:3d}%")
        sys.stderr.flush()
