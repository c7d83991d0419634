"""What every API view shares: paging and the list of one client's record."""

from django_filters.utils import translate_validation
from rest_framework import exceptions, generics, permissions, views

from apps.api.throttling import AnonThrottle


class ApiView(generics.GenericAPIView):
    # A thin view: it opens through the access helpers, calls a selector or a service, and
    # serializes. REST framework exempts it from the login middleware; its permission classes
    # (authenticated, by token or session) apply instead. (A comment, not a docstring: the
    # docstring of each view is its description in the OpenAPI document.)

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except (exceptions.NotAuthenticated, exceptions.AuthenticationFailed):
            # Authentication comes before throttling in REST framework: count the refused
            # calls per address here, so that guessing tokens stops at the anonymous rate.
            throttle = AnonThrottle()
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
            raise

    def paginated(
        self, queryset, serializer_class, *, context: dict | None = None, log=None, rows=None
    ):
        """One page of ``queryset``; ``rows(page)`` gives the rows to show for the page's rows
        (e.g. their ids annotated), ``log(rows)`` writes the access log for the rows shown."""
        page = self.paginate_queryset(queryset)
        if rows is not None:
            page = rows(page)
        if log is not None:
            log(page)
        serializer = serializer_class(
            page, many=True, context={**self.get_serializer_context(), **(context or {})}
        )
        return self.get_paginated_response(serializer.data)

    def filter_params(self) -> dict:
        """The validated filter parameters (400 with errors per field when one is invalid)."""
        form = self.filterset_class(
            data=self.request.query_params, queryset=self.queryset.none()
        ).form
        if not form.is_valid():
            raise translate_validation(form.errors)
        return form.cleaned_data


class UnknownUrlView(views.APIView):
    """Any URL under /api/ that names nothing: a 404 in the API's format, whatever the method
    and whoever asks, also with DEBUG on (where Django would show its HTML page) and also
    without the final slash (where Django would redirect, or crash on a POST with DEBUG on)."""

    schema = None  # not an operation of the API
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = ()

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()
