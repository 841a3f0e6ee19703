"""Each hours figure of the indicators page links to the validated hours behind it, and
the list's total equals the figure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ContractFactory, HoursEntryFactory, PlacementFactory
from tremplin.inclusion.enums import CriterionStatus, ExecutionMode, HoursStatus
from tremplin.inclusion.models import EligibilityCriterion, ParticipantCriterion

INDICATORS = reverse("reporting:indicators")
MARCH = datetime.date(2025, 3, 1)
APRIL = datetime.date(2025, 4, 1)


@pytest.fixture
def territory(structure, other_structure):  # type: ignore[no-untyped-def]
    contract = ContractFactory(facilitator=structure.organisation, hours=2000)
    other = ContractFactory(facilitator=structure.organisation, hours=500)
    first = PlacementFactory(contract=contract)
    second = PlacementFactory(contract=contract, execution_mode=ExecutionMode.PROVISION_ETTI)
    third = PlacementFactory(contract=other)
    for participant, codes in (
        (first.participant, ["rsa", "qpv_resident"]),
        (second.participant, ["rsa"]),
    ):
        for code in codes:
            ParticipantCriterion.objects.create(
                participant=participant,
                criterion=EligibilityCriterion.objects.get(code=code),
                evidence="Attestation",
                checked_on=timezone.localdate(),
                status=CriterionStatus.CONFIRMED,
            )
    HoursEntryFactory(placement=first, month=MARCH, hours_worked=Decimal("70.25"))
    HoursEntryFactory(
        placement=first, month=APRIL, hours_worked=Decimal(60), training_hours=Decimal(7)
    )
    HoursEntryFactory(placement=second, month=MARCH, hours_worked=Decimal(151))
    HoursEntryFactory(placement=third, month=MARCH, hours_worked=Decimal(35))
    HoursEntryFactory(
        placement=third, month=APRIL, hours_worked=Decimal(99), status=HoursStatus.DECLARED
    )
    # Another structure's hours in the same months: in neither figure nor list.
    HoursEntryFactory(
        placement=PlacementFactory(
            contract=ContractFactory(facilitator=other_structure.organisation)
        ),
        month=MARCH,
    )
    return {"contract": contract, "other": other}


def _list_total(client, url: str) -> Decimal:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return response.context["totals"].hours


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"du": "2025-03", "au": "2025-04"},
        {"annee": "2025"},
        {"marche": "contract"},
        {"acheteur": "buyer", "du": "2025-04", "au": "2025-06"},
        {"structure": "structure"},
    ],
)
def test_every_hours_figure_equals_the_total_of_its_list(structure, territory, params):
    values = {
        "contract": territory["contract"].pk,
        "buyer": territory["contract"].buyer_id,
        "structure": structure.organisation.pk,
    }
    query = {key: values.get(value, value) for key, value in params.items()}
    report = structure.client.get(INDICATORS, query).context["report"]

    months = [point for point in report.hours_by_month if point.realised]
    assert months
    for point in report.hours_by_month:
        assert point.url
        assert _list_total(structure.client, point.url) == point.realised
    assert report.hours_by_mode.bars
    assert report.hours_by_public.bars
    for bar in [*report.hours_by_mode.bars, *report.hours_by_public.bars]:
        assert bar.url.startswith(reverse("inclusion:validated_hours"))
        assert _list_total(structure.client, bar.url) == bar.value


def test_known_figures_for_a_month_a_mode_and_a_criterion(structure, territory):
    report = structure.client.get(INDICATORS, {"annee": "2025"}).context["report"]
    march = next(point for point in report.hours_by_month if point.month == MARCH)
    assert march.realised == Decimal("256.25")
    assert _list_total(structure.client, march.url) == Decimal("256.25")
    etti = next(bar for bar in report.hours_by_mode.bars if bar.key == ExecutionMode.PROVISION_ETTI)
    assert _list_total(structure.client, etti.url) == Decimal(151) == etti.value
    qpv = next(bar for bar in report.hours_by_public.bars if bar.key == "qpv_resident")
    assert _list_total(structure.client, qpv.url) == Decimal("137.25") == qpv.value


def test_the_page_shows_the_links(structure, territory):
    html = structure.client.get(INDICATORS, {"annee": "2025"}).content.decode()
    assert "/heures/validees/?du=2025-01&amp;au=2025-12&amp;mois=2025-03" in html
    assert "modalite=provision_etti" in html
    assert "critere=rsa" in html


def test_buyers_get_no_links_to_people(network, territory, client):
    from tests.factories import member_of

    client.force_login(member_of(territory["contract"].buyer))
    report = client.get(INDICATORS).context["report"]
    assert report.hours_by_month
    assert not any(point.url for point in report.hours_by_month)
    assert not any(bar.url for bar in [*report.hours_by_mode.bars, *report.hours_by_public.bars])
