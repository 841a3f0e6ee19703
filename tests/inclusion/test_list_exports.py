"""The participants list and the hours review queue as csv and xlsx files."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import HoursEntryFactory, ParticipantFactory
from tests.inclusion.conftest import follow, months_ago
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import EligibilityCriterion, ParticipantCriterion

pytestmark = pytest.mark.django_db

PARTICIPANTS_URL = reverse("inclusion:participant_list")
REVIEW_URL = reverse("inclusion:hours_review")


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def sheet_of(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize("url", [PARTICIPANTS_URL, REVIEW_URL])
@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_anonymous_users_are_sent_to_the_login_page(client, url, export):
    response = client.get(url, {"format": export})
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize("url", [PARTICIPANTS_URL, REVIEW_URL])
def test_each_list_offers_its_exports(structure, url):
    page = structure.client.get(url).content.decode()
    assert "Exporter" in page
    assert "?format=csv" in page
    assert "?format=xlsx" in page


# Participants ---------------------------------------------------------------------------------


def test_participants_csv_holds_the_searched_people_only(structure, other_structure):
    followed = follow(structure.organisation, last_name="Attoumani")
    followed.entry.status = HoursStatus.VALIDATED
    followed.entry.training_hours = Decimal("7.5")
    followed.entry.save()
    ParticipantCriterion.objects.create(
        participant=followed.participant,
        criterion=EligibilityCriterion.objects.exclude(code="rsa").order_by("position").first(),
        evidence="Attestation",
        checked_on=timezone.localdate(),
    )
    ParticipantFactory(facilitator=structure.organisation, last_name="Soilihi")
    follow(other_structure.organisation, last_name="Attoumani-Sud")

    response = structure.client.get(PARTICIPANTS_URL, {"q": "Attoumani", "format": "csv"})

    assert response["Content-Disposition"].startswith('attachment; filename="participants-')
    rows = csv_rows(response)
    assert rows[0] == [
        "Nom",
        "Prénom",
        "Date de naissance",
        "Commune",
        "QPV",
        "Critères",
        "Mises en emploi",
        "Heures validées",
    ]
    assert len(rows) == 2
    row = rows[1]
    assert row[:5] == [
        "Attoumani",
        followed.participant.first_name,
        "17/05/1990",
        "Mamoudzou",
        "Non",
    ]
    labels = [
        item.criterion.label
        for item in followed.participant.criteria.order_by("criterion__position")
    ]
    assert row[5] == " ; ".join(labels)
    assert len(labels) == 2
    assert row[6:] == ["1", "127,5"]


def test_another_structures_participants_never_appear(structure, other_structure):
    follow(other_structure.organisation, last_name="Ailleurs")
    ParticipantFactory(facilitator=structure.organisation, last_name="Ici")

    for export in ("csv", "xlsx"):
        content = structure.client.get(PARTICIPANTS_URL, {"format": export}).content
        if export == "csv":
            names = [row[0] for row in csv_rows_of(content)]
        else:
            names = [row[0] for row in load_workbook(io.BytesIO(content)).active.values]
        assert "Ici" in names
        assert "Ailleurs" not in names


def csv_rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_participants_xlsx_holds_numbers_as_numbers(structure):
    followed = follow(structure.organisation)
    HoursEntryFactory(
        placement=followed.placement, month=months_ago(3), hours_worked=Decimal("12.5")
    )

    sheet = sheet_of(structure.client.get(PARTICIPANTS_URL, {"format": "xlsx"}))

    assert sheet.title == "Participants"
    assert sheet["G2"].value == 1
    assert sheet["H2"].value == 12.5
    assert sheet["C2"].is_date


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_participants_export_queries_do_not_grow(structure, django_assert_max_num_queries, export):
    for _ in range(3):
        follow(structure.organisation)
    with CaptureQueriesContext(connection) as few:
        assert len(csv_rows(structure.client.get(PARTICIPANTS_URL, {"format": "csv"}))) == 4
    for _ in range(27):
        follow(structure.organisation)
    with django_assert_max_num_queries(len(few)):
        response = structure.client.get(PARTICIPANTS_URL, {"format": export})
    assert response.status_code == 200


# Hours review queue ---------------------------------------------------------------------------


def test_review_csv_holds_the_filtered_declarations(structure, other_structure):
    followed = follow(structure.organisation, last_name="Attoumani")
    followed.entry.hours_worked = Decimal("100.25")
    followed.entry.training_hours = Decimal(4)
    followed.entry.save()
    HoursEntryFactory(
        placement=followed.placement, month=months_ago(3), status=HoursStatus.DECLARED
    )
    follow(other_structure.organisation, last_name="Ailleurs")

    month = months_ago(2)
    response = structure.client.get(REVIEW_URL, {"month": month.strftime("%Y-%m"), "format": "csv"})

    assert response["Content-Disposition"].startswith('attachment; filename="heures-a-valider-')
    rows = csv_rows(response)
    assert rows[0][0] == "Mois"
    assert len(rows) == 2
    row = rows[1]
    assert row[0] == month.strftime("%d/%m/%Y")
    assert row[1] == followed.contract.reference
    assert row[2].endswith("ATTOUMANI")
    assert row[3] == str(followed.placement.employer)
    assert row[4:7] == ["100,25", "4", "104,25"]
    assert row[8] == timezone.localdate().strftime("%d/%m/%Y")


def test_review_xlsx_holds_every_declaration_of_the_structure_only(structure, other_structure):
    followed = follow(structure.organisation, last_name="Attoumani")
    follow(other_structure.organisation, last_name="Ailleurs")

    sheet = sheet_of(structure.client.get(REVIEW_URL, {"format": "xlsx"}))

    rows = list(sheet.values)
    assert len(rows) == 2
    assert rows[1][2].endswith("ATTOUMANI")
    assert rows[1][6] == 120
    assert sheet["A2"].is_date
    assert followed.contract.reference == rows[1][1]


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_review_export_queries_do_not_grow(structure, django_assert_max_num_queries, export):
    for _ in range(3):
        follow(structure.organisation)
    with CaptureQueriesContext(connection) as few:
        assert len(csv_rows(structure.client.get(REVIEW_URL, {"format": "csv"}))) == 4
    for _ in range(27):
        follow(structure.organisation)
    with django_assert_max_num_queries(len(few)):
        response = structure.client.get(REVIEW_URL, {"format": export})
    assert response.status_code == 200
