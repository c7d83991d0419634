"""A session cookie with a byte no session key has is no session, not a crash."""

import pytest
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.test import Client

from apps.core.sessions import SessionStore


@pytest.mark.parametrize(
    "header",
    [
        "sessionid=abc\x00defghijklmnop",
        'sessionid="abc\\000defghijklmnop"',  # plain ASCII, which a strict server lets through
    ],
)
def test_a_session_cookie_with_a_nul_byte_is_no_session(db, header):
    client = Client(HTTP_COOKIE=header)
    assert client.get("/clients/").status_code == 302  # to the login page
    assert client.get("/login/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 401


def test_a_real_session_still_works(db):
    store = SessionStore()
    store["x"] = 1
    store.save()
    assert set(store.session_key) <= set(VALID_KEY_CHARS)
    assert SessionStore(session_key=store.session_key)["x"] == 1
