"""A record's page, and following it in Tremplin as a contract filled from the open data."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from tests.decp.building import BUYER_SIRET, HOLDER_SIRET, modification, record, subcontracting
from tests.factories import (
    BuyerFactory,
    CompanyFactory,
    ContractFactory,
    FacilitatorFactory,
    MembershipFactory,
    NetworkFactory,
    coordinator_of,
    member_of,
)
from tremplin.core.templatetags.french import euros
from tremplin.decp import services
from tremplin.decp.enums import DecpEventAction
from tremplin.decp.forms import execution_end, procedure_choice
from tremplin.decp.models import DecpEvent, DecpImport, DecpRecord
from tremplin.decp.records import Party
from tremplin.organisations.models import Organisation
from tremplin.procurement.enums import Procedure
from tremplin.procurement.models import Contract, ProcurementEvent


def _import(network, records, file_hash: str = "0") -> DecpImport:  # type: ignore[no-untyped-def]
    item = services.decp_import_create(
        network=network, actor=None, file_name="decp-976.json", file_size=1, file_hash=file_hash
    )
    services.decp_import_claim(item, records_total=len(records))
    services.import_records(item, records)
    return services.decp_import_finish(item)


@pytest.fixture
def published(network) -> DecpRecord:  # type: ignore[no-untyped-def]
    """A published contract with two holders (one without SIRET), a subcontracting act
    and a modification."""
    _import(
        network,
        [
            record(
                "2025-001",
                holders=(Party(HOLDER_SIRET, "Lagon BTP"), Party("FR123", "Bâtisseurs", "TVA")),
                environmental_considerations=("Critère environnemental",),
                subcontracting=(subcontracting("50000"),),
                modifications=(modification("1300000"),),
            )
        ],
    )
    return DecpRecord.objects.get()


def _detail(item: DecpRecord) -> str:
    return reverse("decp:record_detail", args=[item.pk])


def _follow(item: DecpRecord) -> str:
    return reverse("decp:record_follow", args=[item.pk])


# The record's page ---------------------------------------------------------------------------


def test_the_record_page_shows_what_was_published(structure, published):
    page = structure.client.get(_detail(published)).content.decode()

    assert "Construction du collège 2025-001" in page
    assert "Commune de Mamoudzou" in page
    assert "à confirmer" in page
    assert "Lagon BTP" in page
    assert "Bâtisseurs" in page  # a holder without SIRET, kept by name
    assert "45214200-2" in page
    assert "Travaux de construction" in page  # the CPV's label, from the network's settings
    assert escape("Appel d'offres ouvert") in page
    assert euros(Decimal("1200000")) in page
    assert "18 mois" in page
    assert "01/03/2025" in page
    assert "Mamoudzou" in page
    assert "Clause sociale" in page
    assert "Critère environnemental" in page
    # The subcontracting act and the modification, in their tables
    assert "Insertion Lagon" in page
    assert euros(Decimal("50000")) in page
    assert "Avenant n° 1" in page
    assert euros(Decimal("1300000")) in page
    assert "20 mois" in page
    # Where it came from
    assert "decp-976.json" in page
    assert reverse("decp:import_detail", args=[published.last_import_id]) in page
    assert "Suivre ce marché dans Tremplin" in page


def test_each_row_of_the_list_opens_its_record(structure, published):
    page = structure.client.get(reverse("decp:record_list")).content.decode()

    assert f'href="{_detail(published)}"' in page


def test_a_record_without_extras_says_so(structure, network):
    _import(network, [record("NU-1", cpv_code="", amount=None, duration_months=None)])
    item = DecpRecord.objects.get()

    page = structure.client.get(_detail(item)).content.decode()

    assert "Aucun acte de sous-traitance publié." in page
    assert "Aucune modification publiée." in page
    assert "Non publié" in page  # the amount


@pytest.mark.parametrize("url", [_detail, _follow])
def test_outsiders_get_not_found(url, network, published):
    for organisation in (
        FacilitatorFactory(network=NetworkFactory()),
        BuyerFactory(network=network),
        CompanyFactory(network=network),
    ):
        client = Client()
        client.force_login(member_of(organisation))
        assert client.get(url(published)).status_code == 404


def test_a_coordinator_reads_the_record_but_does_not_follow_it(network, published):
    client = Client()
    client.force_login(coordinator_of(network))

    page = client.get(_detail(published)).content.decode()

    assert "Construction du collège 2025-001" in page
    assert "Suivre ce marché dans Tremplin" not in page
    assert client.get(_follow(published)).status_code == 404


# The form, filled from the record ------------------------------------------------------------


def test_the_follow_form_is_filled_from_the_record(structure, published):
    response = structure.client.get(_follow(published))

    form = response.context["form"]
    buyer = Organisation.objects.get(siret=BUYER_SIRET)
    holder = Organisation.objects.get(siret=HOLDER_SIRET)
    assert form.initial["facilitator"] == structure.organisation.pk
    assert form.initial["buyer"] == buyer.pk
    assert form.initial["awarded_company"] == holder.pk
    subcontractor = Organisation.objects.get(name="Insertion Lagon")
    assert form.initial["subcontractors"] == [subcontractor.pk]
    assert form.initial["reference"] == "2025-001"
    assert form.initial["title"] == "Construction du collège 2025-001"
    assert form.initial["cpv_code"] == "45214200-2"
    assert form.initial["procedure"] == Procedure.OPEN_TENDER
    assert form.initial["amount_excl_tax"] == Decimal(1200000)
    assert form.initial["notified_on"] == datetime.date(2025, 3, 1)
    assert form.initial["execution_start"] == datetime.date(2025, 3, 1)
    assert form.initial["execution_end"] == datetime.date(2026, 8, 31)  # 18 months
    assert form.initial["social_clause"] is True
    assert form.initial["social_criterion"] is False
    assert form.initial["reserved_contract"] is False
    assert form.initial["environmental_clause"] is False
    assert form.initial["environmental_criterion"] is True
    page = response.content.decode()
    assert 'value="2025-001"' in page
    assert 'value="2026-08-31"' in page
    assert (
        escape(
            "L'acheteur « Commune de Mamoudzou », l'entreprise « Insertion Lagon » et "
            "l'entreprise « Lagon BTP », lus dans les données ouvertes, seront confirmés en "
            "créant ce marché"
        )
        in page
    )


def test_only_the_user_s_structures_of_the_record_s_network_are_offered(structure, published):
    elsewhere = FacilitatorFactory(network=NetworkFactory(), name="Maison de l'emploi ailleurs")
    MembershipFactory(user=structure.user, organisation=elsewhere)

    page = structure.client.get(_follow(published)).content.decode()

    assert "PLIE Nord" in page
    assert escape("Maison de l'emploi ailleurs") not in page


def test_a_buyer_typed_by_hand_is_not_announced_as_confirmed(structure, network):
    BuyerFactory(network=network, siret=BUYER_SIRET, name="Mairie de Mamoudzou")
    _import(network, [record("2025-002", holders=())])

    page = structure.client.get(_follow(DecpRecord.objects.get())).content.decode()

    assert "Mairie de Mamoudzou" in page
    assert "sera confirmé" not in page
    assert "seront confirmés" not in page


def test_an_unknown_procedure_is_left_to_choose(structure, network):
    _import(network, [record("CONC-1", procedure="Procédure négociée ouverte")])

    response = structure.client.get(_follow(DecpRecord.objects.get()))

    assert response.context["form"].initial["procedure"] == ""
    assert "Publiée : « Procédure négociée ouverte »." in response.content.decode()


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("Procédure adaptée", Procedure.ADAPTED),
        ("Appel d’offres ouvert", Procedure.OPEN_TENDER),
        ("APPEL D'OFFRES RESTREINT", Procedure.RESTRICTED_TENDER),
        ("Procédure avec négociation", Procedure.NEGOTIATED),
        ("Dialogue compétitif", Procedure.COMPETITIVE_DIALOGUE),
        (
            "Marché passé sans publicité ni mise en concurrence préalable",
            Procedure.NEGOTIATED_WITHOUT_NOTICE,
        ),
        (
            "Marché négocié sans publicité ni mise en concurrence préalable",
            Procedure.NEGOTIATED_WITHOUT_NOTICE,
        ),
        ("Procédure négociée ouverte", ""),
        ("", ""),
    ],
)
def test_published_procedures_map_to_procurement_s_choices(published, expected):
    assert procedure_choice(published) == expected


@given(
    start=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31)),
    months=st.integers(min_value=1, max_value=120),
)
def test_the_execution_ends_the_day_before_the_same_date_months_later(start, months):
    end = execution_end(start, months)

    next_day = end + datetime.timedelta(days=1)
    assert end >= start
    assert (next_day.year - start.year) * 12 + next_day.month - start.month == months
    # The same day of the month, or the month's last day when it is shorter (31 → 30).
    last_day = calendar.monthrange(next_day.year, next_day.month)[1]
    assert next_day.day == min(start.day, last_day)


# Following -----------------------------------------------------------------------------------


def _as_post(response: Any) -> dict[str, Any]:
    """The data a facilitator sends when they keep every prefilled value."""
    data: dict[str, Any] = {}
    for form in (response.context["form"], response.context["clause_form"]):
        for name in form.fields:
            value = form.initial.get(name, form.fields[name].initial)
            key = form.add_prefix(name)
            if value is None or value is False or value == "":
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list):
                data[key] = [str(item) for item in value]
            elif isinstance(value, datetime.date):
                data[key] = value.isoformat()
            else:
                data[key] = str(value)
    return data


def test_following_creates_the_contract_links_it_and_confirms_its_organisations(
    structure, published, django_capture_on_commit_callbacks
):
    data = _as_post(structure.client.get(_follow(published)))

    with django_capture_on_commit_callbacks(execute=True):
        response = structure.client.post(_follow(published), data, follow=True)

    contract = Contract.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "procurement:contract_detail", args=[contract.pk]
    )
    assert (contract.reference, contract.title) == ("2025-001", "Construction du collège 2025-001")
    assert contract.amount_excl_tax == Decimal("1200000.00")
    assert contract.facilitator == structure.organisation
    assert contract.buyer.siret == BUYER_SIRET
    assert contract.awarded_company is not None
    assert contract.awarded_company.siret == HOLDER_SIRET
    assert (contract.execution_start, contract.execution_end) == (
        datetime.date(2025, 3, 1),
        datetime.date(2026, 8, 31),
    )
    assert contract.social_clause
    assert contract.environmental_criterion
    assert contract.hours_required > 0  # the network's default formula, as prefilled
    published.refresh_from_db()
    assert published.contract == contract
    for siret in (BUYER_SIRET, HOLDER_SIRET):
        assert Organisation.objects.get(siret=siret).confirmed_at is not None
    subcontractor = Organisation.objects.get(name="Insertion Lagon")
    assert list(contract.subcontractors.all()) == [subcontractor]
    assert subcontractor.confirmed_at is not None
    event = DecpEvent.objects.get(action=DecpEventAction.RECORD_FOLLOWED)
    assert (event.actor, event.object_id, event.after["contract"]) == (
        structure.user,
        published.pk,
        contract.pk,
    )
    assert ProcurementEvent.objects.filter(contract=contract, action="contract_created").exists()
    page = response.content.decode()
    assert "est suivi dans Tremplin" in page
    assert "Données ouvertes (DECP)" in page


def test_the_contract_form_s_rules_apply_when_following(structure, published):
    data = _as_post(structure.client.get(_follow(published)))
    data["execution_end"] = "2024-01-01"

    response = structure.client.post(_follow(published), data)

    assert response.status_code == 200
    assert escape("La fin d'exécution précède son début.") in response.content.decode()
    assert not Contract.objects.exists()
    published.refresh_from_db()
    assert published.contract is None
    assert Organisation.objects.get(siret=BUYER_SIRET).confirmed_at is None


def test_a_followed_record_is_not_followed_twice(structure, published):
    data = _as_post(structure.client.get(_follow(published)))
    structure.client.post(_follow(published), data)
    contract = Contract.objects.get()

    again = structure.client.post(_follow(published), data, follow=True)

    assert Contract.objects.count() == 1
    assert again.redirect_chain[-1][0] == _detail(published)
    page = again.content.decode()
    assert "Ce marché est déjà suivi dans Tremplin." in page
    assert "Voir le marché suivi" in page
    assert "Suivre ce marché dans Tremplin" not in page
    assert reverse("procurement:contract_detail", args=[contract.pk]) in page
    published.refresh_from_db()
    with pytest.raises(ValidationError, match="déjà suivi dans Tremplin"):
        services.record_follow(
            actor=structure.user,
            record=published,
            clause=None,
            facilitator=structure.organisation,
            buyer=contract.buyer,
            reference="AUTRE",
            title="Autre",
            procedure=Procedure.OPEN_TENDER,
            amount_excl_tax=Decimal(1),
            execution_start=datetime.date(2025, 1, 1),
            execution_end=datetime.date(2025, 12, 31),
        )


def test_a_newer_publication_leaves_the_followed_contract_untouched(structure, network, published):
    structure.client.post(_follow(published), _as_post(structure.client.get(_follow(published))))
    contract = Contract.objects.get()
    before = {field.attname: getattr(contract, field.attname) for field in Contract._meta.fields}

    _import(
        network,
        [
            record(
                "2025-001",
                object="Construction et extension du collège",
                amount=Decimal("2500000"),
                duration_months=30,
                published_on=datetime.date(2026, 1, 15),
                social_considerations=(),
            )
        ],
        file_hash="1",
    )

    published.refresh_from_db()
    assert published.amount == Decimal("2500000.00")  # the record follows the publication…
    assert published.contract_id == contract.pk  # …and keeps its link
    contract.refresh_from_db()
    after = {field.attname: getattr(contract, field.attname) for field in Contract._meta.fields}
    assert after == before


# The contract's page -------------------------------------------------------------------------


def test_the_contract_page_shows_its_open_data_source(structure, published):
    structure.client.post(_follow(published), _as_post(structure.client.get(_follow(published))))
    contract = Contract.objects.get()

    page = structure.client.get(
        reverse("procurement:contract_detail", args=[contract.pk])
    ).content.decode()

    assert "Données ouvertes (DECP)" in page
    assert "Critère environnemental" in page
    assert "Actes de sous-traitance" in page
    assert _detail(published) in page


def test_a_contract_typed_by_hand_has_no_open_data_card(structure):
    contract = ContractFactory(facilitator=structure.organisation)

    page = structure.client.get(
        reverse("procurement:contract_detail", args=[contract.pk])
    ).content.decode()

    assert "Données ouvertes (DECP)" not in page


def test_the_buyer_sees_its_contract_without_the_facilitators_open_data_card(structure, published):
    structure.client.post(_follow(published), _as_post(structure.client.get(_follow(published))))
    contract = Contract.objects.get()
    client = Client()
    client.force_login(member_of(contract.buyer))

    response = client.get(reverse("procurement:contract_detail", args=[contract.pk]))

    assert response.status_code == 200
    assert "Données ouvertes (DECP)" not in response.content.decode()
