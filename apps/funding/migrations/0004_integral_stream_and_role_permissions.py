import json
from pathlib import Path

from django.contrib.auth.management import create_permissions
from django.db import migrations

SOURCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference" / "funding_streams.json"

# What the roles may do with funding control (issue 7): managers register and change
# allocations, enrol clients in a pilot and acknowledge alerts; caseworkers see and acknowledge
# their clients' alerts; administrators configure pilots on contracts.
ROLE_PERMISSIONS = {
    "manager": [
        "funding.add_allocation",
        "funding.change_allocation",
        "funding.view_integralpilot",
        "funding.view_pilotenrolment",
        "funding.add_pilotenrolment",
        "funding.view_fundingalert",
        "funding.change_fundingalert",
    ],
    "caseworker": ["funding.view_fundingalert", "funding.change_fundingalert"],
    "administrator": [
        "funding.add_integralpilot",
        "funding.change_integralpilot",
        "funding.view_integralpilot",
    ],
}


def load_streams_and_grant(apps, schema_editor):
    FundingStream = apps.get_model("funding", "FundingStream")
    for stream in json.loads(SOURCE.read_text(encoding="utf-8")):
        code = stream.pop("code")
        FundingStream.objects.update_or_create(code=code, defaults=stream)

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


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0003_pilots_and_alerts"),
        ("audit", "0002_append_only_and_role_permissions"),
    ]

    operations = [migrations.RunPython(load_streams_and_grant, migrations.RunPython.noop)]
