"""The stay and day-part pages through the test client: who may, what is logged, bad input."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.trajectories.models import Activity, DayAttendance, Stay, StayLeave
from apps.trajectories.presence import stay_admit, stay_leave_record
from apps.trajectories.services import care_team_join
from tests.accounts.factories import UserFactory
from tests.trajectories.factories import TrajectoryFactory
from tests.trajectories.test_views import CLIENT_PAGE_QUERIES

D = datetime.date


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(start=timezone.localdate() - datetime.timedelta(days=60))


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _member(trajectory, role):
    user = UserFactory(organisation=trajectory.client.organisation, roles=[Role(role)])
    care_team_join(
        trajectory=trajectory,
        user=user,
        role=role,
        start=trajectory.start,
        actor=trajectory.lead_caseworker,
    )
    return user


def _url(name, trajectory, **kwargs):
    return reverse(name, kwargs={"pk": trajectory.client.pk, **kwargs})


def test_a_caseworker_admits_and_the_client_page_shows_one_bar(client, trajectory):
    lead = trajectory.lead_caseworker
    client.force_login(lead)
    page = client.get(_url("clients:stays", trajectory))
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(
        user=lead, client=trajectory.client, outcome="allowed", detail="residential stays"
    ).exists()
    response = client.post(
        _url("clients:stays", trajectory), {"admitted_on": _days_ago(29).isoformat()}
    )
    assert response.status_code == 302
    stay = Stay.objects.get()
    assert stay.nights.count() == 30  # 29 days ago up to and including today
    detail = client.get(_url("clients:detail", trajectory))
    assert detail.status_code == 200
    assert "30 nachten" in detail.text
    assert detail.text.count('class="stay-bar') == 1
    # The nights are folded into the bar, not listed one row a night.
    timeline = detail.text.split('id="activities-title"')[1].split("</table>")[0]
    assert "Verblijf (etmaal)" not in timeline
    assert detail.context["timeline"] == []


def test_discharge_and_leave_through_the_pages(client, trajectory):
    lead = trajectory.lead_caseworker
    stay = stay_admit(trajectory=trajectory, admitted_on=_days_ago(20), actor=lead)
    client.force_login(lead)
    leave = client.post(
        _url("clients:stay_leave", trajectory, stay_pk=stay.pk),
        {"leaves_on": _days_ago(10).isoformat(), "returns_on": _days_ago(8).isoformat()},
    )
    assert leave.status_code == 302
    assert stay.nights.filter(attendance="absent_authorised").count() == 2
    discharge = client.post(
        _url("clients:stay_discharge", trajectory, stay_pk=stay.pk),
        {"discharged_on": _days_ago(5).isoformat()},
    )
    assert discharge.status_code == 302
    stay.refresh_from_db()
    assert stay.discharged_on == _days_ago(5)
    assert stay.nights.filter(status="recorded").count() == 15
    page = client.get(_url("clients:stays", trajectory))
    assert "15 nachten" in page.text
    assert "waarvan 2 nachten met verlof" in page.text
    cancel = client.post(
        _url("clients:stay_leave_cancel", trajectory, leave_pk=StayLeave.objects.get().pk)
    )
    assert cancel.status_code == 302
    assert not stay.nights.filter(status="recorded", attendance="absent_authorised").exists()


BAD_INPUT = [
    # (url, data, message) — the dates relative to today; the stay was admitted 10 days ago.
    ("clients:stays", {"admitted_on": "31-02-2025"}, "geldige datum"),
    ("clients:stays", {"admitted_on": "9999-01-01"}, "in de toekomst"),
    ("clients:stay_discharge", {"discharged_on": "2001-01-01"}, "voor de opname"),
    ("clients:stay_discharge", {"discharged_on": "tomorrow"}, "geldige datum"),
    ("clients:stay_leave", {"leaves_on": "today", "returns_on": ""}, "vereist"),
]


@pytest.mark.parametrize(("url_name", "data", "message"), BAD_INPUT)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(
    client, trajectory, url_name, data, message
):
    lead = trajectory.lead_caseworker
    stay = stay_admit(trajectory=trajectory, admitted_on=_days_ago(10), actor=lead)
    before = list(Activity.objects.values_list("pk", "status", "attendance"))
    client.force_login(lead)
    kwargs = {} if url_name == "clients:stays" else {"stay_pk": stay.pk}
    response = client.post(_url(url_name, trajectory, **kwargs), data)
    assert response.status_code == 200
    assert message in response.text
    assert Stay.objects.count() == 1
    stay.refresh_from_db()
    assert stay.discharged_on is None
    assert list(Activity.objects.values_list("pk", "status", "attendance")) == before
    assert not StayLeave.objects.exists()


def test_a_second_open_stay_is_refused_on_the_form(client, trajectory):
    lead = trajectory.lead_caseworker
    stay_admit(trajectory=trajectory, admitted_on=_days_ago(10), actor=lead)
    client.force_login(lead)
    response = client.post(
        _url("clients:stays", trajectory), {"admitted_on": _days_ago(3).isoformat()}
    )
    assert response.status_code == 200
    assert "overlapt" in response.text
    assert Stay.objects.count() == 1


def test_leave_overlapping_other_leave_is_refused_on_the_form(client, trajectory):
    lead = trajectory.lead_caseworker
    stay = stay_admit(trajectory=trajectory, admitted_on=_days_ago(10), actor=lead)
    stay_leave_record(stay=stay, leaves_on=_days_ago(6), returns_on=_days_ago(4), actor=lead)
    client.force_login(lead)
    response = client.post(
        _url("clients:stay_leave", trajectory, stay_pk=stay.pk),
        {"leaves_on": _days_ago(5).isoformat(), "returns_on": _days_ago(2).isoformat()},
    )
    assert response.status_code == 200
    assert "overlapt" in response.text
    assert StayLeave.objects.count() == 1


@pytest.mark.parametrize("role", ["teacher", "job_coach"])
def test_other_team_roles_may_not_keep_stays_and_it_is_logged(client, trajectory, role):
    member = _member(trajectory, role)
    stay = stay_admit(
        trajectory=trajectory, admitted_on=_days_ago(3), actor=trajectory.lead_caseworker
    )
    client.force_login(member)
    assert client.get(_url("clients:stays", trajectory)).status_code == 403
    assert client.get(_url("clients:day_parts", trajectory)).status_code == 403
    discharge = client.post(
        _url("clients:stay_discharge", trajectory, stay_pk=stay.pk),
        {"discharged_on": _days_ago(1).isoformat()},
    )
    assert discharge.status_code == 403
    assert Stay.objects.get().discharged_on is None
    assert AccessLogEntry.objects.filter(
        user=member, client=trajectory.client, outcome="refused", detail="residential stays"
    ).exists()


def test_a_manager_sees_the_bar_but_may_not_admit(client, trajectory):
    stay_admit(trajectory=trajectory, admitted_on=_days_ago(3), actor=trajectory.lead_caseworker)
    manager = UserFactory(organisation=trajectory.client.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert "4 nachten" in client.get(_url("clients:detail", trajectory)).text
    response = client.post(_url("clients:stays", trajectory), {"admitted_on": "2025-01-01"})
    assert response.status_code == 403
    assert Stay.objects.count() == 1
    assert AccessLogEntry.objects.filter(user=manager, outcome="refused").exists()


def test_another_organisation_gets_a_logged_404_and_a_foreign_stay_is_not_found(client, trajectory):
    stranger = TrajectoryFactory(start=trajectory.start)
    foreign_stay = stay_admit(
        trajectory=stranger, admitted_on=_days_ago(3), actor=stranger.lead_caseworker
    )
    lead = trajectory.lead_caseworker
    client.force_login(lead)
    for url in (
        _url("clients:stays", stranger),
        _url("clients:day_parts", stranger),
    ):
        assert client.get(url).status_code == 404
    refused = client.post(
        _url("clients:stay_discharge", stranger, stay_pk=foreign_stay.pk),
        {"discharged_on": _days_ago(1).isoformat()},
    )
    assert refused.status_code == 404
    assert (
        AccessLogEntry.objects.filter(user=lead, client=stranger.client, outcome="refused").count()
        == 3
    )
    # Another client's stay through one's own client's URL: not found either.
    mixed = client.post(
        _url("clients:stay_discharge", trajectory, stay_pk=foreign_stay.pk),
        {"discharged_on": _days_ago(1).isoformat()},
    )
    assert mixed.status_code == 404
    leave = stay_leave_record(
        stay=foreign_stay,
        leaves_on=_days_ago(2),
        returns_on=_days_ago(1),
        actor=stranger.lead_caseworker,
    )
    cancel = client.post(_url("clients:stay_leave_cancel", trajectory, leave_pk=leave.pk))
    assert cancel.status_code == 404
    foreign_stay.refresh_from_db()
    assert foreign_stay.discharged_on is None
    assert not StayLeave.objects.get().cancelled


def test_a_caseworker_ticks_day_parts_and_sees_the_week(client, trajectory):
    lead = trajectory.lead_caseworker
    client.force_login(lead)
    page = client.get(_url("clients:day_parts", trajectory))
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(
        user=lead, client=trajectory.client, outcome="allowed", detail="day-part attendance"
    ).exists()
    day = _days_ago(1)
    response = client.post(
        _url("clients:day_parts", trajectory),
        {"date": day.isoformat(), "day_parts": ["morning", "afternoon", "evening"]},
    )
    assert response.status_code == 302
    activity = DayAttendance.objects.get().activity
    assert (activity.kind, activity.units) == ("day_activity", 3)
    week = client.get(response["Location"])
    assert dict(week.context["week"])[day] == ["morning", "afternoon", "evening"]
    client.post(
        _url("clients:day_parts", trajectory), {"date": day.isoformat(), "day_parts": ["morning"]}
    )
    activity.refresh_from_db()
    assert activity.units == 1


def test_day_parts_bad_input_gets_a_message_and_nothing_is_saved(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    url = _url("clients:day_parts", trajectory)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = client.post(url, {"date": tomorrow, "day_parts": ["morning"]})
    assert future.status_code == 200
    assert "in de toekomst" in future.text
    unknown = client.post(url, {"date": _days_ago(1).isoformat(), "day_parts": ["night"]})
    assert unknown.status_code == 200
    assert "geldige keuze" in unknown.text
    garbage_week = client.get(url + "?week=not-a-date&date=<script>")
    assert garbage_week.status_code == 200
    assert "<script>" not in garbage_week.text
    assert not Activity.objects.exists()
    assert not DayAttendance.objects.exists()


def test_the_contracts_leave_rule_is_set_in_the_admin(client, trajectory):
    from tests.funding.factories import ContractFactory

    contract = ContractFactory(organisation=trajectory.client.organisation)
    administrator = UserFactory(
        roles=[Role.ADMINISTRATOR], is_staff=True, organisation=trajectory.client.organisation
    )
    client.force_login(administrator)
    page = client.get(reverse("admin:funding_contract_change", args=[contract.pk]))
    assert page.status_code == 200
    assert 'name="leave_nights_paid"' in page.text
    assert 'name="leave_period"' in page.text


def test_the_stays_and_day_parts_pages_are_bounded_in_queries(
    client, trajectory, django_assert_max_num_queries
):
    lead = trajectory.lead_caseworker
    for admitted, discharged in ((40, 35), (30, 20), (10, None)):
        stay = stay_admit(
            trajectory=trajectory,
            admitted_on=_days_ago(admitted),
            discharged_on=_days_ago(discharged) if discharged else None,
            actor=lead,
        )
        stay_leave_record(
            stay=stay,
            leaves_on=_days_ago(admitted - 1),
            returns_on=_days_ago(admitted - 3),
            actor=lead,
        )
    client.force_login(lead)
    with django_assert_max_num_queries(20):
        page = client.get(_url("clients:stays", trajectory))
    assert page.text.count('class="stay-bar') == 3
    # The client page's bound (tests/trajectories/test_views.py): stays add none per stay.
    with django_assert_max_num_queries(CLIENT_PAGE_QUERIES):
        assert client.get(_url("clients:detail", trajectory)).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(_url("clients:day_parts", trajectory)).status_code == 200


def test_a_caseworker_corrects_the_dates_and_exactly_those_nights_follow(client, trajectory):
    lead = trajectory.lead_caseworker
    stay = stay_admit(trajectory=trajectory, admitted_on=_days_ago(10), actor=lead)
    kept = set(stay.nights.filter(date__gte=_days_ago(8)).values_list("pk", flat=True))
    client.force_login(lead)
    url = _url("clients:stay_dates", trajectory, stay_pk=stay.pk)
    response = client.post(
        url, {"admitted_on": _days_ago(8).isoformat(), "discharged_on": _days_ago(2).isoformat()}
    )
    assert response.status_code == 302
    recorded = set(stay.nights.filter(status="recorded").values_list("pk", flat=True))
    assert len(recorded) == 6  # 8 days ago up to the night before the discharge
    assert recorded <= kept
    bad = client.post(
        url, {"admitted_on": _days_ago(1).isoformat(), "discharged_on": _days_ago(5).isoformat()}
    )
    assert bad.status_code == 200
    assert "De ontslagdatum ligt voor de opname" in bad.text
    stay.refresh_from_db()
    assert (stay.admitted_on, stay.discharged_on) == (_days_ago(8), _days_ago(2))
    assert set(stay.nights.filter(status="recorded").values_list("pk", flat=True)) == recorded
