"""The validated hours list: the rows behind the hours figures, scoped to the structure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ContractFactory, HoursEntryFactory, PlacementFactory, coordinator_of
from tests.inclusion.conftest import page_text
from tremplin.inclusion.enums import CriterionStatus, ExecutionMode, HoursStatus
from tremplin.inclusion.models import EligibilityCriterion, ParticipantCriterion

URL = reverse("inclusion:validated_hours")
MARCH = datetime.date(2025, 3, 1)
APRIL = datetime.date(2025, 4, 1)


def _confirm(participant, code: str) -> None:  # type: ignore[no-untyped-def]
    ParticipantCriterion.objects.create(
        participant=participant,
        criterion=EligibilityCriterion.objects.get(code=code),
        evidence="Attestation",
        checked_on=timezone.localdate(),
        status=CriterionStatus.CONFIRMED,
    )


@pytest.fixture
def hours(structure, other_structure):  # type: ignore[no-untyped-def]
    contract = ContractFactory(facilitator=structure.organisation, reference="2025-AAA")
    other_contract = ContractFactory(facilitator=structure.organisation, reference="2025-BBB")
    cdd = PlacementFactory(contract=contract, participant__last_name="Ahamada")
    siae = PlacementFactory(
        contract=other_contract,
        execution_mode=ExecutionMode.SUBCONTRACTING_SIAE,
        participant__last_name="Bacar",
    )
    _confirm(cdd.participant, "rsa")
    HoursEntryFactory(placement=cdd, month=MARCH, hours_worked=Decimal("100.50"))
    HoursEntryFactory(
        placement=cdd, month=APRIL, hours_worked=Decimal(80), training_hours=Decimal(20)
    )
    HoursEntryFactory(placement=siae, month=MARCH, hours_worked=Decimal(1200))
    # Not validated: never in the list.
    declared = PlacementFactory(contract=contract, participant__last_name="Declarée")
    HoursEntryFactory(placement=declared, month=MARCH, status=HoursStatus.DECLARED)
    # Another structure's participant: never seen.
    foreign = PlacementFactory(
        contract=ContractFactory(facilitator=other_structure.organisation),
        participant__last_name="Étrangère",
    )
    HoursEntryFactory(placement=foreign, month=MARCH, hours_worked=Decimal(999))
    return {"contract": contract, "other_contract": other_contract, "cdd": cdd, "siae": siae}


def test_the_list_shows_validated_hours_with_totals(structure, hours):
    response = structure.client.get(URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "1 400,5 heures d'insertion validées, 3 déclarations mensuelles, 2 personnes" in text
    assert "AHAMADA" in text
    assert "BACAR" in text
    assert "DECLARÉE" not in text
    assert "ÉTRANGÈRE" not in text
    assert "999" not in text
    assert "Sous-traitance à une SIAE" in text
    html = response.content.decode()
    participant_url = reverse("inclusion:participant_detail", args=[hours["cdd"].participant_id])
    assert participant_url in html
    assert reverse("procurement:contract_detail", args=[hours["contract"].pk]) in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mois": "2025-03"}, "1 300,5 heures d'insertion validées, 2 déclarations"),
        ({"du": "2025-04", "au": "2025-12"}, "100 heures d'insertion validées, 1 déclaration"),
        ({"modalite": ExecutionMode.SUBCONTRACTING_SIAE}, "1 200 heures d'insertion validées"),
        ({"critere": "rsa"}, "200,5 heures d'insertion validées, 2 déclarations"),
    ],
)
def test_filters_narrow_the_rows_and_the_totals(structure, hours, params, expected):
    text = page_text(structure.client.get(URL, params))
    assert expected in text
    assert "(selon le filtre)" in text


def test_filter_by_contract_buyer_and_structure(structure, other_structure, hours):
    contract = hours["other_contract"]
    for params in (
        {"marche": contract.pk},
        {"acheteur": contract.buyer_id},
        {"marche": contract.pk, "structure": structure.organisation.pk},
    ):
        text = page_text(structure.client.get(URL, params))
        assert "1 200 heures d'insertion validées, 1 déclaration mensuelle, 1 personne" in text
        assert "AHAMADA" not in text


def test_another_structures_ids_in_filters_show_nothing(structure, other_structure, hours):
    foreign_contract = ContractFactory(facilitator=other_structure.organisation)
    text = page_text(structure.client.get(URL, {"marche": foreign_contract.pk}))
    assert "Aucune heure validée pour ce filtre." in text
    text = page_text(other_structure.client.get(URL))
    assert "999 heures" in text
    assert "AHAMADA" not in text
    assert "BACAR" not in text


def test_buyers_companies_and_coordinators_get_404(
    network, buyer_client, company_client, hours, client
):
    client.force_login(coordinator_of(network))
    for each in (buyer_client, company_client, client):
        assert each.get(URL).status_code == 404


def test_csv_export_is_french(structure, hours):
    response = structure.client.get(URL, {"mois": "2025-03", "format": "csv"})
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    header, *rows = content.strip().splitlines()
    assert header.startswith("Mois;Participant;Marché;Employeur;Modalité d'exécution;")
    assert len(rows) == 2
    assert any(";100,50;0;100,50;" in row or ";100,5;0;100,5;" in row for row in rows), rows
    assert all(row.startswith("01/03/2025;") for row in rows), rows
    assert "ÉTRANGÈRE" not in content


def test_xlsx_export(structure, hours):
    response = structure.client.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert "heures-validees" in response["Content-Disposition"]


def test_the_review_page_links_to_the_list(structure):
    response = structure.client.get(reverse("inclusion:hours_review"))
    assert f'href="{URL}"' in response.content.decode()


def test_query_count_does_not_grow_with_rows(structure, django_assert_max_num_queries):
    contract = ContractFactory(facilitator=structure.organisation)
    for _ in range(30):
        HoursEntryFactory(placement=PlacementFactory(contract=contract))
    structure.client.get(URL)  # warm caches (session, scope)
    with django_assert_max_num_queries(13):
        response = structure.client.get(URL)
    assert "30 personnes" in page_text(response)
