"""The indicators: each figure against an independent count of the factory data, scoped."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Structure
from tests.factories import (
    BuyerFactory,
    ContractFactory,
    HoursEntryFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlacementFactory,
    coordinator_of,
    member_of,
)
from tremplin.inclusion.enums import (
    CriterionStatus,
    ExecutionMode,
    HoursStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.models import EligibilityCriterion, HoursEntry, ParticipantCriterion
from tremplin.organisations.access import scope_for
from tremplin.reporting.indicators import (
    ImpactReport,
    ReportFilters,
    impact_report,
    report_contracts,
)

TODAY = datetime.date(2026, 6, 15)
D = datetime.date
URL = "/impact/indicateurs/"


@dataclass
class World:
    structure: Structure
    other: Structure
    entries: list[HoursEntry]  # every entry created, of both structures
    contracts: dict[str, object]
    buyers: dict[str, object]
    people: dict[str, object]


def _criterion(participant, code: str, status: str = CriterionStatus.CONFIRMED) -> None:  # type: ignore[no-untyped-def]
    ParticipantCriterion.objects.create(
        participant=participant,
        criterion=EligibilityCriterion.objects.get(code=code),
        evidence="Attestation",
        checked_on=D(2025, 1, 10),
        status=status,
    )


def _entry(placement, month: datetime.date, hours: int, status=HoursStatus.VALIDATED):  # type: ignore[no-untyped-def]
    return HoursEntryFactory(
        placement=placement,
        month=month,
        hours_worked=Decimal(hours),
        status=status,
        rejection_reason="Non justifiées" if status == HoursStatus.REJECTED else "",
    )


@pytest.fixture
def world(structure, other_structure) -> World:  # type: ignore[no-untyped-def]
    mine = structure.organisation
    b1 = BuyerFactory(network=mine.network, facilitator=mine, name="Commune d'Acoua")
    b2 = BuyerFactory(network=mine.network, facilitator=mine, name="Commune de Bandrélé")
    b3 = BuyerFactory(
        network=mine.network, facilitator=other_structure.organisation, name="Ville du Sud"
    )
    a = ContractFactory(facilitator=mine, buyer=b1, hours=1200)
    b = ContractFactory(
        facilitator=mine,
        buyer=b2,
        hours=600,
        execution_start=D(2025, 4, 1),
        execution_end=D(2025, 9, 30),
    )
    c = ContractFactory(facilitator=other_structure.organisation, buyer=b3, hours=900)
    p1 = ParticipantFactory(facilitator=mine, sex="F", birth_date=D(1999, 3, 1), qpv_resident=True)
    p2 = ParticipantFactory(
        facilitator=mine, sex="M", birth_date=D(1970, 7, 1), qualification_level="3"
    )
    p3 = ParticipantFactory(facilitator=mine, sex="M", birth_date=D(1985, 1, 1))
    secret = ParticipantFactory(
        facilitator=other_structure.organisation, sex="F", birth_date=D(2001, 1, 1)
    )
    _criterion(p1, "rsa")
    _criterion(p1, "long_term_job_seeker")
    _criterion(p2, "rqth", CriterionStatus.TO_CHECK)  # not yet confirmed: never counted
    _criterion(secret, "rsa")
    pl1 = PlacementFactory(contract=a, participant=p1, execution_mode=ExecutionMode.DIRECT_CDD)
    pl2 = PlacementFactory(contract=b, participant=p2, execution_mode=ExecutionMode.PROVISION_ETTI)
    pl3 = PlacementFactory(contract=a, participant=p3)
    pl4 = PlacementFactory(contract=c, participant=secret)
    entries = [
        _entry(pl1, D(2025, 2, 1), 100),
        _entry(pl1, D(2025, 3, 1), 80),
        _entry(pl1, D(2026, 1, 1), 50),
        _entry(pl2, D(2025, 4, 1), 120),
        _entry(pl2, D(2025, 5, 1), 40, HoursStatus.REJECTED),
        _entry(pl3, D(2025, 3, 1), 60, HoursStatus.DECLARED),
        _entry(pl4, D(2025, 3, 1), 500),
    ]
    OutcomeFactory(
        placement=pl1,
        exit_date=D(2025, 6, 1),
        observed_on=D(2025, 6, 1),
        situation=OutcomeSituation.DURABLE_CDI,
    )
    OutcomeFactory(
        placement=pl2,
        moment=OutcomeMoment.SIX_MONTHS,
        exit_date=D(2025, 4, 30),
        observed_on=D(2025, 11, 2),
        situation=OutcomeSituation.TRANSITION_JOB,
    )
    OutcomeFactory(placement=pl4, exit_date=D(2025, 6, 1), observed_on=D(2025, 6, 1))
    return World(
        structure=structure,
        other=other_structure,
        entries=entries,
        contracts={"a": a, "b": b, "c": c},
        buyers={"b1": b1, "b2": b2, "b3": b3},
        people={"p1": p1, "p2": p2, "p3": p3, "secret": secret},
    )


def _report(structure: Structure, filters: ReportFilters | None = None) -> ImpactReport:
    return impact_report(
        report_contracts(scope_for(structure.user)),
        filters=filters or ReportFilters(),
        hours_per_fte=1607,
        today=TODAY,
    )


def _validated(world: World, facilitator, start=None, end=None):  # type: ignore[no-untyped-def]
    """The validated entries of a structure's contracts in a period: the reference count."""
    return [
        entry
        for entry in world.entries
        if entry.status == HoursStatus.VALIDATED
        and entry.placement.contract.facilitator_id == facilitator.pk
        and (start is None or entry.month >= start.replace(day=1))
        and (end is None or entry.month <= end)
    ]


