"""The funders' reports: ESF+ participant data, the national survey, SPASER indicators."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.factories import (
    BuyerFactory,
    CompanyFactory,
    ContractFactory,
    EsfEntryFactory,
    HoursEntryFactory,
    MembershipFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlacementFactory,
    UserFactory,
    coordinator_of,
    member_of,
)
from tremplin.inclusion.age import age_on
from tremplin.inclusion.enums import (
    HoursStatus,
    IscedBand,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.organisations.enums import MembershipRole
from tremplin.reporting.esf import AGE_BANDS, age_band, age_in_years, pseudonym

YEAR = 2025
ESF_URL = reverse("reporting:esf_report")
SURVEY_URL = reverse("reporting:national_survey")
SPASER_URL = reverse("reporting:spaser_report")
PSEUDONYM = re.compile(r"^P-[0-9A-F]{8}$")


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def read_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- Pure helpers ---------------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=10**9))
def test_a_pseudonym_is_stable_opaque_and_keyed(participant_id: int) -> None:
    first = pseudonym(participant_id, "secret-a")
    assert PSEUDONYM.match(first)
    assert pseudonym(participant_id, "secret-a") == first
    # Without the key nobody can recompute it (a 1 in 4 billion clash aside).
    assert pseudonym(participant_id, "secret-b") != first


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
)
def test_the_date_keys_count_complete_years_like_the_age_of_a_person(
    birth: datetime.date, day: datetime.date
) -> None:
    if day >= birth:
        assert age_in_years(birth, day) == age_on(birth, day)


@given(st.integers(min_value=0, max_value=120))
def test_every_age_falls_in_exactly_one_band(age: int) -> None:
    band = age_band(age)
    assert band in AGE_BANDS
    assert (band == "moins de 18 ans") == (age < 18)
    assert (band == "18 à 29 ans") == (18 <= age <= 29)
    assert (band == "55 ans et plus") == (age >= 55)


# --- ESF+ -------------------------------------------------------------------------------------


@pytest.fixture
def esf_data(structure, other_structure):  # type: ignore[no-untyped-def]
    """Five ESF entries of ``structure`` in 2025 (and one of 2023), one of the other structure."""
    facilitator = structure.organisation
    contract = ContractFactory(facilitator=facilitator, hours=700)
    people = []

    def entry(birth: datetime.date, entered: datetime.date, **fields):  # type: ignore[no-untyped-def]
        participant = ParticipantFactory(facilitator=facilitator, birth_date=birth)
        people.append(participant)
        return EsfEntryFactory(participant=participant, entered_on=entered, **fields)

    # 17 at entry, long-term unemployed, leaves in 2025 into a CDI, in a job six months later.
    young = entry(datetime.date(2008, 3, 1), datetime.date(2025, 2, 1))
    placement = PlacementFactory(contract=contract, participant=young.participant)
    OutcomeFactory(
        placement=placement,
        exit_date=datetime.date(2025, 6, 30),
        situation=OutcomeSituation.DURABLE_CDI,
        qualification_gained=True,
    )
    OutcomeFactory(
        placement=placement,
        moment=OutcomeMoment.SIX_MONTHS,
        exit_date=datetime.date(2025, 6, 30),
        situation=OutcomeSituation.TRANSITION_JOB,
    )
    # 18 exactly on the day of entry, inactive, ISCED 3-4, disabled.
    entry(
        datetime.date(2007, 4, 1),
        datetime.date(2025, 4, 1),
        labour_status=LabourStatus.INACTIVE,
        isced_band=IscedBand.ISCED_3_4,
        disability=True,
    )
    # 55, employed, ISCED 5-8: left (left_on) into job seeking; then a durable job at 6 months.
    senior = entry(
        datetime.date(1970, 1, 1),
        datetime.date(2025, 3, 1),
        labour_status=LabourStatus.EMPLOYED,
        isced_band=IscedBand.ISCED_5_8,
        other_disadvantage=True,
        left_on=datetime.date(2025, 9, 30),
    )
    OutcomeFactory(
        placement=PlacementFactory(contract=contract, participant=senior.participant),
        exit_date=datetime.date(2025, 9, 30),
        situation=OutcomeSituation.JOB_SEEKING,
    )
    OutcomeFactory(
        placement=senior.participant.placements.get(),
        moment=OutcomeMoment.SIX_MONTHS,
        exit_date=datetime.date(2025, 9, 30),
        situation=OutcomeSituation.DURABLE_FIXED_TERM,
    )
    # 30, unemployed, in training at exit.
    trainee = entry(
        datetime.date(1995, 1, 1),
        datetime.date(2025, 5, 1),
        labour_status=LabourStatus.UNEMPLOYED,
    )
    OutcomeFactory(
        placement=PlacementFactory(contract=contract, participant=trainee.participant),
        exit_date=datetime.date(2025, 11, 30),
        situation=OutcomeSituation.QUALIFYING_TRAINING,
    )
    # Entered in 2023, left in 2025: counted (exit in the year).
    entry(
        datetime.date(1980, 1, 1),
        datetime.date(2023, 5, 1),
        labour_status=LabourStatus.UNEMPLOYED,
        left_on=datetime.date(2025, 1, 15),
    )
    # Entered in 2023 and still in: not counted in 2025.
    entry(datetime.date(1980, 1, 1), datetime.date(2023, 5, 1))
    stranger = ParticipantFactory(
        facilitator=other_structure.organisation, last_name="Étranger", first_name="Paul"
    )
    EsfEntryFactory(participant=stranger, entered_on=datetime.date(2025, 2, 1))
    return {"people": people, "stranger": stranger}


def test_the_esf_summary_counts_each_indicator(structure, esf_data) -> None:  # type: ignore[no-untyped-def]
    response = structure.client.get(ESF_URL, {"annee": YEAR})
    assert response.status_code == 200
    totals = {t.indicator.name: t.count for t in response.context["summary"].outputs}
    totals |= {t.indicator.name: t.count for t in response.context["summary"].results}
    assert response.context["summary"].entries == 5
    assert totals == {
        "unemployed": 3,  # young (LTU), trainee, the 2023 entry
        "long_term_unemployed": 1,
        "inactive": 1,
        "employed": 1,
        "under_18": 1,
        "aged_18_29": 1,
        "aged_55": 1,
        "isced_0_2": 3,
        "isced_3_4": 1,
        "isced_5_8": 1,
        "disabled": 1,
        "other_disadvantaged": 1,
        "job_seeking_at_exit": 1,
        "training_at_exit": 1,
        "qualification_at_exit": 1,
        "employed_at_exit": 1,
        "employed_six_months": 2,
        # young: from no job to a job; senior: from a job to a durable one.
        "improved_six_months": 2,
    }
    html = response.content.decode()
    assert "EECO01" in html
    assert "EECR06" in html
    assert "version pseudonymisée" in html


def test_the_esf_export_is_pseudonymised_for_a_member(structure, esf_data) -> None:  # type: ignore[no-untyped-def]
    response = structure.client.get(ESF_URL, {"annee": YEAR, "format": "csv"})
    rows = read_csv(response)
    header, data = rows[0], rows[1:]
    assert "Nom" not in header
    assert "Date de naissance" not in header
    assert "EECO02 — Chômeurs de longue durée" in header
    assert len(data) == 5
    assert all(PSEUDONYM.match(row[0]) for row in data)
    content = response.content.decode("utf-8-sig")
    for person in esf_data["people"]:
        assert person.last_name not in content
    assert esf_data["stranger"].last_name not in content
    band = header.index("Tranche d'âge à l'entrée")
    assert sorted(row[band] for row in data).count("moins de 18 ans") == 1
    # Each indicator column sums to the page's total.
    column = header.index("EECR05 — En emploi six mois après la sortie")
    assert sum(int(row[column]) for row in data) == 2


def test_the_esf_export_names_participants_for_an_administrator(structure, esf_data) -> None:  # type: ignore[no-untyped-def]
    administrator = UserFactory()
    MembershipFactory(
        user=administrator, organisation=structure.organisation, role=MembershipRole.ADMINISTRATOR
    )
    client = client_of(administrator)
    assert "version nominative" in client.get(ESF_URL, {"annee": YEAR}).content.decode()
    response = client.get(ESF_URL, {"annee": YEAR, "format": "xlsx"})
    assert "nominatif" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert "Nom" in header
    assert "Date de naissance" in header
    names = {row[header.index("Nom")] for row in rows[1:]}
    assert names == {person.last_name for person in esf_data["people"][:5]}
    assert esf_data["stranger"].last_name not in names
    # The same person keeps the same pseudonym in both versions.
    pseudonymised = read_csv(structure.client.get(ESF_URL, {"annee": YEAR, "format": "csv"}))
    assert {row[0] for row in rows[1:]} == {row[0] for row in pseudonymised[1:]}


def test_an_administrator_of_another_structure_gets_no_names(  # type: ignore[no-untyped-def]
    structure, other_structure, esf_data
) -> None:
    user = member_of(structure.organisation)
    MembershipFactory(
        user=user, organisation=other_structure.organisation, role=MembershipRole.ADMINISTRATOR
    )
    client = client_of(user)
    assert "en partie nominative" in client.get(ESF_URL, {"annee": YEAR}).content.decode()
    rows = read_csv(client.get(ESF_URL, {"annee": YEAR, "format": "csv"}))
    header = rows[0]
    names = {row[header.index("Nom")] for row in rows[1:]}
    assert names == {"", esf_data["stranger"].last_name}
    assert not any(person.last_name in names for person in esf_data["people"])


def test_a_coordinator_has_no_participant_level_esf_data(network, esf_data) -> None:  # type: ignore[no-untyped-def]
    assert client_of(coordinator_of(network)).get(ESF_URL).status_code == 404


# --- National survey ----------------------------------------------------------------------


@pytest.fixture
def survey_data(structure, other_structure):  # type: ignore[no-untyped-def]
    """Two structures' contracts, placements and hours around 2025."""
    mine = structure.organisation
    buyer = BuyerFactory(network=mine.network, facilitator=mine)
    in_year = ContractFactory(facilitator=mine, buyer=buyer, hours=700)
    ContractFactory(  # same buyer, executed in 2025 too
        facilitator=mine,
        buyer=buyer,
        hours=300,
        execution_start=datetime.date(2024, 6, 1),
        execution_end=datetime.date(2025, 3, 31),
    )
    ContractFactory(facilitator=mine, hours=0)  # no clause
    ContractFactory(  # over before 2025
        facilitator=mine,
        hours=100,
        execution_start=datetime.date(2023, 1, 1),
        execution_end=datetime.date(2024, 12, 31),
    )
    woman = ParticipantFactory(facilitator=mine, sex="F", birth_date=datetime.date(2000, 1, 2))
    man = ParticipantFactory(facilitator=mine, sex="M", birth_date=datetime.date(1975, 1, 1))
    first = PlacementFactory(contract=in_year, participant=woman)
    second = PlacementFactory(
        contract=in_year, participant=woman, start_date=datetime.date(2025, 9, 1)
    )
    third = PlacementFactory(contract=in_year, participant=man)
    HoursEntryFactory(placement=first, month=datetime.date(2025, 2, 1), hours_worked=120)
    HoursEntryFactory(
        placement=second, month=datetime.date(2025, 9, 1), hours_worked=Decimal("80.5")
    )
    HoursEntryFactory(placement=third, month=datetime.date(2025, 3, 1), hours_worked=100)
    HoursEntryFactory(  # declared only
        placement=third,
        month=datetime.date(2025, 4, 1),
        hours_worked=100,
        status=HoursStatus.DECLARED,
    )
    HoursEntryFactory(placement=third, month=datetime.date(2026, 1, 1), hours_worked=100)
    theirs = ContractFactory(facilitator=other_structure.organisation, hours=500)
    HoursEntryFactory(placement=PlacementFactory(contract=theirs), hours_worked=70)
    return None


