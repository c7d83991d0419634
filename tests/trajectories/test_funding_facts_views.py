"""The page of a client's funding facts: its CIZ indications (Wlz) and its own health
insurers (Zvw). A caseworker of the care team or a manager records and ends them; whoever
sees the funding reads them (emergency access read only); everyone else is refused; every read
is logged; bad input never gives a 500 and saves nothing; recording one decides the client's
care again.

Sources for the rules the page applies (the Wlz first for the care it covers, only the own
insurer pays Zvw care) are cited in tests/funding/test_responsible.py: the CIZ decides the
Wlz indication (Wlz art. 3.2.1, https://www.ciz.nl/zorgprofessional/veelgestelde-vragen-
zorgprofessional/wet-langdurige-zorg), Jeugdwet art. 1.2 (another law's claim goes first), and
Zorginstituut Nederland on the Zvw ("Zorgverzekeraars voeren de Zvw uit voor hun
verzekerden"). A UZOVI code has four digits (Vektis; apps.clients.models.validate_uzovi).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.clients.models import HealthInsurance, WlzIndication
from apps.clients.services import health_insurance_record, wlz_indication_record
from apps.trajectories.access import break_glass_open
from apps.trajectories.services import care_team_join
from tests.accounts.factories import UserFactory
from tests.funding.test_responsible import ADULT_BORN, World

pytestmark = pytest.mark.django_db
D = datetime.date

WLZ = {"fact": "wlz", "wlz-care_profile": "LVG 4", "wlz-decision_reference": "CIZ-2025-77",
       "wlz-start": "2025-03-01", "wlz-end": ""}  # fmt: skip
ZVW = {"fact": "zvw", "zvw-uzovi": "3311", "zvw-start": "2025-03-01", "zvw-end": ""}


@pytest.fixture
def world():
    return World()


@pytest.fixture
def youth(world):
    """A client of 13 on a care team led by the world's caseworker, with one session."""
    youth = world.client("123456721")
    world.session(youth, D(2025, 1, 10))  # makes the trajectory
    return youth


def _url(client_, name="clients:funding_facts", **kwargs):
    return reverse(name, kwargs={"pk": client_.pk, **kwargs})


def _logged(user, client_, outcome="allowed"):
    return AccessLogEntry.objects.filter(
        user=user, client=client_, detail="funding facts", outcome=outcome
    ).exists()


REQUIRED = ("This field is required", "Dit veld is vereist")
VALID_DATE = ("Enter a valid date", "Voer een geldige datum in")
FOUR_DIGITS = ("four digits", "vier cijfers")


def _says(response, *texts):
    """The page says one of the texts (English or Dutch, as the user's language is)."""
    return any(text in response.text for text in texts)


def _no_facts():
    return not WlzIndication.objects.exists() and not HealthInsurance.objects.exists()


def test_the_caseworker_reads_the_page_and_the_read_is_logged(client, world, youth):
    wlz_indication_record(
        client=youth, care_profile="LVG 4", start=D(2025, 3, 1), end=None, actor=None
    )
    client.force_login(world.worker)
    response = client.get(_url(youth))
    assert response.status_code == 200
    assert "LVG 4" in response.text
    assert _logged(world.worker, youth)


def test_recording_an_indication_moves_the_care_it_covers_from_the_jeugdwet_to_the_wlz(
    client, world, youth
):
    world.register(youth, "0344", "TW-UTR")
    before, after = world.session(youth, D(2025, 2, 20)), world.session(youth, D(2025, 3, 10))
    assert (before.allocation.number, after.allocation.number) == ("TW-UTR", "TW-UTR")
    client.force_login(world.worker)
    response = client.post(_url(youth), WLZ)
    assert response.status_code == 302
    indication = WlzIndication.objects.get(client=youth)
    assert (indication.care_profile, indication.decision_reference) == ("LVG 4", "CIZ-2025-77")
    assert AccessLogEntry.objects.filter(user=world.worker, event="create").exists()
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.allocation.number == "TW-UTR"  # before the indication: the Jeugdwet
    assert after.funding_status == "unfunded"  # from its start: it waits for the Wlz
    assert after.funding_reason["refusals"][0]["code"] == "wlz_indication"
    # The care office's allocation comes in: it pays the care waiting for it.
    world.register(youth, "wlz", "WLZ-ZK")
    after.refresh_from_db()
    assert after.allocation.number == "WLZ-ZK"


