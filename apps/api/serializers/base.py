"""Shared by the API's serializers: leaving out what the caller's access does not show,
references to other objects, the caller, and the error format."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Role


class AccessAwareSerializer(serializers.Serializer):
    """Leaves out the fields whose access flag is off for the client in ``context["access"]``."""

    access_fields: dict[str, str] = {}
    optional_fields: frozenset[str] = frozenset()  # documented as optional for other reasons

    def access_for(self, instance):
        return self.context.get("access")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        access = self.access_for(instance)
        for field, flag in self.access_fields.items():
            if access is None or not getattr(access, flag):
                data.pop(field, None)
        return data


# --- references ----------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


class ClientRefSerializer(serializers.Serializer):
    """A client by number and pseudonym only: safe wherever the client may be seen at all."""

    id = serializers.IntegerField(read_only=True)
    client_number = serializers.CharField(read_only=True)
    pseudonym = serializers.CharField(read_only=True)


class MunicipalitySerializer(serializers.Serializer):
    cbs_code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class StreamRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class FunderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ProductRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)


# --- the caller ----------------------------------------------------------------------------


class OrganisationSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    agb_code = serializers.CharField(read_only=True)


class TokenInfoSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)
    organisation = OrganisationSerializer(read_only=True, allow_null=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), read_only=True
    )
    token = serializers.SerializerMethodField()

    @extend_schema_field(TokenInfoSerializer(allow_null=True))
    def get_token(self, user) -> dict | None:
        token = self.context.get("token")
        return TokenInfoSerializer(token).data if token is not None else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(instance.roles)
        return data


# --- errors ----------------------------------------------------------------------------------


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every error: a code for programs, a message for people, and errors per field."""

    code = serializers.CharField(help_text=_("Machine-readable, e.g. validation_error."))
    message = serializers.CharField(help_text=_("For people, in the language asked for."))
    errors = serializers.DictField(
        child=FieldErrorSerializer(many=True),
        required=False,
        help_text=_("Per field, for invalid input; non_field_errors for the input as a whole."),
    )
