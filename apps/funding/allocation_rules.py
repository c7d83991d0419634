"""The standard's rules for an allocation itself: how its size (volume, unit, frequency) may be
filled when it is registered, and what may change in it afterwards. Pure functions, no writes.

Sources (iJw / iWmo release 3.2, Zorginstituut Nederland):

- IV066 ("Wanneer krijgt een toewijzing een nieuw ToewijzingNummer?") and business rule
  OP033x1: an allocation may change only in its end date (shorter or longer), its budget, and
  its volume when the frequency is 6 (total within the validity); it may also be removed (end
  date = start date, reason 13). Any other change withdraws the allocation and sends a new one,
  with a new number, starting on the day the change takes effect.
- Code list JZ002 (WMO002): the reason for a change; CS336: code 01 is not used; CS335: code 13
  (removed) only when the start date equals the end date.
- Constraint CS338: with unit 14 (etmaal), 16 (day part), 83 (euro) or 84 (item, effort) and an
  end date after 31-12-2020 (or none), the frequency is 2, 4 or 6: per day only with minutes,
  hours and output items.
- Allocation variants (iJw 3.2 procesbeschrijving, 3.1.1 "Inspanningsgericht" and 3.3
  "Toewijzen"; IV075): a specific allocation names a product (category and code) with a volume
  and frequency; an aspecific one only a product category, "geen volume of frequentie", and
  maybe a budget, the most that may be spent in the period; a generic one neither category
  nor code, "alleen het maximum bedrag in het budget".
- Condition CD076: with frequency 2 (per week) the end date is required (the weekly volume is
  converted to months when claimed, IV076/IV077, which needs the end of the validity).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from .models import (
    Allocation,
    AllocationVariant,
    ChangeReason,
    Contract,
    ExecutionVariant,
    Frequency,
    Product,
    Unit,
)
from .reference import product_categories

# IV066 / OP033x1: what may change in an allocation without a new number.
IV066_CHANGEABLE = frozenset({"end", "volume", "budget_cents"})
# CS338: these units are never counted per day.
NOT_PER_DAY_UNITS = frozenset({Unit.DAY_24H, Unit.DAY_PART, Unit.EURO, Unit.ITEM_EFFORT})
CS338_FROM = date(2021, 1, 1)  # "Einddatum groter dan 31-12-2020 of leeg"


def _field_label(field: str) -> str:
    return {
        "start": _("start date"),
        "frequency": _("frequency"),
        "unit": _("unit"),
        "volume": _("volume"),
        "product": _("product"),
        "category": _("product category"),
        "variant": _("variant"),
    }.get(field, field)


def _replace_message(field: str) -> str:
    return _(
        "An allocation may change only in its end date, its budget and, when its frequency is "
        "“total within the validity”, its volume (IV066). To change the %(field)s, withdraw this "
        "allocation and register a new number: replace it."
    ) % {"field": _field_label(field)}


def change_reason_errors(*, reason: str, start: date, end: date | None) -> list[str]:
    """Why a JZ002 reason cannot be used for a change that leaves this validity; empty if it
    can."""
    if not reason:
        return [_("Choose the reason for the change (JZ002).")]
    if reason not in ChangeReason.values:
        return [_("%(reason)s is not a reason from code list JZ002.") % {"reason": reason}]
    if reason == ChangeReason.REMOVED and end != start:
        return [
            _(
                "Reason 13 (removed) is used only when the end date is set to the start date "
                "(CS335)."
            )
        ]
    return []


def allocation_change_errors(*, allocation: Allocation, changes: dict, reason: str) -> dict:
    """Why this change of an allocation is not allowed (field: messages); empty if it is."""
    errors: dict[str, list[str]] = {}
    for field, value in changes.items():
        if value == getattr(allocation, field) or field == "end":
            continue
        if field == "budget_cents" and allocation.budget_cents is not None:
            if value is None or value < 1:
                errors[field] = [_("A budget is at least € 0.01; an allocation keeps its budget.")]
            continue
        if field == "budget_cents":
            errors[field] = [
                _(
                    "This allocation has no budget; a budget cannot be added: replace the "
                    "allocation (IV066)."
                )
            ]
            continue
        if field == "volume" and allocation.frequency == Frequency.TOTAL:
            if allocation.is_specific:
                continue
            errors[field] = [_("An aspecific or generic allocation has a budget, not a volume.")]
            continue
        errors[field] = [_replace_message(field)]
    end = changes.get("end", allocation.end)
    reason_errors = change_reason_errors(reason=reason, start=allocation.start, end=end)
    if reason_errors:
        errors["reason"] = reason_errors
    return errors


def variant_errors(
    *,
    variant: str,
    product: Product | None,
    category: str,
    volume: int | None,
    budget_cents: int | None,
    contract: Contract | None,
) -> dict:
    """What the allocation's variant says must and may be given (field: messages); empty when
    it fits. Specific: a product and a volume, no category or budget of its own. Aspecific: a
    product category of the contract, no product or volume, a budget or not. Generic: a budget
    only (IV075; procesbeschrijving 3.1.1)."""
    errors: dict[str, list[str]] = {}
    if variant not in AllocationVariant.values:
        return {"variant": [_("Choose specific, aspecific or generic.")]}
    if budget_cents is not None and budget_cents < 1:
        errors["budget_cents"] = [_("A budget is at least € 0.01.")]
    if variant == AllocationVariant.SPECIFIC:
        if product is None:
            errors["product"] = [_("A specific allocation names its product.")]
        if category:
            errors["category"] = [
                _("A specific allocation takes its category from its product: leave it empty.")
            ]
        if volume is None:
            errors["volume"] = [_("A specific allocation has a volume.")]
        if budget_cents is not None:
            errors["budget_cents"] = [
                _(
                    "A specific allocation has a volume, not a budget; a budget goes with an "
                    "aspecific or generic allocation."
                )
            ]
        return errors
    name = AllocationVariant(variant).label
    if product is not None:
        errors["product"] = [
            _(
                "An allocation “%(variant)s” names no product: its contract's products price "
                "the care."
            )
            % {"variant": name}
        ]
    if volume is not None:
        errors["volume"] = [
            _("An allocation “%(variant)s” has no volume or frequency; give a budget instead.")
            % {"variant": name}
        ]
    if contract is None:
        errors["contract"] = [_("Choose the contract the allocation falls under.")]
    if variant == AllocationVariant.GENERIC:
        if category:
            errors["category"] = [_("A generic allocation names no product category.")]
        if budget_cents is None:
            errors["budget_cents"] = [_("A generic allocation is a budget: give the budget.")]
        return errors
    if not category:
        errors["category"] = [_("An aspecific allocation names a product category.")]
    elif contract is not None:
        code_list = contract.stream.product_category_list
        if code_list and category not in product_categories(code_list):
            errors["category"] = [
                _("%(category)s is not a product category of code list %(list)s.")
                % {"category": category, "list": code_list}
            ]
        elif not contract.products.filter(category=category).exists():
            errors["category"] = [
                _("Contract %(contract)s has no products of category %(category)s.")
                % {"contract": contract.reference, "category": category}
            ]
    return errors


def size_errors(*, unit: str, frequency: str, end: date | None) -> dict:
    """Why this volume unit and frequency cannot go together (field: messages), CS338 and
    CD076; empty if they can."""
    errors: dict[str, list[str]] = {}
    if (
        frequency == Frequency.PER_DAY
        and unit in NOT_PER_DAY_UNITS
        and (end is None or end >= CS338_FROM)
    ):
        errors["frequency"] = [
            _(
                "An allocation in %(unit)s is not counted per day: choose per week, per month "
                "or total within the validity (CS338). Per day goes only with minutes, hours "
                "and output items."
            )
            % {"unit": Unit(unit).label.lower()}
        ]
    if frequency == Frequency.PER_WEEK and end is None:
        errors["end"] = [
            _(
                "An allocation per week needs an end date (CD076): a weekly volume is turned "
                "into monthly claims over the validity."
            )
        ]
    return errors


# --- a weekly volume in a month (IV076, IV077) ------------------------------------------------


def _clipped(allocation: Allocation, first: date, last: date) -> tuple[date, date] | None:
    """The product period within the allocation's validity (IV089), or None."""
    lo = max(first, allocation.start)
    hi = last if allocation.end is None else min(last, allocation.end)
    return (lo, hi) if lo <= hi else None


