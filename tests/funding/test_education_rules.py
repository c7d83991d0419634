"""Education and work funded as they really are (issue 15), the pure rules and their words.

Sources, read with the search tool:

- Schools are not paid per lesson. (V)SO and praktijkonderwijs admit a pupil with a
  toelaatbaarheidsverklaring (TLV) of the samenwerkingsverband: "Een tlv is een verklaring
  waarmee je naar het VSO of het Praktijkonderwijs kunt. De tlv wordt afgegeven door het
  VO-loket van het Samenwerkingsverband" (swv-vo-2505.nl, "Wat is een toelaatbaarheids-
  verklaring"); the TLV carries a funding category 1, 2 or 3 (swvgo.nl, "Aanvraag TLV categorie
  1, 2 of 3"; onderwijsgeschillen.nl, uitspraak 108387: "bekostigingsniveau 1 (laag) ... 2
  (midden)"). The MBO is funded by a lump sum under the WEB (Besluit van 29 november 2023,
  Stb. 2023, 446: the rijksbijdrage of art. 2.2.1 WEB).
- An internship (beroepspraktijkvorming, BPV) is part of the school programme: "BPV is een
  verplicht en belangrijk onderdeel van je opleiding" (mboterra.nl, "Wat is
  beroepspraktijkvorming"); the praktijkovereenkomst is made by the school (s-bb.nl).
- The UWV pays job coaching for an employee: "Een werknemer in dienst van een werkgever ... kan
  begeleiding op de werkvloer krijgen" (art. 12 Reïntegratiebesluit, as quoted by factorwerk.org,
  "Jobcoaching (UWV)"; the Protocol Jobcoach UWV 2016 has "Eisen aan de dienstbetrekking");
  without a job the municipality: "Mensen die onder de doelgroep van de Participatiewet vallen
  kunnen via de gemeente een vergoeding voor een jobcoach krijgen ... artikel 10da van de
  Participatiewet" (samenvoordeklant.nl, "Jobcoaching").
"""

import pytest
from django.utils import translation

from apps.core.domains import NOT_CHARGEABLE_KINDS, ActivityKind
from apps.funding.models import Allocation, Funder, FunderKind, FundingStream
from apps.funding.reasons import funding_reason_text, refusal_text
from apps.funding.rules import employment_refusal


def _allocation(kind: FunderKind) -> Allocation:
    return Allocation(number="JC-1", funder=Funder(name="X", kind=kind, code="1"))


@pytest.mark.parametrize(
    ("funder_kind", "kind", "employed", "refused"),
    [
        # The UWV beside a job pays; without one it does not.
        (FunderKind.UWV, ActivityKind.JOB_COACHING, True, False),
        (FunderKind.UWV, ActivityKind.JOB_COACHING, False, True),
        # The municipality (Participatiewet) pays job coaching with or without a job.
        (FunderKind.MUNICIPALITY, ActivityKind.JOB_COACHING, False, False),
        (FunderKind.REGION, ActivityKind.JOB_COACHING, False, False),
        # The rule is about job coaching only: the UWV's work training is not tied to a job.
        (FunderKind.UWV, ActivityKind.WORK_TRAINING, False, False),
    ],
)
def test_the_uwv_pays_job_coaching_only_alongside_employment(funder_kind, kind, employed, refused):
    refusal = employment_refusal(allocation=_allocation(funder_kind), kind=kind, employed=employed)
    assert (refusal is not None) == refused
    if refused:
        assert refusal == {"code": "uwv_needs_employment", "number": "JC-1"}


def test_the_refusal_names_the_municipality_as_the_route_in_dutch_and_english():
    refusal = {"code": "uwv_needs_employment", "number": "JC-1"}
    with translation.override("en"):
        english = refusal_text(refusal)
    with translation.override("nl"):
        dutch = refusal_text(refusal)
    assert "JC-1" in english
    assert "only alongside employment" in english
    assert "Participatiewet" in english
    assert "JC-1" in dutch
    assert "Participatiewet" in dutch
    assert "dienstverband" in dutch  # the Dutch catalogue has it


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (ActivityKind.LESSON, "school_funded"),
        (ActivityKind.EXAM, "school_funded"),
        (ActivityKind.STUDY_GUIDANCE, "school_funded"),
        (ActivityKind.ATTENDANCE_REGISTRATION, "school_funded"),
        (ActivityKind.INTERNSHIP_DAY, "school_programme"),
    ],
)
def test_lessons_and_internship_days_are_never_priced(kind, code):
    assert kind in NOT_CHARGEABLE_KINDS
    with translation.override("en"):
        english = funding_reason_text({"code": code})
    with translation.override("nl"):
        dutch = funding_reason_text({"code": code})
    assert english.startswith("Not chargeable")
    assert "attendance and progress" in english
    assert dutch.startswith("Niet declarabel")
    assert english != dutch


def test_the_school_funded_reason_says_how_schooling_is_funded():
    with translation.override("en"):
        text = funding_reason_text({"code": "school_funded"})
    assert "per pupil through DUO with a TLV from the samenwerkingsverband" in text
    assert "MBO by a lump sum" in text
    with translation.override("en"):
        internship = funding_reason_text({"code": "school_programme"})
    assert "part of the school programme" in internship


def test_job_coaching_and_work_training_stay_chargeable():
    assert ActivityKind.JOB_COACHING not in NOT_CHARGEABLE_KINDS
    assert ActivityKind.WORK_TRAINING not in NOT_CHARGEABLE_KINDS


@pytest.mark.django_db
def test_the_education_stream_pays_for_no_activity_and_no_stream_has_a_domain_living():
    education = FundingStream.objects.get(code="onderwijs")
    for kind in ActivityKind.values:
        assert not education.pays_for(domain="education", kind=kind)
    assert "never per lesson" in education.law
    integral = FundingStream.objects.get(code="integraal")
    assert integral.domains == ["care", "education", "work"]
