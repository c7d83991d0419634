import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

SOURCE = Path(__file__).resolve().parents[3] / "fixtures" / "reference" / "funding_streams.json"
# What the two streams said before (issue 15): the reverse puts it back.
BEFORE = {
    "onderwijs": {
        "name": "Onderwijs (VSO/MBO)",
        "law": (
            "Wet op de expertisecentra / Wet educatie en beroepsonderwijs (samenwerkingsverband, "
            "school board)"
        ),
        "domains": ["education"],
        "activity_kinds": ["lesson", "exam", "study_guidance"],
    },
    "integraal": {"domains": ["care", "education", "work", "living"]},
}


def _save_with_history(stream, HistoricalStream):
    stream.save()
    values = {field.attname: getattr(stream, field.attname) for field in stream._meta.fields}
    HistoricalStream.objects.create(
        **values,
        history_date=timezone.now(),
        history_type="~",
        history_change_reason="issue 15: education is not paid per lesson; no domain 'living'",
    )


def streams_update(apps, schema_editor):
    """Schools are not paid per lesson: the onderwijs stream pays for no activity; the integral
    pilots' stream loses the domain 'living' that does not exist."""
    FundingStream = apps.get_model("funding", "FundingStream")
    HistoricalStream = apps.get_model("funding", "HistoricalFundingStream")
    reference = {row["code"]: row for row in json.loads(SOURCE.read_text(encoding="utf-8"))}
    for code in BEFORE:
        stream = FundingStream.objects.filter(code=code).first()
        if stream is None:
            continue
        for field in ("name", "law", "domains", "activity_kinds"):
            setattr(stream, field, reference[code][field])
        _save_with_history(stream, HistoricalStream)


def streams_restore(apps, schema_editor):
    FundingStream = apps.get_model("funding", "FundingStream")
    HistoricalStream = apps.get_model("funding", "HistoricalFundingStream")
    for code, values in BEFORE.items():
        stream = FundingStream.objects.filter(code=code).first()
        if stream is None:
            continue
        for field, value in values.items():
            setattr(stream, field, value)
        _save_with_history(stream, HistoricalStream)


class Migration(migrations.Migration):
    dependencies = [("funding", "0008_merge_allocation_changes_and_products")]

    operations = [migrations.RunPython(streams_update, streams_restore)]