def calendar_weeks_in_period(*, allocation: Allocation, first: date, last: date) -> int:
    """IV077, effort-based: the (possibly broken) calendar weeks, Monday to Sunday, of the
    product period within the allocation. A week across two months counts in both; the total
    over the validity (``Allocation.total_capacity``) keeps the claims within the allocation."""
    period = _clipped(allocation, first, last)
    if period is None:
        return 0
    lo, hi = period
    return (hi - (lo - timedelta(days=lo.weekday()))).days // 7 + 1


def sundays_in_period(*, allocation: Allocation, first: date, last: date) -> int:
    """IV076/IV077, output-based: the Sundays of the product period within the allocation, plus
    one when the allocation's last Sunday lies in it and the allocation does not end on a Sunday
    (its last, broken week is claimed with the month of its last Sunday)."""
    period = _clipped(allocation, first, last)
    if period is None:
        return 0
    lo, hi = period
    first_sunday = lo + timedelta(days=(6 - lo.weekday()))
    count = 0 if first_sunday > hi else (hi - first_sunday).days // 7 + 1
    end = allocation.end
    if end is not None and end.weekday() != 6:
        last_sunday = end - timedelta(days=end.weekday() + 1)
        if lo <= last_sunday <= hi and last_sunday >= allocation.start:
            count += 1
    return count


def weekly_claim_ceiling(*, allocation: Allocation, first: date, last: date) -> int:
    """The most a weekly allocation may claim for a product period (a calendar month, or the
    part of it within the allocation), in the allocation's unit: IV077's two methods, by the
    contract's execution variant (output-based: Sundays; otherwise calendar weeks)."""
    if allocation.frequency != Frequency.PER_WEEK:
        raise ValueError("weekly_claim_ceiling is for an allocation per week")
    if allocation.contract.execution_variant == ExecutionVariant.OUTPUT:
        weeks = sundays_in_period(allocation=allocation, first=first, last=last)
    else:
        weeks = calendar_weeks_in_period(allocation=allocation, first=first, last=last)
    return weeks * allocation.volume
