"""The demo domain data of `seed_demo`: complete, explained funding, history with a user, and
the stories the demo is meant to tell. Seeded once for the module (it takes a few seconds)."""

from datetime import timedelta

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from apps.accounts.models import User
from apps.clients.models import Client, ExtendedYouthCare
from apps.control.selectors import absorbed_by_allocation, unfunded_queue
from apps.core.domains import Domain
from apps.demo.seed import DEMO_AGB, HISTORY_DAYS, NOORD_AGB
from apps.funding.models import (
    AlertKind,
    Allocation,
    Contract,
    Frequency,
    Funder,
    FunderKind,
    FundingAlert,
    IntegralPilot,
    PilotEnrolment,
    Product,
)
from apps.funding.rules import MUNICIPAL_STREAMS, is_municipality
from apps.pools.ledger import pool_ledger
from apps.pools.models import PoolBasis
from apps.reports.selectors import report_figures
from apps.trajectories.assignment import pilot_budget_used
from apps.trajectories.models import (
    Activity,
    ActivityStatus,
    CareTeamMembership,
    Employment,
    FundingStatus,
    Goal,
    SchoolPlacement,
    TeamRole,
    Trajectory,
)

pytestmark = pytest.mark.django_db

SEEDED_MODELS = [
    Client,
    Trajectory,
    Goal,
    CareTeamMembership,
    Activity,
    Allocation,
    Funder,
    Contract,
    Product,
    IntegralPilot,
    PilotEnrolment,
    SchoolPlacement,
    Employment,
]


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    """Seeded once for the module (tests/suite.py), rolled back after its tests."""
    return seeded_demo


def test_every_activity_is_funded_unfunded_or_not_chargeable_with_a_reason():
    activities = Activity.objects.all()
    assert 2000 <= activities.count() <= 4000
    assert set(activities.values_list("funding_status", flat=True)) == set(FundingStatus.values)
    assert not activities.filter(funding_reason={}).exists()
    funded = activities.filter(funding_status=FundingStatus.FUNDED)
    assert not funded.filter(allocation__isnull=True).exists()
    assert not activities.exclude(funding_status=FundingStatus.FUNDED).filter(
        allocation__isnull=False
    )
    assert Activity.objects.unfunded().count() >= 10
    assert activities.filter(status=ActivityStatus.CANCELLED).exists()
    versions = Activity.history.values("id").annotate(
        durations=Count("duration_minutes", distinct=True),
        attendances=Count("attendance", distinct=True),
    )
    assert versions.filter(durations__gt=1).exists()  # a corrected duration
    assert versions.filter(attendances__gt=1).exists()  # a corrected attendance


def test_every_seeded_row_has_history_with_a_user():
    for model in SEEDED_MODELS:
        rows = model.objects.all()
        assert rows.exists(), model
        history = model.history.all()
        assert not rows.exclude(pk__in=history.values("id")).exists(), model
        assert not history.filter(history_user__isnull=True).exists(), model


def test_the_demo_tells_its_stories():
    today = timezone.localdate()
    period_start = today - timedelta(days=HISTORY_DAYS)
    clients = Client.objects.filter(organisation__agb_code=DEMO_AGB)
    assert clients.count() == 48  # 45 in care, one new in intake, two of the Zvw (demo/zvw.py)
    assert clients.filter(shielded=True).count() == 1
    assert clients.filter(in_residential_stay=True, municipality_before_stay__isnull=False).exists()

    # The one whose care after 18 waits; the two of the Zvw (DEMO-Z01, DEMO-Z02: their route is
    # complete) are tests/test_demo_zvw.py's.
    turned_18 = [
        client
        for client in clients.filter(extended_youth_care_until__isnull=True).exclude(
            zvw_route__isnull=False
        )
        if period_start <= client.birthday(18) <= today
    ]
    assert len(turned_18) == 1
    client = turned_18[0]
    after = (
        Activity.objects.for_client(client)
        .recorded()
        .filter(domain=Domain.CARE, date__gte=client.birthday(18))
    )
    assert after.exists()
    assert not after.filter(funding_status=FundingStatus.FUNDED).exists()
    refusals = {r["code"] for a in after.unfunded() for r in a.funding_reason["refusals"]}
    assert "age_limit" in refusals

    nearly_used = []
    for allocation in Allocation.objects.filter(frequency=Frequency.TOTAL):
        used = allocation.activities.recorded().aggregate(total=Sum("consumed"))["total"] or 0
        if used >= 0.9 * allocation.capacity:
            nearly_used.append(allocation)
    assert nearly_used

    waiting = Activity.objects.unfunded().exclude(expected_funding="")
    assert waiting.filter(funding_reason__code="no_allocation").exists()
    # A late allocation absorbed activities that were logged unfunded before it arrived.
    absorbed = Activity.history.filter(
        funding_status=FundingStatus.UNFUNDED,
        id__in=Activity.objects.filter(funding_status=FundingStatus.FUNDED).values("id"),
    )
    assert absorbed.exists()

    docent = User.objects.get(username="docent")
    taught = Trajectory.objects.filter(
        memberships__user=docent, memberships__role=TeamRole.TEACHER
    ).distinct()
    assert 0 < taught.count() < Trajectory.objects.count()
    noord = Client.objects.filter(organisation__agb_code=NOORD_AGB)
    assert noord.count() == 3
    assert {c.trajectories.get().lead_caseworker.username for c in noord} == {"noord-behandelaar"}


