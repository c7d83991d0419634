"""The OpenAPI description, generated from the code (drf-spectacular), with what it cannot see:
every operation's error responses in the one error format, and the fields a serializer leaves
out for some roles documented as optional."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema

# Every operation can answer these; the body is always the error format.
ERROR_RESPONSES = {
    "400": _("Invalid input or filter: errors per field."),
    "401": _("No valid token or session."),
    "403": _("Your role may not do this."),
    "404": _("Not found, or not yours to see."),
    "429": _("Too many requests: wait and try again (Retry-After)."),
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        from .serializers import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        for status_code, description in ERROR_RESPONSES.items():
            if status_code not in responses:
                response = self._get_response_for_code(ErrorSerializer, status_code)
                response["description"] = str(description)
                responses[status_code] = response
        return responses

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(serializer, "access_fields", {})) | set(
            getattr(serializer, "optional_fields", ())
        )
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema
