"""The monthly roll-up of the activities (``ActivityMonth``), kept by a PostgreSQL trigger.

The trigger (migration 0012) runs in the transaction of every write of an activity, whatever
code path makes it: a row leaves its old month, allocation and status (``OLD``) and joins its
new ones (``NEW``); a row that counts no activity any more is deleted. Only recorded
activities count. The organisation is the client's through the trajectory; when a client's
record is destroyed row by row (``apps.retention``) and the trajectory is gone first, the
allocation's client's or the performer's. The mosaic of an organisation reads whole months
from it and the days of a month cut by the period from the activities
(``apps.trajectories.mosaic``).

Its funded rows carry their allocation's funder, contract and product, and a second trigger
keeps from them ``FundedMonth``: per organisation, month, funder, contract and product, the
activities, what they consumed and the number of allocations, as running sums that only grow
by inserts. The mosaic folds and reads those (``funded_groups``): a row per month and group,
hundreds to a thousand for an organisation's year, instead of one per allocation and month.

Each allocation's first and last month of funded care, and the number of its months, are kept
by the same trigger in ``AllocationSpan``: the mosaic counts the distinct allocations of a run
of whole months from it (``allocations_in``).

``activity_month_rebuild`` computes them all again from the activities: after a bulk load that
bypasses triggers (the bench generator's ``COPY`` with ``session_replication_role =
replica``), after moving a client to another organisation, or to check it.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

# The grouping of a roll-up row, from an activity ``a`` joined to its client ``c``. The SQL of
# the trigger (migration 0012) groups the same way.
LIVE_SQL = """
SELECT c.organisation_id, date_trunc('month', a.date)::date, a.funding_status,
       a.allocation_id, a.pilot_product_id,
       CASE WHEN a.funding_status = 'not_chargeable' THEN a.kind END,
       count(*), sum(a.consumed), sum(a.pilot_cents),
       al.funder_id, al.contract_id, al.product_id
FROM trajectories_activity a
JOIN trajectories_trajectory t ON t.id = a.trajectory_id
JOIN clients_client c ON c.id = t.client_id
LEFT JOIN funding_allocation al ON al.id = a.allocation_id AND a.funding_status = 'funded'
WHERE a.status = 'recorded'
GROUP BY 1, 2, 3, 4, 5, 6, 10, 11, 12
"""

REBUILD_SQL = (
    "INSERT INTO trajectories_activitymonth (organisation_id, month, funding_status,"
    " allocation_id, pilot_product_id, kind, activities, consumed, pilot_cents, funder_id,"
    " contract_id, product_id)" + LIVE_SQL
)

STORED_SQL = """
SELECT organisation_id, month, funding_status, allocation_id, pilot_product_id, kind,
       activities, consumed, pilot_cents, funder_id, contract_id, product_id
FROM trajectories_activitymonth
"""

# The funded groups from the roll-up's rows: what the running sums must add up to.
FUNDED_LIVE_SQL = """
SELECT organisation_id, month, funder_id, contract_id, product_id,
       sum(activities), sum(consumed), count(*)
FROM trajectories_activitymonth
WHERE funding_status = 'funded' AND contract_id IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
"""

FUNDED_FILL_SQL = (
    "INSERT INTO trajectories_fundedmonth (organisation_id, month, funder_id, contract_id,"
    " product_id, activities, consumed, allocations)" + FUNDED_LIVE_SQL
)

FUNDED_STORED_SQL = """
SELECT organisation_id, month, funder_id, contract_id, product_id,
       sum(activities), sum(consumed), sum(allocations)
FROM trajectories_fundedmonth
GROUP BY 1, 2, 3, 4, 5
HAVING sum(activities) <> 0 OR sum(consumed) <> 0 OR sum(allocations) <> 0
"""

# Each allocation's span of months with funded care, from the roll-up's rows.
SPAN_LIVE_SQL = """
SELECT allocation_id, min(organisation_id), min(month), max(month), count(*)
FROM trajectories_activitymonth
WHERE funding_status = 'funded' AND allocation_id IS NOT NULL
GROUP BY allocation_id
"""

SPAN_FILL_SQL = (
    "INSERT INTO trajectories_allocationspan (allocation_id, organisation_id, first_month,"
    " last_month, months)" + SPAN_LIVE_SQL
)

# What is derived from the roll-up, computed again from it (after the roll-up itself): its
# funded care's sums, one row per group, and the allocations' spans.
DERIVED_REFILL_SQL = (
    "DELETE FROM trajectories_fundedmonth",
    FUNDED_FILL_SQL,
    "DELETE FROM trajectories_allocationspan",
    SPAN_FILL_SQL,
)

SPAN_STORED_SQL = """
SELECT allocation_id, organisation_id, first_month, last_month, months
FROM trajectories_allocationspan
"""

# The distinct allocations with funded care in the months ``first`` to ``last``: those whose
# span meets them. A span that begins or ends within them has that month in them; only one
# that begins before and ends after them can miss them, through a gap: unless its months run
# without one, its roll-up rows are looked up (none for a period up to this month: nothing is
# recorded ahead of today).
SPAN_COUNT_SQL = """
SELECT count(*) FROM trajectories_allocationspan s
WHERE s.organisation_id = %(organisation)s
  AND s.last_month >= %(first)s AND s.first_month <= %(last)s
  AND (s.first_month >= %(first)s OR s.last_month <= %(last)s
       OR s.months = (date_part('year', s.last_month) - date_part('year', s.first_month)) * 12
                     + date_part('month', s.last_month) - date_part('month', s.first_month) + 1
       OR (SELECT true FROM trajectories_activitymonth m
           WHERE m.allocation_id = s.allocation_id AND m.funding_status = 'funded'
             AND m.month BETWEEN %(first)s AND %(last)s LIMIT 1))
