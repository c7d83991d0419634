"""Allocations, funders and contracts: the funding picture, as the manager's pages show it.

Allocations are part of a client's record: one client's are opened through
``api_client_open`` (roles that see funding), the organisation's whole list is the manager's
funding overview (the page cut first, then only its allocations' use summed), logged per
client shown. Registering and changing ask the same named permissions as the web pages
(``apps.accounts.permissions``: ``REGISTER_ALLOCATION``, ``CHANGE_ALLOCATION``), as do funders
and contracts (``VIEW_FUNDERS``, ``VIEW_CONTRACTS``).
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.accounts.models import Role
from apps.accounts.permissions import (
    CHANGE_ALLOCATION,
    REGISTER_ALLOCATION,
    VIEW_ALERTS,
    VIEW_ALLOCATIONS,
    VIEW_CONTRACTS,
    VIEW_FUNDERS,
    may,
)
from apps.api import serializers as s
from apps.api.access import (
    api_client_open,
    api_may,
    api_not_found,
    client_id_of,
)
from apps.api.errors import service_errors
from apps.api.filters import AlertFilter, AllocationFilter, ContractFilter, FunderFilter
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.clients.models import Client
from apps.control.alerts import (
    clients_as_caseworker,
    funding_alert_acknowledge,
    funding_alert_get_for,
    funding_alert_list_for_user,
)
from apps.control.selectors import (
    allocation_list_current,
    allocation_page_with_use,
    contract_list,
)
from apps.funding.models import Allocation, Contract, Funder, FundingAlert, Product
from apps.reports.services import report_funders_for
from apps.trajectories.access import client_access_for, client_accesses_for
from apps.trajectories.allocations import allocation_replace
from apps.trajectories.assignment import allocation_change, allocation_register
from apps.trajectories.selectors import allocation_list_for_client
from apps.trajectories.use import allocation_use

from .base import ApiView


def _sees_funding(access) -> bool:
    return access.sees_funding


def _use_of(allocation: Allocation):
    """What the allocation has used and left, and its forecast, as the funding pages show."""
    return allocation_use(allocations=[allocation], today=timezone.localdate())[allocation.pk]


def _detail(allocation: Allocation, access) -> dict:
    return s.AllocationDetailSerializer(
        allocation, context={"access": access, "use": _use_of(allocation)}
    ).data


def _allocation(pk: int, client: Client) -> Allocation:
    return get_object_or_404(
        allocation_list_for_client(client=client).select_related("client"), pk=pk
    )


class AllocationListView(ApiView):
    """One client's allocations (``?client=``), or the organisation's current ones (managers,
    as on the funding overview, with their use in the window around today); register one."""

    queryset = Allocation.objects.none()
    filterset_class = AllocationFilter
    ordering_fields = ["start", "end", "number", "created_at"]

    @extend_schema(responses=s.AllocationSerializer(many=True), tags=["allocations"])
    def get(self, request):
        client_id = self.filter_params().get("client")
        if client_id is not None:
            client, _access = api_client_open(
                request, client_id=client_id, what="allocations", visible=_sees_funding
            )
            allocations = allocation_list_for_client(client=client).select_related("client")
            return self.paginated(self.filter_queryset(allocations), s.AllocationSerializer)
        api_may(request, VIEW_ALLOCATIONS, what="allocations of the organisation")
        today = timezone.localdate()
        # The page is cut from the allocations alone (their ids), then only its allocations'
        # windows are summed, as on the funding overview: not every current allocation's.
        allocations = (
            allocation_list_current(organisation=request.user.organisation, today=today)
            .select_related(None)
            .only("pk")
        )

        def with_use(page):
            return allocation_page_with_use(ids=[allocation.pk for allocation in page], today=today)

        def log(page):
            access_log_record_many(
                user=request.user,
                clients=list({allocation.client for allocation in page}),
                event=AccessEvent.VIEW,
                basis=AccessBasis.MANAGEMENT,
                detail="API: allocations",
                acting_role=Role.MANAGER,
            )

        return self.paginated(
            self.filter_queryset(allocations), s.AllocationSerializer, log=log, rows=with_use
        )

    @extend_schema(
        request=s.AllocationRegisterSerializer,
        responses={201: s.AllocationDetailSerializer},
        tags=["allocations"],
        description=(
            "Register a funder's allocation; it absorbs the client's waiting unfunded "
            "activities. For roles with the permission to register allocations."
        ),
    )
    def post(self, request):
        user = request.user
        data = request.data if isinstance(request.data, dict) else {}
        client_id = _id_or_none(data.get("client"))
        if client_id is not None:  # the access decision first, as for a client in the URL
            client, access = api_client_open(
                request,
                client_id=client_id,
                what="register an allocation",
                visible=_sees_funding,
                allowed=lambda access: may(user, REGISTER_ALLOCATION),
            )
        else:
            api_may(request, REGISTER_ALLOCATION, what="register an allocation")
        serializer = s.AllocationRegisterSerializer(
            data=request.data,
            clients=Client.objects.filter(pk=client_id, organisation_id=user.organisation_id),
            products=Product.objects.filter(contract__organisation_id=user.organisation_id),
            contracts=Contract.objects.filter(
                organisation_id=user.organisation_id, integral_pilot__isnull=True
            ),
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors(set(serializer.fields)):
            allocation, _matched = allocation_register(
                client=client,
                product=data["product"],
                number=data["number"],
                volume=data["volume"],
                unit=data.get("unit") or None,
                frequency=data["frequency"],
                start=data["start"],
                end=data["end"],
                actor=user,
                variant=data["variant"],
                category=data["category"],
                contract=data["contract"],
                budget_cents=data["budget_cents"],
            )
        return Response(
            _detail(_allocation(allocation.pk, client), access), status=status.HTTP_201_CREATED
        )


def _id_or_none(value) -> int | None:
    """A primary key given in a request body, or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < 2**63 else None


