"""The clause opportunities page, its exports, its settings and the buyer's PDF sheet."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.decp.building import BUYER_SIRET, record
from tests.factories import (
    BuyerFactory,
    CompanyFactory,
    ContractFactory,
    NetworkFactory,
    coordinator_of,
    member_of,
    next_siret,
)
from tremplin.decp import services
from tremplin.decp.enums import DecpEventAction
from tremplin.decp.models import DecpEvent, DecpRecord, OpportunitySettings
from tremplin.decp.records import Party
from tremplin.organisations.models import Organisation

DEPARTEMENT_SIRET = next_siret()
NBSP = "\u00a0"


def plain(text: str) -> str:
    """The page's text with its non-breaking spaces as plain spaces."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


def _import_records(network, records):  # type: ignore[no-untyped-def]
    item = services.decp_import_create(
        network=network, actor=None, file_name="x.json", file_size=1, file_hash="0"
    )
    services.decp_import_claim(item, records_total=len(records))
    services.import_records(item, records)
    return services.decp_import_finish(item)


@pytest.fixture
def dataset(network, structure):  # type: ignore[no-untyped-def]
    """Five opportunities (two covered) and three contracts that are not, with the
    formula 40 % × 7 % ÷ 25 € and 1 607 h per FTE."""
    network.default_labour_share = Decimal("0.40")
    network.default_insertion_rate = Decimal("0.07")
    network.default_hourly_cost = Decimal(25)
    network.hours_per_fte = 1607
    network.save()
    no_social: dict[str, tuple[str, ...]] = {"social_considerations": ()}
    _import_records(
        network,
        [
            # 1 200 000 € × 40 % × 7 % ÷ 25 € = 1 344 h, a social clause published: covered
            record("A-2025"),
            # nettoyage, 300 000 € → 336 h
            record("B-2025", cpv_code="90910000-9", amount=Decimal(300_000), **no_social),
            # 600 000 € → 672 h
            record(
                "C-2024",
                amount=Decimal(600_000),
                notified_on=datetime.date(2024, 5, 1),
                **no_social,
            ),
            # espaces verts, 200 000 € → 224 h; followed in Tremplin with a clause: covered
            record(
                "G-2024",
                cpv_code="77310000-6",
                amount=Decimal(200_000),
                notified_on=datetime.date(2024, 9, 1),
                **no_social,
            ),
            # another buyer: 1 000 000 € → 1 120 h
            record(
                "H-2025",
                buyer=Party(DEPARTEMENT_SIRET, "Conseil départemental"),
                amount=Decimal(1_000_000),
                **no_social,
            ),
            # not opportunities: too small, too short, not labour-intensive
            record("D-small", amount=Decimal(50_000), **no_social),
            record("E-short", duration_months=3, **no_social),
            record("F-it", cpv_code="72000000-5", amount=Decimal(2_000_000), **no_social),
        ],
    )
    followed = ContractFactory(facilitator=structure.organisation, social_clause=False, hours=224)
    DecpRecord.objects.filter(identifier="G-2024").update(contract=followed)
    return network


def page_of(client: Client, **query: object) -> str:
    response = client.get(reverse("decp:opportunities"), query)
    assert response.status_code == 200
    return plain(response.content.decode())


def mamoudzou() -> Organisation:
    return Organisation.objects.get(siret=BUYER_SIRET)


def test_the_page_counts_the_opportunities_their_hours_and_the_share_covered(structure, dataset):
    page = page_of(structure.client)

    # 1 344 + 336 + 672 + 224 + 1 120 = 3 696 h = 2 FTE of 1 607 h; 2 of 5 covered
    assert (
        "5 marchés pourraient porter une clause</strong> : 3 696 heures d'insertion, "
        "soit 2 ETP ; 40 % sont déjà couverts."
    ) in page
    assert "1 200 000 € × 40 % × 7 % ÷ 25 € = 1 344 h" in page
    assert "CPV 909 nettoyage" in page
    assert "durée ≥ 6 mois" in page
    for excluded in ("D-small", "E-short", "F-it"):
        assert excluded not in page