def test_the_survey_of_a_facilitator_counts_its_structure(structure, survey_data) -> None:  # type: ignore[no-untyped-def]
    response = structure.client.get(SURVEY_URL, {"annee": YEAR})
    assert response.status_code == 200
    survey = response.context["survey"]
    assert survey.total is None
    (row,) = survey.rows
    assert row.name == "PLIE Nord"
    assert (row.contracts, row.buyers) == (2, 1)
    assert row.hours == Decimal("300.5")
    assert row.fte == Decimal("0.1")  # 300,5 ÷ 1 607
    assert row.employment_contracts == 3
    assert (row.participants, row.women, row.under_26, row.aged_50) == (2, 1, 1, 1)
    html = response.content.decode()
    assert "300,5" in html
    assert f"?year={YEAR}&amp;clause=with" in html


def test_the_survey_of_a_coordinator_adds_a_total(network, structure, survey_data) -> None:  # type: ignore[no-untyped-def]
    client = client_of(coordinator_of(network))
    survey = client.get(SURVEY_URL, {"annee": YEAR}).context["survey"]
    assert [row.name for row in survey.rows] == ["PLIE Nord", "PLIE Sud"]
    assert survey.total.contracts == 3
    assert survey.total.hours == Decimal("370.5")
    assert survey.total.participants == 3
    assert survey.total.buyers == 2
    rows = read_csv(client.get(SURVEY_URL, {"annee": YEAR, "format": "csv"}))
    assert rows[0][:4] == [
        "Structure",
        "Marchés avec clause en exécution",
        "Acheteurs",
        "Heures d'insertion validées",
    ]
    assert rows[1][3] == "300,5"
    assert rows[-1][0] == "Total"
    assert rows[-1][3] == "370,5"


