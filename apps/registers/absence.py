"""Unexcused absence that must be reported to the compulsory-education officer.

Leerplichtwet 1969, art. 21a: the head of a school reports without delay to the municipality
(its leerplichtambtenaar, through DUO's verzuimregister) a pupil who, without a valid reason,
missed more than 16 hours of teaching time in a period of four consecutive school weeks
(holidays are not school weeks). It applies to pupils of compulsory education (leerplicht, 5
to 16) and of the qualification duty (kwalificatieplicht, 16 to 18 without a basic
qualification); after a report, counting starts anew.

Plain functions over (date, minutes, unexcused) tuples; the data are gathered in
``selectors.py``. A school week is a calendar week (Monday to Sunday) in which the pupil had at
least one lesson recorded, so a holiday week without lessons does not break the run of four.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

THRESHOLD_MINUTES = 16 * 60  # over this in four consecutive school weeks: report
SCHOOL_WEEKS = 4
# Leerplicht to 16, kwalificatieplicht to 18 (a basic qualification is not recorded here,
# so every pupil under 18 counts).
REPORTING_AGE_LIMIT = 18


@dataclass(frozen=True)
class LessonRecord:
    date: date
    minutes: int
    unexcused: bool


@dataclass(frozen=True)
class AbsenceWindow:
    first_week: date  # the Monday of the first of the four school weeks
    last_week: date  # the Monday of the last
    unexcused_minutes: int
    last_absence: date  # the last unexcused absence counted

    @property
    def unexcused_hours(self) -> float:
        return self.unexcused_minutes / 60

    @property
    def over_threshold(self) -> bool:
        return self.unexcused_minutes > THRESHOLD_MINUTES


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def reporting_applies(*, date_of_birth: date, on: date) -> bool:
    """Whether the pupil is of compulsory-education or qualification-duty age on the day."""
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    return age < REPORTING_AGE_LIMIT


def absence_windows(lessons: Iterable[LessonRecord]) -> list[AbsenceWindow]:
    """Every run of four consecutive school weeks (fewer when there are fewer), with the
    unexcused minutes in it, oldest first."""
    weeks: dict[date, list[LessonRecord]] = {}
    for lesson in lessons:
        weeks.setdefault(monday_of(lesson.date), []).append(lesson)
    ordered = sorted(weeks)
    if not ordered:
        return []
    runs = [ordered[i : i + SCHOOL_WEEKS] for i in range(max(1, len(ordered) - SCHOOL_WEEKS + 1))]
    windows = []
    for run in runs:
        absent = [lesson for week in run for lesson in weeks[week] if lesson.unexcused]
        windows.append(
            AbsenceWindow(
                first_week=run[0],
                last_week=run[-1],
                unexcused_minutes=sum(lesson.minutes for lesson in absent),
                last_absence=max((lesson.date for lesson in absent), default=run[-1]),
            )
        )
    return windows


def absence_to_report(lessons: Iterable[LessonRecord]) -> AbsenceWindow | None:
    """The latest window of four consecutive school weeks with more than 16 hours of
    unexcused absence, or None."""
    over = [window for window in absence_windows(lessons) if window.over_threshold]
    return over[-1] if over else None


def heaviest_window(lessons: Iterable[LessonRecord]) -> AbsenceWindow | None:
    """The latest window with the most unexcused absence (what the class page shows)."""
    windows = absence_windows(lessons)
    if not windows:
        return None
    return max(reversed(windows), key=lambda window: window.unexcused_minutes)
