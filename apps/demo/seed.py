"""Synthetic demo data for the domain: funders, contracts, products, clients, trajectories,
goals, care teams, allocations and six months of activities up to today.

Everything is invented: names, pseudonyms and BSNs (from the test range 999900006..999999990,
passing the eleven-test). The municipalities are real CBS codes, because the woonplaatsbeginsel
needs them. The data is deterministic for a given day (``random.Random(2026)``, dates counted
back from ``timezone.localdate()`` because activities may not lie in the future) and written
through the services, so that validation, funding assignment and history happen as in real use.

Clients worth showing in the demo (organisation 73730001):

- DEMO-003 is shielded: outside the care team only the pseudonym is shown;
- DEMO-007 turned 18 a few months ago without extended youth care: Jeugdwet care after the
  birthday is unfunded (guidance is never extended: it moves to the Wmo) and is expected from
  its own health insurer (every demo client is insured with the demo's insurer);
- DEMO-012 is in crisis care whose allocation has not arrived yet: everything waits, unfunded,
  expected from the Jeugdwet of Utrecht (no Wlz indication: the Wlz is not its route);
- DEMO-013 and DEMO-032 have a CIZ indication and a Wlz allocation;
- DEMO-018's allocation was registered late and absorbed the care logged before it arrived;
- DEMO-021's allocation ran out: the last sessions are unfunded;
- DEMO-025's allocation is nearly used up (over 90 %);
- DEMO-040 started with a short crisis allocation followed by an ambulant one;
- DEMO-041 turns 18 within 90 days with Jeugdwet care and no allocation for after;
- DEMO-042's allocation ends within 30 days and no follow-up has been registered;
- DEMO-043, DEMO-044 and DEMO-045 take part in an integral-funding pilot of Utrecht: their care
  and work draw on one budget, without an allocation per product;
- schools are not paid per lesson: every pupil has a school placement with its funding basis
  (VSO per pupil through DUO with a TLV of the samenwerkingsverband; MBO by its lump sum, with
  no samenwerkingsverband), and lessons, exams and internship days count without a price;
- the UWV pays job coaching of the adults who hold a job (their employment is recorded); the
  17-year-olds' job coaching is paid by their municipality under the Participatiewet;
  DEMO-030 lost the job three weeks ago: the UWV refuses the coaching since, which waits for the
  municipality;
- DEMO-010, DEMO-022 and DEMO-034 have extended youth care (verlengde jeugdhulp) after 18, one
  on each ground of the Jeugdwet: continued, decided before 18, resumed within six months;
- DEMO-009, DEMO-029 and DEMO-037 each have a cancelled session, DEMO-002 a corrected
  duration and DEMO-011 a corrected attendance;
- the teacher left DEMO-024's care team and behandelaar2 left DEMO-035's.

Organisation 73730002 gets three clients of its own (NRD-001..NRD-003) so that organisation
isolation can be shown.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.accounts.models import Organisation, User
from apps.clients.models import Client, ClientStatus, ExtendedYouthCareBasis, Municipality
from apps.clients.services import (
    client_create,
    client_status_change,
    health_insurance_record,
    wlz_indication_record,
)
from apps.clients.validators import bsn_passes_eleven_test
from apps.clients.youth_care import extended_youth_care_record
from apps.control.alerts import funding_alerts_refresh
from apps.core.domains import DOMAIN_OF_KIND, NOT_CHARGEABLE_KINDS, ActivityKind, Attendance
from apps.core.domains import Domain as D
from apps.demo.agenda import demo_agenda_seed
from apps.demo.consent import demo_consents_seed
from apps.demo.intake import demo_intake_seed
from apps.demo.meldcode import demo_meldcode_seed
from apps.demo.plans import demo_plans_seed
from apps.demo.pools import POOL_TERMS, demo_pool_seed
from apps.demo.progress import Progress, Steps, silent
from apps.demo.records import demo_records_seed
from apps.demo.registers import demo_registers_seed
from apps.demo.retention import demo_retention_seed
from apps.demo.safety import demo_safety_seed
from apps.demo.zvw import demo_zvw_seed
from apps.exchange.incoming import message_receive
from apps.exchange.models import MessageStatus, Standard
from apps.exchange.synthetic import jw301_file
from apps.funding.models import (
    MINUTES_PER_UNIT,
    Contract,
    ExecutionVariant,
    Frequency,
    Funder,
    FunderKind,
    FundingStream,
    IntegralPilot,
    Product,
    Unit,
)
from apps.trajectories.access import break_glass_open
from apps.trajectories.assignment import allocation_register, pilot_enrol
from apps.trajectories.education import employment_register, school_placement_register
from apps.trajectories.models import (
    Activity,
    ActivityStatus,
    CareTeamMembership,
    FundingStatus,
    Goal,
    GoalStatus,
    TeamRole,
    Trajectory,
)
from apps.trajectories.presence import stay_admit, stay_leave_record
from apps.trajectories.services import (
    activity_cancel,
    activity_correct,
    activity_log,
    care_team_join,
    care_team_leave,
    goal_add,
    goal_update,
    schooling_progress_record,
    trajectory_open,
)

DEMO_AGB = "73730001"
NOORD_AGB = "73730002"
FIRST_CLIENT_NUMBER = "DEMO-001"
SEED = 2026
HISTORY_DAYS = 182  # six months of activities before today

K = ActivityKind

# --- funders, contracts and products -------------------------------------------------------


@dataclass(frozen=True)
class FunderSpec:
    key: str
    name: str
    kind: FunderKind
    code: str
    streams: tuple[str, ...]


MUNICIPAL_FUNDERS = {
    "0344": "Gemeente Utrecht",
    "0307": "Gemeente Amersfoort",
    "0193": "Gemeente Zwolle",
}
# Municipalities negotiate their own tariffs: a factor on the base tariff.
TARIFF_FACTOR = {"0344": 1.00, "0307": 0.97, "0193": 1.04}

INSURER_UZOVI = "3999"  # every demo client's own health insurer

FUNDERS = [
    *(
        FunderSpec(cbs, name, FunderKind.MUNICIPALITY, cbs, ("jeugdwet", "wmo", "participatie"))
        for cbs, name in MUNICIPAL_FUNDERS.items()
    ),
    FunderSpec(
        "insurer",
        "Zorgverzekeraar Lindestede (demo)",
        FunderKind.HEALTH_INSURER,
        INSURER_UZOVI,
        ("zvw-ggz",),
    ),
    FunderSpec(
        "care_office", "Zorgkantoor Heuvelrand (demo)", FunderKind.CARE_OFFICE, "5999", ("wlz",)
    ),
    FunderSpec(
        "swv",
        "Samenwerkingsverband Passend Onderwijs Zonnedal (demo)",
        FunderKind.SAMENWERKINGSVERBAND,
        "VO2699",
        ("onderwijs",),
    ),
    FunderSpec("uwv", "UWV", FunderKind.UWV, "UWV", ("participatie",)),
]


EXECUTION_VARIANT = {
    "jeugdwet": ExecutionVariant.EFFORT,
    "wmo": ExecutionVariant.EFFORT,
    "zvw-ggz": ExecutionVariant.OUTPUT,
    "wlz": ExecutionVariant.EFFORT,
    "onderwijs": ExecutionVariant.TASK,
    "participatie": ExecutionVariant.OUTPUT,
}
# Leave nights of a residential stay paid per week (apps/trajectories/leave.py): the demo's
# The streams whose allocations arrive as a message (JW301, WMO301), and their standard.
MESSAGE_STREAMS = {"jeugdwet": Standard.IJW, "wmo": Standard.IWMO}
# Jeugdwet contracts follow the Wlz's weekend leave, at most two nights a week.
LEAVE_NIGHTS_PAID = {"jeugdwet": 2}
# Product codes belong to a contract; these follow the usual regional patterns (category first).
# stream: [(key, category, code, description, unit, tariff in euro cents)]
PRODUCTS: dict[str, list[tuple[str, str, str, str, Unit, int]]] = {
    "jeugdwet": [
        ("ambulant", "45", "45A07", "Ambulante jeugdhulp individueel", Unit.MINUTE, 185),
        ("guidance", "45", "45A12", "Ambulante begeleiding individueel", Unit.HOUR, 6850),
        ("residential", "43", "43B01", "Verblijf met behandeling (leefgroep)", Unit.DAY_24H, 35200),
        ("crisis", "46", "46C01", "Crisisinterventie ambulant", Unit.HOUR, 12400),
        ("youth_ggz", "54", "54D03", "Jeugd-ggz specialistische behandeling", Unit.MINUTE, 205),
    ],
    "wmo": [
        ("wmo_guidance", "02", "02A01", "Begeleiding individueel", Unit.HOUR, 6450),
        ("day_activities", "07", "07A03", "Dagbesteding jongvolwassenen", Unit.DAY_PART, 4720),
    ],
    "zvw-ggz": [
        ("ggz_treatment", "", "GGZ-BH", "Specialistische ggz: behandelconsult", Unit.MINUTE, 195),
        ("ggz_group", "", "GGZ-GR", "Specialistische ggz: groepsbehandeling", Unit.MINUTE, 62),
    ],
    "wlz": [
        ("wlz_treatment", "", "WLZ-BHI", "Behandeling individueel (Wlz)", Unit.HOUR, 9850),
        ("wlz_guidance", "", "WLZ-BGI", "Begeleiding individueel (Wlz)", Unit.HOUR, 6240),
    ],
    # Schools are not paid per lesson (issue 15): the samenwerkingsverband issues TLVs and has
    # no contract with products; a pupil's school placement records how the school is paid.
    "onderwijs": [],
    # No internships: an internship is part of the school programme.
    "participatie": [
        ("job_coaching", "", "JC-01", "Jobcoaching", Unit.HOUR, 8900),
        ("work_training", "", "WF-TR", "Werkfittraining", Unit.HOUR, 7400),
    ],
}
# The grounds of the demo's extended youth care (DEMO-010, DEMO-022, DEMO-034), by client.
EXTENDED_GROUNDS = {
    "DEMO-010": ExtendedYouthCareBasis.CONTINUED,
    "DEMO-022": ExtendedYouthCareBasis.DECIDED_BEFORE_18,
    "DEMO-034": ExtendedYouthCareBasis.RESUMED,
}
GUIDANCE_PRODUCTS = frozenset({"45A12"})  # begeleiding: not extended after 18 (it moves to the Wmo)
# What each product pays for (issue 15): treatment, guidance, nights of stay, day parts.
TREATMENT = [K.INTAKE, K.DIAGNOSTICS, K.TREATMENT_SESSION, K.GROUP_SESSION, K.FAMILY_SESSION]
SUPPORT = [K.GUIDANCE, K.PERSONAL_CARE]
PRODUCT_KINDS: dict[str, list[str]] = {
    "45A07": [*TREATMENT, K.CRISIS_CONTACT],
    "45A12": SUPPORT,
    "43B01": [K.RESIDENTIAL_STAY],
    "46C01": [K.INTAKE, K.CRISIS_CONTACT, K.TREATMENT_SESSION, K.FAMILY_SESSION],
    "54D03": [*TREATMENT, K.CRISIS_CONTACT],
    "02A01": SUPPORT,
    "07A03": [K.DAY_ACTIVITY],
    "GGZ-BH": [K.INTAKE, K.DIAGNOSTICS, K.TREATMENT_SESSION, K.FAMILY_SESSION, K.CRISIS_CONTACT],
    "GGZ-GR": [K.GROUP_SESSION],
    "WLZ-BHI": TREATMENT,
    "WLZ-BGI": SUPPORT,
    "VSO-LU": [K.LESSON, K.EXAM],
    "MBO-DD": [K.LESSON, K.EXAM],
    "ST-BG": [K.STUDY_GUIDANCE],
    "JC-01": [K.JOB_COACHING],
    "WF-STG": [K.INTERNSHIP_DAY],
    "WF-TR": [K.WORK_TRAINING],
    "INT-UUR": [
        *TREATMENT, K.CRISIS_CONTACT, *SUPPORT, K.LESSON, K.EXAM, K.STUDY_GUIDANCE,
        K.INTERNSHIP_DAY, K.JOB_COACHING, K.WORK_TRAINING,
    ],
}  # fmt: skip
# Profiles whose care is support (begeleiding), not treatment sessions.
SUPPORT_PROFILES = frozenset({"wmo", "youth_guidance"})


def _saved(obj, actor: User):
    """Validate and save a configuration row (no service for it) with its history user."""
    obj.full_clean()
    obj._history_user = actor
    obj.save()
    return obj


def _funders_seed(*, actor: User) -> dict[str, Funder]:
    streams = {stream.code: stream for stream in FundingStream.objects.all()}
    funders = {}
    for spec in FUNDERS:
        funder = Funder.objects.filter(kind=spec.kind, code=spec.code).first()
        if funder is None:
            funder = _saved(Funder(name=spec.name, kind=spec.kind, code=spec.code), actor)
            funder._history_user = actor  # the m2m change below writes a history row too
            funder.streams.set([streams[code] for code in spec.streams])
        funders[spec.key] = funder
    return funders


def _contracts_seed(
    *,
    organisation: Organisation,
    funders: dict[str, Funder],
    today: date,
    actor: User,
    tag: str = "",
) -> dict[tuple[str, str], Product]:
    """Contracts of one organisation with each funder per stream; products by (funder, key)."""
    products = {}
    year = today.year
    for funder_key, funder in funders.items():
        spec = next(spec for spec in FUNDERS if spec.key == funder_key)
        for stream_code in spec.streams:
            if not PRODUCTS[stream_code]:
                continue  # a stream not paid per activity (education): no contract
            reference = f"{stream_code.upper()}-{spec.code}{tag}-{year - 1}"
            contract = Contract.objects.filter(
                funder=funder, organisation=organisation, reference=reference
            ).first()
            if contract is None:
                contract = _saved(
                    Contract(
                        funder=funder,
                        organisation=organisation,
                        stream=FundingStream.objects.get(code=stream_code),
                        reference=reference,
                        start=date(year - 1, 1, 1),
                        end=date(year + 1, 12, 31),
                        execution_variant=EXECUTION_VARIANT[stream_code],
                        leave_nights_paid=LEAVE_NIGHTS_PAID.get(stream_code, 0),
                    ),
                    actor,
                )
            factor = TARIFF_FACTOR.get(funder_key, 1.0)
            for key, category, code, description, unit, tariff in PRODUCTS[stream_code]:
                product = Product.objects.filter(contract=contract, code=code).first()
                if product is None:
                    product = _saved(
                        Product(
                            contract=contract,
                            category=category,
                            code=code,
                            description=description,
                            unit=unit,
                            tariff_cents=round(tariff * factor),
                            is_guidance=code in GUIDANCE_PRODUCTS,
                            activity_kinds=PRODUCT_KINDS[code],
                        ),
                        actor,
                    )
                products[(funder_key, key)] = product
    return products


# --- the clients ---------------------------------------------------------------------------

# number: (profile, age today, municipality, municipality before a residential stay, team, special)
# team: T teacher, J job coach, 2 led by behandelaar2, + behandelaar2 as second caseworker.
CLIENTS: list[tuple[str, int, str, str | None, str, str]] = [
    ("youth", 15, "0344", None, "T", ""),
    ("youth", 14, "0344", None, "T+", "corrected"),
    ("youth", 16, "0193", None, "T", "shielded"),
    ("youth_ggz", 17, "0307", None, "TJ", ""),
    ("youth", 13, "0344", None, "T", ""),
    ("residential", 16, "0355", "0344", "T", ""),
    ("youth", 18, "0307", None, "", "turns_18"),
    ("adult_ggz", 20, "0356", None, "J", ""),
    ("youth", 15, "0193", None, "2", "cancelled"),
    ("extended", 19, "0344", None, "J", ""),
    ("youth", 14, "0307", None, "T", "attendance_corrected"),
    ("youth", 15, "0344", None, "", "crisis_waiting"),
    ("wlz", 15, "0344", None, "T2", ""),
    ("youth", 17, "0344", None, "J+", ""),
    ("residential", 15, "1581", "0307", "T", ""),
    ("adult_ggz", 21, "0402", None, "", ""),
    ("youth_ggz", 16, "0193", None, "2", ""),
    ("youth", 16, "0307", None, "T", "late_allocation"),
    ("wmo", 20, "0344", None, "", ""),
    ("youth", 13, "0193", None, "2T", ""),
    ("youth", 16, "0344", None, "+", "exhausted"),
    ("extended", 18, "0193", None, "J", ""),
    ("adult_ggz", 22, "0150", None, "J2", ""),
    ("youth", 14, "0344", None, "T", "teacher_left"),
    ("youth", 15, "0307", None, "", "nearly_used"),
    ("residential", 17, "0355", "0193", "J", ""),
    ("youth_ggz", 15, "0344", None, "T", ""),
    ("wmo", 19, "0307", None, "", ""),
    ("youth", 16, "0193", None, "2", "cancelled"),
    ("adult_ggz", 19, "0344", None, "J", "job_ended"),
    ("youth", 17, "0307", None, "TJ", ""),
    ("wlz", 20, "0321", None, "2J", ""),
    ("youth_guidance", 14, "0193", None, "T", ""),
    ("extended", 20, "0307", None, "", ""),
    ("youth", 15, "0344", None, "+", "co_left"),
    ("residential", 14, "0310", "0344", "2T", ""),
    ("youth_ggz", 17, "0193", None, "J", "cancelled"),
    ("adult_ggz", 21, "0193", None, "2", ""),
    ("youth_guidance", 13, "0344", None, "", ""),
    ("youth", 16, "0344", None, "T", "crisis_allocation"),
]
NOORD_CLIENTS = [("youth", 15, "0193"), ("youth", 16, "0193"), ("youth", 14, "0193")]

GIVEN_NAMES = [
    "Lotte", "Noa", "Yara", "Fenna", "Jesse", "Milan", "Tess", "Sara", "Liam", "Nina", "Bo",
    "Evi", "Isa", "Mila", "Zoë", "Lina", "Noor", "Amira", "Yusuf", "Soufiane", "Priya", "Dewi",
    "Kevin", "Shanice", "Ayoub", "Jayden", "Naomi", "Romy", "Femke", "Luuk", "Thijs", "Demi",
    "Aylin", "Jade", "Rayan", "Esmee", "Kiki", "Sem", "Hiba", "Julia", "Mees", "Elif", "Vera",
]  # fmt: skip
FAMILY_NAMES = [
    "Berkenrode", "Klaverkamp", "van Zonnedal", "Heidewaard", "de Lindenhof", "Rietveldt",
    "van Eikelenburg", "Molenkamp", "Dijkstervelt", "ter Weidehorst", "van Akkerwinde",
    "Brugsteen", "de Wilgenhoeve", "Hazelaar", "Vinkenborg", "van der Meerdonk", "Sluisdijk",
    "Kortenhoeff", "van Duinwijck", "Esdoornveld", "Brinkerhof", "de Kempenaar", "Veenstraat",
    "van Lindewaard", "Hoekstervelt", "Zilverberg", "de Grauwmeer", "Oosterbroek", "Wolterink",
    "van Marlenburg", "Klinkhamerveld", "ter Beekhuis", "Roodveldt", "van Hazewinkel",
    "Schuttevaar", "de Boekhorst", "Lammerdink", "van Ommerveld", "Stegeman-Braak", "Tuinstra",
    "Kwakkelaar", "van Leeuwerik", "Bosschaert",
]  # fmt: skip
PSEUDONYMS = [
    "Merel", "Lijster", "Wilg", "Berk", "Iris", "Linde", "Esdoorn", "Vink", "Reiger", "Kievit",
    "Specht", "Zwaluw", "Hazel", "Vlier", "Hulst", "Meidoorn", "Klaproos", "Korenbloem",
    "Zonnedauw", "Heide", "Duin", "Beek", "Wolk", "Poolster", "Komeet", "Orion", "Vega", "Lyra",
    "Sirius", "Zeester", "Koraal", "Parel", "Amber", "Jade-steen", "Opaal", "Saffier", "Robijn",
    "Topaas", "Kwarts", "Granaat", "Agaat", "Noorderlicht", "Regenboog",
]  # fmt: skip

CARE_GOALS = [
    "Zich veilig voelen en weten bij wie ze terecht kan",
    "Minder traumaklachten: minder herbelevingen, beter slapen",
    "Grenzen herkennen en aangeven in contact met anderen",
    "Een stabiel dagritme met vaste slaap- en eettijden",
    "Een eigen signaleringsplan kennen en gebruiken",
    "Het contact met ouders of verzorgers is weer veilig en voorspelbaar",
]
EDUCATION_GOALS = [
    "Weer volledig naar school: minstens 80 % aanwezig",
    "Rekenen op niveau 2F afronden",
    "Nederlands op niveau 2F afronden",
    "Een passende vervolgopleiding kiezen",
]
MBO_GOALS = ["Het Entree-diploma (mbo niveau 1) halen", "Doorstromen naar mbo niveau 2"]
WORK_GOALS = [
    "Een stageplek vinden en volhouden (twee dagen per week)",
    "Werknemersvaardigheden: op tijd komen en afspraken nakomen",
    "Een betaalde bijbaan van acht uur per week",
    "Een BBL-plek vinden",
]
NOTES = {
    K.INTAKE: ["Intakegesprek: hulpvraag, veiligheid en netwerk in kaart gebracht."],
    K.DIAGNOSTICS: [
        "Diagnostisch onderzoek: vragenlijsten en klinisch interview.",
        "Diagnostiek afgerond; adviesgesprek voorbereid.",
    ],
    K.TREATMENT_SESSION: [
        "Traumabehandeling (EMDR).",
        "Psycho-educatie over stress en spanning.",
        "Gewerkt aan het signaleringsplan.",
        "Oefenen met grenzen aangeven.",
        "Terugblik op de week; dagritme besproken.",
        "Veiligheidsplan doorgenomen en bijgewerkt.",
    ],
    K.FAMILY_SESSION: ["Gezinsgesprek met ouder(s): afspraken over thuis en school."],
    K.GROUP_SESSION: ["Groepstraining weerbaarheid."],
    K.CRISIS_CONTACT: ["Crisiscontact: veiligheid besproken, afspraken gemaakt voor vannacht."],
    K.CASE_CONSULTATION: ["Multidisciplinair overleg over de voortgang van het trajectplan."],
    K.STUDY_GUIDANCE: ["Studiebegeleiding: planning en huiswerk."],
    K.INTERNSHIP_DAY: ["Stagedag bij het leerbedrijf."],
    K.JOB_COACHING: ["Coachingsgesprek over de stage.", "Evaluatie met de praktijkbegeleider."],
    K.WORK_TRAINING: ["Werkfittraining: solliciteren en werknemersvaardigheden."],
}
VSO_SCHOOLS = ["De Regenboog, school voor vso (demo)", "Het Kompas, vso (demo)"]
EMPLOYERS = ["Bakkerij Korenaar (demo)", "Tuincentrum De Linde (demo)", "Fietsenmaker Spaak (demo)"]
VSO_SUBJECTS = ["Nederlands", "Rekenen", "Engels", "Mens en maatschappij", "Biologie"]
MBO_SUBJECTS = ["Entree: basisvaardigheden", "Entree: beroepspraktijk", "Loopbaan en burgerschap"]
# Dutch school holidays, roughly (they differ per region and year): (month, day) ranges.
SCHOOL_HOLIDAYS = [
    ((1, 1), (1, 4)), ((2, 14), (2, 22)), ((4, 26), (5, 4)), ((7, 11), (8, 23)),
    ((10, 17), (10, 25)), ((12, 20), (12, 31)),
]  # fmt: skip


def _school_holiday(day: date) -> bool:
    return any(first <= (day.month, day.day) <= last for first, last in SCHOOL_HOLIDAYS)


def _weekly(first: date, last: date, weekday: int, every: int = 1) -> Iterator[date]:
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    while day <= last:
        yield day
        day += timedelta(days=7 * every)


def _demo_bsns(rng: random.Random, count: int) -> list[str]:
    """Distinct BSNs from the test range that pass the eleven-test."""
    found: list[str] = []
    while len(found) < count:
        number = rng.randrange(999_900_006, 999_999_000)
        while not bsn_passes_eleven_test(str(number)):
            number += 1
        if str(number) not in found:
            found.append(str(number))
    return found


def _date_of_birth(today: date, age: int, days_since_birthday: int) -> date:
    birthday = today - timedelta(days=days_since_birthday)  # the last birthday
    try:
        return birthday.replace(year=birthday.year - age)
    except ValueError:  # 29 February
        return birthday.replace(year=birthday.year - age, day=28)


# --- the plan of one client ---------------------------------------------------------------


@dataclass
class Planned:
    """One activity to log, and the allocation it is meant to draw on (for sizing volumes)."""

    day: date
    kind: str
    minutes: int
    performer: str
    start: time
    key: str = ""
    note: str = ""
    attendance: str = ""
    subject: str = ""
    assessment: str = ""
    milestone: str = ""
    expected_funding: str = ""
    logged_minutes: int | None = None  # logged like this first, then corrected
    logged_attendance: str = ""
    cancel: bool = False

    @property
    def domain(self) -> str:
        return DOMAIN_OF_KIND[self.kind]

    @property
    def chargeable(self) -> bool:
        return self.kind not in NOT_CHARGEABLE_KINDS and self.attended

    @property
    def attended(self) -> bool:
        return self.attendance not in (Attendance.ABSENT_AUTHORISED, Attendance.ABSENT_UNAUTHORISED)

    @property
    def counts(self) -> bool:
        """Counts for progress: attended, chargeable or not (schooling is never charged)."""
        return self.kind != K.CASE_CONSULTATION and self.attended


@dataclass
class AllocationSpec:
    key: str
    funder: str
    product: str
    frequency: Frequency
    start: date
    end: date | None
    share: float = 1.0  # volume as a share of what the planned activities need
    late: bool = False  # registered after the activities were logged
    volume: int | None = None  # fixed instead of sized


@dataclass
class ClientPlan:
    number: str
    profile: str
    age: int
    municipality: str
    before_stay: str | None
    team: str
    special: str
    lead: str
    trajectory_start: date = date.min
    date_of_birth: date = date.min
    members: list[tuple[str, TeamRole, date, date | None]] = field(default_factory=list)
    allocations: list[AllocationSpec] = field(default_factory=list)
    activities: list[Planned] = field(default_factory=list)
    placement: dict | None = None  # school_placement_register's fields
    employment: dict | None = None  # employment_register's fields

    @property
    def responsible(self) -> str:
        return self.before_stay or self.municipality

    def member_since(self, role: TeamRole) -> tuple[date, date | None] | None:
        return next(((start, end) for _, r, start, end in self.members if r == role), None)


# The care allocation per profile: funder ("" for the responsible municipality), product,
# frequency (None: one of CARE_FREQUENCIES), share of the planned need (None: 1.15-1.5), and
# a fixed volume instead of a sized one.
CARE_ALLOCATIONS: dict[str, tuple[str, str, Frequency | None, float | None, int | None]] = {
    "youth": ("", "ambulant", None, None, None),
    "extended": ("", "ambulant", None, None, None),
    "youth_guidance": ("", "guidance", Frequency.PER_WEEK, 1.0, None),
    "youth_ggz": ("", "youth_ggz", Frequency.PER_MONTH, None, None),
    "residential": ("", "residential", Frequency.PER_WEEK, None, 7),
    "adult_ggz": ("insurer", "ggz_treatment", Frequency.TOTAL, None, None),
    "wmo": ("", "wmo_guidance", Frequency.PER_WEEK, 1.0, None),
    "wlz": ("care_office", "wlz_treatment", Frequency.PER_WEEK, 1.0, None),
}
CARE_FREQUENCIES = [Frequency.TOTAL, Frequency.TOTAL, Frequency.PER_MONTH, Frequency.PER_WEEK]


def _window(day: date, frequency: str) -> tuple:
    if frequency == Frequency.PER_WEEK:
        return day.isocalendar()[:2]
    if frequency == Frequency.PER_MONTH:
        return (day.year, day.month)
    if frequency == Frequency.PER_DAY:
        return (day,)
    return ()


def _presence_units(planned: Planned) -> int | None:
    """Day parts of four hours for what is counted in day parts (a day at work: two)."""
    return max(1, planned.minutes // 240) if planned.kind == K.INTERNSHIP_DAY else None


def _volume(plan: ClientPlan, spec: AllocationSpec, product: Product) -> int:
    if spec.volume is not None:
        return spec.volume
    unit = product.unit
    windows: dict[tuple, int] = defaultdict(int)
    for planned in plan.activities:
        paid = planned.kind in product.activity_kinds
        if planned.key == spec.key and paid and planned.chargeable and spec.start <= planned.day:
            # Minutes for time units; nights, day parts and items are counted whole.
            drawn = planned.minutes if unit in MINUTES_PER_UNIT else _presence_units(planned) or 1
            windows[_window(planned.day, spec.frequency)] += drawn
    needed = max(windows.values(), default=60 if unit in MINUTES_PER_UNIT else 1)
    return max(1, math.ceil(needed * spec.share / MINUTES_PER_UNIT.get(unit, 1)))


class Planner:
    """Builds the plans: who each client is, their team, allocations and activities."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.period_start = today - timedelta(days=HISTORY_DAYS)

    def client(self, number: str, row: tuple, lead: str = "") -> ClientPlan:
        rng, today, period_start = self.rng, self.today, self.period_start
        profile, age, municipality, before_stay, team, special = row
        lead = lead or ("behandelaar2" if "2" in team else "behandelaar")
        plan = ClientPlan(number, profile, age, municipality, before_stay, team, special, lead)
        days_since_birthday = rng.randint(5, 360)
        if special == "turns_18":
            days_since_birthday = rng.randint(75, 105)
        elif special == "turns_18_soon":  # the 18th birthday is 35 to 65 days away
            days_since_birthday = rng.randint(300, 330)
        elif age == 18:  # the only one to turn 18 in the period is DEMO-007
            days_since_birthday = rng.randint(HISTORY_DAYS + 20, 350)
        plan.date_of_birth = _date_of_birth(today, age, days_since_birthday)

        if rng.random() < 0.35:  # a new trajectory: intake and diagnostics are in the period
            start = period_start + timedelta(days=rng.randint(0, 110))
        else:
            start = period_start - timedelta(days=rng.randint(30, 330))
        special_starts = {
            "crisis_waiting": today - timedelta(days=19),
            "late_allocation": today - timedelta(days=rng.randint(70, 80)),
            "crisis_allocation": period_start + timedelta(days=rng.randint(20, 40)),
            "turns_18": period_start - timedelta(days=rng.randint(30, 200)),
        }
        start = plan.trajectory_start = special_starts.get(special, start)
        plan.members.append((lead, TeamRole.CASEWORKER, start, None))
        if "+" in team:
            joined = max(start, period_start) + timedelta(days=rng.randint(0, 30))
            left = max(joined + timedelta(days=14), today - timedelta(days=45))
            plan.members.append(
                (
                    "behandelaar2",
                    TeamRole.CASEWORKER,
                    joined,
                    left if special == "co_left" else None,
                )
            )
        if "T" in team:
            joined = max(start, period_start - timedelta(days=rng.randint(0, 60)))
            left = today - timedelta(days=30) if special == "teacher_left" else None
            plan.members.append(("docent", TeamRole.TEACHER, joined, left))
        if "J" in team:
            joined = max(start + timedelta(days=14), period_start + timedelta(rng.randint(0, 70)))
            plan.members.append(("jobcoach", TeamRole.JOB_COACH, joined, None))
        self._care(plan)
        self._education(plan)
        self._work(plan)
        self._specials(plan)
        self._allocations(plan)
        plan.activities.sort(key=lambda planned: (planned.day, planned.start))
        return plan

    def _add(
        self, plan: ClientPlan, day: date, kind: str, minutes: int, performer: str, at: time,
        key: str, **extra,
    ) -> Planned:  # fmt: skip
        note = self.rng.choice(NOTES[kind]) if kind in NOTES else ""
        planned = Planned(day, kind, minutes, performer, at, key, note, **extra)
        plan.activities.append(planned)
        return planned

    # -- care

    def _care(self, plan: ClientPlan) -> None:
        rng, today, start, lead = self.rng, self.today, plan.trajectory_start, plan.lead
        weekday, at = rng.randint(0, 4), time(rng.choice([9, 10, 11, 13, 14, 15, 16]), 0)
        minutes = rng.choice([45, 50, 60])
        co = next((m for m in plan.members[1:] if m[1] == TeamRole.CASEWORKER), None)

        first_session = max(start, self.period_start)
        if start >= self.period_start:
            self._add(plan, start, K.INTAKE, 90, lead, time(10, 0), "care")
            diagnostics = 3 if plan.profile == "youth_ggz" else 2
            for n in range(1, diagnostics + 1):
                day = start + timedelta(days=7 * n)
                self._add(
                    plan, day, K.DIAGNOSTICS, rng.choice([90, 120]), lead, time(13, 30), "care"
                )
            first_session = start + timedelta(days=7 * (diagnostics + 1))
        minor = plan.profile.startswith("youth") or plan.profile == "residential"
        # Two sessions a week: in a residential stay, and in the first eight weeks of youth ggz.
        intensive_until = {
            "residential": today + timedelta(days=1),
            "youth_ggz": first_session + timedelta(days=56),
        }.get(plan.profile, first_session)
        for n, day in enumerate(_weekly(first_session, today, weekday)):
            if rng.random() < 0.07:  # ill, no-show, holiday
                continue
            performer = lead
            if co is not None and n % 3 == 2 and co[2] <= day and (co[3] is None or day <= co[3]):
                performer = co[0]
            if minor and n % 5 == 4:
                self._add(plan, day, K.FAMILY_SESSION, rng.choice([60, 75]), performer, at, "care")
            else:
                self._add(plan, day, K.TREATMENT_SESSION, minutes, performer, at, "care")
            second = day + timedelta(days=2 if weekday <= 2 else -3)
            if day < intensive_until and first_session <= second <= today:
                self._add(plan, second, K.TREATMENT_SESSION, 60, lead, at, "care")
        group_from = self.period_start + timedelta(days=63)
        if plan.profile == "residential":  # the living group's weekly group treatment
            for day in _weekly(first_session, today, 2):
                self._add(plan, day, K.GROUP_SESSION, 90, lead, time(19, 0), "care")
        elif lead == "behandelaar" and minor and start < group_from and rng.random() < 0.5:
            # A twelve-week resilience training (weerbaarheidstraining) led by behandelaar.
            for day in _weekly(group_from, min(today, group_from + timedelta(weeks=12)), 2):
                self._add(plan, day, K.GROUP_SESSION, 90, "behandelaar", time(15, 30), "care")
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 2)):
                day = today - timedelta(days=rng.randint(3, HISTORY_DAYS - 3))
                if day >= start:
                    length, at_night = rng.choice([30, 60, 90]), time(rng.randint(17, 22), 30)
                    self._add(plan, day, K.CRISIS_CONTACT, length, lead, at_night, "care")
        if len(plan.members) > 1:  # teacher or job coach aboard: a monthly team meeting
            for day in _weekly(first_session, today, 1, every=4):
                self._add(plan, day, K.CASE_CONSULTATION, 45, lead, time(12, 0), "")
        if plan.profile in SUPPORT_PROFILES:  # guidance (begeleiding), not treatment
            for planned in plan.activities:
                if planned.domain == D.CARE and planned.kind in TREATMENT:
                    planned.kind = K.GUIDANCE

    # -- education

    def _education(self, plan: ClientPlan) -> None:
        membership = plan.member_since(TeamRole.TEACHER)
        if membership is None:
            return
        rng = self.rng
        first = max(membership[0], self.period_start)
        last = min(self.today, membership[1] or self.today)
        mbo = plan.age >= 17
        subjects = MBO_SUBJECTS if mbo else VSO_SUBJECTS
        plan.placement = self._placement(plan, mbo=mbo, since=membership[0])
        for weekday in [0] if mbo else sorted(rng.sample(range(5), 3)):
            for n, day in enumerate(_weekly(first, last, weekday)):
                if _school_holiday(day):
                    continue
                roll = rng.random()
                attendance = (
                    Attendance.PRESENT if roll < 0.92
                    else Attendance.ABSENT_AUTHORISED if roll < 0.97
                    else Attendance.ABSENT_UNAUTHORISED
                )  # fmt: skip
                at = time(8, 30) if mbo else time(9 + weekday, 0)
                minutes, subject = (240 if mbo else 100), subjects[n % len(subjects)]
                extra = {"attendance": attendance, "subject": subject}
                if n % 7 == 6 and attendance == Attendance.PRESENT:
                    grade = f"{rng.randint(55, 85) / 10:.1f}".replace(".", ",")
                    milestone = f"{subject}: toets op niveau gehaald" if n == 13 else ""
                    extra |= {"assessment": grade, "milestone": milestone}
                    self._add(plan, day, K.EXAM, 90, "docent", at, "education", **extra)
                else:
                    self._add(plan, day, K.LESSON, minutes, "docent", at, "education", **extra)
        if mbo:
            for day in _weekly(first, last, 3, every=2):
                if not _school_holiday(day):
                    self._add(plan, day, K.STUDY_GUIDANCE, 45, "docent", time(14, 0), "education")

    def _placement(self, plan: ClientPlan, *, mbo: bool, since: date) -> dict:
        """The pupil's school: a VSO admitted with a TLV of the (VO) samenwerkingsverband, or
        from 17 an MBO (Entree, level 1) on its lump sum, without a samenwerkingsverband."""
        rng = self.rng
        start = min(since, self.period_start) - timedelta(days=rng.randint(0, 200))
        if mbo:
            return {
                "school_name": "ROC Zonnedal, Entree-opleidingen (demo)",
                "board_code": "30999",
                "brin": "25ZZ",
                "location_number": "00",
                "school_type": "mbo",
                "mbo_level": 1,
                "start": start,
            }
        tlv_start = start - timedelta(days=rng.randint(7, 40))
        return {
            "school_name": rng.choice(VSO_SCHOOLS),
            "board_code": "41999",
            "brin": "29ZZ",
            "location_number": f"{rng.randint(0, 2):02d}",
            "school_type": "vso",
            "samenwerkingsverband": "swv",  # the funder's key, resolved when written
            "tlv_number": f"TLV-VO2699-{tlv_start.year}-{rng.randint(100, 999)}",
            "tlv_category": rng.choice(["1", "1", "2", "3"]),
            "tlv_start": tlv_start,
            "tlv_end": tlv_start + timedelta(days=730),
            "start": start,
        }

    # -- work

    def _work(self, plan: ClientPlan) -> None:
        membership = plan.member_since(TeamRole.JOB_COACH)
        if membership is None:
            return
        rng, today, first = self.rng, self.today, membership[0]
        # Adults hold a job (the UWV pays their job coaching beside it); the young ones do an
        # internship, which is part of their school programme.
        employed = plan.age >= 18
        if employed:
            plan.employment = {
                "employer": rng.choice(EMPLOYERS),
                "hours_per_week": rng.choice([12, 16, 20, 24]),
                "start": first - timedelta(days=rng.randint(7, 60)),
                # DEMO-030 lost the job three weeks ago: the UWV stops paying the coaching.
                "end": today - timedelta(days=21) if plan.special == "job_ended" else None,
            }
        elif plan.placement is None:  # the internship belongs to a school programme
            plan.placement = self._placement(plan, mbo=plan.age >= 17, since=first)
        internship_from = first + timedelta(days=28)
        for day in _weekly(first, min(internship_from, today), 1):
            self._add(plan, day, K.WORK_TRAINING, 120, "jobcoach", time(10, 0), "coaching")
        weekday, length = rng.choice([3, 4]), rng.choice([240, 480])
        milestones = {1: "Stageovereenkomst getekend", 8: "Eerste dienst zelfstandig gedraaid"}
        for n, day in enumerate(_weekly(internship_from, today, weekday)):
            if employed:
                break  # they work: the job is recorded as their employment
            if rng.random() >= 0.08:
                milestone = milestones.get(n, "")
                self._add(
                    plan, day, K.INTERNSHIP_DAY, length, "jobcoach", time(8, 30), "internship",
                    milestone=milestone,
                )  # fmt: skip
        # Coaching after the internship day (or the working day).
        job_end = (plan.employment or {}).get("end")
        for day in _weekly(first, today, weekday, every=2):
            coaching = self._add(plan, day, K.JOB_COACHING, 60, "jobcoach", time(17, 0), "coaching")
            if job_end is not None and day > job_end:
                municipality = MUNICIPAL_FUNDERS[plan.responsible].replace("Gemeente", "gemeente")
                coaching.expected_funding = f"Participatiewet, {municipality}: jobcoaching"

    # -- the stories the demo tells

    def _specials(self, plan: ClientPlan) -> None:
        care = [p for p in plan.activities if p.kind == K.TREATMENT_SESSION]
        municipality = MUNICIPAL_FUNDERS.get(plan.responsible, "").replace("Gemeente", "gemeente")
        if plan.special == "turns_18":
            birthday = Client(date_of_birth=plan.date_of_birth).birthday(18)
            # Weekly guidance beside the treatment until the 18th birthday (it is never
            # extended): it draws on 45A12, the treatment sessions on 45A07.
            first = max(plan.trajectory_start, self.period_start)
            for day in _weekly(first, min(self.today, birthday - timedelta(days=1)), 3):
                self._add(plan, day, K.GUIDANCE, 60, plan.lead, time(15, 0), "guidance")
            for planned in plan.activities:
                if planned.day >= birthday and planned.domain == D.CARE and planned.chargeable:
                    planned.expected_funding = "Zvw (ggz), zorgverzekeraar: verwijzing aangevraagd"
        elif plan.special == "crisis_waiting":
            for n in range(5):
                day = plan.trajectory_start + timedelta(days=1 + 3 * n + n % 2)
                self._add(
                    plan, day, K.CRISIS_CONTACT, 60 + 30 * (n % 2), plan.lead, time(16, 30), "care"
                )
            for planned in plan.activities:
                planned.expected_funding = f"Jeugdwet, {municipality}, crisis"
        elif plan.special == "late_allocation":
            for planned in plan.activities:
                if planned.domain == D.CARE and planned.chargeable:
                    planned.expected_funding = f"Jeugdwet, {municipality}, ambulant"
        elif plan.special == "crisis_allocation":
            for n in range(4):
                day = plan.trajectory_start + timedelta(days=2 + 5 * n)
                self._add(plan, day, K.CRISIS_CONTACT, 60, plan.lead, time(17, 0), "care")
        elif plan.special == "cancelled" and care:
            care[min(5, len(care) - 1)].cancel = True
        elif plan.special == "corrected" and care:
            corrected = care[min(3, len(care) - 1)]
            corrected.logged_minutes = corrected.minutes - 15
        elif plan.special == "attendance_corrected":
            lessons = [p for p in plan.activities if p.kind == K.LESSON]
            if lessons:
                corrected = lessons[min(4, len(lessons) - 1)]
                corrected.logged_attendance = Attendance.ABSENT_UNAUTHORISED
                corrected.attendance = Attendance.ABSENT_AUTHORISED

    # -- allocations

    def _allocations(self, plan: ClientPlan) -> None:
        rng, today, period_start, start = (
            self.rng,
            self.today,
            self.period_start,
            plan.trajectory_start,
        )
        if start >= period_start:  # decided just before the trajectory started
            care_start = start - timedelta(days=rng.randint(0, 10))
        else:  # the current allocation is a renewal
            care_start = period_start - timedelta(days=rng.randint(5, 120))
        care_end = care_start + timedelta(days=364)
        frequency, product_share = rng.choice(CARE_FREQUENCIES), rng.uniform(1.15, 1.5)
        funder, product, frequency, share, volume = CARE_ALLOCATIONS[plan.profile]
        care = partial(
            AllocationSpec, key="care", funder=funder or plan.responsible, product=product,
            frequency=frequency or rng.choice(CARE_FREQUENCIES), start=care_start, end=care_end,
            share=share or product_share, volume=volume,
        )  # fmt: skip
        special = plan.special
        if special == "pilot":
            return  # the integral pilot pays: no allocation per product, no waiting
        if special == "crisis_waiting":
            pass  # the municipality has not decided yet
        elif special == "ending_soon":  # ends within 30 days; no follow-up decided yet
            plan.allocations.append(
                care(frequency=Frequency.TOTAL, start=today - timedelta(days=344),
                     end=today + timedelta(days=20), share=1.6)
            )  # fmt: skip
        elif special == "turns_18":
            plan.allocations += [
                care(frequency=Frequency.TOTAL),
                care(key="guidance", product="guidance", frequency=Frequency.PER_WEEK,
                     end=care_end - timedelta(days=30), volume=1),
            ]  # fmt: skip
        elif special == "crisis_allocation":
            crisis_end = start + timedelta(days=41)
            for planned in plan.activities:
                if planned.key == "care" and planned.day <= crisis_end:
                    planned.key = "crisis"
            plan.allocations += [
                care(key="crisis", product="crisis", frequency=Frequency.TOTAL, start=start,
                     end=crisis_end, share=1.3),
                care(frequency=Frequency.TOTAL, start=start + timedelta(days=28)),
            ]  # fmt: skip
        elif special == "late_allocation":
            plan.allocations.append(care(frequency=Frequency.TOTAL, start=start, late=True))
        elif special in ("exhausted", "nearly_used"):
            share = 0.72 if special == "exhausted" else 1 / 0.93
            plan.allocations.append(care(frequency=Frequency.TOTAL, share=share))
        else:
            plan.allocations.append(care())
        if plan.profile == "residential":
            # The stay draws whole nights on 43B01 (a stay registered by its dates, see
            # Writer._stay); the living group's sessions draw on an ambulant allocation beside
            # it, never on the etmalen.
            for spec in plan.allocations:
                if spec.product == "residential":
                    spec.key = "stay"
            plan.allocations.append(
                care(product="ambulant", frequency=Frequency.TOTAL, share=product_share,
                     volume=None)
            )  # fmt: skip

        # Schooling has no allocation: the school is funded per pupil or by a lump sum.
        coach = plan.member_since(TeamRole.JOB_COACH)
        if coach is not None:
            begin = coach[0] - timedelta(days=rng.randint(0, 7))
            coaching_end = today + timedelta(days=rng.randint(120, 200))
            # The UWV beside a job; without one the responsible municipality (Participatiewet).
            funder = "uwv" if plan.employment or plan.responsible not in MUNICIPAL_FUNDERS else ""
            plan.allocations += [
                AllocationSpec("coaching", funder or plan.responsible, "job_coaching",
                               Frequency.TOTAL, begin, coaching_end, share=1.3),
                # Work training is not job coaching: its own product.
                AllocationSpec("coaching", funder or plan.responsible, "work_training",
                               Frequency.TOTAL, begin, coaching_end, share=1.2),
            ]  # fmt: skip


