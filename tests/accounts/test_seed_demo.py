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
