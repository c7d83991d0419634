"""GGZ after 18 in the demo (apps/demo/zvw.py): two young people turn 18 during treatment and
their care goes on without a day unfunded; the insurer's declaration shows their prestaties."""

import pytest

from apps.clients.models import Client
from apps.trajectories.models import Activity
from apps.zvw.models import DeclarationLine, InsurerDeclaration, LineStatus
from apps.zvw.route import route_check

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


@pytest.mark.parametrize("number", ["DEMO-Z01", "DEMO-Z02"])
def test_a_young_person_turns_18_in_treatment_without_a_day_unfunded(number):
    client = Client.objects.get(client_number=number)
    birthday = client.birthday(18)
    care = Activity.objects.filter(trajectory__client=client).order_by("date")
    assert care.filter(date__lt=birthday).exists()
    assert care.filter(date__gte=birthday).exists()
    assert not care.filter(funding_status="unfunded").exists()
    assert set(care.filter(date__lt=birthday).values_list("funding_status", flat=True)) == {
        "funded"
    }
    assert set(care.filter(date__gte=birthday).values_list("funding_status", flat=True)) == {
        "route"
    }
    assert route_check(client=client, day=birthday).complete


def test_last_months_declaration_carries_their_prestaties_and_one_rejected_line():
    declaration = InsurerDeclaration.objects.get(uzovi="3999")
    assert declaration.status == "answered"
    lines = DeclarationLine.objects.filter(declaration=declaration)
    assert {line.client.client_number for line in lines} <= {"DEMO-Z01", "DEMO-Z02"}
    assert lines.filter(status=LineStatus.REJECTED).count() == 1
    assert lines.filter(status=LineStatus.ACCEPTED).exists()
