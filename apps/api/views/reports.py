"""Per-funder reports: request one, follow its status and progress, download the file.

For the organisation's managers, as the reports page. The download opens the file through the
reports service that logs every client it names, as the web download does.
"""

import json

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, status
from rest_framework.response import Response

from apps.accounts.permissions import REQUEST_REPORT, VIEW_REPORTS
from apps.api import serializers as s
from apps.api.access import api_may
from apps.api.errors import service_errors
from apps.api.filters import ReportFilter
from apps.reports.models import ReportRun
from apps.reports.selectors import report_runs_for
from apps.reports.services import report_file_open, report_funders_for, report_request

from .base import ApiView


def _runs(request):
    api_may(request, VIEW_REPORTS, what="reports")
    return report_runs_for(organisation=request.user.organisation)


class ReportListView(ApiView):
    """The organisation's report runs, newest first; request a new one."""

    queryset = ReportRun.objects.none()
    filterset_class = ReportFilter
    ordering_fields = ["requested_at", "period_start"]

    @extend_schema(responses=s.ReportRunSerializer(many=True), tags=["reports"])
    def get(self, request):
        return self.paginated(self.filter_queryset(_runs(request)), s.ReportRunSerializer)

    @extend_schema(
        request=s.ReportRequestSerializer,
        responses={202: s.ReportRunSerializer},
        tags=["reports"],
        description=(
            "Request a funder's report; it is built in the background. Follow its status at "
            "the returned run, and download it when it is done."
        ),
    )
    def post(self, request):
        api_may(request, REQUEST_REPORT, what="request a report")
        organisation = request.user.organisation
        serializer = s.ReportRequestSerializer(
            data=request.data, funders=report_funders_for(organisation=organisation)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors(set(serializer.fields)):
            run = report_request(
                organisation=organisation,
                funder=data["funder"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                fmt=data["format"],
                actor=request.user,
                language=get_language(),
            )
        run = report_runs_for(organisation=organisation).get(pk=run.pk)  # as built so far
        return Response(
            s.ReportRunSerializer(run, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )


class ReportDetailView(ApiView):
    """A report run: its status, progress and, when done, where to download it."""

    @extend_schema(responses=s.ReportRunSerializer, tags=["reports"])
    def get(self, request, pk: int):
        run = get_object_or_404(_runs(request), pk=pk)
        return Response(s.ReportRunSerializer(run, context=self.get_serializer_context()).data)


class AnyMediaRenderer(renderers.BaseRenderer):
    """Accepts any Accept header for a file; an error on the way is still the JSON body."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


class ReportDownloadView(ApiView):
    renderer_classes = [renderers.JSONRenderer, AnyMediaRenderer]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
        },
        tags=["reports"],
        description="The finished report's file; the download is logged for every client named.",
    )
    def get(self, request, pk: int):
        run = get_object_or_404(_runs(request), pk=pk)  # the API's refusal (403) and 404 first
        handle = report_file_open(run=run, user=request.user)
        if handle is None:
            raise Http404
        return FileResponse(
            handle, as_attachment=True, filename=run.filename, content_type=run.content_type
        )
