"""Products say what they deliver and what they pay for (issue 15).

Existing products get their delivery kind from their unit and the activity kinds they pay for
from what they are: a stay product (etmaal) pays for residential stays, a day-part product for
day activities (or the day parts at school or at work its stream pays), a guidance product for guidance and personal care, any other product for the
kinds its stream pays for apart from guidance, personal care, stays and day activities (its
treatment). A history row records each product's change.

The rules are copied here as they were (not imported from the app, which may change).
Reversible: going back drops the two fields.
"""

from django.db import migrations, models
from django.utils import timezone

DELIVERY_KIND_OF_UNIT = {
    "01": "time",
    "04": "time",
    "14": "presence",
    "16": "presence",
    "82": "output",
    "84": "output",
    "83": "budget",
}
KINDS_BY_DOMAIN = {
    "care": [
        "intake",
        "diagnostics",
        "treatment_session",
        "group_session",
        "family_session",
        "crisis_contact",
        "case_consultation",
        "guidance",
        "personal_care",
        "day_activity",
        "residential_stay",
    ],
    "education": ["lesson", "exam", "attendance_registration", "study_guidance"],
    "work": ["internship_day", "job_coaching", "work_training"],
}
NOT_CHARGEABLE = {"case_consultation", "attendance_registration"}
SUPPORT = ["guidance", "personal_care"]
PRESENCE = {"day_activity", "residential_stay"}
DAY_PARTS = {"day_activity", "lesson", "exam", "internship_day"}


def stream_kinds(stream) -> list[str]:
    """What the stream pays for: its list, or every kind of its domains; never-billed kinds
    left out."""
    kinds = stream.activity_kinds or [
        kind for domain in stream.domains for kind in KINDS_BY_DOMAIN.get(domain, [])
    ]
    return [kind for kind in kinds if kind not in NOT_CHARGEABLE]


def product_kinds(product, stream) -> list[str]:
    paid = stream_kinds(stream)
    if product.unit == "14":
        return ["residential_stay"]
    if product.unit == "16":  # attended day parts: of a day activity, at school, at work
        return [kind for kind in paid if kind in DAY_PARTS] or ["day_activity"]
    if product.is_guidance:
        return SUPPORT
    treatment = [kind for kind in paid if kind not in PRESENCE and kind not in SUPPORT]
    # A stream that pays only support (the Wmo) pays its time products for that support.
    return treatment or [kind for kind in paid if kind not in PRESENCE]


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


def products_say_what_they_pay_for(apps, schema_editor):
    Product = apps.get_model("funding", "Product")
    HistoricalProduct = apps.get_model("funding", "HistoricalProduct")
    for product in Product.objects.select_related("contract__stream").order_by("pk"):
        product.delivery_kind = DELIVERY_KIND_OF_UNIT[product.unit]
        product.activity_kinds = product_kinds(product, product.contract.stream)
        product.save(update_fields=["delivery_kind", "activity_kinds"])
        history_row(HistoricalProduct, product, "issue 15: delivery kind and activity kinds")
    # Older history rows of products: the delivery kind their unit had.
    for unit, kind in DELIVERY_KIND_OF_UNIT.items():
        HistoricalProduct.objects.filter(unit=unit, delivery_kind="").update(delivery_kind=kind)


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0005_wmo_pays_support'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalproduct',
            name='activity_kinds',
            field=models.JSONField(blank=True, default=list, help_text="Only activities of these kinds are drawn on the product's allocations.", verbose_name='activity kinds it pays for'),
        ),
        migrations.AddField(
            model_name='historicalproduct',
            name='delivery_kind',
            field=models.CharField(blank=True, choices=[('time', 'Time (minutes, hours: sessions)'), ('presence', 'Presence (etmaal, day part: nights and day parts)'), ('output', 'Output (pieces per period)'), ('budget', 'Budget (euros)')], help_text='Follows from the unit; filled in from it when left empty.', max_length=10, verbose_name='delivery kind'),
        ),
        migrations.AddField(
            model_name='product',
            name='activity_kinds',
            field=models.JSONField(blank=True, default=list, help_text="Only activities of these kinds are drawn on the product's allocations.", verbose_name='activity kinds it pays for'),
        ),
        migrations.AddField(
            model_name='product',
            name='delivery_kind',
            field=models.CharField(blank=True, choices=[('time', 'Time (minutes, hours: sessions)'), ('presence', 'Presence (etmaal, day part: nights and day parts)'), ('output', 'Output (pieces per period)'), ('budget', 'Budget (euros)')], help_text='Follows from the unit; filled in from it when left empty.', max_length=10, verbose_name='delivery kind'),
        ),
        migrations.RunPython(products_say_what_they_pay_for, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('delivery_kind', 'time'), ('unit__in', ['01', '04'])), models.Q(('delivery_kind', 'presence'), ('unit__in', ['14', '16'])), models.Q(('delivery_kind', 'output'), ('unit__in', ['82', '84'])), models.Q(('delivery_kind', 'budget'), ('unit__in', ['83'])), _connector='OR'), name='product_delivery_kind_matches_unit'),
        ),
    ]
