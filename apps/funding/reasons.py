"""Why an activity is funded where it is, or not funded: stored as codes, shown in words.

An activity stores its reason as JSON ({"code": ..., params}); this module turns it into a
sentence in the reader's language, so that a manager reading in Dutch or in English sees the
same explanation.
"""

from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.domains import ActivityKind


def _day(value: str | None) -> str:
    if not value:
        return _("open end")
    return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")


def _euros(cents: int) -> str:
    return "€ " + number_format(
        Decimal(cents) / 100, decimal_pos=2, use_l10n=True, force_grouping=True
    )


def _kind(code: str) -> str:
    """An activity kind's name in the reader's language, lower-case inside a sentence."""
    if code in ActivityKind.values:
        return str(ActivityKind(code).label).lower()
    return code


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
    if code == "product_does_not_pay_kind":
        return _("product %(product)s (allocation %(number)s) does not pay for %(kind)s") % {
            **refusal,
            "kind": _kind(refusal["kind"]),
        }
    if code == "not_responsible_municipality":
        return _(
            "%(funder)s (allocation %(number)s) is not the responsible municipality on "
            "%(date)s: under the woonplaatsbeginsel %(municipality)s pays for %(stream)s care"
        ) % {**refusal, "date": _day(refusal["date"])}
    if code == "other_law_first":
        return (
            _(
                "%(stream)s (allocation %(number)s) does not pay for this care: %(first_stream)s "
                "(allocation %(first_number)s) goes first (%(article)s)"
            )
            % refusal
        )
    if code == "wlz_indication":
        return _(
            "%(stream)s (allocation %(number)s) does not pay for this care: the client has a "
            "Wlz indication of the CIZ on %(date)s, so the Wlz goes first (%(article)s)"
        ) % {**refusal, "date": _day(refusal["date"])}
    if code == "not_own_insurer":
        return _(
            "%(funder)s (allocation %(number)s) is not the client's own health insurer on "
            "%(date)s: the Zvw pays through the insurer with UZOVI code %(uzovi)s"
        ) % {**refusal, "date": _day(refusal["date"])}
    if code == "too_young":
        return _("%(stream)s (allocation %(number)s) pays only from age %(age)s") % refusal
    if code == "age_limit":
        return _(
            "%(stream)s (allocation %(number)s) does not pay after the %(age)sth birthday "
            "(%(birthday)s) unless extended youth care is recorded"
        ) % {**refusal, "birthday": _day(refusal["birthday"])}
    if code == "guidance_not_extended" and refusal.get("kind"):
        return _(
            "guidance (begeleiding) is not extended after the 18th birthday (%(birthday)s) "
            "under the Jeugdwet, not even with extended youth care (allocation %(number)s): "
            "it moves to the Wmo"
        ) % {**refusal, "birthday": _day(refusal["birthday"])}
    if code == "personal_care_not_extended":
        return _(
            "personal care is not extended after the 18th birthday (%(birthday)s) under the "
            "Jeugdwet, not even with extended youth care (allocation %(number)s): it moves to "
            "the Wmo or the Zvw"
        ) % {**refusal, "birthday": _day(refusal["birthday"])}
    if code == "ggz_from_18_zvw":
        return _(
            "allocation %(number)s is youth GGZ: from the 18th birthday (%(birthday)s) GGZ "
            "treatment is paid by the health insurer (Zvw), also with extended youth care "
            "(%(article)s)"
        ) % {**refusal, "birthday": _day(refusal["birthday"])}
    if code == "extended_age_limit":
        return _(
            "%(stream)s (allocation %(number)s) does not pay from the %(age)srd birthday "
            "(%(birthday)s), not even with extended youth care"
        ) % {**refusal, "birthday": _day(refusal["birthday"])}
    if code == "extended_not_on_date":
        return _(
            "%(stream)s (allocation %(number)s) does not pay after the 18th birthday "
            "(%(birthday)s) outside the recorded extended youth care (%(start)s to %(until)s); "
            "this activity is on %(date)s"
        ) % {
            **refusal,
            "birthday": _day(refusal["birthday"]),
            "start": _day(refusal["start"]),
            "until": _day(refusal["until"]),
            "date": _day(refusal["date"]),
        }
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
    if code == "leave_not_paid":
        return _("the contract of allocation %(number)s does not pay leave nights") % refusal
    if code == "leave_limit_reached":
        return ngettext(
            "the contract of allocation %(number)s pays %(paid)s leave night from %(first)s "
            "to %(last)s, and it is used",
            "the contract of allocation %(number)s pays %(paid)s leave nights from %(first)s "
            "to %(last)s, and they are used",
            refusal["paid"],
        ) % {**refusal, "first": _day(refusal["first"]), "last": _day(refusal["last"])}
    if code == "uwv_needs_employment":
        return (
            _(
                "the UWV (allocation %(number)s) pays job coaching only alongside employment, and "
                "no job is recorded on this date: without one the municipality pays it under the "
                "Participatiewet"
            )
            % refusal
        )
    if code == "pilot_not_valid_on_date":
        return _("pilot %(pilot)s runs from %(start)s to %(end)s, not on %(date)s") % {
            "pilot": refusal["pilot"],
            "start": _day(refusal["start"]),
            "end": _day(refusal["end"]),
            "date": _day(refusal["date"]),
        }
    if code == "pilot_domain":
        return _("pilot %(pilot)s does not cover this domain") % refusal
    if code == "pilot_no_product":
        return _("no product of pilot %(pilot)s fits this activity") % refusal
    if code == "budget_used":
        return _(
            "allocation %(number)s has %(left)s left of its budget of %(budget)s; this "
            "activity, priced by product %(product)s, costs %(needed)s"
        ) % {
            "number": refusal["number"],
            "product": refusal["product"],
            "left": _euros(refusal["left"]),
            "budget": _euros(refusal["budget"]),
            "needed": _euros(refusal["needed"]),
        }
    if code == "variant_no_product":
        if refusal.get("category"):
            return _(
                "no product of category %(category)s of contract %(contract)s (allocation "
                "%(number)s) pays for %(kind)s"
            ) % {**refusal, "kind": _kind(refusal["kind"])}
        return _(
            "no product of contract %(contract)s (allocation %(number)s) pays for %(kind)s"
        ) % {**refusal, "kind": _kind(refusal["kind"])}
    if code == "pilot_budget_used":
        return _(
            "pilot %(pilot)s has %(left)s left of its budget; this activity costs %(needed)s"
        ) % {
            "pilot": refusal["pilot"],
            "left": _euros(refusal["left"]),
            "needed": _euros(refusal["needed"]),
        }
    if code == "pool_not_enrolled_on_date":
        if refusal["end"]:
            return _(
                "the client takes part in pool %(pilot)s from %(start)s until %(end)s, not on "
                "%(date)s"
            ) % {
                "pilot": refusal["pilot"],
                "start": _day(refusal["start"]),
                "end": _day(refusal["end"]),
                "date": _day(refusal["date"]),
            }
        return _("the client takes part in pool %(pilot)s from %(start)s, not on %(date)s") % {
            "pilot": refusal["pilot"],
            "start": _day(refusal["start"]),
            "date": _day(refusal["date"]),
        }
    if code == "pool_client_budget_used":
        return _(
            "the client has %(left)s left of their budget in pool %(pilot)s; this activity "
            "costs %(needed)s"
        ) % {
            "pilot": refusal["pilot"],
            "left": _euros(refusal["left"]),
            "needed": _euros(refusal["needed"]),
        }
    return code