# Funding control: a client turning 18 within 90 days under the Jeugdwet, an allocation that
# ends within 30 days without a follow-up, and three clients of an integral pilot (DEMO-041..045).
# Their own random stream and names, so that the forty clients above stay as they are.
FUNDING_CONTROL_CLIENTS: list[tuple[str, int, str, str | None, str, str]] = [
    ("youth", 17, "0344", None, "T", "turns_18_soon"),
    ("youth", 15, "0307", None, "", "ending_soon"),
    ("youth", 16, "0344", None, "TJ", "pilot"),
    ("youth_ggz", 15, "0344", None, "T", "pilot"),
    ("youth", 17, "0344", None, "J", "pilot"),
]
FUNDING_CONTROL_NAMES = [
    ("Sanne", "van Wielingen", "Zeearend"),
    ("Ilias", "Brandaris", "Tjiftjaf"),
    ("Maud", "Kornoeljehof", "Ekster"),
    ("Chiara", "de Vossenberg", "Goudvink"),
    ("Jamila", "Ravensteyn", "Grutto"),
]
PILOT_BUDGET_CENTS = 15_000_000  # € 150.000 for two years, for every domain at once
PILOT_PRODUCT = ("INT-UUR", "Integrale ondersteuning zorg, onderwijs en werk", Unit.HOUR, 6400)


