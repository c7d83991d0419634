"""GGZ after 18 in the demo (apps/zvw): two young people who turn 18 during their treatment,
their care going on without a day unfunded (the Jeugdwet before the birthday, the insurer from
it), the workers' professions, the year's tariffs, and last month's declaration to the insurer,
exported and answered with one line rejected. Deterministic, through the services.

The tariffs and prestatie codes are the demo's own ("DEMO-..."), not the NZa's: an
administrator records the real ones from the NZa's tariff list each year (docs/zvw.md).
"""

from __future__ import annotations

from datetime import date, timedelta

from apps.accounts.models import User
from apps.clients.models import Client, Municipality
from apps.clients.services import client_create
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import Frequency, Product
from apps.trajectories.assignment import allocation_register
from apps.trajectories.models import TeamRole
from apps.trajectories.services import activity_log, care_team_join, trajectory_open
from apps.zvw.declaration import (
    insurer_answer_build,
    insurer_answer_import,
    insurer_declaration_approve,
    insurer_declaration_draft,
    insurer_declaration_export,
)
from apps.zvw.models import Profession, ReferralType
from apps.zvw.services import (
    care_demand_typing_record,
    contract_tariff_set,
    insurer_contract_create,
    max_tariff_set,
    practitioner_profile_set,
    zvw_route_save,
)

INSURER_UZOVI = "3999"  # the demo's insurer (apps/demo/seed.py, Zorgverzekeraar Lindestede)
# (client number, given name, family name, pseudonym, days since the 18th birthday)
CLIENTS = [
    ("DEMO-Z01", "Noor", "Verhoef", "Zilverspar", 45),
    ("DEMO-Z02", "Jesse", "Kramer", "Wilgenroos", 100),
]
# The demo's tariffs per prestatie (euro cents), and the demo's codes.
TARIFFS = {
    "consult:diagnostiek:gz_psycholoog:60": ("DEMO-CD60GZ", 26_500),
    "consult:behandeling:gz_psycholoog:45": ("DEMO-CB45GZ", 19_800),
    "consult:behandeling:arts_specialist:15": ("DEMO-CB15AS", 11_050),
    "groep:gz_psycholoog:6": ("DEMO-GC30GZ6", 4_150),
    "groep:verpleegkundige:6": ("DEMO-GC30VK6", 2_600),
}
CONTRACT_TREATMENT_CENTS = 20_500  # the insurer's contract: a little above the maximum


def _birth_date(today: date, days_since_18: int) -> date:
    birthday = today - timedelta(days=days_since_18)
    try:
        return birthday.replace(year=birthday.year - 18)
    except ValueError:  # 29 February
        return birthday.replace(year=birthday.year - 18, day=28)


def _tariffs(*, organisation, today: date, actor: User) -> None:
    for year in (today.year - 1, today.year):
        for prestatie, (code, cents) in TARIFFS.items():
            max_tariff_set(year=year, prestatie=prestatie, code=code, cents=cents, actor=actor)
    contract = insurer_contract_create(
        organisation=organisation,
        uzovi=INSURER_UZOVI,
        year=today.year,
        reference=f"LIND-GGZ-{today.year}",
        actor=actor,
    )
    contract_tariff_set(
        contract=contract,
        prestatie="consult:behandeling:gz_psycholoog:45",
        cents=CONTRACT_TREATMENT_CENTS,
        actor=actor,
    )


