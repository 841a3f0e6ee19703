"""What keeps the dashboards fast at national scale: a fixed number of queries whatever
the rows, and home pages that list the first rows and link to the full lists."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from tests.factories import member_of
from tests.reporting.conftest import build_territory
from tests.reporting.test_views import logged_in
from tremplin.organisations.access import scope_for
from tremplin.reporting import selectors
from tremplin.reporting.selectors import BUYERS_SHOWN, CONTRACTS_SHOWN


def test_the_facilitator_dashboard_reads_in_six_queries(
    territory, other_territory, today, django_assert_num_queries
):
    scope = scope_for(territory.structure.user)

    # Structures, contracts with their hours, their lot clauses, their buyers' and
    # companies' names, the review queue, the participants.
    with django_assert_num_queries(6):
        dashboard = selectors.facilitator_dashboard(scope, today=today)

    assert dashboard.figures.contracts == len(territory.contracts)


def test_the_buyer_dashboard_reads_in_four_queries(territory, today, django_assert_num_queries):
    scope = scope_for(member_of(territory.buyers[0]))

    # The buyer, its contracts with their hours, their lot clauses, the companies' names.
    with django_assert_num_queries(4):
        dashboard = selectors.buyer_dashboard(scope, today=today)

    assert dashboard.contracts


def test_the_facilitator_home_adds_up_the_smaller_buyers_in_one_row(structure, today):
    territory = build_territory(
        structure, buyers=BUYERS_SHOWN + 2, contracts_per_buyer=1, today=today
    )
    dashboard = selectors.facilitator_dashboard(scope_for(structure.user), today=today)

    others = dashboard.other_buyers
    assert others is not None
    assert len(dashboard.buyers_shown) == BUYERS_SHOWN
    # The shown rows and the "others" row add up to the total: every hour is in a row.
    shown = dashboard.buyers_shown
    assert sum((row.hours_validated for row in shown), others.hours_validated) == (
        dashboard.figures.hours_validated
    )
    assert sum(row.hours_required for row in shown) + others.hours_required == (
        dashboard.figures.hours_required
    )

    page = structure.client.get("/").content.decode()
    assert "2 autres acheteurs" in page
    assert f'href="{reverse("organisations:organisation_list")}?kind=buyer">2 autres' in page
    hidden = [b for b in territory.buyers if b.pk not in {row.buyer_id for row in shown}]
    assert len(hidden) == 2
    assert all(f"?buyer={buyer.pk}" not in page for buyer in hidden)


def test_a_small_structure_lists_all_its_buyers(territory, today):
    dashboard = selectors.facilitator_dashboard(scope_for(territory.structure.user), today=today)

    assert dashboard.other_buyers is None
    assert dashboard.buyers_shown == dashboard.buyers


def test_the_buyer_home_lists_the_late_contracts_first_and_links_to_all(structure, today):
    territory = build_territory(
        structure, buyers=1, contracts_per_buyer=CONTRACTS_SHOWN + 3, today=today
    )
    user = member_of(territory.buyers[0])
    dashboard = selectors.buyer_dashboard(scope_for(user), today=today)

    assert len(dashboard.contracts) == CONTRACTS_SHOWN + 3
    assert len(dashboard.contracts_shown) == CONTRACTS_SHOWN
    # All late here; the largest shortfall (the largest obligation) first.
    assert dashboard.contracts_shown[0].hours_required == Decimal(1000 * (CONTRACTS_SHOWN + 3))

    page = logged_in(user).get("/").content.decode()
    assert "Et 3 autres marchés" in page
    assert f'{reverse("procurement:contract_list")}?clause=with">voir la liste complète' in page
