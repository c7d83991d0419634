"""The iJw / iWmo messages: the organisation's inbox and outbox, one message with what the
system did, the file as it was, and importing a file.

For the organisation's managers, as the messages pages. Reading a message or its file is
logged against every client it names; a client is shown by client number only.
"""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, renderers, status
from rest_framework.response import Response

from apps.accounts.permissions import IMPORT_MESSAGES, VIEW_MESSAGES
from apps.api import serializers as s
from apps.api.access import api_may, api_not_found
from apps.api.filters import MessageFilter
from apps.api.parsers import RequestTooLarge
from apps.audit.models import AccessEvent
from apps.exchange.incoming import message_receive
from apps.exchange.models import Message
from apps.exchange.reads import message_download_name, message_file_open, message_read_log
from apps.exchange.selectors import message_list_for, messages_for
from apps.exchange.xml import MAX_MESSAGE_BYTES

from .base import ApiView
from .reports import AnyMediaRenderer

VIA = "API: "


def _messages(request, permission: str = VIEW_MESSAGES):
    api_may(request, permission, what="messages")
    return messages_for(organisation=request.user.organisation)


def _message(request, pk: int) -> Message:
    message = _messages(request).filter(pk=pk).first()
    if message is None:
        api_not_found(request, what=f"message {pk}")
    return message


class MessageRefused(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "message_refused"


class MessageListView(ApiView):
    """The organisation's messages, received and sent, newest first."""

    queryset = Message.objects.none()
    filterset_class = MessageFilter
    ordering_fields = ["created_at", "dated"]

    @extend_schema(responses=s.MessageSerializer(many=True), tags=["messages"])
    def get(self, request):
        api_may(request, VIEW_MESSAGES, what="messages")
        messages = message_list_for(organisation=request.user.organisation)
        return self.paginated(self.filter_queryset(messages), s.MessageSerializer)


class MessageDetailView(ApiView):
    """One message: its header, what the system did and the clients it names (by number)."""

    @extend_schema(responses=s.MessageDetailSerializer, tags=["messages"])
    def get(self, request, pk: int):
        message = _message(request, pk)
        clients = message_read_log(
            message=message, user=request.user, event=AccessEvent.VIEW, via=VIA
        )
        context = {**self.get_serializer_context(), "clients": clients}
        return Response(s.MessageDetailSerializer(message, context=context).data)


class MessageFileView(ApiView):
    renderer_classes = [renderers.JSONRenderer, AnyMediaRenderer]

    @extend_schema(
        responses={(200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY)},
        tags=["messages"],
        description=(
            "The message's file as it was received or sent; the download is logged for every "
            "client it names."
        ),
    )
    def get(self, request, pk: int):
        message = _message(request, pk)
        handle = message_file_open(message=message, user=request.user, via=VIA)
        if handle is None:
            raise Http404
        return FileResponse(
            handle,
            as_attachment=True,
            filename=message_download_name(message),
            content_type="application/xml",
        )


class MessageImportView(ApiView):
    """Receive one message file, as an upload on the inbox page: it is stored and handled, or
    refused with the reason (code ``message_refused``) and nothing is stored."""

    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.MessageImportSerializer},
        responses={201: s.MessageReceivedSerializer},
        tags=["messages"],
    )
    def post(self, request):
        api_may(request, VIEW_MESSAGES, what="import a message")
        api_may(request, IMPORT_MESSAGES, what="import a message")
        # Refused on its announced size, before the body is read.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_MESSAGE_BYTES + 64 * 1024:
            raise RequestTooLarge()
        serializer = s.MessageImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > MAX_MESSAGE_BYTES:
            raise RequestTooLarge()
        organisation = request.user.organisation
        received = message_receive(
            organisation=organisation,
            filename=upload.name or "message.xml",
            content=upload.read(),
            actor=request.user,
            transport="api",
        )
        if received.refused:
            raise MessageRefused(received.refused)
        message = messages_for(organisation=organisation).get(pk=received.message.pk)
        clients = message_read_log(
            message=message, user=request.user, event=AccessEvent.VIEW, via=VIA
        )
        context = {**self.get_serializer_context(), "clients": clients}
        return Response(
            {
                "filename": received.filename,
                "message": s.MessageDetailSerializer(message, context=context).data,
            },
            status=status.HTTP_201_CREATED,
        )
