"""The stored valuation of waiting (unfunded) care: who is responsible for each waiting
activity and what it would be worth at that funder's cheapest fitting product
(``apps.funding.responsibility``), kept in ``WaitingValuation`` so that the unfunded queue and
a funder's report annex read it instead of working it out for every activity on every view.

When it is written (docs/performance.md, "Waiting care valued once"):

- an activity the assignment leaves unfunded (``activity_funding_assign``: logged or
  changed) is valued by a Celery worker once its transaction is committed (without a worker,
  by the next read);
- ``unfunded_rematch`` (every new, changed or cancelled activity, every fact recorded through
  the funding-facts and youth-care services, every new allocation) and
  ``allocation_activities_reassign`` revalue the client's waiting activities, in the same
  transaction;
- a saved client (municipality, date of birth, extended youth care), CIZ indication, health
  insurance, allocation or job marks the client's valuations ``pending``; a saved contract or
  product the organisation's; a saved funder or funding stream all of them (``receivers``).
  What is pending is valued again on commit (a Celery task in a worker) or at the latest by
  the next read (``waiting_value_missing``);
- ``manage.py waiting_revalue`` values everything again (after an upgrade).

On PostgreSQL the database keeps the rows complete (the trigger of migration 0013, in the
transaction of every write of an activity, whatever code path makes it): an activity that
starts to wait, or waits on with another date, kind, duration or reason, gets a pending row;
one that stops waiting loses its row. A second trigger keeps running sums of the valued rows
per organisation and funder (``WaitingTotal``). The queue then reads: is any row of the
organisation pending (one index probe), its counts and totals per funder (the running sums,
a few rows), the page's rows. Elsewhere (SQLite, the demo) the read looks for the waiting
activities without a row, adds up the rows, and keeps only those of activities still waiting.

``waiting_valuations_live`` is the rule itself, kept for the revaluation and for the test
that the stored path gives what the live one does.
"""

from __future__ import annotations

from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.accounts.models import Organisation
from apps.clients.models import Client, ExtendedYouthCare, HealthInsurance, WlzIndication
from apps.funding.models import Allocation, Contract, Funder, FundingStream, Product
from apps.funding.responsibility import Responsible, ResponsibleRoutes

from .models import Activity, Employment, WaitingValuation

# What the valuation reads of an activity and its client (never the note).
VALUED_FIELDS = (
    "trajectory__client__organisation",
    "trajectory__client__responsible_municipality__cbs_code",
    "trajectory__client__responsible_municipality__name",
    "trajectory__client__client_number",
    "trajectory__client__given_name",
    "trajectory__client__family_name",
    "trajectory__client__pseudonym",
    "trajectory__client__shielded",
    "trajectory__client__date_of_birth",
    "trajectory__client__extended_youth_care_from",
    "trajectory__client__extended_youth_care_until",
    "domain",
    "kind",
    "date",
    "duration_minutes",
    "units",
    "attendance",
    "funding_reason",
    "expected_funding",
)


# Every waiting activity without a row gets a pending one, as the trigger of migration 0013
# gives it: after a bulk load that bypasses triggers (the bench generator's COPY), or to
# check the rows.
FILL_SQL = """
INSERT INTO trajectories_waitingvaluation
    (activity_id, organisation_id, date, value_cents, pending)
SELECT a.id, c.organisation_id, a.date, 0, true
FROM trajectories_activity a
JOIN trajectories_trajectory t ON t.id = a.trajectory_id
JOIN clients_client c ON c.id = t.client_id
WHERE a.status = 'recorded' AND a.funding_status = 'unfunded'
ON CONFLICT (activity_id) DO NOTHING
"""

# The rows of activities that no longer wait.
STALE_SQL = """
DELETE FROM trajectories_waitingvaluation w
USING trajectories_activity a
WHERE a.id = w.activity_id AND NOT (a.status = 'recorded' AND a.funding_status = 'unfunded')
"""


# The running sums added up from the valued rows (after a bulk load, or to set them right).
TOTAL_FILL_SQL = """
INSERT INTO trajectories_waitingtotal (organisation_id, funder_id, activities, value_cents)
SELECT organisation_id, funder_id, count(*), sum(value_cents)
FROM trajectories_waitingvaluation WHERE NOT pending
GROUP BY organisation_id, funder_id
"""

