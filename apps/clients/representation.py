"""Who decides about a minor client's care: the age rules of the WGBO (BW book 7, title 7,
section 5), which the Jeugdwet follows for youth care (its paragraph 7.3).

- under 12: the legal representatives decide (BW 7:465 lid 1); the child is informed;
- 12 to 15 (up to the 16th birthday): both the young person and the representatives
  (BW 7:450 lid 2);
- 16 and older: the young person alone (BW 7:447 lid 1, 7:450 lid 1); from 18 the young
  person is of age and decides in any case.

The exceptions the articles make (a young person of 12 to 15 who, to prevent serious harm,
keeps wanting the care; a young person unable to weigh their interests, BW 7:465 lid 2-3)
are for the caseworker to judge and record; this gives the rule as it stands.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .models import Client, LegalRepresentative

CHILD_UNTIL_AGE = 12  # below: the representatives
MINOR_WHO_DECIDES_ALONE_AGE = 16  # from here: the young person alone


class DecisionRule(StrEnum):
    REPRESENTATIVES = "representatives"
    BOTH = "both"
    YOUNG_PERSON = "young_person"


RULE_TEXTS = {
    DecisionRule.REPRESENTATIVES: _(
        "Under 12: the legal representatives decide; the child is informed (BW 7:465 lid 1)."
    ),
    DecisionRule.BOTH: _(
        "From 12 to 15: the young person and the legal representatives both consent "
        "(BW 7:450 lid 2)."
    ),
    DecisionRule.YOUNG_PERSON: _(
        "16 or older: the young person decides alone (BW 7:447 and 7:450 lid 1)."
    ),
}


@dataclass(frozen=True)
class DecisionMakers:
    age: int
    rule: DecisionRule
    young_person: bool  # the young person decides (alone or with the representatives)
    representatives: tuple[LegalRepresentative, ...]

    @property
    def text(self) -> str:
        return str(RULE_TEXTS[self.rule])


def decision_rule_for_age(age: int) -> DecisionRule:
    if age < CHILD_UNTIL_AGE:
        return DecisionRule.REPRESENTATIVES
    if age < MINOR_WHO_DECIDES_ALONE_AGE:
        return DecisionRule.BOTH
    return DecisionRule.YOUNG_PERSON


def decision_makers(
    client: Client,
    on: date,
    representatives: list[LegalRepresentative] | None = None,
) -> DecisionMakers:
    """Who decides about the client's care on a day. Of the representatives only those who
    hold parental authority (gezag) decide; a representative without it is informed only.
    ``representatives`` may be given when they are already at hand (else they are read)."""
    age = client.age_on(on)
    rule = decision_rule_for_age(age)
    if representatives is None:
        representatives = list(client.representatives.all())
    deciding = (
        ()
        if rule == DecisionRule.YOUNG_PERSON
        else tuple(r for r in representatives if r.parental_authority)
    )
    return DecisionMakers(
        age=age,
        rule=rule,
        young_person=rule != DecisionRule.REPRESENTATIVES,
        representatives=deciding,
    )