def test_totals_by_buyer_and_by_year(structure, dataset):
    page = page_of(structure.client)

    buyer_row = page.split(f'data-buyer="{mamoudzou().pk}"')[1].split("</tr>")[0]
    assert "Commune de Mamoudzou" in buyer_row
    assert "2 576 h" in buyer_row  # 1 344 + 336 + 672 + 224
    assert "50 %" in buyer_row
    year_2024 = page.split('data-year="2024"')[1].split("</tr>")[0]
    assert "896 h" in year_2024  # 672 + 224


def test_filters_by_buyer_and_years(structure, dataset):
    by_buyer = page_of(structure.client, acheteur=mamoudzou().pk)
    assert "4 marchés pourraient porter une clause</strong> : 2 576 heures" in by_buyer
    assert "H-2025" not in by_buyer
    assert "Fiche PDF pour l'acheteur" in by_buyer

    in_2025 = page_of(structure.client, annee_debut=2025, annee_fin=2025)
    assert "3 marchés pourraient porter une clause</strong> : 2 800 heures" in in_2025
    assert "Fiche PDF pour l'acheteur" not in in_2025


def test_without_clause_only_lists_the_uncovered_and_keeps_the_totals(structure, dataset):
    page = page_of(structure.client, sans_clause="on")

    assert "5 marchés pourraient porter une clause" in page
    assert 'data-record="B-2025"' in page
    assert 'data-record="A-2025"' not in page  # published with a social clause
    assert 'data-record="G-2024"' not in page  # followed in Tremplin with a clause


def test_the_page_s_queries_do_not_grow_with_the_records(
    structure, dataset, django_assert_max_num_queries
):
    _import_records(dataset, [record(f"N{index}") for index in range(80)])
    with django_assert_max_num_queries(12):
        page = page_of(structure.client)
    assert "85 marchés pourraient porter une clause" in page
    assert "Page 1 sur 2" in page


def test_the_list_exports_as_csv_and_xlsx(structure, dataset):
    url = reverse("decp:opportunities")

    csv_response = structure.client.get(url, {"format": "csv", "sans_clause": "on"})
    assert csv_response["Content-Disposition"].startswith(
        'attachment; filename="opportunites-clauses-reseau-test-'
    )
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Acheteur;Identifiant;Objet;Notifié le;Code CPV")
    assert len(lines) == 1 + 3  # B, C, H: those without a clause
    (cleaning,) = [line for line in lines if "B-2025" in line]
    assert ";Nettoyage;300000,00;18;336;" in cleaning

    xlsx = structure.client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 5
    assert {row[1] for row in rows[1:]} == {"A-2025", "B-2025", "C-2024", "G-2024", "H-2025"}
    hours_by_id = {row[1]: row[8] for row in rows[1:]}
    assert hours_by_id["A-2025"] == 1344


# Settings ----------------------------------------------------------------------------------


def settings_url(network) -> str:  # type: ignore[no-untyped-def]
    return f"{reverse('decp:opportunity_settings')}?reseau={network.slug}"


def test_facilitators_read_the_default_settings(structure, network):
    response = structure.client.get(settings_url(network))

    page = plain(response.content.decode())
    assert 'data-prefix="45"' in page
    assert "Travaux de construction" in page
    assert "90 000 €" in page
    assert "Modifier les réglages" not in page
    assert not OpportunitySettings.objects.exists()  # reading writes nothing


def test_a_coordinator_changes_the_settings_and_the_page_follows(structure, dataset):
    client = Client()
    coordinator = coordinator_of(dataset)
    client.force_login(coordinator)
    assert "Modifier les réglages" in client.get(settings_url(dataset)).content.decode()
    form = client.get(settings_url(dataset) + "&modifier=1").content.decode()
    assert "45 — Travaux de construction" in form

    response = client.post(
        settings_url(dataset),
        {
            "cpv_prefixes": "45 — Travaux de construction\n909 : Nettoyage des locaux",
            "min_amount": "500 000",
            "min_duration_months": "12",
        },
        follow=True,
    )

    assert "sont enregistrés" in response.content.decode()
    saved = OpportunitySettings.objects.get(network=dataset)
    assert saved.cpv_prefixes == [
        {"prefix": "45", "label": "Travaux de construction"},
        {"prefix": "909", "label": "Nettoyage des locaux"},
    ]
    assert (saved.min_amount, saved.min_duration_months) == (Decimal(500_000), 12)
    event = DecpEvent.objects.get(action=DecpEventAction.OPPORTUNITY_SETTINGS_UPDATED)
    assert event.actor == coordinator
    assert event.after["min_amount"] == "500000.00"
    # Only A (1 200 000 €), C (600 000 €) and H (1 000 000 €) remain.
    page = page_of(structure.client)
    assert "3 marchés pourraient porter une clause" in page
    assert "montant ≥ 500 000 €" in page


