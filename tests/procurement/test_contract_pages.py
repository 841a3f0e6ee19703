"""The contract list and a contract's page: figures, obligation explained, who sees what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ContractFactory,
    HoursEntryFactory,
    PlacementFactory,
    coordinator_of,
    member_of,
)
from tests.procurement.conftest import amount_based_contract, text

pytestmark = pytest.mark.django_db

LIST_URL = reverse("procurement:contract_list")


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def detail_url(contract) -> str:  # type: ignore[no-untyped-def]
    return reverse("procurement:contract_detail", args=[contract.pk])


# The list -------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, contract):
    for url in (LIST_URL, detail_url(contract)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def test_list_shows_each_contract_with_its_hours_and_status(structure, contract):
    HoursEntryFactory(placement=PlacementFactory(contract=contract), hours_worked=Decimal(150))
    page = text(structure.client.get(LIST_URL))
    assert contract.reference in page
    assert contract.buyer.name in page
    assert contract.awarded_company.name in page
    assert "01/02/2025" in page
    assert "31/01/2026" in page
    assert ">667<" in page  # hours required
    assert ">150<" in page  # hours validated
    assert "22 %" in page  # 150 of 667, rounded down
    assert "Nouveau marché" in page


def test_list_totals_count_the_filtered_contracts_only(structure):
    first = amount_based_contract(structure.organisation)
    second = ContractFactory(facilitator=structure.organisation, hours=700, title="Voirie du port")
    HoursEntryFactory(placement=PlacementFactory(contract=first), hours_worked=Decimal(100))
    HoursEntryFactory(placement=PlacementFactory(contract=second), hours_worked=Decimal(40))

    page = text(structure.client.get(LIST_URL))
    assert "1 367 h" in page  # 667 + 700
    assert "140 h" in page

    page = text(structure.client.get(LIST_URL, {"q": "voirie"}))
    assert second.reference in page
    assert first.reference not in page
    assert "700 h" in page
    assert "40 h" in page

    page = text(structure.client.get(LIST_URL, {"buyer": first.buyer.pk}))
    assert first.reference in page
    assert second.reference not in page


def test_list_filters_by_year_of_execution(structure):
    old = ContractFactory(
        facilitator=structure.organisation,
        execution_start=datetime.date(2019, 1, 1),
        execution_end=datetime.date(2019, 12, 31),
    )
    current = ContractFactory(facilitator=structure.organisation)
    page = text(structure.client.get(LIST_URL, {"year": 2019}))
    assert old.reference in page
    assert current.reference not in page


def test_list_hides_contracts_of_another_structure(structure, other_structure, contract):
    page = text(other_structure.client.get(LIST_URL))
    assert contract.reference not in page


def test_only_facilitators_see_the_new_contract_button(structure, contract):
    buyer_client = client_of(member_of(contract.buyer))
    page = text(buyer_client.get(LIST_URL))
    assert contract.reference in page
    assert "Nouveau marché" not in page


def test_list_is_paginated_by_fifty(structure):
    for _ in range(51):
        ContractFactory(
            facilitator=structure.organisation, buyer__facilitator=structure.organisation
        )
    first_page = text(structure.client.get(LIST_URL))
    assert "Page 1 sur 2" in first_page
    assert 'figure-value">51<' in first_page


def test_list_queries_do_not_grow_with_rows(structure, django_assert_max_num_queries):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert structure.client.get(LIST_URL).status_code == 200
        return len(queries)

    contract = amount_based_contract(structure.organisation)
    HoursEntryFactory(placement=PlacementFactory(contract=contract))
    few = count_queries()
    for _ in range(15):
        other = ContractFactory(facilitator=structure.organisation, hours=100)
        HoursEntryFactory(placement=PlacementFactory(contract=other))
    assert count_queries() == few
    # The page's rows and the totals each read their contracts' lot clauses once.
    with django_assert_max_num_queries(15):
        structure.client.get(LIST_URL)


# The detail -----------------------------------------------------------------------------------


def test_detail_explains_the_obligation(structure, contract):
    page = text(structure.client.get(detail_url(contract)))
    assert contract.title in page
    assert "1 000 000 € × 40 % × 5 % ÷ 30 € = 666,67 h → 667 h" in page
    assert "Arrondi à l'heure la plus proche" in page
    assert "Condition d'exécution (L2112-2)" in page
    assert "Clause sociale" in page
    assert "Pas de considération environnementale" in page
    assert "1 000 000 €" in page
    assert "du 01/02/2025 au 31/01/2026" in page


def test_detail_shows_progress_figures_and_status(structure, contract):
    placement = PlacementFactory(contract=contract)
    HoursEntryFactory(placement=placement, hours_worked=Decimal(700))
    HoursEntryFactory(
        placement=placement,
        month=datetime.date(2025, 3, 1),
        hours_worked=Decimal(20),
        status="declared",
    )
    page = text(structure.client.get(detail_url(contract)))
    assert "700 h" in page  # validated
    assert "20 h" in page  # declared, awaiting validation
    assert "Atteint" in page  # 700 of 667, under 110 %
    assert "0 h" in page  # nothing remaining


def test_detail_status_is_late_when_behind_schedule(structure):
    today = datetime.date.today()
    contract = amount_based_contract(
        structure.organisation,
        execution_start=today - datetime.timedelta(days=200),
        execution_end=today + datetime.timedelta(days=165),
    )
    page = text(structure.client.get(detail_url(contract)))
    assert "En retard" in page
    assert "expected-marker" in page


def test_detail_lists_placements_for_the_facilitator(structure, contract):
    placement = PlacementFactory(contract=contract)
    HoursEntryFactory(placement=placement, hours_worked=Decimal(35))
    page = text(structure.client.get(detail_url(contract)))
    assert placement.participant.last_name.upper() in page
    assert reverse("inclusion:participant_detail", args=[placement.participant.pk]) in page
    assert reverse("inclusion:placement_detail", args=[placement.pk]) in page
    assert "Embauche directe en CDD" in page


def test_buyer_sees_its_contract_and_figures_but_no_participant(contract):
    placement = PlacementFactory(contract=contract)
    HoursEntryFactory(placement=placement, hours_worked=Decimal(35))
    buyer_client = client_of(member_of(contract.buyer))
    response = buyer_client.get(detail_url(contract))
    assert response.status_code == 200
    page = text(response)
    assert "667 h" in page
    assert "35 h" in page
    assert placement.participant.last_name.upper() not in page
    assert placement.participant.last_name not in page
    assert "Mises en emploi" not in page
    assert "Modifier" not in page


def test_company_sees_its_awarded_contract_without_names(contract):
    placement = PlacementFactory(contract=contract)
    company_client = client_of(member_of(contract.awarded_company))
    response = company_client.get(detail_url(contract))
    assert response.status_code == 200
    assert placement.participant.last_name not in text(response)


def test_coordinator_sees_figures_but_not_names(network, structure, contract):
    placement = PlacementFactory(contract=contract)
    response = client_of(coordinator_of(network)).get(detail_url(contract))
    assert response.status_code == 200
    assert "667 h" in text(response)
    assert placement.participant.last_name not in text(response)


def test_another_structure_gets_404(other_structure, contract):
    assert other_structure.client.get(detail_url(contract)).status_code == 404


def test_detail_shows_history(structure):
    from tremplin.procurement import services

    contract = services.contract_create(
        actor=structure.user,
        facilitator=structure.organisation,
        buyer=ContractFactory(facilitator=structure.organisation).buyer,
        reference="HIST-1",
        title="Marché historisé",
        procedure="open_tender",
        amount_excl_tax=Decimal(1000),
        execution_start=datetime.date(2025, 1, 1),
        execution_end=datetime.date(2025, 12, 31),
    )
    page = text(structure.client.get(detail_url(contract)))
    assert "Marché créé" in page
    assert str(structure.user) in page


def test_detail_shows_lot_clauses(structure):
    from tremplin.procurement import services
    from tremplin.procurement.obligation import ObligationInputs, ObligationMode

    contract = ContractFactory(facilitator=structure.organisation)
    lot = services.lot_create(actor=None, contract=contract, number=2, title="Électricité")
    services.clause_save(
        actor=None,
        contract=contract,
        lot=lot,
        legal_basis="L2112-2",
        inputs=ObligationInputs(
            mode=ObligationMode.SHARE_OF_HOURS_WORKED,
            hours_worked=Decimal(12000),
            share_of_hours=Decimal("0.07"),
        ),
    )
    page = text(structure.client.get(detail_url(contract)))
    assert "Lot 2 — Électricité" in page
    assert "12 000 h × 7 % = 840 h → 840 h" in page


def test_detail_queries_do_not_grow_with_placements(structure, contract):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert structure.client.get(detail_url(contract)).status_code == 200
        return len(queries)

    HoursEntryFactory(placement=PlacementFactory(contract=contract))
    few = count_queries()
    for _ in range(5):
        HoursEntryFactory(placement=PlacementFactory(contract=contract))
    assert count_queries() == few
