"""The import pages as a facilitator uses them: download the template, send a file, name
its unknown columns once, read the summary or the errors, download the annotated file;
and never see another structure's imports."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.inclusion.conftest import months_ago, page_text
from tests.inclusion.spreadsheet_files import (  # noqa: F401 - autouse fixture
    HEADER,
    Site,
    _imports_setup,
    csv_bytes,
    make_site,
    upload,
    xlsx_bytes,
)
from tremplin.inclusion import hours_import
from tremplin.inclusion.enums import HoursImportStatus, HoursStatus
from tremplin.inclusion.models import ColumnMapping, HoursEntry, HoursImport

START = reverse("inclusion:hours_import_start")


@pytest.fixture
def site(structure, other_structure) -> Site:  # type: ignore[no-untyped-def]
    return make_site(structure, other_structure)


def send(client, name: str, data: bytes, **fields: object):  # type: ignore[no-untyped-def]
    return client.post(START, {"file": upload(name, data), **fields}, follow=True)


def good_file(site: Site) -> bytes:
    return xlsx_bytes(
        [
            ["Relevé des heures"],
            HEADER,
            [site.fatima.pk, "Madi", "Fatima", months_ago(1), 120, 0],
            [site.said.pk, "Attoumani", "Saïd", months_ago(1), "98,5", 3.5],
        ]
    )


# Entry points ---------------------------------------------------------------------------


def test_the_review_page_and_the_contract_page_lead_to_the_import(structure, site):
    review = structure.client.get(reverse("inclusion:hours_review"))
    assert "Importer un tableur" in page_text(review)
    assert START in review.content.decode()
    contract = structure.client.get(reverse("procurement:contract_detail", args=[site.contract.pk]))
    template_url = reverse("inclusion:hours_import_template", args=[site.contract.pk])
    assert template_url in contract.content.decode()
    assert "Modèle de tableau d'heures" in page_text(contract)


def test_the_import_page_is_for_facilitators_and_employers_only(
    client, buyer_client, company_client
):
    response = client.get(START)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert buyer_client.get(START).status_code == 404
    # Companies import their own hours (tests/inclusion/test_company_import.py).
    assert company_client.get(START).status_code == 200


# Template -------------------------------------------------------------------------------


def test_the_template_of_a_contract_lists_its_placements(structure, site):
    response = structure.client.get(
        reverse("inclusion:hours_import_template", args=[site.contract.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="heures-2026-btp-07.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Heures"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (site.said.pk, "Attoumani", "Saïd"),
        (site.fatima.pk, "Madi", "Fatima"),
    ]


def test_the_template_of_another_structures_contract_does_not_exist(structure, site):
    url = reverse("inclusion:hours_import_template", args=[site.foreign.contract_id])
    assert structure.client.get(url).status_code == 404


def test_the_template_is_chosen_from_a_list_of_contracts(structure, site):
    response = structure.client.get(
        reverse("inclusion:hours_import_template_choice"), {"marche": site.contract.pk}
    )
    assert response["Location"] == reverse(
        "inclusion:hours_import_template", args=[site.contract.pk]
    )
    response = structure.client.get(
        reverse("inclusion:hours_import_template_choice"),
        {"marche": site.foreign.contract_id},
        follow=True,
    )
    assert "Choisissez un marché pour télécharger son modèle." in page_text(response)


# Sending a file -------------------------------------------------------------------------


def test_a_good_file_is_imported_and_summed_up(structure, site):
    response = send(structure.client, "heures-avril.xlsx", good_file(site))
    item = HoursImport.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "inclusion:hours_import_detail", args=[item.pk]
    )
    text = page_text(response)
    assert (
        "Import terminé. 2 lignes d'heures lues : 2 mois créés, 0 modifié, 0 inchangé ; "
        "222 heures dans le fichier, +222 h de variation nette sur les mois enregistrés." in text
    )
    assert "Bilan" in text
    assert "222 heures dans le fichier" in text
    assert "+222 heures de variation nette" in text
    assert "attendent votre validation" in text
    assert HoursEntry.objects.filter(status=HoursStatus.DECLARED).count() == 2
    # The list of imports shows it.
    listing = page_text(structure.client.get(START))
    assert "heures-avril.xlsx" in listing
    assert "Importé" in listing


def test_a_facilitator_may_validate_directly(structure, site):
    send(structure.client, "heures.xlsx", good_file(site), validate_directly="on")
    assert HoursEntry.objects.filter(status=HoursStatus.VALIDATED).count() == 2


def test_sending_the_same_file_again_is_refused_politely(structure, site):
    # The same bytes twice: a workbook written again a second later differs (its timestamps).
    content = good_file(site)
    send(structure.client, "heures.xlsx", content)
    response = send(structure.client, "heures-copie.xlsx", content)
    assert "Ce fichier a déjà été envoyé le" in page_text(response)
    assert "rien n'a changé" in page_text(response)
    assert HoursImport.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("heures.pdf", b"%PDF-1.4", "Format non reconnu : envoyez un classeur .xlsx, .xls ou .ods"),
        (
            "heures.xlsx",
            b"Nom;Heures\n",
            "Le contenu du fichier ne correspond pas à un classeur .xlsx",
        ),
        ("heures.csv", b"", "Le fichier est vide."),
    ],
)
def test_a_wrong_file_gets_a_french_error(structure, site, name, data, message):
    response = structure.client.post(START, {"file": upload(name, data)})
    assert response.status_code == 200
    assert message in page_text(response)
    assert not HoursImport.objects.exists()


def test_a_file_too_large_is_refused(structure, site, settings):
    settings.HOURS_IMPORT_MAX_BYTES = 1024
    response = structure.client.post(START, {"file": upload("gros.csv", b"Nom;Heures\n" * 300)})
    assert (
        "Le fichier pèse 3,2 Ko : la limite est de 1 Ko. Envoyez-le en plusieurs fois"
        in page_text(response)
    )
    assert not HoursImport.objects.exists()


def test_errors_are_listed_and_the_annotated_file_is_downloadable(structure, site):
    data = xlsx_bytes(
        [
            HEADER,
            [site.fatima.pk, "Madi", "Fatima", months_ago(1), 100, 0],
            [site.foreign.pk, "Soilihi", "Nadia", months_ago(1), 10, 0],
            [site.said.pk, "Attoumani", "Saïd", months_ago(1), "douze", 0],
        ]
    )
    response = send(structure.client, "erreurs.xlsx", data)
    text = page_text(response)
    assert "2 erreurs dans le fichier : rien n'a été importé." in text
    assert "Rien n'a été importé" in text
    assert f"3 N° mise en emploi Mise en emploi n° {site.foreign.pk} inconnue" in text
    assert "4 Heures travaillées « douze » n'est pas un nombre d'heures." in text
    assert not HoursEntry.objects.exists()
    item = HoursImport.objects.get()
    report = structure.client.get(reverse("inclusion:hours_import_report", args=[item.pk]))
    assert report.status_code == 200
    assert 'filename="erreurs-erreurs.xlsx"' in report["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert sheet["G1"].value == "Erreurs"
    assert sheet["G2"].value is None
    assert "inconnue" in sheet["G3"].value
    assert sheet["E4"].fill.start_color.rgb.endswith("F8D7DA")


def test_unknown_columns_are_named_once(structure, site):
    header = ["Matricule ME", "Nom", "Prénom", "Mois", "Volume", "Observations"]
    data = xlsx_bytes([header, [site.said.pk, "Attoumani", "Saïd", months_ago(1), 35, "RAS"]])
    response = send(structure.client, "paie.xlsx", data)
    item = HoursImport.objects.get()
    columns_url = reverse("inclusion:hours_import_columns", args=[item.pk])
    assert response.redirect_chain[-1][0] == columns_url
    text = page_text(response)
    assert "Que contient chaque colonne ?" in text
    assert "Matricule ME non reconnue" in text
    assert "Il manque : N° de mise en emploi" not in text  # names are there
    assert "Il manque : Heures travaillées." in text
    # Twice the same field: refused, in French.
    response = structure.client.post(
        columns_url,
        {
            "colonne_0": "placement",
            "colonne_1": "last_name",
            "colonne_2": "first_name",
            "colonne_3": "month",
            "colonne_4": "last_name",
            "colonne_5": "",
        },
    )
    assert "« Nom » est choisi pour plusieurs colonnes" in page_text(response)
    response = structure.client.post(
        columns_url,
        {
            "colonne_0": "placement",
            "colonne_1": "last_name",
            "colonne_2": "first_name",
            "colonne_3": "month",
            "colonne_4": "hours_worked",
            "colonne_5": "",
        },
        follow=True,
    )
    assert "Import terminé." in page_text(response)
    assert HoursEntry.objects.get().hours_worked == 35
    assert ColumnMapping.objects.filter(organisation=site.organisation).count() == 3
    # Next month's file from the same payroll goes straight through.
    data = xlsx_bytes([header, [site.said.pk, "Attoumani", "Saïd", months_ago(2), 30, ""]])
    response = send(structure.client, "paie-2.xlsx", data)
    assert "Import terminé." in page_text(response)


def test_a_long_file_shows_a_progress_bar_until_the_worker_is_done(structure, site, settings):
    settings.HOURS_IMPORT_BACKGROUND_ROWS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = send(structure.client, "long.xlsx", good_file(site))
    item = HoursImport.objects.get()
    assert item.status == HoursImportStatus.QUEUED
    text = page_text(response)
    assert "l'import se poursuit en arrière-plan" in text
    assert "En attente de traitement" in text
    progress_url = reverse("inclusion:hours_import_progress", args=[item.pk])
    assert f'hx-get="{progress_url}"' in response.content.decode()
    assert 'hx-trigger="every 1s"' in response.content.decode()
    HoursImport.objects.filter(pk=item.pk).update(
        status=HoursImportStatus.RUNNING, rows_processed=1
    )
    partial = structure.client.get(progress_url, headers={"HX-Request": "true"})
    assert "1 ligne vérifiée sur 2." in page_text(partial)
    assert "HX-Refresh" not in partial
    HoursImport.objects.filter(pk=item.pk).update(status=HoursImportStatus.QUEUED)
    hours_import.hours_import_run(hours_import=item)
    partial = structure.client.get(progress_url, headers={"HX-Request": "true"})
    assert partial["HX-Refresh"] == "true"
    assert "Bilan" in page_text(
        structure.client.get(reverse("inclusion:hours_import_detail", args=[item.pk]))
    )


# Another structure ----------------------------------------------------------------------


def test_another_structures_imports_do_not_exist(structure, other_structure, site):
    send(structure.client, "heures.xlsx", good_file(site))
    item = HoursImport.objects.get()
    for name in (
        "hours_import_detail",
        "hours_import_columns",
        "hours_import_progress",
        "hours_import_report",
    ):
        url = reverse(f"inclusion:{name}", args=[item.pk])
        assert other_structure.client.get(url).status_code == 404, name
    assert "heures.xlsx" not in page_text(other_structure.client.get(START))


def test_the_list_of_imports_costs_the_same_for_many(
    structure, site, django_assert_max_num_queries
):
    for count in range(3):
        HoursImport.objects.create(
            organisation=site.organisation,
            created_by=site.user,
            file=f"imports/x{count}.csv",
            file_name=f"x{count}.csv",
            file_format="csv",
            file_size=10,
            file_hash=str(count),
            status=HoursImportStatus.DONE,
        )
    with django_assert_max_num_queries(12) as few:
        structure.client.get(START)
    for count in range(3, 20):
        HoursImport.objects.create(
            organisation=site.organisation,
            created_by=site.user,
            file=f"imports/x{count}.csv",
            file_name=f"x{count}.csv",
            file_format="csv",
            file_size=10,
            file_hash=str(count),
            status=HoursImportStatus.INVALID,
            error_count=2,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = structure.client.get(START)
    assert "x19.csv" in page_text(response)


def test_csv_in_windows_1252_through_the_page(structure, site):
    data = csv_bytes(
        [
            ["N° mise en emploi", "Nom", "Prénom", "Mois", "Heures"],
            [site.said.pk, "Attoumani", "Saïd", months_ago(1).strftime("%m/%Y"), "12,5"],
        ],
        encoding="cp1252",
    )
    response = send(structure.client, "export paie.csv", data)
    assert "Import terminé." in page_text(response)
    assert HoursEntry.objects.get().hours_worked == 12.5
