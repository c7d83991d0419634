"""Which law pays first for the same care (apps.funding.rules.PRECEDENCE), through the services.

Sources (searched November 2026):

- Jeugdwet (wetten.overheid.nl, BWBR0034925, version of 1 July 2021) art. 1.2 lid 1: a young
  person with a Wlz indication has no claim to jeugdhulp for what the Wlz covers; the Zvw
  likewise goes before the Jeugdwet for the care it covers (from 18).
- Wmo 2015 art. 2.3.5 lid 6, as quoted in CRvB 2018:3933 (lexboost.com/rechtspraak/
  ECLI:NL:CRVB:2018:3933) and explained by uitvoeringwmo2015.nl ("Aanspraak op Wlz? Wat valt
  nog onder de verantwoordelijkheid van gemeenten?", 20 January 2015): the college may refuse a
  maatwerkvoorziening where the client has a claim to Wlz care; the four laws (Wmo 2015,
  Jeugdwet, Wlz, Zvw) complement each other, the Wlz and the Zvw going first.
- No article was found for the Wlz before the Zvw; the table names it without one.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.funding.models import Unit
from apps.funding.reasons import funding_reason_text
from tests.accounts.factories import OrganisationFactory
from tests.funding.builders import log, product, register, trajectory_of

pytestmark = pytest.mark.django_db
D = datetime.date
MINOR, ADULT = D(2010, 5, 17), D(2000, 5, 17)


@pytest.mark.parametrize(
    ("born", "streams", "ends", "pays", "yields"),
    [
        # The Wlz pays, although the Jeugdwet allocation ends first.
        pytest.param(MINOR, ("jeugdwet", "wlz"), (D(2025, 6, 30), None), "wlz", "jeugdwet",
                     id="wlz-before-jeugdwet"),
        # The Wmo pays guidance, not treatment (issue 15): it meets the Wlz over guidance.
        pytest.param(ADULT, ("wmo", "wlz"), (D(2025, 6, 30), None), "wlz", "wmo",
                     id="wlz-before-wmo"),
        pytest.param(ADULT, ("zvw-ggz", "wlz"), (D(2025, 6, 30), None), "wlz", "zvw-ggz",
                     id="wlz-before-zvw"),
        # The Zvw and the Wmo no longer pay for the same care (treatment and guidance): see
        # test_the_zvw_and_the_wmo_do_not_meet.
        # The same law: the one that ends first, as before.
        pytest.param(MINOR, ("jeugdwet", "jeugdwet"), (D(2025, 6, 30), None), 0, None,
                     id="same-law-ends-first"),
    ],
)  # fmt: skip
def test_the_higher_law_pays_and_the_lower_is_refused(born, streams, ends, pays, yields):
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=born)
    actor = trajectory.lead_caseworker
    # Guidance where the Wmo takes part (the Wmo pays no treatment), a group session otherwise.
    guidance = "wmo" in streams
    kind = "guidance" if guidance else "group_session"
    allocations = [
        register(
            trajectory.client,
            product(organisation, code, unit=Unit.MINUTE, is_guidance=guidance),
            actor,
            end=end,
        )
        for code, end in zip(streams, ends, strict=True)
    ]
    activity = log(trajectory, D(2025, 3, 3), kind=kind)
    paying = allocations[pays] if isinstance(pays, int) else allocations[streams.index(pays)]
    assert activity.allocation == paying
    assert activity.funding_reason["code"] == "assigned"
    if yields is None:
        return
    # The yielding one is refused with the law that goes first, when it is chosen explicitly.
    other = allocations[streams.index(yields)]
    with pytest.raises(ValidationError) as refused:
        log(trajectory, D(2025, 3, 4), kind=kind, allocation=other)
    assert paying.number in str(refused.value)


def test_the_zvw_and_the_wmo_do_not_meet():
    """A group session goes to the Zvw and guidance to the Wmo: the Wmo pays no treatment
    (Wmo 2015 art. 1.1.1), so neither yields to the other."""
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=ADULT)
    actor = trajectory.lead_caseworker
    wmo = register(
        trajectory.client,
        product(organisation, "wmo", unit=Unit.MINUTE, is_guidance=True),
        actor,
        end=D(2025, 6, 30),
    )
    zvw = register(trajectory.client, product(organisation, "zvw-ggz", unit=Unit.MINUTE), actor)
    session = log(trajectory, D(2025, 3, 3), kind="group_session")
    guidance = log(trajectory, D(2025, 3, 4), kind="guidance")
    assert session.allocation == zvw
    assert guidance.allocation == wmo
    assert guidance.funding_reason["fitting"] == 1


def test_the_jeugdwet_refusal_names_the_wlz_even_when_the_wlz_is_used_up():
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=MINOR)
    actor = trajectory.lead_caseworker
    wlz = register(
        trajectory.client, product(organisation, "wlz", unit=Unit.MINUTE), actor, volume=60,
        number="WLZ-1",
    )  # fmt: skip
    register(
        trajectory.client, product(organisation, "jeugdwet", unit=Unit.MINUTE), actor,
        number="JW-1",
    )  # fmt: skip
    assert log(trajectory, D(2025, 3, 3)).allocation == wlz
    waiting = log(trajectory, D(2025, 3, 10))
    assert waiting.funding_status == "unfunded"
    codes = {r["number"]: r["code"] for r in waiting.funding_reason["refusals"]}
    assert codes == {"WLZ-1": "volume_used", "JW-1": "other_law_first"}
    with translation.override("en"):
        text = funding_reason_text(waiting.funding_reason)
    assert "Jeugdwet (allocation JW-1) does not pay for this care: Wlz (allocation WLZ-1)" in text
    assert "Jeugdwet art. 1.2 lid 1" in text
    with translation.override("nl"):
        text = funding_reason_text(waiting.funding_reason)
    assert "Jeugdwet (toewijzing JW-1) betaalt deze zorg niet: Wlz (toewijzing WLZ-1)" in text


def test_a_higher_law_that_does_not_pay_for_the_kind_does_not_go_first():
    """A Wlz allocation that has ended does not stand in the Jeugdwet's way."""
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=MINOR)
    actor = trajectory.lead_caseworker
    register(
        trajectory.client, product(organisation, "wlz", unit=Unit.MINUTE), actor,
        end=D(2025, 2, 28),
    )  # fmt: skip
    jeugdwet = register(trajectory.client, product(organisation, unit=Unit.MINUTE), actor)
    assert log(trajectory, D(2025, 3, 3)).allocation == jeugdwet


def test_a_wlz_allocation_registered_later_takes_over_the_jeugdwet_care_it_pays_for():
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=MINOR)
    actor = trajectory.lead_caseworker
    jeugdwet = register(trajectory.client, product(organisation, unit=Unit.MINUTE), actor)
    session = log(trajectory, D(2025, 3, 3))
    assert session.allocation == jeugdwet
    wlz = register(trajectory.client, product(organisation, "wlz", unit=Unit.MINUTE), actor)
    session.refresh_from_db()
    assert session.allocation == wlz
