"""Reads for the declaration pages: runs, their lines, and the rejected-lines queue."""

from __future__ import annotations

from django.db.models import BigIntegerField, Case, Count, F, QuerySet, Sum, When

from apps.accounts.models import Organisation
from apps.exchange.models import DeclarationLine, DeclarationRun, LineStatus, Resolution
from apps.funding.models import Funder, FunderKind


def declaration_runs_for(*, organisation: Organisation) -> QuerySet[DeclarationRun]:
    """The organisation's declarations, newest month first, with their line counts."""
    return (
        DeclarationRun.objects.filter(organisation=organisation)
        .select_related("funder", "created_by", "message", "answer")
        .annotate(line_count=Count("lines"))
    )


def declaration_lines_of(*, run: DeclarationRun) -> QuerySet[DeclarationLine]:
    return run.lines.select_related("client", "allocation", "product").order_by(
        "client__bsn", "allocation__number", "pk"
    )


def declaration_rejected_for(*, organisation: Organisation) -> QuerySet[DeclarationLine]:
    """Rejected debit lines the manager has not yet decided on (corrected or dropped)."""
    return (
        DeclarationLine.objects.filter(
            organisation=organisation,
            status=LineStatus.REJECTED,
            resolution=Resolution.NONE,
            debit_credit="D",
        )
        .select_related("client", "allocation", "product", "run__funder")
        .order_by("run__period_start", "client__bsn", "pk")
    )


def declaration_funders_for(*, organisation: Organisation) -> QuerySet[Funder]:
    """The municipalities the organisation has Jeugdwet or Wmo contracts with."""
    return Funder.objects.filter(
        kind=FunderKind.MUNICIPALITY,
        contracts__organisation=organisation,
        contracts__stream__code__in=["jeugdwet", "wmo"],
    ).distinct()


def declaration_totals(*, run: DeclarationRun) -> dict:
    """Debits, credits and what was granted, in cents."""
    sums = run.lines.values("debit_credit").annotate(
        claimed=Sum("amount_cents"), granted=Sum("accepted_cents")
    )
    totals = {"debit": 0, "credit": 0, "granted_debit": 0, "granted_credit": 0}
    for row in sums:
        side = "debit" if row["debit_credit"] == "D" else "credit"
        totals[side] = row["claimed"] or 0
        totals[f"granted_{side}"] = row["granted"] or 0
    totals["net"] = totals["debit"] - totals["credit"]
    totals["granted_net"] = totals["granted_debit"] - totals["granted_credit"]
    return totals


def declaration_declared_before(*, run: DeclarationRun) -> int:
    """What the declarations of the same month, municipality and standard sent before ``run``
    claim and still stands, debits minus credits, in cents: every line but the rejected ones
    (a rejected line never stood; a line credited later stood until then). This plus the run's
    own claim is what the month is declared at, to compare with the per-funder report."""
    total = (
        DeclarationLine.objects.filter(
            organisation=run.organisation_id,
            run__funder=run.funder_id,
            run__standard=run.standard,
            run__period_start=run.period_start,
            run__pk__lt=run.pk,
        )
        .exclude(run__status="draft")
        .exclude(status=LineStatus.REJECTED)
        .aggregate(
            total=Sum(
                Case(
                    When(debit_credit="C", then=-F("amount_cents")),
                    default=F("amount_cents"),
                    output_field=BigIntegerField(),
                )
            )
        )["total"]
    )
    return total or 0
