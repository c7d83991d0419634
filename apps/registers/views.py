"""Registers: a group session for several clients, a teacher's classes and their lessons."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.permissions import VIEW_MY_CLIENTS, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.clients.models import Client
from apps.core.domains import Domain
from apps.core.views import service_refusals
from apps.trajectories.access import client_access_for

from .forms import (
    AbsenceReportForm,
    GroupSessionForm,
    LessonForm,
    PupilAddForm,
    SchoolClassForm,
    participant_formset,
)
from .models import ClassPupil, GroupSession, SchoolClass, SessionParticipant
from .selectors import (
    absence_status_for,
    classes_of,
    clients_to_log_for,
    clients_to_log_for_by_lane,
    current_pupils,
    register_name,
    sessions_led_by,
)
from .services import (
    ParticipantEntry,
    RegisterRefused,
    absence_report_record,
    class_lesson_register,
    class_pupil_add,
    class_pupil_remove,
    group_session_register,
    school_class_create,
)

DEFAULT_LANE_OF_ROLE = {"teacher": Domain.EDUCATION, "job_coach": Domain.WORK}
MAX_ROWS = 30


def _works_with_clients(request: HttpRequest) -> None:
    if not may(request.user, VIEW_MY_CLIENTS):
        raise Http404


def _log_read(request: HttpRequest, clients: list[Client], detail: str) -> None:
    if clients:
        access_log_record_many(
            user=request.user,
            clients=clients,
            event=AccessEvent.VIEW,
            basis=AccessBasis.CARE_TEAM,
            detail=detail,
        )


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """The worker's registers: recent group sessions and their classes."""
    _works_with_clients(request)
    return render(
        request,
        "registers/home.html",
        {
            "sessions": sessions_led_by(user=request.user)[:25],
            "classes": classes_of(user=request.user),
        },
    )


def _show_refusal(refusal: RegisterRefused, form, formset, row_index: list[int]) -> None:
    for field_name, errors in refusal.session_errors.items():
        form.add_error(field_name if field_name in form.fields else None, errors)
    for index, errors in refusal.row_errors.items():
        formset.forms[row_index[index]].add_error(None, errors)


def _entries(formset, clients_by_pk) -> tuple[list[ParticipantEntry], list[int]]:
    entries, row_index = [], []
    for index, row in enumerate(formset.forms):
        pk = row.cleaned_data.get("client")
        if not pk:
            continue
        entries.append(
            ParticipantEntry(
                client=clients_by_pk[pk],
                attendance=row.cleaned_data["attendance"],
                note=row.cleaned_data.get("note", ""),
            )
        )
        row_index.append(index)
    return entries, row_index


