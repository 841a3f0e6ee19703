"""Reminders of six-month situations: once per due exit, to the structure's members only."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import Structure
from tests.factories import (
    ContractFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlacementFactory,
    member_of,
)
from tremplin.inclusion.enums import OutcomeMoment
from tremplin.inclusion.models import Outcome
from tremplin.inclusion.outcome_services import notify_follow_ups_due
from tremplin.notifications.enums import NotificationKind
from tremplin.notifications.models import Notification

TODAY = datetime.date(2026, 11, 22)
# Exits on or before 22/05/2026 are due on 22/11/2026.
DUE = datetime.date(2026, 5, 22)


def exit_of(
    structure: Structure,
    exit_date: datetime.date,
    *,
    first_name: str = "Fatima",
    last_name: str = "Mohamed",
    followed_up: bool = False,
) -> Outcome:
    contract = ContractFactory(
        facilitator=structure.organisation,
        execution_start=datetime.date(2025, 1, 1),
        execution_end=datetime.date(2026, 12, 31),
    )
    placement = PlacementFactory(
        contract=contract,
        participant=ParticipantFactory(
            facilitator=structure.organisation, first_name=first_name, last_name=last_name
        ),
        start_date=datetime.date(2025, 1, 1),
        end_date=exit_date,
    )
    outcome: Outcome = OutcomeFactory(placement=placement)
    if followed_up:
        OutcomeFactory(placement=placement, moment=OutcomeMoment.SIX_MONTHS)
    return outcome


def follow_ups() -> list[tuple[int, str, str]]:
    return sorted(
        Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE).values_list(
            "recipient_id", "title", "url"
        )
    )


def test_each_member_of_the_structure_is_reminded_of_each_due_exit(structure, other_structure):
    colleague = member_of(structure.organisation)
    member_of(structure.organisation, is_active=False)
    mine = exit_of(structure, DUE)
    theirs = exit_of(
        other_structure, datetime.date(2025, 10, 15), first_name="Ali", last_name="Soilihi"
    )

    created = notify_follow_ups_due(TODAY)

    title = "Situation à 6 mois à saisir : Fatima M. (sortie le 22/05/2026)"
    url = reverse("inclusion:participant_detail", args=[mine.participant_id]) + "#sorties"
    other_url = reverse("inclusion:participant_detail", args=[theirs.participant_id]) + "#sorties"
    assert created == 3
    assert follow_ups() == sorted(
        [
            (structure.user.pk, title, url),
            (colleague.pk, title, url),
            (
                other_structure.user.pk,
                "Situation à 6 mois à saisir : Ali S. (sortie le 15/10/2025)",
                other_url,
            ),
        ]
    )


def test_exits_followed_up_or_not_due_yet_are_not_reminded(structure):
    exit_of(structure, datetime.date(2025, 10, 15), followed_up=True)
    exit_of(structure, DUE + datetime.timedelta(days=1))  # due tomorrow

    assert notify_follow_ups_due(TODAY) == 0
    assert follow_ups() == []


def test_a_second_run_writes_nothing_new(structure):
    exit_of(structure, DUE)
    notify_follow_ups_due(TODAY)

    assert notify_follow_ups_due(TODAY) == 0
    assert notify_follow_ups_due(TODAY + datetime.timedelta(days=1)) == 0
    assert len(follow_ups()) == 1


def test_the_reminder_is_emailed_with_the_title_only(
    structure, mailoutbox, django_capture_on_commit_callbacks
):
    exit_of(structure, DUE)

    with django_capture_on_commit_callbacks(execute=True):
        notify_follow_ups_due(TODAY)

    [message] = mailoutbox
    assert message.to == [structure.user.email]
    assert message.subject == (
        "[Tremplin] Situation à 6 mois à saisir : Fatima M. (sortie le 22/05/2026)"
    )
    assert "Mohamed" not in message.body


@pytest.mark.parametrize("size", [1, 8])
def test_the_reminders_do_not_query_per_exit(structure, size, django_assert_max_num_queries):
    for index in range(size):
        exit_of(structure, DUE - datetime.timedelta(days=index))

    with django_assert_max_num_queries(8):
        assert notify_follow_ups_due(TODAY) == size


def test_the_daily_digest_writes_the_reminders_once(
    structure, other_structure, mailoutbox, django_capture_on_commit_callbacks
):
    exit_of(structure, DUE)
    exit_of(other_structure, DUE, first_name="Nadia")

    with django_capture_on_commit_callbacks(execute=True):
        first = StringIO()
        call_command("send_digest", date="2026-11-22", stdout=first)
        second = StringIO()
        call_command("send_digest", date="2026-11-22", stdout=second)

    assert "2 notifications de situation à 6 mois créées." in first.getvalue()
    assert "0 notification de situation à 6 mois créée." in second.getvalue()
    assert len(follow_ups()) == 2
    reminders = [m for m in mailoutbox if m.subject.startswith("[Tremplin] Situation à 6 mois")]
    assert sorted(message.to[0] for message in reminders) == sorted(
        [structure.user.email, other_structure.user.email]
    )


def test_a_dry_run_of_the_digest_writes_no_reminder(structure):
    exit_of(structure, DUE)

    call_command("send_digest", date="2026-11-22", dry_run=True, stdout=StringIO())

    assert follow_ups() == []


def test_the_command_alone_takes_a_date(structure):
    exit_of(structure, DUE)
    out = StringIO()

    call_command("notify_follow_ups", date="2026-11-21", stdout=out)
    assert "0 notification de situation à 6 mois créée au 21/11/2026." in out.getvalue()

    call_command("notify_follow_ups", date="2026-11-22", stdout=out)
    assert "1 notification de situation à 6 mois créée au 22/11/2026." in out.getvalue()
    assert len(follow_ups()) == 1


def test_the_command_can_write_without_emailing(
    structure, mailoutbox, django_capture_on_commit_callbacks
):
    exit_of(structure, DUE)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify_follow_ups", date="2026-11-22", sans_courriel=True, stdout=StringIO())

    assert len(follow_ups()) == 1
    assert mailoutbox == []
