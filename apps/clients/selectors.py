"""Reads of clients for users.

"My clients" follows care-team membership (object permissions granted and revoked by the
care-team services in apps.trajectories.services) and never crosses organisations. One client's
record is opened with apps.trajectories.access.client_open_for, which also logs the read.
"""

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from apps.accounts.models import User

from .models import Client

VIEW_CLIENT = "clients.view_client"


def client_list_for_user(*, user: User) -> QuerySet[Client]:
    """The clients on the user's care teams, in the user's organisation: one query."""
    if not user.is_authenticated or user.organisation_id is None:
        return Client.objects.none()
    return get_objects_for_user(
        user,
        VIEW_CLIENT,
        klass=Client.objects.filter(organisation_id=user.organisation_id),
        use_groups=False,
        with_superuser=False,
        # A model-wide permission must never show every client.
        accept_global_perms=False,
    ).select_related("responsible_municipality")
