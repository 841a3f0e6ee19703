"""The dashboards as their users see them."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    ContractFactory,
    ParticipantFactory,
    PlacementFactory,
    UserFactory,
    coordinator_of,
    member_of,
)
from tests.reporting.conftest import add_hours, build_territory
from tremplin.inclusion.enums import HoursStatus
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's HTML with French number spaces made ordinary, entities decoded."""
    content = html.unescape(response.content.decode())
    return content.replace("\u00a0", " ").replace("\u202f", " ")


def figure(response, name: str) -> str:  # type: ignore[no-untyped-def]
    """The value shown on the figure card ``name``."""
    match = re.search(
        rf'data-figure="{name}">\s*<div class="card-body">\s*<p class="figure-value[^"]*">([^<]*)</p>',
        page_text(response),
    )
    assert match, f"no figure card {name}"
    return match.group(1).strip()


def number_cells(fragment: str) -> list[str]:
    """The right-aligned figures of a table row, in order (hidden on phones or not)."""
    return re.findall(r'<td class="num[^"]*">([^<]*)</td>', fragment)


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


# --- Facilitators --------------------------------------------------------------------


def test_the_facilitator_sees_mayotte_figures(structure):
    network = structure.organisation.network
    network.hours_per_fte = 1820
    network.save()
    contract = ContractFactory(facilitator=structure.organisation, hours=300_000)
    placement = PlacementFactory(contract=contract)
    add_hours(placement, [8600] * 30)
    add_hours(placement, [12], HoursStatus.DECLARED, first_month=30)

    response = structure.client.get("/")

    assert response.status_code == 200
    text = page_text(response)
    assert f"<title>Tableau de bord — {structure.organisation.name} · Tremplin</title>" in text
    assert figure(response, "hours") == "258 000"
    assert figure(response, "fte") == "141"
    assert "sur la base de 1 820 h par ETP" in text
    assert "141,76" in text
    assert figure(response, "contracts") == "1"
    assert figure(response, "participants") == "1"
    assert figure(response, "buyers") == "1"
    assert figure(response, "declared") == "12"


def test_each_figure_links_to_the_rows_behind_it(territory):
    response = territory.structure.client.get("/")

    text = page_text(response)
    contracts = reverse("procurement:contract_list")
    for name, url in [
        ("hours", contracts),
        ("contracts", contracts + "?clause=with"),
        ("participants", reverse("inclusion:participant_list")),
        ("buyers", reverse("organisations:organisation_list") + "?kind=buyer"),
        ("declared", reverse("inclusion:hours_review")),
    ]:
        card = text.split(f'data-figure="{name}"')[1].split('class="col"')[0]
        assert f'href="{url}"' in card, name
    for buyer in territory.buyers:
        assert f'href="{contracts}?buyer={buyer.pk}">{buyer.name}</a>' in text


def test_the_buyer_table_and_late_contracts_are_shown(territory):
    response = territory.structure.client.get("/")

    text = page_text(response)
    assert "<caption>" in text
    assert 'class="num"' in text
    buyer = territory.buyers[0]
    row = text.split(f">{buyer.name}</a>")[1].split("</tr>")[0]
    # 2 contracts with a clause (1 000 h and 2 000 h), 301 h validated (100 + 50, 100 + 51).
    assert number_cells(row)[:4] == ["2", "3 000", "301", "0,1"]
    # Every contract runs late here: half its hours are due, a few are validated.
    assert "Marchés en retard" in text
    for contract in territory.contracts:
        if contract.hours_required:
            assert reverse("procurement:contract_detail", args=[contract.pk]) in text


def test_each_status_count_links_to_the_contracts_it_counts(structure, today):
    start = today - datetime.timedelta(days=365)
    running = {"execution_start": start, "execution_end": today + datetime.timedelta(days=365)}
    late = ContractFactory(facilitator=structure.organisation, hours=1000, **running)
    add_hours(PlacementFactory(contract=late), [10])
    met = ContractFactory(facilitator=structure.organisation, hours=100, **running)
    add_hours(PlacementFactory(contract=met), [100])
    # Neither counted by the dashboard ("contracts with a clause") nor shown by its links.
    ContractFactory(facilitator=structure.organisation, **running)
    contracts = reverse("procurement:contract_list")

    text = page_text(structure.client.get("/"))

    for status in ("not_started", "on_track", "late", "met", "exceeded"):
        link = re.search(
            rf'<a class="status-count[^"]*" data-status="{status}" href="([^"]+)">'
            r'\s*<span class="badge[^"]*">[^<]+</span>\s*<span class="fw-semibold">(\d+)</span>',
            text,
        )
        assert link, status
        assert link.group(1) == f"{contracts}?status={status}&clause=with"
        listed = page_text(structure.client.get(link.group(1)))
        shown = re.search(r'figure-value">(\d+)</div>\s*<div class="figure-label">marché', listed)
        assert shown, status
        assert shown.group(1) == link.group(2), status
    late_list = page_text(structure.client.get(f"{contracts}?status=late&clause=with"))
    assert late.reference in late_list
    assert met.reference not in late_list