def test_the_demo_shows_funding_control():
    """At least one open alert of each kind, a filled unfunded queue, a pilot with clients and
    the care it paid, and an allocation that absorbed waiting care (DEMO-041..045)."""
    organisation = Client.objects.get(client_number="DEMO-001").organisation
    alerts = FundingAlert.objects.open().filter(client__organisation=organisation)
    assert set(alerts.values_list("kind", flat=True)) == set(AlertKind.values)
    assert alerts.filter(kind=AlertKind.TURNS_18, client__client_number="DEMO-041").exists()
    assert alerts.filter(
        kind=AlertKind.ALLOCATION_ENDING, client__client_number="DEMO-042"
    ).exists()
    assert all(alert.text for alert in alerts)

    queue = unfunded_queue(organisation=organisation)
    assert queue.count >= 10
    assert queue.total_cents > 0

    pilot = IntegralPilot.objects.get(contract__organisation=organisation)
    enrolled = set(pilot.enrolments.values_list("client__client_number", flat=True))
    assert enrolled == {"DEMO-043", "DEMO-044", "DEMO-045"}
    paid = Activity.objects.filter(funding_status=FundingStatus.PILOT)
    assert set(paid.values_list("trajectory__client__client_number", flat=True)) == enrolled
    # Care and work; schooling is never priced per activity, not even from a pilot's budget.
    assert set(paid.values_list("domain", flat=True)) == {Domain.CARE, Domain.WORK}
    # A pooled budget of three funders at a price per client per month (apps/demo/pools.py):
    # the activities draw nothing themselves, the prices are charged to the funders.
    assert pilot_budget_used(pilot=pilot) == 0
    ledger = pool_ledger(pool=pilot, until=timezone.localdate())
    assert 0 < ledger.total_cents <= pilot.budget_cents
    assert {funder.kind for funder in ledger.funders()} == {
        "municipality",
        "health_insurer",
        "samenwerkingsverband",
    }
    assert {share.funder.kind for share in ledger.shares.values()} >= {
        "municipality",
        "samenwerkingsverband",
    }
    assert PoolBasis.objects.filter(enrolment__pilot=pilot, kind="tlv").count() == 3
    assert not Allocation.objects.filter(client__client_number__in=enrolled).exists()

    absorbing = Allocation.objects.filter(
        client__organisation=organisation,
        activities__absorbed_at__isnull=False,
        activities__funding_status=FundingStatus.FUNDED,
    ).distinct()
    assert absorbing.exists()
    assert absorbed_by_allocation(allocation=absorbing.first())


