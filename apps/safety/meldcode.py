"""Writes of the meldcode and of reports to the inspectorate: the client's care team only.

Every write checks its actor (a member of the client's care team now, not under emergency
access), validates with messages people can read, keeps history with the acting user and writes
the access log. The rules themselves are apps/safety/meldcode_rules.py.
"""

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write
from apps.clients.models import Client
from apps.core.errors import PermissionRefused, text_too_long
from apps.trajectories.access import ClientAccess, client_access_for

from .meldcode_rules import (
    Afweging,
    afwegingskader_outcome,
    afwegingskader_questions_reached,
    decision_reports,
    decisions_allowed,
)
from .models import (
    MELDCODE_NOTES_MAX_LENGTH,
    InspectorateReport,
    MeldcodeDecision,
    MeldcodeFollowUp,
    MeldcodeStep,
    MeldcodeStepRecord,
    MeldcodeTrack,
    MeldcodeTrackStatus,
)

# --- who -------------------------------------------------------------------------------------


def meldcode_access_allows(access: ClientAccess | None) -> bool:
    """The meldcode is the care team's: every member (a teacher or job coach sees signals as
    often as a caseworker does, and every professional has the meldcode duty), never a manager,
    a privacy officer, another organisation, nor a caseworker under emergency access (docs/
    privacy.md: suspicions about people around the client, unproven, are not emergency data;
    what an emergency needs for safety is the safety notice)."""
    return access is not None and access.basis == AccessBasis.CARE_TEAM


def meldcode_may_keep(*, user: User, client: Client) -> bool:
    return meldcode_access_allows(client_access_for(user=user, client=client))


def _refuse_unless_team(actor: User, client: Client) -> None:
    if not meldcode_may_keep(user=actor, client=client):
        raise PermissionRefused(_("Only the client's care team keeps the meldcode."))


# --- checks shared by the writes ---------------------------------------------------------------


def _day(field: str, day: date | None, errors: dict, *, not_before: date | None = None) -> None:
    if day is None:
        errors.setdefault(field, []).append(_("Give the date."))
    elif day > timezone.localdate():
        errors.setdefault(field, []).append(_("The date lies in the future."))
    elif not_before is not None and day < not_before:
        errors.setdefault(field, []).append(
            _("The date lies before %(day)s, the date of the step before.")
            % {"day": date_format(not_before, "SHORT_DATE_FORMAT")}
        )


def _text(field: str, text: str, limit: int, errors: dict, *, required: str | None) -> str:
    text = (text or "").strip()
    if not text and required:
        errors.setdefault(field, []).append(required)
    elif (message := text_too_long(text, limit)) is not None:
        errors.setdefault(field, []).append(message)
    return text


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _locked(track: MeldcodeTrack) -> MeldcodeTrack:
    return MeldcodeTrack.objects.select_for_update().select_related("client").get(pk=track.pk)


def _refuse_closed(track: MeldcodeTrack) -> None:
    if track.status == MeldcodeTrackStatus.CLOSED:
        raise ValidationError(_("This meldcode track is closed."))


# --- the track and its steps -----------------------------------------------------------------


@transaction.atomic
def meldcode_track_open(
    *, client: Client, concern: str, opened_on: date, actor: User
) -> MeldcodeTrack:
    """Open a meldcode track for one concern about the client."""
    _refuse_unless_team(actor, client)
    errors: dict = {}
    concern = _text(
        "concern",
        concern,
        200,
        errors,
        required=_("Say in a few words what the concern is (no names of others)."),
    )
    _day("opened_on", opened_on, errors)
    _raise(errors)
    track = MeldcodeTrack(client=client, concern=concern, opened_on=opened_on, opened_by=actor)
    track.full_clean()
    track._history_user = actor
    track.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=track)
    return track


