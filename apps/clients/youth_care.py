"""Extended youth care (verlengde jeugdhulp): recording it with its legal basis, changing it,
ending it, and reading it.

The Jeugdwet pays until the 18th birthday. From 18 to 23 a person is still a "jeugdige"
(Jeugdwet art. 1.1) only when the municipality decided that youth care is continued because

- youth care started before the 18th birthday and is continued (``continued``),
- before the 18th birthday it was decided that youth care is needed (``decided_before_18``),
- youth care that started before 18 ended and is resumed within six months (``resumed``).

These services keep each period (``ExtendedYouthCare``, with history) and write the current
period onto the client (``extended_youth_care_from`` / ``_until``), which is what the funding
rules read. Who may call them (a caseworker of the care team) is decided by the caller; the
funding consequences (rematching care) are the trajectories app's
(``apps.trajectories.youth_care``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessEvent
from apps.audit.services import access_log_write

from .models import (
    EXTENDED_YOUTH_CARE_LAST_AGE,
    RESUMPTION_WINDOW,
    Client,
    ExtendedYouthCare,
    ExtendedYouthCareBasis,
)

ADULT_AGE = 18

# What a caseworker fills in; the period's dates and the decision.
EXTENDED_YOUTH_CARE_FIELDS = frozenset(
    {
        "basis",
        "care_started_on",
        "previous_care_ended_on",
        "decided_by",
        "decision_reference",
        "decision_date",
        "start",
        "until",
    }
)


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def resumption_deadline(ended_on: date) -> date:
    """The last day on which youth care that ended on ``ended_on`` may be resumed as
    extended youth care: six months after it ended."""
    return ended_on + RESUMPTION_WINDOW


def _validate(care: ExtendedYouthCare, *, today: date) -> None:
    """Check a period against the Jeugdwet's grounds; every error names its field."""
    client = care.client
    turns_18 = client.birthday(ADULT_AGE)
    turns_23 = client.birthday(EXTENDED_YOUTH_CARE_LAST_AGE)
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if care.basis == ExtendedYouthCareBasis.UNKNOWN:
        error(
            "basis",
            _("Choose the basis of the extended youth care: on which ground it was decided."),
        )
    if not care.decided_by.strip():
        error("decided_by", _("Say who decided on the extended youth care (the municipality)."))
    if care.decision_date is None:
        error("decision_date", _("Give the date of the decision."))
    elif care.decision_date > today:
        error("decision_date", _("The decision date cannot lie in the future."))
    if care.start is None:
        error("start", _("Give the first day of the extended youth care."))
    if care.until is None:
        error("until", _("Give the last day of the extended youth care."))
    if care.care_started_on is None:
        error(
            "care_started_on",
            _("Give the date the youth care started or was decided, before the 18th birthday."),
        )
    elif care.care_started_on >= turns_18:
        error(
            "care_started_on",
            _(
                "Extended youth care needs youth care that started or was decided before the "
                "18th birthday (%(day)s)."
            )
            % {"day": _day(turns_18)},
        )
    if care.start is not None and care.start < turns_18:
        error(
            "start",
            _(
                "Extended youth care starts on the 18th birthday (%(day)s) at the earliest: "
                "before it the Jeugdwet pays anyway."
            )
            % {"day": _day(turns_18)},
        )
    if care.until is not None and care.until >= turns_23:
        error(
            "until",
            _("Extended youth care ends at the latest the day before the 23rd birthday (%(day)s).")
            % {"day": _day(turns_23)},
        )
    if care.start is not None and care.until is not None and care.until < care.start:
        error("until", _("The end date lies before the start date."))
    if care.basis == ExtendedYouthCareBasis.RESUMED:
        _validate_resumed(care, error)
    elif care.previous_care_ended_on is not None:
        error(
            "previous_care_ended_on",
            _("The end of earlier youth care is only asked when care is resumed."),
        )
    if not errors:
        _validate_no_overlap(care, error)
    if errors:
        raise ValidationError(errors)


def _validate_resumed(care: ExtendedYouthCare, error) -> None:
    ended = care.previous_care_ended_on
    if ended is None:
        error(
            "previous_care_ended_on",
            _("For resumed care, give the last day of the youth care that ended."),
        )
        return
    if care.care_started_on is not None and ended < care.care_started_on:
        error("previous_care_ended_on", _("The youth care cannot end before it started."))
    deadline = resumption_deadline(ended)
    if care.start is not None and care.start <= ended:
        error(
            "start",
            _("Resumed care starts after the earlier youth care ended (%(day)s).")
            % {"day": _day(ended)},
        )
    for field, value in (("start", care.start), ("decision_date", care.decision_date)):
        if value is not None and value > deadline:
            error(
                field,
                _(
                    "Youth care that ended on %(ended)s can be resumed as extended youth care "
                    "only within six months, until %(deadline)s (Jeugdwet art. 1.1). After "
                    "that the Jeugdwet does not pay: ask the Wmo, the Zvw or the Wlz."
                )
                % {"ended": _day(ended), "deadline": _day(deadline)},
            )


