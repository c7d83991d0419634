"""An activity declared to a municipality is not changed silently.

The correction pages (apps.trajectories.correction_views) ask, through the signal
``activity_change_asked``, whether an activity may be corrected or cancelled. When a sent
declaration claims the care it is part of (a debit line, sent and not credited, of its
allocation and product for the month of its date), the page refuses and says what to do
(IV085: a claim without an answer is locked until the answer comes; an accepted claim is
withdrawn with a credit line in a later declaration, so it may be changed once the person
confirms it).
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.exchange.models import DebitCredit, DeclarationLine, DeclarationStatus, LineStatus


def declared_line_of(activity) -> DeclarationLine | None:
    """The live, sent debit line that claims the activity's care, if any."""
    if activity.allocation_id is None:
        return None
    product_id = activity.priced_product_id or activity.allocation.product_id
    return (
        DeclarationLine.objects.filter(
            allocation_id=activity.allocation_id,
            product_id=product_id,
            period_start__lte=activity.date,
            period_end__gte=activity.date,
            debit_credit=DebitCredit.DEBIT,
            status__in=[LineStatus.PENDING, LineStatus.ACCEPTED],
        )
        .exclude(run__status=DeclarationStatus.DRAFT)
        .select_related("run__funder")
        .order_by("-pk")
        .first()
    )


def declared_activity_refused(
    sender, *, activity, actor, confirmed: bool = False, **kwargs
) -> str | None:
    """The receiver of ``activity_change_asked``: a refusal when the care is declared.

    A claim without an answer is locked (IV085): no change until the answer comes. An accepted
    claim may be changed only when the person confirms it (``confirmed``): the next
    declaration of that month then withdraws it with a credit line and claims anew."""
    line = declared_line_of(activity)
    if line is None:
        return None
    names = {
        "funder": line.run.funder.name,
        "number": line.run.number,
        "month": date_format(line.period_start, "YEAR_MONTH_FORMAT"),
    }
    if line.status == LineStatus.PENDING:
        return (
            _(
                "This activity is claimed in declaration %(number)s to %(funder)s "
                "(%(month)s), which has been sent and not yet answered. It cannot be changed "
                "until the municipality has answered: try again after the answer has come in."
            )
            % names
        )
    if confirmed:
        return None
    return (
        _(
            "This activity was declared to %(funder)s in declaration %(number)s (%(month)s) "
            'and accepted. A change alters that claim: tick "Change the declared claim" to go '
            "on; the next declaration of that month then withdraws the claim and claims it anew."
        )
        % names
    )
