"""A municipality with a contract with the provider, and synthetic 301s for it."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from apps.accounts.models import Organisation
from apps.exchange.incoming import message_receive
from apps.exchange.models import Standard
from apps.exchange.synthetic import jw301_file
from apps.funding.models import Contract, Funder, FunderKind, Product, Unit
from tests.accounts.factories import OrganisationFactory
from tests.funding.factories import ContractFactory, FunderFactory, ProductFactory, stream

DATED = datetime.date(2026, 11, 2)
START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 12, 31)
BSN = "999993653"
UNKNOWN_BSN = "111222333"
BIRTH = datetime.date(2012, 3, 4)
_numbers = itertools.count(1)


@dataclass
class Setting:
    organisation: Organisation
    funder: Funder
    contract: Contract
    product: Product  # 45/45A01, minutes
    standard: str

    def file(
        self, products: list[dict], *, bsn: str = BSN, identification: str = "", relations: int = 0
    ) -> bytes:
        return jw301_file(
            standard=self.standard,
            municipality_code=self.funder.code,
            agb_code=self.organisation.agb_code,
            identification=identification or f"M{next(_numbers):06d}",
            dated=DATED,
            bsn=bsn,
            birth_date=BIRTH,
            products=products,
            relations=relations,
        )

    def receive(self, products: list[dict], *, actor=None, **kwargs):
        return message_receive(
            organisation=self.organisation,
            filename="in.xml",
            content=self.file(products, **kwargs),
            actor=actor,
        )


def setting(standard: str = Standard.IJW, code: str = "0344") -> Setting:
    organisation = OrganisationFactory()
    funder = Funder.objects.filter(kind=FunderKind.MUNICIPALITY, code=code).first() or (
        FunderFactory(code=code, name=f"Gemeente {code}")
    )
    contract = ContractFactory(
        funder=funder,
        organisation=organisation,
        stream=stream("jeugdwet" if standard == Standard.IJW else "wmo"),
    )
    product = ProductFactory(contract=contract, category="45", code="45A01", unit=Unit.MINUTE)
    return Setting(organisation, funder, contract, product, standard)


def specific(number: str, **overrides) -> dict:
    line = {
        "number": number,
        "category": "45",
        "code": "45A01",
        "start": START,
        "end": END,
        "volume": 600,
        "unit": "01",
        "frequency": "6",
    }
    line.update(overrides)
    return line
