# The contract becomes required and the variants are checked, after 0011 filled the contract
# (a migration of its own: PostgreSQL does not alter a table with pending trigger events).
# Not reversible once aspecific or generic allocations exist (their product is empty).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("funding", "0011_allocation_variants"),
    ]

    operations = [
        migrations.AlterField(
            model_name='allocation',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='funding.contract', verbose_name='contract'),
        ),
        migrations.AlterField(
            model_name='allocation',
            name='product',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='funding.product', verbose_name='product'),
        ),
        migrations.AlterField(
            model_name='allocation',
            name='volume',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='volume'),
        ),
        migrations.AlterField(
            model_name='historicalallocation',
            name='volume',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='volume'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(('budget_cents__isnull', True), ('budget_cents__gt', 0), _connector='OR'), name='allocation_budget_positive'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('category', ''), ('product__isnull', False), ('variant', 'specific'), ('volume__isnull', False), ('budget_cents__isnull', True)), models.Q(('frequency', '6'), ('product__isnull', True), ('unit', '83'), ('variant', 'aspecific'), ('volume__isnull', True), models.Q(('category', ''), _negated=True)), models.Q(('budget_cents__isnull', False), ('category', ''), ('frequency', '6'), ('product__isnull', True), ('unit', '83'), ('variant', 'generic'), ('volume__isnull', True)), _connector='OR'), name='allocation_variant_fields'),
        ),
    ]