"""

# Fold an organisation's running sums of some months into one row per group, only for the
# groups that have more than one. Two folds at once each fold the rows they deleted (a row is
# deleted once; the other's new row is not in its snapshot), so the sums stay right.
FUNDED_FOLD_SQL = """
WITH folded AS (
    DELETE FROM trajectories_fundedmonth
    WHERE organisation_id = %(organisation)s AND month BETWEEN %(first)s AND %(last)s
      AND (month, funder_id, contract_id, coalesce(product_id, -1)) IN (
          SELECT month, funder_id, contract_id, coalesce(product_id, -1)
          FROM trajectories_fundedmonth
          WHERE organisation_id = %(organisation)s AND month BETWEEN %(first)s AND %(last)s
          GROUP BY 1, 2, 3, 4 HAVING count(*) > 1)
    RETURNING month, funder_id, contract_id, product_id, activities, consumed, allocations
)
INSERT INTO trajectories_fundedmonth (organisation_id, month, funder_id, contract_id,
    product_id, activities, consumed, allocations)
SELECT %(organisation)s, month, funder_id, contract_id, product_id,
       sum(activities), sum(consumed), sum(allocations)
FROM folded GROUP BY month, funder_id, contract_id, product_id
HAVING sum(activities) <> 0 OR sum(consumed) <> 0 OR sum(allocations) <> 0
"""

# The mosaic's funded parts per month, funder, stream, contract and unit (named as the
# activities' aggregate names them): the money is what was consumed times the product's
# tariff (an allocation without a product consumed cents), read now, so a changed tariff
# needs no rebuild.
FUNDED_GROUPS_SQL = """
SELECT f.month, f.funder_id, c.stream_id, f.contract_id, p.unit,
       sum(f.activities)::bigint, sum(f.consumed * coalesce(p.tariff_cents, 1)),
       sum(f.allocations)::bigint
FROM trajectories_fundedmonth f
JOIN funding_contract c ON c.id = f.contract_id
LEFT JOIN funding_product p ON p.id = f.product_id
WHERE f.organisation_id = %(organisation)s AND f.month BETWEEN %(first)s AND %(last)s
GROUP BY f.month, f.funder_id, c.stream_id, f.contract_id, p.unit
HAVING sum(f.activities) <> 0
"""

FUNDED_GROUP_KEYS = (
    "month",
    "allocation__funder_id",
    "allocation__contract__stream_id",
    "allocation__contract_id",
    "allocation__product__unit",
    "count",
    "money",
    "allocations",
)


def rollup_in_use() -> bool:
    """Whether the roll-up is kept (PostgreSQL: the trigger); elsewhere the mosaic reads the
    activities."""
    return connection.vendor == "postgresql"


def activity_month_rebuild() -> int:
    """Compute the roll-up, its funded care's sums and the allocations' spans again from the
    activities, in one transaction; the activities are locked against writes meanwhile
    (``SHARE``: reads go on). Returns the number of roll-up rows."""
    if not rollup_in_use():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE trajectories_activity IN SHARE MODE")
        cursor.execute("DELETE FROM trajectories_activitymonth")
        cursor.execute(REBUILD_SQL)
        rows = cursor.rowcount
        # The trigger added the rows' changes one by one; one row per group instead.
        for sql in DERIVED_REFILL_SQL:
            cursor.execute(sql)
        return rows


def funded_groups(*, organisation_id: int, first: date, last: date) -> list[dict]:
    """The organisation's funded care of the months ``first`` to ``last`` (first days) per
    month, funder, stream, contract and unit, with the activities, their money (consumed x
    tariff, in the unit's consumption units) and the distinct allocations: its running sums
    folded, then read (two statements on the organisation's groups of those months)."""
    params = {"organisation": organisation_id, "first": first, "last": last}
    with connection.cursor() as cursor:
        cursor.execute(FUNDED_FOLD_SQL, params)
        cursor.execute(FUNDED_GROUPS_SQL, params)
        return [dict(zip(FUNDED_GROUP_KEYS, row, strict=True)) for row in cursor.fetchall()]


def allocations_in(*, organisation_id: int, first: date, last: date) -> int:
    """The number of the organisation's distinct allocations with funded care in the months
    ``first`` to ``last`` (first days), from their spans (one index read)."""
    params = {"organisation": organisation_id, "first": first, "last": last}
    with connection.cursor() as cursor:
        cursor.execute(SPAN_COUNT_SQL, params)
        return cursor.fetchone()[0]


def _rows(sql: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {tuple(row) for row in cursor.fetchall()}


def activity_month_differences() -> tuple[set[tuple], set[tuple]]:
    """The rows only in the roll-up, and the rows only in the live aggregate: both empty when
    the roll-up is right."""
    only_stored, only_live = set(), set()
    for name, stored_sql, live_sql in (
        ("roll-up", STORED_SQL, LIVE_SQL),
        ("funded sums", FUNDED_STORED_SQL, FUNDED_LIVE_SQL),
        ("spans", SPAN_STORED_SQL, SPAN_LIVE_SQL),
    ):
        stored, live = _rows(stored_sql), _rows(live_sql)
        only_stored |= {(name, *row) for row in stored - live}
        only_live |= {(name, *row) for row in live - stored}
    return only_stored, only_live
