"""Companies import the hours of the people they employ from a spreadsheet: created as
declared for the facilitator to check, never validated, never another employer's."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CompanyFactory, ParticipantFactory, PlacementFactory, member_of
from tests.inclusion.conftest import months_ago, open_contract, page_text
from tests.inclusion.spreadsheet_files import (  # noqa: F401 - autouse fixture
    HEADER,
    _imports_setup,
    upload,
    xlsx_bytes,
)
from tremplin.inclusion.enums import HoursImportStatus, HoursStatus
from tremplin.inclusion.models import HoursEntry, HoursImport, Placement
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract

START = reverse("inclusion:hours_import_start")


@dataclass
class Employer:
    organisation: Organisation
    client: Client


@dataclass
class Yard:
    contract: Contract
    lagon: Employer
    rival: Employer
    own: Placement
    rivals: Placement
    elsewhere: Contract


def employer(structure, name: str) -> Employer:  # type: ignore[no-untyped-def]
    organisation = CompanyFactory(
        network=structure.organisation.network, facilitator=structure.organisation, name=name
    )
    client = Client()
    client.force_login(member_of(organisation))
    return Employer(organisation, client)


@pytest.fixture
def yard(structure) -> Yard:  # type: ignore[no-untyped-def]
    lagon = employer(structure, "Lagon BTP")
    rival = employer(structure, "Maoré Bâtiment")
    contract = open_contract(
        structure.organisation, reference="2025-REC-003", awarded_company=lagon.organisation
    )
    own = PlacementFactory(
        contract=contract,
        employer=lagon.organisation,
        participant=ParticipantFactory(
            facilitator=structure.organisation, last_name="Madi", first_name="Fatima"
        ),
        start_date=months_ago(6),
        end_date=None,
    )
    rivals = PlacementFactory(
        contract=contract,
        employer=rival.organisation,
        participant=ParticipantFactory(
            facilitator=structure.organisation, last_name="Soilihi", first_name="Nadia"
        ),
        start_date=months_ago(6),
        end_date=None,
    )
    elsewhere = open_contract(structure.organisation, awarded_company=rival.organisation)
    PlacementFactory(contract=elsewhere, employer=rival.organisation, end_date=None)
    return Yard(contract, lagon, rival, own, rivals, elsewhere)


def send(client: Client, rows: list[list[object]], **fields: object):  # type: ignore[no-untyped-def]
    data = xlsx_bytes([HEADER, *rows])
    return client.post(START, {"file": upload("heures.xlsx", data), **fields}, follow=True)


def test_the_company_contract_page_leads_to_the_import_and_its_template(yard):
    page = yard.lagon.client.get(reverse("company:contract_detail", args=[yard.contract.pk]))

    assert "Importer un tableur" in page_text(page)
    assert START in page.content.decode()
    template = reverse("inclusion:hours_import_template", args=[yard.contract.pk])
    assert template in page.content.decode()


def test_the_company_imports_its_own_hours_as_declared(yard):
    response = send(yard.lagon.client, [[yard.own.pk, "Madi", "Fatima", months_ago(1), 120, 7]])

    assert "Import terminé." in page_text(response)
    entry = HoursEntry.objects.get(placement=yard.own)
    assert entry.status == HoursStatus.DECLARED
    assert entry.total_hours == 127
    item = HoursImport.objects.get()
    assert item.organisation == yard.lagon.organisation
    assert item.validate_directly is False


def test_another_companys_placement_is_unknown_and_nothing_is_written(yard):
    response = send(
        yard.lagon.client,
        [
            [yard.own.pk, "Madi", "Fatima", months_ago(1), 120, 0],
            [yard.rivals.pk, "Soilihi", "Nadia", months_ago(1), 100, 0],
        ],
    )

    text = page_text(response)
    assert f"Mise en emploi n° {yard.rivals.pk} inconnue" in text
    assert "rien n'a été importé" in text
    assert not HoursEntry.objects.exists()
    assert HoursImport.objects.get().status == HoursImportStatus.INVALID


def test_a_company_cannot_validate(yard):
    form = yard.lagon.client.get(START)
    assert "Valider directement" not in page_text(form)

    send(
        yard.lagon.client,
        [[yard.own.pk, "Madi", "Fatima", months_ago(1), 120, 0]],
        validate_directly="on",
    )

    assert HoursEntry.objects.get(placement=yard.own).status == HoursStatus.DECLARED
    assert HoursImport.objects.get().validate_directly is False


def test_a_company_never_sees_another_organisations_imports(yard, structure):
    send(yard.rival.client, [[yard.rivals.pk, "Soilihi", "Nadia", months_ago(1), 100, 0]])
    rival_import = HoursImport.objects.get()

    detail = reverse("inclusion:hours_import_detail", args=[rival_import.pk])
    assert yard.lagon.client.get(detail).status_code == 404
    assert yard.rival.client.get(detail).status_code == 200
    assert "heures.xlsx" not in page_text(yard.lagon.client.get(START))
    # The facilitator structure's own imports stay its own too.
    structure_import = HoursImport.objects.create(
        organisation=structure.organisation,
        file_name="structure.xlsx",
        file_format="xlsx",
        file_size=1,
        file_hash="0" * 64,
        status=HoursImportStatus.DONE,
    )
    other = reverse("inclusion:hours_import_detail", args=[structure_import.pk])
    assert yard.lagon.client.get(other).status_code == 404


def test_the_template_lists_only_the_companys_own_placements(yard):
    response = yard.lagon.client.get(
        reverse("inclusion:hours_import_template", args=[yard.contract.pk])
    )

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "Madi" in cells or "MADI" in cells
    assert not any("Soilihi" in cell or "SOILIHI" in cell for cell in cells)
    # A contract where Lagon employs nobody: no template.
    elsewhere = reverse("inclusion:hours_import_template", args=[yard.elsewhere.pk])
    assert yard.lagon.client.get(elsewhere).status_code == 404