@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    """One form for a group session with several clients, each getting their own activity."""
    _works_with_clients(request)
    by_lane = clients_to_log_for_by_lane(user=request.user)
    # The lanes offered: those in which the worker may log for at least one client.
    lanes = [lane for lane in Domain if by_lane[lane]]
    wanted = request.POST.get("lane") or request.GET.get("lane")
    default = next(
        (lane for role, lane in DEFAULT_LANE_OF_ROLE.items() if request.user.has_role(role)),
        Domain.CARE,
    )
    lane = next((each for each in lanes if each == wanted), None) or (
        default if default in lanes else (lanes[0] if lanes else Domain.CARE)
    )
    clients = by_lane[lane]
    try:
        rows = min(max(int(request.GET.get("rows", 6)), 1), MAX_ROWS)
    except ValueError:
        rows = 6
    if request.method == "POST":
        rows = min(max(int(request.POST.get("p-TOTAL_FORMS", 6) or 6), 1), MAX_ROWS)
    data = request.POST or None
    form = GroupSessionForm(data, lane=lane, initial={"date": timezone.localdate()})
    formset = participant_formset(data=data, clients=clients, rows=rows)
    _log_read(request, clients, "group register form")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        by_pk = {client.pk: client for client in clients}
        entries, row_index = _entries(formset, by_pk)
        try:
            session = group_session_register(
                domain=lane,
                kind=form.cleaned_data["kind"],
                date=form.cleaned_data["date"],
                start_time=form.cleaned_data["start_time"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                subject=form.cleaned_data["subject"],
                participants=entries,
                actor=request.user,
            )
        except RegisterRefused as refusal:
            _show_refusal(refusal, form, formset, row_index)
        else:
            messages.success(request, _("The register is saved."))
            return redirect("registers:session", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "registers/group_form.html",
        {
            "form": form,
            "formset": formset,
            "lane": lane,
            "lanes": lanes,
            "rows": rows,
            "more_rows": min(rows + 4, MAX_ROWS),
        },
        status=status,
    )


def _participant_rows(request: HttpRequest, session: GroupSession):
    rows, seen = [], []
    for participant in session.participants.select_related(
        "client", "activity__allocation"
    ).order_by("pk"):
        access = client_access_for(user=request.user, client=participant.client)
        if access is None:
            access_log_record(
                user=request.user,
                event=AccessEvent.VIEW,
                basis=AccessBasis.NONE,
                outcome=AccessOutcome.REFUSED,
                client=participant.client,
                detail="group register",
            )
        else:
            access_log_record(
                user=request.user,
                event=AccessEvent.VIEW,
                basis=access.basis,
                client=participant.client,
                detail="group register",
                acting_role=access.acting_role,
            )
            seen.append(participant.client)
        rows.append(
            {
                "participant": participant,
                "name": register_name(participant.client)
                if access is not None
                else participant.client.pseudonym,
                "sees": access is not None,
                "sees_funding": access is not None and access.sees_funding,
                "activity": participant.activity,
            }
        )
    return rows, seen


@require_http_methods(["GET"])
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A register as saved: per participant what happened (funded where, or waiting and why)."""
    session = (
        GroupSession.objects.filter(
            pk=pk, led_by=request.user, organisation_id=request.user.organisation_id
        )
        .select_related("school_class")
        .first()
        if may(request.user, VIEW_MY_CLIENTS)
        else None
    )
    if session is None:
        for participant in SessionParticipant.objects.filter(session_id=pk).select_related(
            "client"
        ):
            access_log_record(
                user=request.user,
                event=AccessEvent.VIEW,
                basis=AccessBasis.NONE,
                outcome=AccessOutcome.REFUSED,
                client=participant.client,
                detail="group register",
            )
        raise Http404
    rows, seen = _participant_rows(request, session)
    to_report = []
    if session.school_class_id is not None and seen:
        statuses = absence_status_for(clients=seen, today=timezone.localdate())
        to_report = [
            _prompt(register_name(status.client), status)
            for status in statuses.values()
            if status.to_report is not None
        ]
    return render(
        request,
        "registers/session_detail.html",
        {"session": session, "rows": rows, "to_report": to_report},
    )


def _prompt(name: str, status) -> dict:
    return {"name": name, "status": status, "hours": status.to_report.unexcused_minutes / 60}


# --- classes -----------------------------------------------------------------------------


def _my_class(request: HttpRequest, pk: int) -> SchoolClass:
    school_class = (
        classes_of(user=request.user).filter(pk=pk).first()
        if may(request.user, VIEW_MY_CLIENTS)
        else None
    )
    if school_class is None:
        for pupil in ClassPupil.objects.filter(
            school_class_id=pk, removed_on__isnull=True
        ).select_related("client"):
            access_log_record(
                user=request.user,
                event=AccessEvent.VIEW,
                basis=AccessBasis.NONE,
                outcome=AccessOutcome.REFUSED,
                client=pupil.client,
                detail="class register",
            )
        raise Http404
    return school_class


@require_http_methods(["GET", "POST"])
def class_new(request: HttpRequest) -> HttpResponse:
    _works_with_clients(request)
    form = SchoolClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            school_class = school_class_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("The class is added. Now add its pupils."))
            return redirect("registers:class", pk=school_class.pk)
    return render(request, "registers/class_form.html", {"form": form})


def _class_page(request, school_class, *, add_form=None, report_forms=None, status=200):
    pupils = current_pupils(school_class=school_class)
    clients = [pupil.client for pupil in pupils]
    _log_read(request, clients, "class register")
    statuses = absence_status_for(clients=clients, today=timezone.localdate())
    in_class = {client.pk for client in clients}
    candidates = [
        client
        for client in clients_to_log_for(user=request.user, lane=Domain.EDUCATION)
        if client.pk not in in_class
    ]
    _log_read(request, candidates, "class register: pupils to add")
    report_forms = report_forms or {}
    rows = [
        {
            "pupil": pupil,
            "name": register_name(pupil.client),
            "status": statuses[pupil.client_id],
            "report_form": report_forms.get(pupil.client_id)
            or AbsenceReportForm(
                initial={"reported_on": timezone.localdate()}, prefix=f"r{pupil.client_id}"
            ),
        }
        for pupil in pupils
    ]
    return render(
        request,
        "registers/class_detail.html",
        {
            "school_class": school_class,
            "rows": rows,
            "to_report": [
                _prompt(row["name"], row["status"])
                for row in rows
                if row["status"].to_report is not None
            ],
            "add_form": add_form or PupilAddForm(clients=candidates),
            "candidates": candidates,
            "lessons": school_class.lessons.all()[:10],
        },
        status=status,
    )


@require_http_methods(["GET"])
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A class: its pupils, their unexcused absence and the prompt to report it."""
    return _class_page(request, _my_class(request, pk))


@require_POST
def class_pupil_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = _my_class(request, pk)
    candidates = clients_to_log_for(user=request.user, lane=Domain.EDUCATION)
    form = PupilAddForm(request.POST, clients=candidates)
    if form.is_valid():
        client = next(c for c in candidates if c.pk == form.cleaned_data["client"])
        with service_refusals(request, form=form):
            class_pupil_add(school_class=school_class, client=client, actor=request.user)
            messages.success(request, _("The pupil is added to the class."))
            return redirect("registers:class", pk=school_class.pk)
    return _class_page(request, school_class, add_form=form, status=400)


@require_POST
def class_pupil_remove_view(request: HttpRequest, pk: int, pupil_pk: int) -> HttpResponse:
    school_class = _my_class(request, pk)
    pupil = school_class.pupils.filter(pk=pupil_pk, removed_on__isnull=True).first()
    if pupil is None:
        raise Http404
    with service_refusals(request):
        class_pupil_remove(pupil=pupil, actor=request.user)
        messages.success(request, _("The pupil is removed from the class."))
    return redirect("registers:class", pk=school_class.pk)


@require_http_methods(["GET", "POST"])
def class_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    """A lesson for the whole class in one go: everyone present, today, the usual length."""
    school_class = _my_class(request, pk)
    pupils = current_pupils(school_class=school_class)
    clients = [pupil.client for pupil in pupils]
    _log_read(request, clients, "class lesson register")
    data = request.POST or None
    form = LessonForm(
        data,
        initial={"date": timezone.localdate(), "duration_minutes": school_class.lesson_minutes},
    )
    formset = participant_formset(data=data, fixed_clients=clients, prefix="p")
    if request.method == "POST" and not clients:
        form.add_error(None, _("The class has no pupils yet."))
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        entries, row_index = _entries(formset, {client.pk: client for client in clients})
        try:
            session = class_lesson_register(
                school_class=school_class,
                participants=entries,
                actor=request.user,
                **form.cleaned_data,
            )
        except RegisterRefused as refusal:
            _show_refusal(refusal, form, formset, row_index)
        else:
            messages.success(request, _("The lesson is saved."))
            return redirect("registers:session", pk=session.pk)
    rows = list(zip(formset.forms, clients, strict=True))
    return render(
        request,
        "registers/lesson_form.html",
        {"school_class": school_class, "form": form, "formset": formset, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def absence_report(request: HttpRequest, pk: int, client_pk: int) -> HttpResponse:
    """Record that a pupil's unexcused absence was reported to the leerplichtambtenaar."""
    school_class = _my_class(request, pk)
    pupil = (
        school_class.pupils.filter(client_id=client_pk, removed_on__isnull=True)
        .select_related("client")
        .first()
    )
    if pupil is None:
        raise Http404
    form = AbsenceReportForm(request.POST, prefix=f"r{client_pk}")
    status = absence_status_for(clients=[pupil.client], today=timezone.localdate())[client_pk]
    if status.to_report is None:
        messages.error(request, _("There is no unexcused absence over 16 hours to report."))
        return redirect("registers:class", pk=school_class.pk)
    if form.is_valid():
        try:
            absence_report_record(
                client=pupil.client,
                school_class=school_class,
                reported_on=form.cleaned_data["reported_on"],
                absence_until=status.to_report.last_absence,
                unexcused_minutes=status.to_report.unexcused_minutes,
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            for field_name, errors in error.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        else:
            messages.success(request, _("The report is recorded."))
            return redirect("registers:class", pk=school_class.pk)
    return _class_page(request, school_class, report_forms={client_pk: form}, status=400)