def test_recording_the_own_insurer_lets_its_zvw_allocation_pay(client, world):
    adult = world.client("123456733", born=ADULT_BORN)
    health_insurance_record(client=adult, uzovi="8888", start=D(2025, 1, 1), end=None, actor=None)
    world.register(adult, "3311", "ZVW-EIGEN")
    activity = world.session(adult, D(2025, 3, 10))
    assert activity.funding_status == "unfunded"  # another insurer's allocation
    client.force_login(world.worker)
    # The new insurer overlaps the open one: refused, nothing changes.
    with translation.override("en"):
        response = client.post(_url(adult), ZVW, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert _says(response, "already has a health insurer", "al een zorgverzekeraar")
    assert HealthInsurance.objects.filter(client=adult).count() == 1
    # End the old one, then record the new one.
    old = HealthInsurance.objects.get(client=adult)
    end_url = _url(adult, "clients:health_insurance_end", fact_pk=old.pk)
    assert client.post(end_url, {f"end-{old.pk}-end": "2025-02-28"}).status_code == 302
    old.refresh_from_db()
    assert old.end == D(2025, 2, 28)
    assert old.history.count() == 2
    assert client.post(_url(adult), ZVW).status_code == 302
    assert HealthInsurance.objects.get(client=adult, end=None).uzovi == "3311"
    activity.refresh_from_db()
    assert activity.funding_status == "funded"
    assert activity.allocation.number == "ZVW-EIGEN"


def test_ending_an_indication_gives_the_care_after_it_back_to_the_jeugdwet(client, world, youth):
    world.register(youth, "0344", "TW-UTR")
    client.force_login(world.worker)
    client.post(_url(youth), WLZ)
    late = world.session(youth, D(2025, 6, 10))
    assert late.funding_status == "unfunded"  # waits for the Wlz
    indication = WlzIndication.objects.get(client=youth)
    end_url = _url(youth, "clients:wlz_indication_end", fact_pk=indication.pk)
    prefix = f"end-{indication.pk}"
    for bad in ("gisteren", "2025-02-01"):  # not a date; before the start
        assert client.post(end_url, {f"{prefix}-end": bad}).status_code == 302
        indication.refresh_from_db()
        assert indication.end is None
    response = client.post(end_url, {f"{prefix}-end": "2025-05-31"}, follow=True)
    assert response.status_code == 200
    indication.refresh_from_db()
    assert indication.end == D(2025, 5, 31)
    late.refresh_from_db()
    assert late.allocation.number == "TW-UTR"
    # An ended one is not ended again.
    with translation.override("en"):
        response = client.post(
            end_url, {f"{prefix}-end": "2025-04-30"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert _says(response, "already ended", "al beëindigd")
    indication.refresh_from_db()
    assert indication.end == D(2025, 5, 31)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({**WLZ, "wlz-end": "2025-02-01"}, ("before the start", "voor de begindatum")),
        ({**WLZ, "wlz-start": "2099-01-01"}, ("more than a year ahead", "meer dan een jaar")),
        ({**WLZ, "wlz-care_profile": ""}, REQUIRED),
        ({**WLZ, "wlz-care_profile": "x" * 300, "wlz-start": "31-02-2025"}, VALID_DATE),
        ({**ZVW, "zvw-uzovi": "12a4"}, FOUR_DIGITS),
        ({**ZVW, "zvw-uzovi": "12345"}, FOUR_DIGITS),
        ({**ZVW, "zvw-end": "2025-01-01"}, ("before the start", "voor de begindatum")),
        ({**ZVW, "zvw-start": "morgen"}, VALID_DATE),
        ({"fact": "zvw"}, REQUIRED),
        ({"fact": "onzin"}, REQUIRED),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, world, youth, data, says):
    client.force_login(world.worker)
    with translation.override("en"):
        response = client.post(_url(youth), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert _says(response, *says)
    assert _no_facts()


def test_an_overlapping_indication_is_refused(client, world, youth):
    wlz_indication_record(
        client=youth, care_profile="LVG 3", start=D(2025, 1, 1), end=None, actor=None
    )
    client.force_login(world.worker)
    response = client.post(_url(youth), WLZ)
    assert response.status_code == 200
    assert "al een Wlz-indicatie" in response.text or "already has a Wlz" in response.text
    assert WlzIndication.objects.count() == 1


@pytest.mark.parametrize("role", ["teacher", "job_coach"])
def test_other_members_of_the_care_team_are_refused_and_it_is_logged(client, world, youth, role):
    member = UserFactory(organisation=world.organisation, roles=[Role(role)])
    care_team_join(
        trajectory=youth.trajectories.get(),
        user=member,
        role=role,
        start=D(2025, 1, 1),
        actor=world.worker,
    )
    client.force_login(member)
    assert client.get(_url(youth)).status_code == 403
    assert client.post(_url(youth), WLZ).status_code == 403
    assert _no_facts()
    assert _logged(member, youth, outcome="refused")
    # Nor do they see the link on the client page.
    assert _url(youth) not in client.get(_url(youth, "clients:detail")).text


@pytest.mark.parametrize("where", ["same organisation, other team", "other organisation"])
def test_caseworkers_outside_the_care_team_are_refused_and_it_is_logged(
    client, world, youth, where
):
    kwargs = {"organisation": world.organisation} if where.startswith("same") else {}
    outsider = UserFactory(roles=[Role.CASEWORKER], **kwargs)
    indication = wlz_indication_record(
        client=youth, care_profile="LVG 3", start=D(2025, 1, 1), end=None, actor=None
    )
    client.force_login(outsider)
    assert client.get(_url(youth)).status_code == 404
    assert client.post(_url(youth), ZVW).status_code == 404
    end_url = _url(youth, "clients:wlz_indication_end", fact_pk=indication.pk)
    assert client.post(end_url, {f"end-{indication.pk}-end": "2025-06-30"}).status_code == 404
    indication.refresh_from_db()
    assert indication.end is None
    assert not HealthInsurance.objects.exists()
    assert _logged(outsider, youth, outcome="refused")


def test_a_manager_reads_and_records(client, world, youth):
    """The manager registers the allocations and sees every client's funding: they record
    the indication and the insurer too (apps.trajectories.funding_facts_views._may_record)."""
    manager = UserFactory(organisation=world.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert client.get(_url(youth)).status_code == 200
    assert _logged(manager, youth)
    assert client.post(_url(youth), WLZ).status_code == 302
    assert WlzIndication.objects.filter(client=youth).exists()
    assert _url(youth) in client.get(_url(youth, "clients:detail")).text


def test_emergency_access_reads_but_records_nothing(client, world, youth):
    indication = wlz_indication_record(
        client=youth, care_profile="LVG 3", start=D(2025, 1, 1), end=None, actor=None
    )
    outsider = UserFactory(organisation=world.organisation, roles=[Role.CASEWORKER])
    break_glass_open(user=outsider, client=youth, reason="Crisis in de nacht, lead weg")
    client.force_login(outsider)
    page = client.get(_url(youth))
    assert page.status_code == 200
    assert "LVG 3" in page.text
    assert 'name="fact"' not in page.text  # no forms
    assert _logged(outsider, youth)
    assert client.post(_url(youth), ZVW).status_code == 403
    end_url = _url(youth, "clients:wlz_indication_end", fact_pk=indication.pk)
    assert client.post(end_url, {f"end-{indication.pk}-end": "2025-06-30"}).status_code == 403
    indication.refresh_from_db()
    assert indication.end is None
    assert not HealthInsurance.objects.exists()


def test_another_clients_fact_is_not_found(client, world, youth):
    other = world.client("123456745")
    world.session(other, D(2025, 1, 10))
    insurance = health_insurance_record(
        client=other, uzovi="3311", start=D(2025, 1, 1), end=None, actor=None
    )
    client.force_login(world.worker)
    end_url = _url(youth, "clients:health_insurance_end", fact_pk=insurance.pk)
    assert client.post(end_url, {f"end-{insurance.pk}-end": "2025-06-30"}).status_code == 404
    insurance.refresh_from_db()
    assert insurance.end is None


def test_the_client_page_links_to_it_in_the_funding(client, world, youth):
    client.force_login(world.worker)
    page = client.get(_url(youth, "clients:detail")).text
    assert _url(youth) in page
    assert page.index('id="funding-title"') < page.index(_url(youth))
