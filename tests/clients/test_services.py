import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.clients.models import Client, ResponsibilityRule
from apps.clients.services import client_create, client_update
from apps.clients.validators import bsn_passes_eleven_test
from tests.accounts.factories import OrganisationFactory, UserFactory

from .factories import municipality


def _create(**overrides) -> Client:
    values = {
        "organisation": overrides.pop("organisation", None) or OrganisationFactory(),
        "client_number": "C001",
        "given_name": "Lotte",
        "family_name": "Hendriks",
        "pseudonym": "Merel",
        "date_of_birth": datetime.date(2009, 3, 14),
        "municipality": municipality("0344"),
        "actor": None,
    }
    values.update(overrides)
    return client_create(**values)


@pytest.mark.parametrize("bsn", ["999999990", "999900006", "123456782"])
def test_bsn_eleven_test_accepts_valid_numbers(bsn):
    assert bsn_passes_eleven_test(bsn)


@pytest.mark.parametrize(
    "bsn",
    ["999999991", "12345678", "1234567890", "abcdefghi", "000000000", "12345678 ", "1234.5678"],
)
def test_bsn_eleven_test_refuses_invalid_numbers(bsn):
    assert not bsn_passes_eleven_test(bsn)


@pytest.mark.django_db
def test_client_create_refuses_a_bsn_that_fails_the_eleven_test_in_both_languages():
    messages = {}
    for language in ("nl", "en"):
        with translation.override(language), pytest.raises(ValidationError) as error:
            _create(bsn="999999991")
        with translation.override(language):
            messages[language] = str(error.value.message_dict["bsn"][0])
    assert "elfproef" in messages["nl"]
    assert "eleven-test" in messages["en"]
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_bsn_is_unique_per_organisation_but_not_across_organisations():
    first = _create(bsn="999999990")
    with pytest.raises(ValidationError) as error:
        _create(organisation=first.organisation, client_number="C002", bsn="999999990")
    assert "bsn" in str(error.value.message_dict) or "__all__" in error.value.message_dict
    other = _create(client_number="C002", bsn="999999990")
    assert other.organisation != first.organisation


@pytest.mark.django_db
def test_clients_without_bsn_do_not_collide():
    first = _create()
    second = _create(organisation=first.organisation, client_number="C002")
    assert first.bsn == second.bsn == ""


@pytest.mark.django_db
def test_client_number_is_unique_per_organisation():
    first = _create()
    with pytest.raises(ValidationError):
        _create(organisation=first.organisation)


@pytest.mark.django_db
def test_woonplaatsbeginsel_registered_address_decides_without_a_stay():
    client = _create()
    assert client.responsible_municipality == municipality("0344")
    assert client.responsibility_rule == ResponsibilityRule.REGISTERED_ADDRESS


@pytest.mark.django_db
def test_woonplaatsbeginsel_address_before_a_residential_stay_decides_during_the_stay():
    client = _create(
        municipality=municipality("0193"),
        in_residential_stay=True,
        municipality_before_stay=municipality("0307"),
    )
    assert client.responsible_municipality == municipality("0307")
    assert client.responsibility_rule == ResponsibilityRule.ADDRESS_BEFORE_STAY


@pytest.mark.django_db
def test_a_stay_without_the_previous_municipality_is_refused():
    with pytest.raises(ValidationError) as error:
        _create(in_residential_stay=True)
    assert "municipality_before_stay" in error.value.message_dict


@pytest.mark.django_db
def test_client_update_moves_responsibility_when_the_stay_ends_and_records_history():
    actor = UserFactory()
    client = _create(
        municipality=municipality("0193"),
        in_residential_stay=True,
        municipality_before_stay=municipality("0307"),
    )
    client = client_update(client=client, actor=actor, in_residential_stay=False)
    assert client.responsible_municipality == municipality("0193")
    assert client.municipality_before_stay is None
    assert client.history.first().history_user == actor
    assert client.history.count() == 2


def test_age_turns_on_the_birthday_itself():
    client = Client(date_of_birth=datetime.date(2007, 8, 20))
    assert client.age_on(datetime.date(2025, 8, 19)) == 17
    assert client.age_on(datetime.date(2025, 8, 20)) == 18
    leap = Client(date_of_birth=datetime.date(2008, 2, 29))
    assert leap.birthday(18) == datetime.date(2026, 3, 1)
    assert leap.age_on(datetime.date(2026, 2, 28)) == 17
    assert leap.age_on(datetime.date(2026, 3, 1)) == 18
