from django.contrib.auth.management import create_permissions
from django.db import migrations

# The model permissions each role (a group of the same name) holds. Client records are reached
# through object permissions that follow care-team membership, never through these.
ROLE_PERMISSIONS = {
    "caseworker": [
        "clients.view_client",
        "trajectories.view_trajectory",
        "trajectories.add_activity",
        "trajectories.change_activity",
        "trajectories.add_goal",
        "trajectories.change_goal",
        "trajectories.add_careteammembership",
        "trajectories.change_careteammembership",
    ],
    "teacher": ["clients.view_client", "trajectories.add_activity"],
    "job_coach": ["clients.view_client", "trajectories.add_activity"],
    "manager": [
        "funding.view_fundingstream",
        "funding.view_funder",
        "funding.view_contract",
        "funding.view_product",
        "funding.view_allocation",
    ],
    "privacy_officer": [
        "audit.view_accesslogentry",
        "audit.view_breakglassaccess",
        "audit.change_breakglassaccess",
    ],
    "administrator": [
        "funding.view_fundingstream",
        "funding.add_funder",
        "funding.change_funder",
        "funding.view_funder",
        "funding.add_contract",
        "funding.change_contract",
        "funding.view_contract",
        "funding.add_product",
        "funding.change_product",
        "funding.view_product",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.view_organisation",
        "auth.view_group",
    ],
}


def grant_role_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION audit_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_access_log_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION audit_access_log_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS audit_access_log_append_only ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_access_log_append_only();
"""


def append_only_trigger(apps, schema_editor):
    """On PostgreSQL the database itself refuses to change or delete an access-log entry."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)  # the SQL holds a literal %


def drop_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("clients", "0002_municipalities"),
        ("funding", "0002_funding_streams"),
        ("trajectories", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(append_only_trigger, drop_append_only_trigger),
        migrations.RunPython(grant_role_permissions, migrations.RunPython.noop),
    ]
