"""Why an activity is funded where it is, or not funded: stored as codes, shown in words.

An activity stores its reason as JSON ({"code": ..., params}); this module turns it into a
sentence in the reader's language, so that a manager reading in Dutch or in English sees the
same explanation.
"""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def _day(value: str | None) -> str:
    if not value:
        return _("open end")
    return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")


def refusal_text(refusal: dict) -> str:
    """One allocation's reason for not paying for an activity."""
    code = refusal["code"]
    if code == "not_active":
        return _("allocation %(number)s is not active") % refusal
    if code == "not_valid_on_date":
        return _("allocation %(number)s is valid from %(start)s to %(end)s, not on %(date)s") % {
            "number": refusal["number"],
            "start": _day(refusal["start"]),
            "end": _day(refusal["end"]),
            "date": _day(refusal["date"]),
        }
    if code == "stream_does_not_pay":
        return (
            _("%(stream)s (allocation %(number)s) does not pay for this kind of activity") % refusal
        )
    if code == "too_young":
        return _("%(stream)s (allocation %(number)s) pays only from age %(age)s") % refusal
    if code == "age_limit":
        return _(
            "%(stream)s (allocation %(number)s) does not pay after the %(age)sth birthday "
            "(%(birthday)s) unless extended youth care is recorded"
        ) % {**refusal, "birthday": _day(refusal["birthday"])}
    if code == "guidance_not_extended":
        return _(
            "allocation %(number)s is guidance, which is not extended after the 18th birthday "
            "(%(birthday)s) under the Jeugdwet: it moves to the Wmo"
        ) % {**refusal, "birthday": _day(refusal["birthday"])}
    if code == "unit_does_not_fit":
        return (
            _("allocation %(number)s is counted in %(unit)s, which this activity does not record")
            % refusal
        )
    if code == "volume_used":
        return _(
            "allocation %(number)s has %(left)s of %(capacity)s %(unit)s left from %(first)s "
            "to %(last)s; this activity needs %(needed)s"
        ) % {**refusal, "first": _day(refusal["first"]), "last": _day(refusal["last"])}
    return code


def funding_reason_text(reason: dict) -> str:
    """The stored funding reason of an activity as a sentence in the active language."""
    code = reason.get("code")
    if code == "assigned":
        if reason.get("fitting", 1) > 1:
            return (
                _(
                    "Assigned to allocation %(number)s (%(funder)s, %(stream)s): of %(fitting)s "
                    "fitting allocations, the one that ends first."
                )
                % reason
            )
        return (
            _(
                "Assigned to allocation %(number)s (%(funder)s, %(stream)s): the only fitting "
                "allocation."
            )
            % reason
        )
    if code == "chosen":
        return _("Assigned to allocation %(number)s (%(funder)s, %(stream)s), as chosen.") % reason
    if code == "no_allocation":
        return _("Unfunded: the client has no allocation yet. It is matched when one arrives.")
    if code == "unfunded":
        refusals = "; ".join(refusal_text(refusal) for refusal in reason.get("refusals", []))
        return _("Unfunded: no allocation fits (%(refusals)s). It is matched when one arrives.") % {
            "refusals": refusals
        }
    if code == "not_chargeable_kind":
        return _("Not chargeable: this kind of activity is recorded but never billed.")
    if code == "absent":
        return _("Not chargeable: the client was absent.")
    if code == "cancelled":
        return _("Cancelled: draws on no allocation.")
    return ""
