"""Factories of the pools' own models; the pool itself is tests.funding.builders'
IntegralPilotFactory (a pooled budget is an IntegralPilot)."""

import factory
from django.conf import settings
from factory.django import DjangoModelFactory

from apps.pools.models import PoolDomainShare, PoolFunder
from tests.funding.factories import FunderFactory


class PoolFunderFactory(DjangoModelFactory[PoolFunder]):
    class Meta:
        model = PoolFunder

    funder = factory.SubFactory(FunderFactory)
    stream = None
    share_permille = 0
    contribution_cents = 0


class PoolDomainShareFactory(DjangoModelFactory[PoolDomainShare]):
    class Meta:
        model = PoolDomainShare

    part = factory.SubFactory(PoolFunderFactory)
    domain = "care"
    share_permille = 1000


def signed_in(client, user, language="en"):
    """The test client signed in as ``user``, its pages in ``language``."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client
