"""The birthday switch end to end: GGZ treatment moves from the Jeugdwet to the Zvw on the 18th
birthday, without a day unfunded when the route is complete, and waits with a to-do when not.

Sources:
- [art. 1.2] Jeugdwet art. 1.2 lid 1 and art. 1.1 ("jeugdige"): no youth care for what the Zvw
  covers from 18; extended youth care never covers GGZ treatment (docs/funding.md).
- [verwijzing] Zvw art. 14 lid 2, as the insurers' model agreements put it (normenkaderzorg.nl,
  N1424): specialist care only after referral by, in any case, the GP; acute care excepted.
- [typering] zorgprestatiemodel.atlassian.net, "Zorgvraagtypering": the HoNOS+ proposes the
  care-demand type, repeated "minimaal een keer per jaar"; the type is chosen after diagnosis
  (so diagnostic consults come before it).
- [beroepen] zorgprestatiemodel.atlassian.net, "Beroepscategorie en beroepen": the professions
  that may act as regiebehandelaar; normenkaderzorg.nl N2115, "Ontheffingsregeling
  regiebehandelaarschap bij overgang vanuit Jeugdwet": the list is waived for patients who turn
  18 during treatment started under the Jeugdwet.
The dates are our own: the sources give no worked example with dates.
"""

import datetime

import pytest
from django.utils import translation

from apps.trajectories.models import Activity
from apps.trajectories.services import activity_log
from apps.zvw.models import Profession
from apps.zvw.route import route_check, todo_shows
from apps.zvw.services import zvw_route_save
from tests.accounts.factories import OrganisationFactory
from tests.funding.builders import product, register, trajectory_of
from tests.zvw.factories import complete_route, practitioner, typed

D = datetime.date
BORN = D(2007, 6, 15)
BIRTHDAY = D(2025, 6, 15)

pytestmark = pytest.mark.django_db


def _setting(**client):
    organisation = OrganisationFactory()
    psychologist = practitioner(organisation)
    trajectory = trajectory_of(organisation, lead=psychologist, date_of_birth=BORN, **client)
    youth_ggz = product(organisation, "jeugdwet", category="54", description="Jeugd-ggz")
    register(trajectory.client, youth_ggz, psychologist, volume=6000)
    return trajectory, psychologist


def _log(trajectory, day, kind="treatment_session", minutes=45, performed_by=None):
    performer = performed_by or trajectory.lead_caseworker
    return activity_log(
        trajectory=trajectory,
        domain="care",
        kind=kind,
        date=day,
        performed_by=performer,
        actor=performer,
        duration_minutes=minutes,
    )


def test_a_session_the_day_before_the_birthday_is_jeugdwet_and_on_it_zvw():
    # [art. 1.2]
    trajectory, psychologist = _setting()
    complete_route(trajectory.client, psychologist)
    typed(trajectory.client, psychologist)
    before = _log(trajectory, BIRTHDAY - datetime.timedelta(days=1))
    on = _log(trajectory, BIRTHDAY)
    assert before.funding_status == "funded"
    assert before.allocation.contract.stream.code == "jeugdwet"
    assert on.funding_status == "route"
    assert on.funding_reason == {"code": "zvw_route", "uzovi": "3311", "birthday": "2025-06-15"}
    with translation.override("en"):
        assert on.funding_reason_text == (
            "GGZ treatment from the 18th birthday (15/06/2025): the Zvw pays, through insurer "
            "3311, per prestatie of the zorgprestatiemodel."
        )


def test_no_day_is_unfunded_across_the_birthday_with_a_complete_route():
    # [art. 1.2]
    trajectory, psychologist = _setting()
    complete_route(trajectory.client, psychologist)
    typed(trajectory.client, psychologist)
    days = [BIRTHDAY + datetime.timedelta(days=offset) for offset in range(-5, 6)]
    statuses = {day: _log(trajectory, day).funding_status for day in days}
    assert "unfunded" not in statuses.values()
    assert [statuses[day] for day in days] == ["funded"] * 5 + ["route"] * 6


