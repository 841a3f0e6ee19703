"""The "À traiter" panel: each alert compared with a computation made here, by hand, on
the factory data; a structure never sees another's alerts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from tests.conftest import Structure
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    HoursEntryFactory,
    ParticipantFactory,
    PlacementFactory,
)
from tremplin.inclusion.enums import CriterionStatus, HoursStatus
from tremplin.inclusion.models import EligibilityCriterion, ParticipantCriterion, Placement
from tremplin.organisations.access import scope_for
from tremplin.reporting.alerts import alerts_for, french_month

TODAY = datetime.date(2026, 11, 22)
OCTOBER, SEPTEMBER, AUGUST = (
    datetime.date(2026, 10, 1),
    datetime.date(2026, 9, 1),
    datetime.date(2026, 8, 1),
)
CHECKED_MONTHS = [OCTOBER, SEPTEMBER, AUGUST]


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def alerts_of(structure: Structure, today: datetime.date = TODAY):  # type: ignore[no-untyped-def]
    return alerts_for(scope_for(structure.user), today=today)


def year_contract(structure: Structure, hours: int = 3640, **fields: object):  # type: ignore[no-untyped-def]
    return ContractFactory(
        facilitator=structure.organisation,
        hours=hours,
        execution_start=datetime.date(2026, 1, 1),
        execution_end=datetime.date(2026, 12, 31),
        **fields,
    )


def criterion(code: str = "rsa") -> EligibilityCriterion:
    return EligibilityCriterion.objects.get(code=code)


# --- Late contracts ------------------------------------------------------------------


def test_a_late_contract_is_listed_with_its_shortfall(structure, other_structure):
    late = year_contract(structure)
    placement = PlacementFactory(contract=late, start_date=datetime.date(2026, 1, 1))
    HoursEntryFactory(placement=placement, month=datetime.date(2026, 1, 1), hours_worked=1000)
    # On track: 3,000 of the 3,250 hours expected (more than 90 %).
    on_track = year_contract(structure)
    HoursEntryFactory(
        placement=PlacementFactory(contract=on_track),
        month=datetime.date(2026, 1, 1),
        hours_worked=3000,
    )
    year_contract(other_structure)  # late, but another structure's

    alerts = alerts_of(structure)

    # 3,640 h over 364 days; 325 days gone by on 22/11/2026: 3,250 h expected.
    elapsed = (TODAY - datetime.date(2026, 1, 1)).days
    expected = (
        Decimal(3640) * elapsed / (datetime.date(2026, 12, 31) - datetime.date(2026, 1, 1)).days
    )
    assert [row.pk for row in alerts.late] == [late.pk]
    assert alerts.late[0].shortfall == expected - 1000 == Decimal(2250)


# --- Missing declarations ------------------------------------------------------------


def test_months_without_declaration_are_grouped_by_contract_and_employer(
    structure, other_structure
):
    contract = year_contract(structure)
    subcontractor = CompanyFactory(network=structure.organisation.network, name="Lagon BTP")
    placements = [
        # Declared September only: October and August are missing.
        PlacementFactory(contract=contract, start_date=datetime.date(2026, 1, 5), end_date=None),
        # Nothing declared at all.
        PlacementFactory(contract=contract, start_date=datetime.date(2026, 2, 1), end_date=None),
        # Started in October: only October is due.
        PlacementFactory(contract=contract, start_date=datetime.date(2026, 10, 15), end_date=None),
        # Ended in August: only August is due.
        PlacementFactory(
            contract=contract,
            start_date=datetime.date(2026, 3, 1),
            end_date=datetime.date(2026, 8, 20),
        ),
        # Started this month: nothing is due yet.
        PlacementFactory(contract=contract, start_date=datetime.date(2026, 11, 2), end_date=None),
        # Ended in June: nothing due in the months checked.
        PlacementFactory(
            contract=contract,
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 6, 30),
        ),
        # Another employer on the same contract, all months declared but August.
        PlacementFactory(
            contract=contract,
            employer=subcontractor,
            start_date=datetime.date(2026, 1, 1),
            end_date=None,
        ),
    ]
    HoursEntryFactory(placement=placements[0], month=SEPTEMBER)
    # Rejected hours are still a declaration.
    HoursEntryFactory(
        placement=placements[6],
        month=OCTOBER,
        status=HoursStatus.REJECTED,
        rejection_reason="Illisible",
    )
    HoursEntryFactory(placement=placements[6], month=SEPTEMBER, status=HoursStatus.DECLARED)
    # Another structure's silent placement.
    PlacementFactory(contract=year_contract(other_structure), end_date=None)

    expected: dict[tuple[int, int, datetime.date], int] = {}
    for placement in Placement.objects.filter(contract__facilitator=structure.organisation):
        declared = set(placement.hours_entries.values_list("month", flat=True))
        for month in CHECKED_MONTHS:
            running = placement.start_date <= month_end(month) and (
                placement.end_date is None or placement.end_date >= month
            )
            if running and month not in declared:
                key = (placement.contract_id, placement.employer_id, month)
                expected[key] = expected.get(key, 0) + 1

    alerts = alerts_of(structure)

    found = {(m.contract_id, m.employer_id, m.month): m.placements for m in alerts.missing}
    assert found == expected
    assert expected[(contract.pk, contract.awarded_company_id, OCTOBER)] == 3
    assert expected[(contract.pk, subcontractor.pk, AUGUST)] == 1
    assert (
        f"Lagon BTP n'a rien déclaré pour août 2026 sur 1 mise en emploi du marché "
        f"{contract.reference}"
    ) in [m.sentence for m in alerts.missing]


def test_only_the_last_three_months_are_checked(structure):
    contract = year_contract(structure)
    PlacementFactory(contract=contract, start_date=datetime.date(2026, 1, 1), end_date=None)

    months = {m.month for m in alerts_of(structure).missing}

    assert months == set(CHECKED_MONTHS)
    assert french_month(OCTOBER) == "octobre 2026"


# --- Evidence ------------------------------------------------------------------------


def test_lapsing_and_lapsed_evidence_of_working_participants(structure, other_structure):
    today = timezone.localdate()
    contract = ContractFactory(
        facilitator=structure.organisation,
        hours=100,
        execution_start=today - datetime.timedelta(days=200),
        execution_end=today + datetime.timedelta(days=200),
    )
    working = PlacementFactory(contract=contract, end_date=None).participant
    gone = PlacementFactory(
        contract=contract, end_date=today - datetime.timedelta(days=5)
    ).participant
    unplaced = ParticipantFactory(facilitator=structure.organisation)

    def add(participant, code, valid_until, status=CriterionStatus.CONFIRMED):  # type: ignore[no-untyped-def]
        return ParticipantCriterion.objects.create(
            participant=participant,
            criterion=criterion(code),
            evidence="Attestation",
            checked_on=today - datetime.timedelta(days=300),
            valid_until=valid_until,
            status=status,
            refusal_reason="Illisible" if status == CriterionStatus.REFUSED else "",
        )

    created = [
        add(working, "rsa", today + datetime.timedelta(days=10)),  # lapsing
        add(working, "qpv_resident", today - datetime.timedelta(days=3)),  # lapsed
        add(working, "ass", today + datetime.timedelta(days=40)),  # later
        add(working, "rqth", None),  # never lapses
        add(working, "long_term_job_seeker", today, CriterionStatus.REFUSED),  # refused
        add(gone, "rsa", today + datetime.timedelta(days=1)),  # no longer working
        add(unplaced, "rsa", today + datetime.timedelta(days=1)),  # never placed
    ]
    other_working = PlacementFactory(
        contract=ContractFactory(facilitator=other_structure.organisation),
        end_date=None,
        start_date=today - datetime.timedelta(days=10),
    ).participant
    add(other_working, "rsa", today)

    running_ids = {
        p.participant_id
        for p in Placement.objects.filter(participant__facilitator=structure.organisation)
        if p.start_date <= today and (p.end_date is None or p.end_date >= today)
    }
    expected = {
        item.pk
        for item in created
        if item.participant_id in running_ids
        and item.valid_until is not None
        and item.valid_until <= today + datetime.timedelta(days=30)
        and item.status != CriterionStatus.REFUSED
    }

    alerts = alerts_of(structure, today)

    assert {item.criterion_id for item in alerts.lapsing} == expected
    assert alerts.lapsing_count == 2
    assert [item.lapsed for item in alerts.lapsing] == [True, False]


# --- Queues --------------------------------------------------------------------------


def test_criteria_to_check_and_hours_to_review_are_counted(structure, other_structure):
    today = timezone.localdate()
    for owner, count in ((structure, 2), (other_structure, 1)):
        contract = ContractFactory(facilitator=owner.organisation, hours=100)
        for index in range(count):
            placement = PlacementFactory(contract=contract)
            ParticipantCriterion.objects.create(
                participant=placement.participant,
                criterion=criterion(),
                evidence="Attestation",
                checked_on=today,
                status=CriterionStatus.TO_CHECK,
            )
            HoursEntryFactory(
                placement=placement, status=HoursStatus.DECLARED, hours_worked=10 + index
            )
            HoursEntryFactory(
                placement=placement,
                month=(placement.start_date.replace(day=1) + datetime.timedelta(days=40)).replace(
                    day=1
                ),
            )

    alerts = alerts_of(structure, today)

    assert alerts.criteria_to_check == 2
    assert alerts.hours_to_review == 2
    assert alerts.hours_to_review_total == Decimal(21)


# --- The home page -------------------------------------------------------------------


def test_the_panel_shows_each_alert_with_its_link(structure, other_structure):
    today = timezone.localdate()
    start = today.replace(day=1) - datetime.timedelta(days=400)
    contract = ContractFactory(
        facilitator=structure.organisation,
        hours=5000,
        execution_start=start,
        execution_end=today + datetime.timedelta(days=300),
    )
    placement = PlacementFactory(contract=contract, start_date=start, end_date=None)
    ParticipantCriterion.objects.create(
        participant=placement.participant,
        criterion=criterion(),
        evidence="Attestation",
        checked_on=today - datetime.timedelta(days=100),
        valid_until=today + datetime.timedelta(days=5),
        status=CriterionStatus.TO_CHECK,
    )
    HoursEntryFactory(placement=placement, month=start.replace(day=1), status=HoursStatus.DECLARED)
    other = ContractFactory(
        facilitator=other_structure.organisation, hours=5000, reference="AUTRE-1"
    )
    PlacementFactory(contract=other, end_date=None)

    page = unescape(structure.client.get("/").content.decode())
    panel = page[page.index('id="a-traiter"') : page.index('id="chiffres-cles"')]
    text = " ".join(re.sub(r"<[^>]+>", " ", panel).split())

    assert "À traiter" in text
    assert "/marches/?status=late" in page
    assert "1 marché en retard" in text
    assert f"/marches/{contract.pk}/" in page
    assert "n'a rien déclaré pour" in page
    assert f"/participants/{placement.participant.pk}/" in page
    assert "1 critère d'éligibilité à vérifier" in text
    assert "/eligibilite/a-verifier/" in page
    assert "1 mois d'heures déclarés à valider" in text
    assert "AUTRE-1" not in page


def test_nothing_to_deal_with_is_said(structure):
    page = unescape(structure.client.get("/").content.decode())

    assert "Rien à traiter aujourd'hui." in page


@pytest.mark.parametrize("size", [1, 5])
def test_the_alerts_do_not_query_per_contract(structure, size, django_assert_max_num_queries):
    for _index in range(size):
        contract = year_contract(structure)
        PlacementFactory(contract=contract, start_date=datetime.date(2026, 1, 1), end_date=None)
    scope = scope_for(structure.user)

    # Contract rows read their lot clauses in one more query, whatever their number.
    with django_assert_max_num_queries(7):
        alerts = alerts_for(scope, today=TODAY)

    assert len(alerts.late) == size