# --- SPASER -------------------------------------------------------------------------------------


@pytest.fixture
def spaser_data(structure, other_structure):  # type: ignore[no-untyped-def]
    mine = structure.organisation
    buyer = BuyerFactory(network=mine.network, facilitator=mine, name="Commune de Mamoudzou")

    def contract(amount: str, notified: datetime.date | None, **fields):  # type: ignore[no-untyped-def]
        return ContractFactory(
            facilitator=fields.pop("facilitator", mine),
            buyer=buyer,
            amount_excl_tax=Decimal(amount),
            notified_on=notified,
            **fields,
        )

    social = contract("100000", datetime.date(2025, 3, 1), hours=700)
    contract(
        "300000",
        datetime.date(2025, 6, 1),
        social_clause=False,
        environmental_clause=True,
    )
    contract(
        "50000.50",
        None,  # counted at its execution start, 2025-02-01
        social_clause=False,
        reserved_contract=True,
        environmental_criterion=True,
    )
    contract("999999", datetime.date(2024, 12, 1))  # notified in 2024
    # A contract followed by the other structure: its facilitator does not see it.
    contract("77777", datetime.date(2025, 1, 10), facilitator=other_structure.organisation)
    placement = PlacementFactory(contract=social)
    HoursEntryFactory(placement=placement, month=datetime.date(2025, 5, 1), hours_worked=160)
    HoursEntryFactory(placement=placement, month=datetime.date(2026, 1, 1), hours_worked=40)
    return buyer


