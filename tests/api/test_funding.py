"""Allocations, funders, contracts, alerts and reports through the API."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AccessLogEntry
from apps.funding.models import Allocation, FundingAlert
from apps.reports.models import ReportRun
from apps.trajectories.assignment import allocation_withdraw
from apps.trajectories.services import activity_log

from .world import raise_world_alerts

D = datetime.date


# --- allocations -----------------------------------------------------------------------------


def test_a_caseworker_lists_the_allocations_of_a_client_on_the_team(api, world):
    response = api("caseworker").get(f"/api/v1/allocations/?client={world.clients['own'].pk}")
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == ["TW-OWN"]
    assert api("caseworker").get("/api/v1/allocations/").status_code == 403  # not a manager
    other = api("caseworker").get(f"/api/v1/allocations/?client={world.clients['other'].pk}")
    assert other.status_code == 404


def test_a_teacher_sees_no_allocation(api, world):
    client_id = world.clients["own"].pk
    assert api("teacher").get(f"/api/v1/allocations/?client={client_id}").status_code == 404
    allocation = world.allocations["own"]
    assert api("teacher").get(f"/api/v1/allocations/{allocation.pk}/").status_code == 404


def test_a_manager_lists_the_organisations_allocations_with_their_use_and_it_is_logged(api, world):
    response = api("manager").get("/api/v1/allocations/?ordering=number")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["number"] for row in rows] == ["TW-OTHER", "TW-OWN", "TW-SHIELDED"]
    assert rows[1]["used"] == 60  # the care session, in minutes
    shielded = world.clients["shielded"]
    assert rows[2]["client"] == {
        "id": shielded.pk,
        "client_number": shielded.client_number,
        "pseudonym": shielded.pseudonym,
    }
    for secret in world.secrets_of("shielded"):
        assert secret not in response.text
    logged = AccessLogEntry.objects.filter(user=world.users["manager"], detail="API: allocations")
    assert {entry.client_id for entry in logged} == {
        world.clients[t].pk for t in ("own", "other", "shielded")
    }


def test_the_organisations_list_sums_the_use_of_the_page_only(api, world):
    # The page is cut from the allocations first; only its allocations' windows are summed
    # (the whole list's at the national scale took the better part of a second).
    own = Allocation.objects.get(number="TW-OWN")
    with CaptureQueriesContext(connection) as captured:
        response = api("manager").get("/api/v1/allocations/?ordering=number&page_size=1&page=2")
    body = response.json()
    assert body["count"] == 3
    assert [(row["number"], row["used"]) for row in body["results"]] == [("TW-OWN", 60)]
    sums = [query["sql"] for query in captured.captured_queries if "SUM(" in query["sql"]]
    assert len(sums) == 1
    assert f'"funding_allocation"."id" IN ({own.pk})' in sums[0]


def test_an_allocation_with_its_use_and_forecast(api, world):
    allocation = world.allocations["own"]
    response = api("manager").get(f"/api/v1/allocations/{allocation.pk}/")
    assert response.status_code == 200
    use = response.json()["use"]
    assert use["capacity"] == 6000
    assert use["used"] == use["total_used"] == 60
    assert use["left"] == 5940
    assert use["window_start"] == "2025-01-01"
    assert {"burn_per_week", "runs_out_on", "exceeds_window", "total_percent"} <= set(use)
    foreign = world.allocations["foreign"]
    assert api("manager").get(f"/api/v1/allocations/{foreign.pk}/").status_code == 404


def _register(api, world, role="manager", **overrides):
    data = {
        "client": world.clients["other"].pk,
        "product": world.product.pk,
        "number": "TW-NIEUW",
        "volume": 300,
        "frequency": "6",
        "start": "2025-01-01",
        "end": "2025-12-31",
        **overrides,
    }
    return api(role).post("/api/v1/allocations/", data, format="json")


def test_a_manager_registers_an_allocation_and_it_absorbs_waiting_care(api, world):
    allocation_withdraw(allocation=world.allocations["other"], actor=world.lead)
    waiting = activity_log(
        trajectory=world.trajectories["other"],
        domain="care",
        kind="treatment_session",
        date=D(2026, 1, 5),
        duration_minutes=30,
        performed_by=world.lead,
        actor=world.lead,
    )
    assert waiting.funding_status == "unfunded"
    response = _register(api, world, end="2026-12-31")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "TW-NIEUW"
    assert body["use"]["total_used"] == 90  # the waiting 30 minutes and the earlier 60
    waiting.refresh_from_db()
    assert waiting.allocation_id == body["id"]
    assert AccessLogEntry.objects.filter(
        user=world.users["manager"], event="create", object_id=str(body["id"])
    ).exists()


def test_registering_refuses_what_is_wrong_per_field(api, world):
    foreign_product = world.allocations["foreign"].product
    response = _register(api, world, product=foreign_product.pk, volume=0, number="")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"product", "volume", "number"}
    assert errors["product"][0]["code"] == "does_not_exist"
    duplicate = _register(api, world, number="TW-OWN")
    assert duplicate.status_code == 400
    assert "TW-OWN" in duplicate.json()["errors"]["number"][0]["message"]
    foreign_client = _register(api, world, client=world.clients["foreign"].pk)
    assert foreign_client.status_code == 404  # another organisation's client does not exist
    assert AccessLogEntry.objects.filter(
        user=world.users["manager"], client=world.clients["foreign"], outcome="refused"
    ).exists()
    no_client = _register(api, world, client="abc")
    assert no_client.json()["errors"]["client"][0]["code"] == "incorrect_type"
    assert not Allocation.objects.filter(number="TW-NIEUW").exists()


@pytest.mark.parametrize("role", ["caseworker", "teacher", "administrator", "privacy_officer"])
def test_only_roles_with_the_permission_register_or_change(api, world, role):
    # The caseworker sees the funding of the own client but may not change it (403); the
    # others do not see it at all (404). Both refusals are logged against the client.
    own = world.clients["own"]
    expected = 403 if role == "caseworker" else 404
    assert _register(api, world, role=role, client=own.pk).status_code == expected
    allocation = world.allocations["own"]
    response = api(role).patch(
        f"/api/v1/allocations/{allocation.pk}/", {"volume": 1}, format="json"
    )
    assert response.status_code == expected
    allocation.refresh_from_db()
    assert allocation.volume == 6000
    assert not Allocation.objects.filter(number="TW-NIEUW").exists()
    refused = AccessLogEntry.objects.filter(user=world.users[role], client=own, outcome="refused")
    assert refused.count() == 2


def test_a_manager_changes_an_allocation_and_what_it_funds_is_reassigned(api, world):
    allocation = world.allocations["own"]
    response = api("manager").patch(
        f"/api/v1/allocations/{allocation.pk}/", {"volume": 30, "reason": "05"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["volume"], response.json()["change_reason"]) == (30, "05")
    care = world.activities["own", "care"]
    care.refresh_from_db()
    assert care.funding_status == "unfunded"  # 60 minutes no longer fit in 30
    wrong = api("manager").patch(
        f"/api/v1/allocations/{allocation.pk}/",
        {"end": "2024-01-01", "reason": "05"},
        format="json",
    )
    assert wrong.status_code == 400
    assert "end" in wrong.json()["errors"] or "start" in wrong.json()["errors"]


def test_a_change_iv066_does_not_allow_is_refused_with_the_advice_to_replace(api, world):
    # IV066: only the end date, and the volume with the frequency "total within the validity".
    allocation = world.allocations["own"]
    url = f"/api/v1/allocations/{allocation.pk}/"
    no_reason = api("manager").patch(url, {"end": "2027-06-30"}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    start = api("manager").patch(url, {"start": "2026-02-01", "reason": "05"}, format="json")
    assert start.status_code == 400
    assert "IV066" in start.json()["errors"]["start"][0]["message"]
    allocation.refresh_from_db()
    assert (allocation.start, allocation.change_reason) == (world.allocations["own"].start, "")


def test_a_manager_replaces_an_allocation_under_a_new_number(api, world):
    allocation = world.allocations["own"]
    response = api("manager").post(
        f"/api/v1/allocations/{allocation.pk}/replace/",
        {
            "reason": "05",
            "number": "TW-OPVOLGER",
            "volume": 120,
            "frequency": "2",
            "start": "2027-01-01",
            "end": "2027-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["replaces"]) == ("TW-OPVOLGER", allocation.pk)
    allocation.refresh_from_db()
    assert (allocation.end, allocation.change_reason) == (D(2026, 12, 31), "05")
    refused = api("manager").post(
        f"/api/v1/allocations/{allocation.pk}/replace/",
        {
            "reason": "05",
            "number": "TW-OPVOLGER",
            "volume": 1,
            "frequency": "2",
            "start": "2026-06-01",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert {"number", "end"} <= set(refused.json()["errors"])


# --- funders and contracts -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_funders_and_contracts_for_the_roles_that_keep_or_watch_them(api, world, role):
    funders = api(role).get("/api/v1/funders/").json()["results"]
    assert [funder["name"] for funder in funders] == ["Gemeente Qstad"]
    contracts = api(role).get("/api/v1/contracts/").json()["results"]
    assert [contract["id"] for contract in contracts] == [world.contract.pk]
    detail = api(role).get(f"/api/v1/contracts/{world.contract.pk}/").json()
    assert [product["code"] for product in detail["products"]] == [world.product.code]
    assert api(role).get(f"/api/v1/contracts/{world.foreign_contract.pk}/").status_code == 404
    assert api(role).get(f"/api/v1/funders/{world.foreign_funder.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["caseworker", "teacher", "job_coach", "privacy_officer"])
def test_funders_and_contracts_are_not_for_the_other_roles(api, world, role):
    for url in ("/api/v1/funders/", "/api/v1/contracts/", f"/api/v1/funders/{world.funder.pk}/"):
        assert api(role).get(url).status_code == 403


# --- alerts ---------------------------------------------------------------------------------


@pytest.fixture
def alerts(world):
    return raise_world_alerts(world)


def test_a_manager_sees_the_organisations_alerts_but_not_a_shielded_clients_birthday(
    api, world, alerts
):
    response = api("manager").get("/api/v1/alerts/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {alerts[target].pk for target in ("own", "other", "shielded")}
    assert rows[alerts["own"].pk]["text"] == "Allocation TW-OWN is 85% used."
    shielded = rows[alerts["shielded"].pk]
    assert "text" not in shielded
    assert "details" not in shielded
    for birthday in ("2027-11-23", "23-11-2027", "11/23/2027"):
        assert birthday not in response.text
    logged = AccessLogEntry.objects.filter(
        user=world.users["manager"], detail="API: funding alerts"
    )
    assert {entry.client_id for entry in logged} == {
        world.clients[target].pk for target in ("own", "other", "shielded")
    }


def test_a_caseworker_sees_the_alerts_of_their_own_clients(api, world, alerts):
    rows = api("caseworker").get("/api/v1/alerts/").json()["results"]
    assert [row["id"] for row in rows] == [alerts["own"].pk]
    assert api("teacher").get("/api/v1/alerts/").status_code == 403


def test_acknowledging_an_alert(api, world, alerts):
    alert = alerts["own"]
    response = api("caseworker").post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 200, response.json()
    assert response.json()["acknowledged_by"]["id"] == world.users["caseworker"].pk
    again = api("manager").post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert again.status_code == 400
    assert again.json()["errors"]["non_field_errors"][0]["message"] == (
        "This alert is already acknowledged."
    )
    foreign = api("manager").post(f"/api/v1/alerts/{alerts['foreign'].pk}/acknowledge/")
    assert foreign.status_code == 404
    not_yours = api("caseworker").post(f"/api/v1/alerts/{alerts['shielded'].pk}/acknowledge/")
    assert not_yours.status_code == 404


def test_alerts_filter_on_kind_and_resolved(api, world, alerts):
    FundingAlert.objects.filter(pk=alerts["own"].pk).update(resolved_at=timezone.now())
    manager = api("manager")
    assert manager.get("/api/v1/alerts/").json()["count"] == 2
    assert manager.get("/api/v1/alerts/?resolved=true").json()["count"] == 3
    assert manager.get("/api/v1/alerts/?resolved=true&kind=turns_18").json()["count"] == 1


# --- reports --------------------------------------------------------------------------------


def test_a_manager_requests_a_report_follows_it_and_downloads_it(
    api, world, django_capture_on_commit_callbacks
):
    manager = api("manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            "/api/v1/reports/",
            {
                "funder": world.funder.pk,
                "period_start": "2025-01-01",
                "period_end": "2025-03-31",
                "format": "csv",
            },
            format="json",
        )
    assert response.status_code == 202, response.json()
    run_id = response.json()["id"]
    status = manager.get(f"/api/v1/reports/{run_id}/").json()
    assert (status["status"], status["progress"]) == ("done", 100)
    assert ReportRun.objects.get(pk=run_id).language == "en"  # the language asked for
    download = manager.get(status["download"].replace("http://testserver", ""))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert content
    assert download["Content-Disposition"].startswith("attachment")
    exported = AccessLogEntry.objects.filter(user=world.users["manager"], event="export")
    assert {entry.client_id for entry in exported} == set(
        ReportRun.objects.get(pk=run_id).client_ids
    )


def test_a_report_request_with_a_wrong_period_says_so_per_field(api, world):
    response = api("manager").post(
        "/api/v1/reports/",
        {
            "funder": world.funder.pk,
            "period_start": "2025-03-31",
            "period_end": "2025-01-01",
            "format": "pdf",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["period_end"][0]["message"] == (
        "The end of the period lies before its start."
    )
    foreign = api("manager").post(
        "/api/v1/reports/",
        {
            "funder": world.foreign_funder.pk,
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
            "format": "pdf",
        },
        format="json",
    )
    assert foreign.json()["errors"]["funder"][0]["code"] == "does_not_exist"
    assert ReportRun.objects.count() == 2  # the world's two


def test_the_downloaded_file_is_logged_against_every_client_it_names(api, world):
    response = api("manager").get(f"/api/v1/reports/{world.report.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"client;units\n"
    exported = AccessLogEntry.objects.filter(user=world.users["manager"], event="export")
    assert {entry.client_id for entry in exported} == set(world.clients_named_in_report)


@pytest.mark.parametrize("role", ["caseworker", "teacher", "administrator", "privacy_officer"])
def test_reports_are_for_managers_only(api, world, role):
    caller = api(role)
    assert caller.get("/api/v1/reports/").status_code == 403
    assert caller.get(f"/api/v1/reports/{world.report.pk}/").status_code == 403
    assert caller.get(f"/api/v1/reports/{world.report.pk}/download/").status_code == 403
    assert not AccessLogEntry.objects.filter(user=world.users[role], event="export").exists()


def test_another_organisations_report_does_not_exist(api, world):
    manager = api("manager")
    assert manager.get(f"/api/v1/reports/{world.foreign_report.pk}/").status_code == 404
    response = manager.get(f"/api/v1/reports/{world.foreign_report.pk}/download/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "path", "queries"),
    [
        ("manager", "/api/v1/allocations/", 7),  # the count, the page's ids, their use
        ("manager", "/api/v1/reports/", 5),
        ("manager", "/api/v1/funders/", 7),
        ("manager", "/api/v1/contracts/", 6),
        ("caseworker", "/api/v1/clients/{own}/goals/", 6),
        ("caseworker", "/api/v1/allocations/?client={own}", 6),
    ],
)
def test_each_list_takes_a_fixed_number_of_queries(
    api, world, django_assert_max_num_queries, role, path, queries
):
    caller = api(role)
    caller.get("/api/v1/me/")  # the token's last use is written once a minute, not here
    with django_assert_max_num_queries(queries):
        response = caller.get(path.format(own=world.clients["own"].pk))
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_the_alert_list_decides_access_once_per_client_shown(
    api, world, alerts, django_assert_max_num_queries
):
    # What an alert says depends on whether its client's identity is shown to the caller:
    # one access decision (apps.trajectories.access) per distinct client on the page.
    caller = api("manager")
    caller.get("/api/v1/me/")
    with django_assert_max_num_queries(6 + 1 * 3):
        assert caller.get("/api/v1/alerts/").json()["count"] == 3


def test_a_generic_allocation_is_registered_with_its_budget_and_shows_what_priced_its_care(
    api, world
):
    # iJw 3.2 procesbeschrijving 3.1.1: a generic allocation is "alleen het maximum bedrag in
    # het budget" (tests/funding/test_allocation_variants.py quotes the sources).
    allocation_withdraw(allocation=world.allocations["other"], actor=world.lead)
    waiting = activity_log(
        trajectory=world.trajectories["other"],
        domain="care",
        kind="treatment_session",
        date=D(2026, 1, 5),
        duration_minutes=30,
        performed_by=world.lead,
        actor=world.lead,
    )
    response = _register(
        api,
        world,
        variant="generic",
        product=None,
        volume=None,
        frequency=None,
        contract=world.product.contract.pk,
        budget_cents=100_000,
        end="2026-12-31",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["variant"], body["product"], body["volume"]) == ("generic", None, None)
    assert (body["budget_cents"], body["contract"]) == (100_000, world.product.contract.pk)
    waiting.refresh_from_db()
    assert waiting.allocation_id == body["id"]
    assert waiting.priced_product == world.product
    assert body["priced"] == [
        {
            "code": world.product.code,
            "description": world.product.description,
            "count": 2,
            "cents": body["use"]["total_used"],
        }
    ]
    wrong = _register(
        api, world, variant="generic", product=None, volume=None, number="TW-X", frequency=None
    )
    assert wrong.status_code == 400
    assert "contract" in wrong.json()["errors"]