def test_the_demo_follows_the_woonplaatsbeginsel():
    """Municipal funders are municipalities by CBS code, so the rule applies; every Jeugdwet
    and Wmo allocation comes from the client's responsible municipality; DEMO-012's waiting
    crisis care is expected from the Jeugdwet of its municipality (not the Zorgkantoor) and
    DEMO-007's care after 18 is in no municipality's report annex."""
    organisation = Client.objects.get(client_number="DEMO-001").organisation
    municipalities = Funder.objects.filter(kind=FunderKind.MUNICIPALITY)
    assert municipalities.count() == 3
    assert not Funder.objects.filter(kind=FunderKind.REGION).exists()
    assert set(municipalities.values_list("code", flat=True)) == {"0344", "0307", "0193"}
    for allocation in Allocation.objects.filter(
        product__contract__stream__code__in=MUNICIPAL_STREAMS
    ).select_related("funder", "client__responsible_municipality"):
        assert is_municipality(allocation.funder, allocation.client.responsible_municipality)
    refused = [
        refusal["code"]
        for activity in Activity.objects.unfunded()
        for refusal in activity.funding_reason.get("refusals", [])
    ]
    assert "not_responsible_municipality" not in refused

    crisis = Client.objects.get(client_number="DEMO-012")
    queued = [
        item
        for item in unfunded_queue(organisation=organisation, limit=1000).items
        if item.activity.trajectory.client_id == crisis.pk
    ]
    assert len(queued) == Activity.objects.for_client(crisis).unfunded().count() > 0
    for item in queued:
        assert item.product.contract.stream.code == "jeugdwet"
        assert is_municipality(item.funder, crisis.responsible_municipality)

    today = timezone.localdate()
    adult = Client.objects.get(client_number="DEMO-007")
    assert (
        Activity.objects.for_client(adult).unfunded().filter(date__gte=adult.birthday(18)).exists()
    )
    annexes = {
        funder.code: report_figures(
            organisation=organisation,
            funder=funder,
            period_start=today - timedelta(days=HISTORY_DAYS),
            period_end=today,
        )
        for funder in municipalities
    }
    for code, figures in annexes.items():
        assert adult.pk not in figures.unfunded_client_ids, code
    # The waiting crisis care is in its own municipality's annex.
    assert crisis.pk in annexes[crisis.responsible_municipality.cbs_code].unfunded_client_ids


def test_the_demo_names_the_responsible_funder_of_waiting_care():
    """No tariff workaround: DEMO-012's crisis care is expected from the Jeugdwet of Utrecht
    at its tariff, though the Wlz's guidance is cheaper (DEMO-012 has no Wlz indication);
    DEMO-007's care after 18 is expected from its own insurer and is in its annex; the Wlz
    clients have a CIZ indication."""
    organisation = Client.objects.get(client_number="DEMO-001").organisation
    wlz_guidance = Product.objects.get(code="WLZ-BGI")
    utrecht_crisis = Product.objects.get(code="46C01", contract__funder__code="0344")
    assert wlz_guidance.tariff_cents < utrecht_crisis.tariff_cents
    queue = unfunded_queue(organisation=organisation, limit=10_000).items
    crisis = Client.objects.get(client_number="DEMO-012")
    assert crisis.responsible_municipality.cbs_code == "0344"
    assert not crisis.wlz_indications.exists()
    for item in (i for i in queue if i.client.pk == crisis.pk):
        assert item.funder.code == "0344"
        assert item.stream.code == "jeugdwet"
        assert item.product.contract.funder.code == "0344"
    adult = Client.objects.get(client_number="DEMO-007")
    after_18 = [
        i for i in queue if i.client.pk == adult.pk and i.activity.date >= adult.birthday(18)
    ]
    care = [item for item in after_18 if item.activity.domain == Domain.CARE]
    assert care
    insurer = Funder.objects.get(kind=FunderKind.HEALTH_INSURER)
    assert adult.health_insurances.get().uzovi == insurer.code
    for item in care:
        assert item.funder == insurer, item.activity
        assert item.stream.code == "zvw-ggz"
    today = timezone.localdate()
    figures = report_figures(
        organisation=organisation,
        funder=insurer,
        period_start=today - timedelta(days=HISTORY_DAYS),
        period_end=today,
    )
    assert adult.pk in figures.unfunded_client_ids
    assert crisis.pk not in figures.unfunded_client_ids
    for number in ("DEMO-013", "DEMO-032"):  # the Wlz profile
        assert Client.objects.get(client_number=number).wlz_indications.exists()


def test_the_demo_records_extended_youth_care_with_its_basis():
    """DEMO-010, DEMO-022 and DEMO-034: one of each ground of Jeugdwet art. 1.1 (continued,
    decided before 18, resumed five months after the care ended), and the Jeugdwet pays their
    care after the 18th birthday."""
    periods = ExtendedYouthCare.objects.filter(
        client__organisation__agb_code=DEMO_AGB
    ).select_related("client")
    assert {period.client.client_number: period.basis for period in periods} == {
        "DEMO-010": "continued",
        "DEMO-022": "decided_before_18",
        "DEMO-034": "resumed",
    }
    for period in periods:
        client = period.client
        assert period.decision_date is not None
        assert period.decided_by
        assert period.care_started_on < client.birthday(18) <= period.start
        assert period.until < client.birthday(23)
        assert period.history.get().history_user is not None
        assert client.extended_youth_care_on(period.start)
        paid = Activity.objects.for_client(client).filter(
            date__gte=period.start,
            funding_status=FundingStatus.FUNDED,
            allocation__product__contract__stream__code="jeugdwet",
        )
        assert paid.exists(), client.client_number


