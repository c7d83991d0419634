"""The scan after a destruction: every text, varchar and json column of every table in the
database (history tables included), and every file under MEDIA_ROOT."""

from pathlib import Path

from django.db import connection

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


def tables_holding(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every column of every table that holds one of the needles."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND data_type = ANY(%s)"
            " ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        for table, column in columns:
            flags = ", ".join(
                f"coalesce(bool_or({connection.ops.quote_name(column)}::text ILIKE %s), false)"
                for _ in needles
            )
            cursor.execute(
                f"SELECT {flags} FROM {connection.ops.quote_name(table)}",  # noqa: S608
                [f"%{needle}%" for needle in needles],
            )
            for needle, hit in zip(needles, cursor.fetchone(), strict=True):
                if hit:
                    found.append((table, column, needle))
    return found


def files_holding(root: Path, needles: list[str]) -> list[tuple[str, str]]:
    found = []
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        content = path.read_bytes().lower()
        for needle in needles:
            if needle.lower().encode() in content:
                found.append((str(path.relative_to(root)), needle))
    return found
