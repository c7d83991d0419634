"""The exchange's pages as one product: another organisation's run, line or notice is refused
and the refusal logged; the sub-navigation; a caseworker's home page counts the allocations
that wait for their client and links to them; the waiting page's dates in the page's format;
managers see client numbers on the declaration pages, not BSNs."""

import datetime

from django.urls import reverse

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.exchange.declarations import declaration_draft, declaration_send
from apps.exchange.incoming import message_receive
from apps.exchange.models import Standard
from apps.exchange.startstop import deliveries_prepare, notices_for
from apps.exchange.synthetic import jw301_file
from apps.funding.models import Allocation
from tests.accounts.factories import OrganisationFactory, UserFactory

from .factories_declarations import OCTOBER, answer_325, world_fixture  # noqa: F401


def _sent_run(world):
    (run,) = declaration_draft(
        organisation=world.organisation, funder=world.funder, month=OCTOBER, actor=world.manager
    )
    return declaration_send(run=run, actor=world.manager)


def _stranger():
    return UserFactory(organisation=OrganisationFactory(), roles=[Role.MANAGER])


def _refusals(user) -> int:
    return AccessLogEntry.objects.filter(user=user, outcome="refused").count()


def test_another_organisations_run_line_and_notice_are_refused_and_logged(world, client):
    run = _sent_run(world)
    run.refresh_from_db()
    line = run.lines.get(allocation__number="1002", debit_credit="D")
    message_receive(
        organisation=world.organisation,
        filename="antwoord.xml",
        content=answer_325(run, rejected={line.reference: ["9340"]}),
        actor=None,
    )
    deliveries_prepare(
        organisation=world.organisation, today=datetime.date(2025, 11, 10), actor=world.manager
    )
    notice = notices_for(organisation=world.organisation).first()
    stranger = _stranger()
    client.force_login(stranger)
    detail = reverse("exchange:declaration_detail", args=[run.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail).status_code == 404
    rejected = reverse("exchange:declarations_rejected")
    answer = client.post(rejected, {"line": line.pk, "resolution": "dropped", "reason": "x"})
    assert answer.status_code == 404
    remove = reverse("exchange:delivery_remove", args=[notice.pk])
    assert client.post(remove).status_code == 404
    assert _refusals(stranger) == 4
    line.refresh_from_db()
    assert line.resolution == ""


def test_the_declaration_pages_name_clients_by_number_and_carry_the_sub_navigation(world, client):
    run = _sent_run(world)
    client.force_login(world.manager)
    page = client.get(reverse("exchange:declaration_detail", args=[run.pk])).content.decode()
    assert world.a.client.client_number in page
    assert world.a.client.bsn not in page
    assert 'aria-label="Berichtenverkeer"' in page
    assert reverse("exchange:declarations_rejected") in page
    assert "€&nbsp;" in page


def _receive_301(world, *, bsn: str, number: str, birth: datetime.date) -> None:
    message_receive(
        organisation=world.organisation,
        filename="in.xml",
        content=jw301_file(
            standard=Standard.IJW,
            municipality_code=world.funder.code,
            agb_code=world.organisation.agb_code,
            identification=f"W{number}",
            dated=datetime.date(2025, 11, 3),
            bsn=bsn,
            birth_date=birth,
            products=[
                {
                    "number": number,
                    "category": "45",
                    "code": "45A07",
                    "start": datetime.date(2025, 11, 1),
                    "end": datetime.date(2026, 10, 31),
                    "volume": 600,
                    "unit": "01",
                    "frequency": "6",
                }
            ],
        ),
        actor=None,
    )


def test_a_caseworker_home_page_counts_and_links_the_waiting_allocations(world, client):
    _receive_301(world, bsn="111222333", number="3001", birth=datetime.date(2011, 5, 6))
    client.force_login(world.caseworker)
    home = client.get(reverse("home"))
    assert home.context["waiting_allocations"] == 1
    assert reverse("exchange:waiting") in home.content.decode()
    page = client.get(reverse("exchange:waiting")).content.decode()
    for shown in ("01-11-2025", "31-10-2026", "06-05-2011"):
        assert shown in page
    assert 'aria-label="Berichtenverkeer"' not in page  # no manager's pages for a caseworker
    # A manager's home page does not count them (they cannot link them).
    client.force_login(world.manager)
    assert client.get(reverse("home")).context["waiting_allocations"] is None


def test_a_received_allocation_links_its_message_and_the_change_request_for_managers(world, client):
    client_a = world.a.client
    _receive_301(world, bsn=client_a.bsn, number="3002", birth=client_a.date_of_birth)
    allocation = Allocation.objects.get(number="3002")
    url = reverse("funding:allocation_detail", args=[allocation.pk])
    client.force_login(world.manager)
    page = client.get(url).content.decode()
    assert reverse("exchange:request_change", args=[allocation.pk]) in page
    assert reverse("exchange:message_detail", args=[allocation.received_as.message.pk]) in page
    assert "03-11-2025" in page
    # The caseworker may see the allocation, but sends no messages and has no inbox.
    client.force_login(world.caseworker)
    answer = client.get(url)
    if answer.status_code == 200:
        page = answer.content.decode()
        assert reverse("exchange:request_change", args=[allocation.pk]) not in page
        assert "/messages/" not in page.split('<main id="main">', 1)[1]