def test_the_residential_clients_stay_and_utrecht_bills_whole_nights():
    """Issue 15: a residential stay is registered as a stay; the report bills whole nights
    (7 x € 352 a week on 43B01), and no session draws on the etmalen."""
    from apps.trajectories.models import Stay

    today = timezone.localdate()
    stays = Stay.objects.select_related("trajectory__client")
    residential = {stay.trajectory.client.client_number for stay in stays}
    assert residential == {"DEMO-006", "DEMO-015", "DEMO-026", "DEMO-036"}
    assert all(stay.discharged_on is None for stay in stays)
    assert all(stay.leaves.exists() for stay in stays)  # a weekend at home three weeks ago
    assert not (
        Activity.objects.recorded()
        .filter(allocation__product__code="43B01")
        .exclude(kind="residential_stay")
        .exists()
    )
    organisation = Client.objects.get(client_number="DEMO-001").organisation
    utrecht = Funder.objects.get(kind=FunderKind.MUNICIPALITY, code="0344")
    figures = report_figures(
        organisation=organisation,
        funder=utrecht,
        period_start=today - timedelta(days=HISTORY_DAYS),
        period_end=today,
    )
    blocks = [block for block in figures.allocations if block.product_code == "43B01"]
    assert {block.client.client_number for block in blocks} == {"DEMO-006", "DEMO-036"}
    for block in blocks:
        assert block.tariff_cents == 35200
        for month in block.months:
            assert month.units == month.units.to_integral_value(), "whole nights"
            assert month.amount_cents == month.units * 35200
        stay = stays.get(trajectory__client_id=block.client_id)
        # A whole week (Monday to Sunday) of the stay, before today: 7 nights, € 2,464, also
        # the week of the weekend at home (two leave nights a week are paid by the contract).
        monday = max(stay.admitted_on, today - timedelta(days=HISTORY_DAYS))
        monday += timedelta(days=(7 - monday.weekday()) % 7)
        while monday + timedelta(days=6) < today:
            week = Activity.objects.recorded().filter(
                stay=stay,
                funding_status="funded",
                date__range=(monday, monday + timedelta(days=6)),
            )
            assert week.count() == 7, monday
            assert week.aggregate(total=Sum("consumed"))["total"] == 7
            monday += timedelta(days=7)


def test_the_demo_draws_each_activity_on_a_product_that_pays_for_it():
    """Issue 15: products say what they pay for. DEMO-007's treatment goes to 45A07 and its
    guidance to 45A12; sessions never draw on a 43B01 stay; the Wmo clients get guidance."""
    for activity in Activity.objects.filter(funding_status=FundingStatus.FUNDED).select_related(
        "allocation__product"
    ):
        assert activity.kind in activity.allocation.product.activity_kinds, activity
    assert not Activity.objects.filter(
        allocation__product__code="43B01", funding_status=FundingStatus.FUNDED
    ).exclude(kind="residential_stay")
    adult = Client.objects.get(client_number="DEMO-007")
    funded = Activity.objects.for_client(adult).filter(funding_status=FundingStatus.FUNDED)
    by_product = dict(
        funded.values_list("allocation__product__code").annotate(n=Count("pk")).order_by()
    )
    assert by_product["45A07"] > 0
    assert by_product["45A12"] > 0
    on_guidance = funded.filter(allocation__product__code="45A12")
    assert set(on_guidance.values_list("kind", flat=True)) == {"guidance"}
    wmo_care = Activity.objects.filter(
        trajectory__client__allocations__product__code="02A01",
        domain=Domain.CARE,
        kind__in=["treatment_session", "family_session", "diagnostics"],
    )
    assert not wmo_care.exists()


