"""The administrator keeps the practitioners' professions, the NZa's maximum tariffs and the
insurers' contracts with their tariffs in the admin (docs/zvw.md). (Managers work on the
declaration pages, through the services: no model permissions.)"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "administrator": [
        f"zvw.{action}_{model}"
        for model in ("practitionerprofile", "maxtariff", "insurercontract", "contracttariff")
        for action in ("add", "change", "delete", "view")
    ],
}


def grant(apps, schema_editor):
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
    dependencies = [("zvw", "0001_initial")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
