"""PDF reports: the one-page contract sheet and the buyer impact report (PDF and xlsx).

PDF rendering is slow, so only a few tests print a PDF; the others read the HTML that
feeds it (``?apercu=1``, the same template and context).
"""

from __future__ import annotations

import datetime
import html
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.factories import (
    BuyerFactory,
    ContractFactory,
    HoursEntryFactory,
    OutcomeFactory,
    PlacementFactory,
    member_of,
)
from tremplin.core.fte import whole_full_time_equivalents
from tremplin.demo.mayotte import plan_mayotte
from tremplin.inclusion.enums import ExecutionMode, HoursStatus, OutcomeMoment, OutcomeSituation
from tremplin.reporting.summary import grouped, impact_summary

NBSP = "\u00a0"


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text with no-break spaces as plain spaces, as a reader sees it."""
    return html.unescape(response.content.decode()).replace(NBSP, " ").replace("\u202f", " ")


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


# --- The summary sentence (pure) -----------------------------------------------------


def test_the_mayotte_summary_reads_258000_hours_89_contracts_141_fte():
    sentence = impact_summary(hours=Decimal(258_000), contracts=89, whole_fte=141)
    assert sentence.replace(NBSP, " ") == (
        "258 000 heures d'insertion générées par 89 marchés, "
        "soit 141 emplois équivalents temps plein"
    )


def test_the_mayotte_demo_figures_give_that_sentence():
    """The demo's plan: its validated hours, its contracts and its FTE convention."""
    plan = plan_mayotte(datetime.date(2026, 11, 22))
    hours = sum(
        placement.validated_hours
        for contract in plan.contracts
        for placement in contract.placements
    )
    fte = whole_full_time_equivalents(hours, 1820)
    sentence = impact_summary(hours=hours, contracts=len(plan.contracts), whole_fte=fte)
    assert sentence.replace(NBSP, " ") == (
        "258 000 heures d'insertion générées par 89 marchés, "
        "soit 141 emplois équivalents temps plein"
    )


def test_one_of_each_is_singular():
    sentence = impact_summary(hours=1, contracts=1, whole_fte=0)
    assert sentence == (
        "1 heure d'insertion générée par 1 marché, soit 0 emploi équivalent temps plein"
    )


@given(st.integers(min_value=0, max_value=10**12))
def test_grouping_reads_back_to_the_number(value):  # type: ignore[no-untyped-def]
    text = grouped(value)
    assert int(text.replace(NBSP, "")) == value
    # Groups of three digits after the first.
    assert all(len(group) == 3 for group in text.split(NBSP)[1:])


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_hours_keep_their_decimals_with_a_comma(value):  # type: ignore[no-untyped-def]
    text = grouped(value)
    assert Decimal(text.replace(NBSP, "").replace(",", ".")) == value


# --- Contract sheet ------------------------------------------------------------------


@pytest.fixture
def sheet_contract(structure):  # type: ignore[no-untyped-def]
    """A contract of ``structure``: two CDD placements, one via an ETTI, outcomes recorded."""
    contract = ContractFactory(
        facilitator=structure.organisation, hours=1500, reference="2025-ECOLE-07"
    )
    first = PlacementFactory(contract=contract)
    second = PlacementFactory(contract=contract)
    third = PlacementFactory(contract=contract, execution_mode=ExecutionMode.PROVISION_ETTI)
    HoursEntryFactory(placement=first, hours_worked=Decimal(400))
    HoursEntryFactory(placement=second, hours_worked=Decimal(200))
    HoursEntryFactory(placement=third, hours_worked=Decimal("150.5"))
    HoursEntryFactory(
        placement=third,
        month=datetime.date(2025, 3, 1),
        hours_worked=Decimal(99),
        status=HoursStatus.DECLARED,
    )
    OutcomeFactory(placement=first)
    OutcomeFactory(placement=first, moment=OutcomeMoment.SIX_MONTHS)
    OutcomeFactory(placement=second, situation=OutcomeSituation.TRANSITION_JOB)
    OutcomeFactory(placement=third, situation=OutcomeSituation.JOB_SEEKING)
    return contract


def sheet_url(contract, **query: str) -> str:  # type: ignore[no-untyped-def]
    url = reverse("reporting:contract_sheet", args=[contract.pk])
    return url + ("?apercu=1" if query.get("apercu") else "")


def test_the_contract_sheet_is_a_pdf_named_after_the_contract(structure, sheet_contract):
    response = structure.client.get(sheet_url(sheet_contract))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        response["Content-Disposition"] == 'attachment; filename="fiche-marche-2025-ecole-07.pdf"'
    )


