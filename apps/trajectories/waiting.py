"""The stored valuation of waiting (unfunded) care: who is responsible for each waiting
activity and what it would be worth at that funder's cheapest fitting product
(``apps.funding.responsibility``), kept in ``WaitingValuation`` so that the unfunded queue and
a funder's report annex read it instead of working it out for every activity on every view.

When it is written (docs/performance.md, "Waiting care valued once"):

- an activity the assignment leaves unfunded (``activity_funding_assign``: logged or
  changed) is valued once its transaction is committed;
- ``unfunded_rematch`` (every new, changed or cancelled activity, every fact recorded through
  the funding-facts and youth-care services, every new allocation) and
  ``allocation_activities_reassign`` revalue the client's waiting activities, in the same
  transaction;
- a saved client (municipality, date of birth, extended youth care), CIZ indication, health
  insurance, allocation or job drops the client's valuations; a saved contract or product
  the organisation's; a saved funder or funding stream all of them (``receivers``). What was
  dropped is valued again on commit (a Celery task) or at the latest by the next read
  (``waiting_value_missing``);
- ``manage.py waiting_revalue`` values everything again (after an upgrade).

``waiting_valuations_live`` is the rule itself, kept for the revaluation and for the test
that the stored path gives what the live one does.
"""

from __future__ import annotations

from collections.abc import Iterable

from celery import shared_task
from django.db import transaction
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
        )
        for activity, found in valued
    ]
    # Derived data, no history (the activity and the facts keep theirs).
    WaitingValuation.objects.bulk_create(
        rows,
        batch_size=2_000,
        update_conflicts=True,
        unique_fields=["activity"],
        update_fields=["organisation", "date", "funder", "product", "stream", "value_cents"],
    )
    return len(rows)


def waiting_revalue_client(*, client: Client) -> int:
    """Value the client's waiting activities again (and drop the valuations of those no
    longer waiting); the number valued."""
    WaitingValuation.objects.filter(activity__trajectory__client_id=client.pk).delete()
    organisation = client.organisation
    activities = Activity.objects.filter(trajectory__client_id=client.pk)
    return _store(
        organisation, waiting_valuations_live(organisation=organisation, activities=activities)
    )


def waiting_value_missing(*, organisation: Organisation) -> int:
    """Value the organisation's waiting activities that have no valuation (new, or dropped
    after a change); one query when there are none."""
    missing = Activity.objects.filter(waiting_valuation__isnull=True)
    if not missing.unfunded().filter(trajectory__client__organisation=organisation).exists():
        return 0
    return _store(
        organisation, waiting_valuations_live(organisation=organisation, activities=missing)
    )


def waiting_revalue_organisation(*, organisation: Organisation) -> int:
    """Value all the organisation's waiting activities again."""
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
    """Value the organisation's waiting activities without a valuation (or, given one,
    that activity alone) once the current transaction is committed (a Celery task: in a
    worker, or right after the commit when Celery runs eagerly)."""
    if activity is not None:
        transaction.on_commit(
            lambda: waiting_value_activity_task.delay(organisation_id, activity.pk)
        )
        return
    transaction.on_commit(lambda: waiting_value_missing_task.delay(organisation_id))


def _dropped(valuations, organisation_ids: Iterable[int]) -> None:
    """Drop valuations whose facts changed; value them again once the change is committed."""
    valuations.delete()
    for organisation_id in sorted(set(organisation_ids)):
        waiting_value_on_commit(organisation_id=organisation_id)


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
