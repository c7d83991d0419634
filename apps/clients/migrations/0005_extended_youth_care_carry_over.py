"""Carry the existing ``extended_youth_care_until`` values over into periods of extended youth
care. Their basis was never asked: they are recorded as "recorded before the basis was asked"
(``unknown``), from the 18th birthday to the recorded date, and the client page asks a
caseworker to give the basis. Reversible: going back removes the carried-over periods (the
client keeps its ``extended_youth_care_until``)."""

from datetime import date

from django.db import migrations


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return date(born.year + age, 3, 1)


def carry_over(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    ExtendedYouthCare = apps.get_model("clients", "ExtendedYouthCare")
    HistoricalExtendedYouthCare = apps.get_model("clients", "HistoricalExtendedYouthCare")
    clients = Client.objects.filter(extended_youth_care_until__isnull=False).order_by("pk")
    for client in clients.iterator():
        start = _birthday(client.date_of_birth, 18)
        until = client.extended_youth_care_until
        if until < start:
            # Recorded but ending before the 18th birthday: it never extended anything.
            client.extended_youth_care_until = None
            client.save(update_fields=["extended_youth_care_until"])
            continue
        care = ExtendedYouthCare.objects.create(
            client=client, basis="unknown", start=start, until=until
        )
        # The history row a service would have written (historical models in migrations do
        # not write their own); no acting user: it was carried over.
        HistoricalExtendedYouthCare.objects.create(
            id=care.pk,
            client_id=client.pk,
            basis=care.basis,
            start=start,
            until=until,
            decided_by="",
            decision_reference="",
            recorded_at=care.recorded_at,
            history_date=care.recorded_at,
            history_type="+",
            history_change_reason="carried over from extended_youth_care_until",
        )
        client.extended_youth_care_from = start
        client.save(update_fields=["extended_youth_care_from"])


def remove_carried_over(apps, schema_editor):
    ExtendedYouthCare = apps.get_model("clients", "ExtendedYouthCare")
    HistoricalExtendedYouthCare = apps.get_model("clients", "HistoricalExtendedYouthCare")
    carried = ExtendedYouthCare.objects.filter(basis="unknown")
    HistoricalExtendedYouthCare.objects.filter(id__in=carried.values("pk")).delete()
    carried.delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_extended_youth_care_basis")]

    operations = [migrations.RunPython(carry_over, remove_carried_over)]
