import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.models import Organisation
from apps.accounts.services import organisation_create

from .factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("agb_code", ["1234567", "123456789", "1234567a", "", "1234 567"])
def test_organisation_create_refuses_an_agb_code_that_is_not_8_digits(agb_code):
    with pytest.raises(ValidationError) as error:
        organisation_create(name="Zorg BV", agb_code=agb_code, actor=None)
    assert "agb_code" in error.value.message_dict
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_agb_message_is_dutch_by_default_and_english_on_request():
    from django.utils import translation

    messages = {}
    for language in ("nl", "en"):
        with translation.override(language), pytest.raises(ValidationError) as error:
            organisation_create(name="Zorg BV", agb_code="123", actor=None)
        with translation.override(language):
            messages[language] = str(error.value.message_dict["agb_code"][0])
    assert "precies 8 cijfers" in messages["nl"]
    assert "exactly 8 digits" in messages["en"]


@pytest.mark.django_db
def test_organisation_create_accepts_8_digits_and_records_history():
    actor = UserFactory()
    organisation = organisation_create(name="Zorg BV", agb_code="73731234", actor=actor)
    assert organisation.history.get().history_user == actor


@pytest.mark.django_db
def test_database_refuses_an_invalid_agb_code_past_validation():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Zorg BV", agb_code="12ab5678")


@pytest.mark.django_db
def test_user_history_never_stores_the_password():
    user = UserFactory()
    historical_fields = {field.name for field in user.history.model._meta.fields}
    assert "password" not in historical_fields
    assert "username" in historical_fields
