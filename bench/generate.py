"""Fill a fresh PostgreSQL database with a synthetic data set at a chosen scale.

    python -m bench.generate --db casemanager_bench                 # the default scale
    python -m bench.generate --db casemanager_bench_quick --scale quick
    python -m bench.generate --db casemanager_bench_5x --scale 5x     # 5x the default

The database is dropped and created, ``migrate`` builds the schema (and the reference data:
municipalities, funding streams, role groups), then every table is filled with COPY into
explicit column lists, in one pass, and ANALYZEd. The same seed and the same ``--until`` date
give the same data. What it writes, and which invariants of the application it keeps, is
described in docs/performance.md ("The data set"); in short:

- organisations, users in the role groups (caseworkers 60 %, teachers 15 %, job coaches 10 %,
  managers 5 %, privacy officers and administrators), one password hash for all;
- funders (municipalities for the Jeugdwet and the Wmo, insurers, care offices,
  samenwerkingsverbanden, a school board, UWV), a contract per organisation, funder and stream,
  and time-based products on each contract;
- clients with one trajectory each (open for the current caseload, closed for the rest),
  goals, care-team memberships (every caseworker, teacher and job coach is on the team of 15 to
  40 current clients) and the guardian object permissions of the ongoing memberships;
- allocations that follow each other over the trajectory (a Jeugdwet allocation ends on the
  18th birthday unless extended youth care is recorded), sized so that what they fund fits;
- activities over the years: each is funded by the allocation the rules of
  apps/funding/services.py would choose (valid on the date, its stream pays for the domain and
  kind, the age rules hold, the one that ends first), with ``consumed`` and a funding reason of
  the shape the application writes; unfunded or not chargeable otherwise;
- history: one "+" row per organisation, user, funder, contract, product, client, trajectory,
  goal, membership, allocation and activity, and a "~" row per closed trajectory and ended
  membership;
- the access log: an entry for every client, allocation and activity created and every
  permission granted or revoked, and about one view of a client page per two activities.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from apps.trajectories.activity_month import (
    DERIVED_REFILL_SQL,
    FUNDED_LIVE_SQL,
    FUNDED_STORED_SQL,
    LIVE_SQL,
    REBUILD_SQL,
    SPAN_LIVE_SQL,
    SPAN_STORED_SQL,
    STORED_SQL,
)
from bench.common import BENCH_PASSWORD, ROOT, conninfo, django_env, human_bytes, save_json

SCALES = {
    "default": {
        "organisations": 3,
        "users": 600,
        "clients": 20_000,
        "activities": 2_000_000,
        "years": 5,
        "funders": 60,
        "allocations": 40_000,
        "heavy": 2_000,
    },
    # Five times the default (issue 19's "a scale beyond one machine", at least 5x): five
    # organisations, ten years of records: 977 s and 15.6 GB on the 2-core machine
    # (docs/performance.md, "Five times the data measured, ten times on paper").
    "5x": {
        "organisations": 5,
        "users": 3_000,
        "clients": 100_000,
        "activities": 10_000_000,
        "years": 10,
        "funders": 150,
        "allocations": 200_000,
        "heavy": 2_000,
    },
    "quick": {
        "organisations": 2,
        "users": 40,
        "clients": 1_000,
        "activities": 100_000,
        "years": 5,
        "funders": 20,
        "allocations": 2_000,
        "heavy": 2_000,
    },
}

# The streams whose allocations the municipality sends as a message (iJw / iWmo 3.2).
MESSAGE_STREAMS = frozenset({"jeugdwet", "wmo"})
ORG_WEIGHTS = [0.45, 0.35, 0.20, 0.15, 0.10]
# Each organisation's home municipality: most of its clients live in its region.
HOME_MUNICIPALITIES = ["0344", "0363", "0599", "0518", "0772"]
TEAM_LOAD = (15, 40)  # current clients per caseworker, teacher and job coach
SECOND_CASEWORKER_SHARE = 0.5

GIVEN_NAMES = (  # noqa: SIM905 - a list of words is easier to read as words
    "Lotte Noa Yara Fenna Jesse Milan Tess Sara Liam Nina Bo Evi Isa Mila Zoë Lina Noor Amira "
    "Yusuf Soufiane Priya Dewi Kevin Shanice Ayoub Jayden Naomi Romy Femke Luuk Thijs Demi "
    "Aylin Jade Rayan Esmee Kiki Sem Hiba Julia Mees Elif Vera Anna Maria Sophie Emma Daan "
    "Sem Lucas"
).split()
FAMILY_NAMES = (  # noqa: SIM905 - a list of words is easier to read as words
    "Berkenrode Klaverkamp Heidewaard Rietveldt Molenkamp Dijkstervelt Brugsteen Hazelaar "
    "Vinkenborg Sluisdijk Kortenhoeff Esdoornveld Brinkerhof Veenstraat Hoekstervelt "
    "Zilverberg Oosterbroek Wolterink Roodveldt Schuttevaar Lammerdink Tuinstra Kwakkelaar "
    "Bosschaert Jansen Visser Smit Meijer Mulder Bos Vos Peters Hendriks Dekker Brouwer "
    "Dijkman Koster"
).split()
PSEUDONYMS = (  # noqa: SIM905 - a list of words is easier to read as words
    "Merel Lijster Wilg Berk Iris Linde Esdoorn Vink Reiger Kievit Specht Zwaluw Hazel Vlier "
    "Hulst Meidoorn Klaproos Korenbloem Zonnedauw Heide Duin Beek Wolk Poolster Komeet Orion "
    "Vega Lyra Sirius Zeester Koraal Parel Amber Opaal Saffier Robijn Topaas Kwarts Granaat"
).split()
STAFF_FIRST = (  # noqa: SIM905 - a list of words is easier to read as words
    "Sanne Daan Ilse Murat Petra Joost Anouk Fleur Bram Eva Tim Laura Niels Fatima"
).split()
STAFF_LAST = [
    "de Vries",
    "Bakker",
    "Jansen",
    "Yilmaz",
    "Visser",
    "Smit",
    "Mulder",
    "Bos",
    "de Boer",
    "Kok",
    "El Amrani",
]

CARE_GOALS = [
    "Zich veilig voelen en weten bij wie ze terecht kan",
    "Minder traumaklachten: minder herbelevingen, beter slapen",
    "Grenzen herkennen en aangeven in contact met anderen",
    "Een stabiel dagritme met vaste slaap- en eettijden",
]
EDUCATION_GOALS = ["Weer volledig naar school: minstens 80 % aanwezig", "Rekenen op niveau 2F"]
WORK_GOALS = ["Een stageplek vinden en volhouden", "Een betaalde bijbaan van acht uur per week"]

# kind: (domain, weight within the domain, durations in minutes)
KINDS = {
    "intake": ("care", 0.02, (90,)),
    "diagnostics": ("care", 0.05, (60, 90, 120, 180)),
    "treatment_session": ("care", 0.55, (45, 50, 60, 60, 75, 90)),
    "group_session": ("care", 0.10, (90, 120)),
    "family_session": ("care", 0.08, (60, 90)),
    "crisis_contact": ("care", 0.05, (30, 45, 60, 120)),
    "case_consultation": ("care", 0.15, (30, 45, 60)),
    "lesson": ("education", 0.70, (50, 100, 150)),
    "exam": ("education", 0.05, (120,)),
    "attendance_registration": ("education", 0.10, (5,)),
    "study_guidance": ("education", 0.15, (60,)),
    "internship_day": ("work", 0.40, (240, 480)),
    "job_coaching": ("work", 0.40, (60,)),
    "work_training": ("work", 0.20, (120,)),
}
KINDS_OF = defaultdict(list)
for _kind, (_domain, _weight, _durations) in KINDS.items():
    KINDS_OF[_domain].append((_kind, _weight))
# Never billed, with the reason code the application writes (apps.core.domains,
# apps.trajectories.assignment._not_chargeable_reason): schools are paid per pupil or by a lump
# sum, an internship is part of the school programme, a consultation is internal.
NOT_CHARGEABLE = {
    "lesson": "school_funded",
    "exam": "school_funded",
    "study_guidance": "school_funded",
    "attendance_registration": "school_funded",
    "internship_day": "school_programme",
    "case_consultation": "not_chargeable_kind",
}
NOTES = {
    "intake": "Intakegesprek: hulpvraag, veiligheid en netwerk in kaart gebracht.",
    "diagnostics": "Diagnostisch onderzoek: vragenlijsten en klinisch interview.",
    "treatment_session": "Traumabehandeling (EMDR); signaleringsplan doorgenomen en bijgewerkt.",
    "group_session": "Groepstraining weerbaarheid.",
    "family_session": "Gezinsgesprek met ouder(s): afspraken over thuis en school.",
    "crisis_contact": "Crisiscontact: veiligheid besproken, afspraken gemaakt voor vannacht.",
    "case_consultation": "Multidisciplinair overleg over de voortgang van het trajectplan.",
    "study_guidance": "Studiebegeleiding: planning en huiswerk.",
    "internship_day": "Stagedag bij het leerbedrijf.",
    "job_coaching": "Coachingsgesprek over de stage.",
    "work_training": "Werkfittraining: solliciteren en werknemersvaardigheden.",
}
SUBJECTS = ["Nederlands", "Rekenen", "Engels", "Mens en maatschappij", "Entree: beroepspraktijk"]

MINUTES_PER_UNIT = {"01": 1, "04": 60, "16": 240, "14": 1440}
# What a product delivers, by its unit (WJ756; apps.funding.models.DELIVERY_KIND_OF_UNIT), and
# what a presence product pays for when no generated care draws on it.
DELIVERY_KIND_OF_UNIT = {
    "01": "time",
    "04": "time",
    "14": "presence",
    "16": "presence",
    "82": "output",
    "84": "output",
    "83": "budget",
}
PRESENCE_KIND = {"14": "residential_stay", "16": "day_activity"}
# stream: [(key, category, code, description, unit, tariff in cents, guidance)]; time units only,
# so that what an activity draws is its duration in minutes (apps.trajectories.assignment).
PRODUCTS = {
    "jeugdwet": [
        ("ambulant", "45", "45A07", "Ambulante jeugdhulp individueel", "01", 185, False),
        ("guidance", "45", "45A12", "Ambulante begeleiding individueel", "04", 6850, True),
        ("crisis", "46", "46C01", "Crisisinterventie ambulant", "04", 12400, False),
        ("youth_ggz", "54", "54D03", "Jeugd-ggz specialistische behandeling", "01", 205, False),
    ],
    "wmo": [
        ("wmo_guidance", "02", "02A01", "Begeleiding individueel", "04", 6450, False),
        ("day_activities", "07", "07A03", "Dagbesteding jongvolwassenen", "16", 4720, False),
    ],
    "zvw-ggz": [
        ("ggz_treatment", "", "GGZ-BH", "Specialistische ggz: behandelconsult", "01", 195, False),
        ("ggz_group", "", "GGZ-GR", "Specialistische ggz: groepsbehandeling", "01", 62, False),
    ],
    "wlz": [
        ("wlz_treatment", "", "WLZ-BHI", "Behandeling individueel (Wlz)", "04", 9850, False),
        ("wlz_guidance", "", "WLZ-BGI", "Begeleiding individueel (Wlz)", "04", 6240, False),
    ],
    "onderwijs": [
        ("vso_lesson", "", "VSO-LU", "Onderwijs op maat: lesuur (vso)", "04", 5800, False),
        ("mbo_day_part", "", "MBO-DD", "Onderwijs op maat: dagdeel (mbo)", "16", 19500, False),
        ("study_guidance", "", "ST-BG", "Studiebegeleiding", "04", 6900, False),
    ],
    "participatie": [
        ("job_coaching", "", "JC-01", "Jobcoaching", "04", 8900, False),
        ("internship", "", "WF-STG", "Begeleide stage (werkfit)", "16", 11500, False),
        ("work_training", "", "WF-TR", "Werkfittraining", "04", 7400, False),
    ],
}
EXECUTION_VARIANT = {
    "jeugdwet": "effort",
    "wmo": "effort",
    "zvw-ggz": "output",
    "wlz": "effort",
    "onderwijs": "task",
    "participatie": "output",
}
FREQUENCIES = [("6", 0.5), ("4", 0.3), ("2", 0.2)]  # total, per month, per week
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131 Safari/537"


def log(message: str) -> None:
    print(f"[generate {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def eleven_test(number: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(number, weights, strict=True)) % 11 == 0


def test_bsns() -> list[str]:
    """Every BSN of the test range (999900006..999999990) that passes the eleven-test."""
    return [str(n) for n in range(999_900_006, 999_999_991) if eleven_test(str(n))]


def birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def weighted(rng: random.Random, pairs):
    total = sum(weight for _value, weight in pairs)
    pick = rng.random() * total
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def loads_targets(rng: random.Random, count: int) -> list[int]:
    return [rng.randint(*TEAM_LOAD) for _ in range(count)]


# --- the plan --------------------------------------------------------------------------------


class Client:
    __slots__ = (
        "allocations",
        "before_stay",
        "born",
        "bsn",
        "client_number",
        "created",
        "end",
        "extended_until",
        "family_name",
        "given_name",
        "goals",
        "id",
        "in_stay",
        "members",
        "municipality",
        "org",
        "pseudonym",
        "residence_funder",
        "responsible",
        "shielded",
        "start",
        "status",
    )


class Alloc:
    __slots__ = (
        "client",
        "domain",
        "end",
        "frequency",
        "funder",
        "id",
        "product",
        "start",
        "stream",
        "use",
    )


class Generator:
    def __init__(self, *, db: str, scale: dict, seed: int, until: date) -> None:
        self.db, self.scale, self.seed, self.until = db, scale, seed, until
        self.rng = random.Random(seed)
        self.first_day = until - timedelta(days=365 * scale["years"])
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}

    # -- database --------------------------------------------------------------------------

    def create_database(self) -> None:
        with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.db}"')
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            env=django_env(self.db),
            cwd=ROOT,
            check=True,
        )

    def reference(self, conn: psycopg.Connection) -> None:
        self.municipalities = {
            code: (pk, name)
            for pk, code, name in conn.execute(
                "SELECT id, cbs_code, name FROM clients_municipality ORDER BY cbs_code"
            )
        }
        self.streams = {}
        for pk, code, name, domains, kinds, min_age, age_limit, extended in conn.execute(
            "SELECT id, code, name, domains, activity_kinds, min_age, age_limit,"
            " extended_age_limit FROM funding_fundingstream"
        ):
            self.streams[code] = {
                "id": pk,
                "name": name,
                "domains": set(domains),
                "kinds": set(kinds),
                "min_age": min_age,
                "age_limit": age_limit,
                "extended": extended,
            }
        self.groups = {name: pk for pk, name in conn.execute("SELECT id, name FROM auth_group")}
        self.permissions = {
            f"{app}.{codename}": pk
            for pk, app, codename in conn.execute(
                "SELECT p.id, c.app_label, p.codename FROM auth_permission p"
                " JOIN django_content_type c ON c.id = p.content_type_id"
            )
        }

    # -- organisations, users, funders, contracts --------------------------------------------

    def plan_organisations_and_users(self) -> None:
        rng, scale = self.rng, self.scale
        n_org = scale["organisations"]
        weights = ORG_WEIGHTS[:n_org]
        weights = [w / sum(weights) for w in weights]
        self.org_weights = weights
        self.orgs = [
            (i + 1, f"Jeugdzorg Bench {i + 1}", f"{73700000 + i + 1:08d}") for i in range(n_org)
        ]
        self.users = []  # (id, username, first, last, org_id, role, is_staff)
        self.by_role: dict[tuple[int, str], list[int]] = defaultdict(list)
        uid = 0
        for org_index, (org_id, _name, _agb) in enumerate(self.orgs):
            count = max(10, round(scale["users"] * weights[org_index]))
            roles = (
                ["manager"] * max(1, round(count * 0.05))
                + ["privacy_officer"] * max(1, round(count * 0.015))
                + ["administrator"] * max(1, round(count * 0.015))
                + ["teacher"] * max(2, round(count * 0.15))
                + ["job_coach"] * max(2, round(count * 0.10))
            )
            roles += ["caseworker"] * (count - len(roles))
            seen: dict[str, int] = defaultdict(int)
            for role in roles:
                uid += 1
                seen[role] += 1
                username = f"b{org_id}-{role.replace('_', '')}-{seen[role]:03d}"
                first, last = rng.choice(STAFF_FIRST), rng.choice(STAFF_LAST)
                self.users.append(
                    (uid, username, first, last, org_id, role, role == "administrator")
                )
                self.by_role[(org_id, role)].append(uid)

    def plan_funders(self) -> None:
        rng, n = self.rng, self.scale["funders"]
        codes = list(self.municipalities)
        homes = [code for code in HOME_MUNICIPALITIES[: len(self.orgs)] if code in codes]
        others = [code for code in codes if code not in homes]
        rng.shuffle(others)
        n_other_kinds = max(6, round(n * 0.25))
        n_mun = max(len(homes) + 2, n - n_other_kinds)
        municipal = homes + others[: n_mun - len(homes)]
        self.funders = []  # (id, name, kind, code, [streams])
        fid = 0
        self.municipal_funder: dict[str, int] = {}
        for code in municipal:
            fid += 1
            self.funders.append(
                (
                    fid,
                    f"Gemeente {self.municipalities[code][1]}",
                    "municipality",
                    code,
                    ["jeugdwet", "wmo"],
                )
            )
            self.municipal_funder[code] = fid
        self.funders_of_stream: dict[str, list[int]] = defaultdict(list)
        rest = n - len(municipal)
        kinds = [
            ("health_insurer", "Zorgverzekeraar", "zvw-ggz", max(1, round(rest * 0.35))),
            ("care_office", "Zorgkantoor", "wlz", max(1, round(rest * 0.2))),
            ("samenwerkingsverband", "Samenwerkingsverband PO/VO", "onderwijs", 0),
            ("school_board", "Schoolbestuur", "onderwijs", 1),
            ("uwv", "UWV", "participatie", 1),
        ]
        fixed = sum(count for *_x, count in kinds)
        kinds[2] = (*kinds[2][:3], max(1, rest - fixed))
        for kind, label, stream, count in kinds:
            for index in range(count):
                fid += 1
                name = "UWV" if kind == "uwv" else f"{label} Bench {index + 1}"
                code = "UWV" if kind == "uwv" else f"{kind[:2].upper()}{index + 1:04d}"
                self.funders.append((fid, name, kind, code, [stream]))
                self.funders_of_stream[stream].append(fid)
        self.funder_name = {f[0]: f[1] for f in self.funders}
        # The municipalities clients live in: each organisation's home, then a long tail.
        self.municipal_codes = municipal
        self.zipf = [(code, 1 / (rank + 2)) for rank, code in enumerate(municipal)]

    def plan_contracts(self) -> None:
        rng = self.rng
        self.contracts = []  # (id, reference, start, end, variant, org, funder, stream)
        self.products = []  # (id, category, code, description, unit, tariff, guidance, contract)
        self.product_of: dict[tuple[int, int, str], tuple] = {}  # (org, funder, key) -> product
        cid = pid = 0
        start = self.first_day.replace(month=1, day=1) - timedelta(days=365)
        end = self.until.replace(month=12, day=31) + timedelta(days=3 * 365)
        for org_id, _name, _agb in self.orgs:
            for fid, _fname, _kind, fcode, streams in self.funders:
                factor = rng.uniform(0.94, 1.06)
                for stream in streams:
                    cid += 1
                    reference = f"{stream.upper()}-{fcode}-{org_id}"
                    self.contracts.append(
                        (
                            cid,
                            reference,
                            start,
                            end,
                            EXECUTION_VARIANT[stream],
                            org_id,
                            fid,
                            self.streams[stream]["id"],
                        )
                    )
                    for key, category, code, description, unit, tariff, guidance in PRODUCTS[
                        stream
                    ]:
                        pid += 1
                        row = (
                            pid,
                            category,
                            code,
                            description,
                            unit,
                            round(tariff * factor),
                            guidance,
                            cid,
                        )
                        self.products.append(row)
                        self.product_of[(org_id, fid, key)] = row
        self.product_stream = {}
        contract_stream = {c[0]: c[7] for c in self.contracts}
        stream_code = {s["id"]: code for code, s in self.streams.items()}
        for row in self.products:
            self.product_stream[row[0]] = stream_code[contract_stream[row[7]]]

    # -- clients, trajectories, teams ----------------------------------------------------------

    def plan_clients(self) -> None:
        rng, scale, until = self.rng, self.scale, self.until
        bsns = test_bsns()
        self.clients: list[Client] = []
        cid = 0
        self.active_by_org: dict[int, list[Client]] = {}
        for org_index, (org_id, _name, _agb) in enumerate(self.orgs):
            n_clients = round(scale["clients"] * self.org_weights[org_index])
            # The current caseload follows from the caseworkers' loads (15 to 40 each).
            caseworkers = self.by_role[(org_id, "caseworker")]
            self.cw_targets = loads_targets(rng, len(caseworkers))
            slots = sum(self.cw_targets)
            n_active = min(round(slots / (1 + SECOND_CASEWORKER_SHARE)), int(n_clients * 0.7))
            org_bsns = bsns[:]
            rng.shuffle(org_bsns)
            home = HOME_MUNICIPALITIES[org_index]
            home = home if home in self.municipal_funder else self.municipal_codes[0]
            active = []
            for index in range(n_clients):
                cid += 1
                c = Client()
                c.id, c.org = cid, org_id
                c.client_number = f"B{org_id}-{index + 1:06d}"
                c.given_name = rng.choice(GIVEN_NAMES)
                if rng.random() < 0.3:
                    c.given_name += " " + rng.choice(GIVEN_NAMES)
                c.family_name = rng.choice(FAMILY_NAMES)
                c.pseudonym = f"{rng.choice(PSEUDONYMS)}-{index + 1}"
                c.bsn = org_bsns[index] if index < len(org_bsns) else ""
                c.shielded = rng.random() < 0.03
                is_active = index < n_active
                if is_active:
                    c.start = until - timedelta(days=rng.randint(7, min(3 * 365, self._span())))
                    c.end = None
                    c.status = "active"
                else:
                    latest = self._span() - 120
                    c.start = self.first_day + timedelta(days=rng.randint(0, latest))
                    duration = int(min(1200, max(45, rng.lognormvariate(5.7, 0.6))))
                    c.end = min(c.start + timedelta(days=duration), until - timedelta(days=7))
                    c.status = "closed"
                age_at_start = weighted(
                    rng,
                    [
                        (12, 1),
                        (13, 2),
                        (14, 3),
                        (15, 4),
                        (16, 4),
                        (17, 3),
                        (18, 2),
                        (19, 2),
                        (20, 1),
                        (21, 1),
                    ],
                )
                c.born = c.start - timedelta(days=365 * age_at_start + rng.randint(0, 364))
                c.extended_until = None
                eighteen = birthday(c.born, 18)
                if (c.start <= eighteen <= (c.end or until)) and rng.random() < 0.3:
                    c.extended_until = min(
                        eighteen + timedelta(days=rng.randint(180, 4 * 365)),
                        birthday(c.born, 23) - timedelta(days=1),
                    )
                c.municipality = home if rng.random() < 0.55 else weighted(rng, self.zipf)
                c.in_stay = rng.random() < 0.08
                c.before_stay = weighted(rng, self.zipf) if c.in_stay else None
                c.responsible = c.before_stay or c.municipality
                c.created = c.start - timedelta(days=rng.randint(0, 14))
                c.members, c.goals, c.allocations = [], [], []
                self.clients.append(c)
                if is_active:
                    active.append(c)
            self.active_by_org[org_id] = active
            self._teams(org_id, active, caseworkers)
            closed = [c for c in self.clients if c.org == org_id and c.status == "closed"]
            for c in closed:
                self._closed_team(org_id, c)
        # The client with the most activities (the benchmarks' client page): the first current
        # client of the first organisation, in care for four and a half years, aged 17 now.
        heavy = self.active_by_org[self.orgs[0][0]][0]
        heavy.start = until - timedelta(days=int(4.5 * 365))
        heavy.born = until - timedelta(days=17 * 365 + 100)
        heavy.created = heavy.start
        heavy.extended_until = None
        for member in heavy.members:
            member[2] = max(member[2], heavy.start)
        self.heavy = heavy

    def _span(self) -> int:
        return (self.until - self.first_day).days

    def _teams(self, org_id: int, active: list[Client], caseworkers: list[int]) -> None:
        """Ongoing memberships: every caseworker, teacher and job coach gets 15-40 clients."""
        rng, until = self.rng, self.until
        slots = [
            uid
            for uid, target in zip(caseworkers, self.cw_targets, strict=True)
            for _ in range(target)
        ]
        rng.shuffle(slots)
        leads, seconds = slots[: len(active)], slots[len(active) :]
        for c, lead in zip(active, leads, strict=False):
            c.members.append([lead, "caseworker", c.start, None])
        for index, uid in enumerate(seconds):
            for attempt in range(len(active)):
                c = active[(index * 7 + attempt * 13) % len(active)]
                if all(m[0] != uid for m in c.members) and len(c.members) < 2:
                    joined = c.start + timedelta(
                        days=rng.randint(0, max(0, (until - c.start).days))
                    )
                    c.members.append([uid, "caseworker", min(joined, until), None])
                    break
        for role, eligible in (
            ("teacher", [c for c in active if age_on(c.born, until) < 21]),
            ("job_coach", [c for c in active if age_on(c.born, until) >= 16]),
        ):
            users = self.by_role[(org_id, role)]
            targets = loads_targets(rng, len(users))
            for uid, target in zip(users, targets, strict=True):
                picked = rng.sample(eligible, min(target, len(eligible)))
                for c in picked:
                    if any(m[1] == role for m in c.members):
                        continue
                    joined = c.start + timedelta(
                        days=rng.randint(0, max(0, (until - c.start).days // 2))
                    )
                    c.members.append([uid, role, joined, None])
        # One in ten current clients had a colleague who left the team.
        for c in active:
            if rng.random() < 0.1 and (until - c.start).days > 60:
                uid = rng.choice(caseworkers)
                if all(m[0] != uid for m in c.members):
                    left = c.start + timedelta(days=rng.randint(30, (until - c.start).days))
                    c.members.append([uid, "caseworker", c.start, min(left, until)])

    def _closed_team(self, org_id: int, c: Client) -> None:
        rng = self.rng
        c.members.append(
            [rng.choice(self.by_role[(org_id, "caseworker")]), "caseworker", c.start, c.end]
        )
        if rng.random() < 0.35 and age_on(c.born, c.start) < 21:
            c.members.append(
                [rng.choice(self.by_role[(org_id, "teacher")]), "teacher", c.start, c.end]
            )
        if rng.random() < 0.2 and age_on(c.born, c.end) >= 16:
            c.members.append(
                [rng.choice(self.by_role[(org_id, "job_coach")]), "job_coach", c.start, c.end]
            )

    # -- allocations ------------------------------------------------------------------------

    def plan_allocations(self) -> None:
        """Allocations follow each other over each trajectory, per lane; about the target count."""
        rng, until = self.rng, self.until
        lanes_of = {}
        coverage = 0
        extra = 0
        for c in self.clients:
            roles = {m[1] for m in c.members}
            lanes = ["care"] + [
                lane
                for lane, role in (("education", "teacher"), ("work", "job_coach"))
                if role in roles
            ]
            lanes_of[c.id] = lanes
            coverage += ((c.end or until) - c.start).days + 180
            extra += len(lanes) - 1
        care_target = max(1, self.scale["allocations"] - extra)
        mean_period = max(60, coverage / care_target)
        self.allocations: list[Alloc] = []
        aid = 0
        for c in self.clients:
            end = c.end or until
            for lane in lanes_of[c.id]:
                if lane == "care":
                    day = c.start
                    if rng.random() < 0.3:  # care started before the paperwork arrived
                        day += timedelta(days=rng.randint(5, 45))
                    while day <= end:
                        length = int(rng.uniform(0.6, 1.4) * mean_period)
                        stream, funder, key = self._care_funding(c, day)
                        last = day + timedelta(days=length)
                        if stream == "jeugdwet":
                            limit = birthday(c.born, 18) - timedelta(days=1)
                            if c.extended_until and key != "guidance":
                                limit = c.extended_until
                            last = min(last, limit)
                        if last < day:
                            stream, funder, key = self._care_funding(c, day, adult=True)
                            last = day + timedelta(days=length)
                        aid += 1
                        self.allocations.append(
                            self._alloc(aid, c, "care", stream, funder, key, day, last)
                        )
                        day = last + timedelta(days=1)
                        if rng.random() < 0.1:  # a renewal that came late: a gap
                            day += timedelta(days=rng.randint(5, 30))
                else:
                    stream = "onderwijs" if lane == "education" else "participatie"
                    funder = rng.choice(self.funders_of_stream[stream])
                    key = "vso_lesson" if lane == "education" else "job_coaching"
                    member_start = min(m[2] for m in c.members if m[1] != "caseworker")
                    first = member_start + timedelta(days=rng.randint(0, 20))
                    if lane == "work":
                        first = max(first, birthday(c.born, 16))
                    aid += 1
                    last = max(first, end) + timedelta(days=rng.randint(30, 200))
                    self.allocations.append(
                        self._alloc(aid, c, lane, stream, funder, key, first, last)
                    )
        for alloc in self.allocations:
            alloc.client.allocations.append(alloc)

    def _care_funding(self, c: Client, day: date, adult: bool = False) -> tuple[str, int, str]:
        rng = self.rng
        if not adult and age_on(c.born, day) < 18:
            key = weighted(
                rng, [("ambulant", 55), ("youth_ggz", 25), ("guidance", 15), ("crisis", 5)]
            )
            return "jeugdwet", self.municipal_funder[c.responsible], key
        if not adult and c.extended_until and day <= c.extended_until:
            return "jeugdwet", self.municipal_funder[c.responsible], "ambulant"
        stream = weighted(rng, [("wmo", 45), ("zvw-ggz", 45), ("wlz", 10)])
        if stream == "wmo":
            return "wmo", self.municipal_funder[c.municipality], "wmo_guidance"
        key = "ggz_treatment" if stream == "zvw-ggz" else "wlz_treatment"
        return stream, rng.choice(self.funders_of_stream[stream]), key

    def _alloc(self, aid, c, domain, stream, funder, key, start, end) -> Alloc:
        a = Alloc()
        a.id, a.client, a.domain, a.stream, a.funder = aid, c, domain, stream, funder
        a.product = self.product_of[(c.org, funder, key)]
        a.start, a.end = start, end
        a.frequency = weighted(self.rng, FREQUENCIES)
        a.use = defaultdict(int)
        return a

    def fits(self, a: Alloc, c: Client, day: date, domain: str, kind: str) -> bool:
        """apps.trajectories.assignment.allocation_refusal without the volume (sized afterwards)."""
        if not (a.start <= day <= a.end):
            return False
        stream = self.streams[a.stream]
        if domain not in stream["domains"] or (stream["kinds"] and kind not in stream["kinds"]):
            return False
        age = age_on(c.born, day)
        if stream["min_age"] is not None and age < stream["min_age"]:
            return False
        if stream["age_limit"] is not None and age >= stream["age_limit"]:
            if a.product[6]:  # guidance is never extended
                return False
            extended = (
                stream["extended"] is not None
                and age < stream["extended"]
                and c.extended_until is not None
                and day <= c.extended_until
            )
            if not extended:
                return False
        return True

    def refusal(self, a: Alloc, c: Client, day: date, domain: str, kind: str) -> dict:
        number = self.alloc_number(a)
        if not (a.start <= day <= a.end):
            return {
                "code": "not_valid_on_date",
                "number": number,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "date": day.isoformat(),
            }
        stream = self.streams[a.stream]
        if domain not in stream["domains"] or (stream["kinds"] and kind not in stream["kinds"]):
            return {"code": "stream_does_not_pay", "number": number, "stream": stream["name"]}
        age = age_on(c.born, day)
        if stream["min_age"] is not None and age < stream["min_age"]:
            return {
                "code": "too_young",
                "number": number,
                "stream": stream["name"],
                "age": stream["min_age"],
            }
        born18 = birthday(c.born, stream["age_limit"] or 18).isoformat()
        if a.product[6]:
            return {"code": "guidance_not_extended", "number": number, "birthday": born18}
        return {
            "code": "age_limit",
            "number": number,
            "stream": stream["name"],
            "age": stream["age_limit"],
            "birthday": born18,
        }

    @staticmethod
    def alloc_number(a: Alloc) -> str:
        # ToewijzingNummer is an LDT_Nummer in the 3.2 messages (RS001, RS006: 0 to 999999999):
        # the start year's last two digits and a serial, nine digits, unique (per funder too).
        return f"{a.start.year % 100:02d}{a.id:07d}"

    # -- activities -------------------------------------------------------------------------

    def plan_activities(self) -> None:
        rng, until = self.rng, self.until
        total = self.scale["activities"]
        heavy_count = min(self.scale["heavy"], total // 2)
        weights = []
        for c in self.clients:
            if c is self.heavy:
                weights.append(0.0)
                continue
            days = ((c.end or until) - c.start).days + 1
            weights.append(days * rng.lognormvariate(0, 0.5))
        scale = (total - heavy_count) / sum(weights)
        counts = [min(1800, int(w * scale)) for w in weights]
        counts[self.clients.index(self.heavy)] = heavy_count
        shortfall = total - sum(counts)
        order = sorted(range(len(counts)), key=lambda i: -weights[i])
        index = 0
        while shortfall > 0:
            i = order[index % len(order)]
            if counts[i] < 1800 and self.clients[i] is not self.heavy:
                counts[i] += 1
                shortfall -= 1
            index += 1
        self.activities = []  # tuples, ids assigned in time order later
        goal_id = 0
        self.goals = []  # (id, domain, description, target, progress, status, trajectory)
        for c, count in zip(self.clients, counts, strict=True):
            lanes = {"care"} | {
                {"teacher": "education", "job_coach": "work"}[m[1]]
                for m in c.members
                if m[1] != "caseworker"
            }
            goals = {}
            for lane in sorted(lanes):
                texts = {"care": CARE_GOALS, "education": EDUCATION_GOALS, "work": WORK_GOALS}
                for text in rng.sample(texts[lane], rng.randint(1, 2)):
                    goal_id += 1
                    status = (
                        "open" if c.status == "active" else rng.choice(["achieved", "discontinued"])
                    )
                    target = c.start + timedelta(days=rng.randint(90, 720))
                    progress = (
                        rng.randint(0, 90)
                        if status == "open"
                        else (100 if status == "achieved" else rng.randint(10, 70))
                    )
                    self.goals.append((goal_id, lane, text, target, progress, status, c.id))
                    goals.setdefault(lane, []).append(goal_id)
            self._client_activities(c, count, lanes, goals)
        self.activities.sort(key=lambda row: (row[2], row[3] or 0, row[-1]))

    def _client_activities(self, c: Client, count: int, lanes: set, goals: dict) -> None:
        rng, until = self.rng, self.until
        first, last = c.start.toordinal(), (c.end or until).toordinal()
        if "education" in lanes and "work" in lanes:
            lane_weights = [("care", 0.6), ("education", 0.25), ("work", 0.15)]
        elif "education" in lanes:
            lane_weights = [("care", 0.7), ("education", 0.3)]
        elif "work" in lanes:
            lane_weights = [("care", 0.8), ("work", 0.2)]
        else:
            lane_weights = [("care", 1.0)]
        performers = defaultdict(list)
        for uid, role, start, end in c.members:
            performers[
                {"caseworker": "care", "teacher": "education", "job_coach": "work"}[role]
            ].append((start.toordinal(), (end or until).toordinal(), uid))
        sixteen = birthday(c.born, 16).toordinal()
        allocs = sorted(c.allocations, key=lambda a: a.id)
        for n in range(count):
            domain = weighted(rng, lane_weights)
            lo = first
            if domain == "work":
                lo = max(first, min(sixteen, last))
            day_ordinal = rng.randint(lo, last) if n else first
            day = date.fromordinal(day_ordinal)
            if day.weekday() >= 5 and rng.random() < 0.85:
                day = max(day - timedelta(days=day.weekday() - 4), date.fromordinal(lo))
            kind = "intake" if n == 0 else weighted(rng, KINDS_OF[domain])
            if n == 0:
                domain = "care"
            minutes = rng.choice(KINDS[kind][2])
            candidates = [p for p in performers[domain] if p[0] <= day.toordinal() <= p[1]]
            candidates = candidates or performers[domain] or performers["care"]
            performer = rng.choice(candidates)[2]
            attendance = subject = assessment = ""
            if kind in ("lesson", "exam"):
                attendance = weighted(
                    rng, [("present", 90), ("absent_authorised", 6), ("absent_unauthorised", 4)]
                )
                subject = rng.choice(SUBJECTS)
                if kind == "exam":
                    assessment = rng.choice(["voldoende", "goed", "onvoldoende", "6,5", "7,8"])
            goal = rng.choice(goals[domain]) if domain in goals and rng.random() < 0.3 else None
            status = "recorded"
            allocation_id, consumed, expected = None, 0, ""
            if rng.random() < 0.01:
                status, funding_status, reason = (
                    "cancelled",
                    "not_chargeable",
                    '{"code": "cancelled"}',
                )
            elif kind in NOT_CHARGEABLE:
                funding_status, reason = "not_chargeable", dumps({"code": NOT_CHARGEABLE[kind]})
            elif attendance.startswith("absent"):
                funding_status, reason = "not_chargeable", '{"code": "absent"}'
            else:
                fits = [a for a in allocs if self.fits(a, c, day, domain, kind)]
                if fits:
                    best = min(fits, key=lambda a: (a.end, a.start, a.id))
                    allocation_id, consumed, funding_status = best.id, minutes, "funded"
                    best.use[self._window(best.frequency, day)] += minutes
                    reason = dumps(
                        {
                            "code": "assigned",
                            "fitting": len(fits),
                            "number": self.alloc_number(best),
                            "funder": self.funder_name[best.funder],
                            "stream": self.streams[best.stream]["name"],
                        }
                    )
                else:
                    funding_status = "unfunded"
                    if not allocs:
                        reason = '{"code": "no_allocation"}'
                    else:
                        reason = dumps(
                            {
                                "code": "unfunded",
                                "refusals": [self.refusal(a, c, day, domain, kind) for a in allocs],
                            }
                        )
                    expected = "Jeugdwet, gemeente" if age_on(c.born, day) < 18 else ""
            start_minutes = rng.randrange(8 * 60, 17 * 60, 15)
            self.activities.append(
                (
                    0,
                    domain,
                    day,
                    start_minutes,
                    minutes,
                    NOTES.get(kind, ""),
                    attendance,
                    subject,
                    assessment,
                    status,
                    funding_status,
                    consumed,
                    reason,
                    expected,
                    allocation_id,
                    performer,
                    goal,
                    c.id,
                    kind,
                    rng.randint(30, 600),
                )
            )

    @staticmethod
    def _window(frequency: str, day: date):
        if frequency == "2":
            return day.isocalendar()[:2]
        if frequency == "4":
            return (day.year, day.month)
        return ()

    # -- writing ---------------------------------------------------------------------------

    def write(self, conn: psycopg.Connection) -> None:
        from django.contrib.auth.hashers import make_password

        rng, until = self.rng, self.until
        password = make_password(BENCH_PASSWORD)  # one hash for all: hashing is slow on purpose
        created = f"{self.first_day - timedelta(days=400)} 09:00:00+01"
        admin_of = {org: self.by_role[(org, "administrator")][0] for org, *_x in self.orgs}
        manager_of = {org: self.by_role[(org, "manager")][0] for org, *_x in self.orgs}

        def copy(table: str, columns: str, rows) -> int:
            n = 0
            with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as out:
                for row in rows:
                    out.write_row(row)
                    n += 1
            self.counts[table] = self.counts.get(table, 0) + n
            return n

        hist = "history_id, history_date, history_change_reason, history_type, history_user_id"
        hid = defaultdict(int)

        def h(table: str, when: str, kind: str, user):
            hid[table] += 1
            return (hid[table], when, None, kind, user)

        copy("accounts_organisation", "id, name, agb_code", self.orgs)
        copy(
            "accounts_historicalorganisation",
            f"id, name, agb_code, {hist}",
            (o + h("org", created, "+", None) for o in self.orgs),
        )
        user_rows = [
            (
                uid,
                password,
                None,
                False,
                username,
                first,
                last,
                f"{username}@bench.invalid",
                staff,
                True,
                created,
                org,
            )
            for uid, username, first, last, org, _role, staff in self.users
        ]
        copy(
            "accounts_user",
            "id, password, last_login, is_superuser, username, first_name, last_name, email,"
            " is_staff, is_active, date_joined, organisation_id",
            user_rows,
        )
        copy(
            "accounts_historicaluser",
            "id, is_superuser, username, first_name, last_name, email, is_staff, is_active,"
            f" date_joined, organisation_id, {hist}",
            (
                (
                    r[0],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    r[8],
                    r[9],
                    r[10],
                    r[11],
                    *h("user", created, "+", admin_of[r[11]]),
                )
                for r in user_rows
            ),
        )
        copy(
            "accounts_user_groups",
            "id, user_id, group_id",
            ((u[0], u[0], self.groups[u[5]]) for u in self.users),
        )
        copy("funding_funder", "id, name, kind, code", (f[:4] for f in self.funders))
        copy(
            "funding_historicalfunder",
            f"id, name, kind, code, {hist}",
            (f[:4] + h("funder", created, "+", None) for f in self.funders),
        )
        copy(
            "funding_funder_streams",
            "id, funder_id, fundingstream_id",
            (
                (n, fid, self.streams[s]["id"])
                for n, (fid, s) in enumerate(
                    ((f[0], s) for f in self.funders for s in f[4]), start=1
                )
            ),
        )
        contract_cols = (
            'id, reference, start, "end", execution_variant, organisation_id, funder_id, stream_id'
        )
        copy("funding_contract", contract_cols, self.contracts)
        copy(
            "funding_historicalcontract",
            f"{contract_cols}, {hist}",
            (c + h("contract", created, "+", admin_of[c[5]]) for c in self.contracts),
        )
        product_cols = (
            "id, category, code, description, unit, tariff_cents, is_guidance, contract_id,"
            " delivery_kind, activity_kinds"
        )
        contract_org = {c[0]: c[5] for c in self.contracts}
        # What each product delivers follows its unit (WJ756); it pays for the kinds the
        # generated care draws on it (a stay's product for nights, a day part's for day parts).
        product_of_allocation = {a.id: a.product[0] for a in self.allocations}
        kinds_drawn: dict[int, set[str]] = defaultdict(set)
        for activity in self.activities:
            if activity[14] is not None:
                kinds_drawn[product_of_allocation[activity[14]]].add(activity[18])
        products = [
            (
                *p,
                DELIVERY_KIND_OF_UNIT[p[4]],
                json.dumps(sorted(kinds_drawn[p[0]]) or [PRESENCE_KIND.get(p[4], "intake")]),
            )
            for p in self.products
        ]
        copy("funding_product", product_cols, products)
        copy(
            "funding_historicalproduct",
            f"{product_cols}, {hist}",
            (p + h("product", created, "+", admin_of[contract_org[p[7]]]) for p in products),
        )
        conn.commit()
        log("configuration written")

        # clients and trajectories (a trajectory's id is its client's id)
        client_cols = (
            "id, client_number, given_name, family_name, pseudonym, date_of_birth, bsn,"
            " in_residential_stay, responsibility_rule, extended_youth_care_until, shielded,"
            " status, created_at, organisation_id, municipality_id, municipality_before_stay_id,"
            " responsible_municipality_id, street_and_number, postcode, place"
        )
        mun = {code: pk for code, (pk, _name) in self.municipalities.items()}

        def client_row(c: Client):
            return (
                c.id,
                c.client_number,
                c.given_name,
                c.family_name,
                c.pseudonym,
                c.born,
                c.bsn,
                c.in_stay,
                "address_before_stay" if c.in_stay else "registered_address",
                c.extended_until,
                c.shielded,
                c.status,
                f"{c.created} 10:00:00+01",
                c.org,
                mun[c.municipality],
                mun[c.before_stay] if c.before_stay else None,
                mun[c.responsible],
                "",  # no address: the generator writes none (the registration form asks it)
                "",
                "",
            )

        copy("clients_client", client_cols, (client_row(c) for c in self.clients))
        copy(
            "clients_historicalclient",
            f"{client_cols}, {hist}",
            (
                client_row(c) + h("client", f"{c.created} 10:00:00+01", "+", admin_of[c.org])
                for c in self.clients
            ),
        )
        lead_of = {c.id: c.members[0][0] for c in self.clients}
        traj_cols = 'id, start, "end", status, client_id, lead_caseworker_id, phase'
        # The trajectory's phase follows its client's status, as apps/intake keeps them.
        phase_of_status = {"intake": "intake", "active": "treatment", "aftercare": "aftercare"}

        def traj_row(c: Client, closed: bool):
            return (
                c.id,
                c.start,
                c.end if closed else None,
                "closed" if closed else "open",
                c.id,
                lead_of[c.id],
                "closed" if closed else phase_of_status.get(c.status, "treatment"),
            )

        copy(
            "trajectories_trajectory",
            traj_cols,
            (traj_row(c, c.status == "closed") for c in self.clients),
        )

        def traj_history():
            for c in self.clients:
                yield traj_row(c, False) + h("traj", f"{c.start} 10:05:00+01", "+", lead_of[c.id])
                if c.status == "closed":
                    yield traj_row(c, True) + h("traj", f"{c.end} 17:00:00+01", "~", lead_of[c.id])

        copy("trajectories_historicaltrajectory", f"{traj_cols}, {hist}", traj_history())
        goal_cols = "id, domain, description, target_date, progress, status, trajectory_id"
        copy("trajectories_goal", goal_cols, self.goals)
        copy(
            "trajectories_historicalgoal",
            f"{goal_cols}, {hist}",
            (g + h("goal", f"{until} 09:00:00+01", "+", lead_of[g[6]]) for g in self.goals),
        )
        memberships = []
        for c in self.clients:
            for uid, role, start, end in c.members:
                memberships.append((len(memberships) + 1, role, start, end, uid, c.id))
        member_cols = 'id, role, start, "end", user_id, trajectory_id'
        copy("trajectories_careteammembership", member_cols, memberships)

        def member_history():
            for m in memberships:
                lead = lead_of[m[5]]
                joined = (m[0], m[1], m[2], None, m[4], m[5])
                yield (*joined, *h("member", f"{m[2]} 10:06:00+01", "+", lead))
                if m[3] is not None:
                    yield m + h("member", f"{m[3]} 17:00:00+01", "~", lead)

        copy(
            "trajectories_historicalcareteammembership", f"{member_cols}, {hist}", member_history()
        )
        # Object permissions of the ongoing memberships (as _care_team_permissions_sync grants).
        view_client = self.permissions["clients.view_client"]
        view_trajectory = self.permissions["trajectories.view_trajectory"]
        ongoing = sorted({(m[4], m[5]) for m in memberships if m[3] is None or m[3] > until})
        copy(
            "clients_clientuserobjectpermission",
            "id, content_object_id, permission_id, user_id",
            ((n, cid, view_client, uid) for n, (uid, cid) in enumerate(ongoing, start=1)),
        )
        copy(
            "trajectories_trajectoryuserobjectpermission",
            "id, content_object_id, permission_id, user_id",
            ((n, cid, view_trajectory, uid) for n, (uid, cid) in enumerate(ongoing, start=1)),
        )
        self.memberships = memberships
        # A teacher's or job coach's lane rests on the client's consent to share with the
        # school or the employer (apps.trajectories.access, CONSENT_OF_LANE): one consent per
        # client and recipient, given when the first such member joined, open-ended. Given by
        # the young person (the representatives' part of the age rules is not simulated: the
        # access decision reads only whether a consent holds).
        clients_by_id = {c.id: c for c in self.clients}
        consents: dict[tuple[int, str], date] = {}
        for _n, role, start, _end, _uid, cid in memberships:
            recipient = {"teacher": "school", "job_coach": "employer"}.get(role)
            if recipient is not None:
                key = (cid, recipient)
                consents[key] = min(start, consents.get(key, start))
        consent_rows = [
            (
                n,
                recipient,
                "",
                "Afstemmen van begeleiding op school of werk",
                True,
                age_on(clients_by_id[cid].born, given),
                given,
                "",
                f"{given} 10:00:00+01",
                cid,
            )
            for n, ((cid, recipient), given) in enumerate(sorted(consents.items()), start=1)
        ]
        copy(
            "clients_consent",
            "id, recipient, recipient_name, purpose, given_by_young_person, age_when_given,"
            " given_on, withdrawal_reason, recorded_at, client_id",
            consent_rows,
        )
        conn.commit()
        log("clients, trajectories, goals, care teams and consents written")

        # allocations, sized to what they fund
        alloc_cols = (
            'id, number, volume, unit, frequency, start, "end", status, created_at, client_id,'
            " funder_id, product_id, contract_id, variant, category, change_reason, source"
        )

        def alloc_row(a: Alloc):
            unit = a.product[4]
            peak = max(a.use.values(), default=0)
            factor = rng.uniform(1.0, 1.05) if rng.random() < 0.1 else rng.uniform(1.1, 1.6)
            volume = (
                max(1, math.ceil(peak * factor / MINUTES_PER_UNIT[unit]))
                if peak
                else (rng.choice([10, 20, 40]) if a.frequency == "6" else 4)
            )
            return (
                a.id,
                self.alloc_number(a),
                volume,
                unit,
                a.frequency,
                a.start,
                a.end,
                "active",
                f"{a.start} 11:00:00+01",
                a.client.id,
                a.funder,
                a.product[0],
                a.product[7],  # the product's contract
                "specific",
                "",
                "",
                # The municipalities' allocations arrive as JW301 / WMO301 messages.
                "message" if a.stream in MESSAGE_STREAMS else "manual",
            )

        alloc_rows = [alloc_row(a) for a in self.allocations]
        copy("funding_allocation", alloc_cols, alloc_rows)
        copy(
            "funding_historicalallocation",
            f"{alloc_cols}, {hist}",
            (r + h("alloc", r[8], "+", manager_of[self.clients[r[9] - 1].org]) for r in alloc_rows),
        )
        conn.commit()
        log(f"{len(alloc_rows):,} allocations written")

        # activities, their history and the access log, in the order they were logged
        org_of = {c.id: c.org for c in self.clients}
        username = {u[0]: u[1] for u in self.users}
        act_cols = (
            "id, domain, kind, date, start_time, duration_minutes, units, note, attendance,"
            " subject, assessment, milestone, status, funding_status, consumed, funding_reason,"
            " expected_funding, created_at, allocation_id, performed_by_id, goal_id, trajectory_id"
        )

        def act_rows():
            for n, a in enumerate(self.activities, start=1):
                (
                    _z,
                    domain,
                    day,
                    start,
                    minutes,
                    note,
                    attendance,
                    subject,
                    assessment,
                    status,
                    funding_status,
                    consumed,
                    reason,
                    expected,
                    allocation,
                    performer,
                    goal,
                    cid,
                    kind,
                    delay,
                ) = a
                logged = start + minutes + delay
                yield (
                    n,
                    domain,
                    kind,
                    day,
                    f"{start // 60:02d}:{start % 60:02d}",
                    minutes,
                    None,
                    note,
                    attendance,
                    subject,
                    assessment,
                    "",
                    status,
                    funding_status,
                    consumed,
                    reason,
                    expected,
                    f"{day} {min(logged // 60, 23):02d}:{logged % 60:02d}:00+01",
                    allocation,
                    performer,
                    goal,
                    cid,
                )

        copy("trajectories_activity", act_cols, act_rows())
        conn.commit()
        log(f"{len(self.activities):,} activities written")
        copy(
            "trajectories_historicalactivity",
            f"{act_cols}, {hist}",
            (r + h("act", r[17], "+", r[19]) for r in act_rows()),
        )
        conn.commit()
        log("activity history written")

        log_cols = (
            "id, occurred_at, username, acting_role, event, object_type, object_id, detail,"
            " ip_address, user_agent, basis, reason, outcome, client_id, on_behalf_of_id,"
            " organisation_id, user_id"
        )

        def access_log():
            n = 0
            events = []
            # Created clients and allocations, permissions granted and revoked, by their time.
            for c in self.clients:
                events.append(
                    (
                        f"{c.created} 10:00:00+01",
                        admin_of[c.org],
                        "",
                        "create",
                        "clients.client",
                        str(c.id),
                        "client create",
                        "administration",
                        c.id,
                    )
                )
            for r in alloc_rows:
                cid = r[9]
                events.append(
                    (
                        r[8],
                        manager_of[org_of[cid]],
                        "",
                        "create",
                        "funding.allocation",
                        str(r[0]),
                        "allocation create",
                        "administration",
                        cid,
                    )
                )
            for m in self.memberships:
                lead = lead_of[m[5]]
                events.append(
                    (
                        f"{m[2]} 10:06:00+01",
                        lead,
                        "",
                        "permission_change",
                        "trajectories.trajectory",
                        str(m[5]),
                        f"granted to {username[m[4]]}",
                        "care_team",
                        m[5],
                    )
                )
                if m[3] is not None:
                    events.append(
                        (
                            f"{m[3]} 17:00:00+01",
                            lead,
                            "",
                            "permission_change",
                            "trajectories.trajectory",
                            str(m[5]),
                            f"revoked from {username[m[4]]}",
                            "care_team",
                            m[5],
                        )
                    )
            events.sort()
            ev = 0
            for r in act_rows():
                when = r[17]
                while ev < len(events) and events[ev][0] <= when:
                    e = events[ev]
                    ev += 1
                    n += 1
                    yield (
                        n,
                        e[0],
                        username[e[1]],
                        e[2],
                        e[3],
                        e[4],
                        e[5],
                        e[6],
                        f"10.20.{e[1] // 250}.{e[1] % 250 + 1}",
                        USER_AGENT,
                        e[7],
                        "",
                        "allowed",
                        e[8],
                        None,
                        org_of[e[8]],
                        e[1],
                    )
                user, cid = r[19], r[21]
                ip = f"10.20.{user // 250}.{user % 250 + 1}"
                if rng.random() < 0.5:
                    n += 1
                    yield (
                        n,
                        when,
                        username[user],
                        "caseworker" if r[1] == "care" else "",
                        "view",
                        "",
                        "",
                        "client page",
                        ip,
                        USER_AGENT,
                        "care_team",
                        "",
                        "allowed",
                        cid,
                        None,
                        org_of[cid],
                        user,
                    )
                n += 1
                yield (
                    n,
                    when,
                    username[user],
                    "",
                    "create",
                    "trajectories.activity",
                    str(r[0]),
                    "activity create",
                    ip,
                    USER_AGENT,
                    "care_team",
                    "",
                    "allowed",
                    cid,
                    None,
                    org_of[cid],
                    user,
                )
            for e in events[ev:]:
                n += 1
                yield (
                    n,
                    e[0],
                    username[e[1]],
                    e[2],
                    e[3],
                    e[4],
                    e[5],
                    e[6],
                    f"10.20.{e[1] // 250}.{e[1] % 250 + 1}",
                    USER_AGENT,
                    e[7],
                    "",
                    "allowed",
                    e[8],
                    None,
                    org_of[e[8]],
                    e[1],
                )

        copy("audit_accesslogentry", log_cols, access_log())
        conn.commit()
        log("access log written")

    # -- indexes, sequences, statistics ---------------------------------------------------

    BIG_TABLES = (
        "trajectories_activity",
        "trajectories_historicalactivity",
        "audit_accesslogentry",
        "clients_historicalclient",
        "funding_historicalallocation",
        "funding_allocation",
    )

    def drop_indexes(self, conn: psycopg.Connection) -> list[str]:
        """Drop the big tables' secondary indexes (not those of constraints) to build them once."""
        rows = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i"
            " WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [list(self.BIG_TABLES)],
        ).fetchall()
        for name, _definition in rows:
            conn.execute(f'DROP INDEX "{name}"')
        conn.commit()
        return [definition for _name, definition in rows]

    def finish(self, conn: psycopg.Connection, indexes: list[str]) -> None:
        started = time.perf_counter()
        for definition in indexes:
            conn.execute(definition)
        conn.commit()
        self.timings["indexes_s"] = round(time.perf_counter() - started, 1)
        log(f"{len(indexes)} indexes built in {self.timings['indexes_s']} s")
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND is_identity = 'YES'"
        ).fetchall():
            conn.execute(  # the names come from information_schema, not from input
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"  # noqa: S608
                f" COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)"
            )
        conn.commit()
        # The monthly roll-up of the activities (the funding mosaic reads it): its trigger
        # does not fire during the COPY (session_replication_role = replica), so it is
        # computed once here, as ``manage.py activity_month_rebuild`` does.
        started = time.perf_counter()
        conn.execute("DELETE FROM trajectories_activitymonth")
        conn.execute(REBUILD_SQL)
        for sql in DERIVED_REFILL_SQL:  # its funded care's sums and the allocations' spans
            conn.execute(sql)
        conn.commit()
        self.timings["activity_month_s"] = round(time.perf_counter() - started, 1)
        # The waiting activities' rows (the unfunded queue reads them), pending: their trigger
        # did not fire either. The first read of an organisation's queue values them.
        from apps.accounts.models import Organisation  # after django_setup: they load models
        from apps.trajectories.waiting import FILL_SQL, waiting_totals, waiting_value_missing

        conn.execute(FILL_SQL)
        conn.commit()
        # ... and valued, as `manage.py waiting_revalue` does after the upgrade that brings
        # them: the queue's first read then finds nothing to value, as in a running system.
        started = time.perf_counter()
        for organisation in Organisation.objects.order_by("pk"):
            waiting_value_missing(organisation=organisation)
            waiting_totals(organisation=organisation)  # their running sums folded
        self.timings["waiting_valued_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        conn.autocommit = False
        self.timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)

    def check(self, conn: psycopg.Connection) -> dict[str, int]:
        """Invariants the application relies on; every count must be 0."""
        checks = {
            "funded activity on an allocation of another client": """
                SELECT count(*) FROM trajectories_activity a
                JOIN trajectories_trajectory t ON t.id = a.trajectory_id
                JOIN funding_allocation al ON al.id = a.allocation_id
                WHERE al.client_id <> t.client_id""",
            "funded activity outside its allocation's validity": """
                SELECT count(*) FROM trajectories_activity a
                JOIN funding_allocation al ON al.id = a.allocation_id
                WHERE a.date < al.start OR a.date > al."end" OR a.consumed = 0""",
            "activity of a missing trajectory or user": """
                SELECT count(*) FROM trajectories_activity a
                LEFT JOIN trajectories_trajectory t ON t.id = a.trajectory_id
                LEFT JOIN accounts_user u ON u.id = a.performed_by_id
                WHERE t.id IS NULL OR u.id IS NULL""",
            "allocation over its volume (total frequency)": """
                SELECT count(*) FROM (
                  SELECT al.id FROM funding_allocation al
                  JOIN trajectories_activity a ON a.allocation_id = al.id
                  WHERE al.frequency = '6' AND a.status = 'recorded'
                  GROUP BY al.id, al.volume, al.unit
                  HAVING sum(a.consumed) > al.volume * CASE al.unit WHEN '04' THEN 60
                    WHEN '16' THEN 240 WHEN '14' THEN 1440 ELSE 1 END) over""",
            "caseworker with fewer than 15 or more than 40 current clients": """
                SELECT count(*) FROM (
                  SELECT m.user_id FROM trajectories_careteammembership m
                  JOIN accounts_user_groups g ON g.user_id = m.user_id
                  JOIN auth_group gr ON gr.id = g.group_id AND gr.name = 'caseworker'
                  WHERE m."end" IS NULL AND m.role = 'caseworker'
                  GROUP BY m.user_id HAVING count(DISTINCT m.trajectory_id) NOT BETWEEN 15 AND 40
                ) loads""",
            "ongoing membership without its object permission": """
                SELECT count(*) FROM trajectories_careteammembership m
                WHERE m."end" IS NULL AND NOT EXISTS (
                  SELECT 1 FROM clients_clientuserobjectpermission p
                  WHERE p.user_id = m.user_id AND p.content_object_id = m.trajectory_id)""",
        }
        checks["waiting activity without its row, or a row of one not waiting"] = """
            SELECT count(*) FROM trajectories_activity a
            FULL JOIN trajectories_waitingvaluation w ON w.activity_id = a.id
                AND a.status = 'recorded' AND a.funding_status = 'unfunded'
            WHERE (a.status = 'recorded' AND a.funding_status = 'unfunded'
                   AND w.activity_id IS NULL)
               OR (a.id IS NULL)"""
        from apps.trajectories.waiting import TOTAL_DIFFERENCES_SQL

        checks["waiting total differing from the valued rows"] = TOTAL_DIFFERENCES_SQL
        # The monthly roll-up equals the live aggregate of the activities, both ways.
        checks["activity roll-up row differing from the activities"] = (
            f"SELECT count(*) FROM (({STORED_SQL}) EXCEPT ({LIVE_SQL})) one_way"  # noqa: S608
            f" FULL JOIN (({LIVE_SQL}) EXCEPT ({STORED_SQL})) other_way ON false"
        )
        checks["funded running sum differing from the roll-up"] = (
            f"SELECT count(*) FROM (({FUNDED_STORED_SQL}) EXCEPT ({FUNDED_LIVE_SQL})) one_way"  # noqa: S608
            f" FULL JOIN (({FUNDED_LIVE_SQL}) EXCEPT ({FUNDED_STORED_SQL})) other_way ON false"
        )
        checks["allocation span differing from the roll-up"] = (
            f"SELECT count(*) FROM (({SPAN_STORED_SQL}) EXCEPT ({SPAN_LIVE_SQL})) one_way"  # noqa: S608
            f" FULL JOIN (({SPAN_LIVE_SQL}) EXCEPT ({SPAN_STORED_SQL})) other_way ON false"
        )
        return {name: conn.execute(sql).fetchone()[0] for name, sql in checks.items()}

    def run(self) -> dict:
        started = time.perf_counter()
        log(f"database {self.db}: dropping, creating and migrating")
        self.create_database()
        self.timings["migrate_s"] = round(time.perf_counter() - started, 1)
        from bench.common import django_setup

        django_setup(self.db)
        with psycopg.connect(conninfo(self.db)) as conn:
            conn.execute("SET session_replication_role = replica")  # no FK triggers: bulk load
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET synchronous_commit = off")
            self.reference(conn)
            t = time.perf_counter()
            self.plan_organisations_and_users()
            self.plan_funders()
            self.plan_contracts()
            self.plan_clients()
            self.plan_allocations()
            self.plan_activities()
            self.timings["plan_s"] = round(time.perf_counter() - t, 1)
            log(f"planned in {self.timings['plan_s']} s; writing with COPY")
            indexes = self.drop_indexes(conn)
            t = time.perf_counter()
            self.write(conn)
            self.timings["copy_s"] = round(time.perf_counter() - t, 1)
            self.finish(conn, indexes)
            checks = self.check(conn)
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            tables = conn.execute(
                "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r'"
                " ORDER BY 2 DESC LIMIT 8"
            ).fetchall()
            funded = dict(
                conn.execute(
                    "SELECT funding_status, count(*) FROM trajectories_activity GROUP BY 1"
                ).fetchall()
            )
        self.timings["total_s"] = round(time.perf_counter() - started, 1)
        loads = defaultdict(int)
        for m in self.memberships:
            if m[3] is None and m[1] == "caseworker":
                loads[m[4]] += 1
        manifest = {
            "database": self.db,
            "seed": self.seed,
            "until": self.until.isoformat(),
            "scale": self.scale,
            "rows": self.counts,
            "activities_by_funding_status": funded,
            "current_clients": sum(1 for c in self.clients if c.status == "active"),
            "caseworker_load": [min(loads.values()), max(loads.values())],
            "heavy_client": self.heavy.id,
            "timings": self.timings,
            "database_size_bytes": size,
            "largest_tables": {name: human_bytes(b) for name, b in tables},
            "checks": checks,
        }
        return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="casemanager_bench")
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--until",
        type=date.fromisoformat,
        default=datetime.now(ZoneInfo("Europe/Amsterdam")).date(),
        help="the last day with activities (default: today)",
    )
    for key in SCALES["default"]:
        parser.add_argument(f"--{key}", type=int, help=f"override the scale's {key}")
    args = parser.parse_args(argv)
    scale = dict(SCALES[args.scale])
    for key in scale:
        if getattr(args, key) is not None:
            scale[key] = getattr(args, key)
    manifest = Generator(db=args.db, scale=scale, seed=args.seed, until=args.until).run()
    save_json(f"{args.db}.manifest.json", manifest)
    size = manifest["database_size_bytes"]
    log(f"done in {manifest['timings']['total_s']} s: {human_bytes(size)} ({size:,} bytes)")
    print(json.dumps(manifest, indent=2, default=str))
    failed = {name: count for name, count in manifest["checks"].items() if count}
    if failed:
        log(f"INVARIANT CHECKS FAILED: {failed}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
