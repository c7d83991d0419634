"""The personal calendar feed: our own iCalendar writer (RFC 5545) and the feed's privacy."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.agenda import ical
from apps.agenda.models import CalendarFeed
from apps.agenda.services import (
    appointment_cancel,
    appointment_plan,
    calendar_feed_create,
    calendar_feed_revoke,
)
from apps.audit.models import AccessLogEntry
from apps.trajectories.services import care_team_leave
from tests.trajectories.factories import TrajectoryFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


# --- the writer ----------------------------------------------------------------------------


def test_text_is_escaped():
    assert ical.text_escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_long_lines_fold_at_75_octets_never_inside_a_character():
    line = "SUMMARY:" + "Zorg · Cliënt " * 20
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line  # unfolding restores it
    assert ical.fold("SHORT:x") == "SHORT:x"


def test_a_calendar_has_crlf_lines_and_utc_times():
    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    start = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=amsterdam)
    text = ical.calendar(
        [ical.Event("a-1@x", start, start + datetime.timedelta(minutes=45), "Zorg · Merel")],
        name="Agenda",
        stamp=start,
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20260302T083000Z\r\n" in text  # 09:30 in Amsterdam in winter
    assert "DTEND:20260302T091500Z\r\n" in text


# --- the feed ------------------------------------------------------------------------------


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(
        start=TODAY - 200 * DAY,
        client__given_name="Isolde",
        client__family_name="Geheimhouder",
        client__pseudonym="Kwikstaart",
    )


@pytest.fixture
def lead(trajectory):
    return trajectory.lead_caseworker


def plan(trajectory, actor, day, **kwargs):
    return appointment_plan(
        trajectory=trajectory,
        domain="care",
        kind="treatment_session",
        date=day,
        start_time=datetime.time(10),
        duration_minutes=60,
        purpose=kwargs.get("purpose", "VERTROUWELIJK DOEL"),
        place="ADRES GEHEIM 12",
        actor=actor,
    )


def _feed_url(secret):
    return reverse("agenda:feed", kwargs={"secret": secret})


def test_the_feed_shows_times_lane_and_pseudonym_only_without_login(client, trajectory, lead):
    plan(trajectory, lead, TODAY + DAY)
    _feed, secret = calendar_feed_create(user=lead, actor=lead)
    response = client.get(_feed_url(secret))  # not logged in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert "SUMMARY:Zorg · Kwikstaart\r\n" in text
    for secret_text in ("Isolde", "Geheimhouder", "VERTROUWELIJK", "ADRES GEHEIM"):
        assert secret_text not in text
    assert not re.search(r"^(DESCRIPTION|LOCATION)", text, re.M)


def test_the_feed_shows_30_days_back_to_90_ahead_and_only_current_care_team_clients(
    client, trajectory, lead
):
    for days in (-31, -30, 90, 91):
        plan(trajectory, lead, TODAY + days * DAY)
    cancelled = appointment_cancel(appointment=plan(trajectory, lead, TODAY), actor=lead)
    left = TrajectoryFactory(
        client__organisation=trajectory.client.organisation,
        client__pseudonym="Vertrokken",
        lead_caseworker=lead,
        start=TODAY - 200 * DAY,
    )
    plan(left, lead, TODAY + DAY)
    care_team_leave(membership=left.memberships.get(user=lead), end=TODAY, actor=lead)
    _feed, secret = calendar_feed_create(user=lead, actor=lead)
    text = client.get(_feed_url(secret)).content.decode()
    starts = re.findall(r"DTSTART:(\d{8})", text)
    expected = {(TODAY + d * DAY).strftime("%Y%m%d") for d in (-30, 0, 90)}
    assert set(starts) == expected
    assert f"UID:appointment-{cancelled.pk}@casemanager\r\n" in text
    assert "STATUS:CANCELLED" in text
    assert "Vertrokken" not in text


def test_only_the_hash_is_kept_and_a_revoked_or_unknown_secret_is_404(client, lead):
    feed, secret = calendar_feed_create(user=lead, actor=lead)
    assert secret not in feed.secret_hash
    assert len(feed.secret_hash) == 64
    assert client.get(_feed_url(secret)).status_code == 200
    _new, newer = calendar_feed_create(user=lead, actor=lead)  # a new address revokes the old
    assert client.get(_feed_url(secret)).status_code == 404
    calendar_feed_revoke(user=lead, actor=lead)
    assert client.get(_feed_url(newer)).status_code == 404
    assert client.get(_feed_url("not-a-feed")).status_code == 404
    assert CalendarFeed.objects.active().count() == 0


def test_a_deactivated_users_feed_is_404(client, lead):
    _feed, secret = calendar_feed_create(user=lead, actor=lead)
    lead.is_active = False
    lead.save()
    assert client.get(_feed_url(secret)).status_code == 404


def test_every_feed_read_is_logged_once_listing_the_clients(client, trajectory, lead):
    plan(trajectory, lead, TODAY)
    plan(trajectory, lead, TODAY + DAY)
    feed, secret = calendar_feed_create(user=lead, actor=lead)
    for _ in range(2):
        before = AccessLogEntry.objects.count()
        client.get(_feed_url(secret))
        entry = AccessLogEntry.objects.order_by("pk")[before:].get()
        assert entry.user == lead
        assert entry.event == "view"
        assert (entry.object_type, entry.object_id) == ("agenda.calendarfeed", str(feed.pk))
        assert entry.detail == "calendar feed: 1 clients"
        assert entry.reason == f"Kwikstaart (#{trajectory.client.pk})"


def test_the_agenda_page_shows_the_address_once_and_revokes_it(client, lead):
    client.force_login(lead)
    created = client.post(reverse("agenda:feed_create"))
    assert created.status_code == 200
    url = re.search(r'value="(http[^"]+\.ics)"', created.content.decode()).group(1)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    week = client.get(reverse("agenda:week")).content.decode()
    assert secret not in week
    assert reverse("agenda:feed_revoke") in week
    client.post(reverse("agenda:feed_revoke"))
    client.logout()
    assert client.get(_feed_url(secret)).status_code == 404
