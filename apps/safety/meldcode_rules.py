"""The meldcode's rules as plain functions: the afwegingskader, the order of the steps, when a
step stalls, and when a report to the inspectorate is late.

Sources (cited again in tests/safety/test_meldcode_rules.py):
- the steps: Besluit verplichte meldcode huiselijk geweld en kindermishandeling (Stb. 2013, 324)
  and the Basismodel meldcode (Rijksoverheid, 2017; the afwegingskader in it since 1 January
  2019);
- the afwegingskader's five questions and when reporting is a professional norm: "Het
  afwegingskader in de Meldcode huiselijk geweld en kindermishandeling" (Rijksoverheid,
  basisdocument, 2017/2018);
- the report to the inspectorate: Jeugdwet art. 4.1.8 ("onverwijld"), which the Leidraad
  Meldingen Jeugd (IGJ and Inspectie JenV, 2018) reads as within three working days.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .models import HELPING_DECISIONS, REPORTING_DECISIONS, MeldcodeDecision, MeldcodeStep

# --- the afwegingskader ----------------------------------------------------------------------


class Afweging(StrEnum):
    """What the afwegingskader's answers lead to."""

    INCOMPLETE = "incomplete"  # a question that must be answered is not
    CLOSE = "close"  # afweging 1 "no": no suspicion, close and record
    REPORT = "report"  # reporting to Veilig Thuis is necessary (the professional norm)
    HELP = "help"  # help is possible: give or organise it, and follow it (afweging 5)


def afwegingskader_outcome(
    *,
    suspicion: bool | None,
    acute_or_structural: bool | None,
    effective_help: bool | None,
    help_accepted: bool | None,
) -> Afweging:
    """Afwegingen 1 to 4 in their order: each "no" or "yes" either ends the weighing or leads
    to the next question; the questions after the end are not asked."""
    if suspicion is None:
        return Afweging.INCOMPLETE
    if not suspicion:
        return Afweging.CLOSE  # 1: no suspicion of domestic violence or child abuse
    if acute_or_structural is None:
        return Afweging.INCOMPLETE
    if acute_or_structural:
        return Afweging.REPORT  # 2: acute or structural unsafety: always report
    if effective_help is None:
        return Afweging.INCOMPLETE
    if not effective_help:
        return Afweging.REPORT  # 3: I cannot give or organise effective help
    if help_accepted is None:
        return Afweging.INCOMPLETE
    if not help_accepted:
        return Afweging.REPORT  # 4: those involved do not accept the help
    return Afweging.HELP


def afwegingskader_questions_reached(
    *, suspicion: bool | None, acute_or_structural: bool | None, effective_help: bool | None
) -> int:
    """How many of afwegingen 1 to 4 are asked, given the answers so far (an answer to a
    question after the weighing ended is not part of it)."""
    if suspicion is not True:
        return 1
    if acute_or_structural is not False:
        return 2
    if effective_help is not True:
        return 3
    return 4


def decisions_allowed(afweging: Afweging) -> frozenset[str]:
    """The decisions of step 5 that fit the weighing: where reporting is necessary the decision
    reports (help may come beside it); where help is possible, reporting stays allowed (the
    meldrecht); without a suspicion the track is closed."""
    if afweging == Afweging.REPORT:
        return REPORTING_DECISIONS
    if afweging == Afweging.HELP:
        return frozenset(MeldcodeDecision.values) - {MeldcodeDecision.CLOSE}
    if afweging == Afweging.CLOSE:
        return frozenset({MeldcodeDecision.CLOSE})
    return frozenset()


def decision_reports(decision: str) -> bool:
    return decision in REPORTING_DECISIONS


def decision_helps(decision: str) -> bool:
    return decision in HELPING_DECISIONS


# --- the order of the steps and when one stalls -----------------------------------------------

# The meldcode sets no day counts of its own ("zo snel mogelijk"; acute unsafety at once). Ours:
# - a step waits at most a week after the one before: consultation and the weighing happen in
#   the team's weekly meeting, so a step not taken within seven days has missed one;
# - a decision to report waits one day for the report: Veilig Thuis answers day and night and
#   nothing is left to weigh;
# - after the decision, someone looks every six weeks at whether the help works (afweging 5)
#   or what Veilig Thuis did, until the track is closed.
STEP_STALL_DAYS = 7
REPORT_STALL_DAYS = 1
FOLLOW_UP_DAYS = 42


class Waiting(StrEnum):
    STEP = "step"  # the next of the five steps
    REPORT = "report"  # the report to Veilig Thuis that the decision asks for
    FOLLOW_UP = "follow_up"  # a look at the help or at what Veilig Thuis did


@dataclass(frozen=True)
class NextThing:
    waiting: Waiting
    step: int | None  # the step waited for (Waiting.STEP)
    since: date
    due: date

    def stalled_on(self, today: date) -> bool:
        return today > self.due


def track_next(
    *,
    opened_on: date,
    steps: dict[int, date],
    decision: str,
    reported_on: date | None,
    last_follow_up: date | None,
) -> NextThing | None:
    """What an open track waits for, since when and until when; None when nothing (a track
    closed with "no suspicion" waits for nothing but its closing)."""
    recorded = sorted(steps)
    if len(recorded) < len(MeldcodeStep.values):
        next_step = MeldcodeStep.values[len(recorded)]
        since = steps[recorded[-1]] if recorded else opened_on
        return NextThing(Waiting.STEP, next_step, since, since + timedelta(days=STEP_STALL_DAYS))
    decided_on = steps[MeldcodeStep.DECISION]
    if decision == MeldcodeDecision.CLOSE:
        return None
    if decision_reports(decision) and reported_on is None:
        return NextThing(
            Waiting.REPORT, None, decided_on, decided_on + timedelta(days=REPORT_STALL_DAYS)
        )
    since = max(day for day in (decided_on, reported_on, last_follow_up) if day is not None)
    return NextThing(Waiting.FOLLOW_UP, None, since, since + timedelta(days=FOLLOW_UP_DAYS))


# --- reports to the inspectorate ----------------------------------------------------------------

# Jeugdwet art. 4.1.8: report a calamity or violence "onverwijld"; the Leidraad Meldingen Jeugd
# reads that as within three working days after it became known. Public holidays are counted as
# working days here: the flag may come a day early, never late.
INSPECTORATE_REPORT_WORKING_DAYS = 3


def working_days_after(day: date, count: int) -> date:
    """The day ``count`` working days (Monday to Friday) after ``day``."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def inspectorate_report_due(discovered_on: date) -> date:
    """The last day the report to the inspectorate is on time."""
    return working_days_after(discovered_on, INSPECTORATE_REPORT_WORKING_DAYS)


def inspectorate_report_late(*, discovered_on: date, reported_on: date | None, today: date) -> bool:
    """Reported after the last day, or not reported and the last day has passed."""
    due = inspectorate_report_due(discovered_on)
    return (reported_on or today) > due
