"""Reads of the client's rights to the record, for the pages."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from apps.clients.models import Client

from .models import AccessRequest, ClientStatement, CopyStatus, RecordCopy


def access_requests_open(*, organisation_id: int) -> QuerySet[AccessRequest]:
    """The organisation's requests without a finished copy yet, the nearest deadline first."""
    answered = RecordCopy.objects.filter(
        request=OuterRef("pk"), status__in=(CopyStatus.DONE, CopyStatus.DELETED)
    )
    return (
        AccessRequest.objects.filter(client__organisation_id=organisation_id)
        .exclude(Exists(answered))
        .select_related("client", "representative")
        .order_by("deadline", "pk")
    )


def access_requests_for_client(*, client: Client) -> QuerySet[AccessRequest]:
    """A client's requests, newest first, each with its copies."""
    return (
        AccessRequest.objects.filter(client=client)
        .select_related("representative", "recorded_by")
        .prefetch_related(
            Prefetch(
                "copies",
                queryset=RecordCopy.objects.select_related("requested_by", "client"),
            )
        )
        .order_by("-received_on", "-pk")
    )


def statements_for_client(*, client: Client) -> QuerySet[ClientStatement]:
    return ClientStatement.objects.filter(client=client).select_related(
        "representative", "recorded_by"
    )
