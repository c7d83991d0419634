"""python manage.py funder_report: a funder's report from the command line, synchronously."""

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organisation
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record
from apps.clients.models import Client
from apps.funding.models import Funder
from apps.reports.models import ReportFormat
from apps.reports.render import render
from apps.reports.selectors import report_figures


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"'{value}' is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Build a funder's report (PDF or CSV) from the command line, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--funder", required=True, help="the funder's code (CBS, UZOVI, ...)")
        parser.add_argument("--from", dest="period_start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="period_end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["pdf", "csv", "csv_comma"], default="pdf")
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument(
            "--organisation", help="the care provider's AGB code (needed when there are several)"
        )

    def handle(self, *args, **options):
        period_start, period_end = _day(options["period_start"]), _day(options["period_end"])
        if period_end < period_start:
            raise CommandError("The end of the period lies before its start.")
        organisations = Organisation.objects.all()
        if options["organisation"]:
            organisations = organisations.filter(agb_code=options["organisation"])
        if organisations.count() != 1:
            raise CommandError("Name the organisation with --organisation AGB (8 digits).")
        organisation = organisations.get()
        funders = Funder.objects.filter(
            code=options["funder"], contracts__organisation=organisation
        )
        funder = funders.distinct().first()
        if funder is None:
            raise CommandError(
                f"No funder with code {options['funder']} has a contract with {organisation}."
            )

        self._bar(0)
        figures = report_figures(
            organisation=organisation,
            funder=funder,
            period_start=period_start,
            period_end=period_end,
        )
        self._bar(20)
        content = render(
            figures,
            ReportFormat(options["format"]),
            generated_by="manage.py funder_report",
            on_progress=lambda percent: self._bar(20 + percent * 80 // 100),
        )
        Path(options["output"]).write_bytes(content)
        for client in Client.objects.filter(pk__in=figures.client_ids):
            access_log_record(
                user=None,
                username="manage.py funder_report",
                event=AccessEvent.EXPORT,
                basis=AccessBasis.MANAGEMENT,
                client=client,
                detail=f"report for {funder.name} written to {options['output']}"[:200],
            )
        self._bar(100)
        sys.stderr.write("\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['output']}: {len(content)} bytes, "
                f"{len(figures.allocations)} allocations, total EUR {figures.total_cents / 100:.2f}"
            )
        )

    def _bar(self, percent: int) -> None:
        filled = percent * 40 // 100
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (40 - filled)}] {percent:3d}%")
        sys.stderr.flush()
