"""The one CSV writer (apps.core.csv_export) neutralises formulas, and every export uses it."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.models import Role
from apps.core.csv_export import CsvWriter, csv_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("-12641+12641", "'-12641+12641"),  # the probe's user name
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 6 12345678", "'+31 6 12345678"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("--1", "'--1"),
        ("-1e3", "'-1e3"),
        ("-12,50", "'-12,50"),  # text, even when it reads as a number
        ("-7", "'-7"),
        # Not formulas: kept as they are.
        (-7, "-7"),  # given as a number
        (Decimal("-3.75"), "-3.75"),
        ("12,50", "12,50"),
        ("2025-03", "2025-03"),
        ("Jan-Piet", "Jan-Piet"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cell_neutralises_what_a_spreadsheet_would_run(value, cell):
    assert csv_cell(value) == cell


def test_the_writer_passes_every_cell_through_csv_cell():
    buffer = io.StringIO()
    writer = CsvWriter(buffer, delimiter=";")
    writer.writerow(["-12641+12641", "=1+1", -12, "gewoon"])
    assert next(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";")) == [
        "'-12641+12641",
        "'=1+1",
        "-12",
        "gewoon",
    ]


_OTHER_CSV_WRITER = re.compile(r"\bcsv\.(writer|DictWriter)\(")


def test_every_export_writes_csv_through_the_one_writer():
    root = Path(settings.BASE_DIR)
    own = root / "apps" / "core" / "csv_export.py"
    writers = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("apps", "casemanager")
        for path in sorted((root / folder).rglob("*.py"))
        if path != own and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _OTHER_CSV_WRITER.search(line)
    ]
    assert writers == [], "write CSV with apps.core.csv_export.CsvWriter"


@pytest.mark.django_db
def test_the_privacy_officers_exports_neutralise_a_formula_in_a_user_name(client):
    from apps.audit.models import AccessBasis, AccessEvent
    from apps.audit.services import access_log_record
    from tests.accounts.factories import UserFactory
    from tests.trajectories.factories import TrajectoryFactory

    trajectory = TrajectoryFactory()
    organisation = trajectory.client.organisation
    organisation.name = '=HYPERLINK("http://evil.example")'
    organisation.save()
    caseworker = UserFactory(
        organisation=organisation, username="-12641+12641", roles=[Role.CASEWORKER]
    )
    access_log_record(
        user=caseworker,
        event=AccessEvent.VIEW,
        basis=AccessBasis.CARE_TEAM,
        client=trajectory.client,
        detail="@client page",
    )
    officer = UserFactory(organisation=organisation, roles=[Role.PRIVACY_OFFICER])
    client.force_login(officer)
    history = client.get(
        reverse("audit:client_history", kwargs={"pk": trajectory.client.pk}), {"export": "csv"}
    )
    report = client.get(
        reverse("audit:client_access_report", kwargs={"pk": trajectory.client.pk}),
        {"export": "csv", "since": "2000-01-01", "until": "2100-12-31"},
    )
    for export in (history, report):
        assert export.status_code == 200
        assert export["Content-Type"].startswith("text/csv")
        cells = [
            cell
            for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";")
            for cell in row
        ]
        assert "'@client page" in cells
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    history_cells = history.content.decode("utf-8-sig")
    assert "'-12641+12641" in history_cells
    assert "'=HYPERLINK" in report.content.decode("utf-8-sig")
