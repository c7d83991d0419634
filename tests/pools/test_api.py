"""The pools in the API: the same figures as the pages, for the organisation's managers."""

import datetime

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AccessLogEntry
from apps.funding.models import PilotEnrolment, SplitRule
from apps.pools.models import PoolBasis
from tests.funding.builders import IntegralPilotFactory

D = datetime.date


@pytest.fixture
def world(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 600)
    world.part(world.swv, 400)
    world.young = world.enrolled(start=D(2025, 1, 1), bsn="111222333")
    PoolBasis.objects.create(
        enrolment=PilotEnrolment.objects.get(client=world.young.client),
        funder=world.swv,
        kind="tlv",
        reference="TLV-77",
        start=D(2025, 1, 1),
    )
    return world


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_pool_list_and_detail(world):
    api = _api(world.manager)
    listed = api.get("/api/v1/pools/").json()
    assert [pool["name"] for pool in listed["results"]] == [world.pool.name]

    detail = api.get(f"/api/v1/pools/{world.pool.pk}/", {"year": 2025}).json()
    assert detail["pricing"] == "client_month"
    assert {line["funder"]: line["owed_cents"] for line in detail["settlement"]["lines"]} == {
        world.utrecht.pk: 12 * 180_000,
        world.swv.pk: 12 * 120_000,
    }
    assert "regular_cents" in detail["comparison"]


def test_a_funders_shares_name_its_clients_by_id_and_its_own_basis_and_are_logged(world):
    response = _api(world.manager).get(
        f"/api/v1/pools/{world.pool.pk}/funders/{world.swv.pk}/shares/", {"year": 2025}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total_cents"] == 12 * 120_000
    january = body["months"][0]
    assert january["clients"] == [
        {
            "client": world.young.client_id,
            "cents": 120_000,
            "bases": [{"kind": "tlv", "reference": "TLV-77"}],
        }
    ]
    assert "111222333" not in response.content.decode()
    assert AccessLogEntry.objects.filter(
        user=world.manager, client=world.young.client, detail="API: pooled budget"
    ).exists()


def test_another_organisations_pool_is_not_found(world):
    foreign = IntegralPilotFactory()
    response = _api(world.manager).get(f"/api/v1/pools/{foreign.pk}/")
    assert response.status_code == 404
