"""``{% load access_log %}``: an access-log entry's page and role in words (privacy/display.py)."""

from django import template

from apps.privacy import display

register = template.Library()


@register.filter
def entry_what(entry) -> str:
    return display.entry_what(entry)


@register.filter
def entry_role(entry) -> str:
    return display.entry_role(entry)
