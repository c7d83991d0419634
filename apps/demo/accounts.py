"""Synthetic demo organisations and users; idempotent (looked up by AGB code and username)."""

from dataclasses import dataclass

from apps.accounts.models import Organisation, Role, User
from apps.accounts.services import organisation_create, user_create

DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - printed for the demo on purpose

DEMO_ORGANISATIONS = [
    ("Stichting Zonnehoek (demo)", "73730001"),
    ("Jeugdzorg Noorderlicht (demo)", "73730002"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]
    organisation_agb: str = "73730001"
    is_staff: bool = False


DEMO_USERS = [
    DemoUser("behandelaar", "Sanne", "de Vries", (Role.CASEWORKER,)),
    DemoUser("behandelaar2", "Daan", "Bakker", (Role.CASEWORKER,)),
    DemoUser("docent", "Ilse", "Jansen", (Role.TEACHER,)),
    DemoUser("jobcoach", "Murat", "Yilmaz", (Role.JOB_COACH,)),
    DemoUser("manager", "Petra", "Visser", (Role.MANAGER,)),
    DemoUser("privacy", "Joost", "Smit", (Role.PRIVACY_OFFICER,)),
    DemoUser("beheerder", "Anouk", "Mulder", (Role.ADMINISTRATOR,), is_staff=True),
    DemoUser("noord-behandelaar", "Fleur", "Bos", (Role.CASEWORKER,), organisation_agb="73730002"),
]


def demo_accounts_seed() -> dict[str, User]:
    """Create the demo organisations and users that do not exist yet; return users by name."""
    organisations = {}
    for name, agb_code in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(agb_code=agb_code).first()
        if organisation is None:
            organisation = organisation_create(name=name, agb_code=agb_code, actor=None)
        organisations[agb_code] = organisation

    users = {}
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = user_create(
                username=demo.username,
                password=DEMO_PASSWORD,
                organisation=organisations[demo.organisation_agb],
                roles=demo.roles,
                actor=None,
                first_name=demo.first_name,
                last_name=demo.last_name,
                email=f"{demo.username}@demo.invalid",
                is_staff=demo.is_staff,
            )
        users[demo.username] = user
    return users