def test_the_contract_sheet_explains_the_obligation_and_counts_placements(
    structure, sheet_contract
):
    text = text_of(structure.client.get(sheet_url(sheet_contract, apercu="1")))
    assert "Marché 2025-ECOLE-07" in text
    assert "1 500 h fixées au marché = 1 500 h → 1 500 h" in text
    assert "750,5 h (50 %)" in text  # validated 400 + 200 + 150,5 of 1 500
    assert (
        'Embauche directe en CDD</th><td class="num">2</td><td class="num">2</td><td class="num">600 h'
        in text
    )
    assert (
        'Mise à disposition par une ETTI</th><td class="num">1</td><td class="num">1</td><td class="num">150,5 h'
        in text
    )
    # Outcomes by category: two durable (one at exit, one at six months), a transition job.
    assert 'Emploi durable</th><td class="num">1</td><td class="num">1</td>' in text
    assert 'Emploi de transition</th><td class="num">1</td><td class="num">0</td>' in text
    assert 'Autre situation</th><td class="num">1</td><td class="num">0</td>' in text
    # The structure that follows the participants sees their names.
    assert str(sheet_contract.placements.first().participant) in text


def test_a_buyer_gets_the_sheet_without_any_name(structure, sheet_contract):
    buyer_client = client_of(member_of(sheet_contract.buyer))
    response = buyer_client.get(sheet_url(sheet_contract, apercu="1"))
    assert response.status_code == 200
    text = text_of(response)
    assert "750,5 h" in text
    for placement in sheet_contract.placements.select_related("participant"):
        assert placement.participant.last_name.upper() not in text
        assert str(placement.participant) not in text


def test_another_structure_cannot_get_the_sheet(other_structure, sheet_contract):
    assert other_structure.client.get(sheet_url(sheet_contract)).status_code == 404
    assert other_structure.client.get(sheet_url(sheet_contract, apercu="1")).status_code == 404


def test_the_contract_page_offers_the_sheet(structure, sheet_contract):
    page = structure.client.get(reverse("procurement:contract_detail", args=[sheet_contract.pk]))
    assert reverse("reporting:contract_sheet", args=[sheet_contract.pk]) in page.content.decode()


def test_the_sheet_reads_in_few_queries(structure, sheet_contract, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        structure.client.get(sheet_url(sheet_contract, apercu="1"))


# --- Buyer impact report -------------------------------------------------------------


@pytest.fixture
def buyer(structure):  # type: ignore[no-untyped-def]
    """A buyer of ``structure`` with two contracts: 320 h validated in 2025, 50 h in 2026."""
    organisation = BuyerFactory(
        network=structure.organisation.network,
        facilitator=structure.organisation,
        name="Commune de Mamoudzou",
    )
    school = ContractFactory(facilitator=structure.organisation, buyer=organisation, hours=1000)
    roads = ContractFactory(facilitator=structure.organisation, buyer=organisation, hours=600)
    first = PlacementFactory(contract=school)
    second = PlacementFactory(contract=roads, execution_mode=ExecutionMode.PROVISION_ETTI)
    HoursEntryFactory(placement=first, month=datetime.date(2025, 2, 1), hours_worked=120)
    HoursEntryFactory(placement=first, month=datetime.date(2025, 3, 1), hours_worked=80)
    HoursEntryFactory(placement=second, month=datetime.date(2025, 3, 1), hours_worked=120)
    HoursEntryFactory(placement=first, month=datetime.date(2026, 1, 1), hours_worked=50)
    HoursEntryFactory(
        placement=second,
        month=datetime.date(2025, 4, 1),
        hours_worked=500,
        status=HoursStatus.DECLARED,
    )
    OutcomeFactory(
        placement=first,
        exit_date=datetime.date(2025, 6, 30),
        observed_on=datetime.date(2025, 6, 30),
    )
    return organisation


@pytest.fixture
def other_buyer(other_structure):  # type: ignore[no-untyped-def]
    """A buyer followed by the other structure, with 999 validated hours."""
    organisation = BuyerFactory(
        network=other_structure.organisation.network,
        facilitator=other_structure.organisation,
        name="Commune de Sada",
    )
    contract = ContractFactory(
        facilitator=other_structure.organisation, buyer=organisation, hours=900
    )
    HoursEntryFactory(
        placement=PlacementFactory(contract=contract),
        month=datetime.date(2025, 5, 1),
        hours_worked=999,
    )
    return organisation


def report_url(kind: str, **query: object) -> str:
    names = {"form": "impact_report", "pdf": "impact_report_pdf", "xlsx": "impact_report_xlsx"}
    url = reverse(f"reporting:{names[kind]}")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def test_a_buyer_downloads_its_2025_report_as_a_pdf(buyer):
    client = client_of(member_of(buyer))
    response = client.get(report_url("pdf", annee=2025))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        'attachment; filename="rapport-impact-commune-de-mamoudzou-2025.pdf"'
    )


