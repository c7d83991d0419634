"""The consent register: what of a client's may be shared with whom, and who must consent.

Outside the care team nothing of a client's is shared without consent (WGBO 7:457 lid 1;
for youth care Jeugdwet 7.3.11 lid 1; the AVG's explicit consent for health data, art. 9
lid 2 sub a, which may be withdrawn at any time, art. 7 lid 3). Who gives the consent follows
the age rules of ``apps.clients.representation.decision_makers`` (BW 7:465 lid 1, 7:450 lid 2,
7:447), on the day the consent is given:

- under 12: the legal representatives who hold parental authority;
- 12 to 15: the young person and those representatives;
- 16 and older: the young person alone (the representatives' consent neither counts nor is
  asked: sharing with them needs the young person's consent too).

A teacher's or job coach's lane rests on a consent (apps.trajectories.access): without one
that holds today, the lane is closed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.audit.models import AccessEvent
from apps.audit.services import access_log_write
from apps.core.errors import text_too_long

from .models import Client, Consent, ConsentRecipient, LegalRepresentative
from .representation import DecisionMakers, DecisionRule, decision_makers

PURPOSE_MAX_LENGTH = Consent._meta.get_field("purpose").max_length
REASON_MAX_LENGTH = Consent._meta.get_field("withdrawal_reason").max_length


# --- the rules ----------------------------------------------------------------------------


def consent_givers_check(
    *,
    client: Client,
    on: date,
    young_person: bool,
    representatives: Iterable[LegalRepresentative],
) -> DecisionMakers:
    """Check that the consent given on the day is given by whom the age rules require; the
    decision makers, or a ValidationError that says who is missing or who does not count."""
    deciding = decision_makers(client, on)
    given = {r.pk for r in representatives}
    errors: list[str] = []
    if deciding.rule == DecisionRule.YOUNG_PERSON:
        if given:
            errors.append(
                _(
                    "From 16 the young person consents alone: the legal representatives' "
                    "consent does not count (BW 7:447)."
                )
            )
    elif deciding.rule == DecisionRule.REPRESENTATIVES and young_person:
        errors.append(
            _(
                "Under 12 the legal representatives consent, not the child (BW 7:465 lid 1); "
                "the child is informed."
            )
        )
    if deciding.young_person and not young_person:
        errors.append(
            _("The young person's own consent is needed at %(age)s.") % {"age": deciding.age}
        )
    if deciding.rule != DecisionRule.YOUNG_PERSON:
        needed = {r.pk: r for r in deciding.representatives}
        if not needed:
            errors.append(
                _(
                    "Under 16 the legal representatives with parental authority consent: "
                    "record them with the client first."
                )
            )
        missing = [r.name for pk, r in needed.items() if pk not in given]
        if missing:
            errors.append(
                ngettext(
                    "The consent of %(names)s, who holds parental authority, is needed.",
                    "The consent of %(names)s, who hold parental authority, is needed.",
                    len(missing),
                )
                % {"names": ", ".join(missing)}
            )
        if given - set(needed):
            errors.append(_("Only legal representatives who hold parental authority give consent."))
    if errors:
        raise ValidationError({"given_by": errors})
    return deciding


@dataclass(frozen=True)
class ConsentState:
    """Whether a consent to share with a recipient holds on a day, and if none holds, since
    when (the first day after the last one ended; None when none was ever recorded)."""

    holds: bool
    since: date | None = None


def consent_state(consents: Iterable[Consent], *, recipient: str, on: date) -> ConsentState:
    """The state of the client's consent to share with the recipient on the day, from the
    client's consents (already read: the access decision reads them in one query)."""
    ended: list[date] = []
    for consent in consents:
        if consent.recipient != recipient:
            continue
        if consent.holds_on(on):
            return ConsentState(holds=True)
        if consent.ended_on is not None and consent.ended_on <= on:
            ended.append(consent.ended_on)
    return ConsentState(holds=False, since=max(ended) if ended else None)