def _pilot_seed(
    *, organisation: Organisation, funder: Funder, today: date, actor: User
) -> IntegralPilot:
    """An integral pilot budget of one municipality for care, education and work."""
    start = today - timedelta(days=HISTORY_DAYS + 30)
    end = start + timedelta(days=729)
    contract = _saved(
        Contract(
            funder=funder,
            organisation=organisation,
            stream=FundingStream.objects.get(code="integraal"),
            reference=f"INTEGRAAL-{funder.code}-{start.year}",
            start=start,
            end=end,
            execution_variant=ExecutionVariant.TASK,
        ),
        actor,
    )
    code, description, unit, tariff = PILOT_PRODUCT
    _saved(
        Product(
            contract=contract,
            code=code,
            description=description,
            unit=unit,
            tariff_cents=tariff,
            activity_kinds=PRODUCT_KINDS[code],
        ),
        actor,
    )
    return _saved(
        IntegralPilot(
            contract=contract,
            name=f"Pilot integrale financiering {funder.name.removeprefix('Gemeente ')}",
            domains=[D.CARE, D.EDUCATION, D.WORK],
            budget_cents=PILOT_BUDGET_CENTS,
            **POOL_TERMS,  # a pooled budget of three funders (apps/demo/pools.py)
            start=start,
            end=end,
        ),
        actor,
    )