def test_the_report_summarises_the_year_in_one_sentence(buyer, other_buyer):
    client = client_of(member_of(buyer))
    text = text_of(client.get(report_url("pdf", annee=2025, apercu=1)))
    # 120 + 80 + 120 validated in 2025; the declared 500 h and the 2026 month do not count.
    assert (
        "320 heures d'insertion générées par 2 marchés, soit 0 emploi équivalent temps plein"
        in text
    )
    assert "Commune de Mamoudzou" in text
    assert "année 2025" in text
    assert "Commune de Sada" not in text
    # The charts of the pages, inline.
    assert "<svg" in text


def test_the_whole_period_is_the_default(buyer):
    client = client_of(member_of(buyer))
    text = text_of(client.get(report_url("pdf", apercu=1)))
    assert "370 heures d'insertion générées par 2 marchés" in text
    assert "toute la période" in text.lower()


def test_the_xlsx_holds_one_sheet_per_view_with_the_right_numbers(buyer):
    client = client_of(member_of(buyer))
    response = client.get(report_url("xlsx", annee=2025))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="rapport-impact-commune-de-mamoudzou-2025.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Synthèse",
        "Heures par mois",
        "Par marché",
        "Par modalité",
        "Publics",
        "Sorties",
    ]
    synthesis = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True)}
    assert synthesis["Heures d'insertion validées"] == 320
    assert synthesis["Heures d'insertion exigées"] == 1600
    assert synthesis["Marchés avec clause"] == 2
    months = {
        row[0].date(): row[1]
        for row in workbook["Heures par mois"].iter_rows(min_row=2, values_only=True)
        if row[1]
    }
    assert months == {datetime.date(2025, 2, 1): 120, datetime.date(2025, 3, 1): 200}
    by_contract = list(workbook["Par marché"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[7] for row in by_contract) == [120, 200]
    modes = {
        row[0]: row[1] for row in workbook["Par modalité"].iter_rows(min_row=2, values_only=True)
    }
    assert modes["Embauche directe en CDD"] == 200
    assert modes["Mise à disposition par une ETTI"] == 120
    outcomes = {
        row[0]: row[1] for row in workbook["Sorties"].iter_rows(min_row=2, values_only=True)
    }
    assert outcomes["Emploi durable"] == 1


def test_another_buyers_report_is_not_found(buyer, other_buyer, other_structure):
    client = client_of(member_of(buyer))
    assert client.get(report_url("pdf", acheteur=other_buyer.pk)).status_code == 404
    assert client.get(report_url("xlsx", acheteur=other_buyer.pk)).status_code == 404
    # Nor may a structure report on a buyer it does not follow.
    assert other_structure.client.get(report_url("xlsx", acheteur=buyer.pk)).status_code == 404


def test_a_facilitator_chooses_the_buyer(structure, buyer, other_buyer):
    page = structure.client.get(report_url("form"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Commune de Mamoudzou" in content
    assert "Commune de Sada" not in content
    assert '<option value="2025">2025</option>' in content
    response = structure.client.get(report_url("xlsx", acheteur=buyer.pk))
    synthesis = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(response.content))["Synthèse"].iter_rows(
            values_only=True
        )
    }
    assert synthesis["Heures d'insertion validées"] == 370


def test_the_dashboards_offer_the_report(structure, buyer):
    home = text_of(client_of(member_of(buyer)).get(reverse("home")))
    assert "Rapport d'impact (PDF)" in home
    assert report_url("xlsx") in home
    facilitator_home = structure.client.get(reverse("home")).content.decode()
    assert report_url("pdf", acheteur=buyer.pk) in facilitator_home


def test_without_pango_the_user_gets_a_french_explanation(structure, sheet_contract, monkeypatch):
    from tremplin.reporting import pdf

    def missing() -> None:
        raise pdf.PdfUnavailable(pdf.UNAVAILABLE_MESSAGE)

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    response = structure.client.get(sheet_url(sheet_contract))
    assert response.status_code == 503
    assert "La génération des PDF n'est pas disponible" in text_of(response)


def test_a_pdf_reads_static_files_only_and_never_the_network():
    from tremplin.reporting.pdf import _offline_fetcher, _weasyprint, static_directories

    weasyprint = _weasyprint()
    fetcher = _offline_fetcher(weasyprint)
    with pytest.raises(ValueError, match="distante"):
        fetcher("https://example.org/logo.png")
    with pytest.raises(ValueError, match="hors des fichiers statiques"):
        fetcher("file:///etc/passwd")
    logo = static_directories()[0] / "tremplin" / "favicon.svg"
    response = fetcher(logo.as_uri())
    try:
        assert b"<svg" in response.read()
    finally:
        response.close()
