"""The shielding rule in templates: ``{% load shielding %}``.

``{{ client|client_name }}`` is the name a reader outside the client's care team may see (a
shielded client's pseudonym); ``{{ client|client_name:on_care_team }}`` when the page knows the
reader is on it. ``{{ alert|alert_text:on_care_team }}`` is what a funding alert may say to that
reader (without the birthday of a shielded client). Both ask
``apps.trajectories.access.sees_identity_of``; a template never prints a name, a date of birth
or an alert's stored text by itself.
"""

from django import template

from apps.trajectories.access import sees_identity_of

register = template.Library()


@register.filter
def client_name(client, on_care_team: bool = False) -> str:
    """The client's name, or its pseudonym where the identity may not be seen."""
    if sees_identity_of(client, on_care_team=bool(on_care_team)):
        return client.full_name
    return client.pseudonym


@register.filter
def alert_text(alert, on_care_team: bool = False) -> str:
    """What the funding alert says to the reader, through the shielding rule."""
    return alert.text_for(
        sees_identity=sees_identity_of(alert.client, on_care_team=bool(on_care_team))
    )
