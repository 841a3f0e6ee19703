"""The organisation pages: list with their contracts' figures, one organisation, a new one."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    BuyerFactory,
    CompanyFactory,
    ContractFactory,
    HoursEntryFactory,
    InclusionEmployerFactory,
    NetworkFactory,
    OrganisationFactory,
    PlacementFactory,
    coordinator_of,
    luhn_complete,
    member_of,
)
from tremplin.organisations.models import Organisation

pytestmark = pytest.mark.django_db

LIST_URL = reverse("organisations:organisation_list")
CREATE_URL = reverse("organisations:organisation_create")
SIRET = luhn_complete("7328293200007")  # 14 digits with a valid key


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"[\u00a0\u202f]", " ", html.unescape(response.content.decode()))


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def detail_url(organisation) -> str:  # type: ignore[no-untyped-def]
    return reverse("organisations:organisation_detail", args=[organisation.pk])


# List -----------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, structure):
    for url in (LIST_URL, CREATE_URL, detail_url(structure.organisation)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def test_list_counts_contracts_and_hours_of_buyers_and_companies(structure):
    buyer = BuyerFactory(network=structure.organisation.network, name="Commune de Bandraboua")
    company = CompanyFactory(network=structure.organisation.network, name="Colas Mayotte")
    ContractFactory(
        facilitator=structure.organisation, buyer=buyer, awarded_company=company, hours=700
    )
    ContractFactory(
        facilitator=structure.organisation, buyer=buyer, awarded_company=company, hours=1300
    )
    ContractFactory(facilitator=structure.organisation, buyer=buyer, hours=50)

    page = text(structure.client.get(LIST_URL, {"kind": "buyer"}))
    assert "Commune de Bandraboua" in page
    assert "Colas Mayotte" not in page
    row = page[page.index("Commune de Bandraboua") :]
    assert re.search(r'class="num">3</td>\s*<td class="num">2 050 h</td>', row)

    page = text(structure.client.get(LIST_URL, {"kind": "company"}))
    row = page[page.index("Colas Mayotte") :]
    assert re.search(r'class="num">2</td>\s*<td class="num">2 000 h</td>', row)


def test_list_counts_only_contracts_the_user_sees(structure, other_structure):
    buyer = BuyerFactory(network=structure.organisation.network, name="Commune partagée")
    ContractFactory(facilitator=structure.organisation, buyer=buyer, hours=100)
    ContractFactory(facilitator=other_structure.organisation, buyer=buyer, hours=900)
    page = text(structure.client.get(LIST_URL, {"kind": "buyer"}))
    row = page[page.index("Commune partagée") :]
    assert re.search(r'class="num">1</td>\s*<td class="num">100 h</td>', row)


def test_list_searches_by_name_or_siret(structure):
    wanted = CompanyFactory(network=structure.organisation.network, name="SMTPC", siret=SIRET)
    other = CompanyFactory(network=structure.organisation.network, name="Vinci Construction")
    page = text(structure.client.get(LIST_URL, {"q": "732 829 320"}))
    assert wanted.name in page
    assert other.name not in page
    page = text(structure.client.get(LIST_URL, {"q": "vinci"}))
    assert other.name in page
    assert wanted.name not in page


def test_list_shows_siret_formatted_and_kind_tabs(structure):
    InclusionEmployerFactory(
        network=structure.organisation.network, name="ETTI Mahoraise", siret=SIRET
    )
    page = text(structure.client.get(LIST_URL, {"kind": "inclusion_employer"}))
    assert "ETTI Mahoraise" in page
    assert f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}" in page
    assert "Employeur inclusif (ETTI)" in page
    for tab in ("Acheteurs", "Entreprises", "Employeurs inclusifs", "Prescripteurs", "Financeurs"):
        assert tab in page


def test_list_hides_other_networks(structure):
    stranger = BuyerFactory(network=NetworkFactory(), name="Ville d'ailleurs")
    assert stranger.name not in text(structure.client.get(LIST_URL))


def test_list_is_for_facilitators_and_coordinators(network, structure):
    buyer = BuyerFactory(network=network)
    assert client_of(member_of(buyer)).get(LIST_URL).status_code == 403
    assert client_of(coordinator_of(network)).get(LIST_URL).status_code == 200


@pytest.mark.parametrize("kind", ["", "buyer", "company"])
def test_list_queries_do_not_grow_with_rows(structure, kind, django_assert_max_num_queries):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert structure.client.get(LIST_URL, {"kind": kind}).status_code == 200
        return len(queries)

    ContractFactory(facilitator=structure.organisation, hours=10)
    few = count_queries()
    for _ in range(10):
        ContractFactory(facilitator=structure.organisation, hours=10)
    assert count_queries() == few
    with django_assert_max_num_queries(10):
        structure.client.get(LIST_URL, {"kind": kind})


# Detail ---------------------------------------------------------------------------------------


def test_buyer_detail_lists_its_contracts_with_progress(structure):
    buyer = BuyerFactory(
        network=structure.organisation.network,
        name="Département de Mayotte",
        siret=SIRET,
        address="8 rue de l'Hôpital",
        postal_code="97600",
        city="Mamoudzou",
    )
    contract = ContractFactory(facilitator=structure.organisation, buyer=buyer, hours=700)
    HoursEntryFactory(placement=PlacementFactory(contract=contract), hours_worked=Decimal(140))
    page = text(structure.client.get(detail_url(buyer)))
    assert f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}" in page
    assert "8 rue de l'Hôpital" in page
    assert "97600 Mamoudzou" in page
    assert "Marchés de l'acheteur" in page
    assert contract.reference in page
    assert ">700<" in page
    assert ">140<" in page
    assert "20 %" in page


def test_company_detail_lists_its_awarded_contracts(structure):
    company = CompanyFactory(network=structure.organisation.network)
    awarded = ContractFactory(
        facilitator=structure.organisation, awarded_company=company, hours=300
    )
    not_awarded = ContractFactory(facilitator=structure.organisation, hours=300)
    page = text(structure.client.get(detail_url(company)))
    assert "Marchés attribués" in page
    assert awarded.reference in page
    assert not_awarded.reference not in page


def test_detail_of_another_network_is_404(structure):
    stranger = BuyerFactory(network=NetworkFactory())
    assert structure.client.get(detail_url(stranger)).status_code == 404


def test_a_buyer_sees_its_own_page_but_not_others(network, structure):
    buyer = BuyerFactory(network=network)
    other = BuyerFactory(network=network)
    client = client_of(member_of(buyer))
    assert client.get(detail_url(buyer)).status_code == 200
    assert client.get(detail_url(other)).status_code == 404


# Create ---------------------------------------------------------------------------------------


def organisation_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "company",
        "name": "Mayotte Bâtiment",
        "siret": "",
        "inclusion_employer_kind": "",
        "buyer_kind": "",
        "prescriber_kind": "",
        "address": "",
        "postal_code": "97600",
        "city": "Mamoudzou",
        "email": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_creating_an_organisation_followed_by_the_structure(structure):
    spaced = f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}"
    data = organisation_data(siret=spaced, facilitator=str(structure.organisation.pk))
    response = structure.client.post(CREATE_URL, data, follow=True)
    organisation = Organisation.objects.get(name="Mayotte Bâtiment")
    assert organisation.siret == SIRET
    assert organisation.facilitator == structure.organisation
    assert organisation.network == structure.organisation.network
    assert "L'organisation « Mayotte Bâtiment » est ajoutée." in text(response)


def test_the_structure_is_preselected(structure):
    page = text(structure.client.get(CREATE_URL))
    assert f'<option value="{structure.organisation.pk}" selected>' in page


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("1234", "Le SIRET doit compter 14 chiffres (4 saisis)."),
        ("7328293200007A", "Le SIRET ne doit contenir que des chiffres."),
        ("73282932000075", "Ce SIRET n'existe pas : sa clé de contrôle est fausse."),
    ],
)
def test_siret_errors_are_in_french_on_the_field(structure, siret, message):
    data = organisation_data(siret=siret, facilitator=str(structure.organisation.pk))
    response = structure.client.post(CREATE_URL, data)
    page = text(response)
    assert message in page
    assert re.search(
        r'class="[^"]*is-invalid[^"]*"[^>]*id="id_siret"|id="id_siret"[^>]*class="[^"]*is-invalid',
        page,
    )
    assert not Organisation.objects.filter(name="Mayotte Bâtiment").exists()


def test_a_siret_already_in_the_network_is_refused(structure):
    OrganisationFactory(network=structure.organisation.network, siret=SIRET)
    data = organisation_data(siret=SIRET, facilitator=str(structure.organisation.pk))
    page = text(structure.client.post(CREATE_URL, data))
    assert "Une organisation de ce réseau porte déjà ce SIRET." in page
    assert not Organisation.objects.filter(name="Mayotte Bâtiment").exists()


def test_inclusion_employer_kind_is_required_for_them_and_refused_for_others(structure):
    facilitator = str(structure.organisation.pk)
    page = text(
        structure.client.post(
            CREATE_URL, organisation_data(kind="inclusion_employer", facilitator=facilitator)
        )
    )
    assert "Précisez le type de structure inclusive" in page
    page = text(
        structure.client.post(
            CREATE_URL,
            organisation_data(
                kind="company", inclusion_employer_kind="ACI", facilitator=facilitator
            ),
        )
    )
    assert "Seul un employeur inclusif a un type de structure inclusive." in page
    assert not Organisation.objects.filter(name="Mayotte Bâtiment").exists()

    structure.client.post(
        CREATE_URL,
        organisation_data(
            kind="inclusion_employer", inclusion_employer_kind="ACI", facilitator=facilitator
        ),
    )
    assert Organisation.objects.get(name="Mayotte Bâtiment").inclusion_employer_kind == "ACI"


def test_a_buyer_keeps_its_buyer_kind(structure):
    data = organisation_data(
        kind="buyer", buyer_kind="hospital", facilitator=str(structure.organisation.pk)
    )
    structure.client.post(CREATE_URL, data)
    assert Organisation.objects.get(name="Mayotte Bâtiment").buyer_kind == "hospital"


def test_only_facilitators_create_organisations(network, structure):
    coordinator = client_of(coordinator_of(network))
    assert coordinator.get(CREATE_URL).status_code == 403
    assert coordinator.post(CREATE_URL, organisation_data()).status_code == 403


def test_a_facilitator_cannot_pick_another_structure(structure, other_structure):
    data = organisation_data(facilitator=str(other_structure.organisation.pk))
    page = text(structure.client.post(CREATE_URL, data))
    assert "Sélectionnez un choix valide" in page
    assert not Organisation.objects.filter(name="Mayotte Bâtiment").exists()


def test_an_organisation_at_a_postal_code_that_does_not_exist_is_refused(structure):
    data = organisation_data(postal_code="00123", facilitator=str(structure.organisation.pk))
    response = structure.client.post(CREATE_URL, data)
    assert "Le code postal 00123 n'existe pas" in text(response)
    assert not Organisation.objects.filter(name="Mayotte Bâtiment").exists()