# --- reads --------------------------------------------------------------------------------


def consents_for_client(*, client: Client):
    """The client's consent register, newest first, with who gave each."""
    return (
        Consent.objects.filter(client=client)
        .prefetch_related("given_by_representatives")
        .order_by("-given_on", "-pk")
    )


# --- writes -------------------------------------------------------------------------------


def _text(value: str, *, field: str, limit: int, required: bool, message: str) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise ValidationError({field: message})
    if (too_long := text_too_long(value, limit)) is not None:
        raise ValidationError({field: too_long})
    return value


@transaction.atomic
def consent_record(
    *,
    client: Client,
    recipient: str,
    purpose: str,
    given_on: date,
    actor: User,
    young_person: bool = False,
    representatives: Iterable[LegalRepresentative] = (),
    recipient_name: str = "",
    valid_until: date | None = None,
) -> Consent:
    """Record a consent the client (or, by the age rules, the representatives) gave."""
    client = Client.objects.select_for_update().get(pk=client.pk)  # one writer per client
    if recipient not in ConsentRecipient.values:
        raise ValidationError({"recipient": _("Choose whom the data may be shared with.")})
    purpose = _text(
        purpose,
        field="purpose",
        limit=PURPOSE_MAX_LENGTH,
        required=True,
        message=_("Say for which purpose the data may be shared."),
    )
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("A consent cannot be given in the future.")})
    if given_on < client.date_of_birth:
        raise ValidationError({"given_on": _("The date lies before the date of birth.")})
    if valid_until is not None and valid_until < given_on:
        raise ValidationError(
            {"valid_until": _("The end date lies before the day the consent was given.")}
        )
    representatives = list(representatives)
    if any(r.client_id != client.pk for r in representatives):
        raise ValidationError({"given_by": _("Choose representatives of this client.")})
    deciding = consent_givers_check(
        client=client, on=given_on, young_person=young_person, representatives=representatives
    )
    consent = Consent(
        client=client,
        recipient=recipient,
        recipient_name=_text(
            recipient_name, field="recipient_name", limit=200, required=False, message=""
        ),
        purpose=purpose,
        given_by_young_person=young_person,
        age_when_given=deciding.age,
        given_on=given_on,
        valid_until=valid_until,
    )
    consent.full_clean()
    consent._history_user = actor
    consent._change_reason = "consent recorded"
    consent.save()
    if representatives:
        consent.given_by_representatives.set(representatives)
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=consent)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, withdrawn_on: date, reason: str, actor: User) -> Consent:
    """Record that a consent was withdrawn (by whom and why in ``reason``): from that day it
    no longer holds, and the lanes that rest on it close. The consent stays in the register."""
    Client.objects.select_for_update().get(pk=consent.client_id)  # one writer per client
    consent = Consent.objects.select_for_update().select_related("client").get(pk=consent.pk)
    reason = _text(
        reason,
        field="reason",
        limit=REASON_MAX_LENGTH,
        required=True,
        message=_("Say who withdrew the consent and, if known, why."),
    )
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    if withdrawn_on > timezone.localdate():
        raise ValidationError(
            {"withdrawn_on": _("A withdrawal cannot be recorded for a future day.")}
        )
    if withdrawn_on < consent.given_on:
        raise ValidationError(
            {"withdrawn_on": _("The withdrawal lies before the day the consent was given.")}
        )
    if consent.valid_until is not None and withdrawn_on > consent.valid_until:
        raise ValidationError(
            {
                "withdrawn_on": _("The consent had already ended on %(day)s.")
                % {"day": date_format(consent.valid_until, "SHORT_DATE_FORMAT")}
            }
        )
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_reason = reason
    consent.full_clean()
    consent._history_user = actor
    consent._change_reason = "consent withdrawn"
    consent.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=consent.client, obj=consent)
    return consent
