"""``{{ allocation|volume_in_words }}``: a volume with its unit in the singular or plural of the
page's language (600 minutes, 1 etmaal), for anything with a ``volume`` and a ``unit`` code
(an allocation, a request, a declaration line)."""

from django import template

from apps.funding.models import volume_text

register = template.Library()


@register.filter
def volume_in_words(item) -> str:
    if item.volume is None or not item.unit:
        return ""
    return volume_text(item.unit, item.volume)
