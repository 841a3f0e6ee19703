"""The pages of the DECP import: send a file, see its report, download its rejections,
list the records; only facilitator structures and coordinators of the network see them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.decp.building import BUYER_SIRET, HOLDER_SIRET, record
from tests.factories import (
    CompanyFactory,
    FacilitatorFactory,
    NetworkFactory,
    coordinator_of,
    member_of,
)
from tremplin.core.uploads import size_text
from tremplin.decp import services
from tremplin.decp import urls as decp_urls
from tremplin.decp.enums import DecpImportStatus
from tremplin.decp.models import DecpImport, DecpRecord
from tremplin.organisations.models import Organisation

V2_FILE = {
    "marches": {
        "marche": [
            {
                "id": "2025-001",
                "acheteur": {"id": BUYER_SIRET},
                "nature": "Marché",
                "objet": "Construction du collège de Kawéni",
                "codeCPV": "45214200-2",
                "procedure": "Appel d'offres ouvert",
                "lieuExecution": {"code": "97611", "typeCode": "Code commune"},
                "dureeMois": 18,
                "dateNotification": "2025-03-01",
                "datePublicationDonnees": "2025-03-10",
                "montant": 1200000,
                "formePrix": "Forfaitaire",
                "titulaires": [{"titulaire": {"id": HOLDER_SIRET, "typeIdentifiant": "SIRET"}}],
                "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
                "considerationsEnvironnementales": {
                    "considerationEnvironnementale": ["Pas de considération environnementale"]
                },
            },
            {"id": "2025-002", "acheteur": {"id": "1234"}, "objet": "Acheteur sans SIRET"},
        ]
    }
}


@pytest.fixture(autouse=True)
def _imports_setup(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def upload(data: bytes, name: str = "decp-2025.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/json")


def send(client: Client, data: bytes, network_id: int, name: str = "decp-2025.json") -> Any:
    return client.post(
        reverse("decp:import_list"),
        {"file": upload(data, name), "network": network_id},
        follow=True,
    )


def test_a_file_sent_is_imported_in_the_background_and_reported(structure, network):
    response = send(structure.client, json.dumps(V2_FILE).encode(), network.pk)

    item = DecpImport.objects.get()
    assert item.task_id  # it went through django-tasks (here the immediate backend)
    assert item.status == DecpImportStatus.DONE
    assert response.redirect_chain[-1][0] == reverse("decp:import_detail", args=[item.pk])
    page = response.content.decode()
    assert "decp-2025.json" in page
    assert size_text(item.file_size) in page  # « 1,2 Ko », not Django's « 1,2 Kio »
    assert "Motifs de rejet" in page
    assert "1234" in page  # the rejected buyer's id, in the rejections table
    assert (item.records_read, item.created_count, item.rejected_count) == (2, 1, 1)
    assert item.created_by == structure.user
    assert DecpRecord.objects.get().identifier == "2025-001"

    rejections = structure.client.get(
        reverse("decp:import_rejections", args=[item.pk]), {"format": "csv"}
    )
    assert rejections["Content-Disposition"].startswith('attachment; filename="decp-2025-rejets')
    text = rejections.content.decode("utf-8-sig")
    assert "Rang;Identifiant;Champ;Motif" in text.splitlines()[0]
    assert "2025-002" in text


def test_the_same_file_again_changes_nothing(structure, network):
    data = json.dumps(V2_FILE).encode()
    send(structure.client, data, network.pk)
    response = send(structure.client, data, network.pk)

    again = DecpImport.objects.order_by("-pk").first()
    assert again is not None
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    assert DecpRecord.objects.count() == 1
    assert "inchangé" in response.content.decode()


def test_a_file_that_is_not_decp_json_is_refused_with_a_french_message(structure, network):
    response = send(structure.client, b"Ceci n'est pas du JSON", network.pk, name="notes.json")

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not DecpImport.objects.exists()


def test_a_cut_file_writes_nothing(structure, network):
    data = json.dumps(V2_FILE).encode()[:-40]
    send(structure.client, data, network.pk)

    item = DecpImport.objects.get()
    assert item.status == DecpImportStatus.FAILED
    assert "Rien n'a été importé" in item.error_message
    assert not DecpRecord.objects.exists()


def test_the_progress_bar_refreshes_the_page_once_the_import_ends(structure, network):
    send(structure.client, json.dumps(V2_FILE).encode(), network.pk)
    item = DecpImport.objects.get()

    response = structure.client.get(reverse("decp:import_progress", args=[item.pk]))

    assert response["HX-Refresh"] == "true"


def test_a_waiting_import_shows_its_progress_bar(structure, network):
    item = services.decp_import_create(
        network=network, actor=structure.user, file_name="x.json", file_size=1, file_hash="0"
    )

    page = structure.client.get(reverse("decp:import_detail", args=[item.pk])).content.decode()

    assert 'hx-get="' + reverse("decp:import_progress", args=[item.pk]) in page
    assert "En attente de traitement" in page


def _import_records(network, records):  # type: ignore[no-untyped-def]
    item = services.decp_import_create(
        network=network, actor=None, file_name="x.json", file_size=1, file_hash="0"
    )
    services.decp_import_claim(item, records_total=len(records))
    services.import_records(item, records)
    return services.decp_import_finish(item)


def test_the_records_list_filters_by_buyer_year_and_social_consideration(
    structure, network, django_assert_max_num_queries
):
    import datetime

    _import_records(
        network,
        [
            record("SOC-2025"),
            record("ENV-2025", social_considerations=()),
            record("SOC-2024", notified_on=datetime.date(2024, 5, 1)),
        ]
        + [record(f"N{index}") for index in range(30)],
    )
    url = reverse("decp:record_list")
    with django_assert_max_num_queries(13):
        page = structure.client.get(url).content.decode()
    assert "33 marchés" in page

    social_2025 = structure.client.get(url, {"annee": 2025, "sociale": "on"}).content.decode()
    assert "31 marchés correspondent aux filtres" in social_2025
    assert "ENV-2025" not in social_2025
    assert "SOC-2024" not in social_2025

    buyer = Organisation.objects.get(siret=BUYER_SIRET)
    by_buyer = structure.client.get(url, {"acheteur": buyer.pk}).content.decode()
    assert "33 marchés correspondent" in by_buyer


def test_the_imports_list_shows_every_import_of_the_network(
    structure, network, django_assert_max_num_queries
):
    for index in range(5):
        _import_records(network, [record(f"L{index}")])
    with django_assert_max_num_queries(11):
        page = structure.client.get(reverse("decp:import_list")).content.decode()
    assert page.count(">x.json</a>") == 5


def test_a_coordinator_imports_for_the_network(network):
    client = Client()
    client.force_login(coordinator_of(network))

    send(client, json.dumps(V2_FILE).encode(), network.pk)

    assert DecpImport.objects.get().network == network


def test_nobody_imports_for_another_network(structure):
    other = NetworkFactory()

    response = send(structure.client, json.dumps(V2_FILE).encode(), other.pk)

    assert response.status_code == 200
    assert not DecpImport.objects.exists()


# Access: every url, and who gets "not found" ----------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    with_import: bool = False
    with_record: bool = False


CALLS = {
    "import_list": Call(),
    "import_detail": Call(with_import=True),
    "import_progress": Call(with_import=True),
    "import_rejections": Call(with_import=True, data={"format": "csv"}),
    "record_list": Call(),
    "record_detail": Call(with_record=True),
    "record_follow": Call(with_record=True),
    "opportunities": Call(),
    "opportunity_settings": Call(),
}


def test_every_url_is_covered():
    names = {pattern.name for pattern in decp_urls.urlpatterns}
    assert names == set(CALLS)


def _url(name: str, item: DecpImport) -> str:
    if CALLS[name].with_record:
        return reverse(f"decp:{name}", args=[DecpRecord.objects.get(last_import=item).pk])
    return reverse(f"decp:{name}", args=[item.pk] if CALLS[name].with_import else [])


@pytest.fixture
def an_import(network) -> DecpImport:  # type: ignore[no-untyped-def]
    return _import_records(network, [record("A")])


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_network_s_structures_use_every_url(name, structure, an_import):
    response = structure.client.get(_url(name, an_import), CALLS[name].data)
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_company_gets_not_found(name, network, an_import):
    client = Client()
    client.force_login(member_of(CompanyFactory(network=network)))
    assert client.get(_url(name, an_import), CALLS[name].data).status_code == 404


@pytest.mark.parametrize("name", sorted(CALLS))
def test_another_network_s_structure_sees_nothing(name, an_import):
    client = Client()
    client.force_login(member_of(FacilitatorFactory(network=NetworkFactory())))
    response = client.get(_url(name, an_import), CALLS[name].data)
    if CALLS[name].with_import or CALLS[name].with_record:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert "x.json" not in response.content.decode()
        assert "Construction du collège A" not in response.content.decode()


def test_a_deeply_nested_file_is_refused_at_upload_with_a_french_message(structure, network):
    data = b'{"marches": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    response = send(structure.client, data, network.pk)

    assert "imbriqués sur plus de 64 niveaux" in response.content.decode()
    assert not DecpImport.objects.exists()


def test_a_huge_number_far_in_the_file_fails_the_import_and_writes_nothing(structure, network):
    records = [json.dumps({"id": f"A{index}", "objet": "x" * 200}) for index in range(500)]
    records.append('{"id": "B", "montant": 1' + "0" * 5000 + "}")
    send(structure.client, ('{"marches": [' + ",".join(records) + "]}").encode(), network.pk)

    item = DecpImport.objects.get()
    assert item.status == DecpImportStatus.FAILED
    assert "un nombre compte plus de 100 chiffres" in item.error_message
    assert not DecpRecord.objects.exists()
