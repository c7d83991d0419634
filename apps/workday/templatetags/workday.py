"""``{% load workday %}``: ``{{ count|grouped }}`` writes a number as the active language does
(1.234 in Dutch, 1,234 in English)."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def grouped(value) -> str:
    return number_format(value, decimal_pos=0, force_grouping=True)
