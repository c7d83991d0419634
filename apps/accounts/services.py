"""Writes for organisations and users."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Organisation, Role, User


@transaction.atomic
def organisation_create(*, name: str, agb_code: str, actor: User | None) -> Organisation:
    """Create a care provider after validating its AGB code."""
    organisation = Organisation(name=name, agb_code=agb_code)
    organisation.full_clean()
    organisation._history_user = actor
    organisation.save()
    return organisation


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    organisation: Organisation | None,
    roles: Iterable[Role],
    actor: User | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user in an organisation with the given roles."""
    user = User(
        username=username,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
    )
    user.set_password(password)
    user.full_clean()
    user._history_user = actor
    user.save()
    user.groups.set(Group.objects.filter(name__in=[str(role) for role in roles]))
    return user
