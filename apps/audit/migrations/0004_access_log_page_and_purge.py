from django.db import migrations, models

# The access log is kept five years from the moment an entry is written, then purged
# (Besluit van de Minister voor Medische Zorg van 27 juni 2019, Stcrt. 2019, 38007, on the
# ground of art. 5 lid 2 Besluit elektronische gegevensverwerking door zorgaanbieders; NEN 7513
# par. 8.5; docs/privacy.md). The triggers of 0002/0003 refuse every DELETE, and the application
# role holds only SELECT and INSERT on the table: both stay. What changes:
# - the row trigger lets a DELETE through only for an entry older than five years, and only
#   inside audit_access_log_purge (which sets audit.purge for its own transaction);
# - audit_access_log_purge(cutoff) runs as the table's owner (SECURITY DEFINER), so the
#   application role can purge without holding DELETE, and it refuses a cutoff later than five
#   years ago: no role that may call it can shorten the retention. The five years are
#   apps/audit/services.py's ACCESS_LOG_RETENTION_YEARS as well (tests/audit/test_purge.py pins
#   both).
PURGE_SQL = """
CREATE OR REPLACE FUNCTION audit_access_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('audit.purge', true) = 'on' THEN
        IF OLD.occurred_at < clock_timestamp() - interval '5 years' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'The access log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_access_log_purge(cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    purged bigint;
BEGIN
    IF cutoff > clock_timestamp() - interval '5 years' THEN
        RAISE EXCEPTION 'The access log is kept five years: % is too recent to purge', cutoff;
    END IF;
    PERFORM set_config('audit.purge', 'on', true);
    DELETE FROM audit_accesslogentry WHERE occurred_at < cutoff;
    GET DIAGNOSTICS purged = ROW_COUNT;
    PERFORM set_config('audit.purge', 'off', true);
    RETURN purged;
END;
$$;
"""

# 0002's function, as it was.
UNDO_PURGE_SQL = """
DROP FUNCTION IF EXISTS audit_access_log_purge(timestamptz);
CREATE OR REPLACE FUNCTION audit_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def purge_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PURGE_SQL, params=None)  # the SQL holds a literal %


def drop_purge_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO_PURGE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_access_log_no_truncate"),
    ]

    operations = [
        # The page (URL name) an entry was written on, put into words by apps/audit/labels.py.
        # A database default as well: entries inserted by SQL (tests, a restore) need none.
        migrations.AddField(
            model_name="accesslogentry",
            name="view_name",
            field=models.CharField(
                blank=True, db_default="", max_length=100, verbose_name="page"
            ),
        ),
        migrations.RunPython(purge_function, drop_purge_function),
    ]
