"""The rules a JW301 / WMO301 is checked on, and the plan of what each allocated product does.

Level 2 (IV028): the constraints and conditions inside the message (CS002, CS335, CS336, CS338,
CD076), each answered with 0001. Levels 3 and 4: the rules across messages and our data: the
date (TR135, 8848), the municipality's contract, the products of that contract (TR381, S329),
the allocation numbers (TR332, 9332), Omvang against Product (TR411 9411, TR412 9412), and what
a known number may change (IV066).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.clients.validators import bsn_passes_eleven_test
from apps.exchange.codes import STREAM_OF_STANDARD
from apps.exchange.xml import Header
from apps.funding.allocation_rules import size_errors
from apps.funding.models import Allocation, Contract, Funder, Product

from .lines import Line

# The funding stream of each standard's allocations (FundingStream.code).
CS338_UNITS_NEED_END = datetime.date(2020, 12, 31)  # TR412: "einddatum > 31-12-2020 of leeg"


@dataclass
class Plan:
    """What one line does: register, change, withdraw, replace, wait; or its error code."""

    line: Line
    action: str = ""
    existing: Allocation | None = None
    contract: Contract | None = None
    product: Product | None = None
    changes: dict = field(default_factory=dict)
    code: str = ""
    text: str = ""
    replaces: Plan | None = None  # the change/withdrawal line a new line takes over from


def entry(code: str, text: str, path: str = "") -> dict:
    return {"code": code, "text": str(text), "path": path}


# --- level 2: the rules inside the message ----------------------------------------------------


def inside_rules(*, bsn: str, lines: list[Line]) -> list[dict]:
    """The constraints and conditions (CS/CD) the message breaks; each answers 0001."""
    problems = []
    if not bsn_passes_eleven_test(bsn):
        problems.append(
            entry("0001", _("The BSN %(bsn)s fails the eleven-test (CS002).") % {"bsn": bsn})
        )
    for line in lines:
        if line.end is not None and line.end < line.start:
            problems.append(entry("0001", _("Einddatum lies before Ingangsdatum."), line.path))
        if line.reason == "01":
            problems.append(
                entry("0001", _("RedenWijziging 01 is no longer used (CS336)."), line.path)
            )
        if line.reason == "13" and line.end != line.start:
            problems.append(
                entry(
                    "0001",
                    _("RedenWijziging 13 (removed) needs Einddatum = Ingangsdatum (CS335)."),
                    line.path,
                )
            )
        if line.volume is not None:
            for messages in size_errors(
                unit=line.unit, frequency=line.frequency, end=line.end
            ).values():
                problems.extend(entry("0001", text, line.path) for text in messages)
    return problems


# --- levels 3 and 4: the rules across messages and our data ----------------------------------


def header_rules(*, organisation: Organisation, header: Header, funder: Funder | None) -> dict:
    """What is wrong with the message as a whole: its date, its sender (TR135; our contracts)."""
    if header.dated > timezone.localdate():
        return entry(
            "8848", _("The Dagtekening lies after today (TR135)."), "Header/BerichtIdentificatie"
        )
    stream = STREAM_OF_STANDARD[header.standard]
    has_contract = (
        funder is not None
        and Contract.objects.filter(
            funder=funder, organisation=organisation, stream__code=stream
        ).exists()
    )
    if not has_contract:
        return entry(
            "0001",
            _(
                "Municipality %(code)s has no contract with %(organisation)s for the %(stream)s: "
                "its allocations cannot be received. Record the municipality (CBS code) and its "
                "contract first."
            )
            % {
                "code": header.sender,
                "organisation": organisation.name,
                "stream": _("Jeugdwet") if header.standard == "ijw" else _("Wmo"),
            },
            "Header/Afzender",
        )
    return {}


def _contract_on(contracts: list[Contract], day: datetime.date) -> Contract | None:
    valid = [c for c in contracts if c.start <= day and (c.end is None or c.end >= day)]
    return valid[-1] if valid else (contracts[-1] if contracts else None)


def line_plan(
    *,
    line: Line,
    funder: Funder,
    contracts: list[Contract],
    bsn: str,
    client: Client | None,
) -> Plan:
    plan = Plan(line=line)
    existing = (
        Allocation.objects.filter(funder=funder, number=line.number)
        .select_related("client", "product", "contract")
        .first()
    )
    if existing is not None:
        if existing.client.bsn != bsn or client is None or existing.client_id != client.pk:
            plan.code, plan.text = (
                "9332",
                _("ToewijzingNummer %(number)s is already used for another client (TR332).")
                % {"number": line.number},
            )
            return plan
        plan.existing = existing
        if line.withdraws:
            plan.action = "withdraw"
            return plan
        return _plan_change(plan, existing)
    if line.withdraws:
        plan.code, plan.text = (
            "0001",
            _("ToewijzingNummer %(number)s is withdrawn, but it was never received.")
            % {"number": line.number},
        )
        return plan
    return _plan_new(plan, contracts)


def _plan_change(plan: Plan, existing: Allocation) -> Plan:
    """A known number again: the same allocation, changed only as IV066 allows."""
    line = plan.line
    fixed = {
        "start": (existing.start, line.start),
        "category": (
            existing.category or (existing.product.category if existing.product else ""),
            line.category,
        ),
        "code": (existing.product.code if existing.product else "", line.code),
    }
    if line.volume is not None:
        fixed["unit"] = (existing.unit, line.unit)
        fixed["frequency"] = (existing.frequency, line.frequency)
    differs = [name for name, (old, new) in fixed.items() if old != new]
    if differs:
        plan.code, plan.text = (
            "9332",
            _(
                "ToewijzingNummer %(number)s is known with another %(fields)s: an allocation "
                "changes only in its end date, budget and total volume (IV066); a new "
                "allocation needs a new number (TR332)."
            )
            % {"number": line.number, "fields": ", ".join(differs)},
        )
        return plan
    changes = {"end": line.end}
    if line.volume is not None:
        changes["volume"] = line.volume
    if line.budget_cents is not None:
        changes["budget_cents"] = line.budget_cents
    plan.changes = {k: v for k, v in changes.items() if v != getattr(existing, k)}
    plan.action = "change" if plan.changes else "same"
    return plan


def _plan_new(plan: Plan, contracts: list[Contract]) -> Plan:
    line = plan.line
    if line.code and line.volume is None:
        plan.code, plan.text = "9411", _("Omvang is empty while Product has a Code (TR411).")
        return plan
    if (
        not line.code
        and line.volume is not None
        and (line.end is None or line.end > CS338_UNITS_NEED_END)
    ):
        plan.code, plan.text = "9412", _("Omvang is given while Product has no Code (TR412).")
        return plan
    contract = _contract_on(contracts, line.start)
    if line.code:
        products = Product.objects.filter(
            contract__in=contracts, category=line.category, code=line.code
        ).select_related("contract")
        product = (
            next((p for p in products if p.contract_id == getattr(contract, "pk", None)), None)
            or products.first()
        )
        if product is None:
            plan.code, plan.text = (
                "S329",
                _(
                    "Product %(category)s/%(code)s is not in the contract with this "
                    "municipality: product code %(code)s does not belong to category "
                    "%(category)s there (TR381)."
                )
                % {"category": line.category, "code": line.code},
            )
            return plan
        plan.product, plan.contract = product, product.contract
    elif line.category:
        with_category = [c for c in contracts if c.products.filter(category=line.category).exists()]
        plan.contract = _contract_on(with_category, line.start)
        if plan.contract is None:
            plan.code, plan.text = (
                "0001",
                _("The contract with this municipality has no products of category %(category)s.")
                % {"category": line.category},
            )
            return plan
    else:
        plan.contract = contract
        if line.budget_cents is None:
            plan.code, plan.text = (
                "0001",
                _("A generic allocation (no Product) is a budget: Budget is missing (IV075)."),
            )
            return plan
    plan.action = "new"
    return plan


def duplicates(plans: list[Plan]) -> None:
    """TR332: a ToewijzingNummer occurs once in a message."""
    seen: dict[str, int] = {}
    for plan in plans:
        seen[plan.line.number] = seen.get(plan.line.number, 0) + 1
    for plan in plans:
        if seen[plan.line.number] > 1 and not plan.code:
            plan.code, plan.text = (
                "9332",
                _("ToewijzingNummer %(number)s occurs more than once in this message (TR332).")
                % {"number": plan.line.number},
            )


def pair_replacements(plans: list[Plan]) -> None:
    """IV066: a municipality replaces an allocation by ending (or withdrawing) it and sending a
    new number that takes over the next day (or from its start). Such a pair in one message is
    one replacement: the new allocation records the one it replaces."""
    enders = [
        plan
        for plan in plans
        if not plan.code
        and (
            plan.action == "withdraw" or (plan.action == "change" and set(plan.changes) == {"end"})
        )
    ]
    for plan in plans:
        if plan.action != "new" or plan.code:
            continue
        for ender in enders:
            old = ender.existing
            takes_over = (
                plan.line.start <= old.start
                if ender.action == "withdraw"
                else ender.line.end is not None
                and plan.line.start == ender.line.end + datetime.timedelta(days=1)
            )
            same_kind = old.variant == plan.line.variant and old.contract_id == plan.contract.pk
            if takes_over and same_kind and ender.action != "replaced":
                plan.replaces = ender
                ender.action = "replaced"
                break
