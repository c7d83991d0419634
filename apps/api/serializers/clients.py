"""Clients, trajectories, goals and activities."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.clients.models import ClientStatus, ExtendedYouthCareBasis, ResponsibilityRule
from apps.core.domains import ActivityKind, Attendance, Domain
from apps.trajectories.models import (
    ACTIVITY_NOTE_MAX_LENGTH,
    GOAL_DESCRIPTION_MAX_LENGTH,
    ActivityStatus,
    FundingStatus,
    Goal,
    GoalStatus,
    TeamRole,
    TrajectoryStatus,
)

from .base import (
    AccessAwareSerializer,
    ClientRefSerializer,
    MunicipalitySerializer,
    UserRefSerializer,
)

# --- clients -------------------------------------------------------------------------------


class ClientListSerializer(serializers.Serializer):
    """A client on the user's care teams (the list shows names, as "my clients" does)."""

    id = serializers.IntegerField(read_only=True)
    client_number = serializers.CharField(read_only=True)
    name = serializers.CharField(source="full_name", read_only=True)
    pseudonym = serializers.CharField(read_only=True)
    shielded = serializers.BooleanField(read_only=True)
    status = serializers.ChoiceField(choices=ClientStatus.choices, read_only=True)


class AccessSerializer(serializers.Serializer):
    """What the caller may see and do with this client, and on what basis."""

    basis = serializers.CharField(read_only=True)
    acting_role = serializers.CharField(read_only=True)
    lanes = serializers.SerializerMethodField()
    sees_identity = serializers.BooleanField(read_only=True)
    sees_notes = serializers.BooleanField(read_only=True)
    sees_goal_text = serializers.BooleanField(read_only=True)
    sees_funding = serializers.BooleanField(read_only=True)
    sees_care_team = serializers.BooleanField(read_only=True)
    may_log = serializers.BooleanField(read_only=True)
    emergency_until = serializers.DateTimeField(
        source="break_glass.expires_at", read_only=True, allow_null=True
    )

    def get_lanes(self, access) -> list[str]:
        return [domain for domain in Domain.values if domain in access.lanes]


class TrajectorySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    start = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(choices=TrajectoryStatus.choices, read_only=True)
    lead_caseworker = UserRefSerializer(read_only=True)


class WlzIndicationSerializer(serializers.Serializer):
    """A CIZ indication under the Wlz: with one valid on a day the Wlz goes first."""

    care_profile = serializers.CharField(read_only=True)
    decision_reference = serializers.CharField(read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)


class HealthInsuranceSerializer(serializers.Serializer):
    """The client's own health insurer (Zvw) for a period, by UZOVI code."""

    uzovi = serializers.CharField(read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)


class ExtendedYouthCareSerializer(serializers.Serializer):
    """A period of extended youth care (verlengde jeugdhulp, Jeugdwet art. 1.1): its basis,
    the municipality's decision and the days the Jeugdwet pays after the 18th birthday.
    ``basis`` is ``unknown`` for a period recorded before the basis was asked."""

    id = serializers.IntegerField(read_only=True)
    basis = serializers.ChoiceField(choices=ExtendedYouthCareBasis.choices, read_only=True)
    care_started_on = serializers.DateField(read_only=True, allow_null=True)
    previous_care_ended_on = serializers.DateField(read_only=True, allow_null=True)
    decided_by = serializers.CharField(read_only=True)
    decision_reference = serializers.CharField(read_only=True)
    decision_date = serializers.DateField(read_only=True, allow_null=True)
    start = serializers.DateField(read_only=True)
    until = serializers.DateField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    last_day = serializers.DateField(read_only=True)


