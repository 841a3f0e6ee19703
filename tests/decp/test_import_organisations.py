"""Organisations created from open data stay apart until a facilitator confirms them."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.decp.building import BUYER_SIRET, record
from tests.factories import BuyerFactory, CompanyFactory, FacilitatorFactory, member_of
from tremplin.decp import services
from tremplin.organisations.models import NetworkEvent, Organisation
from tremplin.organisations.services import organisation_confirm

LIST = reverse("organisations:organisation_list")


def _import(network) -> None:  # type: ignore[no-untyped-def]
    item = services.decp_import_create(
        network=network, actor=None, file_name="x.json", file_size=1, file_hash="0"
    )
    services.decp_import_claim(item, records_total=1)
    services.import_records(item, [record("A")])
    services.decp_import_finish(item)


def test_the_list_keeps_organisations_from_open_data_in_their_own_tab(structure, network):
    BuyerFactory(network=network, name="Mairie saisie à la main")
    _import(network)

    main = structure.client.get(LIST).content.decode()
    assert "Mairie saisie à la main" in main
    assert "Commune de Mamoudzou" not in main
    assert "Issues des données ouvertes (à confirmer)" in main

    tab = structure.client.get(LIST, {"kind": "a_confirmer"}).content.decode()
    assert "Commune de Mamoudzou" in tab
    assert "Lagon BTP" in tab
    assert "Mairie saisie à la main" not in tab
    assert "Confirmer" in tab


def test_a_facilitator_confirms_an_organisation_from_open_data(structure, network):
    _import(network)
    buyer = Organisation.objects.get(siret=BUYER_SIRET)

    response = structure.client.post(
        reverse("organisations:organisation_confirm", args=[buyer.pk]), follow=True
    )

    assert "est confirmée" in response.content.decode()
    buyer.refresh_from_db()
    assert buyer.confirmed_at is not None
    assert "Commune de Mamoudzou" in structure.client.get(LIST).content.decode()
    event = NetworkEvent.objects.get(object_type="organisation", object_id=buyer.pk)
    assert (event.action, event.actor) == ("organisation_confirmed", structure.user)


def test_an_organisation_typed_by_hand_has_nothing_to_confirm(structure, network):
    typed = CompanyFactory(network=network)

    response = structure.client.post(
        reverse("organisations:organisation_confirm", args=[typed.pk]), follow=True
    )

    assert "rien à confirmer" in response.content.decode()
    typed.refresh_from_db()
    assert typed.confirmed_at is None


def test_confirming_is_refused_outside_one_s_network_and_to_companies(structure, network):
    _import(network)
    buyer = Organisation.objects.get(siret=BUYER_SIRET)
    url = reverse("organisations:organisation_confirm", args=[buyer.pk])
    elsewhere = Client()
    elsewhere.force_login(member_of(FacilitatorFactory()))
    company = Client()
    company.force_login(member_of(CompanyFactory(network=network)))

    assert elsewhere.post(url).status_code == 404
    assert company.post(url).status_code == 404
    buyer.refresh_from_db()
    assert buyer.confirmed_at is None


def test_the_contract_form_offers_only_organisations_typed_or_confirmed(structure, network):
    BuyerFactory(network=network, name="Mairie saisie à la main")
    CompanyFactory(network=network, name="Entreprise saisie à la main")
    _import(network)
    new_contract = reverse("procurement:contract_create")

    page = structure.client.get(new_contract).content.decode()

    assert "Mairie saisie à la main" in page
    assert "Entreprise saisie à la main" in page
    assert "Commune de Mamoudzou" not in page
    assert "Lagon BTP" not in page

    organisation_confirm(
        actor=structure.user, organisation=Organisation.objects.get(siret=BUYER_SIRET)
    )
    assert "Commune de Mamoudzou" in structure.client.get(new_contract).content.decode()
