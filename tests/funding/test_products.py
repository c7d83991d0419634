"""Products say what they deliver and what they pay for (issue 15).

Sources (searched November 2026):

- WJ756 (the iJw/iWmo 3.2 unit code list, fixtures/reference/README.md): 01 minute, 04 hour,
  14 etmaal, 16 dagdeel, 82/84 stuks (output, effort), 83 euro. The delivery kind follows the
  unit: time, presence, output, budget.
- IV042 (whole volumes) is named by the issue as the source for counting presence in whole
  units; its text was not found in the stored sources, so it is named, not quoted.
- What the Wmo pays: Wmo 2015 (BWBR0035362, hse.sdu.nl/content/BWBR0035362-20240101) art.
  1.1.1 defines maatschappelijke ondersteuning and begeleiding (supporting self-reliance and
  participation, sheltered living and shelter); the stored excerpt opens the law but not the
  article's wording. The iWmo product categories as CBS lists them (cbs.nl, "Wmo-
  maatwerkvoorziening", 2020): 02 begeleiding, 03 persoonlijke verzorging, 07 dagbesteding,
  15 beschermd wonen, 16 opvang, and no treatment. monitorlangdurigezorg.nl ("Begeleiding"):
  Wmo guidance maintains, furthers or compensates self-reliance. Treatment is jeugdhulp under
  18 (Jeugdwet art. 1.1) and Zvw care from 18 (tests/funding/test_precedence.py cites art. 1.2).
- The worked example is the issue's own (issue 15, "What to build"): DEMO-007's treatment
  sessions were charged to its 45A12 guidance allocation while its 45A07 treatment allocation
  stayed at 0%; a 43B01 stay (7 etmalen a week at EUR 352) was drawn down by 45-minute sessions.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.core.domains import ActivityKind
from apps.funding.models import DeliveryKind, Frequency, FundingStream, Product, Unit
from apps.funding.reasons import funding_reason_text, refusal_text
from apps.funding.rules import (
    allocation_refusal,
    amount_cents,
    consumption_for,
    unit_name,
    units_of,
)
from apps.trajectories.assignment import funding_preview
from apps.trajectories.models import Activity
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import log, product, register, trajectory_of
from tests.funding.factories import AllocationFactory, ContractFactory, ProductFactory, stream

pytestmark = pytest.mark.django_db
D = datetime.date
TREATMENT = ["intake", "diagnostics", "treatment_session", "group_session", "family_session"]
SUPPORT = ["guidance", "personal_care"]


# --- the product: delivery kind and activity kinds ----------------------------------------


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        (Unit.MINUTE, DeliveryKind.TIME),
        (Unit.HOUR, DeliveryKind.TIME),
        (Unit.DAY_24H, DeliveryKind.PRESENCE),
        (Unit.DAY_PART, DeliveryKind.PRESENCE),
        (Unit.ITEM_OUTPUT, DeliveryKind.OUTPUT),
        (Unit.ITEM_EFFORT, DeliveryKind.OUTPUT),
        (Unit.EURO, DeliveryKind.BUDGET),
    ],
)
def test_the_delivery_kind_follows_the_unit(unit, kind):
    kinds = {
        Unit.DAY_24H: ["residential_stay"],
        Unit.DAY_PART: ["day_activity"],
    }.get(unit, TREATMENT)
    product = ProductFactory(unit=unit, activity_kinds=kinds)
    assert product.delivery_kind == kind
    product.delivery_kind = ""
    product.full_clean()
    assert product.delivery_kind == kind


def test_a_delivery_kind_that_does_not_fit_the_unit_is_refused():
    product = ProductFactory(unit=Unit.DAY_24H)
    product.delivery_kind = DeliveryKind.TIME
    with pytest.raises(ValidationError) as refused:
        product.full_clean()
    assert "delivery_kind" in refused.value.message_dict
    # And the database refuses it too, whatever path it takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(delivery_kind=DeliveryKind.TIME)


def test_changing_the_unit_changes_the_delivery_kind_with_it():
    product = ProductFactory(unit=Unit.MINUTE)
    product.unit = Unit.ITEM_OUTPUT
    product.save(update_fields=["unit"])
    product.refresh_from_db()
    assert product.delivery_kind == DeliveryKind.OUTPUT


@pytest.mark.parametrize(
    ("stream_code", "unit", "kinds", "message"),
    [
        ("jeugdwet", Unit.MINUTE, [], "Choose the kinds of activity"),
        ("jeugdwet", Unit.MINUTE, ["dancing"], "Unknown activity kinds: dancing"),
        ("jeugdwet", Unit.MINUTE, "treatment_session", "Give a list"),
        # The Wmo pays no treatment (Wmo 2015 art. 1.1.1; CBS's iWmo categories).
        ("wmo", Unit.HOUR, ["treatment_session"], "Wmo 2015 does not pay for: Treatment session"),
        ("zvw-ggz", Unit.MINUTE, ["guidance"], "does not pay for: Guidance"),
        ("jeugdwet", Unit.MINUTE, ["lesson"], "does not pay for: Lesson"),
        # A session never consumes a night: a stay product pays for stays only.
        ("jeugdwet", Unit.DAY_24H, ["treatment_session"], "a session never consumes"),
        ("jeugdwet", Unit.DAY_PART, ["residential_stay"], "a session never consumes"),
        ("jeugdwet", Unit.HOUR, ["residential_stay"], "paid per night"),
    ],
)
def test_the_activity_kinds_must_be_ones_the_stream_pays_and_the_unit_counts(
    stream_code, unit, kinds, message
):
    contract = ContractFactory(stream=stream(stream_code))
    category = {"jeugdwet": "45", "wmo": "02"}.get(stream_code, "")
    product = Product(
        contract=contract,
        category=category,
        code="X1",
        description="Product",
        unit=unit,
        tariff_cents=100,
        activity_kinds=kinds,
    )
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            product.full_clean()
        assert message in " ".join(refused.value.message_dict["activity_kinds"])


def test_a_product_with_its_kinds_is_valid():
    contract = ContractFactory(stream=stream("wmo"))
    for unit, kinds in [
        (Unit.HOUR, SUPPORT),
        (Unit.DAY_PART, ["day_activity"]),
        (Unit.DAY_24H, ["residential_stay"]),
    ]:
        Product(
            contract=contract,
            category="02",
            code=f"W{unit}",
            description="Wmo",
            unit=unit,
            tariff_cents=100,
            activity_kinds=kinds,
        ).full_clean()


def test_the_wmo_pays_support_not_treatment():
    """The migration and the reference data agree: guidance, personal care, day activities
    and stays (sheltered living, shelter); the Zvw stays treatment-only."""
    wmo = FundingStream.objects.get(code="wmo")
    assert wmo.activity_kinds == ["guidance", "personal_care", "day_activity", "residential_stay"]
    assert not wmo.pays_for(domain="care", kind="treatment_session")
    assert not wmo.pays_for(domain="care", kind="diagnostics")
    zvw = FundingStream.objects.get(code="zvw-ggz")
    assert "guidance" not in zvw.activity_kinds
    assert "treatment_session" in zvw.activity_kinds


# --- the rule, directly -------------------------------------------------------------------


def _activity(kind, *, minutes=None, units=None):
    domain = "education" if kind in ("lesson", "exam") else "care"
    return Activity(
        domain=domain, kind=kind, date=D(2025, 3, 3), duration_minutes=minutes, units=units
    )


@pytest.mark.parametrize(
    ("unit", "kind", "minutes", "units", "consumed"),
    [
        (Unit.MINUTE, "treatment_session", 45, None, 45),
        (Unit.HOUR, "guidance", 90, None, 90),  # minutes, priced per hour
        (Unit.HOUR, "guidance", None, 2, None),  # time needs a duration
        (Unit.DAY_24H, "residential_stay", None, 7, 7),  # seven nights, not 7 x 1440 minutes
        (Unit.DAY_24H, "residential_stay", 1440, None, 1),  # one night, whatever the minutes
        (Unit.DAY_24H, "treatment_session", 45, None, None),  # a session never takes a night
        (Unit.DAY_PART, "day_activity", 240, 2, 2),
        (Unit.DAY_PART, "day_activity", None, None, 1),
        (Unit.DAY_PART, "residential_stay", None, 1, None),
        (Unit.ITEM_OUTPUT, "treatment_session", 60, None, 1),
        (Unit.ITEM_EFFORT, "treatment_session", None, 3, 3),
        (Unit.EURO, "treatment_session", 60, 250, 250),
        (Unit.EURO, "treatment_session", 60, None, None),
    ],
)
def test_what_an_activity_consumes_follows_the_delivery_kind(unit, kind, minutes, units, consumed):
    allocation = AllocationFactory.build(unit=unit, product=ProductFactory.build(unit=unit))
    activity = _activity(kind, minutes=minutes, units=units)
    assert consumption_for(activity=activity, allocation=allocation) == consumed


def test_presence_is_valued_in_whole_units():
    # A week of stay on 43B01 at EUR 352 a night (the example): 7 x 352.
    assert units_of(7, Unit.DAY_24H) == 7
    assert amount_cents(7, Unit.DAY_24H, 35200) == 246400
    assert units_of(3, Unit.DAY_PART) == 3
    assert units_of(90, Unit.HOUR) == 1.5


def test_an_allocation_refuses_a_kind_its_product_does_not_pay_for():
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation)
    guidance = register(
        trajectory.client,
        product(organisation, code="45A12", unit=Unit.HOUR, is_guidance=True),
        trajectory.lead_caseworker,
        number="BG-1",
    )
    session = _activity("treatment_session", minutes=45)
    refusal = allocation_refusal(allocation=guidance, activity=session, client=trajectory.client)
    assert refusal == {
        "code": "product_does_not_pay_kind",
        "number": "BG-1",
        "product": "45A12 Ambulante behandeling",
        "kind": "treatment_session",
    }
    paid = _activity("guidance", minutes=60)
    assert allocation_refusal(allocation=guidance, activity=paid, client=trajectory.client) is None


def test_the_refusal_is_explained_in_dutch_and_english():
    refusal = {
        "code": "product_does_not_pay_kind",
        "number": "TW-43",
        "product": "43B01 Verblijf met behandeling",
        "kind": "treatment_session",
    }
    reason = {"code": "unfunded", "refusals": [refusal]}
    with translation.override("en"):
        assert refusal_text(refusal) == (
            "product 43B01 Verblijf met behandeling (allocation TW-43) does not pay for "
            "treatment session"
        )
        assert "does not pay for treatment session" in funding_reason_text(reason)
    with translation.override("nl"):
        assert refusal_text(refusal) == (
            "product 43B01 Verblijf met behandeling (toewijzing TW-43) betaalt niet voor "
            "behandelsessie"
        )
        assert "betaalt niet voor behandelsessie" in funding_reason_text(reason)


# --- through the services: the worked example ---------------------------------------------


@pytest.fixture
def demo_007():
    """A DEMO-007-like client: a 45A07 treatment allocation and a 45A12 guidance allocation
    that ends first (the one the old rules chose for everything)."""
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=D(2010, 5, 17))
    actor = trajectory.lead_caseworker
    treatment = register(
        trajectory.client,
        product(organisation, code="45A07", unit=Unit.MINUTE, activity_kinds=TREATMENT),
        actor,
        number="JW-45A07",
    )
    guidance = register(
        trajectory.client,
        product(organisation, code="45A12", unit=Unit.HOUR, is_guidance=True),
        actor,
        number="JW-45A12",
        volume=10,
        end=D(2025, 6, 30),
    )
    return trajectory, treatment, guidance


def test_treatment_goes_to_the_treatment_allocation_and_guidance_to_guidance(demo_007):
    trajectory, treatment, guidance = demo_007
    session = log(trajectory, D(2025, 3, 3), minutes=45)
    support = log(trajectory, D(2025, 3, 4), kind="guidance")
    assert session.allocation == treatment
    assert session.consumed == 45
    assert support.allocation == guidance
    assert support.consumed == 60  # minutes of an allocation counted in hours
    # Only one allocation fits each: the guidance one no longer takes the session.
    assert session.funding_reason["fitting"] == 1
    assert support.funding_reason["fitting"] == 1


def test_a_chosen_allocation_that_does_not_pay_for_the_kind_is_refused_in_words(demo_007):
    trajectory, _treatment, guidance = demo_007
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        log(trajectory, D(2025, 3, 3), minutes=45, allocation=guidance)
    assert "45A12 Ambulante behandeling (allocation JW-45A12) does not pay for treatment" in str(
        refused.value
    )
    assert not Activity.objects.exists()


@pytest.fixture
def residential():
    """A client in a 43B01 stay, 7 nights a week, and nothing else."""
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation)
    stay = register(
        trajectory.client,
        product(organisation, code="43B01", unit=Unit.DAY_24H, tariff_cents=35200, category="43"),
        trajectory.lead_caseworker,
        number="JW-43B01",
        volume=7,
        frequency=Frequency.PER_WEEK,
    )
    return trajectory, stay


def test_a_therapy_session_is_never_drawn_on_a_stay(residential):
    trajectory, _stay = residential
    session = log(trajectory, D(2025, 3, 3), minutes=45)
    assert session.funding_status == "unfunded"
    assert session.allocation is None
    assert session.funding_reason["refusals"] == [
        {
            "code": "product_does_not_pay_kind",
            "number": "JW-43B01",
            "product": "43B01 Ambulante behandeling",
            "kind": "treatment_session",
        }
    ]
    with translation.override("en"):
        text = funding_reason_text(session.funding_reason)
    assert "43B01 Ambulante behandeling (allocation JW-43B01) does not pay for treatment" in text


def test_a_week_of_stay_draws_seven_nights(residential):
    trajectory, stay = residential
    week = log(trajectory, D(2025, 3, 3), minutes=None, kind="residential_stay", units=7)
    assert week.allocation == stay
    assert week.consumed == 7
    more = log(trajectory, D(2025, 3, 5), minutes=None, kind="residential_stay", units=1)
    assert more.funding_status == "unfunded"
    assert more.funding_reason["refusals"][0]["code"] == "volume_used"


def test_the_session_goes_to_a_treatment_allocation_beside_the_stay(residential):
    trajectory, stay = residential
    organisation = trajectory.client.organisation
    treatment = register(
        trajectory.client,
        product(organisation, code="45A07", unit=Unit.MINUTE),
        trajectory.lead_caseworker,
        number="JW-45A07",
    )
    sessions = [log(trajectory, D(2025, 3, day), minutes=45) for day in (3, 5)]
    assert [session.allocation for session in sessions] == [treatment, treatment]
    assert stay.activities.count() == 0


def test_the_preview_names_the_product_that_does_not_pay(residential):
    trajectory, _stay = residential
    activity = Activity(
        trajectory=trajectory,
        domain="care",
        kind="treatment_session",
        date=D(2025, 3, 3),
        duration_minutes=45,
    )
    funding_preview(activity=activity)
    assert activity.funding_status == "unfunded"
    with translation.override("nl"):
        text = funding_reason_text(activity.funding_reason)
    assert "43B01 Ambulante behandeling (toewijzing JW-43B01) betaalt niet voor" in text
    assert not Activity.objects.exists()


def test_the_preview_view_explains_it_too(client, residential):
    trajectory, _stay = residential
    client.force_login(trajectory.lead_caseworker)
    fragment = client.post(
        reverse("clients:activity_preview", kwargs={"pk": trajectory.client.pk}),
        {
            "domain": "care",
            "kind": "treatment_session",
            "date": "2025-03-03",
            "duration_minutes": "45",
        },
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200
    assert "betaalt niet voor behandelsessie" in fragment.text


def test_the_wmo_pays_guidance_for_an_adult_and_not_a_session():
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=D(2000, 5, 17))
    wmo = register(
        trajectory.client,
        product(organisation, "wmo", unit=Unit.HOUR, code="02A01", is_guidance=True),
        trajectory.lead_caseworker,
        number="WMO-1",
    )
    guidance = log(trajectory, D(2025, 3, 3), kind="guidance")
    session = log(trajectory, D(2025, 3, 4))
    assert guidance.allocation == wmo
    assert session.funding_status == "unfunded"
    assert session.funding_reason["refusals"][0]["code"] == "stream_does_not_pay"


# --- the admin -----------------------------------------------------------------------------


def _admin_client(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    client.force_login(administrator)
    contract = ContractFactory(organisation=administrator.organisation, stream=stream("jeugdwet"))
    return contract


def _product_form(contract, **values):
    data = {
        "contract": contract.pk,
        "category": "43",
        "code": "43B01",
        "description": "Verblijf met behandeling",
        "unit": Unit.DAY_24H,
        "delivery_kind": "",
        "activity_kinds": ["residential_stay"],
        "tariff_cents": "35200",
    }
    data.update(values)
    return data


def test_the_admin_shows_and_saves_what_a_product_pays_for(client):
    contract = _admin_client(client)
    add = reverse("admin:funding_product_add")
    page = client.get(add)
    assert 'name="activity_kinds"' in page.text
    assert 'name="delivery_kind"' in page.text
    response = client.post(add, _product_form(contract))
    assert response.status_code == 302, response.context["adminform"].form.errors
    product = Product.objects.get(code="43B01")
    assert product.delivery_kind == DeliveryKind.PRESENCE
    assert product.activity_kinds == ["residential_stay"]
    listing = client.get(reverse("admin:funding_product_changelist"))
    with translation.override("nl"):
        assert str(ActivityKind.RESIDENTIAL_STAY.label) in listing.text
        assert str(DeliveryKind.PRESENCE.label) in listing.text
    change = client.get(reverse("admin:funding_product_change", args=[product.pk]))
    assert change.context["adminform"].form.initial["activity_kinds"] == ["residential_stay"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"activity_kinds": []}, "activity_kinds", "Kies de soorten activiteit"),
        ({"activity_kinds": ["treatment_session"]}, "activity_kinds", "nooit een nacht"),
        ({"delivery_kind": DeliveryKind.TIME}, "delivery_kind", "levert"),
    ],
)
def test_the_admin_refuses_a_product_that_does_not_say_it_right(client, values, field, message):
    contract = _admin_client(client)
    response = client.post(reverse("admin:funding_product_add"), _product_form(contract, **values))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Product.objects.filter(code="43B01").exists()


def test_the_kinds_can_be_chosen_per_product_on_the_contract_too(client):
    contract = _admin_client(client)
    page = client.get(reverse("admin:funding_contract_change", args=[contract.pk]))
    assert page.status_code == 200
    assert "products-__prefix__-activity_kinds" in page.text
    assert ActivityKind.RESIDENTIAL_STAY.value in page.text


def test_presence_is_named_in_nights_and_day_parts():
    with translation.override("en"):
        assert unit_name(Unit.DAY_24H) == "nights"
        assert unit_name(Unit.DAY_PART) == "day parts"
        assert unit_name(Unit.HOUR) == "minutes"
    with translation.override("nl"):
        assert unit_name(Unit.DAY_24H) == "nachten"
        assert unit_name(Unit.DAY_PART) == "dagdelen"
