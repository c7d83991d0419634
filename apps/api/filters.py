"""Filters and ordering of the API's lists (django-filter and a stable ordering)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from apps.clients.models import ClientStatus
from apps.core.domains import ActivityKind, Domain
from apps.exchange.models import Direction, MessageStatus
from apps.funding.models import AlertKind, AllocationStatus, FunderKind
from apps.reports.models import ReportStatus
from apps.trajectories.models import ActivityStatus, FundingStatus, GoalStatus


class StableOrderingFilter(OrderingFilter):
    """``?ordering=-date``, limited to the view's ``ordering_fields``, with the primary key
    last, so that pages never overlap or skip a row."""

    def get_valid_fields(self, queryset, view, context=None):
        return [(field, field) for field in getattr(view, "ordering_fields", ())]

    def get_schema_operation_parameters(self, view):
        fields = list(getattr(view, "ordering_fields", ()))
        if not fields:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(_("Order by this field; a minus sign for descending.")),
                "schema": {"type": "string", "enum": [*fields, *(f"-{f}" for f in fields)]},
            }
        ]

    def get_ordering(self, request, queryset, view):
        ordering = list(
            super().get_ordering(request, queryset, view)
            or queryset.query.order_by
            or queryset.model._meta.ordering
        )
        # The selector's own ordering may hold expressions (nulls last): only names count.
        names = {field.lstrip("-") for field in ordering if isinstance(field, str)}
        if not names & {"pk", "id"}:
            ordering.append("pk")
        return ordering


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """A primary key: a whole number in the database's range."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class ClientFilter(filters.FilterSet):
    search = filters.CharFilter(
        max_length=100,
        method="noop",
        help_text=_("Name, client number or pseudonym (a shielded client by pseudonym only)."),
    )
    status = filters.ChoiceFilter(choices=ClientStatus.choices)
    shielded = filters.BooleanFilter()

    def noop(self, queryset, name, value):
        return queryset  # applied by the selector in the view, which also logs the search


class ActivityFilter(filters.FilterSet):
    domain = filters.ChoiceFilter(choices=Domain.choices)
    kind = filters.ChoiceFilter(choices=ActivityKind.choices)
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("until"))
    status = filters.ChoiceFilter(choices=ActivityStatus.choices)
    funding_status = filters.ChoiceFilter(
        choices=FundingStatus.choices,
        help_text=_("Only for roles that see funding."),
    )


class GoalFilter(filters.FilterSet):
    domain = filters.ChoiceFilter(choices=Domain.choices)
    status = filters.ChoiceFilter(choices=GoalStatus.choices)


class AllocationFilter(filters.FilterSet):
    client = IdFilter(
        method="noop",
        help_text=_("A client's allocations; without it, managers list the organisation's."),
    )
    funder = IdFilter(field_name="funder_id")
    status = filters.ChoiceFilter(choices=AllocationStatus.choices)

    def noop(self, queryset, name, value):
        return queryset  # the client is opened (and the read logged) by the view


class FunderFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=FunderKind.choices)


class ContractFilter(filters.FilterSet):
    funder = IdFilter(field_name="funder_id")
    stream = filters.CharFilter(field_name="stream__code", max_length=30)


class ReportFilter(filters.FilterSet):
    funder = IdFilter(field_name="funder_id")
    status = filters.ChoiceFilter(choices=ReportStatus.choices)


class MessageFilter(filters.FilterSet):
    direction = filters.ChoiceFilter(choices=Direction.choices)
    kind = filters.CharFilter(max_length=6)
    status = filters.ChoiceFilter(choices=MessageStatus.choices)
    municipality = IdFilter(field_name="funder_id")
    dated_from = filters.DateFilter(field_name="dated", lookup_expr="gte")
    dated_until = filters.DateFilter(field_name="dated", lookup_expr="lte")


class AlertFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=AlertKind.choices)
    client = IdFilter(field_name="client_id")
    resolved = filters.BooleanFilter(
        method="noop", help_text=_("Also the resolved alerts (the open ones only by default).")
    )

    def noop(self, queryset, name, value):
        return queryset  # the selector includes them (funding_alert_list_for_user)
