"""Education and work as they are really funded: the pupil's school placement (and how the
school is paid for them) and the client's employment (beside which the UWV pays job coaching).

Schools are never paid per lesson (apps.core.domains.SCHOOL_FUNDED_KINDS): a placement says how
they are paid instead. (V)SO and praktijkonderwijs: per pupil through DUO, admitted with a
toelaatbaarheidsverklaring (TLV) of the samenwerkingsverband (Wet op de expertisecentra,
passend onderwijs); regular VO: the lump sum per pupil through DUO; the MBO: its lump sum (WEB).
An employment is what the UWV's job coaching rests on (apps.funding.rules.employment_refusal).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessEvent
from apps.audit.services import access_log_write
from apps.funding.models import Allocation, AllocationStatus, Funder, FunderKind

from .assignment import allocation_activities_reassign, unfunded_rematch
from .models import (
    FUNDING_BASIS_OF_SCHOOL_TYPE,
    TLV_CATEGORY_TYPES,
    Employment,
    SchoolFundingBasis,
    SchoolPlacement,
    SchoolType,
    Trajectory,
)

BOARD_CODE = re.compile(r"\d{1,10}")
BRIN = re.compile(r"[0-9A-Z]{4}")
LOCATION_NUMBER = re.compile(r"\d{2}")
# The fields a placement is registered with (the funding basis follows from the school type).
PLACEMENT_FIELDS = (
    "school_name",
    "board_code",
    "brin",
    "location_number",
    "school_type",
    "mbo_level",
    "samenwerkingsverband",
    "tlv_number",
    "tlv_category",
    "tlv_start",
    "tlv_end",
    "start",
    "end",
)


def _day(value: date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "…"


def placement_errors(placement: SchoolPlacement) -> dict[str, list[str]]:
    """What is wrong with a placement's school and funding basis, per field (pure)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not BOARD_CODE.fullmatch(placement.board_code or ""):
        add("board_code", _("The school-board number (bevoegd gezag) is a number of digits."))
    if placement.brin and not BRIN.fullmatch(placement.brin):
        add("brin", _("A BRIN number is four characters, letters and digits (e.g. 12AB)."))
    if placement.location_number:
        if not placement.brin:
            add("location_number", _("A location number belongs to a BRIN number: give both."))
        elif not LOCATION_NUMBER.fullmatch(placement.location_number):
            add("location_number", _("The location number is two digits."))
    if placement.end is not None and placement.start and placement.end < placement.start:
        add("end", _("The end date lies before the start date."))
    school_type = placement.school_type
    if school_type not in SchoolType.values:
        add("school_type", _("Choose the kind of school."))
        return errors
    basis = FUNDING_BASIS_OF_SCHOOL_TYPE[school_type]
    tlv_given = bool(
        placement.tlv_number
        or placement.samenwerkingsverband_id
        or placement.tlv_category
        or placement.tlv_start
        or placement.tlv_end
    )
    if school_type == SchoolType.MBO:
        if placement.mbo_level not in (1, 2, 3, 4):
            add("mbo_level", _("Give the MBO level (1 to 4)."))
        if tlv_given:
            add(
                "samenwerkingsverband",
                _(
                    "An MBO placement has no samenwerkingsverband funding and no TLV: the MBO is "
                    "funded by a lump sum (WEB)."
                ),
            )
    elif placement.mbo_level is not None:
        add("mbo_level", _("Only an MBO placement has a level."))
    if basis == SchoolFundingBasis.VO_LUMP_SUM and tlv_given:
        add(
            "tlv_number",
            _(
                "Regular VO is funded by its lump sum without a TLV; VSO and praktijkonderwijs "
                "need one."
            ),
        )
    if basis == SchoolFundingBasis.DUO_PER_PUPIL_TLV:
        errors_before = len(errors)
        label = SchoolType(school_type).label
        if not placement.tlv_number:
            add(
                "tlv_number",
                _(
                    "A placement in %(type)s needs the TLV (toelaatbaarheidsverklaring) of the "
                    "samenwerkingsverband: give its number."
                )
                % {"type": label},
            )
        swv = placement.samenwerkingsverband if placement.samenwerkingsverband_id else None
        if swv is None:
            add("samenwerkingsverband", _("Name the samenwerkingsverband that issued the TLV."))
        elif swv.kind != FunderKind.SAMENWERKINGSVERBAND:
            add(
                "samenwerkingsverband",
                _("%(funder)s is not a samenwerkingsverband.") % {"funder": swv.name},
            )
        if school_type in TLV_CATEGORY_TYPES and not placement.tlv_category:
            add("tlv_category", _("Give the TLV's funding category (1, 2 or 3)."))
        if school_type not in TLV_CATEGORY_TYPES and placement.tlv_category:
            add("tlv_category", _("A TLV for praktijkonderwijs has no funding category."))
        if placement.tlv_start is None:
            add("tlv_start", _("Give the date from which the TLV is valid."))
        elif placement.tlv_end is not None and placement.tlv_end < placement.tlv_start:
            add("tlv_end", _("The TLV's end date lies before its start date."))
        elif (
            len(errors) == errors_before
            and placement.start
            and not placement.tlv_valid_on(placement.start)
        ):
            add(
                "tlv_start",
                _(
                    "The TLV is valid from %(first)s to %(last)s, not on the placement's start "
                    "%(start)s."
                )
                % {
                    "first": _day(placement.tlv_start),
                    "last": _day(placement.tlv_end),
                    "start": _day(placement.start),
                },
            )
    return errors


