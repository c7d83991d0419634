"""A municipality, two Jeugdwet clients and their care in October 2025; and a builder of the
municipality's answer (325) to a declaration we sent, written from the 3.2 structure."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from apps.accounts.models import Role
from apps.exchange.codes import MESSAGE_CODES
from apps.exchange.models import DeclarationRun
from apps.exchange.xml import (
    BASISSCHEMA_XSD_VERSION,
    MESSAGE_XSD_VERSION,
    header_build,
    kind_of,
    maker,
    serialise,
)
from apps.funding.models import Frequency, Funder, FunderKind, Unit
from apps.trajectories.assignment import allocation_register
from apps.trajectories.services import activity_log
from tests.accounts.factories import UserFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
OCTOBER = D(2025, 10, 1)


@dataclass
class World:
    funder: Funder
    organisation: object
    manager: object
    caseworker: object
    a: object  # trajectory of client A (per minute)
    b: object  # trajectory of client B (per hour)
    allocations: dict
    log: object


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    funder = Funder.objects.create(
        name="Gemeente Utrecht", kind=FunderKind.MUNICIPALITY, code="0344"
    )
    funder.streams.add(stream("jeugdwet"))
    a = TrajectoryFactory(start=D(2025, 1, 1), client__bsn="999999990")
    organisation = a.client.organisation
    lead = a.lead_caseworker
    b = TrajectoryFactory(
        start=D(2025, 1, 1),
        client__organisation=organisation,
        client__bsn="123456782",
        lead_caseworker=lead,
    )
    contract = ContractFactory(
        funder=funder, organisation=organisation, stream=stream("jeugdwet"), start=D(2025, 1, 1)
    )
    per_minute = ProductFactory(
        contract=contract, code="45A07", unit=Unit.MINUTE, tariff_cents=187, category="45"
    )
    per_hour = ProductFactory(
        contract=contract, code="46A01", unit=Unit.HOUR, tariff_cents=12345, category="46"
    )
    allocations = {}
    for name, trajectory, product, number in (
        ("a", a, per_minute, "1001"),
        ("b", b, per_hour, "1002"),
    ):
        allocations[name], _ = allocation_register(
            client=trajectory.client,
            product=product,
            number=number,
            volume=6000,
            frequency=Frequency.TOTAL,
            start=D(2025, 1, 1),
            end=D(2025, 12, 31),
            actor=lead,
        )

    def log(trajectory, day, minutes):
        return activity_log(
            trajectory=trajectory,
            domain="care",
            kind="treatment_session",
            date=day,
            duration_minutes=minutes,
            performed_by=lead,
            actor=lead,
        )

    log(a, D(2025, 10, 6), 45)
    log(a, D(2025, 10, 20), 50)
    log(b, D(2025, 10, 7), 60)
    log(b, D(2025, 10, 21), 60)
    log(b, D(2025, 11, 4), 60)  # another month
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    return World(funder, organisation, manager, lead, a, b, allocations, log)


def answer_325(
    run: DeclarationRun,
    *,
    rejected: dict[str, list[str]] | None = None,
    header_codes: tuple[str, ...] = ("0200",),
    identification: str = "A325000001",
) -> bytes:
    """The municipality's 325 to ``run`` (IV087): the lines in ``rejected`` with their codes,
    their clients with 0200; the accepted lines are left out."""
    rejected = rejected or {}
    standard, kind = run.standard, kind_of(run.standard, "325")
    m, b = maker(standard, kind)
    header = header_build(
        standard=standard,
        kind=kind,
        message_code=MESSAGE_CODES[kind],
        sender=run.funder.code,
        receiver=run.organisation.agb_code,
        identification=identification,
        dated=D(2025, 11, 20),
    )
    header.append(
        m.DeclaratieIdentificatie(
            b.Identificatie(run.message.identification),
            b.Dagtekening(run.message.dated.isoformat()),
        )
    )
    header.append(
        m.XsdVersieDeclaratie(
            b.BasisschemaXsdVersie(BASISSCHEMA_XSD_VERSION),
            b.BerichtXsdVersie(MESSAGE_XSD_VERSION),
        )
    )
    header.append(m.RetourCodes(*[m.RetourCode(code) for code in header_codes]))

    def amount(name, cents, dc="D"):
        # CDT_BedragMetDC holds Bedrag; the totals (CDT_TotaalBedragMetDC) hold TotaalBedrag.
        figure = b.TotaalBedrag if name.startswith("Totaal") else b.Bedrag
        return getattr(m, name)(figure(str(cents)), b.DebetCredit(dc))

    clients = {}
    granted = 0
    for line in run.lines.select_related("client", "allocation", "product").order_by("pk"):
        if line.reference not in rejected:
            granted += line.signed_cents
            continue
        reference = m.ProductReferentie(b.ReferentieNummer(line.reference))
        if line.previous_reference:
            reference.append(b.VorigReferentieNummer(line.previous_reference))
        prestatie = m.Prestatie(
            reference,
            m.ToewijzingNummer(line.allocation.number),
            m.ProductCategorie(line.product.category),
            m.ProductCode(line.product.code),
            m.ProductPeriode(
                b.Begindatum(line.period_start.isoformat()),
                b.Einddatum(line.period_end.isoformat()),
            ),
            m.GeleverdVolume(str(line.volume)),
            m.Eenheid(line.unit),
            m.ProductTarief(str(line.tariff_cents)),
            amount("IngediendBedrag", line.amount_cents, line.debit_credit),
            m.RetourCodes(*[m.RetourCode(code) for code in rejected[line.reference]]),
        )
        clients.setdefault(line.client.bsn, []).append(prestatie)
    body = [
        m.DeclaratieNummer(run.number),
        amount("TotaalIngediendBedrag", abs(run.total_cents)),
        amount("TotaalToegekendBedrag", max(granted, 0)),
    ]
    if clients:
        body.append(
            m.Clienten(
                *[
                    m.Client(m.Bsn(bsn), m.Prestaties(*lines), m.RetourCodes(m.RetourCode("0200")))
                    for bsn, lines in clients.items()
                ]
            )
        )
    body.append(m.RetourCodes(m.RetourCode("0200" if clients else "8001")))
    return serialise(m.Bericht(header, m.DeclaratieAntwoord(*body)))
