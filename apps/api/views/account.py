"""Who the caller is: the user a token or session acts as, with its roles."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.accounts.models import ApiToken
from apps.api import serializers as s

from .base import ApiView


class MeView(ApiView):
    """The user the token or session acts as: roles, organisation, the token in use."""

    @extend_schema(responses=s.MeSerializer, tags=["account"])
    def get(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(s.MeSerializer(request.user, context={"token": token}).data)
