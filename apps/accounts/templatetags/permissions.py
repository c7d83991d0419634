"""Templates ask the named permissions of apps.accounts.permissions: ``{% load permissions %}``
then ``{% if user|may:"control.view_alerts" %}``."""

from django import template

from apps.accounts.permissions import may as _may

register = template.Library()


@register.filter
def may(user, permission: str) -> bool:
    """Whether the user holds the named permission."""
    return _may(user, permission)
