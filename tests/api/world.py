"""One organisation's world for the API tests, the permission matrix and the schema-driven run.

Four clients, as in tests/test_permission_matrix.py: one on the care team of every role's
user ("own"), one of the same organisation on another team ("other"), a shielded one on
another team ("shielded"), and one of another organisation ("foreign"). Each has a goal, an
activity with a note in every lane, and a funded allocation; the organisation has a contract,
a funder and a finished report. Every secret text is distinctive, so that finding it in a
response is a leak.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.accounts.models import ApiToken, Organisation, Role, User
from apps.accounts.services import api_token_create
from apps.clients.models import Client
from apps.core.domains import Domain
from apps.exchange.models import Message
from apps.funding.models import Allocation, Contract, Frequency, Funder, FundingAlert, Product
from apps.reports.models import ReportRun, ReportStatus
from apps.trajectories.assignment import allocation_register
from apps.trajectories.models import Activity, Goal, Trajectory
from apps.trajectories.services import activity_log, care_team_join, goal_add
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import ContractFactory, FunderFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
ROLES = ["caseworker", "teacher", "job_coach", "manager", "privacy_officer", "administrator"]
TARGETS = ["own", "other", "shielded", "foreign"]
TEAM_ROLE = {"caseworker": "caseworker", "teacher": "teacher", "job_coach": "job_coach"}
KIND_OF_LANE = {"care": "treatment_session", "education": "lesson", "work": "job_coaching"}
START = D(2025, 1, 1)


def note_of(target: str, lane: str) -> str:
    return f"NOTE{lane.upper()}{target.upper()}"


def goal_text_of(target: str, lane: str) -> str:
    return f"GOAL{lane.upper()}{target.upper()}"


@dataclass
class World:
    organisation: Organisation
    lead: User
    users: dict[str, User]
    clients: dict[str, Client]
    trajectories: dict[str, Trajectory]
    goals: dict[tuple[str, str], Goal]
    activities: dict[tuple[str, str], Activity]
    allocations: dict[str, Allocation]
    funder: Funder
    foreign_funder: Funder
    contract: Contract
    foreign_contract: Contract
    product: Product
    report: ReportRun
    foreign_report: ReportRun
    keys: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)
    alerts: dict[str, FundingAlert] = field(default_factory=dict)
    clients_named_in_report: list[int] = field(default_factory=list)
    message: Message | None = None  # received, naming the own and the shielded client
    foreign_message: Message | None = None

    def secrets_of(self, target: str) -> list[str]:
        """What must never appear for a client whose identity is not shown."""
        client = self.clients[target]
        return [client.given_name, client.family_name, client.bsn or "no-bsn", "2009-11-23"]


def _client_world(organisation, lead, **client) -> Trajectory:
    return TrajectoryFactory(
        client=ClientFactory(organisation=organisation, **client),
        start=START,
        lead_caseworker=lead,
    )


def build_world(*, tokens: bool = True) -> World:
    organisation = OrganisationFactory()
    lead = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    users = {role: UserFactory(organisation=organisation, roles=[Role(role)]) for role in ROLES}
    foreign_organisation = OrganisationFactory()
    foreign_lead = UserFactory(organisation=foreign_organisation, roles=[Role.CASEWORKER])
    trajectories = {
        "own": _client_world(organisation, lead, given_name="Qannelies", family_name="Qeigenteam"),
        "other": _client_world(organisation, lead, given_name="Qbram", family_name="Qandersteam"),
        "shielded": _client_world(
            organisation,
            lead,
            given_name="Qcato",
            family_name="Qverborgen",
            shielded=True,
            date_of_birth=D(2009, 11, 23),
            bsn="999999990",
        ),
        "foreign": _client_world(
            foreign_organisation,
            foreign_lead,
            given_name="Qdirk",
            family_name="Qbuitenland",
        ),
    }
    for role, team_role in TEAM_ROLE.items():
        care_team_join(
            trajectory=trajectories["own"],
            user=users[role],
            role=team_role,
            start=START,
            actor=lead,
        )
    funder = FunderFactory(name="Gemeente Qstad")
    foreign_funder = FunderFactory(name="Gemeente Qelders")
    contract = ContractFactory(
        funder=funder, organisation=organisation, stream=stream("jeugdwet"), start=D(2024, 1, 1)
    )
    foreign_contract = ContractFactory(
        funder=foreign_funder,
        organisation=foreign_organisation,
        stream=stream("jeugdwet"),
        start=D(2024, 1, 1),
    )
    product = ProductFactory(contract=contract)
    foreign_product = ProductFactory(contract=foreign_contract)
    goals, activities, allocations = {}, {}, {}
    for target, trajectory in trajectories.items():
        actor = trajectory.lead_caseworker
        allocations[target], _ = allocation_register(
            client=trajectory.client,
            product=foreign_product if target == "foreign" else product,
            number=f"TW-{target.upper()}",
            volume=6000,
            frequency=Frequency.TOTAL,
            start=START,
            end=D(2027, 12, 31),
            actor=actor,
        )
        for lane in Domain.values:
            goals[target, lane] = goal_add(
                trajectory=trajectory,
                domain=lane,
                description=goal_text_of(target, lane),
                actor=actor,
            )
            activities[target, lane] = activity_log(
                trajectory=trajectory,
                domain=lane,
                kind=KIND_OF_LANE[lane],
                date=D(2025, 2, 3),
                duration_minutes=60,
                performed_by=actor,
                actor=actor,
                note=note_of(target, lane),
                attendance="present" if lane == "education" else "",
                goal=goals[target, lane],
            )
    world = World(
        organisation=organisation,
        lead=lead,
        users=users,
        clients={target: trajectory.client for target, trajectory in trajectories.items()},
        trajectories=trajectories,
        goals=goals,
        activities=activities,
        allocations=allocations,
        funder=funder,
        foreign_funder=foreign_funder,
        contract=contract,
        foreign_contract=foreign_contract,
        product=product,
        report=_finished_report(organisation, funder, users["manager"]),
        foreign_report=_finished_report(
            foreign_organisation,
            foreign_funder,
            UserFactory(organisation=foreign_organisation, roles=[Role.MANAGER]),
        ),
    )
    world.clients_named_in_report = [world.clients["own"].pk, world.clients["shielded"].pk]
    world.report.client_ids = world.clients_named_in_report
    world.report.save(update_fields=["client_ids"])
    from tests.exchange.factories_pages import message_make

    world.message = message_make(
        organisation,
        identification="WORLD-1",
        clients=[world.clients["own"], world.clients["shielded"]],
        funder=funder,
        outcome=[{"code": "0200", "text": "", "path": ""}],
    )
    world.foreign_message = message_make(foreign_organisation, identification="WORLD-2")
    if tokens:
        for role, user in users.items():
            world.tokens[role], world.keys[role] = api_token_create(
                user=user,
                name=f"{role} system",
                expires_on=timezone.localdate() + datetime.timedelta(days=30),
                actor=user,
            )
    return world


def raise_world_alerts(world: World) -> dict[str, FundingAlert]:
    """An open funding alert for each client, as the nightly check raises them; the shielded
    client's names its 18th birthday."""
    today = timezone.localdate()
    details = {
        "own": ("allocation_80", {"number": "TW-OWN", "percent": 85, "windowed": False}),
        "other": ("allocation_ending", {"number": "TW-OTHER", "end": "2027-12-31"}),
        "shielded": (
            "turns_18",
            {"birthday": "2027-11-23", "numbers": ["TW-SHIELDED"], "guidance": False},
        ),
        "foreign": ("unfunded_waiting", {"count": 2, "oldest": "2025-01-01"}),
    }
    world.alerts = {
        target: FundingAlert.objects.create(
            kind=kind,
            key=f"{kind}:{world.clients[target].pk}",
            client=world.clients[target],
            allocation=world.allocations[target] if kind.startswith("allocation") else None,
            details=detail,
            raised_on=today,
        )
        for target, (kind, detail) in details.items()
    }
    return world.alerts


def _finished_report(organisation, funder, manager) -> ReportRun:
    run = ReportRun(
        organisation=organisation,
        funder=funder,
        period_start=D(2025, 1, 1),
        period_end=D(2025, 3, 31),
        format="csv",
        requested_by=manager,
        status=ReportStatus.DONE,
        progress=100,
    )
    run.save()
    run.file.save(run.filename, ContentFile(b"client;units\n"), save=False)
    run.size = 13
    run.save(update_fields=["file", "size"])
    return run
