"""Per-funder report runs."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.funding.models import (
    Funder,
)
from apps.reports.models import ReportFormat, ReportStatus

from .base import FunderRefSerializer, UserRefSerializer

# --- reports ---------------------------------------------------------------------------------


class ReportRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    funder = FunderRefSerializer(read_only=True)
    period_start = serializers.DateField(read_only=True)
    period_end = serializers.DateField(read_only=True)
    format = serializers.ChoiceField(choices=ReportFormat.choices, read_only=True)
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    progress = serializers.IntegerField(read_only=True)
    error = serializers.CharField(read_only=True)
    requested_by = UserRefSerializer(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    size = serializers.IntegerField(read_only=True, allow_null=True)
    sha256 = serializers.CharField(read_only=True)
    download = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, run):
        if run.status != ReportStatus.DONE or not run.file:
            return None
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(
            reverse("api:report-download", kwargs={"pk": run.pk})
        )


class ReportRequestSerializer(serializers.Serializer):
    funder = serializers.PrimaryKeyRelatedField(queryset=Funder.objects.none())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    format = serializers.ChoiceField(choices=ReportFormat.choices)

    def __init__(self, *args, funders=None, **kwargs):
        super().__init__(*args, **kwargs)
        if funders is not None:
            self.fields["funder"].queryset = funders