def test_more_than_ten_late_contracts_link_to_the_late_list(structure, today):
    running = {
        "execution_start": today - datetime.timedelta(days=365),
        "execution_end": today + datetime.timedelta(days=365),
    }
    for _ in range(12):
        add_hours(
            PlacementFactory(
                contract=ContractFactory(facilitator=structure.organisation, hours=1000, **running)
            ),
            [10],
        )

    text = page_text(structure.client.get("/"))

    contracts = reverse("procurement:contract_list")
    assert "Et 2 autres marchés en retard" in text
    assert f'<a href="{contracts}?status=late">voir la liste des marchés en retard</a>' in text
    listed = page_text(structure.client.get(f"{contracts}?status=late"))
    assert re.search(r'figure-value">12</div>\s*<div class="figure-label">marchés', listed)


def test_the_hours_to_review_card_shows_the_review_queue(structure, other_structure):
    theirs = ContractFactory(facilitator=other_structure.organisation, hours=700)
    own_participant = ParticipantFactory(facilitator=structure.organisation)
    add_hours(
        PlacementFactory(contract=theirs, participant=own_participant), [25], HoursStatus.DECLARED
    )
    mine = ContractFactory(facilitator=structure.organisation, hours=700)
    add_hours(PlacementFactory(contract=mine), [7], HoursStatus.DECLARED)
    other_participant = ParticipantFactory(facilitator=other_structure.organisation)
    add_hours(
        PlacementFactory(contract=mine, participant=other_participant), [15], HoursStatus.DECLARED
    )

    response = structure.client.get("/")
    queue = page_text(structure.client.get(reverse("inclusion:hours_review")))

    assert figure(response, "declared") == "32"
    assert "<strong>32</strong> heures" in queue


def test_the_facilitator_never_sees_another_structures_figures(territory, other_territory):
    response = territory.structure.client.get("/")

    text = page_text(response)
    assert other_territory.buyers[0].name not in text
    assert figure(response, "hours") == "602"  # 2 buyers × (150 + 151)
    assert figure(response, "participants") == str(len(territory.participants))


def test_a_facilitator_without_contracts_sees_zeros(structure):
    response = structure.client.get("/")

    assert response.status_code == 200
    assert figure(response, "hours") == "0"
    assert "Aucun marché n'est encore suivi" in page_text(response)


# --- Coordinators --------------------------------------------------------------------


def test_a_coordinator_is_sent_to_the_network_dashboard(network):
    client = logged_in(coordinator_of(network))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:network_dashboard")


def test_a_coordinator_sees_every_structures_totals_but_no_name(territory, other_territory):
    network = territory.structure.organisation.network
    client = logged_in(coordinator_of(network))

    response = client.get(reverse("reporting:network_dashboard"))

    assert response.status_code == 200
    text = page_text(response)
    assert f"Tableau de bord du réseau — {network.name}" in text
    for part in (territory, other_territory):
        name = part.structure.organisation.name
        row = text.split(f">{name}</a>")[1].split("</tr>")[0]
        validated = part.hours(HoursStatus.VALIDATED)
        cells = number_cells(row)
        assert cells[2] == f"{validated:,}".replace(",", " ").removesuffix(".00")
        assert cells[-3] == str(len(part.participants))
        for participant in part.participants:
            assert participant.last_name not in text
            assert participant.last_name.upper() not in text
    total = text.split("Total du réseau")[1].split("</tr>")[0]
    cells = number_cells(total)
    assert cells[-3] == str(len(territory.participants) + len(other_territory.participants))
    assert figure(response, "hours") == "1 055"  # 602 + 150 + 151 + 152


def test_the_network_dashboard_is_hidden_from_others(structure):
    response = structure.client.get(reverse("reporting:network_dashboard"))

    assert response.status_code == 404


def test_a_coordinator_who_is_a_facilitator_keeps_their_dashboard(structure):
    from tremplin.organisations.models import NetworkCoordinator

    NetworkCoordinator.objects.create(user=structure.user, network=structure.organisation.network)

    response = structure.client.get("/")

    assert response.status_code == 200
    assert reverse("reporting:network_dashboard") in page_text(response)


# --- Buyers, companies and others ----------------------------------------------------


