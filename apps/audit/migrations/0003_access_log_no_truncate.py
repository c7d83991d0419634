from django.db import migrations

# 0002's row trigger refuses UPDATE and DELETE; TRUNCATE fires no row trigger, so a statement
# trigger refuses it as well (the same function: "... append-only: TRUNCATE is not allowed").
NO_TRUNCATE_SQL = """
CREATE TRIGGER audit_access_log_no_truncate
    BEFORE TRUNCATE ON audit_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_access_log_append_only();
"""
DROP_NO_TRUNCATE_SQL = (
    "DROP TRIGGER IF EXISTS audit_access_log_no_truncate ON audit_accesslogentry;"
)

# The triggers stop mistakes; the owner of the table can still switch them off, which is why the
# application runs as a role that owns nothing (docs/deployment.md, "PostgreSQL"). Whatever its
# default privileges gave that role (or any role but the owner) on the access log beyond SELECT
# and INSERT is taken back here.
SELECT_AND_INSERT_ONLY_SQL = """
DO $$
DECLARE
    grant_row record;
BEGIN
    FOR grant_row IN
        SELECT acl.privilege_type,
               CASE WHEN acl.grantee = 0 THEN 'PUBLIC'
                    ELSE quote_ident(pg_get_userbyid(acl.grantee)) END AS grantee
        FROM pg_class AS c, aclexplode(c.relacl) AS acl
        WHERE c.oid = 'audit_accesslogentry'::regclass
          AND acl.grantee <> c.relowner
          AND acl.privilege_type NOT IN ('SELECT', 'INSERT')
    LOOP
        EXECUTE format('REVOKE %s ON audit_accesslogentry FROM %s',
                       grant_row.privilege_type, grant_row.grantee);
    END LOOP;
END
$$;
"""


def no_truncate_trigger(apps, schema_editor):
    """On PostgreSQL (SQLite has no TRUNCATE) the database refuses to empty the access log."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_TRUNCATE_SQL)
        schema_editor.execute(SELECT_AND_INSERT_ONLY_SQL, params=None)  # the SQL holds a literal %


def drop_no_truncate_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_NO_TRUNCATE_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_and_role_permissions"),
    ]

    operations = [
        migrations.RunPython(no_truncate_trigger, drop_no_truncate_trigger),
    ]