def test_the_demo_funds_education_and_work_as_they_are():
    """Issue 15: schools are not paid per lesson ((V)SO per pupil through DUO with a TLV of the
    samenwerkingsverband, MBO by a lump sum: swv-vo-2505.nl, "wat is een TLV"; Uitvoeringsbesluit
    WEB art. 2.2.1), an internship is part of the school programme (s-bb.nl, "beroepspraktijk-
    vorming"), and the UWV pays job coaching only beside a job (Reïntegratiebesluit art. 12, as
    quoted by factorwerk.org "Jobcoaching (UWV)"); otherwise the municipality
    (Participatiewet art. 10da, samenvoordeklant.nl "Jobcoaching")."""
    from apps.funding.models import FUNDER_CODE_LABEL, FundingStream
    from apps.trajectories.assignment import employed_on

    # Lessons, exams, study guidance and internship days: counted, never priced.
    schooling = Activity.objects.recorded().filter(
        kind__in=["lesson", "exam", "study_guidance", "attendance_registration", "internship_day"]
    )
    assert schooling.count() > 100
    assert set(schooling.values_list("funding_status", flat=True)) == {"not_chargeable"}
    assert set(schooling.values_list("funding_reason__code", flat=True)) == {
        "school_funded",
        "school_programme",
    }
    assert not Allocation.objects.filter(product__contract__stream__code="onderwijs").exists()
    assert not Product.objects.filter(contract__stream__code="onderwijs").exists()
    # Their progress still counts: education goals moved.
    assert Goal.objects.filter(domain=Domain.EDUCATION, progress__gt=0).exists()

    # Every pupil a teacher teaches has a school with a funding basis; a VSO's TLV is valid on
    # its start and comes from a samenwerkingsverband; no MBO is paid by one.
    taught = Trajectory.objects.filter(memberships__role=TeamRole.TEACHER).distinct()
    assert not taught.filter(school_placements__isnull=True).exists()
    placements = SchoolPlacement.objects.select_related("samenwerkingsverband")
    assert {p.school_type for p in placements} == {"vso", "mbo"}
    for placement in placements:
        if placement.school_type == "mbo":
            assert placement.funding_basis == "mbo_lump_sum"
            assert placement.samenwerkingsverband is None
            assert not placement.tlv_number
        else:
            assert placement.funding_basis == "duo_tlv"
            assert placement.samenwerkingsverband.kind == FunderKind.SAMENWERKINGSVERBAND
            assert placement.tlv_valid_on(placement.start)

    # Job coaching: the UWV only beside a recorded job, the municipality otherwise; no UWV
    # allocation for anyone under 18.
    uwv = Allocation.objects.filter(funder__kind=FunderKind.UWV).select_related("client")
    assert uwv.exists()
    for allocation in uwv:
        assert allocation.client.age_on(allocation.start) >= 18, allocation.client.client_number
    coached = Activity.objects.recorded().filter(kind="job_coaching", funding_status="funded")
    assert coached.filter(allocation__funder__kind=FunderKind.MUNICIPALITY).exists()
    for activity in coached.filter(allocation__funder__kind=FunderKind.UWV):
        assert employed_on(trajectory_id=activity.trajectory_id, day=activity.date)
    assert Employment.objects.exists()
    # DEMO-030 lost the job three weeks ago: the UWV refuses the coaching since, which waits for
    # the municipality (Participatiewet).
    after_job = Activity.objects.unfunded().filter(
        trajectory__client__client_number="DEMO-030", kind="job_coaching"
    )
    assert after_job.exists()
    for activity in after_job:
        codes = {refusal["code"] for refusal in activity.funding_reason["refusals"]}
        assert "uwv_needs_employment" in codes
        assert activity.expected_funding.startswith("Participatiewet")

    # No domain that does not exist; the school board's number is not called a BRIN code.
    for stream in FundingStream.objects.all():
        assert set(stream.domains) <= set(Domain.values), stream.code
    assert "BRIN" not in str(FUNDER_CODE_LABEL[FunderKind.SCHOOL_BOARD])


def test_the_demo_pool_page_shows_the_comparison_with_its_assumptions(client):
    """The Utrecht pool's page in the demo: three funders, its clients, the comparison and the
    assumptions it rests on (apps/demo/pools.py)."""
    from django.urls import reverse
    from django.utils import translation

    from apps.accounts.models import User

    organisation = Client.objects.get(client_number="DEMO-001").organisation
    pool = IntegralPilot.objects.get(contract__organisation=organisation)
    client.force_login(User.objects.get(username="manager"))
    with translation.override("en"):
        response = client.get(reverse("pools:detail", args=[pool.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert response.context["comparison"].activities > 0
    assert len(response.context["parts"]) == 3
    for client_number in ("DEMO-043", "DEMO-044", "DEMO-045"):
        assert client_number in text
    assert "Samenwerkingsverband Passend Onderwijs Zonnedal (demo)" in text
