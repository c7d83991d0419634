"""Clients, trajectories, goals and activities: the client's record, as on the client pages.

Every view opens the client through ``api_client_open`` (apps.trajectories.access
``client_open_for``: the access decision and its access-log entry), reads with the
trajectories selectors and writes with the trajectories services.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts.permissions import CORRECT_ACTIVITY, may
from apps.api import serializers as s
from apps.api.access import api_client_open, client_id_of
from apps.api.errors import service_errors
from apps.api.filters import ActivityFilter, ClientFilter, GoalFilter
from apps.api.selectors import goal_list_for_trajectory
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.clients.models import Client
from apps.clients.youth_care import extended_youth_care_list_for_client
from apps.trajectories.models import Activity, Goal, Trajectory
from apps.trajectories.selectors import (
    activity_list_for_client,
    care_team_for_client,
    client_search_for_user,
    goal_list_for_client,
    trajectory_open_for_client,
)
from apps.trajectories.services import (
    activity_cancel,
    activity_correct,
    activity_log,
    goal_add,
    goal_update,
)

from .base import ApiView


def _no_open_trajectory() -> ValidationError:
    return ValidationError(
        {"non_field_errors": [_("This client has no open trajectory: open one first.")]},
        code="no_open_trajectory",
    )


# --- clients ---------------------------------------------------------------------------------


class ClientListView(ApiView):
    """My clients: those on the caller's care teams, with a search (as "my clients")."""

    queryset = Client.objects.none()  # for the schema; the selector gives the rows
    filterset_class = ClientFilter
    ordering_fields = ["client_number", "status", "created_at"]

    @extend_schema(responses=s.ClientListSerializer(many=True), tags=["clients"])
    def get(self, request):
        query = self.filter_params().get("search") or ""
        clients = self.filter_queryset(
            client_search_for_user(user=request.user, query=query).order_by("client_number")
        )

        def log(page):
            access_log_record_many(
                user=request.user,
                clients=list(page),
                event=AccessEvent.SEARCH if query else AccessEvent.VIEW,
                basis=AccessBasis.CARE_TEAM,
                detail="API: search" if query else "API: caseload list",
            )

        return self.paginated(clients, s.ClientListSerializer, log=log)


class ClientDetailView(ApiView):
    """One client's record as the caller may see it; the read is logged."""

    @extend_schema(responses=s.ClientDetailSerializer, tags=["clients"])
    def get(self, request, pk: int):
        client, access = api_client_open(request, client_id=pk, what="client record")
        extended = (
            list(extended_youth_care_list_for_client(client=client)) if access.sees_funding else []
        )
        serializer = s.ClientDetailSerializer(
            client,
            context={
                "access": access,
                "trajectory": trajectory_open_for_client(client=client),
                "extended_youth_care": extended,
            },
        )
        return Response(serializer.data)


# --- trajectories ----------------------------------------------------------------------------


class TrajectoryDetailView(ApiView):
    """A trajectory with its goals in the caller's lanes and, for the care team, its members."""

    @extend_schema(responses=s.TrajectorySerializer, tags=["trajectories"])
    def get(self, request, pk: int):
        client_id = client_id_of(Trajectory.objects, pk, "client_id")
        client, access = api_client_open(request, client_id=client_id, what="trajectory")
        trajectory = get_object_or_404(
            Trajectory.objects.select_related("client", "lead_caseworker"), pk=pk, client=client
        )
        context = {
            "access": access,
            "goals": goal_list_for_trajectory(trajectory=trajectory, lanes=access.lanes),
            "care_team": care_team_for_client(client=client).filter(trajectory=trajectory)
            if access.sees_care_team
            else None,
        }
        return Response(s.TrajectorySerializer(trajectory, context=context).data)


# --- goals -----------------------------------------------------------------------------------


class ClientGoalListView(ApiView):
    """The goals of the client's open trajectory in the caller's lanes; add one."""

    queryset = Goal.objects.none()
    filterset_class = GoalFilter
    ordering_fields = ["domain", "target_date", "progress"]

    @extend_schema(responses=s.GoalSerializer(many=True), tags=["goals"])
    def get(self, request, pk: int):
        client, access = api_client_open(request, client_id=pk, what="goals")
        goals = self.filter_queryset(goal_list_for_client(client=client, lanes=access.lanes))
        return self.paginated(goals, s.GoalSerializer, context={"access": access})

    @extend_schema(
        request=s.GoalCreateSerializer, responses={201: s.GoalSerializer}, tags=["goals"]
    )
    def post(self, request, pk: int):
        client, access = api_client_open(
            request, client_id=pk, what="add a goal", allowed=lambda access: access.may_log
        )
        serializer = s.GoalCreateSerializer(data=request.data, lanes=access.lanes)
        serializer.is_valid(raise_exception=True)
        trajectory = trajectory_open_for_client(client=client)
        if trajectory is None:
            raise _no_open_trajectory()
        with service_errors(set(serializer.fields)):
            goal = goal_add(trajectory=trajectory, actor=request.user, **serializer.validated_data)
        return Response(
            s.GoalSerializer(goal, context={"access": access}).data, status=status.HTTP_201_CREATED
        )