class ClientDetailSerializer(AccessAwareSerializer):
    """One client's record as the caller may see it: a shielded client outside its care team
    shows only its pseudonym (``name``), never its name, date of birth or BSN; the BSN only
    to those who see the client's funding (not teachers and job coaches)."""

    access_fields = {
        "given_name": "sees_identity",
        "family_name": "sees_identity",
        "date_of_birth": "sees_identity",
        "bsn": "sees_identity",
        # Funding data, as on the client page: not for teachers and job coaches.
        "extended_youth_care": "sees_funding",
    }

    id = serializers.IntegerField(read_only=True)
    client_number = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()
    pseudonym = serializers.CharField(read_only=True)
    given_name = serializers.CharField(read_only=True)
    family_name = serializers.CharField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True)
    bsn = serializers.CharField(read_only=True)
    shielded = serializers.BooleanField(read_only=True)
    status = serializers.ChoiceField(choices=ClientStatus.choices, read_only=True)
    municipality = MunicipalitySerializer(read_only=True)
    responsible_municipality = MunicipalitySerializer(read_only=True)
    responsibility_rule = serializers.ChoiceField(
        choices=ResponsibilityRule.choices, read_only=True
    )
    trajectory = serializers.SerializerMethodField()
    extended_youth_care = serializers.SerializerMethodField()
    access = serializers.SerializerMethodField()
    # Who pays besides the municipality: only for those who see the client's funding.
    wlz_indications = WlzIndicationSerializer(many=True, read_only=True)
    health_insurances = HealthInsuranceSerializer(many=True, read_only=True)

    def to_representation(self, instance):
        sees_funding = self.context["access"].sees_funding
        if not sees_funding:  # not even read
            fields = self.fields
            fields.pop("wlz_indications", None)
            fields.pop("health_insurances", None)
        data = super().to_representation(instance)
        # The BSN is the funders' identifier: only for those who see the client's funding.
        if not sees_funding:
            data.pop("bsn", None)
        return data

    def get_name(self, client) -> str:
        return self.context["access"].name_of(client)

    @extend_schema_field(TrajectorySummarySerializer(allow_null=True))
    def get_trajectory(self, client):
        trajectory = self.context.get("trajectory")
        return TrajectorySummarySerializer(trajectory).data if trajectory is not None else None

    @extend_schema_field(ExtendedYouthCareSerializer(many=True))
    def get_extended_youth_care(self, client):
        periods = self.context.get("extended_youth_care", [])
        return ExtendedYouthCareSerializer(periods, many=True).data

    @extend_schema_field(AccessSerializer)
    def get_access(self, client):
        return AccessSerializer(self.context["access"]).data


# --- trajectories, goals, care team -------------------------------------------------------


class GoalSerializer(AccessAwareSerializer):
    access_fields = {"description": "sees_goal_text"}

    id = serializers.IntegerField(read_only=True)
    trajectory = serializers.IntegerField(source="trajectory_id", read_only=True)
    domain = serializers.ChoiceField(choices=Domain.choices, read_only=True)
    description = serializers.CharField(read_only=True)
    target_date = serializers.DateField(read_only=True, allow_null=True)
    progress = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=GoalStatus.choices, read_only=True)


class GoalCreateSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    description = serializers.CharField(max_length=GOAL_DESCRIPTION_MAX_LENGTH)
    target_date = serializers.DateField(required=False, allow_null=True, default=None)

    def __init__(self, *args, lanes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lanes is not None:
            self.fields["domain"].choices = [(d.value, d.label) for d in Domain if d.value in lanes]


class GoalProgressSerializer(serializers.Serializer):
    """A goal's progress and status: what the client page lets the team change."""

    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    status = serializers.ChoiceField(choices=GoalStatus.choices, required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                _("Give the progress, the status or both."), code="empty"
            )
        return attrs


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    user = UserRefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=TeamRole.choices, read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)


