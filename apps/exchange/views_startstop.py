"""The manager's page of the start and stop messages (/messages/deliveries/): what was told to
the municipalities and what they answered; prepare and send what is due; remove a notice sent
in error."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import SEND_MESSAGES, VIEW_MESSAGES, may
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.core.views import service_refusals

from .codes import retour_text
from .startstop import deliveries_prepare, delivery_remove, notices_for
from .views_access import refused, refused_unless

PAGE_SIZE = 200


@require_http_methods(["GET", "POST"])
def deliveries(request: HttpRequest) -> HttpResponse:
    refused_unless(request, VIEW_MESSAGES)
    organisation = request.user.organisation
    if request.method == "POST":
        refused_unless(request, SEND_MESSAGES)
        with service_refusals(request):
            prepared = deliveries_prepare(
                organisation=organisation, today=timezone.localdate(), actor=request.user
            )
            if prepared.messages:
                messages.success(
                    request,
                    _("Start and stop messages sent: %(messages)s (%(notices)s notices).")
                    % {"notices": len(prepared.notices), "messages": len(prepared.messages)},
                )
            else:
                messages.info(request, _("No start or stop is due."))
        return redirect("exchange:deliveries")
    notices = list(notices_for(organisation=organisation)[:PAGE_SIZE])
    clients = list(
        {notice.allocation.client_id: notice.allocation.client for notice in notices}.values()
    )
    access_log_record_many(
        user=request.user,
        clients=clients,
        event=AccessEvent.VIEW,
        basis=AccessBasis.MANAGEMENT,
        detail="exchange deliveries",
    )
    rows = [
        {
            "notice": notice,
            "codes": [(code, retour_text(code)) for code in notice.retour_codes],
        }
        for notice in notices
    ]
    return render(
        request,
        "exchange/startstop_deliveries.html",
        {"rows": rows, "may_send": may(request.user, SEND_MESSAGES)},
    )


@require_http_methods(["POST"])
def delivery_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    refused_unless(request, VIEW_MESSAGES, SEND_MESSAGES)
    notice = notices_for(organisation=request.user.organisation).filter(pk=pk).first()
    if notice is None:
        raise refused(request)
    with service_refusals(request):
        result = delivery_remove(notice=notice, today=timezone.localdate(), actor=request.user)
        if result.is_removal:
            messages.success(request, _("The removal has been sent to the municipality."))
        else:
            messages.success(
                request,
                _("The refused notice has been set aside; the next preparation makes it anew."),
            )
    return redirect("exchange:deliveries")
