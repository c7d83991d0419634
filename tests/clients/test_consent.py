"""The consent register's rules (apps.clients.consent): who consents at which age, recording
and withdrawing, with history and the access log.

Sources:
- WGBO, BW 7:457 lid 1: "draagt de hulpverlener zorg, dat aan anderen dan de patiënt geen
  inlichtingen over de patiënt ... worden verstrekt dan met toestemming van de patiënt"; lid 2:
  those directly involved in the treatment are not "anderen"
  (https://www.sdu.nl/content/commentaar-op-burgerlijk-wetboek-boek-7-art-457-letselschade-en-vermogensrecht).
- Jeugdwet 7.3.11 lid 1, the same for youth care: "aan anderen dan de betrokkene geen
  inlichtingen ... dan met toestemming van de betrokkene"
  (https://wetten.legaltools.nl/jeugdwet/artikel-7311).
- Who is "the patient" for a minor, BW 7:465 lid 1 (under 12: the parents with authority or
  the guardian), 7:450 lid 2 (12 to 16: the minor and the representatives), 7:447 (from 16:
  the minor alone): "bij patiënten van 12 tot 16 jaar moeten de plichten jegens zowel
  patiënten als wettelijke vertegenwoordigers worden nagekomen"
  (https://studylibnl.com/doc/1219852/tandheelkunde-en-gezondheidsrecht-4.-de-behandeling-van),
  pinned in apps.clients.representation.
- AVG art. 7 lid 3: consent may be withdrawn at any time; the withdrawal does not undo what
  was lawfully shared before it.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.audit.models import AccessLogEntry
from apps.clients.consent import consent_record, consent_state, consent_withdraw
from apps.clients.models import Consent, ConsentRecipient
from apps.clients.services import legal_representative_add
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages asserted below are the English source texts."""
    with translation.override("en"):
        yield


D = datetime.date
GIVEN_ON = D(2026, 3, 2)


def _client_aged(age: int):
    """A client who is ``age`` on GIVEN_ON (born a month before that birthday), with a mother
    who holds parental authority and a father who does not."""
    client = ClientFactory(date_of_birth=D(GIVEN_ON.year - age, 2, 1))
    actor = UserFactory(organisation=client.organisation)
    mother = legal_representative_add(
        client=client, name="Moeder Jansen", relation="parent", parental_authority=True, actor=actor
    )
    father = legal_representative_add(
        client=client, name="Vader Jansen", relation="parent", parental_authority=False, actor=actor
    )
    return client, actor, mother, father


def _record(client, actor, **given_by):
    return consent_record(
        client=client,
        recipient=ConsentRecipient.SCHOOL,
        recipient_name="Het Baken VSO",
        purpose="Aanwezigheid en voortgang delen met de mentor",
        given_on=GIVEN_ON,
        actor=actor,
        **given_by,
    )


# --- who consents, by age (BW 7:465 lid 1, 7:450 lid 2, 7:447) ----------------------------


def test_at_11_the_parent_with_authority_consents_not_the_child():
    client, actor, mother, _father = _client_aged(11)
    consent = _record(client, actor, representatives=[mother])
    assert consent.age_when_given == 11
    assert list(consent.given_by_representatives.all()) == [mother]
    with pytest.raises(ValidationError, match="not the child"):
        _record(client, actor, young_person=True, representatives=[mother])


def test_at_11_the_child_alone_cannot_consent():
    client, actor, _mother, _father = _client_aged(11)
    with pytest.raises(ValidationError, match="Moeder Jansen"):
        _record(client, actor, young_person=True)


def test_at_11_a_parent_without_authority_does_not_count():
    client, actor, mother, father = _client_aged(11)
    with pytest.raises(ValidationError, match="Only legal representatives who hold parental"):
        _record(client, actor, representatives=[mother, father])


@pytest.mark.parametrize("age", [12, 15])
def test_from_12_to_15_both_the_young_person_and_the_parent_with_authority_consent(age):
    client, actor, mother, _father = _client_aged(age)
    with pytest.raises(ValidationError, match="young person's own consent"):
        _record(client, actor, representatives=[mother])
    with pytest.raises(ValidationError, match="Moeder Jansen"):
        _record(client, actor, young_person=True)
    consent = _record(client, actor, young_person=True, representatives=[mother])
    assert consent.given_by_young_person
    assert consent.age_when_given == age


def test_at_15_without_a_representative_recorded_the_consent_waits_for_one():
    client = ClientFactory(date_of_birth=D(GIVEN_ON.year - 15, 2, 1))
    actor = UserFactory(organisation=client.organisation)
    with pytest.raises(ValidationError, match="record them with the client first"):
        _record(client, actor, young_person=True)
    assert not Consent.objects.filter(client=client).exists()


@pytest.mark.parametrize("age", [16, 17, 18])
def test_from_16_the_young_person_consents_alone(age):
    client, actor, mother, _father = _client_aged(age)
    with pytest.raises(ValidationError, match="consents alone"):
        _record(client, actor, young_person=True, representatives=[mother])
    with pytest.raises(ValidationError, match="young person's own consent"):
        _record(client, actor)
    consent = _record(client, actor, young_person=True)
    assert consent.age_when_given == age


