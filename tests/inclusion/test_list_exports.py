"""The participants list and the hours review queue as csv and xlsx files."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import (
    HoursEntryFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlacementFactory,
    member_of,
)
from tests.inclusion.conftest import follow, months_ago, open_contract
from tests.inclusion.test_company_space import Company, company_in, hire
from tremplin.inclusion.enums import (
    CriterionStatus,
    HoursImportStatus,
    HoursStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.followup import six_month_due
from tremplin.inclusion.models import EligibilityCriterion, HoursImport, ParticipantCriterion

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


# Every other list of the inclusion app --------------------------------------------------------
# Each export holds the rows of its page (all pages, same filters), in the user's scope only.

OUTCOMES_DUE_URL = reverse("inclusion:outcomes_due")
CRITERIA_URL = reverse("eligibility:criteria_review")
IMPORTS_URL = reverse("inclusion:hours_import_start")
DUPLICATES_URL = reverse("inclusion:duplicate_list")
COMPANY_HOME_URL = reverse("company:home")


def exit_long_ago(facilitator, last_name: str, *, followed_up: bool = False):  # type: ignore[no-untyped-def]
    """A person who left a placement eight months ago (six-month situation due)."""
    exit_date = months_ago(8)
    contract = open_contract(facilitator)
    placement = PlacementFactory(
        participant=ParticipantFactory(facilitator=facilitator, last_name=last_name),
        contract=contract,
        start_date=months_ago(14),
        end_date=exit_date,
    )
    outcome = OutcomeFactory(
        placement=placement,
        exit_date=exit_date,
        observed_on=exit_date,
        situation=OutcomeSituation.TRANSITION_JOB,
    )
    if followed_up:
        OutcomeFactory(
            placement=placement,
            moment=OutcomeMoment.SIX_MONTHS,
            exit_date=exit_date,
            observed_on=timezone.localdate(),
        )
    return outcome


def test_outcomes_due_export_holds_the_exits_to_follow_up(structure, other_structure):
    due = exit_long_ago(structure.organisation, "Attoumani")
    exit_long_ago(structure.organisation, "Suivi", followed_up=True)
    exit_long_ago(other_structure.organisation, "Ailleurs")

    page = structure.client.get(OUTCOMES_DUE_URL).content.decode()
    assert "?format=csv" in page
    assert "?format=xlsx" in page
    response = structure.client.get(OUTCOMES_DUE_URL, {"format": "csv"})

    assert response["Content-Disposition"].startswith('attachment; filename="situations-a-6-mois-')
    rows = csv_rows(response)
    assert rows[0] == [
        "Nom",
        "Prénom",
        "Structure",
        "Date de sortie",
        "Marché",
        "Situation à la sortie",
        "Situation à 6 mois attendue le",
        "Jours de retard",
    ]
    assert [row[0] for row in rows[1:]] == ["Attoumani"]
    row = rows[1]
    assert row[2] == "PLIE Nord"
    assert row[3] == due.exit_date.strftime("%d/%m/%Y")
    assert row[4] == due.placement.contract.reference
    assert row[5] == OutcomeSituation.TRANSITION_JOB.label
    due_on = six_month_due(due.exit_date)
    assert row[6] == due_on.strftime("%d/%m/%Y")
    assert row[7] == str((timezone.localdate() - due_on).days)

    sheet = sheet_of(structure.client.get(OUTCOMES_DUE_URL, {"format": "xlsx"}))
    assert sheet["D2"].is_date
    assert sheet["G2"].is_date
    assert isinstance(sheet["H2"].value, int)
    assert [row[0] for row in sheet.values] == ["Nom", "Attoumani"]


def declared_criterion(facilitator, last_name: str, employer=None):  # type: ignore[no-untyped-def]
    """A criterion an employer declared for a person it employs, awaiting the check."""
    placement = PlacementFactory(
        participant=ParticipantFactory(facilitator=facilitator, last_name=last_name),
        contract=open_contract(facilitator),
        **({"employer": employer} if employer else {}),
    )
    declarer = member_of(placement.employer, first_name="Inès", last_name="Déclarante")
    return ParticipantCriterion.objects.create(
        participant=placement.participant,
        criterion=EligibilityCriterion.objects.get(code="rsa"),
        evidence="Attestation CAF de mars",
        checked_on=timezone.localdate() - datetime.timedelta(days=3),
        checked_by=declarer,
        status=CriterionStatus.TO_CHECK,
    )


def test_criteria_export_holds_the_queue_of_the_structure_only(structure, other_structure):
    item = declared_criterion(structure.organisation, "Attoumani")
    ParticipantCriterion.objects.create(  # already checked: not in the queue
        participant=item.participant,
        criterion=EligibilityCriterion.objects.get(code="long_term_job_seeker"),
        evidence="Attestation France Travail",
        checked_on=timezone.localdate(),
    )
    declared_criterion(other_structure.organisation, "Ailleurs")

    assert "?format=csv" in structure.client.get(CRITERIA_URL).content.decode()
    rows = csv_rows(structure.client.get(CRITERIA_URL, {"format": "csv"}))

    assert rows[0] == [
        "Nom",
        "Prénom",
        "Structure",
        "Employeurs",
        "Critère",
        "Justificatif",
        "Fichier joint",
        "Déclaré par",
        "Déclaré le",
    ]
    assert len(rows) == 2
    employer = item.participant.placements.get().employer
    assert rows[1] == [
        "Attoumani",
        item.participant.first_name,
        "PLIE Nord",
        employer.name,
        item.criterion.label,
        "Attestation CAF de mars",
        "Non",
        "Inès Déclarante",
        item.checked_on.strftime("%d/%m/%Y"),
    ]
    sheet = sheet_of(structure.client.get(CRITERIA_URL, {"format": "xlsx"}))
    assert sheet.max_row == 2
    assert sheet["I2"].is_date


def an_import(organisation, user, name: str, status: str, **fields):  # type: ignore[no-untyped-def]
    return HoursImport.objects.create(
        organisation=organisation,
        created_by=user,
        file=f"imports/{name}",
        file_name=name,
        file_format="csv",
        file_size=10,
        file_hash=name,
        status=status,
        **fields,
    )


def test_imports_export_holds_every_import_of_the_structure(structure, other_structure):
    an_import(
        structure.organisation,
        structure.user,
        "heures-mars.csv",
        HoursImportStatus.DONE,
        rows_read=3,
        created_count=2,
        updated_count=1,
        hours_imported=Decimal("312.5"),
        hours_change=Decimal("-12.5"),
    )
    an_import(
        structure.organisation,
        structure.user,
        "heures-avril.csv",
        HoursImportStatus.INVALID,
        error_count=4,
        hours_imported=Decimal(0),
    )
    an_import(other_structure.organisation, other_structure.user, "secret.csv", "done")

    assert "?format=csv" in structure.client.get(IMPORTS_URL).content.decode()
    rows = csv_rows(structure.client.get(IMPORTS_URL, {"format": "csv"}))

    assert rows[0][:5] == ["Reçu le", "Fichier", "Organisation", "Envoyé par", "Statut"]
    by_file = {row[1]: row for row in rows[1:]}
    assert set(by_file) == {"heures-mars.csv", "heures-avril.csv"}
    done = by_file["heures-mars.csv"]
    assert done[0] == timezone.localdate().strftime("%d/%m/%Y")
    assert done[2] == "PLIE Nord"
    assert done[3] == str(structure.user)
    assert done[4:] == ["Importé", "0", "3", "2", "1", "0", "0", "312,5", "-12,5"]
    invalid = by_file["heures-avril.csv"]
    assert invalid[4:6] == ["Erreurs à corriger", "4"]
    assert invalid[-1] == ""  # an invalid file imported no hour

    sheet = sheet_of(structure.client.get(IMPORTS_URL, {"format": "xlsx"}))
    values = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["heures-mars.csv"][11:13] == (312.5, -12.5)
    assert sheet["A2"].is_date


def test_imports_export_holds_more_than_the_latest_shown(structure):
    for count in range(23):
        an_import(structure.organisation, structure.user, f"f{count}.csv", "done")
    assert len(csv_rows(structure.client.get(IMPORTS_URL, {"format": "csv"}))) == 24


def test_duplicates_export_holds_the_pairs_of_the_structure(structure, other_structure):
    for facilitator, name in (
        (structure.organisation, "Attoumani"),
        (other_structure.organisation, "Ailleurs"),
    ):
        ParticipantFactory(facilitator=facilitator, last_name=name, first_name="Nadia")
        ParticipantFactory(facilitator=facilitator, last_name=name, first_name="Nadia")
    ParticipantFactory(facilitator=structure.organisation, last_name="Seule")

    assert "?format=csv" in structure.client.get(DUPLICATES_URL).content.decode()
    rows = csv_rows(structure.client.get(DUPLICATES_URL, {"format": "csv"}))

    assert rows[0][:3] == ["Structure", "Motif", "Première fiche : nom"]
    assert len(rows) == 2
    row = rows[1]
    assert row[0] == "PLIE Nord"
    assert row[1][0].isupper()
    assert row[2:6] == ["Attoumani", "Nadia", "17/05/1990", "0"]
    assert row[6:10] == ["Attoumani", "Nadia", "17/05/1990", "0"]
    sheet = sheet_of(structure.client.get(DUPLICATES_URL, {"format": "xlsx"}))
    assert sheet["E2"].is_date
    assert sheet["F2"].value == 0


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (OUTCOMES_DUE_URL, lambda structure, n: exit_long_ago(structure.organisation, f"P{n}")),
        (CRITERIA_URL, lambda structure, n: declared_criterion(structure.organisation, f"P{n}")),
        (
            IMPORTS_URL,
            lambda structure, n: an_import(
                structure.organisation, structure.user, f"f{n}.csv", "done"
            ),
        ),
    ],
    ids=["outcomes_due", "criteria", "imports"],
)
def test_list_exports_queries_do_not_grow(structure, django_assert_max_num_queries, url, make):
    for n in range(3):
        make(structure, n)
    with CaptureQueriesContext(connection) as few:
        assert len(csv_rows(structure.client.get(url, {"format": "csv"}))) == 4
    for n in range(3, 25):
        make(structure, n)
    for export in ("csv", "xlsx"):
        with django_assert_max_num_queries(len(few)):
            response = structure.client.get(url, {"format": export})
        assert response.status_code == 200


@pytest.mark.parametrize("url", [OUTCOMES_DUE_URL, CRITERIA_URL, DUPLICATES_URL])
def test_people_lists_are_not_exported_to_companies(company_client, url):
    assert company_client.get(url, {"format": "csv"}).status_code == 404


# The company space ------------------------------------------------------------------------------


@pytest.fixture
def lagon(structure) -> Company:  # type: ignore[no-untyped-def]
    return company_in(structure, "Lagon BTP")


@pytest.fixture
def rival(structure) -> Company:  # type: ignore[no-untyped-def]
    return company_in(structure, "Maoré Bâtiment")


@pytest.fixture
def site(structure, lagon, rival):  # type: ignore[no-untyped-def]
    mine = open_contract(
        structure.organisation,
        awarded_company=lagon.organisation,
        hours=700,
        reference="LAGON-1",
    )
    theirs = open_contract(
        structure.organisation,
        awarded_company=rival.organisation,
        hours=500,
        reference="RIVAL-1",
    )
    own = hire(
        mine,
        lagon.organisation,
        "Madi",
        ((3, HoursStatus.VALIDATED, 120), (2, HoursStatus.REJECTED, 100)),
    )
    HoursEntryFactory(
        placement=own,
        month=months_ago(1),
        hours_worked=Decimal("80.5"),
        training_hours=Decimal(7),
        status=HoursStatus.DECLARED,
    )
    elsewhere = hire(mine, rival.organisation, "Ailleurs")
    other = hire(theirs, rival.organisation, "Voisine")
    return {"mine": mine, "theirs": theirs, "own": own, "elsewhere": elsewhere, "other": other}


def test_company_contracts_export_holds_its_own_contracts(lagon, site):
    page = lagon.client.get(COMPANY_HOME_URL).content.decode()
    assert "?format=csv" in page

    rows = csv_rows(lagon.client.get(COMPANY_HOME_URL, {"format": "csv"}))

    assert rows[0] == [
        "Référence",
        "Objet",
        "Acheteur",
        "Début d'exécution",
        "Fin d'exécution",
        "Heures exigées",
        "Heures validées",
        "Heures déclarées, à valider",
        "Heures restant dues",
        "Vos mises en emploi",
        "Vos heures validées",
        "Vos heures à valider",
        "Statut",
    ]
    assert [row[0] for row in rows[1:]] == ["LAGON-1"]
    row = rows[1]
    contract = site["mine"]
    assert row[2] == contract.buyer.name
    assert row[3] == contract.execution_start.strftime("%d/%m/%Y")
    # The contract: 120 h of its own person and 120 h of the rival's, 87,5 h to validate.
    assert row[5:9] == ["700", "240", "87,5", "460"]
    # What Lagon's placements bring.
    assert row[9:12] == ["1", "120", "87,5"]
    assert row[12]


def test_company_contracts_export_follows_the_search(lagon, site):
    rows = csv_rows(lagon.client.get(COMPANY_HOME_URL, {"q": "introuvable", "format": "csv"}))
    assert len(rows) == 1


def test_company_contracts_xlsx_holds_numbers(lagon, site):
    sheet = sheet_of(lagon.client.get(COMPANY_HOME_URL, {"format": "xlsx"}))
    assert sheet["F2"].value == 700
    assert sheet["H2"].value == 87.5
    assert sheet["D2"].is_date


def test_company_contract_hours_export_holds_its_own_people_only(lagon, rival, site):
    url = reverse("company:contract_detail", args=[site["mine"].pk])
    assert "?format=csv" in lagon.client.get(url).content.decode()

    rows = csv_rows(lagon.client.get(url, {"format": "csv"}))

    assert rows[0][9:] == [
        "Mois",
        "Heures travaillées",
        "Heures de formation",
        "Total des heures",
        "Statut des heures",
        "Motif du refus",
    ]
    assert {row[1] for row in rows[1:]} == {"Madi"}
    assert [row[9] for row in rows[1:]] == [
        months_ago(ago).strftime("%d/%m/%Y") for ago in (3, 2, 1)
    ]
    assert rows[1][3] == "Lagon BTP"
    assert rows[2][13:] == ["Refusées", "Feuille non signée"]
    assert rows[3][10:13] == ["80,5", "7", "87,5"]

    sheet = sheet_of(lagon.client.get(url, {"format": "xlsx"}))
    assert sheet["M4"].value == 87.5
    assert sheet["J2"].is_date

    # The rival works on this contract too, but sees its own person only; and never
    # Lagon's contract where it has no one.
    rival_rows = csv_rows(rival.client.get(url, {"format": "csv"}))
    assert {row[1] for row in rival_rows[1:]} == {"Ailleurs"}
    other_url = reverse("company:contract_detail", args=[site["theirs"].pk])
    assert lagon.client.get(other_url, {"format": "csv"}).status_code == 404
