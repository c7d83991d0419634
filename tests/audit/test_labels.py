"""The access log's "what" column in words: every page that can write to the log has a label."""

import datetime

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation

from apps.audit.labels import NOT_LOGGED, PAGE_LABELS, entry_what, page_label
from apps.audit.models import AccessLogEntry
from apps.trajectories.services import activity_log
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.trajectories.factories import TrajectoryFactory


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from _url_names(
                pattern.url_patterns,
                f"{namespace}:{inner}" if namespace and inner else namespace or inner,
            )
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_that_can_write_to_the_log_has_a_label():
    """Enumerates the resolver: a page added anywhere (clients, safety, records, retention, ...)
    fails here until apps/audit/labels.py names it. Django's admin shows configuration, not
    client records, and the names in NOT_LOGGED never log."""
    names = {
        name for name in _url_names(get_resolver().url_patterns) if not name.startswith("admin:")
    }
    assert names - set(PAGE_LABELS) - NOT_LOGGED == set()
    assert set(PAGE_LABELS) - names == set(), "labels of pages that no longer exist"


def test_every_label_has_its_dutch_words():
    with translation.override("en"):
        english = {name: str(label) for name, label in PAGE_LABELS.items()}
    with translation.override("nl"):
        untranslated = {
            str(label) for name, label in PAGE_LABELS.items() if str(label) == english[name]
        }
    # the same words in Dutch
    assert untranslated <= {"Registers", "Pilot", "Agenda: week", "API: contract"}


def test_an_unlabelled_page_is_shown_readably_not_as_a_crash():
    assert page_label("records:copy_request") == "records: copy request"
    assert page_label("retention-overview") == "Retention overview"
    assert page_label("") == ""


def test_a_read_is_shown_as_its_page_in_the_readers_language(client, db):
    trajectory = TrajectoryFactory(start=datetime.date(2025, 1, 1))
    client.force_login(trajectory.lead_caseworker)
    client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    entry = AccessLogEntry.objects.filter(client=trajectory.client, event="view").latest("pk")
    assert entry.view_name == "clients:detail"
    with translation.override("en"):
        assert entry_what(entry) == "Client page"
    with translation.override("nl"):
        assert entry_what(entry) == "Cliëntpagina"


def test_a_change_is_shown_as_the_part_of_the_record_it_changed(db):
    trajectory = TrajectoryFactory(start=datetime.date(2025, 1, 1))
    lead = trajectory.lead_caseworker
    activity_log(
        trajectory=trajectory,
        domain="care",
        kind="intake",
        date=datetime.date(2025, 2, 3),
        duration_minutes=60,
        performed_by=lead,
        actor=lead,
    )
    entry = AccessLogEntry.objects.filter(client=trajectory.client, event="create").get()
    joined = AccessLogEntry.objects.filter(
        client=trajectory.client, event="permission_change"
    ).get()
    with translation.override("en"):
        assert (entry_what(entry), entry_what(joined)) == ("Activity", "Care team")
    with translation.override("nl"):
        assert (entry_what(entry), entry_what(joined)) == ("Activiteit", "Zorgteam")


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"detail": "client page"}, "Client page"),  # before the page was kept: its old text
        ({"event": "create", "object_type": "gone.model", "detail": "x create"}, "gone.model"),
        ({}, "niet vastgelegd"),
    ],
)
def test_older_entries_are_shown_sensibly(db, fields, shown):
    entry = AccessLogEntry.objects.create(
        **{"event": "view", "basis": "none", "outcome": "allowed", **fields}
    )
    with translation.override("nl"):
        assert entry_what(entry) == shown


def test_a_login_is_logged_with_its_page(client, db):
    user = UserFactory(roles=["caseworker"])
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    entry = AccessLogEntry.objects.filter(user=user, event="login").get()
    assert entry.view_name == "login"
    with translation.override("nl"):
        assert entry_what(entry) == "Inloggen"
