from django.db import migrations

# The Wmo 2015 pays for support, not treatment: guidance (begeleiding), personal care, day
# activities (dagbesteding), and sheltered living and shelter (beschermd wonen, opvang:
# stays). Wmo 2015 art. 1.1.1 defines maatschappelijke ondersteuning and begeleiding;
# treatment is jeugdhulp under 18 (Jeugdwet art. 1.1) and from 18 Zvw care. The list is
# written here, not read from fixtures/reference/funding_streams.json, so that this migration
# keeps doing what it did when the reference file changes later.
WMO_KINDS = ["guidance", "personal_care", "day_activity", "residential_stay"]


def wmo_pays_support(apps, schema_editor):
    FundingStream = apps.get_model("funding", "FundingStream")
    for stream in FundingStream.objects.filter(code="wmo"):
        stream.activity_kinds = WMO_KINDS
        stream.save(update_fields=["activity_kinds"])


def wmo_pays_every_care_kind(apps, schema_editor):
    """Back to what the stream was before: every kind of its domains."""
    FundingStream = apps.get_model("funding", "FundingStream")
    FundingStream.objects.filter(code="wmo", activity_kinds=WMO_KINDS).update(activity_kinds=[])


class Migration(migrations.Migration):
    dependencies = [("funding", "0004_integral_stream_and_role_permissions")]

    operations = [migrations.RunPython(wmo_pays_support, wmo_pays_every_care_kind)]