def _bars(series) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {bar.key: bar.value for bar in series.bars}


def test_each_figure_matches_an_independent_count(world):  # type: ignore[no-untyped-def]
    report = _report(world.structure)
    mine = _validated(world, world.structure.organisation)
    assert report.hours_validated == sum(entry.total_hours for entry in mine) == 350
    assert report.contracts_with_clause == 2
    assert report.hours_required == 1800
    assert report.buyers == 2
    people = {entry.placement.participant_id for entry in mine}
    assert report.participants == len(people) == 2
    assert report.employment_contracts == 3  # p1, p2 and p3 started on the contracts
    by_buyer: dict[str, Decimal] = {}
    for entry in mine:
        key = str(entry.placement.contract.buyer_id)
        by_buyer[key] = by_buyer.get(key, Decimal(0)) + entry.total_hours
    assert _bars(report.hours_by_buyer) == by_buyer
    assert _bars(report.hours_by_mode) == {"direct_cdd": 230, "provision_etti": 120}
    # p1 holds two confirmed criteria: her 230 hours count in each; p2's is to check.
    assert _bars(report.hours_by_public) == {"rsa": 230, "long_term_job_seeker": 230}
    assert report.hours_by_public.note
    assert _bars(report.participants_by_criterion) == {"rsa": 1, "long_term_job_seeker": 1}
    assert _bars(report.participants_by_sex) == {"F": 1, "M": 1}
    # Ages on TODAY: p1 is 27, p2 is 55.
    assert _bars(report.participants_by_age_band) == {"under_26": 0, "26_49": 1, "50_plus": 1}
    assert _bars(report.participants_by_qpv) == {"yes": 1, "no": 1}
    assert _bars(report.participants_by_qualification)["3"] == 1
    assert _bars(report.participants_by_qualification)["none"] == 1
    assert _bars(report.outcomes_at_exit)["durable_job"] == 1
    assert report.outcomes_at_exit.total == 1
    assert _bars(report.outcomes_at_six_months)["transition_job"] == 1
    assert report.whole_fte == 0
    assert report.exact_fte == Decimal("0.22")


def test_months_hold_realised_and_expected_hours(world):  # type: ignore[no-untyped-def]
    report = _report(world.structure, ReportFilters(start=D(2025, 1, 1), end=D(2025, 12, 31)))
    months = {point.month: point for point in report.hours_by_month}
    assert len(months) == 12
    assert months[D(2025, 2, 1)].realised == 100
    assert months[D(2025, 3, 1)].realised == 80  # declared hours never count
    assert months[D(2025, 5, 1)].realised == 0  # rejected hours never count
    # Contract b (600 h over April to September 2025) is wholly expected in the year;
    # contract a (1,200 h from February 2025 to January 2026) almost wholly.
    expected = sum(point.expected for point in report.hours_by_month)
    assert Decimal(1700) < expected < Decimal(1800)
    assert months[D(2025, 1, 1)].expected == 0


