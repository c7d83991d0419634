"""Release the activities that were drawn on a product that does not pay for them (issue 15).

Before products said what they pay for, any care allocation absorbed any care activity, and
stays (etmaal) and day parts (dagdeel) were consumed in minutes: a 45-minute session drew
0.03 of a night. Such activities are released here to unfunded, with a reason naming the
product and the kind and a history row each; the ``funding_rematch`` command (run it after
migrating; the demo seeds afresh) lets the normal services match them again, to an allocation
whose product pays for them.

Activities of a presence kind on a presence product keep their allocation and now consume
whole units (their ``units``, or one) instead of minutes.

Written with the historical models and the rules as they are today (not imported from the
app, which may change). Not reversible in the data: going back leaves the released activities
unfunded (re-matching them under the old rules is what ``funding_rematch`` did before).
"""

from django.db import migrations
from django.utils import timezone

# What a presence product counts per unit: nights of stay, attended day parts.
PRESENCE_KINDS_BY_UNIT = {
    "14": {"residential_stay"},
    "16": {"day_activity", "lesson", "exam", "internship_day"},
}
REASON = "issue 15: the product does not pay for this kind"


def history_row(Historical, obj, reason: str) -> None:
    """A simple-history row of the object as it is now ("~": changed, by no user)."""
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    Historical.objects.create(
        **values,
        history_date=timezone.now(),
        history_type="~",
        history_user=None,
        history_change_reason=reason,
    )


def wrongly_drawn(activity, product) -> bool:
    if activity.kind not in (product.activity_kinds or []):
        return True
    # A presence product is drawn only by presence; a time session never consumes a night.
    counted = PRESENCE_KINDS_BY_UNIT.get(product.unit)
    return counted is not None and activity.kind not in counted


def release_wrongly_drawn(apps, schema_editor):
    Activity = apps.get_model("trajectories", "Activity")
    HistoricalActivity = apps.get_model("trajectories", "HistoricalActivity")
    drawn = (
        Activity.objects.filter(status="recorded", funding_status__in=["funded", "pilot"])
        .select_related("allocation__product", "pilot_product")
        .order_by("pk")
    )
    for activity in drawn.iterator(chunk_size=500):
        allocation = activity.allocation
        product = allocation.product if allocation is not None else activity.pilot_product
        if product is None:
            continue
        if wrongly_drawn(activity, product):
            activity.funding_reason = {
                "code": "unfunded",
                "refusals": [
                    {
                        "code": "product_does_not_pay_kind",
                        "number": allocation.number if allocation is not None else product.code,
                        "product": f"{product.code} {product.description}",
                        "kind": activity.kind,
                    }
                ],
            }
            activity.allocation = None
            activity.funding_status = "unfunded"
            activity.consumed = 0
            activity.pilot_product = None
            activity.pilot_cents = 0
            activity.save(
                update_fields=[
                    "allocation",
                    "funding_status",
                    "consumed",
                    "funding_reason",
                    "pilot_product",
                    "pilot_cents",
                ]
            )
            history_row(HistoricalActivity, activity, REASON)
        elif (
            allocation is not None
            and product.unit in PRESENCE_KINDS_BY_UNIT
            and (activity.consumed != (activity.units or 1))
        ):
            # Was counted in minutes; a night or a day part is one whole unit.
            activity.consumed = activity.units or 1
            activity.save(update_fields=["consumed"])
            history_row(HistoricalActivity, activity, "issue 15: presence in whole units")


class Migration(migrations.Migration):
    dependencies = [
        ("trajectories", "0003_activity_kinds_guidance_and_presence"),
        ("funding", "0006_product_delivery_kind"),
    ]

    operations = [migrations.RunPython(release_wrongly_drawn, migrations.RunPython.noop)]