def test_wrong_prefixes_are_refused_with_french_messages(network):
    client = Client()
    client.force_login(coordinator_of(network))

    response = client.post(
        settings_url(network),
        {
            "cpv_prefixes": "4 — Trop court\n45 — Travaux\n45 — Encore\n77",
            "min_amount": "-1",
            "min_duration_months": "6",
        },
    )

    page = response.content.decode()
    assert "Rien n'est enregistré" in page
    assert "Ligne 1 : « 4 » n&#x27;est pas un préfixe CPV (de 2 à 8 chiffres)." in page
    assert "Ligne 3 : le préfixe « 45 » est en double." in page
    assert "Ligne 4 : donnez un libellé au préfixe « 77 »." in page
    assert "Le montant minimal ne peut pas être négatif." in page
    assert not OpportunitySettings.objects.exists()


def test_a_facilitator_s_post_is_not_found(structure, network):
    response = structure.client.post(
        settings_url(network),
        {"cpv_prefixes": "45 — Travaux", "min_amount": "0", "min_duration_months": "0"},
    )
    assert response.status_code == 404
    assert not OpportunitySettings.objects.exists()


def test_others_get_not_found(network, dataset):
    company = Client()
    company.force_login(member_of(CompanyFactory(network=network)))
    buyer = Client()
    buyer.force_login(member_of(BuyerFactory(network=network)))
    other_coordinator = Client()
    other_coordinator.force_login(coordinator_of(NetworkFactory()))
    for client in (company, buyer, other_coordinator):
        assert client.get(settings_url(network)).status_code == 404
        assert client.post(settings_url(network), {"min_amount": "0"}).status_code == 404
        opportunities = reverse("decp:opportunities") + "?reseau=reseau-test"
        assert client.get(opportunities).status_code == 404
    assert not OpportunitySettings.objects.exists()


# The buyer's PDF sheet ---------------------------------------------------------------------


def sheet_url(buyer: Organisation, **query: str) -> str:
    url = f"{reverse('reporting:opportunity_sheet')}?reseau=reseau-test&acheteur={buyer.pk}"
    return url + "".join(f"&{key}={value}" for key, value in query.items())


def test_the_sheet_preview_shows_the_buyer_s_totals_by_year(structure, dataset):
    response = structure.client.get(sheet_url(mamoudzou(), apercu="1"))

    page = plain(response.content.decode())
    assert response.status_code == 200
    assert "Commune de Mamoudzou" in page
    assert "4 de vos marchés pourraient porter une clause sociale</strong> : 2 576 heures" in page
    assert "2 en portent déjà une (50 %)" in page
    assert "1 680 h" in page  # 2025: 1 344 + 336
    assert "896 h" in page  # 2024: 672 + 224
    assert "1 200 000 € × 40 % × 7 % ÷ 25 € = 1 344 h" in page
    assert "Conseil départemental" not in page


def test_the_sheet_is_a_pdf(structure, dataset):
    response = structure.client.get(sheet_url(mamoudzou()))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        'attachment; filename="opportunites-clauses-commune-de-mamoudzou.pdf"'
    )


def test_the_sheet_of_a_buyer_outside_the_network_is_not_found(structure, dataset):
    elsewhere = BuyerFactory(network=NetworkFactory())
    assert structure.client.get(sheet_url(elsewhere, apercu="1")).status_code == 404
    no_buyer = f"{reverse('reporting:opportunity_sheet')}?apercu=1"
    assert structure.client.get(no_buyer).status_code == 404
    company = Client()
    company.force_login(member_of(CompanyFactory(network=dataset)))
    assert company.get(sheet_url(mamoudzou(), apercu="1")).status_code == 404


def test_the_opportunities_page_links_to_the_sheet_and_the_settings(structure, dataset):
    page = structure.client.get(
        reverse("decp:opportunities"), {"acheteur": mamoudzou().pk}
    ).content.decode()
    assert reverse("reporting:opportunity_sheet") + "?reseau=reseau-test&amp;acheteur=" in page
    assert reverse("decp:opportunity_settings") + "?reseau=reseau-test" in page
