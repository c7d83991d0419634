"""Who decides about a minor's care: the WGBO's age rules (BW book 7, section 5).

- BW 7:465 lid 1: for a patient under 12 the obligations towards the patient are fulfilled
  towards the legal representatives (parents with parental authority, or the guardian).
- BW 7:450 lid 2: for a patient of 12 but not yet 16 the consent of the patient and of the
  parents with authority or the guardian is needed (the double consent).
- BW 7:447 lid 1 and 7:450 lid 1: a minor of 16 or older enters the treatment agreement and
  consents alone.
Sources: wetten.overheid.nl, BWBR0005290, Boek 7 Titel 7 Afdeling 5; summarised by
richtlijnenjeugdhulp.nl ("Toestemming voor behandeling": "tot twaalf jaar beslissen de
gezagdragende ouders", "twaalf tot en met vijftien jaar ... dubbele toestemming", "vanaf
zestien jaar beslist de jeugdige zelf").
"""

import datetime

import pytest

from apps.clients.models import LegalRepresentative
from apps.clients.representation import DecisionRule, decision_makers
from tests.clients.factories import ClientFactory

BORN = datetime.date(2010, 6, 15)


def on_age(age: int) -> datetime.date:
    return BORN.replace(year=BORN.year + age)  # the birthday itself: the new age


@pytest.fixture
def client_with_parents(db):
    client = ClientFactory(date_of_birth=BORN)
    mother = LegalRepresentative.objects.create(
        client=client, name="Moeder", relation="parent", parental_authority=True
    )
    LegalRepresentative.objects.create(
        client=client, name="Stiefvader", relation="other", parental_authority=False
    )
    return client, mother


@pytest.mark.parametrize(
    ("age", "rule", "young_person", "representatives"),
    [
        (11, DecisionRule.REPRESENTATIVES, False, True),  # BW 7:465 lid 1
        (12, DecisionRule.BOTH, True, True),  # BW 7:450 lid 2, from the 12th birthday
        (15, DecisionRule.BOTH, True, True),  # BW 7:450 lid 2, up to the 16th birthday
        (16, DecisionRule.YOUNG_PERSON, True, False),  # BW 7:447 lid 1, 7:450 lid 1
        (17, DecisionRule.YOUNG_PERSON, True, False),
        (18, DecisionRule.YOUNG_PERSON, True, False),  # of age (BW 1:233)
    ],
)
def test_who_decides_by_age(client_with_parents, age, rule, young_person, representatives):
    client, mother = client_with_parents
    deciders = decision_makers(client, on=on_age(age))
    assert deciders.age == age
    assert deciders.rule == rule
    assert deciders.young_person is young_person
    # Only a representative with parental authority decides; the step-father is informed.
    assert deciders.representatives == ((mother,) if representatives else ())


def test_the_day_before_the_12th_birthday_the_representatives_still_decide_alone(
    client_with_parents,
):
    client, _mother = client_with_parents
    day_before = on_age(12) - datetime.timedelta(days=1)
    assert decision_makers(client, on=day_before).rule == DecisionRule.REPRESENTATIVES
    assert decision_makers(client, on=on_age(16) - datetime.timedelta(days=1)).rule == "both"
