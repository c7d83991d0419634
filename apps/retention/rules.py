"""Who may ask for a record's destruction, by age: the WGBO's age rules as
``apps.clients.representation.decision_makers`` gives them (BW 7:465, 7:450; for youth care
Jeugdwet 7.3.10 with 7.3.15). Under 12 the parents or guardian with parental authority ask;
from 12 to 15 the young person asks together with them; from 16 the young person alone."""

from datetime import date

from django.utils.translation import gettext as _

from apps.clients.models import Client
from apps.clients.representation import DecisionRule, decision_makers

from .models import Requester

REQUESTER_OF_RULE = {
    DecisionRule.REPRESENTATIVES: Requester.REPRESENTATIVES,
    DecisionRule.BOTH: Requester.BOTH,
    DecisionRule.YOUNG_PERSON: Requester.YOUNG_PERSON,
}


def requester_refusal(*, client: Client, requester: str, on: date) -> str | None:
    """Why this requester may not ask for the client's destruction on that day (None: they may)."""
    makers = decision_makers(client, on)
    expected = REQUESTER_OF_RULE[makers.rule]
    if requester != expected:
        return _("At %(age)s the request is made by %(who)s. %(rule)s") % {
            "age": makers.age,
            "who": expected.label,
            "rule": makers.text,
        }
    if makers.rule != DecisionRule.YOUNG_PERSON and not makers.representatives:
        return _(
            "No legal representative with parental authority is recorded for this client; "
            "record them first."
        )
    return None
