import io

import pytest
from django.apps import apps
from django.core.management import call_command

from apps.accounts.models import Role, User
from apps.demo.accounts import DEMO_PASSWORD


def _snapshot() -> dict[str, int]:
    """Row counts of every model in the project's apps, history tables included."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "clients", "trajectories", "funding", "auth"}
    }


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_data(seeded_demo, capsys):
    # The first time: the module's seeded_demo (tests/suite.py).
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    assert first["accounts.User"] >= len(Role.values)


@pytest.mark.django_db
def test_seed_demo_has_a_user_for_every_role_and_prints_working_logins(seeded_demo):
    output = seeded_demo.output  # what the module's seed_demo printed (tests/suite.py)
    assert DEMO_PASSWORD in output
    for role in Role:
        user = User.objects.filter(groups__name=role.value).first()
        assert user is not None, role
        assert user.username in output
        assert user.check_password(DEMO_PASSWORD)
        assert user.organisation is not None


@pytest.mark.django_db
def test_seed_demo_says_each_step_with_its_counts(seeded_demo):
    lines = seeded_demo.output.splitlines()
    steps = [
        "Funders, contracts and products",
        "Clients and their care",
        "Funding control clients and the pilot",
        "The second organisation",
        "Funding alerts",
    ]
    found = [next(i for i, line in enumerate(lines) if line.strip().startswith(s)) for s in steps]
    assert found == sorted(found)  # in the order they run, before the summary and the logins
    assert found[-1] < next(i for i, line in enumerate(lines) if DEMO_PASSWORD in line)
    clients_line = lines[found[1]]
    clients = int(clients_line.split(": ", 1)[1].split(" clients")[0])
    assert clients > 0
    assert " activities, " in clients_line
    assert " allocations (" in clients_line
    assert "Loading the demo data" in lines[0]


@pytest.mark.django_db
def test_seed_demo_again_says_it_added_nothing(seeded_demo):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing added" in out.getvalue()
    assert "Clients and their care" not in out.getvalue()