def test_the_period_filters_hours_people_and_outcomes(world):  # type: ignore[no-untyped-def]
    report = _report(world.structure, ReportFilters(start=D(2026, 1, 1), end=D(2026, 12, 31)))
    assert report.hours_validated == 50
    assert report.participants == 1
    assert report.contracts_with_clause == 1  # contract b ended in 2025
    assert report.outcomes_at_exit.total == 0
    assert report.employment_contracts == 0


def test_buyer_and_contract_filters(world):  # type: ignore[no-untyped-def]
    b2 = world.buyers["b2"]
    report = _report(world.structure, ReportFilters(buyer_ids=frozenset({b2.pk})))
    assert report.hours_validated == 120
    assert [bar.label for bar in report.hours_by_buyer.bars] == ["Commune de Bandrélé"]
    a = world.contracts["a"]
    report = _report(world.structure, ReportFilters(contract_ids=frozenset({a.pk})))
    assert report.hours_validated == 230


def test_another_structure_never_appears(world):  # type: ignore[no-untyped-def]
    report = _report(world.structure)
    assert "Ville du Sud" not in {bar.label for bar in report.hours_by_buyer.bars}
    assert report.participants == 2
    # Even when asked for by id, another structure's contract gives nothing.
    c = world.contracts["c"]
    report = _report(world.structure, ReportFilters(contract_ids=frozenset({c.pk})))
    assert report.hours_validated == 0
    assert report.participants == 0


def test_the_page_shows_the_figures_with_links(world, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(25):
        response = world.structure.client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "350" in page
    assert "Toute la période" in page
    assert 'role="img"' in page
    assert "Voir les données" in page
    b1 = world.buyers["b1"]
    assert f"{reverse('procurement:contract_list')}?buyer={b1.pk}" in page
    assert "Ville du Sud" not in page
    assert world.people["secret"].last_name not in page
    assert "janv. 2025" in page or "févr. 2025" in page


def test_a_buyer_outside_the_scope_is_ignored(world):  # type: ignore[no-untyped-def]
    b3 = world.buyers["b3"]
    response = world.structure.client.get(URL, {"acheteur": b3.pk})
    assert response.status_code == 200
    assert response.context["report"].hours_validated == 350
    assert "Ville du Sud" not in response.content.decode()


def test_year_and_months_filter_the_page(world):  # type: ignore[no-untyped-def]
    response = world.structure.client.get(URL, {"annee": 2026})
    assert response.context["report"].hours_validated == 50
    response = world.structure.client.get(URL, {"du": "2025-03", "au": "2025-04"})
    assert response.context["report"].hours_validated == 200
    # HTMX swaps only the results.
    response = world.structure.client.get(URL, {"annee": 2026}, headers={"HX-Request": "true"})
    assert "<nav" not in response.content.decode()


def test_a_coordinator_sees_the_network_without_names(
    world, network, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(coordinator_of(network))
    with django_assert_max_num_queries(25):
        response = client.get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.hours_validated == 850
    assert report.participants == 3
    page = response.content.decode()
    for person in world.people.values():
        assert person.last_name not in page
    assert reverse("inclusion:participant_list") not in page


def test_a_buyer_sees_its_own_contracts(world, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(member_of(world.buyers["b1"]))
    with django_assert_max_num_queries(25):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.context["report"].hours_validated == 230
    assert "Commune de Bandrélé" not in response.content.decode()


def test_a_company_has_no_indicators_page(world):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(member_of(world.contracts["a"].awarded_company))
    assert client.get(URL).status_code == 404


def test_home_pages_show_the_monthly_chart(world):  # type: ignore[no-untyped-def]
    page = world.structure.client.get("/").content.decode()
    assert "Voir tous les indicateurs" in page
    assert "Heures réalisées et attendues, 12 derniers mois" in page
    client = Client()
    client.force_login(member_of(world.buyers["b1"]))
    assert "Voir tous les indicateurs" in client.get("/").content.decode()
