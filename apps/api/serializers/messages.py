"""The iJw / iWmo messages received and sent (the manager's inbox and outbox)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.exchange.models import Direction, MessageStatus, Standard
from apps.exchange.reads import message_outcome

from .base import FunderRefSerializer


class MessageRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    identification = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=MessageStatus.choices, read_only=True)


class MessageOutcomeSerializer(serializers.Serializer):
    # A retour code of WJ001 (empty for a plain explanation), its text in the language of
    # the request, and the element it is about (empty when none).
    code = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    path = serializers.CharField(read_only=True)


class MessageClientSerializer(serializers.Serializer):
    """A client a message names: by client number only."""

    id = serializers.IntegerField(read_only=True)
    client_number = serializers.CharField(read_only=True)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    direction = serializers.ChoiceField(choices=Direction.choices, read_only=True)
    standard = serializers.ChoiceField(choices=Standard.choices, read_only=True)
    kind = serializers.CharField(read_only=True)
    message_code = serializers.CharField(read_only=True)
    version = serializers.CharField(read_only=True)
    identification = serializers.CharField(read_only=True)
    dated = serializers.DateField(read_only=True)
    sender = serializers.CharField(read_only=True)
    receiver = serializers.CharField(read_only=True)
    municipality = FunderRefSerializer(source="funder", read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=MessageStatus.choices, read_only=True)
    in_reply_to = MessageRefSerializer(read_only=True, allow_null=True)
    replies = MessageRefSerializer(many=True, read_only=True, source="replies.all")
    filename = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    transport = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    processed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    file = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_file(self, message) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:message-file", kwargs={"pk": message.pk})
        )


class MessageDetailSerializer(MessageSerializer):
    """A message with what the system did and the clients it names (reading it is logged)."""

    outcome = serializers.SerializerMethodField()
    clients = serializers.SerializerMethodField()

    @extend_schema_field(MessageOutcomeSerializer(many=True))
    def get_outcome(self, message):
        return MessageOutcomeSerializer(message_outcome(message), many=True).data

    @extend_schema_field(MessageClientSerializer(many=True))
    def get_clients(self, message):
        return MessageClientSerializer(self.context.get("clients", []), many=True).data


class MessageImportSerializer(serializers.Serializer):
    file = serializers.FileField(write_only=True)  # one .xml message file, at most 20 MB


class MessageReceivedSerializer(serializers.Serializer):
    """What happened to an imported file: stored (and handled) as this message."""

    filename = serializers.CharField(read_only=True)
    message = MessageDetailSerializer(read_only=True)
