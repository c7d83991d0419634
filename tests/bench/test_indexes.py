"""bench/indexes.py: finding the indexes a plan reads, and EXPLAIN with and without one."""

from django.db import connection

from bench.indexes import Index, Use, candidate_indexes, compare, indexes_in, scans_of
from bench.report import index_lines

# The shape of PostgreSQL's EXPLAIN (FORMAT JSON): a node with its children under "Plans".
PLAN = {
    "Node Type": "Nested Loop",
    "Plans": [
        {
            "Node Type": "Index Scan",
            "Index Name": "activity_trajectory_date",
            "Relation Name": "trajectories_activity",
        },
        {
            "Node Type": "Bitmap Heap Scan",
            "Relation Name": "funding_allocation",
            "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "allocation_client"}],
        },
        {"Node Type": "Seq Scan", "Relation Name": "funding_allocation"},
    ],
}


def test_the_indexes_and_the_scans_of_a_plan_are_found_at_any_depth():
    assert list(indexes_in(PLAN)) == ["activity_trajectory_date", "allocation_client"]
    assert scans_of(PLAN, "funding_allocation") == [
        "Bitmap Heap Scan using allocation_client",
        "Seq Scan",
    ]
    assert scans_of(PLAN, "trajectories_activity") == ["Index Scan using activity_trajectory_date"]
    assert scans_of(PLAN, "clients_client") == []


def test_the_candidates_are_the_indexes_for_speed_not_those_for_integrity(postgres_only):
    with connection.cursor() as cursor:
        candidates = candidate_indexes(cursor)
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname = 'trajectories_activity' AND (x.indisprimary OR x.indisunique)"
        )
        integrity = {name for (name,) in cursor.fetchall()}
    activity = {
        name for name, index in candidates.items() if index.table == "trajectories_activity"
    }
    # The timeline's (trajectory, -date) and the use's (allocation, date) are there for speed.
    assert any("trajectory_id" in candidates[name].definition for name in activity)
    assert any("allocation_id, date" in candidates[name].definition for name in activity)
    assert integrity, "the activities have a primary key"
    assert not integrity & activity


def test_without_the_index_the_query_reads_the_table_otherwise_and_the_index_stays(
    postgres_only,
):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_rows (id int, k int)")
        cursor.execute("INSERT INTO bench_rows SELECT n, n % 500 FROM generate_series(1, 20000) n")
        cursor.execute("CREATE INDEX bench_rows_k ON bench_rows (k)")
        cursor.execute("ANALYZE bench_rows")
    index = Index("bench_rows_k", "bench_rows", "CREATE INDEX bench_rows_k ON bench_rows (k)")
    result = compare(index, Use(page="a page", sql="SELECT id FROM bench_rows WHERE k = 7", ms=1))

    assert any("bench_rows_k" in scan for scan in result["with"]["reads_table_by"])
    assert result["without"]["reads_table_by"] == ["Seq Scan"]
    assert result["without"]["buffers"] > result["with"]["buffers"]
    with connection.cursor() as cursor:  # dropped in a transaction that was rolled back
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = 'bench_rows_k'")
        assert cursor.fetchone()[0] == 1
    lines = index_lines(
        {
            "used": [{"index": "bench_rows_k", "table": "bench_rows", "compared": [result]}],
            "not_used_by_the_pages": [{"index": "idle_idx"}],
        }
    )
    assert (
        "| `bench_rows_k` (bench_rows) | a page (`SELECT id FROM bench_rows WHERE k = 7…`)"
        in (lines[2])
    )
    assert "Seq Scan |" in lines[2]
    assert lines[-1].startswith("1 other indexes kept for speed were read by none of these pages")