def _overlapping(queryset: QuerySet, start: date, end: date | None) -> QuerySet:
    overlap = queryset.filter(Q(end__isnull=True) | Q(end__gte=start))
    return overlap.filter(start__lte=end) if end is not None else overlap


@transaction.atomic
def school_placement_register(*, trajectory: Trajectory, actor: User, **fields) -> SchoolPlacement:
    """Register the school a pupil attends from a date, with its funding basis.

    The basis follows from the kind of school; a (V)SO or praktijkonderwijs placement needs a
    TLV valid on its start, an MBO placement has none. Placements of a trajectory do not
    overlap: end the previous one first.
    """
    unknown = set(fields) - set(PLACEMENT_FIELDS)
    if unknown:
        raise TypeError(f"school_placement_register does not take {sorted(unknown)}")
    Trajectory.objects.select_for_update().get(pk=trajectory.pk)  # one placement at a time
    values = {
        field: fields.get(field, "" if field in ("brin", "location_number") else None)
        for field in PLACEMENT_FIELDS
    }
    for text in ("school_name", "board_code", "brin", "location_number", "tlv_number"):
        values[text] = (values[text] or "").strip()
    values["brin"] = values["brin"].upper()
    values["tlv_category"] = values["tlv_category"] or ""
    placement = SchoolPlacement(
        trajectory=trajectory,
        funding_basis=FUNDING_BASIS_OF_SCHOOL_TYPE.get(values["school_type"], ""),
        **values,
    )
    errors = placement_errors(placement)
    if not errors and placement.start:
        other = _overlapping(
            trajectory.school_placements.all(), placement.start, placement.end
        ).first()
        if other is not None:
            errors["start"] = [
                _(
                    "This placement overlaps the one at %(school)s (%(first)s to %(last)s): "
                    "end that one first."
                )
                % {
                    "school": other.school_name,
                    "first": _day(other.start),
                    "last": _day(other.end),
                }
            ]
    if errors:
        raise ValidationError(errors)
    placement.full_clean(exclude=["trajectory"])
    placement._history_user = actor
    placement.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=trajectory.client, obj=placement)
    return placement


@transaction.atomic
def school_placement_end(*, placement: SchoolPlacement, end: date, actor: User) -> SchoolPlacement:
    """End a placement on a date (the pupil left the school); the TLV stays as it was."""
    placement = SchoolPlacement.objects.select_for_update().get(pk=placement.pk)
    if end < placement.start:
        raise ValidationError({"end": _("The end date lies before the start date.")})
    placement.end = end
    placement._history_user = actor
    placement.save(update_fields=["end"])
    access_log_write(
        actor=actor, event=AccessEvent.CHANGE, client=placement.trajectory.client, obj=placement
    )
    return placement


