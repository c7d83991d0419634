"""The prestaties of the zorgprestatiemodel derived from what was registered: worked examples.

Sources (version 1.3 of the zorgprestatiemodel's specification, which takes its definitions
from NZa beleidsregel "Prestaties en tarieven ggz en fz", BR/REG-22137b):

- [consult] zorgprestatiemodel.atlassian.net, "Consult en toeslag consult": a consult is a
  direct, uninterrupted contact about care; with several practitioners present each registers
  his own consult; a contact under 5 minutes cannot be declared.
- [vanaf] nza.nl, vragen en antwoorden, "Een consult duurt soms langer dan 120 minuten": the
  consults have "vanaf" bounds; 140 minutes is the consult "vanaf 120 minuten", the longest.
- [uitleg] zorgprestatiemodel.nl, "Uitleg: juist registreren van consulten": the tariff of a
  treatment consult "vanaf 45 minuten" by a GZ-psycholoog in the multidisciplinary setting rests
  on 47 minutes of direct time (and 38 of indirect time); a diagnostic consult with the same
  features on 47 direct and 61 indirect: the duration category is the direct time.
- [beroepen] zorgprestatiemodel.atlassian.net, "Beroepscategorie en beroepen": the categories
  (the psychiatrist in arts-specialist; GZ-psycholoog; verpleegkundige; ...), and that only the
  listed professions register declarable (group) consults.
- [groep] zorgprestatiemodel.atlassian.net, "Groepsconsult": blocks of 30 minutes per
  practitioner, a remainder only when over 15 minutes; each practitioner declares his own group
  consults, per patient, by profession category and group size (all patients present count).
- [overig] zorgprestatiemodel.atlassian.net, "Overige prestaties": intercollegiaal overleg kort
  and lang exist only in "Setting ambulant kwaliteitsstatuut sectie II"; in the
  multidisciplinary setting the indirect time is in the consult tariffs ([uitleg]).
"""

import pytest
from django.utils import translation

from apps.zvw.models import Profession, ProfessionCategory
from apps.zvw.prestaties import (
    Practitioner,
    PrestatieKind,
    consult_minutes,
    derive,
    group_blocks,
    reason_text,
)

PSYCHOLOGIST = Practitioner(1, Profession.GZ_PSYCHOLOOG)
PSYCHIATRIST = Practitioner(2, Profession.PSYCHIATER)
NURSE = Practitioner(3, Profession.VERPLEEGKUNDIGE)
NO_PROFESSION = Practitioner(4, "")


def test_a_45_minute_treatment_consult_by_a_psychologist():
    # [uitleg], [consult], [beroepen]: 47 minutes of direct time by a GZ-psycholoog make the
    # treatment consult "vanaf 45 minuten" of the GZ-psycholoog.
    derivation = derive(kind="treatment_session", direct_minutes=47, practitioners=[PSYCHOLOGIST])
    [prestatie] = derivation.prestaties
    assert prestatie.kind == PrestatieKind.BEHANDELING
    assert prestatie.category == ProfessionCategory.GZ_PSYCHOLOOG
    assert prestatie.minutes == 45
    assert prestatie.key == "consult:behandeling:gz_psycholoog:45"
    with translation.override("en"):
        assert reason_text(derivation.reasons[0]) == (
            "47 minutes of direct time: a treatment consult from 45 minutes, one per "
            "practitioner present."
        )
        assert prestatie.label == (
            "Treatment consult of Healthcare psychologist (GZ-psycholoog) from 45 minutes"
        )


def test_a_20_minute_treatment_consult_by_a_psychiatrist():
    # [vanaf], [beroepen]: 20 minutes reach the bound of 15, not of 30; the psychiatrist is in
    # the category arts-specialist.
    [prestatie] = derive(
        kind="treatment_session", direct_minutes=20, practitioners=[PSYCHIATRIST]
    ).prestaties
    assert (prestatie.category, prestatie.minutes) == (ProfessionCategory.ARTS_SPECIALIST, 15)
    assert prestatie.key == "consult:behandeling:arts_specialist:15"


