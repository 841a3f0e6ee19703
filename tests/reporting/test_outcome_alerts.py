"""The "À traiter" panel: exits whose six-month situation is due and not recorded."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.conftest import Structure
from tests.factories import ContractFactory, OutcomeFactory, ParticipantFactory, PlacementFactory
from tests.inclusion.conftest import page_text
from tremplin.inclusion.enums import OutcomeMoment, OutcomeSituation
from tremplin.organisations.access import scope_for
from tremplin.reporting.alerts import alerts_for

TODAY = datetime.date(2026, 11, 22)
# Exits on or before 22/05/2026 are due on 22/11/2026.
DUE = datetime.date(2026, 5, 22)


def exit_of(structure: Structure, exit_date: datetime.date, *, followed_up: bool = False):  # type: ignore[no-untyped-def]
    contract = ContractFactory(
        facilitator=structure.organisation,
        execution_start=datetime.date(2025, 1, 1),
        execution_end=datetime.date(2026, 12, 31),
    )
    placement = PlacementFactory(
        contract=contract,
        participant=ParticipantFactory(facilitator=structure.organisation),
        start_date=datetime.date(2025, 1, 1),
        end_date=exit_date,
    )
    outcome = OutcomeFactory(placement=placement, situation=OutcomeSituation.TRANSITION_JOB)
    if followed_up:
        OutcomeFactory(placement=placement, moment=OutcomeMoment.SIX_MONTHS)
    return outcome


def test_only_due_exits_without_six_month_situation_are_counted(structure, other_structure):
    exit_of(structure, DUE)  # due today
    exit_of(structure, datetime.date(2025, 9, 30))  # long overdue
    exit_of(structure, DUE + datetime.timedelta(days=1))  # due tomorrow
    exit_of(structure, datetime.date(2025, 10, 15), followed_up=True)  # done
    exit_of(other_structure, datetime.date(2025, 10, 15))  # another structure's

    alerts = alerts_for(scope_for(structure.user), today=TODAY)

    assert alerts.outcomes_due == 2
    assert alerts.count == 2
    assert alerts_for(scope_for(other_structure.user), today=TODAY).outcomes_due == 1


@pytest.mark.parametrize("size", [1, 6])
def test_the_alert_does_not_query_per_exit(structure, size, django_assert_max_num_queries):
    for index in range(size):
        exit_of(structure, DUE - datetime.timedelta(days=index))
    scope = scope_for(structure.user)

    # The same bound as the other alerts' (test_alerts.py): the follow-ups add one query.
    with django_assert_max_num_queries(7):
        alerts = alerts_for(scope, today=TODAY)

    assert alerts.outcomes_due == size


def test_the_home_panel_links_to_the_list_of_follow_ups(structure):
    outcome = exit_of(structure, datetime.date(2025, 3, 31))

    home = structure.client.get("/")
    text = page_text(home)

    assert "1 situation à 6 mois à constater" in text
    assert reverse("inclusion:outcomes_due") in home.content.decode()
    listing = page_text(structure.client.get(reverse("inclusion:outcomes_due")))
    assert outcome.participant.last_name.upper() in listing
    assert "30/09/2025" in listing  # 31/03/2025 + 6 months
