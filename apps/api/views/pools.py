"""Pooled budgets, as the manager's pool pages show them (apps.pools): the organisation's
pools, a pool's use and forecast, each funder's share per month, the year's settlement and
the comparison with the regular route; and one funder's share per client (by client id and
the funder's own legal basis, logged per client like the export). Asked by the same named
permission as the pages (``ENROL_IN_PILOT``)."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.accounts.models import Role
from apps.accounts.permissions import ENROL_IN_PILOT
from apps.api.access import api_may, api_not_found
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.funding.models import IntegralPilot
from apps.pools.ledger import pool_ledger
from apps.pools.selectors import (
    funder_share_report,
    pool_comparison,
    pool_funder_get,
    pool_get_for,
    pool_list,
    pool_settlement,
    pool_use,
)

from .base import ApiView

WHAT = "pooled budget"


def _pool_summary(pool: IntegralPilot) -> dict:
    return {
        "id": pool.pk,
        "name": pool.name,
        "kind": pool.kind,
        "start": pool.start,
        "end": pool.end,
        "domains": pool.domains,
        "budget_cents": pool.budget_cents,
        "pricing": pool.pricing,
        "price_cents": pool.price_cents,
        "trajectory_months": pool.trajectory_months,
        "early_exit": pool.early_exit,
        "split_rule": pool.split_rule,
        "contract": pool.contract.reference,
        "clients": getattr(pool, "client_count", None),
    }


def _pool(request, pk: int) -> IntegralPilot:
    api_may(request, ENROL_IN_PILOT, what=WHAT)
    pool = pool_get_for(organisation=request.user.organisation, pk=pk)
    if pool is None:
        api_not_found(request, what=WHAT)
    return pool


class PoolListView(ApiView):
    """The organisation's pooled budgets."""

    queryset = IntegralPilot.objects.none()

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["pools"], operation_id="pools_list")
    def get(self, request):
        api_may(request, ENROL_IN_PILOT, what=WHAT)
        pools = pool_list(organisation=request.user.organisation)
        return Response({"results": [_pool_summary(pool) for pool in pools]})


class PoolDetailView(ApiView):
    """A pool: its use and forecast, its funders' shares per month, the settlement of
    ``?year=`` (this year by default) and the comparison with the regular route with its
    assumptions. Amounts in euro cents; no client is named."""

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["pools"], operation_id="pools_retrieve")
    def get(self, request, pk: int):
        pool = _pool(request, pk)
        today = timezone.localdate()
        asked = request.query_params.get("year", "")
        year = int(asked) if asked.isdigit() else today.year
        year = min(max(year, pool.start.year), pool.end.year)
        whole = pool_ledger(pool=pool)  # once per request; each part reads from it
        ledger = whole.up_to(today)
        use = pool_use(pool=pool, today=today, ledger=whole)
        settlement = pool_settlement(pool=pool, year=year, ledger=whole)
        comparison = pool_comparison(pool=pool, until=today, ledger=whole)
        return Response(
            {
                **_pool_summary(pool),
                "use": {
                    "used_cents": use.used_cents,
                    "forecast_cents": use.forecast_cents,
                    "contributions_cents": use.contributions_cents,
                    "paid_cents": use.paid_cents,
                },
                "shares": [
                    {
                        "funder": share.funder.pk,
                        "funder_name": share.funder.name,
                        "month": share.month.strftime("%Y-%m"),
                        "cents": share.cents,
                    }
                    for share in sorted(
                        ledger.shares.values(), key=lambda row: (row.month, row.funder.name)
                    )
                ],
                "unattributed": {
                    month.strftime("%Y-%m"): cents for month, cents in ledger.unattributed.items()
                },
                "settlement": {
                    "year": year,
                    "lines": [
                        {
                            "funder": line.funder.pk,
                            "owed_cents": line.owed_cents,
                            "paid_cents": line.paid_cents,
                            "balance_cents": line.balance_cents,
                        }
                        for line in settlement.lines
                    ],
                },
                "comparison": {
                    "pool_cents": comparison.pool_cents,
                    "regular_cents": comparison.regular_cents,
                    "activities": comparison.activities,
                    "allocations": comparison.allocations,
                    "requests": comparison.requests,
                    "declarations": comparison.declarations,
                    "declaration_lines": comparison.declaration_lines,
                    "rejections": comparison.rejections,
                    "assumed_rejection_percent": comparison.rejection_percent,
                    "days_without_waiting": comparison.days_without_waiting,
                    "no_regular_route": comparison.no_regular_route,
                },
            }
        )


class PoolFunderShareView(ApiView):
    """One funder's share of the pool per month (``?year=``), per client: the client's id
    and the funder's own legal basis for the client. Each client listed is logged."""

    @extend_schema(
        responses=OpenApiTypes.OBJECT, tags=["pools"], operation_id="pools_funder_shares_retrieve"
    )
    def get(self, request, pk: int, funder_pk: int):
        pool = _pool(request, pk)
        funder = pool_funder_get(pool=pool, pk=funder_pk)
        if funder is None:
            api_not_found(request, what=WHAT)
        asked = request.query_params.get("year", "")
        year = int(asked) if asked.isdigit() else None
        ledger = pool_ledger(pool=pool)
        report = funder_share_report(pool=pool, funder=funder, year=year, ledger=ledger)
        listed = {line.client_id for month in report.months for line in month.clients}
        access_log_record_many(
            user=request.user,
            clients=[ledger.clients[client_id] for client_id in sorted(listed)],
            event=AccessEvent.VIEW,
            basis=AccessBasis.MANAGEMENT,
            detail="API: " + WHAT,
            acting_role=Role.MANAGER,
        )
        return Response(
            {
                "pool": pool.pk,
                "funder": funder.pk,
                "year": year,
                "total_cents": report.total_cents,
                "months": [
                    {
                        "month": month.month.strftime("%Y-%m"),
                        "cents": month.cents,
                        "clients": [
                            {
                                "client": line.client_id,
                                "cents": line.cents,
                                "bases": [
                                    {"kind": basis.kind, "reference": basis.reference}
                                    for basis in line.bases
                                ],
                            }
                            for line in month.clients
                        ],
                    }
                    for month in report.months
                ],
            }
        )
