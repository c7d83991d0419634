import csv
from pathlib import Path

from django.db import migrations

SOURCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference" / "municipalities.csv"


def load_municipalities(apps, schema_editor):
    """Load the CBS municipality list (fixtures/reference/municipalities.csv)."""
    Municipality = apps.get_model("clients", "Municipality")
    with SOURCE.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            Municipality.objects.update_or_create(
                cbs_code=row["cbs_code"], defaults={"name": row["name"]}
            )


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(load_municipalities, migrations.RunPython.noop)]