# --- writing it -----------------------------------------------------------------------------


class Writer:
    """Writes plans through the services, with the demo users as actors."""

    def __init__(
        self, *, rng: random.Random, users: dict[str, User], products: dict, admin: User,
        today: date, numbers: set[str], pilot: IntegralPilot | None = None,
    ) -> None:  # fmt: skip
        self.pilot = pilot  # the pilot that clients with the special "pilot" take part in
        self.rng = rng
        self.users = users
        self.products = products
        self.admin = admin
        self.today = today
        self.numbers = numbers  # allocation numbers in use

    def allocation_number(self) -> str:
        while True:
            number = str(self.rng.randint(10_000_000, 99_999_999))
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def client(
        self,
        plan: ClientPlan,
        *,
        organisation: Organisation,
        names: tuple[str, str, str],
        bsn: str,
    ) -> Client:
        users, lead = self.users, self.users[plan.lead]
        municipalities = {
            m.cbs_code: m
            for m in Municipality.objects.filter(
                cbs_code__in=[plan.municipality, plan.before_stay or plan.municipality]
            )
        }
        given, family, pseudonym = names
        client = client_create(
            organisation=organisation,
            client_number=plan.number,
            given_name=given,
            family_name=family,
            pseudonym=pseudonym,
            date_of_birth=plan.date_of_birth,
            municipality=municipalities[plan.municipality],
            bsn=bsn,
            in_residential_stay=plan.before_stay is not None,
            municipality_before_stay=municipalities.get(plan.before_stay or ""),
            shielded=plan.special == "shielded",
            actor=lead,
        )
        # Every client is insured (Zvw) with the demo's insurer; the Wlz clients have a CIZ
        # indication: the responsible funder of their care follows from these.
        health_insurance_record(
            client=client, uzovi=INSURER_UZOVI, start=plan.date_of_birth, end=None, actor=lead
        )
        if plan.profile == "wlz":
            wlz_indication_record(
                client=client,
                care_profile="LVG 4",
                decision_reference=f"CIZ-{plan.number}",
                start=plan.trajectory_start - timedelta(days=30),
                end=None,
                actor=lead,
            )
        if plan.profile == "extended":
            self._extended_youth_care(plan, client)
        trajectory = trajectory_open(
            client=client, start=plan.trajectory_start, lead_caseworker=lead, actor=lead
        )
        if plan.special != "crisis_waiting":
            client = client_status_change(client=client, status=ClientStatus.ACTIVE, actor=lead)
        memberships = {}
        for username, role, start, _end in plan.members[1:]:
            memberships[username] = care_team_join(
                trajectory=trajectory, user=users[username], role=role, start=start, actor=lead
            )
        goals = self._goals(plan, trajectory)
        self._school_and_work(plan, trajectory)
        if plan.special == "pilot":
            pilot_enrol(pilot=self.pilot, client=client, actor=users["manager"])
        for spec in plan.allocations:
            if not spec.late:
                self._allocation(plan, client, spec)
        logged = [self._activity(plan, trajectory, planned, goals) for planned in plan.activities]
        for spec in plan.allocations:
            if spec.late:
                self._allocation(plan, client, spec)
        for planned, activity in zip(plan.activities, logged, strict=True):
            actor = users[planned.performer]
            if planned.cancel:
                activity_cancel(activity=activity, actor=actor)
            elif planned.logged_minutes is not None:
                activity_correct(
                    activity=activity,
                    actor=actor,
                    duration_minutes=planned.minutes,
                    note=f"{planned.note} Duur gecorrigeerd: de sessie liep uit.",
                )
            elif planned.logged_attendance:
                activity_correct(
                    activity=activity,
                    actor=actor,
                    attendance=planned.attendance,
                    note="Ziekmelding van de ouder achteraf ontvangen.",
                )
        if plan.profile == "residential":
            self._stay(plan, trajectory)
        for username, _role, _start, end in plan.members[1:]:
            if end is not None:
                care_team_leave(membership=memberships[username], end=end, actor=lead)
        self._progress(plan, goals)
        return client

    def _extended_youth_care(self, plan: ClientPlan, client: Client) -> None:
        """Extended youth care with its basis (Jeugdwet art. 1.1): one client of each ground.

        Continued (youth care since a year before 18), decided before 18, and resumed five
        months after the youth care ended at 18 (within the six months the law allows).
        """
        turns_18 = client.birthday(18)
        until = min(client.birthday(21), client.birthday(23) - timedelta(days=1))
        ground = EXTENDED_GROUNDS.get(plan.number, ExtendedYouthCareBasis.CONTINUED)
        fields = {
            "basis": ground,
            "care_started_on": turns_18 - timedelta(days=400),
            "decided_by": f"College van B&W, gemeente {client.responsible_municipality.name}",
            "decision_reference": f"VJH-{turns_18.year}-{plan.number[-3:]}",
            "decision_date": turns_18 - timedelta(days=30),
            "start": turns_18,
            "until": until,
        }
        if ground == ExtendedYouthCareBasis.DECIDED_BEFORE_18:
            fields["care_started_on"] = turns_18 - timedelta(days=60)
        elif ground == ExtendedYouthCareBasis.RESUMED:
            ended = turns_18 - timedelta(days=1)
            fields["previous_care_ended_on"] = ended
            fields["start"] = ended + timedelta(days=152)  # five months later
            fields["decision_date"] = fields["start"] - timedelta(days=7)
        extended_youth_care_record(client=client, actor=self.users[plan.lead], **fields)

    def _stay(self, plan: ClientPlan, trajectory: Trajectory) -> None:
        """A residential client lives in the group since its 43B01 allocation began (or the
        trajectory, if later): one stay, its nights up to today, and a weekend at home three
        weeks ago (two leave nights, paid as the Jeugdwet contracts say)."""
        lead = self.users[plan.lead]
        allocation = next(spec for spec in plan.allocations if spec.key == "stay")
        stay = stay_admit(
            trajectory=trajectory,
            admitted_on=max(plan.trajectory_start, allocation.start),
            actor=lead,
        )
        friday = self.today - timedelta(days=21 + (self.today.weekday() - 4) % 7)
        if friday > stay.admitted_on:
            stay_leave_record(
                stay=stay,
                leaves_on=friday,
                returns_on=friday + timedelta(days=2),
                actor=lead,
                note="Weekend thuis",
            )

    def _school_and_work(self, plan: ClientPlan, trajectory: Trajectory) -> None:
        """The pupil's school placement and the client's job, recorded by the lead."""
        lead = self.users[plan.lead]
        if plan.placement is not None:
            placement = dict(plan.placement)
            if placement.get("samenwerkingsverband"):
                spec = next(
                    spec for spec in FUNDERS if spec.key == placement["samenwerkingsverband"]
                )
                placement["samenwerkingsverband"] = Funder.objects.get(
                    kind=spec.kind, code=spec.code
                )
            school_placement_register(trajectory=trajectory, actor=lead, **placement)
        if plan.employment is not None:
            employment_register(trajectory=trajectory, actor=lead, **plan.employment)

    def _goals(self, plan: ClientPlan, trajectory: Trajectory) -> dict[str, Goal]:
        rng, lead = self.rng, self.users[plan.lead]
        goals = {
            D.CARE: goal_add(
                trajectory=trajectory,
                domain=D.CARE,
                description=rng.choice(CARE_GOALS),
                target_date=self.today + timedelta(days=rng.randint(60, 240)),
                actor=lead,
            )
        }
        if "T" in plan.team or (plan.age < 18 and rng.random() < 0.5):
            options = MBO_GOALS if plan.age >= 17 else EDUCATION_GOALS
            goals[D.EDUCATION] = goal_add(
                trajectory=trajectory,
                domain=D.EDUCATION,
                description=rng.choice(options),
                target_date=self.today + timedelta(days=rng.randint(60, 300)),
                actor=lead,
            )
        if "J" in plan.team or plan.age >= 18:
            goals[D.WORK] = goal_add(
                trajectory=trajectory,
                domain=D.WORK,
                description=rng.choice(WORK_GOALS),
                target_date=self.today + timedelta(days=rng.randint(90, 360)),
                actor=lead,
            )
        return goals

    def _progress(self, plan: ClientPlan, goals: dict[str, Goal]) -> None:
        rng = self.rng
        current = {username for username, _role, _start, end in plan.members if end is None}
        for domain, goal in goals.items():
            updater = {D.EDUCATION: "docent", D.WORK: "jobcoach"}.get(domain, plan.lead)
            actor = self.users[updater if updater in current else plan.lead]
            done = sum(1 for p in plan.activities if p.domain == domain and p.counts)
            if done == 0:
                continue
            if domain != D.CARE and done > 30 and rng.random() < 0.35:
                goal_update(goal=goal, status=GoalStatus.ACHIEVED, actor=actor)
            else:
                goal_update(goal=goal, progress=min(90, 10 + done * rng.randint(1, 3)), actor=actor)

    def _allocation(self, plan: ClientPlan, client: Client, spec: AllocationSpec) -> None:
        product = self.products[(spec.funder, spec.product)]
        number = self.allocation_number()
        volume = _volume(plan, spec, product)
        contract = product.contract
        if (
            contract.stream.code in MESSAGE_STREAMS
            and contract.funder.kind == FunderKind.MUNICIPALITY
            and contract.organisation_id == client.organisation_id
            and client.bsn
        ):
            # Jeugdwet and Wmo allocations arrive from the municipality as a JW301 / WMO301.
            self._allocation_received(client, product, number, volume, spec)
            return
        allocation_register(
            client=client,
            product=product,
            number=number,
            volume=volume,
            frequency=spec.frequency,
            start=spec.start,
            end=spec.end,
            actor=self.admin,
        )

    def _allocation_received(
        self, client: Client, product: Product, number: str, volume: int, spec: AllocationSpec
    ) -> None:
        """Import the allocation as the municipality sends it: a synthetic JW301 / WMO301
        through the exchange, which registers it (read-only) and answers with a retour."""
        standard = MESSAGE_STREAMS[product.contract.stream.code]
        organisation = client.organisation
        content = jw301_file(
            standard=standard,
            municipality_code=product.contract.funder.code,
            agb_code=organisation.agb_code,
            identification=number,
            dated=min(self.today, timezone.localdate()),
            bsn=client.bsn,
            birth_date=client.date_of_birth,
            products=[
                {
                    "number": number,
                    "category": product.category,
                    "code": product.code,
                    "start": spec.start,
                    "end": spec.end,
                    "volume": volume,
                    "unit": product.unit,
                    "frequency": spec.frequency,
                    "assigned_on": min(spec.start, self.today, timezone.localdate()),
                }
            ],
        )
        received = message_receive(
            organisation=organisation,
            filename=f"demo-{number}.xml",
            content=content,
            actor=self.admin,
        )
        message = received.message
        if message is None or message.status != MessageStatus.PROCESSED:
            raise RuntimeError(
                f"demo allocation {number} was not received: "
                f"{received.refused or (message and message.outcome)}"
            )

    def _activity(
        self, plan: ClientPlan, trajectory: Trajectory, planned: Planned, goals
    ) -> Activity:
        performer = self.users[planned.performer]
        goal = (
            goals.get(planned.domain)
            if planned.kind not in (K.INTAKE, K.CASE_CONSULTATION)
            else None
        )
        minutes = planned.logged_minutes or planned.minutes
        if planned.kind in (K.LESSON, K.EXAM):
            return schooling_progress_record(
                trajectory=trajectory,
                date=planned.day,
                teacher=performer,
                attendance=planned.logged_attendance or planned.attendance,
                subject=planned.subject,
                duration_minutes=minutes,
                assessment=planned.assessment,
                milestone=planned.milestone,
                kind=planned.kind,
                goal=goal,
            )
        return activity_log(
            trajectory=trajectory,
            domain=planned.domain,
            kind=planned.kind,
            date=planned.day,
            performed_by=performer,
            actor=performer,
            duration_minutes=minutes,
            units=_presence_units(planned),
            start_time=planned.start,
            note=planned.note,
            goal=goal,
            milestone=planned.milestone,
            expected_funding=planned.expected_funding,
        )


