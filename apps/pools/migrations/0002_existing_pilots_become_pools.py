"""Each integral pilot of before the pooled budgets had one funder, its contract's, that paid
all of it: it becomes that pool's only funder, with the whole share and the budget as its
contribution. The pilot's other settings keep their meaning through the defaults of funding
0014 (priced per activity at the contract's tariffs, fixed shares)."""

from django.db import migrations


def pilots_become_pools(apps, schema_editor):
    IntegralPilot = apps.get_model("funding", "IntegralPilot")
    PoolFunder = apps.get_model("pools", "PoolFunder")
    for pool in IntegralPilot.objects.select_related("contract").order_by("pk"):
        PoolFunder.objects.get_or_create(
            pool=pool,
            funder_id=pool.contract.funder_id,
            stream=None,
            defaults={"share_permille": 1000, "contribution_cents": pool.budget_cents},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("pools", "0001_initial"),
        ("funding", "0015_pool_enrolment_start_required"),
    ]

    operations = [
        migrations.RunPython(pilots_become_pools, migrations.RunPython.noop),
    ]