def test_an_incomplete_route_keeps_the_care_waiting_with_its_to_do_and_matches_it_later():
    # [verwijzing], [typering]: care never waits for paperwork: it is kept, and matched.
    trajectory, psychologist = _setting()
    waiting = _log(trajectory, BIRTHDAY)
    assert waiting.funding_status == "unfunded"
    assert waiting.funding_reason["code"] == "zvw_route_incomplete"
    assert waiting.funding_reason["missing"] == [
        "insurer",
        "policy",
        "insurance_checked",
        "referral",
        "regiebehandelaar",
        "typing",
    ]
    # The Jeugdwet allocation's own refusal is kept beside the to-do.
    assert waiting.funding_reason["refusals"][0]["code"] == "ggz_from_18_zvw"
    assert waiting in Activity.objects.unfunded()
    with translation.override("en"):
        assert "the client's Zvw route misses the insurer (UZOVI code)" in (
            waiting.funding_reason_text
        )
    _route, matched = complete_route(trajectory.client, psychologist)
    assert matched == []  # the typing is still missing for treatment
    _typing, matched = typed(trajectory.client, psychologist)
    assert [activity.pk for activity in matched] == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.funding_status == "route"
    assert waiting.absorbed_at is not None


def test_diagnostics_goes_before_the_typing_and_treatment_waits_for_it():
    # [typering]
    trajectory, psychologist = _setting()
    complete_route(trajectory.client, psychologist)
    diagnostics = _log(trajectory, D(2025, 6, 16), kind="diagnostics", minutes=60)
    treatment = _log(trajectory, D(2025, 6, 20))
    assert diagnostics.funding_status == "route"
    assert treatment.funding_status == "unfunded"
    assert treatment.funding_reason["missing"] == ["typing"]
    typed(trajectory.client, psychologist, measured_on=D(2025, 6, 18))
    treatment.refresh_from_db()
    assert treatment.funding_status == "route"


def test_a_typing_older_than_a_year_no_longer_serves():
    # [typering]: at least once a year.
    trajectory, psychologist = _setting()
    complete_route(trajectory.client, psychologist)
    typed(trajectory.client, psychologist, measured_on=D(2025, 6, 1))
    assert route_check(client=trajectory.client, day=D(2026, 5, 31)).complete
    assert route_check(client=trajectory.client, day=D(2026, 6, 1)).missing == ("typing",)


def test_an_intercollegial_consultation_after_18_stays_not_chargeable():
    trajectory, psychologist = _setting()
    complete_route(trajectory.client, psychologist)
    typed(trajectory.client, psychologist)
    consultation = _log(trajectory, D(2025, 7, 1), kind="case_consultation", minutes=20)
    assert consultation.funding_status == "not_chargeable"


def test_a_regiebehandelaar_not_on_the_list_serves_when_treatment_started_under_the_jeugdwet():
    # [beroepen]: the orthopedagoog-generalist is not on the list; waived for a young person
    # whose treatment started under the Jeugdwet.
    trajectory, psychologist = _setting()
    pedagogue = practitioner(trajectory.client.organisation, Profession.ORTHOPEDAGOOG_GENERALIST)
    complete_route(trajectory.client, psychologist, regiebehandelaar=pedagogue)
    typed(trajectory.client, psychologist)
    assert route_check(client=trajectory.client, day=BIRTHDAY).missing == (
        "regiebehandelaar_profession",
    )
    _log(trajectory, D(2025, 5, 1))  # treatment under the Jeugdwet
    assert route_check(client=trajectory.client, day=BIRTHDAY).complete


def test_a_referral_by_another_than_the_gp_or_a_specialist_gives_no_access():
    # [verwijzing]
    trajectory, psychologist = _setting()
    complete_route(trajectory.client, psychologist)
    zvw_route_save(client=trajectory.client, actor=psychologist, referral_type="other")
    assert "referral" in route_check(client=trajectory.client, day=BIRTHDAY).missing
    zvw_route_save(client=trajectory.client, actor=psychologist, referral_type="gp")
    assert "referral" not in route_check(client=trajectory.client, day=BIRTHDAY).missing
    assert "referral_after" in route_check(client=trajectory.client, day=D(2025, 2, 1)).missing


def test_the_to_do_shows_from_17_and_a_half():
    trajectory, _psychologist = _setting()
    client = trajectory.client
    assert not todo_shows(client=client, today=D(2024, 12, 14))
    assert todo_shows(client=client, today=D(2024, 12, 15))