def test_a_group_session_of_six_clients_with_two_practitioners():
    # [groep]: 90 minutes are three blocks of 30; each of the two practitioners declares three
    # group consults for each of the six patients, by his own category, group size 6.
    derivation = derive(
        kind="group_session",
        direct_minutes=90,
        practitioners=[PSYCHOLOGIST, NURSE],
        group_size=6,
    )
    assert [(p.key, p.count, p.practitioner_id) for p in derivation.prestaties] == [
        ("groep:gz_psycholoog:6", 3, 1),
        ("groep:verpleegkundige:6", 3, 3),
    ]
    assert derivation.count == 6  # per client; 36 for the group of six
    with translation.override("en"):
        assert reason_text(derivation.reasons[0]) == (
            "90 minutes in a group of 6: 3 group consults of 30 minutes per practitioner (2), "
            "per patient."
        )


@pytest.mark.parametrize(
    ("minutes", "blocks"),
    [(30, 1), (45, 1), (46, 2), (60, 2), (75, 2), (76, 3), (15, 0), (16, 1), (10, 0)],
)
def test_a_group_remainder_counts_only_when_over_15_minutes(minutes, blocks):
    # [groep]: "Het eventuele restant (tijd <30 minuten) kan alleen gedeclareerd worden als deze
    # groter is dan 15 minuten."
    assert group_blocks(minutes) == blocks


def test_a_group_needs_two_patients():
    # [groep]: a group consult is 2 or more patients at once.
    derivation = derive(
        kind="group_session", direct_minutes=60, practitioners=[PSYCHOLOGIST], group_size=1
    )
    assert derivation.prestaties == []
    assert derivation.reasons[0]["code"] == "group_too_small"


def test_diagnostics_is_a_diagnostic_consult():
    # [uitleg]: the diagnostic consult and the treatment consult are separate prestaties.
    [intake] = derive(kind="intake", direct_minutes=60, practitioners=[PSYCHOLOGIST]).prestaties
    [diagnostics] = derive(
        kind="diagnostics", direct_minutes=50, practitioners=[PSYCHOLOGIST]
    ).prestaties
    assert intake.key == "consult:diagnostiek:gz_psycholoog:60"
    assert diagnostics.key == "consult:diagnostiek:gz_psycholoog:45"


def test_an_intercollegial_consultation_derives_no_prestatie_in_the_multidisciplinary_setting():
    # [overig], [uitleg]
    derivation = derive(kind="case_consultation", direct_minutes=20, practitioners=[PSYCHOLOGIST])
    assert derivation.prestaties == []
    assert derivation.reasons == [{"code": "consultation_in_consult_tariff"}]


@pytest.mark.parametrize(
    ("minutes", "bound"),
    [(4, None), (5, 5), (14, 5), (15, 15), (29, 15), (30, 30), (59, 45), (119, 90), (140, 120)],
)
def test_the_duration_category_is_the_highest_bound_the_direct_time_reaches(minutes, bound):
    # [vanaf], [consult]: 140 minutes is the consult from 120; under 5 minutes none.
    assert consult_minutes(minutes) == bound


def test_each_practitioner_present_registers_his_own_consult():
    # [consult]: "Als meerdere zorgverleners aanwezig zijn, dan registreren deze ieder hun eigen
    # consult."
    derivation = derive(
        kind="treatment_session", direct_minutes=60, practitioners=[PSYCHIATRIST, NURSE]
    )
    assert [p.key for p in derivation.prestaties] == [
        "consult:behandeling:arts_specialist:60",
        "consult:behandeling:verpleegkundige:60",
    ]


def test_a_practitioner_without_a_listed_profession_registers_no_consult():
    # [beroepen]: "Alleen de vermelde beroepen kunnen declarabele (groeps)consulten registreren."
    derivation = derive(kind="treatment_session", direct_minutes=60, practitioners=[NO_PROFESSION])
    assert derivation.prestaties == []
    assert {"code": "no_profession", "user": 4} in derivation.reasons


def test_under_5_minutes_is_no_consult():
    # [consult]
    derivation = derive(kind="treatment_session", direct_minutes=4, practitioners=[PSYCHOLOGIST])
    assert derivation.prestaties == []
    with translation.override("en"):
        assert reason_text(derivation.reasons[0]) == (
            "4 minutes of direct time: under 5 minutes is not a consult."
        )