def _young_person(row, *, organisation, today: date, users: dict[str, User]) -> Client:
    number, given, family, pseudonym, days_since_18 = row
    psychologist, psychiatrist = users["behandelaar"], users["behandelaar2"]
    client = client_create(
        organisation=organisation,
        client_number=number,
        given_name=given,
        family_name=family,
        pseudonym=pseudonym,
        date_of_birth=_birth_date(today, days_since_18),
        municipality=Municipality.objects.get(cbs_code="0344"),
        actor=psychologist,
    )
    birthday = client.birthday(18)
    start = birthday - timedelta(days=120)
    trajectory = trajectory_open(
        client=client, start=start, lead_caseworker=psychologist, actor=psychologist
    )
    care_team_join(
        trajectory=trajectory,
        user=psychiatrist,
        role=TeamRole.CASEWORKER,
        start=start,
        actor=psychologist,
    )
    # Youth GGZ under the Jeugdwet until the day before the 18th birthday.
    youth_ggz = Product.objects.get(
        contract__organisation=organisation, contract__funder__code="0344", code="54D03"
    )
    allocation_register(
        client=client,
        product=youth_ggz,
        number=f"TW-{number}",
        volume=1_200,
        frequency=Frequency.PER_MONTH,
        start=start,
        end=birthday - timedelta(days=1),
        actor=users["beheerder"],
    )
    # The route, complete before the birthday (the to-do showed from 17½).
    zvw_route_save(
        client=client,
        actor=psychologist,
        uzovi=INSURER_UZOVI,
        policy_number=f"POL{number[-3:]}77",
        insurance_checked_on=birthday - timedelta(days=30),
        referral_type=ReferralType.GP,
        referrer_name="Huisartsenpraktijk De Linde (demo)",
        referrer_agb="01012345",
        referral_date=birthday - timedelta(days=60),
        regiebehandelaar=psychologist,
    )
    care_demand_typing_record(
        client=client,
        care_demand_type="X4",
        measured_on=start + timedelta(days=21),
        actor=psychologist,
    )
    log = {"trajectory": trajectory, "domain": Domain.CARE, "actor": psychologist}
    activity_log(
        **log,
        kind=ActivityKind.INTAKE,
        date=start,
        performed_by=psychologist,
        duration_minutes=60,
    )
    day, week = start + timedelta(days=7), 0
    while day < today:
        week += 1
        by_psychiatrist = week % 4 == 0
        activity_log(
            **log,
            kind=ActivityKind.TREATMENT_SESSION,
            date=day,
            performed_by=psychiatrist if by_psychiatrist else psychologist,
            duration_minutes=20 if by_psychiatrist else 47,
        )
        day += timedelta(days=7)
    return client


def _declaration(*, organisation, today: date, manager: User) -> None:
    """Last month's declaration to the insurer: reviewed, exported and answered."""
    last_month = today.replace(day=1) - timedelta(days=1)
    draft = insurer_declaration_draft(
        organisation=organisation,
        uzovi=INSURER_UZOVI,
        year=last_month.year,
        month=last_month.month,
        actor=manager,
    )
    if draft.declaration is None:
        return
    insurer_declaration_approve(declaration=draft.declaration, actor=manager)
    insurer_declaration_export(declaration=draft.declaration, actor=manager)
    # The insurer rejects one line (a return code of its own); the rest is accepted.
    answer = insurer_answer_build(declaration=draft.declaration, rejected={1: "8401"})
    insurer_answer_import(declaration=draft.declaration, text=answer, actor=manager)


def demo_zvw_seed(*, users: dict[str, User], today: date) -> None:
    """Two young people who turn 18 during treatment, and the insurer's declaration."""
    psychologist = users["behandelaar"]
    organisation = psychologist.organisation
    practitioner_profile_set(
        user=psychologist, profession=Profession.GZ_PSYCHOLOOG, agb_code="94001234",
        actor=users["beheerder"],
    )  # fmt: skip
    practitioner_profile_set(
        user=users["behandelaar2"], profession=Profession.PSYCHIATER, agb_code="01005678",
        actor=users["beheerder"],
    )  # fmt: skip
    _tariffs(organisation=organisation, today=today, actor=users["beheerder"])
    for row in CLIENTS:
        _young_person(row, organisation=organisation, today=today, users=users)
    _declaration(organisation=organisation, today=today, manager=users["manager"])
