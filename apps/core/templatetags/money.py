"""Amounts are kept in euro cents (integers); templates show them in euros."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def euros(cents: int | None) -> Decimal | str:
    """Cents as euros, for ``floatformat:"2g"``: ``{{ value|euros|floatformat:"2g" }}``."""
    if cents is None or cents == "":
        return ""
    return Decimal(int(cents)) / 100
