"""Schools are not paid per lesson (issue 15): lessons, exams, study guidance, attendance
registrations and internship days become registrations that count but are never priced.

Recorded activities of those kinds are released from the allocation or pilot budget they drew on
and marked not chargeable with a reason that says how schooling is funded; each change gets its
history row. The allocations, contracts and products they drew on stay as they were (readable,
with their history); what they funded is in the activities' history.

Not reversible in the data: which allocation an activity drew on is in its history, but putting
it back would need the assignment services (volume windows, precedence), which a migration
cannot run. The reverse leaves the activities as they are.
"""

from django.db import migrations
from django.utils import timezone

SCHOOL_FUNDED = ("lesson", "exam", "study_guidance", "attendance_registration")
SCHOOL_PROGRAMME = ("internship_day",)
REASON = "issue 15: schooling is not paid per activity"


def release_education(apps, schema_editor):
    Activity = apps.get_model("trajectories", "Activity")
    HistoricalActivity = apps.get_model("trajectories", "HistoricalActivity")
    now = timezone.now()
    fields = [field.attname for field in Activity._meta.fields]
    history = []
    activities = Activity.objects.filter(
        status="recorded", kind__in=SCHOOL_FUNDED + SCHOOL_PROGRAMME
    ).order_by("pk")
    for activity in activities.iterator(chunk_size=500):
        code = "school_funded" if activity.kind in SCHOOL_FUNDED else "school_programme"
        if activity.funding_status == "not_chargeable" and activity.funding_reason == {
            "code": code
        }:
            continue
        activity.allocation_id = None
        activity.funding_status = "not_chargeable"
        activity.consumed = 0
        activity.pilot_product_id = None
        activity.pilot_cents = 0
        activity.funding_reason = {"code": code}
        activity.save(
            update_fields=[
                "allocation",
                "funding_status",
                "consumed",
                "pilot_product",
                "pilot_cents",
                "funding_reason",
            ]
        )
        history.append(
            HistoricalActivity(
                **{name: getattr(activity, name) for name in fields},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
            )
        )
        if len(history) >= 500:
            HistoricalActivity.objects.bulk_create(history)
            history = []
    HistoricalActivity.objects.bulk_create(history)


class Migration(migrations.Migration):
    dependencies = [
        ("trajectories", "0006_school_placement_and_employment"),
        ("funding", "0010_funder_code_school_board"),
    ]

    operations = [migrations.RunPython(release_education, migrations.RunPython.noop)]