# Fold an organisation's running sums (``WaitingTotal``) into one row per funder, only for the
# funders that have more than one. Two folds at once each fold the rows they saw (a row is
# deleted once; the other's new row is not in its snapshot), so the sums stay right.
FOLD_SQL = """
WITH folded AS (
    DELETE FROM trajectories_waitingtotal
    WHERE organisation_id = %(organisation)s
      AND coalesce(funder_id, -1) IN (
          SELECT coalesce(funder_id, -1) FROM trajectories_waitingtotal
          WHERE organisation_id = %(organisation)s
          GROUP BY funder_id HAVING count(*) > 1)
    RETURNING funder_id, activities, value_cents
)
INSERT INTO trajectories_waitingtotal (organisation_id, funder_id, activities, value_cents)
SELECT %(organisation)s, funder_id, sum(activities), sum(value_cents)
FROM folded GROUP BY funder_id
HAVING sum(activities) <> 0 OR sum(value_cents) <> 0
"""

TOTALS_SQL = """
SELECT funder_id, sum(activities), sum(value_cents) FROM trajectories_waitingtotal
WHERE organisation_id = %(organisation)s GROUP BY funder_id HAVING sum(activities) <> 0
"""

# The running sums against the valued rows, per organisation and funder: 0 when they agree.
TOTAL_DIFFERENCES_SQL = """
SELECT count(*) FROM (
    SELECT organisation_id, funder_id, sum(activities) AS n, sum(value_cents) AS v
    FROM trajectories_waitingtotal GROUP BY 1, 2 HAVING sum(activities) <> 0
) t FULL JOIN (
    SELECT organisation_id, funder_id, count(*) AS n, sum(value_cents) AS v
    FROM trajectories_waitingvaluation WHERE NOT pending GROUP BY 1, 2
) w ON w.organisation_id = t.organisation_id AND w.funder_id IS NOT DISTINCT FROM t.funder_id
WHERE t.n IS DISTINCT FROM w.n OR t.v IS DISTINCT FROM w.v
"""


def rows_kept_complete() -> bool:
    """Whether the database keeps a row for every waiting activity and none for any other
    (PostgreSQL: the trigger); elsewhere the reads look for what has none."""
    return connection.vendor == "postgresql"


def waiting_rows_complete() -> int:
    """Give every waiting activity a row (pending where it had none), drop the rows of those
    that no longer wait and add the running sums up again from the valued rows; the number of
    rows added. Writers of valuations wait meanwhile. Nothing to do without the trigger."""
    if not rows_kept_complete():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE trajectories_waitingvaluation IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(STALE_SQL)
        cursor.execute(FILL_SQL)
        added = cursor.rowcount
        cursor.execute("DELETE FROM trajectories_waitingtotal")
        cursor.execute(TOTAL_FILL_SQL)
        return added


def waiting_totals(*, organisation: Organisation) -> list[tuple[int | None, int, int]]:
    """(funder id, count, value in cents) of the organisation's valued waiting activities,
    from the running sums (two statements on a few rows). Only with the trigger."""
    with connection.cursor() as cursor:
        cursor.execute(FOLD_SQL, {"organisation": organisation.pk})
        cursor.execute(TOTALS_SQL, {"organisation": organisation.pk})
        return [(funder, int(count), int(value)) for funder, count, value in cursor.fetchall()]


def waiting_valuations_live(
    *, organisation: Organisation, activities
) -> list[tuple[Activity, Responsible]]:
    """Each of the organisation's waiting activities among ``activities`` (a QuerySet) with
    its responsible funder and value, worked out now, oldest first: a fixed number of queries
    whatever their number."""
    activities = (
        activities.unfunded()
        .filter(trajectory__client__organisation=organisation)
        .select_related("trajectory__client__responsible_municipality")
        .only(*VALUED_FIELDS)
        .order_by("date", "pk")
    )
    from .education import activities_with_employment  # education imports the assignment

    # Whether the client held a job on the day: the UWV pays job coaching only beside one.
    activities = list(activities_with_employment(activities))
    if not activities:
        return []
    # Only the products that could stand in for these activities: logging one waiting
    # activity no longer reads (and builds) the organisation's whole product table.
    routes = ResponsibleRoutes.for_activities(organisation, activities)
    return [(activity, routes.responsible(activity)) for activity in activities]


