import json
from pathlib import Path

from django.db import migrations

SOURCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference" / "funding_streams.json"


def load_funding_streams(apps, schema_editor):
    """Load the funding streams and their rules (fixtures/reference/funding_streams.json)."""
    FundingStream = apps.get_model("funding", "FundingStream")
    for stream in json.loads(SOURCE.read_text(encoding="utf-8")):
        code = stream.pop("code")
        FundingStream.objects.update_or_create(code=code, defaults=stream)


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(load_funding_streams, migrations.RunPython.noop)]
