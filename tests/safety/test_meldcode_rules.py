"""The meldcode's rules: the afwegingskader, the order of the steps, when a step stalls, and
when a report to the inspectorate is late (apps/safety/meldcode_rules.py).

Sources:
- Besluit verplichte meldcode huiselijk geweld en kindermishandeling (Stb. 2013, 324), art. 2,
  and the Basismodel meldcode (Rijksoverheid, 2017): the steps 1 "breng signalen in kaart",
  2 "collegiale consultatie en zo nodig raadplegen van Veilig Thuis", 3 "gesprek met de
  cliënt", 4 "weeg aan de hand van het afwegingskader", 5 "beslis: melden en/of hulp bieden";
  the afwegingskader is part of the meldcode since 1 January 2019 (the Besluit's change of
  2017).
- "Het afwegingskader in de Meldcode huiselijk geweld en kindermishandeling" (Rijksoverheid,
  basisdocument): afweging 1 "Heb ik een vermoeden van huiselijk geweld en/of
  kindermishandeling?" (nee: afsluiten en vastleggen); 2 "acute en/of structurele
  onveiligheid?" (ja: melden bij Veilig Thuis; mensenhandel, zoals uitbuiting of gedwongen
  prostitutie, is acute onveiligheid); 3 "Ben ik in staat effectieve hulp te bieden of te
  organiseren?" (nee: melden); 4 "Aanvaarden de betrokkenen hulp en zijn zij bereid zich
  hiervoor in te zetten?" (nee: melden; ja: hulp bieden of organiseren); 5 "Leidt de hulp
  binnen de gewenste termijn tot de noodzakelijke resultaten?" (nee: (opnieuw) melden).
  Melden is a professional norm in every case of acute or structural unsafety and wherever the
  professional cannot give effective help.
- Jeugdwet art. 4.1.7 (the youth care provider has a meldcode) and art. 4.1.8 (a calamity or
  violence during youth care is reported "onverwijld" to the inspectorate); the Leidraad
  Meldingen Jeugd (IGJ and Inspectie JenV, 2018) and igj.nl ("Jeugdhulpaanbieders: melden
  calamiteit / geweld"): "onverwijld" is within three working days.
"""

from datetime import date

import pytest

from apps.safety.meldcode_rules import (
    FOLLOW_UP_DAYS,
    REPORT_STALL_DAYS,
    STEP_STALL_DAYS,
    Afweging,
    Waiting,
    afwegingskader_outcome,
    decisions_allowed,
    inspectorate_report_due,
    inspectorate_report_late,
    track_next,
)
from apps.safety.models import MeldcodeDecision, MeldcodeStep


def _weigh(*answers):
    names = ("suspicion", "acute_or_structural", "effective_help", "help_accepted")
    return afwegingskader_outcome(
        **dict(zip(names, [*answers, None, None, None, None][:4], strict=True))
    )


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ((False,), Afweging.CLOSE),  # afweging 1 "nee": afsluiten en vastleggen
        ((True, True), Afweging.REPORT),  # 2 "ja": acute or structural unsafety, report
        ((True, False, False), Afweging.REPORT),  # 3 "nee": no effective help possible
        ((True, False, True, False), Afweging.REPORT),  # 4 "nee": help not accepted
        ((True, False, True, True), Afweging.HELP),  # 4 "ja": give or organise help
        ((), Afweging.INCOMPLETE),
        ((True,), Afweging.INCOMPLETE),
        ((True, False), Afweging.INCOMPLETE),
        ((True, False, True), Afweging.INCOMPLETE),
    ],
)
def test_the_afwegingskader_leads_to_its_conclusion_in_the_order_of_its_questions(answers, outcome):
    assert _weigh(*answers) == outcome


def test_an_answer_after_the_weighing_ended_does_not_change_it():
    # Afweging 2 "ja" ends the weighing: reporting is necessary whatever 3 and 4 say.
    assert _weigh(True, True, True, True) == Afweging.REPORT
    assert _weigh(False, False, True, True) == Afweging.CLOSE


def test_where_reporting_is_necessary_only_a_decision_that_reports_fits():
    assert decisions_allowed(Afweging.REPORT) == {
        MeldcodeDecision.REPORT,
        MeldcodeDecision.REPORT_AND_HELP,
    }
    # Where help is possible the professional may still report (the meldrecht), not close.
    assert MeldcodeDecision.REPORT in decisions_allowed(Afweging.HELP)
    assert MeldcodeDecision.CLOSE not in decisions_allowed(Afweging.HELP)
    assert decisions_allowed(Afweging.CLOSE) == {MeldcodeDecision.CLOSE}
    assert decisions_allowed(Afweging.INCOMPLETE) == frozenset()


def test_the_next_step_is_due_a_week_after_the_one_before():
    opened = date(2026, 3, 2)
    nothing = track_next(
        opened_on=opened, steps={}, decision="", reported_on=None, last_follow_up=None
    )
    assert (nothing.waiting, nothing.step, nothing.due) == (Waiting.STEP, 1, date(2026, 3, 9))
    two = track_next(
        opened_on=opened,
        steps={1: date(2026, 3, 3), 2: date(2026, 3, 5)},
        decision="",
        reported_on=None,
        last_follow_up=None,
    )
    assert (two.step, two.since) == (MeldcodeStep.CONVERSATION, date(2026, 3, 5))
    assert two.due == date(2026, 3, 5 + STEP_STALL_DAYS)
    assert not two.stalled_on(two.due)
    assert two.stalled_on(date(2026, 3, 13))


def test_after_a_decision_to_report_the_report_is_due_the_next_day_then_follow_ups():
    steps = {n: date(2026, 3, n) for n in range(1, 6)}
    waiting = track_next(
        opened_on=date(2026, 3, 1),
        steps=steps,
        decision=MeldcodeDecision.REPORT,
        reported_on=None,
        last_follow_up=None,
    )
    assert (waiting.waiting, waiting.due) == (Waiting.REPORT, date(2026, 3, 5 + REPORT_STALL_DAYS))
    reported = track_next(
        opened_on=date(2026, 3, 1),
        steps=steps,
        decision=MeldcodeDecision.REPORT,
        reported_on=date(2026, 3, 6),
        last_follow_up=date(2026, 3, 20),
    )
    assert reported.waiting == Waiting.FOLLOW_UP
    assert (reported.due - date(2026, 3, 20)).days == FOLLOW_UP_DAYS
    closing = track_next(
        opened_on=date(2026, 3, 1),
        steps=steps,
        decision=MeldcodeDecision.CLOSE,
        reported_on=None,
        last_follow_up=None,
    )
    assert closing is None


def test_a_report_to_the_inspectorate_is_due_three_working_days_after_it_became_known():
    # Known on a Thursday: Friday, Monday, Tuesday.
    assert inspectorate_report_due(date(2026, 3, 5)) == date(2026, 3, 10)
    assert not inspectorate_report_late(
        discovered_on=date(2026, 3, 5), reported_on=date(2026, 3, 10), today=date(2026, 4, 1)
    )
    assert inspectorate_report_late(
        discovered_on=date(2026, 3, 5), reported_on=date(2026, 3, 11), today=date(2026, 4, 1)
    )
    # Not reported: late once the last day has passed.
    assert not inspectorate_report_late(
        discovered_on=date(2026, 3, 5), reported_on=None, today=date(2026, 3, 10)
    )
    assert inspectorate_report_late(
        discovered_on=date(2026, 3, 5), reported_on=None, today=date(2026, 3, 11)
    )