def _validate_no_overlap(care: ExtendedYouthCare, error) -> None:
    others = ExtendedYouthCare.objects.filter(client=care.client).exclude(pk=care.pk)
    for other in others:
        if other.start <= care.last_day and care.start <= other.last_day:
            error(
                "start",
                _(
                    "Another period of extended youth care (%(start)s – %(end)s) overlaps "
                    "this one: change or end that one instead."
                )
                % {"start": _day(other.start), "end": _day(other.last_day)},
            )


def _client_period_sync(client: Client, actor: User | None) -> None:
    """Write the latest period onto the client, where the funding rules read it."""
    current = ExtendedYouthCare.objects.filter(client=client).order_by("-start", "-pk").first()
    start = current.start if current is not None else None
    until = current.last_day if current is not None else None
    if (client.extended_youth_care_from, client.extended_youth_care_until) == (start, until):
        return
    client.extended_youth_care_from = start
    client.extended_youth_care_until = until
    client._history_user = actor
    client.save(update_fields=["extended_youth_care_from", "extended_youth_care_until"])


def _locked(client: Client) -> Client:
    return Client.objects.select_for_update().get(pk=client.pk)


@transaction.atomic
def extended_youth_care_record(
    *,
    client: Client,
    basis: str,
    care_started_on: date | None,
    decided_by: str,
    decision_reference: str,
    decision_date: date | None,
    start: date | None,
    until: date | None,
    actor: User,
    previous_care_ended_on: date | None = None,
    today: date | None = None,
) -> ExtendedYouthCare:
    """Record a period of extended youth care with its basis and the municipality's decision."""
    client = _locked(client)
    care = ExtendedYouthCare(
        client=client,
        basis=basis,
        care_started_on=care_started_on,
        previous_care_ended_on=previous_care_ended_on,
        decided_by=(decided_by or "").strip(),
        decision_reference=(decision_reference or "").strip(),
        decision_date=decision_date,
        start=start,
        until=until,
    )
    _validate(care, today=today or timezone.localdate())
    care.full_clean()
    care._history_user = actor
    care.save()
    _client_period_sync(client, actor)
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=care)
    return care


@transaction.atomic
def extended_youth_care_change(
    *, care: ExtendedYouthCare, actor: User, today: date | None = None, **changes
) -> ExtendedYouthCare:
    """Change a period's basis, decision or dates; a period recorded before the basis was
    asked gets its basis this way."""
    unknown = set(changes) - EXTENDED_YOUTH_CARE_FIELDS
    if unknown:
        raise TypeError(f"extended_youth_care_change cannot change {sorted(unknown)}")
    client = _locked(care.client)
    care = ExtendedYouthCare.objects.select_for_update().get(pk=care.pk)
    care.client = client
    for field, value in changes.items():
        if field in ("decided_by", "decision_reference"):
            value = (value or "").strip()
        setattr(care, field, value)
    if care.basis != ExtendedYouthCareBasis.RESUMED:
        care.previous_care_ended_on = None
    if care.ended_on is not None and care.until is not None and care.ended_on > care.until:
        care.ended_on = None  # ended "early" after its new end: the new end date counts
    _validate(care, today=today or timezone.localdate())
    care.full_clean()
    care._history_user = actor
    care.save()
    _client_period_sync(client, actor)
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=client, obj=care)
    return care


@transaction.atomic
def extended_youth_care_end(
    *, care: ExtendedYouthCare, ended_on: date | None, actor: User
) -> ExtendedYouthCare:
    """End a period early: ``ended_on`` is its last day. The Jeugdwet pays nothing after it."""
    client = _locked(care.client)
    care = ExtendedYouthCare.objects.select_for_update().get(pk=care.pk)
    if ended_on is None:
        raise ValidationError({"ended_on": _("Give the last day of the extended youth care.")})
    if not care.start <= ended_on <= care.until:
        raise ValidationError(
            {
                "ended_on": _("The last day lies within the period, from %(start)s to %(until)s.")
                % {"start": _day(care.start), "until": _day(care.until)}
            }
        )
    care.ended_on = ended_on
    care.full_clean()
    care._history_user = actor
    care.save(update_fields=["ended_on"])
    _client_period_sync(client, actor)
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=client, obj=care)
    return care


def extended_youth_care_list_for_client(*, client: Client) -> QuerySet[ExtendedYouthCare]:
    """The client's periods of extended youth care, latest first."""
    return ExtendedYouthCare.objects.filter(client=client).order_by("-start", "-pk")


def extended_youth_care_get(*, client: Client, pk: int) -> ExtendedYouthCare | None:
    """One period of this client's extended youth care, or None (never another client's)."""
    return ExtendedYouthCare.objects.filter(client=client, pk=pk).first()
