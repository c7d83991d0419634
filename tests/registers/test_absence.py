"""The rule for reporting unexcused absence, pinned with worked examples.

Leerplichtwet 1969, art. 21a: the head of the school reports without delay to the municipality
(the leerplichtambtenaar, through DUO's verzuimregister) when a pupil has missed, without a
valid reason, more than 16 hours of teaching time in a period of four consecutive school weeks.
DUO: "de leerling is meer dan 16 uur ongeoorloofd afwezig binnen een periode van 4 weken"
(duo.nl/zakelijk/primair-onderwijs/verzuim/verzuim-digitaal-melden.jsp); the Inspectie van het
Onderwijs: report within 5 working days "na het overschrijden van de grens van 16 uur",
holidays are not school weeks, and after a report a new period of four weeks begins
(onderwijsinspectie.nl, "Registreren en melden van ongeoorloofd verzuim"). It applies to
pupils under 16 (leerplicht) and under 18 without a basic qualification (kwalificatieplicht).
"""

import datetime

from apps.registers.absence import (
    THRESHOLD_MINUTES,
    LessonRecord,
    absence_to_report,
    absence_windows,
    reporting_applies,
)

MONDAY = datetime.date(2026, 9, 7)


def week(n: int, day: int = 0) -> datetime.date:
    return MONDAY + datetime.timedelta(weeks=n, days=day)


def test_four_lessons_of_4h15_unexcused_in_four_weeks_must_be_reported():
    # 4 x 255 min = 1020 min = 17 h > 16 h.
    lessons = [LessonRecord(week(n, 1), 255, unexcused=True) for n in range(4)]
    window = absence_to_report(lessons)
    assert window is not None
    assert window.unexcused_minutes == 1020
    assert (window.first_week, window.last_week) == (week(0), week(3))
    assert window.last_absence == week(3, 1)


def test_exactly_16_hours_is_not_over_the_limit():
    # 4 x 240 min = 960 min = 16 h: the limit is reached, not passed.
    lessons = [LessonRecord(week(n, 1), 240, unexcused=True) for n in range(4)]
    assert THRESHOLD_MINUTES == 960
    assert absence_windows(lessons)[0].unexcused_minutes == 960
    assert absence_to_report(lessons) is None
    # One more minute in the same weeks passes it.
    assert absence_to_report([*lessons, LessonRecord(week(2, 3), 1, unexcused=True)])


def test_excused_absence_and_attended_lessons_do_not_count():
    lessons = [LessonRecord(week(n, 1), 300, unexcused=False) for n in range(4)]
    lessons += [LessonRecord(week(n, 2), 300, unexcused=False) for n in range(4)]
    assert absence_to_report(lessons) is None


def test_the_hours_must_fall_within_four_consecutive_school_weeks():
    # 17 hours spread over five school weeks: no four of them hold more than 16 hours.
    lessons = [LessonRecord(week(n, 1), 204, unexcused=True) for n in range(5)]
    assert [w.unexcused_minutes for w in absence_windows(lessons)] == [816, 816]
    assert absence_to_report(lessons) is None


def test_a_holiday_week_without_lessons_is_not_a_school_week():
    # Weeks 0, 1, then the autumn holiday (week 2, no lessons), then weeks 3 and 4: the four
    # school weeks run from week 0 to week 4.
    lessons = [LessonRecord(week(n, 1), 255, unexcused=True) for n in (0, 1, 3, 4)]
    window = absence_to_report(lessons)
    assert window is not None
    assert (window.first_week, window.last_week) == (week(0), week(4))


def test_it_applies_under_18_only():
    born = datetime.date(2010, 3, 15)
    assert reporting_applies(date_of_birth=born, on=datetime.date(2028, 3, 14))  # 17
    assert not reporting_applies(date_of_birth=born, on=datetime.date(2028, 3, 15))  # 18
