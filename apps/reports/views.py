"""The manager's reports page: request a funder's report, watch it being built, download it."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Role
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.clients.models import Client

from .forms import ReportRequestForm
from .models import ReportRun, ReportStatus
from .selectors import report_runs_for
from .services import report_funders_for, report_request


def manager_required(view):
    """Only managers of an organisation; others get 404 and the refusal is logged."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not user.has_role(Role.MANAGER) or user.organisation_id is None:
            access_log_record(
                user=user,
                event=AccessEvent.VIEW,
                basis=AccessBasis.NONE,
                outcome=AccessOutcome.REFUSED,
                detail=f"reports {request.path}"[:200],
            )
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _run_of(request: HttpRequest, pk: int) -> ReportRun:
    run = report_runs_for(organisation=request.user.organisation).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@require_http_methods(["GET", "POST"])
@manager_required
def report_list(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    form = ReportRequestForm(
        request.POST or None, funders=report_funders_for(organisation=organisation)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = report_request(
                organisation=organisation,
                funder=data["funder"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                fmt=data["format"],
                actor=request.user,
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
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
@manager_required
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment with one run's status and progress; it polls while unfinished."""
    return render(request, "reports/_run.html", {"run": _run_of(request, pk)})


@require_http_methods(["GET"])
@manager_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a finished report (never from a public URL) and log it against every client named."""
    run = _run_of(request, pk)
    if run.status != ReportStatus.DONE or not run.file:
        raise Http404
    try:
        handle = run.file.open("rb")
    except FileNotFoundError as missing:  # the stored file is gone (a restore without media)
        raise Http404 from missing
    access_log_record_many(
        user=request.user,
        clients=list(Client.objects.filter(pk__in=run.client_ids, organisation=run.organisation)),
        event=AccessEvent.EXPORT,
        basis=AccessBasis.MANAGEMENT,
        detail=f"report {run.pk} for {run.funder.name}"[:200],
        acting_role=Role.MANAGER,
    )
    content_type = "application/pdf" if run.format == "pdf" else "text/csv; charset=utf-8"
    return FileResponse(
        handle, as_attachment=True, filename=run.filename, content_type=content_type
    )
