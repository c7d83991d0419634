"""Writes for clients."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write

from .models import (
    CLIENT_STATUS_TRANSITIONS,
    Client,
    ClientStatus,
    HealthInsurance,
    LegalRepresentative,
    Municipality,
    Referral,
    ResponsibilityRule,
    WlzIndication,
)
from .validators import postcode_normalise


def responsible_municipality_decide(
    *,
    municipality: Municipality,
    in_residential_stay: bool,
    municipality_before_stay: Municipality | None,
) -> tuple[Municipality, ResponsibilityRule]:
    """Apply the Jeugdwet's woonplaatsbeginsel (since 1 January 2022).

    The municipality of the registered address pays, except during a residential stay: then
    the municipality of the address just before the stay remains responsible.
    """
    if in_residential_stay:
        if municipality_before_stay is None:
            raise ValidationError(
                {
                    "municipality_before_stay": _(
                        "For a client in a residential stay, give the municipality of the "
                        "address just before the stay: it pays under the Jeugdwet."
                    )
                }
            )
        return municipality_before_stay, ResponsibilityRule.ADDRESS_BEFORE_STAY
    return municipality, ResponsibilityRule.REGISTERED_ADDRESS


@transaction.atomic
def client_create(
    *,
    organisation: Organisation,
    client_number: str,
    given_name: str,
    family_name: str,
    pseudonym: str,
    date_of_birth: date,
    municipality: Municipality,
    actor: User | None,
    bsn: str = "",
    in_residential_stay: bool = False,
    municipality_before_stay: Municipality | None = None,
    shielded: bool = False,
    street_and_number: str = "",
    postcode: str = "",
    place: str = "",
) -> Client:
    """Register a client and decide the responsible municipality under the Jeugdwet."""
    responsible, rule = responsible_municipality_decide(
        municipality=municipality,
        in_residential_stay=in_residential_stay,
        municipality_before_stay=municipality_before_stay,
    )
    client = Client(
        organisation=organisation,
        client_number=client_number,
        given_name=given_name,
        family_name=family_name,
        pseudonym=pseudonym,
        date_of_birth=date_of_birth,
        bsn=bsn,
        municipality=municipality,
        in_residential_stay=in_residential_stay,
        municipality_before_stay=municipality_before_stay if in_residential_stay else None,
        responsible_municipality=responsible,
        responsibility_rule=rule,
        shielded=shielded,
        street_and_number=street_and_number.strip(),
        postcode=postcode_normalise(postcode) if postcode else "",
        place=place.strip(),
    )
    client.full_clean()
    client._history_user = actor
    client.save()
    access_log_write(
        actor=actor,
        event=AccessEvent.CREATE,
        client=client,
        obj=client,
        basis=AccessBasis.ADMINISTRATION,
    )
    return client


CLIENT_UPDATABLE_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "pseudonym",
        "date_of_birth",
        "bsn",
        "municipality",
        "in_residential_stay",
        "municipality_before_stay",
        "shielded",
        "street_and_number",
        "postcode",
        "place",
    }
)


@transaction.atomic
def client_update(*, client: Client, actor: User, **changes) -> Client:
    """Change a client's basic details; the responsible municipality follows the address."""
    unknown = set(changes) - CLIENT_UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"client_update cannot change {sorted(unknown)}")
    client = Client.objects.select_for_update().get(pk=client.pk)
    for field, value in changes.items():
        setattr(client, field, value)
    client.responsible_municipality, client.responsibility_rule = responsible_municipality_decide(
        municipality=client.municipality,
        in_residential_stay=client.in_residential_stay,
        municipality_before_stay=client.municipality_before_stay,
    )
    if not client.in_residential_stay:
        client.municipality_before_stay = None
    client.full_clean()
    client._history_user = actor
    client.save()
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=client, obj=client)
    return client


