"""The « Parcours » section of a participant's page: what the facilitator reads there,
who may read it, and how many queries it costs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    HiringNeedFactory,
    HoursEntryFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlacementFactory,
    ReferralFactory,
)
from tests.inclusion.conftest import months_ago, open_contract, page_text
from tremplin.inclusion.enums import ExecutionMode, HoursStatus, OutcomeSituation
from tremplin.inclusion.followup import add_months, six_month_due
from tremplin.inclusion.models import Participant
from tremplin.inclusion.pathway import month_label
from tremplin.matching.enums import ReferralStatusChoice
from tremplin.matching.models import Referral
from tremplin.matching.pathway_selectors import referrals_of_participant
from tremplin.organisations.access import scope_for

DAY = datetime.timedelta(days=1)


def pathway_text(response: object) -> str:
    """The text of the « Parcours » section alone."""
    text = page_text(response)
    start = text.index("Parcours")
    return text[start : text.index("Critères d'éligibilité", start)]


@pytest.fixture
def story(structure):  # type: ignore[no-untyped-def]
    """Two placements with two employers on two contracts, two months apart, a month of
    training, an exit a month ago whose six-month situation is still to record."""
    facilitator = structure.organisation
    participant = ParticipantFactory(facilitator=facilitator, first_name="Anli", last_name="Madi")
    first_contract = open_contract(
        facilitator, reference="2025-014", awarded_company__name="Lagon BTP"
    )
    second_contract = open_contract(
        facilitator, reference="2025-020", awarded_company__name="Mayotte Propreté"
    )
    first = PlacementFactory(
        participant=participant,
        contract=first_contract,
        start_date=months_ago(12) + 9 * DAY,
        end_date=months_ago(8) - DAY,
    )
    exit_date = timezone.localdate() - 30 * DAY
    second = PlacementFactory(
        participant=participant,
        contract=second_contract,
        execution_mode=ExecutionMode.PROVISION_ETTI,
        start_date=months_ago(6),
        end_date=exit_date,
    )
    for count in (12, 11, 10, 9):
        HoursEntryFactory(
            placement=first,
            month=months_ago(count),
            hours_worked=Decimal(100),
            training_hours=Decimal(12 if count == 10 else 0),
        )
    for count in (6, 5, 4, 3):
        HoursEntryFactory(placement=second, month=months_ago(count), hours_worked=Decimal(150))
    HoursEntryFactory(
        placement=second,
        month=months_ago(2),
        hours_worked=Decimal(999),
        status=HoursStatus.REJECTED,
        rejection_reason="Heures en double",
    )
    OutcomeFactory(placement=second, exit_date=exit_date, situation=OutcomeSituation.TRANSITION_JOB)
    need = HiringNeedFactory(contract=second_contract)
    referral = ReferralFactory(
        need=need,
        participant=participant,
        status=ReferralStatusChoice.HIRED,
        prescriber__name="Mission locale de Mamoudzou",
    )
    referred_at = timezone.make_aware(
        datetime.datetime.combine(months_ago(7) + 3 * DAY, datetime.time(10))
    )
    Referral.objects.filter(pk=referral.pk).update(
        created_at=referred_at, status_changed_at=referred_at + 20 * DAY
    )
    return {
        "participant": participant,
        "first": first,
        "second": second,
        "need": need,
        "exit_date": exit_date,
    }


def test_the_page_tells_the_pathway_in_order(structure, story) -> None:  # type: ignore[no-untyped-def]
    participant = story["participant"]
    response = structure.client.get(reverse("inclusion:participant_detail", args=[participant.pk]))
    assert response.status_code == 200
    text = pathway_text(response)
    assert (
        "2 mises en emploi sur 2 marchés, 2 employeurs, 1 012 h sur 8 mois, 1 interruption" in text
    )
    job = story["first"].job.title
    due = six_month_due(story["exit_date"])
    steps = [
        f"Début chez Lagon BTP — {job}, marché 2025-014",
        f"{month_label(months_ago(10))} : 112 h dont 12 h de formation",
        "Formation : 12 h chez Lagon BTP",
        "Fin de mission chez Lagon BTP",
        "Interruption : 2 mois sans mise en emploi",
        "Entre la fin chez Lagon BTP et le début chez Mayotte Propreté",
        f"Candidature proposée par Mission locale de Mamoudzou — {job} chez Mayotte Propreté",
        "Candidature chez Mayotte Propreté : recruté",
        f"Début chez Mayotte Propreté — {job}, marché 2025-020",
        "Fin de mission chez Mayotte Propreté",
        "Sortie : Emploi de transition",
        "Aujourd'hui",
        f"Situation à 6 mois à saisir avant le {due:%d/%m/%Y}",
    ]
    positions = [text.index(step) for step in steps]
    # The training month is listed inside its year's summary, after the run of training.
    assert positions[2] < positions[1]
    del positions[1]
    assert positions == sorted(positions)
    # Rejected hours are no part of the pathway.
    assert "999" not in text


def test_each_entry_links_to_its_object(structure, story) -> None:  # type: ignore[no-untyped-def]
    participant = story["participant"]
    html = structure.client.get(
        reverse("inclusion:participant_detail", args=[participant.pk])
    ).content.decode()
    section = html[html.index('aria-labelledby="parcours"') :]
    section = section[: section.index('aria-labelledby="criteres"')]
    first = story["first"]
    assert f'href="{reverse("inclusion:placement_detail", args=[first.pk])}"' in section
    assert f'href="{reverse("inclusion:placement_detail", args=[first.pk])}#heures"' in section
    assert f'href="{reverse("procurement:contract_detail", args=[first.contract_id])}"' in section
    assert f'href="{reverse("matching:need_detail", args=[story["need"].pk])}"' in section
    assert '<time class="small text-body-secondary" datetime="' in section
    assert 'id="aujourdhui"' in section
    assert 'href="#aujourdhui"' in section


def test_another_structure_cannot_read_the_pathway(other_structure, story) -> None:  # type: ignore[no-untyped-def]
    participant = story["participant"]
    response = other_structure.client.get(
        reverse("inclusion:participant_detail", args=[participant.pk])
    )
    assert response.status_code == 404
    assert referrals_of_participant(scope_for(other_structure.user), participant) == []


def test_a_new_participant_has_an_empty_pathway(structure) -> None:  # type: ignore[no-untyped-def]
    participant = ParticipantFactory(facilitator=structure.organisation)
    response = structure.client.get(reverse("inclusion:participant_detail", args=[participant.pk]))
    assert "Aucun événement pour l'instant" in pathway_text(response)


def _page_queries(client, participant: Participant) -> int:  # type: ignore[no-untyped-def]
    url = reverse("inclusion:participant_detail", args=[participant.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pathway_costs_the_same_queries_whatever_its_length(
    structure, story, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    participant = story["participant"]
    with django_assert_max_num_queries(22):
        before = _page_queries(structure.client, participant)
    contract = open_contract(structure.organisation, execution_start=months_ago(40))
    for year in range(3):
        start = add_months(months_ago(40), year * 10)
        placement = PlacementFactory(
            participant=participant,
            contract=contract,
            start_date=start,
            end_date=add_months(start, 8) - DAY,
        )
        for month in range(8):
            HoursEntryFactory(
                placement=placement, month=add_months(start, month), training_hours=Decimal(7)
            )
    need = HiringNeedFactory(contract=contract)
    ReferralFactory(need=need, participant=participant, status=ReferralStatusChoice.HIRED)
    OutcomeFactory(placement=placement)
    assert _page_queries(structure.client, participant) == before