def _zvw_missing(code: str) -> str:
    return {
        "insurer": _("the insurer (UZOVI code)"),
        "policy": _("the policy number"),
        "insurance_checked": _("the date the insurance was checked"),
        "referral": _("a referral that gives access to specialist ggz"),
        "referral_after": _("a referral dated on or before the care"),
        "regiebehandelaar": _("the regiebehandelaar"),
        "regiebehandelaar_profession": _("a regiebehandelaar of a profession that may be one"),
        "typing": _("a care-demand typing of the last year"),
    }.get(code, code)


def _zvw_route_text(reason: dict) -> str:
    """GGZ treatment from the 18th birthday: paid by the insurer per prestatie (the Zvw), or
    waiting for what the route still misses (apps.zvw)."""
    if reason["code"] == "zvw_route":
        return _(
            "GGZ treatment from the 18th birthday (%(birthday)s): the Zvw pays, through "
            "insurer %(uzovi)s, per prestatie of the zorgprestatiemodel."
        ) % {"birthday": _day(reason["birthday"]), "uzovi": reason["uzovi"]}
    missing = ", ".join(_zvw_missing(code) for code in reason.get("missing", []))
    text = _(
        "Unfunded: GGZ treatment from the 18th birthday (%(birthday)s) is paid by the Zvw, but "
        "the client's Zvw route misses %(missing)s. It is matched when the route is complete."
    ) % {"birthday": _day(reason["birthday"]), "missing": missing}
    refusals = "; ".join(refusal_text(refusal) for refusal in reason.get("refusals", []))
    if refusals:
        text += " " + _("No allocation pays for it: %(refusals)s.") % {"refusals": refusals}
    return text


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
    if code == "pilot":
        return (
            _("Paid from the integral pilot budget %(pilot)s (%(funder)s), product %(product)s.")
            % reason
        )
    if code in ("zvw_route", "zvw_route_incomplete"):
        return _zvw_route_text(reason)
    if code == "no_allocation":
        return _("Unfunded: the client has no allocation yet. It is matched when one arrives.")
    if code == "unfunded":
        refusals = "; ".join(refusal_text(refusal) for refusal in reason.get("refusals", []))
        return _("Unfunded: no allocation fits (%(refusals)s). It is matched when one arrives.") % {
            "refusals": refusals
        }
    if code == "school_funded":
        return _(
            "Not chargeable: schools are not paid per lesson. (V)SO and praktijkonderwijs are "
            "funded per pupil through DUO with a TLV from the samenwerkingsverband, regular VO "
            "and the MBO by a lump sum. It counts for attendance and progress."
        )
    if code == "school_programme":
        return _(
            "Not chargeable: an internship is part of the school programme and is funded with "
            "the school. It counts for attendance and progress."
        )
    if code == "not_chargeable_kind":
        return _("Not chargeable: this kind of activity is recorded but never billed.")
    if code == "absent":
        return _("Not chargeable: the client was absent.")
    if code == "leave":
        refusals = "; ".join(refusal_text(refusal) for refusal in reason.get("refusals", []))
        return _("Not chargeable: a leave night (%(refusals)s).") % {"refusals": refusals}
    if code == "cancelled":
        return _("Cancelled: draws on no allocation.")
    return ""