@transaction.atomic
def meldcode_step_record(
    *,
    track: MeldcodeTrack,
    step: int,
    date: date,
    outcome: str,
    actor: User,
    notes: str = "",
    veilig_thuis_consulted: bool | None = None,
    conversation_held: bool | None = None,
    suspicion: bool | None = None,
    acute_or_structural: bool | None = None,
    effective_help: bool | None = None,
    help_accepted: bool | None = None,
    decision: str = "",
) -> MeldcodeStepRecord:
    """Record the next step of a track; the steps come in their order, each on or after the
    date of the one before."""
    track = _locked(track)
    _refuse_unless_team(actor, track.client)
    _refuse_closed(track)
    recorded = dict(track.steps.values_list("step", "date"))
    expected = MeldcodeStep.values[len(recorded)] if len(recorded) < 5 else None
    if expected is None:
        raise ValidationError(_("All five steps of this track are recorded."))
    if step != expected:
        raise ValidationError(
            _("Record step %(expected)s first: the meldcode's steps come in their order.")
            % {"expected": expected}
        )
    errors: dict = {}
    _day("date", date, errors, not_before=recorded.get(step - 1))
    outcome = _text("outcome", outcome, 300, errors, required=_("Write the step's outcome."))
    notes = _text("notes", notes, MELDCODE_NOTES_MAX_LENGTH, errors, required=None)
    record = MeldcodeStepRecord(
        track=track, step=step, date=date, outcome=outcome, notes=notes, recorded_by=actor
    )
    if step == MeldcodeStep.CONSULTATION:
        if veilig_thuis_consulted is None:
            errors["veilig_thuis_consulted"] = [_("Say whether Veilig Thuis was consulted.")]
        record.veilig_thuis_consulted = veilig_thuis_consulted
    elif step == MeldcodeStep.CONVERSATION:
        if conversation_held is None:
            errors["conversation_held"] = [_("Say whether the conversation took place.")]
        elif not conversation_held and not notes:
            errors["notes"] = [
                _(
                    "Write why there was no conversation: it is left out only when it would "
                    "endanger the client or others, or the client cannot be reached."
                )
            ]
        record.conversation_held = conversation_held
    elif step == MeldcodeStep.WEIGHING:
        _weigh(record, errors, suspicion, acute_or_structural, effective_help, help_accepted)
    elif step == MeldcodeStep.DECISION:
        _decide(record, errors, track, decision)
    _raise(errors)
    record.full_clean(exclude=["track", "recorded_by"], validate_constraints=False)
    record._history_user = actor
    record.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=track.client, obj=record)
    return record


def _weigh(record, errors, suspicion, acute_or_structural, effective_help, help_accepted):
    answers = [suspicion, acute_or_structural, effective_help, help_accepted]
    reached = afwegingskader_questions_reached(
        suspicion=suspicion, acute_or_structural=acute_or_structural, effective_help=effective_help
    )
    answers = answers[:reached] + [None] * (4 - reached)  # questions not reached stay open
    if (
        afwegingskader_outcome(
            suspicion=answers[0],
            acute_or_structural=answers[1],
            effective_help=answers[2],
            help_accepted=answers[3],
        )
        == Afweging.INCOMPLETE
    ):
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("Answer the questions of the afwegingskader until it leads to a conclusion.")
        )
    (
        record.suspicion,
        record.acute_or_structural,
        record.effective_help,
        record.help_accepted,
    ) = answers


def _decide(record, errors, track, decision):
    weighing = track.steps.get(step=MeldcodeStep.WEIGHING)
    afweging = afwegingskader_outcome(
        suspicion=weighing.suspicion,
        acute_or_structural=weighing.acute_or_structural,
        effective_help=weighing.effective_help,
        help_accepted=weighing.help_accepted,
    )
    if decision not in MeldcodeDecision.values:
        errors["decision"] = [_("Choose the decision.")]
    elif decision not in decisions_allowed(afweging):
        errors["decision"] = [
            _("The afwegingskader asks for a report to Veilig Thuis: decide to report.")
            if afweging == Afweging.REPORT
            else _("Without a suspicion the track is closed; decide to close it.")
            if afweging == Afweging.CLOSE
            else _("This decision does not follow from the weighing.")
        ]
    record.decision = decision


def _decision_of(track: MeldcodeTrack) -> MeldcodeStepRecord:
    decision = track.steps.filter(step=MeldcodeStep.DECISION).first()
    if decision is None:
        raise ValidationError(_("Record the decision (step 5) first."))
    return decision


@transaction.atomic
def meldcode_report_record(
    *, track: MeldcodeTrack, reported_on: date, reference: str, actor: User
) -> MeldcodeTrack:
    """Record the report to Veilig Thuis that the decision asked for, with Veilig Thuis's
    reference."""
    track = _locked(track)
    _refuse_unless_team(actor, track.client)
    _refuse_closed(track)
    decision = _decision_of(track)
    if not decision_reports(decision.decision):
        raise ValidationError(_("The decision was not to report; change nothing here."))
    if track.reported_on is not None:
        raise ValidationError(_("The report to Veilig Thuis is recorded already."))
    errors: dict = {}
    _day("reported_on", reported_on, errors, not_before=decision.date)
    reference = _text(
        "reference", reference, 50, errors, required=_("Give Veilig Thuis's reference.")
    )
    _raise(errors)
    track.reported_on, track.report_reference, track.reported_by = reported_on, reference, actor
    track._history_user = actor
    track.save(update_fields=["reported_on", "report_reference", "reported_by"])
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=track.client, obj=track)
    return track