def _store(organisation: Organisation, valued: Iterable[tuple[Activity, Responsible]]) -> int:
    rows = [
        WaitingValuation(
            activity_id=activity.pk,
            organisation_id=organisation.pk,
            date=activity.date,
            funder=found.funder,
            product=found.product,
            stream=found.stream,
            value_cents=found.value_cents,
            pending=False,
        )
        for activity, found in valued
    ]
    # Derived data, no history (the activity and the facts keep theirs).
    WaitingValuation.objects.bulk_create(
        rows,
        batch_size=2_000,
        update_conflicts=True,
        unique_fields=["activity"],
        update_fields=[
            "organisation",
            "date",
            "funder",
            "product",
            "stream",
            "value_cents",
            "pending",
        ],
    )
    return len(rows)


def waiting_revalue_client(*, client: Client) -> int:
    """Value the client's waiting activities again (and drop the valuations of those no
    longer waiting); the number valued. With the trigger the rows of what stopped waiting are
    gone already, and a row whose valuation did not change is left as it was (its running
    sums untouched)."""
    if not rows_kept_complete():
        WaitingValuation.objects.filter(activity__trajectory__client_id=client.pk).delete()
    organisation = client.organisation
    activities = Activity.objects.filter(trajectory__client_id=client.pk)
    return _store(
        organisation, waiting_valuations_live(organisation=organisation, activities=activities)
    )


def waiting_value_missing(*, organisation: Organisation) -> int:
    """Value the organisation's waiting activities that are pending or (without the trigger)
    have no valuation at all; one query when there are none."""
    if not rows_kept_complete():
        missing = Activity.objects.filter(
            Q(waiting_valuation__isnull=True) | Q(waiting_valuation__pending=True)
        )
        if not missing.unfunded().filter(trajectory__client__organisation=organisation).exists():
            return 0
        return _store(
            organisation, waiting_valuations_live(organisation=organisation, activities=missing)
        )
    pending = WaitingValuation.objects.filter(organisation=organisation, pending=True)
    if not pending.exists():  # one probe of the index of pending rows
        return 0
    ids = set(pending.values_list("activity_id", flat=True))
    valued = waiting_valuations_live(
        organisation=organisation,
        activities=Activity.objects.filter(
            waiting_valuation__organisation=organisation, waiting_valuation__pending=True
        ),
    )
    stored = _store(organisation, valued)
    _repoint(ids - {activity.pk for activity, _found in valued})
    return stored


def _repoint(activity_ids: set[int]) -> None:
    """Pending rows the organisation did not value: their client moved to another
    organisation, which values them; a row whose activity no longer waits is dropped."""
    ids = sorted(activity_ids)
    for start in range(0, len(ids), 10_000):
        rows = WaitingValuation.objects.filter(activity_id__in=ids[start : start + 10_000])
        rows.exclude(activity__status="recorded", activity__funding_status="unfunded").delete()
        rows.update(
            organisation_id=Subquery(
                Client.objects.filter(trajectories__activities=OuterRef("activity_id")).values(
                    "organisation_id"
                )[:1]
            )
        )


def waiting_revalue_organisation(*, organisation: Organisation) -> int:
    """Value all the organisation's waiting activities again."""
    if rows_kept_complete():
        WaitingValuation.objects.filter(organisation=organisation).update(pending=True)
    else:
        WaitingValuation.objects.filter(organisation=organisation).delete()
    return waiting_value_missing(organisation=organisation)


# --- what drops a valuation ----------------------------------------------------------------


@shared_task(name="trajectories.waiting_value_missing_task")
def waiting_value_missing_task(organisation_id: int) -> int:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    return waiting_value_missing(organisation=organisation) if organisation else 0


@shared_task(name="trajectories.waiting_value_activity_task")
def waiting_value_activity_task(organisation_id: int, activity_id: int) -> int:
    """Value one activity the assignment left waiting: a fixed number of queries, whatever
    the number of the organisation's waiting activities (``waiting_value_missing`` looks for
    every one of them without a valuation, which grows with the organisation)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    activities = Activity.objects.filter(pk=activity_id)
    return _store(
        organisation, waiting_valuations_live(organisation=organisation, activities=activities)
    )


def waiting_value_on_commit(*, organisation_id: int, activity: Activity | None = None) -> None:
    """Value the organisation's pending waiting activities (or, given one, that activity
    alone) once the current transaction is committed, in a Celery worker. Without a worker
    (Celery eager, the demo) nothing is done here: the next read of the queue values what is
    pending, and the caseworker who logged the care does not wait for a manager's figure."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    if activity is not None:
        transaction.on_commit(
            lambda: waiting_value_activity_task.delay(organisation_id, activity.pk)
        )
        return
    transaction.on_commit(lambda: waiting_value_missing_task.delay(organisation_id))