@transaction.atomic
def client_status_change(*, client: Client, status: ClientStatus, actor: User) -> Client:
    """Move a client to another status along the allowed transitions."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if status not in CLIENT_STATUS_TRANSITIONS[client.status]:
        raise ValidationError(
            _("A client cannot go from %(old)s to %(new)s.")
            % {"old": ClientStatus(client.status).label, "new": ClientStatus(status).label}
        )
    client.status = status
    client._history_user = actor
    client.save(update_fields=["status"])
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=client, obj=client)
    return client


@transaction.atomic
def wlz_indication_record(
    *,
    client: Client,
    care_profile: str,
    start: date,
    end: date | None,
    actor: User | None,
    decision_reference: str = "",
) -> WlzIndication:
    """Record a CIZ indication (Wlz) of the client for a period; periods may not overlap."""
    client = Client.objects.select_for_update().get(pk=client.pk)  # one writer per client
    indication = WlzIndication(
        client=client,
        care_profile=care_profile.strip(),
        decision_reference=decision_reference.strip(),
        start=start,
        end=end,
    )
    return _client_period_save(indication, actor=actor)


@transaction.atomic
def health_insurance_record(
    *, client: Client, uzovi: str, start: date, end: date | None, actor: User | None
) -> HealthInsurance:
    """Record the client's own health insurer (Zvw, UZOVI code) for a period; periods may not
    overlap."""
    client = Client.objects.select_for_update().get(pk=client.pk)  # one writer per client
    insurance = HealthInsurance(client=client, uzovi=uzovi.strip(), start=start, end=end)
    return _client_period_save(insurance, actor=actor)


def _client_period_save(period: WlzIndication | HealthInsurance, *, actor: User | None):
    """Validate (no overlap with another period of its kind), save with its history user and
    log the new period of the client's, whose row the caller has locked."""
    period.full_clean()
    period._history_user = actor
    period.save()
    access_log_write(
        actor=actor,
        event=AccessEvent.CREATE,
        client=period.client,
        obj=period,
        basis=AccessBasis.ADMINISTRATION,
    )
    return period


def _client_period_end(period: WlzIndication | HealthInsurance, *, end: date | None, actor):
    """End an open period of the client's on ``end`` (its last day, inclusive)."""
    client = Client.objects.select_for_update().get(pk=period.client_id)  # one writer per client
    period = type(period).objects.select_for_update().get(pk=period.pk)
    if end is None:
        raise ValidationError({"end": _("Give the last day of the period.")})
    if period.end is not None:
        raise ValidationError({"end": _("This period has already ended.")})
    period.end = end
    period.full_clean()  # the end not before the start; no overlap with another period
    period._history_user = actor
    period.save(update_fields=["end"])
    access_log_write(
        actor=actor,
        event=AccessEvent.CHANGE,
        client=client,
        obj=period,
        basis=AccessBasis.ADMINISTRATION,
    )
    return period


@transaction.atomic
def wlz_indication_end(
    *, indication: WlzIndication, end: date | None, actor: User | None
) -> WlzIndication:
    """End an open CIZ indication: ``end`` is the last day it is valid."""
    return _client_period_end(indication, end=end, actor=actor)


@transaction.atomic
def health_insurance_end(
    *, insurance: HealthInsurance, end: date | None, actor: User | None
) -> HealthInsurance:
    """End an open health insurance: ``end`` is the last day the client is insured with it."""
    return _client_period_end(insurance, end=end, actor=actor)


# --- legal representatives and the referral -----------------------------------------------


@transaction.atomic
def legal_representative_add(
    *,
    client: Client,
    name: str,
    relation: str,
    parental_authority: bool,
    actor: User | None,
    phone: str = "",
    email: str = "",
) -> LegalRepresentative:
    """Record a legal representative of the client (a parent, a guardian, someone else)."""
    representative = LegalRepresentative(
        client=client,
        name=name.strip(),
        relation=relation,
        parental_authority=parental_authority,
        phone=phone.strip(),
        email=email.strip(),
    )
    representative.full_clean()
    representative._history_user = actor
    representative.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=representative)
    return representative


@transaction.atomic
def referral_record(
    *,
    client: Client,
    kind: str,
    referred_on: date,
    actor: User | None,
    name: str = "",
    agb_code: str = "",
) -> Referral:
    """Record who referred the client (COD327) and when."""
    referral = Referral(
        client=client,
        kind=kind,
        referred_on=referred_on,
        name=name.strip(),
        agb_code=agb_code.strip(),
    )
    referral.full_clean()
    referral._history_user = actor
    referral.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=referral)
    return referral
