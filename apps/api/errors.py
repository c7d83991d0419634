"""One error format for the whole API, in the language of the request (Accept-Language):

    {"code": "validation_error", "message": "…",
     "errors": {"date": [{"code": "invalid", "message": "…"}]}}

``code`` is for programs, ``message`` for people; ``errors`` appears for invalid input, per
field (``non_field_errors`` for the input as a whole). A service's ValidationError becomes the
same field errors as REST framework's own validation (``service_errors``).
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from apps.core.errors import PermissionRefused, ServiceError

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def _field_errors(detail, prefix: str = "") -> dict[str, list[dict]]:
    """REST framework's (possibly nested) error details as one flat mapping of field to
    errors; nested fields are joined with dots (``items.0.date``)."""
    if isinstance(detail, Mapping):
        parts = [
            (NON_FIELD if key in (NON_FIELD, "__all__") else str(key), value)
            for key, value in detail.items()
        ]
    elif isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        parts = [(str(index), item) for index, item in enumerate(detail)]
    else:
        details = detail if isinstance(detail, list) else [detail]
        return {
            prefix or NON_FIELD: [
                {"code": getattr(item, "code", None) or "invalid", "message": str(item)}
                for item in details
            ]
        }
    flat: dict[str, list[dict]] = {}
    for name, value in parts:
        for field, errors in _field_errors(value, f"{prefix}.{name}" if prefix else name).items():
            flat.setdefault(field, []).extend(errors)
    return flat


def error_body(code: str, message: str, errors: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return body


def api_exception_handler(exc: Exception, context: dict):
    """REST framework's handler, with Django's ValidationError, the services' refusals (a
    PermissionRefused is a 403) and one body for all errors."""
    if isinstance(exc, PermissionRefused):
        exc = exceptions.PermissionDenied(str(exc), code=exc.code)
    elif isinstance(exc, ServiceError):
        exc = exceptions.ValidationError({NON_FIELD: [exceptions.ErrorDetail(str(exc), exc.code)]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling (handler500 below)
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "validation_error",
            _("The input is not valid; see the errors per field."),
            _field_errors(exc.detail),
        )
        return response
    detail = getattr(exc, "detail", None)
    if isinstance(exc, exceptions.APIException) and isinstance(detail, str):
        code = getattr(detail, "code", None) or exc.default_code
        response.data = error_body(code, str(detail))
    else:
        response.data = error_body(
            "error", _("The request could not be handled."), _field_errors(detail)
        )
    return response


def _django_errors(error: DjangoValidationError) -> dict:
    """A Django ValidationError as REST framework details, keeping each message's code."""
    if hasattr(error, "error_dict"):
        return {
            NON_FIELD if field == "__all__" else field: [
                exceptions.ErrorDetail(message, code=item.code or "invalid")
                for item in items
                for message in item.messages
            ]
            for field, items in error.error_dict.items()
        }
    return {
        NON_FIELD: [
            exceptions.ErrorDetail(message, code=item.code or "invalid")
            for item in error.error_list
            for message in item.messages
        ]
    }


@contextmanager
def service_errors(fields: set[str] | frozenset[str] = frozenset()) -> Iterator[None]:
    """A service's ValidationError becomes field errors, on the field where there is one.

    Fields the request does not have (``fields``) are reported as ``non_field_errors``, as
    the web forms do.
    """
    try:
        yield
    except DjangoValidationError as error:
        details = _django_errors(error)
        mapped: dict[str, list] = {}
        for field, errors in details.items():
            mapped.setdefault(field if field in fields else NON_FIELD, []).extend(errors)
        raise exceptions.ValidationError(mapped) from None


# --- errors before a view is reached: unknown URLs and crashes ----------------------------


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")