class TrajectorySerializer(AccessAwareSerializer):
    access_fields = {"care_team": "sees_care_team"}

    id = serializers.IntegerField(read_only=True)
    client = ClientRefSerializer(read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=TrajectoryStatus.choices, read_only=True)
    lead_caseworker = UserRefSerializer(read_only=True)
    goals = serializers.SerializerMethodField()
    care_team = serializers.SerializerMethodField()

    @extend_schema_field(GoalSerializer(many=True))
    def get_goals(self, trajectory):
        return GoalSerializer(self.context["goals"], many=True, context=self.context).data

    @extend_schema_field(MembershipSerializer(many=True))
    def get_care_team(self, trajectory):
        return MembershipSerializer(self.context.get("care_team") or [], many=True).data


# --- activities ------------------------------------------------------------------------------


class AllocationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    funder = serializers.CharField(source="funder.name", read_only=True)


class ActivityFundingSerializer(serializers.Serializer):
    """Where an activity is assigned, and why (the reason in the language of the request)."""

    status = serializers.ChoiceField(
        source="funding_status", choices=FundingStatus.choices, read_only=True
    )
    allocation = AllocationRefSerializer(read_only=True, allow_null=True)
    consumed = serializers.IntegerField(read_only=True)
    reason = serializers.CharField(source="funding_reason_text", read_only=True)
    expected_funding = serializers.CharField(read_only=True)


class ActivitySerializer(AccessAwareSerializer):
    """An activity; its note only for roles that see notes, its funding only for roles that
    see funding."""

    access_fields = {"note": "sees_notes", "funding": "sees_funding"}

    id = serializers.IntegerField(read_only=True)
    trajectory = serializers.IntegerField(source="trajectory_id", read_only=True)
    domain = serializers.ChoiceField(choices=Domain.choices, read_only=True)
    kind = serializers.ChoiceField(choices=ActivityKind.choices, read_only=True)
    date = serializers.DateField(read_only=True)
    start_time = serializers.TimeField(read_only=True, allow_null=True)
    duration_minutes = serializers.IntegerField(read_only=True, allow_null=True)
    units = serializers.IntegerField(read_only=True, allow_null=True)
    performed_by = UserRefSerializer(read_only=True)
    goal = serializers.IntegerField(source="goal_id", read_only=True, allow_null=True)
    attendance = serializers.CharField(read_only=True)
    subject = serializers.CharField(read_only=True)
    assessment = serializers.CharField(read_only=True)
    milestone = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ActivityStatus.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(read_only=True)
    funding = ActivityFundingSerializer(source="*", read_only=True)


class ActivityCorrectSerializer(serializers.Serializer):
    """The fields of a logged activity that can be corrected (its lane cannot); the goals
    offered follow the caller's access, as on the web form, every other rule is the service's.
    A night of a residential stay is not logged or corrected here: it follows from the stay's
    admission, discharge and leave (the stays page), as on the web form."""

    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    date = serializers.DateField()
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, default=None)
    units = serializers.IntegerField(required=False, allow_null=True, default=None)
    goal = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.none(), required=False, allow_null=True, default=None
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ACTIVITY_NOTE_MAX_LENGTH
    )
    attendance = serializers.ChoiceField(
        choices=Attendance.choices, required=False, allow_blank=True, default=""
    )
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    assessment = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    milestone = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    expected_funding = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )

    def __init__(self, *args, goals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if goals is not None:
            self.fields["goal"].queryset = goals

    def validate_kind(self, kind):
        if kind == ActivityKind.RESIDENTIAL_STAY:
            raise serializers.ValidationError(
                _(
                    "A night of a residential stay is not logged here: the nights follow from the "
                    "stay's admission, discharge and leave."
                ),
                "stay_night",
            )
        return kind

    def validate(self, attrs):
        if self.partial and not attrs:
            raise serializers.ValidationError(_("Give at least one field to correct."), "empty")
        return attrs


class ActivityWriteSerializer(ActivityCorrectSerializer):
    """Log an activity: the lanes offered follow the caller's access, as on the web form."""

    domain = serializers.ChoiceField(choices=Domain.choices)

    def __init__(self, *args, lanes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lanes is not None:
            self.fields["domain"].choices = [(d.value, d.label) for d in Domain if d.value in lanes]