def _job_coaching_reassign(*, trajectory: Trajectory, actor: User) -> None:
    """An employment came or went: what the client's UWV allocations fund is decided again
    (job coaching outside the employment is released), and waiting care is matched."""
    client = trajectory.client
    uwv = Allocation.objects.filter(
        client=client, status=AllocationStatus.ACTIVE, funder__kind=FunderKind.UWV
    ).order_by("pk")
    reassigned = False
    for allocation in uwv:
        allocation_activities_reassign(allocation=allocation, actor=actor)
        reassigned = True
    if not reassigned:
        unfunded_rematch(client=client, actor=actor)


def _employment_validate(employment: Employment) -> None:
    errors: dict[str, list[str]] = {}
    if not employment.employer:
        errors["employer"] = [_("Name the employer.")]
    hours = employment.hours_per_week
    if hours is None or not 1 <= hours <= 60:
        errors["hours_per_week"] = [_("Hours per week are a number from 1 to 60.")]
    if employment.end is not None and employment.start and employment.end < employment.start:
        errors["end"] = [_("The end date lies before the start date.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employment_register(
    *,
    trajectory: Trajectory,
    employer: str,
    hours_per_week: int,
    start: date,
    end: date | None,
    actor: User,
) -> Employment:
    """Record a job the client holds; the UWV's job coaching in it can then be paid."""
    employment = Employment(
        trajectory=trajectory,
        employer=(employer or "").strip(),
        hours_per_week=hours_per_week,
        start=start,
        end=end,
    )
    _employment_validate(employment)
    employment.full_clean(exclude=["trajectory"])
    employment._history_user = actor
    employment.save()
    access_log_write(
        actor=actor, event=AccessEvent.CREATE, client=trajectory.client, obj=employment
    )
    _job_coaching_reassign(trajectory=trajectory, actor=actor)
    return employment


@transaction.atomic
def employment_end(*, employment: Employment, end: date, actor: User) -> Employment:
    """End a job on a date; the UWV's job coaching after it is released."""
    employment = Employment.objects.select_for_update().get(pk=employment.pk)
    if end < employment.start:
        raise ValidationError({"end": _("The end date lies before the start date.")})
    employment.end = end
    employment._history_user = actor
    employment.save(update_fields=["end"])
    trajectory = employment.trajectory
    access_log_write(
        actor=actor, event=AccessEvent.CHANGE, client=trajectory.client, obj=employment
    )
    _job_coaching_reassign(trajectory=trajectory, actor=actor)
    return employment


# --- reads ---------------------------------------------------------------------------------


def school_placements_for(*, trajectory: Trajectory) -> QuerySet[SchoolPlacement]:
    """The trajectory's placements, newest first, with their samenwerkingsverband."""
    return trajectory.school_placements.select_related("samenwerkingsverband").order_by(
        "-start", "-pk"
    )


def employments_for(*, trajectory: Trajectory) -> QuerySet[Employment]:
    """The trajectory's employments, newest first."""
    return trajectory.employments.order_by("-start", "-pk")


def samenwerkingsverbanden() -> QuerySet[Funder]:
    """The funders that issue TLVs: the samenwerkingsverbanden."""
    return Funder.objects.filter(kind=FunderKind.SAMENWERKINGSVERBAND).order_by("name")


def school_and_work_for(*, trajectory: Trajectory | None, lanes) -> dict:
    """What the client page shows of school and work: the placements (education lane) and the
    employments (work lane) of the trajectory, evaluated here so the template runs no query."""
    if trajectory is None:
        return {"placements": None, "employments": None}
    return {
        "placements": (
            list(school_placements_for(trajectory=trajectory)) if "education" in lanes else None
        ),
        "employments": list(employments_for(trajectory=trajectory)) if "work" in lanes else None,
    }


def activities_with_employment(activities: QuerySet) -> QuerySet:
    """Activities annotated with ``employed``: whether the client held a job on the day.

    ContractProducts (apps.funding.rules) reads it to leave the UWV out as the route for job
    coaching without a job; one subquery, no query per activity.
    """
    jobs = (
        Employment.objects.filter(trajectory=OuterRef("trajectory"), start__lte=OuterRef("date"))
        .filter(Q(end__isnull=True) | Q(end__gte=OuterRef("date")))
        .values("pk")
    )
    return activities.annotate(employed=Exists(jobs))
