"""Creating and changing contracts, their clause and their lots; the live obligation preview."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import BuyerFactory, CompanyFactory, ContractFactory, NetworkFactory, member_of
from tests.procurement.conftest import amount_based_contract, text
from tremplin.procurement import services
from tremplin.procurement.models import Clause, Contract, Lot, ProcurementEvent
from tremplin.procurement.obligation import ObligationInputs, ObligationMode

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("procurement:contract_create")
PREVIEW_URL = reverse("procurement:obligation_preview")


@pytest.fixture
def parties(structure):  # type: ignore[no-untyped-def]
    buyer = BuyerFactory(network=structure.organisation.network, facilitator=structure.organisation)
    company = CompanyFactory(
        network=structure.organisation.network, facilitator=structure.organisation
    )
    return buyer, company


def contract_data(structure, parties, **overrides: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    buyer, company = parties
    data: dict[str, object] = {
        "facilitator": structure.organisation.pk,
        "buyer": buyer.pk,
        "operation": "",
        "reference": "2026-001",
        "title": "Construction de l'école de Passamaïnty",
        "cpv_code": "45214200",
        "procedure": "open_tender",
        "form": "single",
        "amount_excl_tax": "1 000 000",
        "notified_on": "2025-12-15",
        "execution_start": "2026-01-01",
        "execution_end": "2026-12-31",
        "awarded_company": company.pk,
        "social_clause": "on",
        "clause-mode": "amount_based",
        "clause-legal_basis": "L2112-2",
        "clause-amount": "",
        "clause-labour_share": "40",
        "clause-insertion_rate": "5",
        "clause-hourly_cost": "30",
    }
    data.update(overrides)
    return data


# Create ---------------------------------------------------------------------------------------


def test_create_page_prefills_the_network_defaults_and_the_structure(structure):
    page = text(structure.client.get(CREATE_URL))
    assert f'<option value="{structure.organisation.pk}" selected>' in page
    assert 'name="clause-labour_share" value="40"' in page
    assert 'name="clause-insertion_rate" value="5"' in page
    assert 'name="clause-hourly_cost" value="30"' in page
    assert f'hx-post="{PREVIEW_URL}"' in page
    assert (
        'hx-trigger="input changed delay:300ms from:closest form, change from:closest form"' in page
    )
    assert 'type="date"' in page


def test_creating_a_contract_stores_its_clause_inputs_and_hours(structure, parties):
    response = structure.client.post(CREATE_URL, contract_data(structure, parties), follow=True)
    contract = Contract.objects.get(reference="2026-001")
    assert response.redirect_chain[-1][0] == reverse(
        "procurement:contract_detail", args=[contract.pk]
    )
    assert "667 heures d'insertion exigées" in text(response)
    assert contract.amount_excl_tax == Decimal(1_000_000)
    assert contract.hours_required == 667
    clause = contract.clauses.get()
    assert clause.lot is None
    assert clause.mode == "amount_based"
    assert clause.amount == Decimal(1_000_000)  # the contract's amount, the clause's left empty
    assert clause.labour_share == Decimal("0.4")
    assert clause.insertion_rate == Decimal("0.05")
    assert clause.hourly_cost == Decimal(30)
    assert clause.hours_required == 667
    assert clause.exact_hours.quantize(Decimal("0.01")) == Decimal("666.67")
    actions = set(
        ProcurementEvent.objects.filter(contract=contract).values_list("action", flat=True)
    )
    assert actions == {"contract_created", "clause_created"}


def test_percentages_may_carry_a_french_decimal_comma(structure, parties):
    data = contract_data(structure, parties, **{"clause-insertion_rate": "5,5"})
    structure.client.post(CREATE_URL, data)
    clause = Clause.objects.get(contract__reference="2026-001")
    assert clause.insertion_rate == Decimal("0.055")
    assert clause.hours_required == 733  # 1 000 000 × 0.4 × 0.055 ÷ 30 = 733.33


def test_a_contract_may_be_created_without_a_clause_of_its_own(structure, parties):
    structure.client.post(CREATE_URL, contract_data(structure, parties, **{"clause-mode": ""}))
    contract = Contract.objects.get(reference="2026-001")
    assert contract.clauses.count() == 0
    assert contract.hours_required == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"execution_end": "2025-06-30"}, "La fin d'exécution précède son début."),
        ({"cpv_code": "4521"}, "Un code CPV compte 8 chiffres"),
        ({"amount_excl_tax": "-5"}, "Le montant ne peut pas être négatif."),
        ({"amount_excl_tax": "beaucoup"}, "Saisissez un nombre"),
        ({"reference": ""}, "Ce champ est obligatoire."),
        ({"clause-insertion_rate": "150"}, "Un pourcentage ne peut pas dépasser 100 %."),
        ({"clause-labour_share": "-1"}, "Un pourcentage ne peut pas être négatif."),
        (
            {"clause-labour_share": "0"},
            "La part de main-d'œuvre doit être supérieure à 0 % : sans main-d'œuvre, le "
            "marché ne peut pas porter d'heures d'insertion.",
        ),
        ({"clause-insertion_rate": "0,00"}, "Le taux d'insertion doit être supérieur à 0 %"),
        ({"clause-hourly_cost": ""}, "Ce champ est nécessaire pour ce mode de calcul."),
        ({"clause-hourly_cost": "0"}, "La valeur doit être supérieure à zéro."),
        ({"clause-legal_basis": ""}, "Choisissez le fondement juridique de la clause."),
        (
            {"clause-mode": "per_euro_invoiced", "clause-invoiced_amount": "100000"},
            "Ce champ est nécessaire pour ce mode de calcul.",
        ),
    ],
)
def test_a_bad_form_saves_nothing_and_says_why_in_french(structure, parties, overrides, message):
    response = structure.client.post(CREATE_URL, contract_data(structure, parties, **overrides))
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Rien n'est enregistré" in page
    assert Contract.objects.count() == 0
    assert ProcurementEvent.objects.count() == 0


def test_an_organisation_of_another_network_cannot_be_chosen(structure, parties):
    stranger = BuyerFactory(network=NetworkFactory())
    data = contract_data(structure, parties, buyer=str(stranger.pk))
    response = structure.client.post(CREATE_URL, data)
    assert "Sélectionnez un choix valide" in text(response)
    assert Contract.objects.count() == 0


def test_a_duplicate_reference_is_refused(structure, parties):
    structure.client.post(CREATE_URL, contract_data(structure, parties))
    response = structure.client.post(CREATE_URL, contract_data(structure, parties))
    assert "Cet acheteur a déjà un marché avec cette référence." in text(response)
    assert Contract.objects.count() == 1


def test_contract_and_clause_are_saved_together_or_not_at_all(structure, parties):
    buyer, _ = parties
    with pytest.raises(ValidationError):
        services.contract_create_with_clause(
            actor=structure.user,
            clause={
                "legal_basis": "L2112-2",
                "inputs": ObligationInputs(mode=ObligationMode.FIXED_HOURS, fixed_hours=None),
            },
            facilitator=structure.organisation,
            buyer=buyer,
            reference="ATOMIC",
            title="Tout ou rien",
            procedure="open_tender",
            amount_excl_tax=Decimal(1000),
            execution_start="2026-01-01",
            execution_end="2026-12-31",
        )
    assert not Contract.objects.filter(reference="ATOMIC").exists()
    assert ProcurementEvent.objects.count() == 0


def test_only_facilitators_create_contracts(structure, parties):
    buyer, _ = parties
    buyer_client = Client()
    buyer_client.force_login(member_of(buyer))
    assert buyer_client.get(CREATE_URL).status_code == 403
    assert buyer_client.post(CREATE_URL, contract_data(structure, parties)).status_code == 403
    assert Contract.objects.count() == 0


# Update ---------------------------------------------------------------------------------------


def update_url(contract) -> str:  # type: ignore[no-untyped-def]
    return reverse("procurement:contract_update", args=[contract.pk])


def test_update_page_shows_the_clause_as_percentages(structure, contract):
    page = text(structure.client.get(update_url(contract)))
    assert 'name="clause-insertion_rate" value="5"' in page
    assert 'name="clause-labour_share" value="40"' in page
    assert 'name="execution_start" value="2025-02-01"' in page
    assert "667 h" in page  # the preview, computed before anything is typed


def test_update_changes_the_contract_and_recomputes_its_hours(structure, contract):
    data = contract_data(
        structure,
        (contract.buyer, contract.awarded_company),
        reference=contract.reference,
        title="Titre corrigé",
        execution_start="2025-02-01",
        execution_end="2026-01-31",
        **{"clause-insertion_rate": "10"},
    )
    response = structure.client.post(update_url(contract), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.title == "Titre corrigé"
    assert contract.hours_required == 1333
    assert contract.clauses.get().insertion_rate == Decimal("0.1")
    actions = list(
        ProcurementEvent.objects.filter(contract=contract).values_list("action", flat=True)
    )
    assert "contract_updated" in actions
    assert "clause_updated" in actions


def test_another_structure_cannot_update(other_structure, contract):
    url = update_url(contract)
    assert other_structure.client.get(url).status_code == 404
    assert other_structure.client.post(url, {"title": "Piraté"}).status_code == 404
    contract.refresh_from_db()
    assert contract.title != "Piraté"


def test_buyer_cannot_update_its_contract(contract):
    buyer_client = Client()
    buyer_client.force_login(member_of(contract.buyer))
    assert buyer_client.get(update_url(contract)).status_code == 404


# Lots -----------------------------------------------------------------------------------------


def lot_url(contract) -> str:  # type: ignore[no-untyped-def]
    return reverse("procurement:lot_create", args=[contract.pk])


def test_adding_a_lot_with_its_own_clause(structure):
    contract = ContractFactory(facilitator=structure.organisation)
    data = {
        "number": "1",
        "title": "Gros œuvre",
        "amount_excl_tax": "600 000",
        "awarded_company": contract.awarded_company.pk,
        "clause-mode": "amount_based",
        "clause-legal_basis": "L2112-2",
        "clause-labour_share": "40",
        "clause-insertion_rate": "5",
        "clause-hourly_cost": "30",
    }
    response = structure.client.post(lot_url(contract), data)
    assert response.status_code == 302
    lot = Lot.objects.get(contract=contract)
    assert lot.clause.amount == Decimal(600_000)  # the lot's amount
    assert lot.clause.hours_required == 400
    contract.refresh_from_db()
    assert contract.hours_required == 400
    page = text(structure.client.get(reverse("procurement:contract_detail", args=[contract.pk])))
    assert "Lot 1 — Gros œuvre" in page
    assert "600 000 € × 40 % × 5 % ÷ 30 € = 400 h → 400 h" in page


def test_a_lot_without_clause_and_a_taken_number(structure):
    contract = ContractFactory(facilitator=structure.organisation)
    data = {"number": "1", "title": "Voirie", "clause-mode": ""}
    assert structure.client.post(lot_url(contract), data).status_code == 302
    assert not Clause.objects.filter(lot__contract=contract).exists()
    response = structure.client.post(lot_url(contract), {**data, "title": "Réseaux"})
    assert "Ce marché a déjà un lot portant ce numéro." in text(response)
    assert Lot.objects.filter(contract=contract).count() == 1


def test_another_structure_cannot_add_a_lot(other_structure, contract):
    assert other_structure.client.get(lot_url(contract)).status_code == 404
    response = other_structure.client.post(lot_url(contract), {"number": "1", "title": "X"})
    assert response.status_code == 404
    assert not Lot.objects.exists()


# Preview --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {
                "clause-mode": "amount_based",
                "clause-amount": "1 000 000",
                "clause-labour_share": "40",
                "clause-insertion_rate": "5",
                "clause-hourly_cost": "30",
            },
            "1 000 000 € × 40 % × 5 % ÷ 30 € = 666,67 h → 667 h",
        ),
        (
            {
                "amount_excl_tax": "1 000 000",
                "clause-mode": "amount_based",
                "clause-labour_share": "40",
                "clause-insertion_rate": "5",
                "clause-hourly_cost": "30",
            },
            "1 000 000 € × 40 % × 5 % ÷ 30 € = 666,67 h → 667 h",
        ),
        (
            {
                "clause-mode": "per_euro_invoiced",
                "clause-invoiced_amount": "250000",
                "clause-euros_per_hour": "2000",
            },
            "250 000 € ÷ 2 000 € par heure = 125 h → 125 h",
        ),
        (
            {
                "clause-mode": "share_of_hours_worked",
                "clause-hours_worked": "12000",
                "clause-share_of_hours": "7",
            },
            "12 000 h × 7 % = 840 h → 840 h",
        ),
        ({"clause-mode": "fixed_hours", "clause-fixed_hours": "700"}, "700 h fixées au marché"),
    ],
    ids=["amount", "contract-amount", "per-euro", "share", "fixed"],
)
def test_preview_shows_the_hours_of_each_mode(structure, data, expected):
    response = structure.client.post(PREVIEW_URL, data)
    assert response.status_code == 200
    assert expected in text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "clause-mode": "amount_based",
                "clause-amount": "1000",
                "clause-labour_share": "40",
                "clause-insertion_rate": "150",
                "clause-hourly_cost": "30",
            },
            "Taux d'insertion : un pourcentage ne peut pas dépasser 100 %.",
        ),
        (
            {"clause-mode": "per_euro_invoiced", "clause-invoiced_amount": "1000"},
            "Euros facturés par heure : ce champ est nécessaire pour ce mode de calcul.",
        ),
        (
            {
                "clause-mode": "amount_based",
                "clause-labour_share": "40",
                "clause-insertion_rate": "5",
                "clause-hourly_cost": "30",
            },
            "Montant HT : saisissez le montant HT de la clause ou le montant du marché.",
        ),
        (
            {"clause-mode": "fixed_hours", "clause-fixed_hours": "douze"},
            "Nombre d'heures : saisissez un nombre",
        ),
    ],
    ids=["rate-over-100", "missing-divisor", "no-amount", "not-a-number"],
)
def test_preview_explains_bad_input_in_french(structure, data, message):
    response = structure.client.post(PREVIEW_URL, data)
    assert response.status_code == 200
    assert message in text(response)


def test_preview_is_for_facilitators_and_posts_only(structure, contract):
    assert structure.client.get(PREVIEW_URL).status_code == 405
    buyer_client = Client()
    buyer_client.force_login(member_of(contract.buyer))
    assert buyer_client.post(PREVIEW_URL, {"clause-mode": "fixed_hours"}).status_code == 403


def test_preview_ignores_inputs_of_other_modes(structure):
    data = {
        "clause-mode": "fixed_hours",
        "clause-fixed_hours": "90",
        "clause-insertion_rate": "n'importe quoi",
    }
    page = text(structure.client.post(PREVIEW_URL, data))
    assert "90 h fixées au marché = 90 h → 90 h" in page


def test_amount_based_contract_fixture_has_667_hours(structure):
    assert amount_based_contract(structure.organisation).hours_required == 667
