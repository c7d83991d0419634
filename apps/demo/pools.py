"""The demo's Utrecht pilot as a pooled budget (docs/pools.md): the municipality (Jeugdwet,
and the work part), the demo's health insurer (GGZ under the Zvw from the 18th birthday) and
the samenwerkingsverband (the schooling arrangement) pay one price per client per month for
DEMO-043..045, divided per domain; each records its legal basis per client, and Utrecht has
paid its advance for this year."""

from datetime import date

from apps.accounts.models import User
from apps.core.domains import Domain
from apps.funding.models import (
    Funder,
    FundingStream,
    IntegralPilot,
    PoolKind,
    PoolPricing,
    SplitRule,
)
from apps.pools.models import BasisKind, PoolDomainShare, PoolFunder
from apps.pools.services import pool_basis_record, pool_payment_record

# The pool's terms, given to the pilot when it is made (apps.demo.seed._pilot_seed): € 1,950
# per client per month, 60 % care, 25 % education, 15 % work. The rejection rate of the
# regular route is the demo's assumption, shown on the pool's page as one.
POOL_TERMS = {
    "kind": PoolKind.PILOT,
    "pricing": PoolPricing.CLIENT_MONTH,
    "price_cents": 195_000,
    "domain_weights": {Domain.CARE: 60, Domain.EDUCATION: 25, Domain.WORK: 15},
    "split_rule": SplitRule.DOMAIN,
    "assumed_rejection_percent": 5,
}


def _part(pool, funder, stream_code, shares, contribution_cents, actor) -> PoolFunder:
    part = PoolFunder(
        pool=pool,
        funder=funder,
        stream=FundingStream.objects.get(code=stream_code) if stream_code else None,
        contribution_cents=contribution_cents,
    )
    part._history_user = actor
    part.save()
    for domain, permille in shares.items():
        share = PoolDomainShare(part=part, domain=domain, share_permille=permille)
        share._history_user = actor
        share.save()
    return part


def demo_pool_seed(
    *, pool: IntegralPilot, funders: dict[str, Funder], manager: User, actor: User, today: date
) -> None:
    """The pool's three funders, their legal bases per client and Utrecht's advance."""
    utrecht, insurer, swv = funders["0344"], funders["insurer"], funders["swv"]
    months = 24
    parts = {
        "utrecht": _part(
            pool,
            utrecht,
            "jeugdwet",
            {Domain.CARE: 1000, Domain.WORK: 1000},
            3 * months * 195_000 * 60 // 100,
            actor,
        ),
        "insurer": _part(pool, insurer, "zvw-ggz", {Domain.CARE: 1000}, 1_000_000, actor),
        "swv": _part(pool, swv, None, {Domain.EDUCATION: 1000}, 3 * months * 195_000 // 4, actor),
    }
    for index, enrolment in enumerate(
        pool.enrolments.select_related("client").order_by("client__client_number"), start=1
    ):
        client = enrolment.client
        pool_basis_record(
            enrolment=enrolment,
            funder=utrecht,
            kind=BasisKind.ALLOCATION,
            reference=f"UTR-INT-{pool.start.year}-{index:03d}",
            start=enrolment.start,
            end=min(client.birthday(18) - date.resolution, pool.end),
            actor=manager,
        )
        pool_basis_record(
            enrolment=enrolment,
            funder=swv,
            kind=BasisKind.TLV,
            reference=f"TLV-VO2699-{index:04d}",
            start=enrolment.start,
            actor=manager,
        )
        if client.birthday(18) <= pool.end:
            pool_basis_record(
                enrolment=enrolment,
                funder=insurer,
                kind=BasisKind.ZVW_REFERRAL,
                reference=f"VW-{index:05d}",
                start=client.birthday(18),
                actor=manager,
            )
    pool_payment_record(
        part=parts["utrecht"],
        paid_on=date(today.year, 1, 15) if today.year > pool.start.year else pool.start,
        amount_cents=12 * 3 * 195_000 * 60 // 100,
        year=today.year,
        note="Voorschot",
        actor=actor,
    )
