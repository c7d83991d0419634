"""The description of the API and its browsable documentation.

Swagger UI runs under the Content-Security-Policy: its scripts and styles come from our own
static files (drf-spectacular-sidecar), its set-up script from a second request
(SpectacularSwaggerSplitView), nothing inline and nothing from the internet.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer


class ErrorsInJsonMixin:
    """An error (405, 401, …) in the API's JSON format, as everywhere under /api/, rather than
    in the format of the view's content (YAML, HTML, JavaScript)."""

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class ApiSchemaView(ErrorsInJsonMixin, SpectacularAPIView):
    pass


class ApiDocsView(ErrorsInJsonMixin, SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
