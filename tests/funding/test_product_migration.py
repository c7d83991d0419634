"""The migrations of issue 15 carry existing data over: products get their delivery kind and
the activity kinds they pay for, the Wmo stops paying treatment, and activities drawn on a
product that does not pay for them are released with a reason and a history row, then matched
again by ``funding_rematch``.

The data is built with the current code, the database migrated back to before issue 15, the
old faults put in with the models of that time (a 45-minute session drawn on a 43B01 stay in
minutes, a treatment session on a guidance product, a stay counted in minutes), and migrated
forward again. Committed for real (SQLite cannot change its schema inside the test's
transaction); ``serialized_rollback`` gives the reference data back afterwards.
"""

import datetime
import io

import pytest
from django.core.management import call_command

from apps.funding.models import DeliveryKind, Frequency, FundingStream, Product, Unit
from apps.trajectories.models import Activity
from tests.accounts.factories import OrganisationFactory
from tests.funding.builders import log, product, register, trajectory_of
from tests.migrating import migrate_to

# Migrating changes the schema: as the owner role where there is one (tests/conftest.py).
# A data migration of an earlier release, replayed (about a minute): `make test-deep` only.
pytestmark = [
    pytest.mark.deep,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("as_schema_owner"),
]
D = datetime.date
BEFORE = [
    ("funding", "0004_integral_stream_and_role_permissions"),
    ("trajectories", "0003_activity_kinds_guidance_and_presence"),
]


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=D(2010, 5, 17))
    actor = trajectory.lead_caseworker
    client = trajectory.client
    treatment = register(client, product(organisation, code="45A07"), actor, number="JW-07")
    guidance = register(
        client,
        product(organisation, code="45A12", unit=Unit.HOUR, is_guidance=True),
        actor,
        number="JW-12",
    )
    stay = register(
        client,
        product(organisation, code="43B01", unit=Unit.DAY_24H, category="43"),
        actor,
        number="JW-43",
        volume=7,
        frequency=Frequency.PER_WEEK,
    )
    wmo = product(organisation, "wmo", code="02A01", unit=Unit.HOUR)
    school = product(organisation, "onderwijs", code="MBO-DD", unit=Unit.DAY_PART)
    # Logged as today's rules have it; the faults are put in below, at the old schema.
    on_stay = log(trajectory, D(2025, 3, 3), minutes=45)
    on_guidance = log(trajectory, D(2025, 3, 4), minutes=60)
    night = log(trajectory, D(2025, 3, 5), minutes=None, kind="residential_stay", units=1)
    fine = log(trajectory, D(2025, 3, 6), minutes=30)
    yield {
        "treatment": treatment,
        "guidance": guidance,
        "stay": stay,
        "wmo": wmo,
        "school": school,
        "on_stay": on_stay,
        "on_guidance": on_guidance,
        "night": night,
        "fine": fine,
    }
    migrate_to()  # whatever happened, the schema is the latest again for the next test


def test_the_migrations_carry_products_and_activities_over(world):
    old = migrate_to(BEFORE)
    OldActivity = old.get_model("trajectories", "Activity")
    OldStream = old.get_model("funding", "FundingStream")
    assert OldStream.objects.get(code="wmo").activity_kinds == []  # it paid every kind
    # The faults of the old rules: a session drawn in minutes on a stay, a treatment session
    # on the guidance allocation, and a night counted as 1,440 minutes.
    OldActivity.objects.filter(pk=world["on_stay"].pk).update(
        allocation_id=world["stay"].pk, consumed=45
    )
    OldActivity.objects.filter(pk=world["on_guidance"].pk).update(
        allocation_id=world["guidance"].pk, consumed=60
    )
    OldActivity.objects.filter(pk=world["night"].pk).update(consumed=1440)
    history_before = Activity.history.count()

    migrate_to()

    # The Wmo pays support, not treatment.
    wmo_stream = FundingStream.objects.get(code="wmo")
    assert wmo_stream.activity_kinds == [
        "guidance",
        "personal_care",
        "day_activity",
        "residential_stay",
    ]
    # Products: the delivery kind of their unit, the kinds of what they are.
    products = {p.code: p for p in Product.objects.filter(code__in=["45A07", "45A12", "43B01"])}
    products["02A01"] = Product.objects.get(pk=world["wmo"].pk)
    products["MBO-DD"] = Product.objects.get(pk=world["school"].pk)
    assert {code: p.delivery_kind for code, p in products.items()} == {
        "45A07": DeliveryKind.TIME,
        "45A12": DeliveryKind.TIME,
        "43B01": DeliveryKind.PRESENCE,
        "02A01": DeliveryKind.TIME,
        "MBO-DD": DeliveryKind.PRESENCE,
    }
    assert products["45A07"].activity_kinds == [
        "intake",
        "diagnostics",
        "treatment_session",
        "group_session",
        "family_session",
        "crisis_contact",
    ]
    assert products["45A12"].activity_kinds == ["guidance", "personal_care"]
    assert products["43B01"].activity_kinds == ["residential_stay"]
    assert products["02A01"].activity_kinds == ["guidance", "personal_care"]
    assert products["MBO-DD"].activity_kinds == ["lesson", "exam"]
    assert products["43B01"].history.first().history_change_reason.startswith("issue 15")

    # The wrongly drawn activities are released, with the reason and a history row each.
    on_stay = Activity.objects.get(pk=world["on_stay"].pk)
    assert (on_stay.allocation, on_stay.funding_status, on_stay.consumed) == (None, "unfunded", 0)
    assert on_stay.funding_reason["refusals"] == [
        {
            "code": "product_does_not_pay_kind",
            "number": "JW-43",
            "product": "43B01 Ambulante behandeling",
            "kind": "treatment_session",
        }
    ]
    on_guidance = Activity.objects.get(pk=world["on_guidance"].pk)
    assert on_guidance.funding_status == "unfunded"
    assert on_guidance.funding_reason["refusals"][0]["number"] == "JW-12"
    # A night is a night: one unit, on the stay.
    night = Activity.objects.get(pk=world["night"].pk)
    assert (night.allocation_id, night.consumed) == (world["stay"].pk, 1)
    fine = Activity.objects.get(pk=world["fine"].pk)
    assert (fine.allocation_id, fine.consumed) == (world["treatment"].pk, 30)
    assert Activity.history.count() == history_before + 3
    released = on_stay.history.first()
    assert released.funding_status == "unfunded"
    assert released.history_change_reason.startswith("issue 15")

    # The normal services match them again, each to a product that pays for it.
    out = io.StringIO()
    call_command("funding_rematch", stdout=out)
    assert out.getvalue() == "2 waiting activities matched.\n"
    for pk in (world["on_stay"].pk, world["on_guidance"].pk):
        activity = Activity.objects.get(pk=pk)
        assert activity.allocation_id == world["treatment"].pk
        assert activity.absorbed_at is not None
