"""The manager's reports page: request a funder's report, watch it being built, download it."""

from functools import wraps

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import DOWNLOAD_REPORT, REQUEST_REPORT, VIEW_REPORTS, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record
from apps.core.views import service_refusals

from .forms import ReportRequestForm
from .models import ReportRun
from .selectors import report_runs_for
from .services import report_file_open, report_funders_for, report_request


def permission_required(*permissions: str):
    """Only users who hold every named permission; others get 404 and the refusal is logged."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            _refused_unless(request, *permissions)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _refused_unless(request: HttpRequest, *permissions: str) -> None:
    if not all(may(request.user, permission) for permission in permissions):
        access_log_record(
            user=request.user,
            event=AccessEvent.VIEW,
            basis=AccessBasis.NONE,
            outcome=AccessOutcome.REFUSED,
            detail=f"reports {request.path}"[:200],
        )
        raise Http404


def _run_of(request: HttpRequest, pk: int) -> ReportRun:
    run = report_runs_for(organisation=request.user.organisation).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@require_http_methods(["GET", "POST"])
@permission_required(VIEW_REPORTS)
def report_list(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    form = ReportRequestForm(
        request.POST or None, funders=report_funders_for(organisation=organisation)
    )
    if request.method == "POST":
        _refused_unless(request, REQUEST_REPORT)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_refusals(request, form=form):
            run = report_request(
                organisation=organisation,
                funder=data["funder"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                fmt=data["format"],
                actor=request.user,
                language=request.LANGUAGE_CODE,
            )
            messages.success(
                request, _("The report is being built; it appears below when it is ready.")
            )
            return redirect(f"{request.path}#run-{run.pk}")
    return render(
        request,
        "reports/report_list.html",
        {"form": form, "runs": report_runs_for(organisation=organisation)[:50]},
    )


@require_http_methods(["GET"])
@permission_required(VIEW_REPORTS)
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment with one run's status and progress; it polls while unfinished."""
    return render(request, "reports/_run.html", {"run": _run_of(request, pk)})


@require_http_methods(["GET"])
@permission_required(VIEW_REPORTS, DOWNLOAD_REPORT)
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a finished report (never from a public URL) and log it against every client named."""
    run = _run_of(request, pk)
    handle = report_file_open(run=run, user=request.user)
    if handle is None:
        raise Http404
    return FileResponse(
        handle, as_attachment=True, filename=run.filename, content_type=run.content_type
    )
