"""The monthly roll-up of the activities (``ActivityMonth``), kept by a PostgreSQL trigger.

The trigger (migration 0012) runs in the transaction of every write of an activity, whatever
code path makes it: a row leaves its old month, allocation and status (``OLD``) and joins its
new ones (``NEW``); a row that counts no activity any more is deleted. Only recorded
activities count. The organisation is the client's through the trajectory; when a client's
record is destroyed row by row (``apps.retention``) and the trajectory is gone first, the
allocation's client's or the performer's. The mosaic of an organisation reads whole months
from it and the days of a month cut by the period from the activities
(``apps.trajectories.mosaic``).

``activity_month_rebuild`` computes it again from the activities: after a bulk load that
bypasses triggers (the bench generator's ``COPY`` with ``session_replication_role =
replica``), after moving a client to another organisation, or to check it.
"""

from __future__ import annotations

from django.db import connection, transaction

# The grouping of a roll-up row, from an activity ``a`` joined to its client ``c``. The SQL of
# the trigger (migration 0012) groups the same way.
LIVE_SQL = """
SELECT c.organisation_id, date_trunc('month', a.date)::date, a.funding_status,
       a.allocation_id, a.pilot_product_id,
       CASE WHEN a.funding_status = 'not_chargeable' THEN a.kind END,
       count(*), sum(a.consumed), sum(a.pilot_cents)
FROM trajectories_activity a
JOIN trajectories_trajectory t ON t.id = a.trajectory_id
JOIN clients_client c ON c.id = t.client_id
WHERE a.status = 'recorded'
GROUP BY 1, 2, 3, 4, 5, 6
"""

REBUILD_SQL = (
    "INSERT INTO trajectories_activitymonth (organisation_id, month, funding_status,"
    " allocation_id, pilot_product_id, kind, activities, consumed, pilot_cents)" + LIVE_SQL
)

STORED_SQL = """
SELECT organisation_id, month, funding_status, allocation_id, pilot_product_id, kind,
       activities, consumed, pilot_cents
FROM trajectories_activitymonth
"""


def rollup_in_use() -> bool:
    """Whether the roll-up is kept (PostgreSQL: the trigger); elsewhere the mosaic reads the
    activities."""
    return connection.vendor == "postgresql"


def activity_month_rebuild() -> int:
    """Compute the roll-up again from the activities, in one transaction; the activities are
    locked against writes meanwhile (``SHARE``: reads go on). Returns the number of rows."""
    if not rollup_in_use():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE trajectories_activity IN SHARE MODE")
        cursor.execute("DELETE FROM trajectories_activitymonth")
        cursor.execute(REBUILD_SQL)
        return cursor.rowcount


def _rows(sql: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {tuple(row) for row in cursor.fetchall()}


def activity_month_differences() -> tuple[set[tuple], set[tuple]]:
    """The rows only in the roll-up, and the rows only in the live aggregate: both empty when
    the roll-up is right."""
    stored, live = _rows(STORED_SQL), _rows(LIVE_SQL)
    return stored - live, live - stored