@transaction.atomic
def meldcode_follow_up_record(
    *, track: MeldcodeTrack, date: date, notes: str, actor: User, help_works: bool | None = None
) -> MeldcodeFollowUp:
    """Record a look at how the help goes (afweging 5) or at what Veilig Thuis did."""
    track = _locked(track)
    _refuse_unless_team(actor, track.client)
    _refuse_closed(track)
    decision = _decision_of(track)
    errors: dict = {}
    _day("date", date, errors, not_before=decision.date)
    notes = _text(
        "notes", notes, MELDCODE_NOTES_MAX_LENGTH, errors, required=_("Write what was found.")
    )
    _raise(errors)
    follow_up = MeldcodeFollowUp(
        track=track, date=date, notes=notes, help_works=help_works, recorded_by=actor
    )
    follow_up._history_user = actor
    follow_up.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=track.client, obj=follow_up)
    return follow_up


@transaction.atomic
def meldcode_track_close(
    *, track: MeldcodeTrack, closed_on: date, note: str, actor: User
) -> MeldcodeTrack:
    """Close a track after its decision (and its report, when the decision was to report)."""
    track = _locked(track)
    _refuse_unless_team(actor, track.client)
    _refuse_closed(track)
    decision = _decision_of(track)
    if decision_reports(decision.decision) and track.reported_on is None:
        raise ValidationError(_("Record the report to Veilig Thuis before closing the track."))
    errors: dict = {}
    last = max(
        [
            decision.date,
            track.reported_on or decision.date,
            *track.follow_ups.values_list("date", flat=True),
        ]
    )
    _day("closed_on", closed_on, errors, not_before=last)
    note = _text("note", note, MELDCODE_NOTES_MAX_LENGTH, errors, required=_("Write why."))
    _raise(errors)
    track.status, track.closed_on, track.closing_note = MeldcodeTrackStatus.CLOSED, closed_on, note
    track._history_user = actor
    track.save(update_fields=["status", "closed_on", "closing_note"])
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=track.client, obj=track)
    return track


# --- reports to the inspectorate (Jeugdwet art. 4.1.8) -------------------------------------------


def _timeline_errors(report: InspectorateReport) -> dict:
    errors: dict = {}
    _day("occurred_on", report.occurred_on, errors)
    _day("discovered_on", report.discovered_on, errors)
    if not errors and report.discovered_on < report.occurred_on:
        errors["discovered_on"] = [_("It cannot have become known before it happened.")]
    for field, not_before in (
        ("reported_on", report.occurred_on),
        ("investigation_sent_on", report.reported_on),
        ("closed_on", report.reported_on),
    ):
        value = getattr(report, field)
        if value is None:
            continue
        if not_before is None:
            errors[field] = [_("Record the report to the inspectorate first.")]
        else:
            _day(field, value, errors, not_before=not_before)
    if (
        report.investigation_due
        and report.reported_on
        and (report.investigation_due < report.reported_on)
    ):
        errors["investigation_due"] = [_("The term lies before the report.")]
    return errors


@transaction.atomic
def inspectorate_report_record(
    *,
    client: Client,
    kind: str,
    summary: str,
    occurred_on: date,
    discovered_on: date,
    actor: User,
    reported_on: date | None = None,
    igj_reference: str = "",
) -> InspectorateReport:
    """Record a calamity or violence during youth care and, when done, its report to the
    inspectorate."""
    _refuse_unless_team(actor, client)
    errors: dict = {}
    summary = _text(
        "summary",
        summary,
        300,
        errors,
        required=_("Say what happened, without names of others."),
    )
    report = InspectorateReport(
        client=client,
        kind=kind,
        summary=summary,
        occurred_on=occurred_on,
        discovered_on=discovered_on,
        reported_on=reported_on,
        igj_reference=(igj_reference or "").strip(),
        recorded_by=actor,
    )
    errors.update(_timeline_errors(report))
    _raise(errors)
    report.full_clean(exclude=["client", "recorded_by"], validate_constraints=False)
    report._history_user = actor
    report.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=report)
    return report


@transaction.atomic
def inspectorate_report_update(
    *,
    report: InspectorateReport,
    actor: User,
    reported_on: date | None,
    igj_reference: str,
    investigation_due: date | None,
    investigation_sent_on: date | None,
    closed_on: date | None,
) -> InspectorateReport:
    """Bring a report's timeline up to date: the report, the inspectorate's reference, the
    investigation report it asked for and when, and the closure."""
    report = (
        InspectorateReport.objects.select_for_update().select_related("client").get(pk=report.pk)
    )
    _refuse_unless_team(actor, report.client)
    report.reported_on, report.igj_reference = reported_on, (igj_reference or "").strip()
    report.investigation_due, report.investigation_sent_on = (
        investigation_due,
        investigation_sent_on,
    )
    report.closed_on = closed_on
    errors = _timeline_errors(report)
    if len(report.igj_reference) > 50:
        errors["igj_reference"] = [text_too_long(report.igj_reference, 50)]
    _raise(errors)
    report._history_user = actor
    report.save()
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=report.client, obj=report)
    return report