class AllocationDetailView(ApiView):
    """An allocation with its use and forecast, for roles that see the client's funding."""

    @extend_schema(responses=s.AllocationDetailSerializer, tags=["allocations"])
    def get(self, request, pk: int):
        client, access = api_client_open(
            request,
            client_id=client_id_of(Allocation.objects, pk, "client_id"),
            what="allocation",
            visible=_sees_funding,
        )
        return Response(_detail(_allocation(pk, client), access))

    @extend_schema(
        request=s.AllocationChangeSerializer,
        responses=s.AllocationDetailSerializer,
        tags=["allocations"],
        description=(
            "Change an allocation as IV066 allows: its end date, its budget (budget_cents, "
            "when it has one), and its volume when the frequency is total within the validity, "
            "with a reason from JZ002 (reason 13 with the end date set to the start date "
            "removes it). Anything else is refused: replace "
            "the allocation instead. What it funds is reassigned."
        ),
    )
    def patch(self, request, pk: int):
        client, access = api_client_open(
            request,
            client_id=client_id_of(Allocation.objects, pk, "client_id"),
            what="change an allocation",
            visible=_sees_funding,
            allowed=lambda access: may(request.user, CHANGE_ALLOCATION),
        )
        allocation = _allocation(pk, client)
        serializer = s.AllocationChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(set(serializer.fields)):
            allocation_change(
                allocation=allocation, actor=request.user, **serializer.validated_data
            )
        return Response(_detail(_allocation(pk, client), access), status=status.HTTP_200_OK)


class AllocationReplaceView(ApiView):
    """Replace an allocation under a new number (IV066): it ends the day before the new one
    starts, or is withdrawn when the new one starts on or before its first day."""

    @extend_schema(
        request=s.AllocationReplaceSerializer,
        responses={201: s.AllocationDetailSerializer},
        tags=["allocations"],
        description=(
            "Withdraw the allocation from a date and register the one that takes over, with a "
            "new number and a reason from JZ002, in one transaction; the care is matched again."
        ),
    )
    def post(self, request, pk: int):
        client, access = api_client_open(
            request,
            client_id=client_id_of(Allocation.objects, pk, "client_id"),
            what="replace an allocation",
            visible=_sees_funding,
            allowed=lambda access: may(request.user, CHANGE_ALLOCATION),
        )
        allocation = _allocation(pk, client)
        serializer = s.AllocationReplaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors(set(serializer.fields)):
            new, _matched = allocation_replace(
                allocation=allocation,
                actor=request.user,
                reason=data["reason"],
                number=data["number"],
                volume=data["volume"],
                unit=data.get("unit") or None,
                frequency=data["frequency"],
                start=data["start"],
                end=data["end"],
                budget_cents=data["budget_cents"],
            )
        return Response(
            _detail(_allocation(new.pk, client), access), status=status.HTTP_201_CREATED
        )


