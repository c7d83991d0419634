"""The writes of the Zvw route: each one validates, keeps history with the acting user, logs
the change of a client's record, and lets waiting GGZ care be matched again (docs/zvw.md)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessEvent
from apps.audit.services import access_log_write
from apps.clients.models import Client
from apps.trajectories.assignment import unfunded_rematch
from apps.trajectories.models import Activity

from .models import (
    CareDemandTyping,
    ConsultParticipant,
    ContractTariff,
    InsurerContract,
    MaxTariff,
    PractitionerProfile,
    ZvwRoute,
)

ROUTE_FIELDS = (
    "uzovi",
    "policy_number",
    "insurance_checked_on",
    "referrer_name",
    "referrer_agb",
    "referral_type",
    "referral_date",
    "regiebehandelaar",
)


@transaction.atomic
def zvw_route_save(*, client: Client, actor: User, **fields) -> tuple[ZvwRoute, list[Activity]]:
    """Record or change the client's Zvw route; GGZ care that waited for it is matched again.
    Returns the route and the activities now paid."""
    unknown = set(fields) - set(ROUTE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown route fields: {sorted(unknown)}")
    route = ZvwRoute.objects.select_for_update().filter(client=client).first()
    created = route is None
    if route is None:
        route = ZvwRoute(client=client)
    for name, value in fields.items():
        setattr(route, name, value)
    regiebehandelaar = fields.get("regiebehandelaar")
    if regiebehandelaar is not None and regiebehandelaar.organisation_id != client.organisation_id:
        raise ValidationError(
            {"regiebehandelaar": _("The regiebehandelaar must work for the client's organisation.")}
        )
    if route.referral_date and route.referral_date > timezone.localdate():
        raise ValidationError({"referral_date": _("The referral date lies in the future.")})
    route.full_clean()
    route._history_user = actor
    route.save()
    access_log_write(
        actor=actor,
        event=AccessEvent.CREATE if created else AccessEvent.CHANGE,
        client=client,
        obj=route,
    )
    return route, unfunded_rematch(client=client, actor=actor)


@transaction.atomic
def care_demand_typing_record(
    *, client: Client, care_demand_type: str, measured_on: date, actor: User
) -> tuple[CareDemandTyping, list[Activity]]:
    """Record a care-demand typing (zorgvraagtypering); treatment that waited for it is
    matched again."""
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": _("The typing cannot be measured in the future.")})
    typing = CareDemandTyping(
        client=client,
        care_demand_type=care_demand_type.strip().upper(),
        measured_on=measured_on,
        recorded_by=actor,
    )
    typing.full_clean()
    typing._history_user = actor
    typing.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=typing)
    return typing, unfunded_rematch(client=client, actor=actor)


@transaction.atomic
def consult_participant_add(*, activity: Activity, user: User, actor: User) -> ConsultParticipant:
    """Record a practitioner present at a consult beside the one who logged it."""
    client = activity.trajectory.client
    if user.organisation_id != client.organisation_id:
        raise ValidationError(
            {"user": _("The practitioner must work for the client's organisation.")}
        )
    if user.pk == activity.performed_by_id:
        raise ValidationError({"user": _("Who logged the consult is already counted.")})
    if ConsultParticipant.objects.filter(activity=activity, user=user).exists():
        raise ValidationError({"user": _("This practitioner is already recorded as present.")})
    participant = ConsultParticipant(activity=activity, user=user)
    participant._history_user = actor
    participant.save()
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=client, obj=activity)
    return participant


@transaction.atomic
def practitioner_profile_set(
    *, user: User, profession: str, agb_code: str = "", actor: User
) -> PractitionerProfile:
    """Set a worker's profession (and personal AGB code) for the zorgprestatiemodel."""
    profile = PractitionerProfile.objects.filter(user=user).first() or PractitionerProfile(
        user=user
    )
    profile.profession = profession
    profile.agb_code = agb_code
    profile.full_clean()
    profile._history_user = actor
    profile.save()
    return profile


# --- tariffs --------------------------------------------------------------------------------


@transaction.atomic
def max_tariff_set(*, year: int, prestatie: str, code: str, cents: int, actor: User) -> MaxTariff:
    """Record the NZa's maximum tariff (and prestatie code) of a prestatie for a year."""
    tariff = MaxTariff.objects.filter(year=year, prestatie=prestatie).first() or MaxTariff(
        year=year, prestatie=prestatie
    )
    tariff.code = code
    tariff.cents = cents
    tariff.full_clean()
    tariff._history_user = actor
    tariff.save()
    return tariff


@transaction.atomic
def insurer_contract_create(
    *, organisation, uzovi: str, year: int, reference: str, actor: User
) -> InsurerContract:
    """Record the organisation's contract with an insurer for a year."""
    contract = InsurerContract(
        organisation=organisation, uzovi=uzovi, year=year, reference=reference
    )
    contract.full_clean()
    contract._history_user = actor
    contract.save()
    return contract


@transaction.atomic
def contract_tariff_set(
    *, contract: InsurerContract, prestatie: str, cents: int, actor: User
) -> ContractTariff:
    """Record the tariff agreed with the insurer for a prestatie (at most 10% above the
    maximum tariff)."""
    tariff = ContractTariff.objects.filter(contract=contract, prestatie=prestatie).first()
    if tariff is None:
        tariff = ContractTariff(contract=contract, prestatie=prestatie)
    tariff.cents = cents
    tariff.full_clean()
    tariff._history_user = actor
    tariff.save()
    return tariff
