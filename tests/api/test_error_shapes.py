"""Under /api/ every error is in the API's format, also where no API view is reached (an
unknown URL, a missing slash, with DEBUG on as under runserver) and also where a service
refuses (its PermissionRefused is a 403, not a crash)."""

import pytest

from apps.accounts.models import Organisation
from apps.api.views import reports as report_views
from apps.reports.models import ReportRun
from apps.reports.services import report_request


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_an_unknown_api_url_is_a_json_404_also_with_debug_on(api, world, debug):
    for path in ["/api/v1/nothing-here/", "/api/", "/api/v2/clients/", "/api/x"]:
        for language, message in [
            ("en", "Not found."),
            ("nl", "Niet gevonden."),
            ("", "Niet gevonden."),
        ]:
            for caller in (api("caseworker", language=language), api(None, language=language)):
                response = caller.get(path)
                assert response.status_code == 404, path
                assert response["Content-Type"] == "application/json"
                assert response.json() == {"code": "not_found", "message": message}


def test_a_missing_slash_is_a_json_404_not_a_redirect_or_a_crash(api, world, debug):
    caller = api("caseworker")
    for method in ["get", "post", "put", "patch", "delete", "options"]:
        response = getattr(caller, method)("/api/v1/clients", {}, format="json")
        assert response.status_code == 404, method
        assert response.json() == {"code": "not_found", "message": "Not found."}


def test_a_method_that_is_not_there_is_a_json_405(api, world, debug):
    for path in ["/api/v1/schema/", "/api/v1/me/", "/api/v1/clients/"]:
        for language, verb in [("en", "not allowed"), ("nl", "niet toegestaan")]:
            response = api("caseworker", language=language).put(path, {}, format="json")
            assert response.status_code == 405, path
            assert response["Content-Type"] == "application/json"
            body = response.json()
            assert body["code"] == "method_not_allowed"
            assert verb in body["message"]


def test_the_schema_itself_is_still_served(api, world):
    response = api("caseworker").get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content


def test_a_service_refusal_is_a_403_in_the_api_format(api, world, monkeypatch, settings):
    """The reports service refuses a manager another organisation's report (here reached by
    handing it another organisation, as a view with a mistake would)."""
    stranger = Organisation.objects.exclude(pk=world.organisation.pk).first()
    assert stranger is not None

    def request_for_another_organisation(**kwargs):
        return report_request(**{**kwargs, "organisation": stranger})

    monkeypatch.setattr(report_views, "report_request", request_for_another_organisation)
    before = ReportRun.objects.count()
    for language, message in [
        ("en", "Only the organisation's managers request reports."),
        ("nl", "Alleen de managers van de organisatie vragen rapportages aan."),
    ]:
        response = api("manager", language=language).post(
            "/api/v1/reports/",
            {
                "funder": world.funder.pk,
                "period_start": "2025-02-01",
                "period_end": "2025-02-28",
                "format": "csv",
            },
            format="json",
        )
        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied", "message": message}
    assert ReportRun.objects.count() == before