def _dropped(
    valuations, organisation_ids: Iterable[int], *, organisation_id: int | None = None
) -> None:
    """Mark valuations whose facts changed pending; value them again once the change is
    committed. ``organisation_id``: the organisation the client's rows belong to now."""
    if organisation_id is None:
        valuations.update(pending=True)
    else:
        valuations.update(pending=True, organisation_id=organisation_id)
    for each in sorted(set(organisation_ids)):
        waiting_value_on_commit(organisation_id=each)


def _client_changed(client_id: int | None) -> None:
    if client_id is None:
        return
    organisation_id = (
        Client.objects.filter(pk=client_id).values_list("organisation_id", flat=True).first()
    )
    if organisation_id is not None:
        _dropped(
            WaitingValuation.objects.filter(activity__trajectory__client_id=client_id),
            [organisation_id],
        )


@receiver(post_save, sender=Client, dispatch_uid="waiting.client_saved")
def _on_client_saved(sender, instance, created, raw=False, **kwargs) -> None:
    # The responsible municipality (and its history), the date of birth, extended youth care.
    if not created and not raw:
        _dropped(
            WaitingValuation.objects.filter(activity__trajectory__client_id=instance.pk),
            [instance.organisation_id],
            organisation_id=instance.organisation_id,  # the client may have moved
        )


@receiver(post_save, sender=WlzIndication, dispatch_uid="waiting.indication_saved")
@receiver(post_delete, sender=WlzIndication, dispatch_uid="waiting.indication_deleted")
@receiver(post_save, sender=HealthInsurance, dispatch_uid="waiting.insurance_saved")
@receiver(post_delete, sender=HealthInsurance, dispatch_uid="waiting.insurance_deleted")
@receiver(post_save, sender=ExtendedYouthCare, dispatch_uid="waiting.youth_care_saved")
@receiver(post_delete, sender=ExtendedYouthCare, dispatch_uid="waiting.youth_care_deleted")
@receiver(post_save, sender=Allocation, dispatch_uid="waiting.allocation_saved")
@receiver(post_delete, sender=Allocation, dispatch_uid="waiting.allocation_deleted")
def _on_client_fact_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _client_changed(instance.client_id)


@receiver(post_save, sender=Employment, dispatch_uid="waiting.employment_saved")
@receiver(post_delete, sender=Employment, dispatch_uid="waiting.employment_deleted")
def _on_employment_saved(sender, instance, raw=False, **kwargs) -> None:
    # Whether the client held a job on the day (the UWV pays job coaching only beside one).
    if not raw:
        _client_changed(
            Client.objects.filter(trajectories__pk=instance.trajectory_id)
            .values_list("pk", flat=True)
            .first()
        )


@receiver(post_save, sender=Contract, dispatch_uid="waiting.contract_saved")
@receiver(post_delete, sender=Contract, dispatch_uid="waiting.contract_deleted")
def _on_contract_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        organisation_id = instance.organisation_id
        _dropped(
            WaitingValuation.objects.filter(organisation_id=organisation_id), [organisation_id]
        )


@receiver(post_save, sender=Product, dispatch_uid="waiting.product_saved")
@receiver(post_delete, sender=Product, dispatch_uid="waiting.product_deleted")
def _on_product_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        organisation_id = (
            Contract.objects.filter(pk=instance.contract_id)
            .values_list("organisation_id", flat=True)
            .first()
        )
        if organisation_id is not None:
            _dropped(
                WaitingValuation.objects.filter(organisation_id=organisation_id), [organisation_id]
            )


@receiver(post_save, sender=Funder, dispatch_uid="waiting.funder_saved")
@receiver(post_save, sender=FundingStream, dispatch_uid="waiting.stream_saved")
def _on_reference_saved(sender, instance, created, raw=False, **kwargs) -> None:
    # Reference data, rarely changed: every organisation's valuations are dropped.
    if not created and not raw:
        organisation_ids = WaitingValuation.objects.values_list(
            "organisation_id", flat=True
        ).distinct()
        _dropped(WaitingValuation.objects.all(), list(organisation_ids))
