"""Extended youth care (verlengde jeugdhulp) recorded with its basis.

Source: Jeugdwet art. 1.1, the definition of "jeugdige": from 18 to 23 only when the
municipality decided that youth care is continued because it started before the 18th
birthday, because before the 18th birthday it was decided that youth care is needed, or
because youth care that ended is resumed within half a year ("binnen een termijn van een half
jaar"). As explained by regelhulp.nl ("Jongeren met jeugdhulp die 18 jaar worden": "maximaal 5
jaar, tot uw kind 23 jaar is"; the three situations) and Stimulansz ("Verlengde jeugdhulp":
"de gemeente na beëindiging van de jeugdhulp binnen een termijn van een half jaar vaststelt
dat voortzetting nodig is"). No change to these grounds was found for 2023 in the sources
searched (the 2022 change, Kamerstuk 35 833, extends foster care to 21 and is not recorded
here).
"""

import datetime
from importlib import import_module

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from apps.audit.models import AccessLogEntry
from apps.clients.models import Client, ExtendedYouthCare
from apps.clients.youth_care import (
    extended_youth_care_change,
    extended_youth_care_end,
    extended_youth_care_record,
    resumption_deadline,
)
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory, extended_youth_care

D = datetime.date
BORN = D(2006, 3, 10)  # 18 on 10 March 2024, 23 on 10 March 2029


@pytest.fixture
def client_18(db):
    return ClientFactory(date_of_birth=BORN)


@pytest.fixture
def actor(client_18):
    return UserFactory(organisation=client_18.organisation)


def _fields(**overrides):
    values = {
        "basis": "continued",
        "care_started_on": D(2023, 5, 1),
        "decided_by": "College van B&W, gemeente Utrecht",
        "decision_reference": "VJH-2024-17",
        "decision_date": D(2024, 2, 1),
        "start": D(2024, 3, 10),
        "until": D(2026, 3, 9),
    }
    values.update(overrides)
    return values


def _refused(client, actor, field, **overrides):
    with pytest.raises(ValidationError) as error:
        extended_youth_care_record(client=client, actor=actor, **_fields(**overrides))
    assert field in error.value.message_dict, error.value.message_dict
    client.refresh_from_db()
    # Nothing half-saved: no period, and the client's current period unchanged.
    assert not ExtendedYouthCare.objects.filter(client=client).exists()
    assert client.extended_youth_care_until is None
    return error.value.message_dict[field]


def test_recording_keeps_the_basis_the_decision_and_the_period_on_the_client(client_18, actor):
    care = extended_youth_care_record(client=client_18, actor=actor, **_fields())
    client_18.refresh_from_db()
    assert (client_18.extended_youth_care_from, client_18.extended_youth_care_until) == (
        D(2024, 3, 10),
        D(2026, 3, 9),
    )
    assert care.history.get().history_user == actor
    assert client_18.history.first().history_user == actor
    assert AccessLogEntry.objects.filter(client=client_18, event="create", user=actor).exists()
    assert client_18.extended_youth_care_on(D(2024, 3, 10))
    assert client_18.extended_youth_care_on(D(2026, 3, 9))
    assert not client_18.extended_youth_care_on(D(2026, 3, 10))
    assert not client_18.extended_youth_care_on(D(2024, 3, 9))


def test_it_ends_the_day_before_the_23rd_birthday_at_the_latest(client_18, actor):
    _refused(client_18, actor, "until", until=D(2029, 3, 10))
    care = extended_youth_care_record(client=client_18, actor=actor, **_fields(until=D(2029, 3, 9)))
    assert care.until == D(2029, 3, 9)


@pytest.mark.parametrize("basis", ["continued", "decided_before_18"])
def test_continued_or_decided_care_needs_a_date_before_the_18th_birthday(client_18, actor, basis):
    _refused(client_18, actor, "care_started_on", basis=basis, care_started_on=D(2024, 3, 10))
    _refused(client_18, actor, "care_started_on", basis=basis, care_started_on=None)
    extended_youth_care_record(
        client=client_18, actor=actor, **_fields(basis=basis, care_started_on=D(2024, 3, 9))
    )


def test_it_starts_on_the_18th_birthday_at_the_earliest(client_18, actor):
    _refused(client_18, actor, "start", start=D(2024, 3, 9))


def test_the_decision_is_asked(client_18, actor):
    _refused(client_18, actor, "decided_by", decided_by="  ")
    _refused(client_18, actor, "decision_date", decision_date=None)
    _refused(client_18, actor, "decision_date", decision_date=D(2099, 1, 1))


def test_the_unknown_basis_is_only_for_carried_over_records(client_18, actor):
    _refused(client_18, actor, "basis", basis="unknown")


# Resumed within six months: ended on 31 May 2024, the deadline is 30 November 2024.
ENDED = D(2024, 5, 31)


def test_resumed_care_asks_when_the_earlier_care_ended(client_18, actor):
    _refused(client_18, actor, "previous_care_ended_on", basis="resumed", start=D(2024, 9, 1))


def test_resumed_after_five_months_is_extended_youth_care(client_18, actor):
    resumed = D(2024, 10, 31)  # five months after it ended
    care = extended_youth_care_record(
        client=client_18,
        actor=actor,
        **_fields(
            basis="resumed", previous_care_ended_on=ENDED, decision_date=resumed, start=resumed
        ),
    )
    assert care.basis == "resumed"
    assert resumption_deadline(ENDED) == D(2024, 11, 30)


