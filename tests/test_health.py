from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_answers_200_with_database_and_eager_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client):
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch("casemanager.views.connection", broken):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
def test_healthz_names_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["broker"] == "unavailable"


@pytest.mark.django_db
def test_healthz_reports_a_running_redis_broker(client, settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    response = client.get(reverse("healthz"))
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_needs_no_login_and_only_answers_get(client):
    assert client.post(reverse("healthz")).status_code == 405
