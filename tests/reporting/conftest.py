"""A small territory for the dashboards: two structures, their buyers, contracts and hours.

Every figure the dashboards show can be recomputed here from the objects themselves,
independently of the selectors under test.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from tests.conftest import Structure
from tests.factories import (
    BuyerFactory,
    ContractFactory,
    HoursEntryFactory,
    ParticipantFactory,
    PlacementFactory,
)
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import HoursEntry, Participant, Placement
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract


def month(index: int, start: datetime.date) -> datetime.date:
    """The first day of the ``index``-th month after ``start``'s month."""
    year, month_number = divmod(start.month - 1 + index, 12)
    return datetime.date(start.year + year, month_number + 1, 1)


def add_hours(
    placement: Placement,
    amounts: list[int | Decimal],
    status: str = HoursStatus.VALIDATED,
    first_month: int = 0,
) -> list[HoursEntry]:
    """One entry per month, from the placement's start month on."""
    entries = []
    for offset, amount in enumerate(amounts):
        entries.append(
            HoursEntryFactory(
                placement=placement,
                month=month(first_month + offset, placement.start_date),
                hours_worked=Decimal(amount),
                status=status,
                rejection_reason="Heures non justifiées" if status == HoursStatus.REJECTED else "",
            )
        )
    return entries


@dataclass
class Territory:
    """What a structure's dashboard is made of, kept for independent recomputation."""

    structure: Structure
    buyers: list[Organisation] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    entries: list[HoursEntry] = field(default_factory=list)

    def hours(self, status: str) -> Decimal:
        return sum(
            (
                entry.hours_worked + entry.training_hours
                for entry in self.entries
                if entry.status == status
            ),
            Decimal(0),
        )


def build_territory(
    structure: Structure, *, buyers: int = 2, contracts_per_buyer: int = 2, today: datetime.date
) -> Territory:
    """Contracts running from a year ago to a year ahead, with validated, declared and
    rejected hours, a contract without a clause and a participant without placement."""
    territory = Territory(structure=structure)
    facilitator = structure.organisation
    start = month(-12, today)
    for buyer_index in range(buyers):
        buyer = BuyerFactory(
            network=facilitator.network,
            facilitator=facilitator,
            name=f"Commune {structure.organisation.name} {buyer_index + 1}",
        )
        territory.buyers.append(buyer)
        for contract_index in range(contracts_per_buyer):
            contract = ContractFactory(
                facilitator=facilitator,
                buyer=buyer,
                hours=1000 * (contract_index + 1),
                execution_start=start,
                execution_end=month(24, start) - datetime.timedelta(days=1),
            )
            territory.contracts.append(contract)
            placement = PlacementFactory(contract=contract)
            territory.participants.append(placement.participant)
            territory.entries += add_hours(placement, [100, 50 + contract_index])
            territory.entries += add_hours(placement, [30], HoursStatus.DECLARED, first_month=2)
            territory.entries += add_hours(placement, [70], HoursStatus.REJECTED, first_month=3)
    # A contract whose clause is not computed yet: no hours required.
    territory.contracts.append(
        ContractFactory(
            facilitator=facilitator,
            buyer=territory.buyers[0],
            execution_start=start,
            execution_end=month(12, start),
        )
    )
    # A participant followed but not yet placed.
    territory.participants.append(ParticipantFactory(facilitator=facilitator))
    return territory


@pytest.fixture
def today() -> datetime.date:
    return datetime.date.today()


@pytest.fixture
def territory(structure, today) -> Territory:  # type: ignore[no-untyped-def]
    return build_territory(structure, today=today)


@pytest.fixture
def other_territory(other_structure, today) -> Territory:  # type: ignore[no-untyped-def]
    return build_territory(other_structure, buyers=1, contracts_per_buyer=3, today=today)
