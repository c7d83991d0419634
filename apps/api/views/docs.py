"""Browsable documentation (Swagger UI) under the Content-Security-Policy: its scripts and
styles come from our own static files (drf-spectacular-sidecar), its set-up script from a
second request (SpectacularSwaggerSplitView), nothing inline and nothing from the internet."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