# --- entry points ---------------------------------------------------------------------------


def _names(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    return list(
        zip(
            rng.sample(GIVEN_NAMES, count),
            rng.sample(FAMILY_NAMES, count),
            rng.sample(PSEUDONYMS, count),
            strict=True,
        )
    )


@transaction.atomic
def demo_domain_seed(
    *, users: dict[str, User], today: date | None = None, progress: Progress = silent
) -> bool:
    """Create the demo domain data unless it exists already; return whether it was created.

    ``users`` are the demo users by username (apps.demo.accounts.demo_accounts_seed);
    ``progress`` hears a line per step (seed_demo prints them).
    """
    organisation = Organisation.objects.get(agb_code=DEMO_AGB)
    if Client.objects.filter(organisation=organisation, client_number=FIRST_CLIENT_NUMBER).exists():
        return False
    noord = Organisation.objects.get(agb_code=NOORD_AGB)
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo data, not cryptography
    admin = users["beheerder"]
    funders = _funders_seed(actor=admin)
    products = _contracts_seed(organisation=organisation, funders=funders, today=today, actor=admin)
    steps = Steps(progress)
    steps.done("Funders, contracts and products")
    planner = Planner(rng, today)
    count = len(CLIENTS) + len(NOORD_CLIENTS)
    names, bsns = _names(rng, count), _demo_bsns(rng, count)

    numbers: set[str] = set()
    writer = Writer(
        rng=rng, users=users, products=products, admin=admin, today=today, numbers=numbers
    )
    for index, row in enumerate(CLIENTS):
        plan = planner.client(f"DEMO-{index + 1:03d}", row)
        bsn = "" if index % 9 == 8 else bsns[index]  # a few clients have no known BSN (yet)
        writer.client(plan, organisation=organisation, names=names[index], bsn=bsn)
    steps.done("Clients and their care")

    pilot = _pilot_seed(organisation=organisation, funder=funders["0344"], today=today, actor=admin)
    control_rng = random.Random(SEED + len(CLIENTS))  # noqa: S311 - synthetic demo data
    control_writer = Writer(
        rng=control_rng, users=users, products=products, admin=admin, today=today,
        numbers=numbers, pilot=pilot,
    )  # fmt: skip
    control_planner = Planner(control_rng, today)
    control_bsns = _demo_bsns(control_rng, count + len(FUNDING_CONTROL_CLIENTS))
    control_bsns = [bsn for bsn in control_bsns if bsn not in set(bsns)]
    for index, row in enumerate(FUNDING_CONTROL_CLIENTS):
        plan = control_planner.client(f"DEMO-{len(CLIENTS) + index + 1:03d}", row)
        control_writer.client(
            plan,
            organisation=organisation,
            names=FUNDING_CONTROL_NAMES[index],
            bsn=control_bsns[index],
        )
    demo_pool_seed(pool=pilot, funders=funders, manager=users["manager"], actor=admin, today=today)
    steps.done("Funding control clients and the pilot")

    # The second organisation: its own caseworker, contract, clients and allocations.
    noord_lead = users["noord-behandelaar"]
    noord_products = _contracts_seed(
        organisation=noord, funders={"0193": funders["0193"]}, today=today, actor=noord_lead
    )
    noord_writer = Writer(
        rng=rng, users=users, products=noord_products, admin=noord_lead, today=today,
        numbers=numbers,
    )  # fmt: skip
    for index, (profile, age, municipality) in enumerate(NOORD_CLIENTS):
        row = (profile, age, municipality, None, "", "")
        plan = planner.client(f"NRD-{index + 1:03d}", row, lead="noord-behandelaar")
        position = len(CLIENTS) + index
        noord_writer.client(plan, organisation=noord, names=names[position], bsn=bsns[position])
    steps.done("The second organisation")

    # One emergency access for the privacy officer to review: behandelaar2 is not on DEMO-001's
    # care team.
    break_glass_open(
        user=users["behandelaar2"],
        client=Client.objects.get(organisation=organisation, client_number=FIRST_CLIENT_NUMBER),
        reason="Crisisdienst in de avond: cliënt belt in paniek, eigen behandelaar onbereikbaar.",
    )
    demo_consents_seed(users=users, today=today)  # the lanes rest on it (apps/demo/consent.py)
    demo_agenda_seed(users=users, today=today)  # a week of appointments (apps/demo/agenda.py)
    demo_intake_seed(users=users, organisation=organisation, today=today)
    demo_zvw_seed(users=users, today=today)  # two turn 18 in GGZ treatment (apps/demo/zvw.py)
    demo_plans_seed(users=users, today=today)  # apps/demo/plans.py
    demo_safety_seed(users=users, today=today)  # a safety notice and a corrected session
    demo_registers_seed(users=users, today=today)  # a class, its lessons, a group session
    steps.done("Appointments, a registration, plans, a safety notice and registers")
    demo_records_seed(users=users, today=today)  # a client's statement and a copy of the record
    demo_meldcode_seed(client_number=FIRST_CLIENT_NUMBER, today=today)  # apps/demo/meldcode.py
    demo_retention_seed(users=users, today=today)  # a destruction request to review
    funding_alerts_refresh(today=today)  # what the nightly check would find
    steps.done("Funding alerts")
    return True


def demo_summary() -> dict[str, int]:
    """Counts of the demo organisations' clients and activities, by funding status."""
    organisations = [DEMO_AGB, NOORD_AGB]
    recorded = Q(status=ActivityStatus.RECORDED)
    counts = Activity.objects.filter(
        trajectory__client__organisation__agb_code__in=organisations
    ).aggregate(
        activities=Count("pk"),
        funded=Count("pk", filter=recorded & Q(funding_status=FundingStatus.FUNDED)),
        unfunded=Count("pk", filter=recorded & Q(funding_status=FundingStatus.UNFUNDED)),
        not_chargeable=Count(
            "pk", filter=recorded & Q(funding_status=FundingStatus.NOT_CHARGEABLE)
        ),
        cancelled=Count("pk", filter=Q(status=ActivityStatus.CANCELLED)),
    )
    counts["clients"] = Client.objects.filter(organisation__agb_code__in=organisations).count()
    counts["memberships"] = CareTeamMembership.objects.filter(
        trajectory__client__organisation__agb_code__in=organisations
    ).count()
    return counts