def test_a_buyer_sees_only_its_contracts_and_no_personal_data(territory, other_territory):
    buyer = territory.buyers[0]
    client = logged_in(member_of(buyer))

    response = client.get("/")

    assert response.status_code == 200
    text = page_text(response)
    assert f"Tableau de bord — {buyer.name}" in text
    mine = [c for c in territory.contracts if c.buyer_id == buyer.pk and c.hours_required]
    others = [c for c in territory.contracts + other_territory.contracts if c.buyer_id != buyer.pk]
    for contract in mine:
        assert contract.reference in text
    for contract in others:
        assert f">{contract.reference}<" not in text
    for participant in territory.participants:
        assert participant.last_name not in text
    assert figure(response, "required") == "3 000"
    assert figure(response, "hours") == "301"


def test_a_company_sees_what_it_owes_and_what_remains(territory):
    contract = territory.contracts[1]  # 2 000 h required, 151 h validated, 30 h declared
    client = logged_in(member_of(contract.awarded_company))

    response = client.get("/")

    assert response.status_code == 200
    assert figure(response, "required") == "2 000"
    assert figure(response, "hours") == "151"
    assert figure(response, "remaining") == "1 849"
    assert figure(response, "declared") == "30"
    text = page_text(response)
    assert reverse("procurement:contract_detail", args=[contract.pk]) in text
    assert "En retard" in text


def test_someone_without_organisation_is_told_so(db):
    client = logged_in(UserFactory())

    response = client.get("/")

    assert response.status_code == 200
    assert "Aucune organisation n'est encore rattachée à votre compte." in page_text(response)


def test_a_prescriber_is_welcomed_without_figures(network):
    prescriber = Organisation.objects.create(
        network=network, kind=OrganisationKind.PRESCRIBER, name="Mission locale de Mamoudzou"
    )
    client = logged_in(member_of(prescriber))

    response = client.get("/")

    assert response.status_code == 200
    assert "Mission locale de Mamoudzou" in page_text(response)


# The root is the public home for a visitor (tests/test_welcome.py).
@pytest.mark.parametrize("url", ["/impact/indicateurs/", "/impact/reseau/"])
def test_anonymous_users_are_sent_to_log_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


# --- Query counts --------------------------------------------------------------------

# Session, user, scope (2), network, the header's unread notifications, then the
# dashboard's own queries: the same whatever the number of rows.
BASE_QUERIES = 6
# The compact chart of hours by month (realised, then the contracts' obligations).
CHART_QUERIES = 2
# The buyer's dashboard: its organisations, its contracts with their hours, their lot
# clauses, their names.
HOME_QUERIES = BASE_QUERIES + 4 + CHART_QUERIES
# The facilitator's: structures, contracts with their hours, names, review queue,
# participants; then its "À traiter" panel: four queries, five when evidence lapses.
# The figures of hiring needs, referrals and pathways (reporting.matching_selectors).
MATCHING_QUERIES = 7
FACILITATOR_HOME_QUERIES = BASE_QUERIES + 5 + 5 + CHART_QUERIES + MATCHING_QUERIES
# Two of them count the people with validated hours (by structure, and in the network).
NETWORK_QUERIES = 13 + MATCHING_QUERIES


@pytest.mark.parametrize("size", [1, 6])
def test_the_facilitator_home_does_not_query_per_row(
    structure, today, size, django_assert_max_num_queries
):
    build_territory(structure, buyers=size, contracts_per_buyer=size, today=today)

    with django_assert_max_num_queries(FACILITATOR_HOME_QUERIES):
        response = structure.client.get("/")

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_the_buyer_home_does_not_query_per_row(
    structure, today, size, django_assert_max_num_queries
):
    territory = build_territory(structure, buyers=1, contracts_per_buyer=size, today=today)
    client = logged_in(member_of(territory.buyers[0]))

    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get("/")

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_the_network_dashboard_does_not_query_per_row(
    network, today, size, django_assert_max_num_queries
):
    from tests.conftest import _structure

    for index in range(size):
        build_territory(_structure(network, f"Structure {index}"), buyers=2, today=today)
    client = logged_in(coordinator_of(network))

    with django_assert_max_num_queries(NETWORK_QUERIES):
        response = client.get(reverse("reporting:network_dashboard"))

    assert response.status_code == 200
    assert page_text(response).count('<th scope="row" class="fw-normal">') == size


def test_hours_are_shown_with_decimals_when_there_are_some(structure):
    contract = ContractFactory(facilitator=structure.organisation, hours=100)
    add_hours(PlacementFactory(contract=contract), [Decimal("12.5")])

    assert figure(structure.client.get("/"), "hours") == "12,5"
