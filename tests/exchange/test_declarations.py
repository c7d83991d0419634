"""Monthly declarations (JW323 / WMO323) and their answers (JW325 / WMO325)."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from apps.audit.models import AccessBasis, AccessLogEntry
from apps.exchange.declarations import (
    declaration_draft,
    declaration_file_errors,
    declaration_line_resolve,
    declaration_send,
    whole_hours,
)
from apps.exchange.incoming import message_receive
from apps.exchange.models import (
    DeclarationLine,
    DeclarationStatus,
    LineStatus,
    Message,
    MessageStatus,
)
from apps.exchange.xml import schema_errors
from apps.funding.models import Frequency
from apps.reports.selectors import report_figures
from apps.trajectories.assignment import allocation_register
from apps.trajectories.services import activity_cancel, activity_correct
from tests.trajectories.factories import TrajectoryFactory

from .factories_declarations import OCTOBER, answer_325, world_fixture  # noqa: F401

D = datetime.date
pytestmark = pytest.mark.django_db


def _draft(world):
    runs = declaration_draft(
        organisation=world.organisation, funder=world.funder, month=OCTOBER, actor=world.manager
    )
    assert len(runs) == 1
    return runs[0]


def _lines(run):
    return {
        (line.allocation.number, line.debit_credit): line
        for line in run.lines.select_related("allocation")
    }


def _answer(world, run, **kwargs):
    run.refresh_from_db()
    return message_receive(
        organisation=world.organisation,
        filename="antwoord.xml",
        content=answer_325(run, **kwargs),
        actor=world.manager,
    )


# --- whole volumes (IV042, IV079) ----------------------------------------------------------


def test_iv079_hours_are_rounded_on_the_period_total_with_the_sources_example():
    # IV079: 95 minutes a week for 4 weeks = 380 minutes = 6 hours 20 minutes: 6 hours.
    assert whole_hours(4 * 95) == 6
    # < 30 minutes down, >= 30 minutes up; at least one hour when care was delivered.
    assert whole_hours(89) == 1
    assert whole_hours(90) == 2
    assert whole_hours(20) == 1
    assert whole_hours(0) == 0


def test_the_hours_of_a_line_are_summed_over_the_month_before_rounding(world):
    # IV079's example in a declaration: 4 x 95 minutes in the month, declared as 6 hours.
    trajectory = world.b
    for activity in trajectory.activities.filter(date__month=10):
        activity_cancel(activity=activity, actor=world.caseworker)
    for day in (6, 13, 20, 27):
        world.log(trajectory, D(2025, 10, day), 95)
    line = _lines(_draft(world))[("1002", "D")]
    assert (line.volume, line.unit, line.amount_cents) == (6, "04", 6 * 12345)  # TR346


def test_a_draft_has_one_line_per_allocation_and_product_in_whole_units(world):
    run = _draft(world)
    lines = _lines(run)
    assert set(lines) == {("1001", "D"), ("1002", "D")}
    minute, hour = lines[("1001", "D")], lines[("1002", "D")]
    assert (minute.volume, minute.tariff_cents, minute.amount_cents) == (95, 187, 95 * 187)
    assert (hour.volume, hour.amount_cents) == (2, 2 * 12345)
    # TR387 / TR388: the whole month, the allocation being valid all of it.
    assert (hour.period_start, hour.period_end) == (D(2025, 10, 1), D(2025, 10, 31))
    assert run.total_cents == 95 * 187 + 2 * 12345
    assert len({line.reference for line in lines.values()}) == 2
    assert all(len(line.reference) <= 20 for line in lines.values())  # RS019


def test_the_product_period_is_narrowed_to_the_allocations_validity(world):
    # TR387 / TR388: an allocation ending in the month ends the product period with it.
    allocation = world.allocations["b"]
    allocation.end = D(2025, 10, 25)
    allocation.save(update_fields=["end"])
    line = _lines(_draft(world))[("1002", "D")]
    assert (line.period_start, line.period_end) == (D(2025, 10, 1), D(2025, 10, 25))


def test_the_totals_equal_the_per_funder_report_for_the_same_month(world):
    run = _draft(world)
    figures = report_figures(
        organisation=world.organisation,
        funder=world.funder,
        period_start=D(2025, 10, 1),
        period_end=D(2025, 10, 31),
    )
    assert run.total_cents == figures.total_cents


def test_a_month_that_is_not_over_cannot_be_declared(world):
    with pytest.raises(ValidationError):
        declaration_draft(
            organisation=world.organisation,
            funder=world.funder,
            month=timezone.localdate(),
            actor=world.manager,
        )


# --- sending: the 323 ----------------------------------------------------------------------


def test_the_sent_323_validates_and_is_stored_and_delivered(
    world, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = declaration_send(run=_draft(world), actor=world.manager)
    assert run.status == DeclarationStatus.SENT
    message = run.message
    assert (message.kind, message.status, message.receiver) == ("JW323", "sent", "0344")
    content = message.file.open("rb").read()
    root = etree.fromstring(content)
    assert schema_errors(root, standard="ijw", kind="JW323") == []
    ns = {"m": "http://www.istandaarden.nl/ijw/3_2/jw323/schema"}
    assert root.findtext("m:Declaratie/m:DeclaratieNummer", namespaces=ns) == run.number
    assert len(root.findall(".//m:Prestatie", namespaces=ns)) == 2
    assert set(run.lines.values_list("status", flat=True)) == {LineStatus.PENDING}
    delivered = list(Path(settings.EXCHANGE_FOLDER).rglob("*.xml"))
    assert len(delivered) == 1


def test_a_file_that_breaks_the_schema_is_found(world, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(b"<Bericht/>")
    assert declaration_file_errors(path=path, standard="ijw")


def test_a_sent_declaration_is_locked_and_nothing_is_declared_twice(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    # Sent, no answer yet: a new draft of the month has nothing to declare.
    assert (
        declaration_draft(
            organisation=world.organisation,
            funder=world.funder,
            month=OCTOBER,
            actor=world.manager,
        )
        == []
    )
    _answer(world, run)
    # Accepted and unchanged: still nothing.
    assert (
        declaration_draft(
            organisation=world.organisation,
            funder=world.funder,
            month=OCTOBER,
            actor=world.manager,
        )
        == []
    )
    # And the database refuses a second live debit for the same allocation and period.
    line = run.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclarationLine.objects.create(
            run=line.run,
            organisation=line.organisation,
            allocation=line.allocation,
            client=line.client,
            product=line.product,
            period_start=line.period_start,
            period_end=line.period_end,
            volume=line.volume,
            unit=line.unit,
            tariff_cents=line.tariff_cents,
            amount_cents=line.amount_cents,
            reference="X1",
            status=LineStatus.ACCEPTED,
        )


def test_a_credit_line_must_name_the_claim_it_withdraws(world):
    line = _draft(world).lines.first()
    line.pk, line.reference, line.debit_credit = None, "X2", "C"
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()  # CD060


# --- the answer: the 325 -------------------------------------------------------------------


def test_a_325_with_one_accepted_and_one_rejected_line(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    lines = _lines(run)
    rejected = lines[("1002", "D")]
    received = _answer(world, run, rejected={rejected.reference: ["9321"]})
    assert received.refused == ""
    run.refresh_from_db()
    assert run.status == DeclarationStatus.ANSWERED
    assert run.answer == received.message
    accepted, rejected = lines[("1001", "D")], lines[("1002", "D")]
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert (accepted.status, accepted.accepted_cents) == ("accepted", accepted.amount_cents)
    assert (rejected.status, rejected.retour_codes, rejected.accepted_cents) == (
        "rejected",
        ["9321"],
        0,
    )
    assert run.accepted_cents == accepted.amount_cents
    # Every step of a line is in its history: drafted, sent, answered.
    assert [h.status for h in accepted.history.order_by("history_id")] == [
        "draft",
        "pending",
        "accepted",
    ]
    assert Message.objects.get(pk=run.message_id).status == MessageStatus.PARTLY_ACCEPTED


def test_a_325_refusing_the_header_rejects_every_line(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    _answer(world, run, header_codes=("0001",))
    assert set(run.lines.values_list("status", flat=True)) == {"rejected"}
    assert Message.objects.get(pk=run.message_id).status == MessageStatus.REFUSED


def test_a_325_for_an_unknown_declaration_is_stored_as_rejected(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    run.message.identification = "OTHER"
    received = message_receive(
        organisation=world.organisation,
        filename="antwoord.xml",
        content=answer_325(run),
        actor=world.manager,
    )
    assert received.message.status == MessageStatus.REJECTED


def test_a_corrected_rejected_line_is_declared_again(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    rejected = _lines(run)[("1002", "D")]
    _answer(world, run, rejected={rejected.reference: ["9340"]})
    # Waiting for the manager's decision: not declared again yet.
    assert (
        declaration_draft(
            organisation=world.organisation,
            funder=world.funder,
            month=OCTOBER,
            actor=world.manager,
        )
        == []
    )
    rejected.refresh_from_db()
    declaration_line_resolve(line=rejected, resolution="corrected", actor=world.manager)
    again = _lines(_draft(world))
    assert set(again) == {("1002", "D")}
    assert again[("1002", "D")].declares_again == rejected
    assert again[("1002", "D")].reference != rejected.reference


def test_a_dropped_line_needs_a_reason_and_is_never_declared_again(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    rejected = _lines(run)[("1002", "D")]
    _answer(world, run, rejected={rejected.reference: ["9340"]})
    rejected.refresh_from_db()
    with pytest.raises(ValidationError):
        declaration_line_resolve(line=rejected, resolution="dropped", actor=world.manager)
    declaration_line_resolve(
        line=rejected, resolution="dropped", reason="Not our client", actor=world.manager
    )
    assert (
        declaration_draft(
            organisation=world.organisation,
            funder=world.funder,
            month=OCTOBER,
            actor=world.manager,
        )
        == []
    )


# --- corrections after sending (IV085, IV086) ----------------------------------------------


def test_a_correction_after_the_answer_gives_a_credit_and_a_debit_in_the_next_run(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    _answer(world, run)
    old = _lines(run)[("1001", "D")]
    activity = world.a.activities.get(date=D(2025, 10, 20))
    activity_correct(activity=activity, actor=world.caseworker, duration_minutes=80)
    second = _draft(world)
    lines = _lines(second)
    assert set(lines) == {("1001", "C"), ("1001", "D")}
    credit, debit = lines[("1001", "C")], lines[("1001", "D")]
    assert (credit.previous_reference, credit.amount_cents) == (old.reference, old.amount_cents)
    assert (debit.volume, debit.amount_cents) == (125, 125 * 187)
    assert second.total_cents == debit.amount_cents - credit.amount_cents  # IV086
    # The first run's lines were not touched.
    old.refresh_from_db()
    assert (old.status, old.volume) == ("accepted", 95)
    sent = declaration_send(run=second, actor=world.manager)
    root = etree.fromstring(sent.message.file.open("rb").read())
    assert schema_errors(root, standard="ijw", kind="JW323") == []
    old.refresh_from_db()
    assert old.status == LineStatus.SUPERSEDED
    _answer(world, sent, identification="A325000002")
    # Declared as it now is: nothing more to declare.
    assert (
        declaration_draft(
            organisation=world.organisation,
            funder=world.funder,
            month=OCTOBER,
            actor=world.manager,
        )
        == []
    )


def test_a_cancelled_activity_after_the_answer_gives_a_credit_only(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    _answer(world, run)
    for activity in world.a.activities.filter(date__month=10):
        activity_cancel(activity=activity, actor=world.caseworker)
    lines = _lines(_draft(world))
    assert set(lines) == {("1001", "C")}


# --- the pages -----------------------------------------------------------------------------


def _other_manager():
    from apps.accounts.models import Role
    from tests.accounts.factories import UserFactory

    return UserFactory(roles=[Role.MANAGER])


def test_the_pages_are_refused_to_other_roles_and_the_refusal_is_logged(world, client):
    client.force_login(world.caseworker)
    run = _draft(world)
    for url in (
        reverse("exchange:declarations"),
        reverse("exchange:declaration_detail", args=[run.pk]),
        reverse("exchange:declarations_rejected"),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("exchange:declaration_detail", args=[run.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(user=world.caseworker, outcome="refused").count() == 4
    run.refresh_from_db()
    assert run.status == "draft"


def test_another_organisations_manager_cannot_see_or_send_a_declaration(world, client):
    run = _draft(world)
    client.force_login(_other_manager())
    url = reverse("exchange:declaration_detail", args=[run.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    run.refresh_from_db()
    assert run.status == "draft"


def test_a_manager_drafts_and_sends_from_the_pages_and_the_reads_are_logged(world, client):
    client.force_login(world.manager)
    response = client.post(
        reverse("exchange:declarations"), {"funder": world.funder.pk, "month": "2025-10"}
    )
    run = world.organisation.declaration_runs.get()
    assert response.url == reverse("exchange:declaration_detail", args=[run.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["report_cents"] == run.total_cents
    # Managers see the client by number, not by BSN.
    assert world.a.client.client_number in page.content.decode()
    assert "999999990" not in page.content.decode()
    logged = AccessLogEntry.objects.filter(
        user=world.manager, basis=AccessBasis.MANAGEMENT, outcome="allowed"
    )
    assert set(logged.values_list("client_id", flat=True)) == {
        world.a.client_id,
        world.b.client_id,
    }
    client.post(response.url)
    run.refresh_from_db()
    assert run.status == DeclarationStatus.SENT
    assert client.get(reverse("exchange:declarations")).status_code == 200


def test_the_run_page_needs_the_same_queries_for_more_lines(world, client):
    client.force_login(world.manager)
    run = _draft(world)
    url = reverse("exchange:declaration_detail", args=[run.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # A third client with care in the month: one line more on the same (redrafted) run.
    third = TrajectoryFactory(
        start=D(2025, 1, 1),
        client__organisation=world.organisation,
        client__bsn="111222333",
        lead_caseworker=world.caseworker,
    )
    allocation_register(
        client=third.client,
        product=world.allocations["a"].product,
        number="1003",
        volume=600,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        actor=world.caseworker,
    )
    world.log(third, D(2025, 10, 8), 30)
    assert _draft(world).pk == run.pk
    assert run.lines.count() == 3
    with CaptureQueriesContext(connection) as again:
        assert client.get(url).status_code == 200
    assert len(again) == len(few)
    assert len(few) <= 40


def test_the_rejected_queue_shows_the_codes_and_records_the_decision(world, client):
    run = declaration_send(run=_draft(world), actor=world.manager)
    rejected = _lines(run)[("1002", "D")]
    _answer(world, run, rejected={rejected.reference: ["9340"]})
    client.force_login(world.manager)
    url = reverse("exchange:declarations_rejected")
    page = client.get(url).content.decode()
    assert rejected.client.client_number in page
    assert "9340" in page
    response = client.post(url, {"line": rejected.pk, "resolution": "corrected", "reason": ""})
    assert response.status_code == 302
    rejected.refresh_from_db()
    assert rejected.resolution == "corrected"
    # The run page shows claimed against granted after the answer.
    detail = client.get(reverse("exchange:declaration_detail", args=[run.pk]))
    assert (
        detail.context["totals"]["granted_net"]
        == run.lines.get(reference=_lines(run)[("1001", "D")].reference).amount_cents
    )


def test_a_correction_runs_page_adds_what_was_declared_before_to_match_the_report(world, client):
    # A correction claims only the difference; with what the month's earlier declarations
    # claim and still stands (never a rejected line) it is the month's figure in the report.
    run = declaration_send(run=_draft(world), actor=world.manager)
    rejected = _lines(run)[("1002", "D")]
    _answer(world, run, rejected={rejected.reference: ["9340"]})
    rejected.refresh_from_db()
    declaration_line_resolve(line=rejected, resolution="corrected", actor=world.manager)
    activity = world.a.activities.get(date=D(2025, 10, 20))
    activity_correct(activity=activity, actor=world.caseworker, duration_minutes=80)
    second = _draft(world)
    client.force_login(world.manager)
    first_page = client.get(reverse("exchange:declaration_detail", args=[run.pk]))
    assert first_page.context["declared_before_cents"] == 0
    page = client.get(reverse("exchange:declaration_detail", args=[second.pk]))
    assert page.context["totals"]["net"] == 125 * 187 - 95 * 187 + 2 * 12345
    assert page.context["declared_before_cents"] == 95 * 187
    assert page.context["declared_cents"] == page.context["report_cents"]
    # Sent and answered, the credited claim still counts as declared before this run.
    declaration_send(run=second, actor=world.manager)
    _answer(world, second, identification="A325000002")
    page = client.get(reverse("exchange:declaration_detail", args=[second.pk]))
    assert page.context["declared_cents"] == page.context["report_cents"]


# --- the command line ----------------------------------------------------------------------


def test_the_command_drafts_and_sends_a_month(world, capsys):
    call_command(
        "messages_declare",
        "--month",
        "2025-10",
        "--municipality",
        "0344",
        "--organisation",
        world.organisation.agb_code,
        "--send",
    )
    out, err = capsys.readouterr()
    assert "1 declarations, 2 lines" in out
    assert "100%" in err
    run = world.organisation.declaration_runs.get()
    assert run.status == DeclarationStatus.SENT


def test_the_command_refuses_a_month_that_is_not_a_month(world):
    with pytest.raises(CommandError):
        call_command("messages_declare", "--month", "2025-13")


def test_a_325_that_does_not_fit_the_schema_changes_nothing(world):
    run = declaration_send(run=_draft(world), actor=world.manager)
    run.refresh_from_db()
    root = etree.fromstring(answer_325(run))
    totals = root.find(".//{*}TotaalToegekendBedrag")
    totals.getparent().remove(totals)
    received = message_receive(
        organisation=world.organisation,
        filename="kapot.xml",
        content=etree.tostring(root),
        actor=world.manager,
    )
    assert received.message.status == MessageStatus.REJECTED
    assert set(run.lines.values_list("status", flat=True)) == {"pending"}
    run.refresh_from_db()
    assert run.status == DeclarationStatus.SENT


def test_a_wmo323_of_hours_validates_against_our_wmo_schema(world):
    """The 323 of the iWmo (WMO323, BerichtCode 484, COD002): our writer fits our WMO323 schema
    too, the totals as CDT_TotaalBedragMetDC (TotaalBedrag) and each line's ProductReferentie
    as CDT_Referentie (Master overview WMO323)."""
    from apps.funding.models import Unit
    from tests.funding.factories import ContractFactory, ProductFactory, stream

    funder = world.funder  # the municipality responsible for the client (woonplaatsbeginsel)
    funder.streams.add(stream("wmo"))
    trajectory = TrajectoryFactory(
        start=D(2025, 1, 1),
        client__organisation=world.organisation,
        client__bsn="999993653",
        client__date_of_birth=D(1980, 1, 1),  # the Wmo pays for adults
        lead_caseworker=world.caseworker,
    )
    contract = ContractFactory(
        funder=funder, organisation=world.organisation, stream=stream("wmo"), start=D(2025, 1, 1)
    )
    product = ProductFactory(
        contract=contract, code="02A01", unit=Unit.HOUR, tariff_cents=5000, category="02"
    )
    allocation, _ = allocation_register(
        client=trajectory.client,
        product=product,
        number="2001",
        volume=6000,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        actor=world.caseworker,
    )
    from apps.trajectories.services import activity_log

    activity_log(
        trajectory=trajectory,
        domain="care",
        kind="guidance",  # a kind the Wmo stream pays (funding 0005_wmo_pays_support)
        date=D(2025, 10, 8),
        duration_minutes=90,
        performed_by=world.caseworker,
        actor=world.caseworker,
        allocation=allocation,
    )
    runs = declaration_draft(
        organisation=world.organisation, funder=funder, month=OCTOBER, actor=world.manager
    )
    [run] = [run for run in runs if run.standard == "iwmo"]
    run = declaration_send(run=run, actor=world.manager)
    assert run.message.kind == "WMO323"
    root = etree.fromstring(run.message.file.open("rb").read())
    assert schema_errors(root, standard="iwmo", kind="WMO323") == []
    assert root.find(".//{*}TotaalIngediendBedrag/{*}TotaalBedrag") is not None