class GoalDetailView(ApiView):
    """A goal in one of the caller's lanes; the team changes its progress and status."""

    @extend_schema(responses=s.GoalSerializer, tags=["goals"])
    def get(self, request, pk: int):
        goal, access = self._open(request, pk, what="goal")
        return Response(s.GoalSerializer(goal, context={"access": access}).data)

    @extend_schema(request=s.GoalProgressSerializer, responses=s.GoalSerializer, tags=["goals"])
    def patch(self, request, pk: int):
        goal, access = self._open(
            request, pk, what="goal progress", allowed=lambda access: access.may_log
        )
        serializer = s.GoalProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(set(serializer.fields)):
            goal = goal_update(goal=goal, actor=request.user, **serializer.validated_data)
        return Response(s.GoalSerializer(goal, context={"access": access}).data)

    def _open(self, request, pk: int, *, what: str, allowed=None):
        found = Goal.objects.filter(pk=pk).values("trajectory__client_id", "domain").first()
        _client, access = api_client_open(
            request,
            client_id=found["trajectory__client_id"] if found else None,
            what=what,
            visible=lambda access: found["domain"] in access.lanes,
            allowed=allowed,
        )
        return get_object_or_404(Goal.objects.select_related("trajectory"), pk=pk), access


# --- activities ------------------------------------------------------------------------------


class ClientActivityListView(ApiView):
    """The client's activities in the caller's lanes, newest first; log a new one."""

    queryset = Activity.objects.none()
    filterset_class = ActivityFilter
    ordering_fields = ["date", "created_at"]

    @extend_schema(responses=s.ActivitySerializer(many=True), tags=["activities"])
    def get(self, request, pk: int):
        client, access = api_client_open(request, client_id=pk, what="activities")
        params = self.filter_params()
        if params.get("funding_status") and not access.sees_funding:
            raise ValidationError(
                {"funding_status": [_("Your role does not see funding.")]}, code="forbidden"
            )
        activities = self.filter_queryset(
            activity_list_for_client(client=client, lanes=access.lanes)
        )
        return self.paginated(activities, s.ActivitySerializer, context={"access": access})

    @extend_schema(
        request=s.ActivityWriteSerializer,
        responses={201: s.ActivitySerializer},
        tags=["activities"],
        description=(
            "Log an activity. It is assigned to the allocation it draws on by the funding "
            "rules (or kept as unfunded); roles that see funding get where and why."
        ),
    )
    def post(self, request, pk: int):
        client, access = api_client_open(
            request, client_id=pk, what="log an activity", allowed=lambda access: access.may_log
        )
        serializer = s.ActivityWriteSerializer(
            data=request.data,
            lanes=access.lanes,
            goals=goal_list_for_client(client=client, lanes=access.lanes).filter(status="open"),
        )
        serializer.is_valid(raise_exception=True)
        trajectory = trajectory_open_for_client(client=client)
        if trajectory is None:
            raise _no_open_trajectory()
        with service_errors(set(serializer.fields)):
            activity = activity_log(
                trajectory=trajectory,
                performed_by=request.user,
                actor=request.user,
                **serializer.validated_data,
            )
        return Response(
            s.ActivitySerializer(activity, context={"access": access}).data,
            status=status.HTTP_201_CREATED,
        )


def _may_correct(request):
    """Correcting and cancelling: may log for the client, and the role's model permission."""
    return lambda access: access.may_log and may(request.user, CORRECT_ACTIVITY)


class ActivityDetailView(ApiView):
    """An activity in one of the caller's lanes; caseworkers correct it."""

    @extend_schema(responses=s.ActivitySerializer, tags=["activities"])
    def get(self, request, pk: int):
        activity, access = _open_activity(request, pk, what="activity")
        return Response(s.ActivitySerializer(activity, context={"access": access}).data)

    @extend_schema(
        request=s.ActivityCorrectSerializer,
        responses=s.ActivitySerializer,
        tags=["activities"],
        description="Correct a logged activity; its funding is decided again.",
    )
    def patch(self, request, pk: int):
        activity, access = _open_activity(
            request, pk, what="correct an activity", allowed=_may_correct(request)
        )
        client = activity.trajectory.client
        serializer = s.ActivityCorrectSerializer(
            data=request.data,
            partial=True,
            goals=goal_list_for_client(client=client, lanes=access.lanes).filter(status="open"),
        )
        serializer.is_valid(raise_exception=True)
        with service_errors(set(serializer.fields)):
            activity = activity_correct(
                activity=activity, actor=request.user, **serializer.validated_data
            )
        return Response(s.ActivitySerializer(activity, context={"access": access}).data)


class ActivityCancelView(ApiView):
    """Cancel an activity (nothing is deleted); its units go back to its allocation."""

    @extend_schema(request=None, responses=s.ActivitySerializer, tags=["activities"])
    def post(self, request, pk: int):
        activity, access = _open_activity(
            request, pk, what="cancel an activity", allowed=_may_correct(request)
        )
        with service_errors():
            activity = activity_cancel(activity=activity, actor=request.user)
        return Response(s.ActivitySerializer(activity, context={"access": access}).data)


def _open_activity(request, pk: int, *, what: str, allowed=None):
    """An activity of a lane the caller sees (404 otherwise), with its client opened."""
    found = Activity.objects.filter(pk=pk).values("trajectory__client_id", "domain").first()
    client, access = api_client_open(
        request,
        client_id=found["trajectory__client_id"] if found else None,
        what=what,
        visible=lambda access: found["domain"] in access.lanes,
        allowed=allowed,
    )
    activity = activity_list_for_client(client=client, lanes=access.lanes).get(pk=pk)
    return activity, access