@pytest.mark.parametrize("field", ["start", "decision_date"])
def test_resumed_after_seven_months_is_refused(client_18, actor, field):
    late = D(2024, 12, 31)  # seven months after it ended
    values = {"start": D(2024, 10, 1), "decision_date": D(2024, 10, 1), field: late}
    with translation.override("nl"):
        messages = _refused(
            client_18, actor, field, basis="resumed", previous_care_ended_on=ENDED, **values
        )
    # In Dutch, naming the deadline.
    assert "binnen zes maanden" in " ".join(messages)
    assert "30-11-2024" in " ".join(messages)


def test_resumed_care_starts_after_the_earlier_care_ended(client_18, actor):
    _refused(
        client_18,
        actor,
        "start",
        basis="resumed",
        previous_care_ended_on=ENDED,
        start=ENDED,
        decision_date=ENDED,
    )


def test_two_periods_may_not_overlap(client_18, actor):
    extended_youth_care_record(client=client_18, actor=actor, **_fields(until=D(2024, 12, 31)))
    with pytest.raises(ValidationError) as error:
        extended_youth_care_record(
            client=client_18, actor=actor, **_fields(start=D(2024, 12, 31), until=D(2025, 6, 1))
        )
    assert "start" in error.value.message_dict
    later = extended_youth_care_record(
        client=client_18, actor=actor, **_fields(start=D(2025, 1, 1), until=D(2025, 6, 1))
    )
    client_18.refresh_from_db()
    assert client_18.extended_youth_care_from == later.start


def test_ending_early_shortens_the_period_and_nothing_else(client_18, actor):
    care = extended_youth_care(client_18, until=D(2026, 3, 9), actor=actor)
    with pytest.raises(ValidationError):
        extended_youth_care_end(care=care, ended_on=D(2026, 3, 10), actor=actor)
    with pytest.raises(ValidationError):
        extended_youth_care_end(care=care, ended_on=None, actor=actor)
    care.refresh_from_db()
    assert care.ended_on is None
    care = extended_youth_care_end(care=care, ended_on=D(2025, 1, 31), actor=actor)
    client_18.refresh_from_db()
    assert client_18.extended_youth_care_until == D(2025, 1, 31)
    assert care.history.count() == 2
    assert AccessLogEntry.objects.filter(client=client_18, event="change").exists()


def test_a_change_is_validated_like_a_recording(client_18, actor):
    care = extended_youth_care(client_18, until=D(2026, 3, 9), actor=actor)
    with pytest.raises(ValidationError):
        extended_youth_care_change(care=care, actor=actor, until=D(2029, 3, 10))
    care.refresh_from_db()
    assert care.until == D(2026, 3, 9)
    care = extended_youth_care_change(care=care, actor=actor, until=D(2027, 3, 9))
    client_18.refresh_from_db()
    assert client_18.extended_youth_care_until == D(2027, 3, 9)


def test_carried_over_values_get_the_unknown_basis_until_a_caseworker_gives_one(db):
    migration = import_module("apps.clients.migrations.0005_extended_youth_care_carry_over")
    # The models as the migration sees them (no history signals: it writes its own row).
    state = MigrationLoader(connection).project_state(("clients", "0004_extended_youth_care_basis"))
    recorded = ClientFactory(date_of_birth=BORN)
    before_18 = ClientFactory(date_of_birth=BORN)
    never = ClientFactory(date_of_birth=BORN)
    Client.objects.filter(pk=recorded.pk).update(extended_youth_care_until=D(2026, 3, 9))
    Client.objects.filter(pk=before_18.pk).update(extended_youth_care_until=D(2024, 1, 1))

    migration.carry_over(state.apps, None)

    care = ExtendedYouthCare.objects.get(client=recorded)
    assert (care.basis, care.start, care.until) == ("unknown", D(2024, 3, 10), D(2026, 3, 9))
    assert not care.basis_known
    assert care.history.count() == 1
    recorded.refresh_from_db()
    assert recorded.extended_youth_care_from == D(2024, 3, 10)
    assert recorded.extended_youth_care_on(D(2025, 1, 1))
    before_18.refresh_from_db()
    assert before_18.extended_youth_care_until is None
    assert not ExtendedYouthCare.objects.filter(client__in=[before_18, never]).exists()

    actor = UserFactory(organisation=recorded.organisation)
    with pytest.raises(ValidationError) as error:
        extended_youth_care_change(care=care, actor=actor, until=D(2026, 6, 1))
    assert "basis" in error.value.message_dict
    changed = extended_youth_care_change(
        care=care, actor=actor, **{k: v for k, v in _fields().items() if k != "until"}
    )
    assert changed.basis_known

    migration.remove_carried_over(state.apps, None)
    assert ExtendedYouthCare.objects.filter(client=recorded).exists()  # no longer unknown


def test_the_privacy_officer_sees_who_recorded_and_changed_it(client_18, actor):
    from apps.privacy.selectors import client_change_history

    care = extended_youth_care(client_18, until=D(2026, 3, 9), actor=actor)
    extended_youth_care_end(care=care, ended_on=D(2025, 3, 9), actor=actor)
    with translation.override("en"):
        changes = [
            change
            for change in client_change_history(client=client_18)
            if change.what == f"extended youth care #{care.pk}"
        ]
    assert [(change.action, change.user) for change in changes] == [  # newest first
        ("changed", actor),
        ("created", actor),
    ]
