"""Each dashboard figure against an independent computation on the factory data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.factories import (
    ContractFactory,
    ParticipantFactory,
    PlacementFactory,
    UserFactory,
    coordinator_of,
    member_of,
)
from tests.reporting.conftest import add_hours
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.selectors import hours_awaiting_review
from tremplin.organisations.access import scope_for
from tremplin.procurement.progress import ProgressStatus
from tremplin.reporting import consolidation, selectors

VALIDATED = HoursStatus.VALIDATED


def test_facilitator_figures_match_an_independent_computation(territory, other_territory, today):
    facilitator = territory.structure.organisation
    dashboard = selectors.facilitator_dashboard(scope_for(territory.structure.user), today=today)
    figures = dashboard.figures

    with_clause = [contract for contract in territory.contracts if contract.hours_required > 0]
    assert figures.hours_validated == territory.hours(VALIDATED)
    assert figures.hours_declared == territory.hours(HoursStatus.DECLARED)
    assert figures.contracts_with_clause == len(with_clause) == 4
    assert figures.contracts == len(territory.contracts) == 5
    assert figures.hours_required == sum(contract.hours_required for contract in with_clause)
    assert figures.participants == len(territory.participants) == 5
    assert figures.buyers == len({contract.buyer_id for contract in territory.contracts}) == 2
    assert figures.hours_per_fte == facilitator.network.hours_per_fte
    assert [structure.name for structure in dashboard.structures] == [facilitator.name]


def test_declared_and_rejected_hours_are_not_realised(structure, today):
    contract = ContractFactory(facilitator=structure.organisation, hours=700)
    placement = PlacementFactory(contract=contract)
    add_hours(placement, [100])
    add_hours(placement, [40], HoursStatus.DECLARED, first_month=1)
    add_hours(placement, [60], HoursStatus.REJECTED, first_month=2)

    figures = selectors.facilitator_dashboard(scope_for(structure.user), today=today).figures

    assert figures.hours_validated == 100
    assert figures.hours_declared == 40


def test_hours_to_review_are_those_of_the_structures_participants(
    structure, other_structure, today
):
    """The card counts the review queue: the structure's participants' declared hours,
    even on another structure's contract, and never another structure's participants."""
    mine = ContractFactory(facilitator=structure.organisation, hours=700)
    theirs = ContractFactory(facilitator=other_structure.organisation, hours=700)
    own_participant = ParticipantFactory(facilitator=structure.organisation)
    other_participant = ParticipantFactory(facilitator=other_structure.organisation)
    add_hours(
        PlacementFactory(contract=mine, participant=own_participant), [40], HoursStatus.DECLARED
    )
    add_hours(
        PlacementFactory(contract=theirs, participant=own_participant), [25], HoursStatus.DECLARED
    )
    add_hours(
        PlacementFactory(contract=mine, participant=other_participant), [15], HoursStatus.DECLARED
    )
    scope = scope_for(structure.user)

    figures = selectors.facilitator_dashboard(scope, today=today).figures

    assert figures.hours_declared == 65
    queue = hours_awaiting_review(scope)
    assert figures.hours_declared == sum(entry.total_hours for entry in queue)


def test_another_structures_hours_do_not_count(territory, other_territory, today):
    mine = selectors.facilitator_dashboard(scope_for(territory.structure.user), today=today)
    theirs = selectors.facilitator_dashboard(scope_for(other_territory.structure.user), today=today)

    assert mine.figures.hours_validated == territory.hours(VALIDATED)
    assert theirs.figures.hours_validated == other_territory.hours(VALIDATED)
    assert {row.name for row in mine.buyers} == {buyer.name for buyer in territory.buyers}
    assert theirs.figures.participants == len(other_territory.participants)


def test_one_row_per_buyer_with_its_own_hours(territory, today):
    rows = selectors.facilitator_dashboard(scope_for(territory.structure.user), today=today).buyers

    assert len(rows) == len(territory.buyers)
    for row in rows:
        contracts = [c for c in territory.contracts if c.buyer_id == row.buyer_id]
        entries = [e for e in territory.entries if e.placement.contract.buyer_id == row.buyer_id]
        validated = sum((e.hours_worked for e in entries if e.status == VALIDATED), Decimal(0))
        assert row.contracts_with_clause == sum(1 for c in contracts if c.hours_required > 0)
        assert row.hours_required == sum(c.hours_required for c in contracts)
        assert row.hours_validated == validated
        assert row.share_realised == validated / row.hours_required
        assert row.fte == (validated / row.hours_per_fte).quantize(Decimal("0.1"), "ROUND_DOWN")


def test_fte_follows_the_network_convention(structure, today):
    network = structure.organisation.network
    network.hours_per_fte = 1820
    network.save()
    contract = ContractFactory(facilitator=structure.organisation, hours=300_000)
    placement = PlacementFactory(contract=contract)
    add_hours(placement, [8600] * 30)  # 258,000 hours, Mayotte's four years

    figures = selectors.facilitator_dashboard(scope_for(structure.user), today=today).figures

    assert figures.hours_validated == 258_000
    assert figures.whole_fte == 141
    assert figures.exact_fte == Decimal("141.76")


def test_contracts_are_counted_by_status_and_late_ones_listed(structure):
    today = datetime.date(2026, 7, 1)
    running = {
        "execution_start": datetime.date(2026, 1, 1),
        "execution_end": datetime.date(2026, 12, 31),
    }
    late = ContractFactory(facilitator=structure.organisation, hours=1000, **running)
    on_track = ContractFactory(facilitator=structure.organisation, hours=1000, **running)
    met = ContractFactory(facilitator=structure.organisation, hours=100, **running)
    ContractFactory(
        facilitator=structure.organisation,
        hours=100,
        execution_start=datetime.date(2027, 1, 1),
        execution_end=datetime.date(2027, 12, 31),
    )
    add_hours(PlacementFactory(contract=late), [100])
    add_hours(PlacementFactory(contract=on_track), [500])
    add_hours(PlacementFactory(contract=met), [100])

    statuses = selectors.facilitator_dashboard(scope_for(structure.user), today=today).statuses

    counts = {item.status: item.count for item in statuses.counts}
    assert counts == {
        ProgressStatus.NOT_STARTED: 1,
        ProgressStatus.ON_TRACK: 1,
        ProgressStatus.LATE: 1,
        ProgressStatus.MET: 1,
        ProgressStatus.EXCEEDED: 0,
    }
    assert [row.pk for row in statuses.late] == [late.pk]


def test_a_buyer_sees_only_its_contracts(territory, today):
    buyer = territory.buyers[0]
    user = member_of(buyer)
    dashboard = selectors.buyer_dashboard(scope_for(user), today=today)

    mine = [c for c in territory.contracts if c.buyer_id == buyer.pk and c.hours_required > 0]
    assert {row.pk for row in dashboard.contracts} == {c.pk for c in mine}
    assert dashboard.figures.hours_required == sum(c.hours_required for c in mine)
    assert dashboard.figures.hours_validated == sum(
        (
            e.hours_worked
            for e in territory.entries
            if e.status == VALIDATED and e.placement.contract.buyer_id == buyer.pk
        ),
        Decimal(0),
    )


def test_a_company_sees_the_contracts_it_holds(territory, today):
    contract = territory.contracts[0]
    user = member_of(contract.awarded_company)
    dashboard = selectors.company_dashboard(scope_for(user), today=today)

    assert [row.pk for row in dashboard.contracts] == [contract.pk]
    row = dashboard.contracts[0]
    validated = sum(
        (
            e.hours_worked
            for e in territory.entries
            if e.status == VALIDATED and e.placement.contract == contract
        ),
        Decimal(0),
    )
    assert row.hours_validated == validated
    assert row.hours_remaining == contract.hours_required - validated
    assert dashboard.hours_declared == 30


def test_the_network_dashboard_puts_every_structure_side_by_side(territory, other_territory):
    network = territory.structure.organisation.network
    coordinator = coordinator_of(network)
    [network_seen] = consolidation.coordinated_networks(scope_for(coordinator))

    dashboard = consolidation.network_dashboard(network_seen)

    rows = {row.name: row for row in dashboard.structures}
    for part in (territory, other_territory):
        row = rows[part.structure.organisation.name]
        assert row.hours_validated == part.hours(VALIDATED)
        assert row.participants == len(part.participants)
        assert row.buyers == len(part.buyers)
        assert row.contracts_with_clause == sum(1 for c in part.contracts if c.hours_required > 0)
        assert row.hours_required == sum(c.hours_required for c in part.contracts)
    total = dashboard.total
    assert total.hours_validated == territory.hours(VALIDATED) + other_territory.hours(VALIDATED)
    assert total.participants == len(territory.participants) + len(other_territory.participants)
    assert total.buyers == len(territory.buyers) + len(other_territory.buyers)
    assert total.hours_per_fte == network.hours_per_fte


@pytest.mark.django_db
def test_a_user_without_coordination_has_no_network():
    assert consolidation.coordinated_networks(scope_for(UserFactory())) == []
