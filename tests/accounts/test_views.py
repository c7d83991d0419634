import pytest
from django.urls import reverse

from apps.accounts.models import Role

from .factories import TEST_PASSWORD, UserFactory


@pytest.mark.django_db
def test_landing_page_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_with_the_right_password_lands_on_the_start_page(client):
    user = UserFactory(roles=[Role.CASEWORKER], first_name="Sanne")
    response = client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Welkom, Sanne" in response.text
    assert "Behandelaar" in response.text
    assert user.organisation.name in response.text


@pytest.mark.django_db
def test_login_with_a_wrong_password_says_so_in_dutch(client):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_logout_by_get_is_refused(client):
    client.force_login(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_login_page_is_dutch_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert "Inloggen" in response.text


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert '<html lang="en">' in response.text
    assert "Log in" in response.text
    response = client.post(
        reverse("set_language"), {"language": "nl", "next": reverse("login")}, follow=True
    )
    assert '<html lang="nl">' in response.text


@pytest.mark.django_db
def test_dutch_is_the_default_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="nl">' in response.text