def test_spaser_indicators_of_a_buyer_followed_by_a_facilitator(structure, spaser_data) -> None:  # type: ignore[no-untyped-def]
    response = structure.client.get(SPASER_URL, {"annee": YEAR})
    assert response.status_code == 200
    report = response.context["report"]
    figures = {figure.name: figure for figure in report.figures}
    assert (figures["all"].count, figures["all"].amount) == (3, Decimal("450000.50"))
    assert (figures["social"].count, figures["social"].amount) == (2, Decimal("150000.50"))
    assert (figures["environmental"].count, figures["environmental"].amount) == (
        2,
        Decimal("350000.50"),
    )
    assert (figures["reserved"].count, figures["reserved"].amount) == (1, Decimal("50000.50"))
    assert figures["social"].count_share == Decimal("0.667")
    assert report.without_notification == 1
    assert report.hours == Decimal(160)
    html = response.content.decode()
    assert "450\u00a0000,50\u00a0€" in html
    assert "66,7\u00a0%" in html  # 2 of 3 contracts
    assert "1 marché sans date de notification est compté" in html
    assert "l'acheteur peut en avoir d'autres" in html


def test_a_buyer_sees_all_its_contracts_in_its_spaser(network, spaser_data) -> None:  # type: ignore[no-untyped-def]
    client = client_of(member_of(spaser_data))
    report = client.get(SPASER_URL, {"annee": YEAR}).context["report"]
    assert report.all_contracts.count == 4
    rows = read_csv(client.get(SPASER_URL, {"annee": YEAR, "format": "csv"}))
    assert rows[0] == [
        "Acheteur",
        "Année",
        "Indicateur",
        "Nombre",
        "Part en nombre (%)",
        "Montant HT",
        "Part en montant (%)",
    ]
    assert rows[1][2:] == ["Marchés notifiés", "4", "100", "527777,50", "100"]
    assert rows[2][3:5] == ["3", "75"]


