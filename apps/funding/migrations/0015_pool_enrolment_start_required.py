# The enrolments' start, filled in by 0014, becomes required (its own migration: PostgreSQL
# alters a table in a separate transaction from the update that filled it).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0014_pooled_budgets"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pilotenrolment",
            name="start",
            field=models.DateField(verbose_name="takes part from"),
        ),
        migrations.AlterField(
            model_name="historicalpilotenrolment",
            name="start",
            field=models.DateField(verbose_name="takes part from"),
        ),
    ]
