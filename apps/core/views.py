"""What the web views share: how a service's refusal reaches the person who asked."""

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from .errors import PermissionRefused, ServiceError


@contextmanager
def service_refusals(request: HttpRequest, *, form: forms.BaseForm | None = None) -> Iterator[None]:
    """Call a service inside this block; its refusal reaches the person as the page shows it.

    A ``ValidationError`` becomes the form's errors, on the field where there is one (the form's
    own errors otherwise), or without a form a message on the next page; a ``PermissionRefused``
    becomes the 403 page; another ``ServiceError`` is handled as a ValidationError. Write the
    success path (message, redirect) inside the block: after a refusal the view goes on after
    the block, as after an invalid form.
    """
    try:
        yield
    except PermissionRefused as refusal:
        raise PermissionDenied(str(refusal)) from refusal
    except ServiceError as refusal:
        _show(request, form, ValidationError(refusal.message, code=refusal.code))
    except ValidationError as error:
        _show(request, form, error)


def _show(request: HttpRequest, form: forms.BaseForm | None, error: ValidationError) -> None:
    if form is None:
        messages.error(request, " ".join(error.messages))
    elif hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.error_list)