def test_a_facilitator_may_not_choose_a_buyer_it_does_not_serve(structure, network) -> None:  # type: ignore[no-untyped-def]
    elsewhere = BuyerFactory(network=network)
    response = structure.client.get(SPASER_URL, {"acheteur": elsewhere.pk})
    assert response.status_code == 404


# --- Access and costs -----------------------------------------------------------------------


def test_a_company_gets_no_funders_report(network, esf_data) -> None:  # type: ignore[no-untyped-def]
    client = client_of(member_of(CompanyFactory(network=network)))
    for url in (ESF_URL, SURVEY_URL, SPASER_URL):
        assert client.get(url).status_code == 404
        assert client.get(url, {"format": "csv"}).status_code == 404
    page = client.get(reverse("reporting:reports")).content.decode()
    assert "Aucun rapport" in page


def test_the_reports_page_lists_what_the_user_may_produce(structure, network) -> None:  # type: ignore[no-untyped-def]
    page = structure.client.get(reverse("reporting:reports")).content.decode()
    for name in ("esf", "survey", "spaser", "impact"):
        assert f'data-report="{name}"' in page
    assert 'data-report="consolidation"' not in page
    buyer_page = client_of(member_of(BuyerFactory(network=network))).get(
        reverse("reporting:reports")
    )
    assert 'data-report="esf"' not in buyer_page.content.decode()
    assert 'data-report="spaser"' in buyer_page.content.decode()


def test_each_page_costs_the_same_queries_whatever_the_data(  # type: ignore[no-untyped-def]
    structure, other_structure, network
) -> None:
    coordinator = client_of(coordinator_of(network))
    pages = [
        (structure.client, f"{ESF_URL}?annee={YEAR}"),
        (structure.client, f"{ESF_URL}?annee={YEAR}&format=csv"),
        (structure.client, f"{SURVEY_URL}?annee={YEAR}"),
        (coordinator, f"{SURVEY_URL}?annee={YEAR}"),
        (structure.client, f"{SPASER_URL}?annee={YEAR}"),
    ]

    def add_data() -> None:
        for facilitator in (structure.organisation, other_structure.organisation):
            buyer = BuyerFactory(network=network, facilitator=facilitator)
            for _ in range(2):
                contract = ContractFactory(facilitator=facilitator, buyer=buyer, hours=700)
                placement = PlacementFactory(contract=contract)
                HoursEntryFactory(placement=placement)
                OutcomeFactory(placement=placement)
                EsfEntryFactory(participant=placement.participant)

    add_data()
    before = [query_count(client, url) for client, url in pages]
    add_data()
    add_data()
    after = [query_count(client, url) for client, url in pages]
    assert after == before
    # SPASER adds two grouped reads (followed contracts, DECP records) for the trend.
    assert max(before) <= 14