def test_the_day_before_the_16th_birthday_the_parent_still_consents_too():
    client, actor, mother, _father = _client_aged(16)
    day_before = D(GIVEN_ON.year, 1, 31)  # born 1 February: 16 on 1 February
    consent = consent_record(
        client=client,
        recipient=ConsentRecipient.EMPLOYER,
        purpose="Stage",
        given_on=day_before,
        young_person=True,
        representatives=[mother],
        actor=actor,
    )
    assert consent.age_when_given == 15


def test_a_representative_of_another_client_is_refused():
    client, actor, _mother, _father = _client_aged(11)
    _other, _actor, stranger, _ = _client_aged(11)
    with pytest.raises(ValidationError, match="representatives of this client"):
        _record(client, actor, representatives=[stranger])


# --- wrong input: a clear message, nothing saved ------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"purpose": "   "}, "which purpose"),
        ({"given_on": D(2099, 1, 1)}, "future"),
        ({"valid_until": D(2026, 1, 1)}, "before the day the consent was given"),
        ({"recipient": "neighbour"}, "Choose whom"),
    ],
)
def test_a_wrong_consent_is_refused_and_nothing_is_saved(changes, message):
    client, actor, _mother, _father = _client_aged(17)
    fields = {
        "client": client,
        "recipient": ConsentRecipient.SCHOOL,
        "purpose": "Voortgang",
        "given_on": GIVEN_ON,
        "young_person": True,
        "actor": actor,
        **changes,
    }
    with pytest.raises(ValidationError, match=message):
        consent_record(**fields)
    assert not Consent.objects.filter(client=client).exists()


# --- history and the access log ------------------------------------------------------------


def test_recording_and_withdrawing_are_in_the_history_and_the_access_log():
    client, actor, _mother, _father = _client_aged(17)
    consent = _record(client, actor, young_person=True)
    withdrawn = consent_withdraw(
        consent=consent,
        withdrawn_on=D(2026, 4, 1),
        reason="De jongere, in het gesprek van vandaag",
        actor=actor,
    )
    assert withdrawn.withdrawn_on == D(2026, 4, 1)
    history = list(consent.history.order_by("history_date"))
    assert [h.history_change_reason for h in history] == ["consent recorded", "consent withdrawn"]
    assert {h.history_user for h in history} == {actor}
    assert history[0].withdrawn_on is None
    assert history[1].withdrawn_on == D(2026, 4, 1)
    events = list(
        AccessLogEntry.objects.filter(client=client, object_id=str(consent.pk))
        .order_by("pk")
        .values_list("event", flat=True)
    )
    assert events == ["create", "change"]


def test_a_withdrawal_needs_a_reason_and_a_day_within_the_consent():
    client, actor, _mother, _father = _client_aged(17)
    consent = _record(client, actor, young_person=True)
    with pytest.raises(ValidationError, match="Say who withdrew"):
        consent_withdraw(consent=consent, withdrawn_on=GIVEN_ON, reason=" ", actor=actor)
    with pytest.raises(ValidationError, match="before the day the consent was given"):
        consent_withdraw(consent=consent, withdrawn_on=D(2026, 1, 1), reason="jongere", actor=actor)
    with pytest.raises(ValidationError, match="future"):
        consent_withdraw(consent=consent, withdrawn_on=D(2099, 1, 1), reason="jongere", actor=actor)
    consent_withdraw(consent=consent, withdrawn_on=GIVEN_ON, reason="jongere", actor=actor)
    with pytest.raises(ValidationError, match="already been withdrawn"):
        consent_withdraw(consent=consent, withdrawn_on=GIVEN_ON, reason="jongere", actor=actor)
    consent.refresh_from_db()
    assert consent.withdrawal_reason == "jongere"


# --- whether a consent holds on a day --------------------------------------------------------


def test_a_consent_holds_from_the_day_given_until_its_end_and_not_from_its_withdrawal():
    consent = Consent(
        recipient=ConsentRecipient.SCHOOL,
        given_on=D(2026, 1, 10),
        valid_until=D(2026, 6, 30),
        withdrawn_on=D(2026, 5, 1),
    )
    assert not consent.holds_on(D(2026, 1, 9))
    assert consent.holds_on(D(2026, 1, 10))
    assert consent.holds_on(D(2026, 4, 30))
    assert not consent.holds_on(D(2026, 5, 1))  # the withdrawal day: no longer
    assert consent.ended_on == D(2026, 5, 1)
    consent.withdrawn_on = None
    assert consent.holds_on(D(2026, 6, 30))
    assert not consent.holds_on(D(2026, 7, 1))
    assert consent.ended_on == D(2026, 7, 1)


def test_the_state_says_since_when_no_consent_holds():
    school = ConsentRecipient.SCHOOL
    ended = Consent(recipient=school, given_on=D(2025, 1, 1), withdrawn_on=D(2025, 9, 1))
    renewed_then_withdrawn = Consent(
        recipient=school, given_on=D(2025, 10, 1), withdrawn_on=D(2026, 2, 3)
    )
    employer = Consent(recipient=ConsentRecipient.EMPLOYER, given_on=D(2025, 1, 1))
    consents = [ended, renewed_then_withdrawn, employer]
    assert consent_state(consents, recipient=school, on=D(2025, 11, 1)).holds
    state = consent_state(consents, recipient=school, on=D(2026, 3, 1))
    assert not state.holds
    assert state.since == D(2026, 2, 3)
    never = consent_state([employer], recipient=school, on=D(2026, 3, 1))
    assert not never.holds
    assert never.since is None