def alert_text(kind: str, details: dict, *, sees_identity: bool = True) -> str:
    """A funding alert's message in the active language (apps/funding/alerts.py).

    The 18th birthday gives away the date of birth: without ``sees_identity`` (a shielded
    client outside its care team) it is left out.
    """
    if kind == "allocation_80":
        if details.get("windowed"):
            return _("Allocation %(number)s is %(percent)s%% used in its current window.") % details
        return _("Allocation %(number)s is %(percent)s%% used.") % details
    if kind == "allocation_100":
        if details.get("windowed"):
            return (
                _(
                    "Allocation %(number)s is used up in its current window: further care in this "
                    "window waits unfunded until the next."
                )
                % details
            )
        return (
            _(
                "Allocation %(number)s is used up: further care waits unfunded until the funder "
                "extends it or a new allocation arrives."
            )
            % details
        )
    if kind == "allocation_ending":
        return _(
            "Allocation %(number)s ends on %(end)s and no follow-up allocation is registered: "
            "ask the funder for a new decision in time."
        ) % {"number": details["number"], "end": _day(details["end"])}
    if kind == "turns_18" and not sees_identity:
        text = _(
            "Turns 18 within 90 days. The Jeugdwet stops paying then unless extended youth "
            "care is recorded; care moves to the Wmo, the Zvw or the Wlz, and a new allocation "
            "is needed."
        )
    elif kind == "turns_18":
        text = _(
            "Turns 18 on %(birthday)s. The Jeugdwet (allocation %(numbers)s) stops paying then "
            "unless extended youth care is recorded; care moves to the Wmo, the Zvw or the "
            "Wlz, and a new allocation is needed."
        ) % {"birthday": _day(details["birthday"]), "numbers": ", ".join(details["numbers"])}
    if kind == "turns_18":
        if details.get("ggz"):
            text += " " + _(
                "GGZ treatment moves to the Zvw on the birthday: the health insurer pays it per "
                "prestatie once the client's Zvw route is complete."
            )
        if details.get("guidance"):
            text += " " + _("Guidance is never extended after 18: it moves to the Wmo.")
            if details.get("wmo_guidance"):
                text += " " + _("It continues under the Wmo (allocation %(numbers)s).") % {
                    "numbers": ", ".join(details["wmo_guidance"])
                }
            elif "wmo_guidance" in details:
                text += " " + _(
                    "No Wmo allocation for it is registered: guidance stops on the birthday."
                )
        return text
    if kind == "unfunded_waiting":
        return ngettext(
            "%(count)s activity has waited for funding since %(oldest)s.",
            "%(count)s activities have waited for funding since %(oldest)s.",
            details["count"],
        ) % {"count": details["count"], "oldest": _day(details["oldest"])}
    return kind
