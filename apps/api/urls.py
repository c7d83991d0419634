"""The REST API, version 1 (casemanager/urls.py mounts it at /api/v1/)."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from .views import account, clients, funding, messages, pools, reports
from .views.docs import ApiDocsView, ApiSchemaView

app_name = "api"

urlpatterns = [
    path("schema/", ApiSchemaView.as_view(), name="schema"),
    # The documentation is a page of the web interface: log in first.
    path("docs/", login_required(ApiDocsView.as_view(url_name="api:schema")), name="docs"),
    path("me/", account.MeView.as_view(), name="me"),
    path("clients/", clients.ClientListView.as_view(), name="client-list"),
    path("clients/<int:pk>/", clients.ClientDetailView.as_view(), name="client-detail"),
    path(
        "clients/<int:pk>/activities/",
        clients.ClientActivityListView.as_view(),
        name="client-activities",
    ),
    path("clients/<int:pk>/goals/", clients.ClientGoalListView.as_view(), name="client-goals"),
    path(
        "trajectories/<int:pk>/",
        clients.TrajectoryDetailView.as_view(),
        name="trajectory-detail",
    ),
    path("goals/<int:pk>/", clients.GoalDetailView.as_view(), name="goal-detail"),
    path("activities/<int:pk>/", clients.ActivityDetailView.as_view(), name="activity-detail"),
    path(
        "activities/<int:pk>/cancel/",
        clients.ActivityCancelView.as_view(),
        name="activity-cancel",
    ),
    path("allocations/", funding.AllocationListView.as_view(), name="allocation-list"),
    path(
        "allocations/<int:pk>/",
        funding.AllocationDetailView.as_view(),
        name="allocation-detail",
    ),
    path(
        "allocations/<int:pk>/replace/",
        funding.AllocationReplaceView.as_view(),
        name="allocation-replace",
    ),
    path("alerts/", funding.AlertListView.as_view(), name="alert-list"),
    path(
        "alerts/<int:pk>/acknowledge/",
        funding.AlertAcknowledgeView.as_view(),
        name="alert-acknowledge",
    ),
    path("funders/", funding.FunderListView.as_view(), name="funder-list"),
    path("funders/<int:pk>/", funding.FunderDetailView.as_view(), name="funder-detail"),
    path("contracts/", funding.ContractListView.as_view(), name="contract-list"),
    path("contracts/<int:pk>/", funding.ContractDetailView.as_view(), name="contract-detail"),
    path("pools/", pools.PoolListView.as_view(), name="pool-list"),
    path("pools/<int:pk>/", pools.PoolDetailView.as_view(), name="pool-detail"),
    path(
        "pools/<int:pk>/funders/<int:funder_pk>/shares/",
        pools.PoolFunderShareView.as_view(),
        name="pool-funder-shares",
    ),
    path("reports/", reports.ReportListView.as_view(), name="report-list"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="report-detail"),
    path(
        "reports/<int:pk>/download/",
        reports.ReportDownloadView.as_view(),
        name="report-download",
    ),
    path("messages/", messages.MessageListView.as_view(), name="message-list"),
    path("messages/import/", messages.MessageImportView.as_view(), name="message-import"),
    path("messages/<int:pk>/", messages.MessageDetailView.as_view(), name="message-detail"),
    path("messages/<int:pk>/file/", messages.MessageFileView.as_view(), name="message-file"),
]
