"""`manage.py check --database default`: the application must not be able to unguard the access log.

The triggers of migrations 0002 and 0003 refuse UPDATE, DELETE and TRUNCATE on the access log,
but the table's owner (and a superuser) can switch them off. The application therefore connects
as a role that is neither (docs/deployment.md, "PostgreSQL"). A database check: Django runs it
only when asked for a database, as the deployment instructions do.
"""

from django.core.checks import Tags, Warning, register
from django.db import connections

ROLE_SQL = """
SELECT current_user, r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER')
FROM pg_roles AS r, pg_class AS c
WHERE r.rolname = current_user AND c.oid = to_regclass('audit_accesslogentry')
"""


def access_log_guard_problems(connection) -> list[Warning]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(ROLE_SQL)
        row = cursor.fetchone()
    if row is None:  # not migrated yet
        return []
    role, superuser, owner = row
    if not (superuser or owner):
        return []
    what = "a superuser" if superuser else "the owner of the access log"
    return [
        Warning(
            f"The application connects to PostgreSQL as {role}, {what}: it could switch off "
            "the access log's append-only triggers.",
            hint="Connect as a role that owns no table and run the migrations as the owner "
            "(docs/deployment.md, PostgreSQL).",
            id="audit.W001",
        )
    ]


@register(Tags.database)
def access_log_guarded(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    problems = []
    for alias in databases or []:
        problems += access_log_guard_problems(connections[alias])
    return problems