# --- funders and contracts -------------------------------------------------------------------


def _funders(request):
    api_may(request, VIEW_FUNDERS, what="funders")
    return report_funders_for(organisation=request.user.organisation).prefetch_related("streams")


def _contracts(request):
    api_may(request, VIEW_CONTRACTS, what="contracts")
    return contract_list(organisation=request.user.organisation)


class FunderListView(ApiView):
    """The funders the organisation has a contract with."""

    queryset = Funder.objects.none()
    filterset_class = FunderFilter
    ordering_fields = ["name", "code"]

    @extend_schema(responses=s.FunderSerializer(many=True), tags=["funders"])
    def get(self, request):
        return self.paginated(self.filter_queryset(_funders(request)), s.FunderSerializer)


class FunderDetailView(ApiView):
    """A funder the organisation has a contract with."""

    @extend_schema(responses=s.FunderSerializer, tags=["funders"])
    def get(self, request, pk: int):
        return Response(s.FunderSerializer(get_object_or_404(_funders(request), pk=pk)).data)


class ContractListView(ApiView):
    """The organisation's contracts, with their products and current allocations counted."""

    queryset = Contract.objects.none()
    filterset_class = ContractFilter
    ordering_fields = ["reference", "start", "end"]

    @extend_schema(responses=s.ContractSerializer(many=True), tags=["contracts"])
    def get(self, request):
        return self.paginated(self.filter_queryset(_contracts(request)), s.ContractSerializer)


class ContractDetailView(ApiView):
    """A contract of the organisation, with its products."""

    @extend_schema(responses=s.ContractDetailSerializer, tags=["contracts"])
    def get(self, request, pk: int):
        contracts = _contracts(request).prefetch_related(
            Prefetch("products", queryset=Product.objects.order_by("code", "pk"))
        )
        return Response(s.ContractDetailSerializer(get_object_or_404(contracts, pk=pk)).data)


# --- alerts ----------------------------------------------------------------------------------


class AlertListView(ApiView):
    """The funding alerts of a caseworker's own clients, or of a manager's organisation, as
    on the alerts page; open ones unless ``resolved=true``."""

    queryset = FundingAlert.objects.none()
    filterset_class = AlertFilter

    @extend_schema(responses=s.AlertSerializer(many=True), tags=["alerts"])
    def get(self, request):
        user = request.user
        api_may(request, VIEW_ALERTS, what="funding alerts")
        include_closed = bool(self.filter_params().get("resolved"))
        alerts = self.filter_queryset(
            funding_alert_list_for_user(user=user, include_closed=include_closed)
        )
        accesses: dict[int, object] = {}

        def log(page):
            own = set(clients_as_caseworker(user).values_list("pk", flat=True))
            clients = {alert.client_id: alert.client for alert in page}
            for basis, role, shown in (
                (AccessBasis.CARE_TEAM, Role.CASEWORKER, [c for c in clients if c in own]),
                (AccessBasis.MANAGEMENT, Role.MANAGER, [c for c in clients if c not in own]),
            ):
                if shown:
                    access_log_record_many(
                        user=user,
                        clients=[clients[pk] for pk in shown],
                        event=AccessEvent.VIEW,
                        basis=basis,
                        detail="API: funding alerts",
                        acting_role=role,
                    )
            # One decision for the whole page, in a fixed number of queries (not one per row).
            accesses.update(client_accesses_for(user=user, clients=clients.values()))

        return self.paginated(alerts, s.AlertSerializer, context={"accesses": accesses}, log=log)


class AlertAcknowledgeView(ApiView):
    """Acknowledge an alert: colleagues see that someone is on it."""

    @extend_schema(request=None, responses=s.AlertSerializer, tags=["alerts"])
    def post(self, request, pk: int):
        alert = funding_alert_get_for(user=request.user, pk=pk)
        if alert is None:
            api_not_found(
                request,
                what="acknowledge a funding alert",
                client=Client.objects.filter(funding_alerts__pk=pk).first(),
            )
        with service_errors():
            alert = funding_alert_acknowledge(alert=alert, actor=request.user)
        alert = funding_alert_get_for(user=request.user, pk=pk)
        access = client_access_for(user=request.user, client=alert.client)
        return Response(
            s.AlertSerializer(alert, context={"accesses": {alert.client_id: access}}).data
        )
