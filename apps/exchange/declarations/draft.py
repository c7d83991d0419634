"""Drafting a month's declaration: new claims, corrections of accepted claims, and rejected
claims the manager corrected.

Sources (iJw / iWmo 3.2, "UP-OP-IV"): IV085 (a claim is withdrawn with a credit line, only
after the answer to its debit line came and did not reject it; a rejected line is never
credited), IV086 (a credit line and the new debit line may travel in one message; the total is
debits minus credits), CD060 (a credit line names the claim it withdraws in
VorigReferentieNummer).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from apps.accounts.models import Organisation, User
from apps.exchange.models import (
    DebitCredit,
    DeclarationLine,
    DeclarationRun,
    DeclarationStatus,
    LineStatus,
    Resolution,
)
from apps.exchange.store import message_next_identification
from apps.funding.models import Funder

from .figures import STREAM_OF_STANDARD, Figure, month_bounds, month_figures


def _reference(run: DeclarationRun, index: int) -> str:
    # The declaration number (12 digits) and the line's place: at most 20 positions (RS019),
    # unique for the organisation (TR314) because the number is.
    return f"{run.number}{index:06d}"


def _differs(line: DeclarationLine, figure: Figure) -> bool:
    return (line.volume, line.amount_cents, line.period_end, line.unit, line.tariff_cents) != (
        figure.volume,
        figure.amount_cents,
        figure.period_end,
        figure.unit,
        figure.tariff_cents,
    )


def declaration_draft(
    *, organisation: Organisation, funder: Funder, month: date, actor: User | None
) -> list[DeclarationRun]:
    """Draft (or draft again) the month's declarations to a municipality, one per standard that
    has something to declare; returns the drafts. A sent line is never changed."""
    month_start, month_end = month_bounds(month)
    if month_end >= timezone.localdate():
        raise ValidationError(_("A month can be declared once it is over."))
    runs = []
    for standard in STREAM_OF_STANDARD:
        run = _draft_one(
            organisation=organisation,
            funder=funder,
            standard=standard,
            month_start=month_start,
            month_end=month_end,
            actor=actor,
        )
        if run is not None:
            runs.append(run)
    return runs


@transaction.atomic
def _draft_one(
    *,
    organisation: Organisation,
    funder: Funder,
    standard: str,
    month_start: date,
    month_end: date,
    actor: User | None,
) -> DeclarationRun | None:
    runs = DeclarationRun.objects.select_for_update().filter(
        organisation=organisation, funder=funder, standard=standard, period_start=month_start
    )
    run = runs.filter(status=DeclarationStatus.DRAFT).first()
    if run is not None:
        run.lines.all().delete()  # a draft is computed again from the current figures
    figures = {
        figure.key: figure
        for figure in month_figures(
            organisation=organisation, funder=funder, standard=standard, month=month_start
        )
    }
    earlier = DeclarationLine.objects.filter(
        organisation=organisation,
        run__funder=funder,
        run__standard=standard,
        run__period_start=month_start,
        debit_credit=DebitCredit.DEBIT,
    ).exclude(run__status=DeclarationStatus.DRAFT)
    live, blocked, again = {}, set(), {}
    for line in earlier.order_by("pk"):
        key = (line.allocation_id, line.product_id, line.period_start)
        if line.status in (LineStatus.PENDING, LineStatus.ACCEPTED):
            live[key] = line
        elif line.status == LineStatus.REJECTED:
            if line.resolution == Resolution.CORRECTED:
                if not line.declared_again_by.exists():
                    again[key] = line
            else:
                blocked.add(key)  # waiting for the manager's decision, or dropped
    new: list[DeclarationLine] = []
    template = {"organisation": organisation, "status": LineStatus.DRAFT}
    for key in sorted(set(figures) | set(live), key=lambda k: (k[2], k[0], k[1])):
        figure, old = figures.get(key), live.get(key)
        if old is not None:
            if old.status == LineStatus.PENDING:
                continue  # sent, no answer yet: locked until the 325 comes (IV085)
            if figure is not None and not _differs(old, figure):
                continue  # declared and accepted as it is: never declared twice
            # IV085: withdraw the accepted claim with a credit line, then claim anew.
            new.append(
                DeclarationLine(
                    **template,
                    allocation_id=old.allocation_id,
                    client_id=old.client_id,
                    product_id=old.product_id,
                    period_start=old.period_start,
                    period_end=old.period_end,
                    volume=old.volume,
                    unit=old.unit,
                    tariff_cents=old.tariff_cents,
                    amount_cents=old.amount_cents,
                    debit_credit=DebitCredit.CREDIT if old.amount_cents else DebitCredit.DEBIT,
                    previous_reference=old.reference if old.amount_cents else "",
                    credits=old,
                )
            )
            if new[-1].debit_credit == DebitCredit.DEBIT:
                new.pop()  # CS325: a claim of 0 cannot be credited; it stays as it was
                continue
        elif key in blocked or figure is None:
            continue
        if figure is None or figure.volume == 0:
            continue
        new.append(
            DeclarationLine(
                **template,
                allocation_id=figure.allocation_id,
                client_id=figure.client_id,
                product_id=figure.product_id,
                period_start=figure.period_start,
                period_end=figure.period_end,
                volume=figure.volume,
                unit=figure.unit,
                tariff_cents=figure.tariff_cents,
                amount_cents=figure.amount_cents,
                declares_again=again.get(key),
            )
        )
    if not new:
        if run is not None:
            run._history_user = actor
            run.delete()
        return None
    if run is None:
        run = DeclarationRun(
            organisation=organisation,
            funder=funder,
            standard=standard,
            period_start=month_start,
            period_end=month_end,
            number=message_next_identification(organisation=organisation),
            created_by=actor,
        )
    for index, line in enumerate(new, start=1):
        line.run = run
        line.reference = _reference(run, index)
    run.total_cents = sum(line.signed_cents for line in new)
    run._history_user = actor
    run.save()
    for line in new:
        line.run = run
    bulk_create_with_history(new, DeclarationLine, batch_size=2000, default_user=actor)
    return run
