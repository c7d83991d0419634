"""Who may ask for a record's destruction, by age: the WGBO's age rules as
``apps.clients.representation.decision_makers`` gives them (BW 7:465, 7:450; for youth care
Jeugdwet 7.3.10 with 7.3.15). Under 12 the parents or guardian with parental authority ask; from
12 the young person may ask (a request is refused only when made by a child under 12: the VNG on
the Jeugdwet, and Wmo 2015 art. 12j lid 3-4 in the same words for Veilig Thuis), alone or
together with the parents or guardian until 16; from 16 the young person alone."""

from datetime import date

from django.utils.translation import gettext as _

from apps.clients.models import Client
from apps.clients.representation import DecisionRule, decision_makers

from .models import Requester

REQUESTERS_OF_RULE = {
    DecisionRule.REPRESENTATIVES: (Requester.REPRESENTATIVES,),
    DecisionRule.BOTH: (Requester.YOUNG_PERSON, Requester.BOTH),
    DecisionRule.YOUNG_PERSON: (Requester.YOUNG_PERSON,),
}


def requester_refusal(*, client: Client, requester: str, on: date) -> str | None:
    """Why this requester may not ask for the client's destruction on that day (None: they may)."""
    makers = decision_makers(client, on)
    allowed = REQUESTERS_OF_RULE[makers.rule]
    if requester not in allowed:
        return _("At %(age)s the request is made by %(who)s.") % {
            "age": makers.age,
            "who": _(" or by ").join(str(who.label) for who in allowed),
        }
    if requester != Requester.YOUNG_PERSON and not makers.representatives:
        return _(
            "No legal representative with parental authority is recorded for this client; "
            "record them first."
        )
    return None
