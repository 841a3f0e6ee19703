"""Possible duplicate participants, and merging two records of one person."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    EsfEntryFactory,
    HoursEntryFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlacementFactory,
)
from tests.inclusion.conftest import follow, months_ago, open_contract, page_text
from tests.inclusion.test_company_space import company_in, declaration
from tremplin.inclusion import duplicates, selectors, services
from tremplin.inclusion.enums import EventAction, HoursStatus, OutcomeSituation
from tremplin.inclusion.models import (
    EligibilityCriterion,
    InclusionEvent,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.access import scope_for

BORN = datetime.date(1990, 3, 12)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def person(first: str, last: str, born: datetime.date = BORN) -> duplicates.Person:
    return duplicates.Person(first, last, born)


# Detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        (person("Nasra", "Ahamadi"), person("nasra", "AHAMADI"), duplicates.SAME),
        (person("Zaïnaba", "Saïd-Ali"), person("Zainaba", "Said Ali"), duplicates.SAME),
        (person("Mohamed", "Madi"), person("Mohamad", "Madi"), duplicates.CLOSE),
        (person("Nasra", "Ahamadi"), person("Nasra", "Ahmadi"), duplicates.CLOSE),
        (person("Nasra", "Ahamadi"), person("Ahamadi", "Nasra"), duplicates.CLOSE),
        (
            person("Nasra", "Ahamadi"),
            person("Nasra", "Ahamadi", datetime.date(1990, 12, 3)),
            duplicates.SWAPPED_DATE,
        ),
        (person("Nasra", "Ahamadi"), person("Nasra", "Ahamadi", datetime.date(1990, 3, 13)), None),
        (person("Nasra", "Ahamadi"), person("Fatima", "Ahamadi"), None),
        (person("Ali", "Madi"), person("Ali", "Mdi"), None),  # too short to differ
    ],
)
def test_detection(a, b, reason):
    assert duplicates.match(a, b) == reason
    assert duplicates.match(b, a) == reason


def test_swapped_dates_exist_only_when_they_differ():
    assert duplicates.swapped_day_month(datetime.date(1990, 3, 12)) == datetime.date(1990, 12, 3)
    assert duplicates.swapped_day_month(datetime.date(1990, 3, 13)) is None
    assert duplicates.swapped_day_month(datetime.date(1990, 5, 5)) is None


# The facilitator's create form ----------------------------------------------------------


def _form(structure, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "facilitator": structure.organisation.pk,
        "first_name": "Mohamad",
        "last_name": "Ahmadi",
        "birth_date": BORN.isoformat(),
        "sex": "M",
        "qualification_level": "none",
    }
    data.update(fields)
    return data


def test_the_create_form_shows_possible_duplicates_and_asks_to_confirm(structure):
    existing = ParticipantFactory(
        facilitator=structure.organisation,
        first_name="Mohamed",
        last_name="Ahamadi",
        birth_date=BORN,
    )
    url = reverse("inclusion:participant_create")
    response = structure.client.post(url, _form(structure))
    assert response.status_code == 200
    text = page_text(response)
    assert "Cette personne est peut-être déjà suivie" in text
    assert "AHAMADI Mohamed" in text
    assert "12/03/1990" in text
    assert "Orthographe proche" in text
    assert "Créer quand même" in text
    assert reverse("inclusion:participant_detail", args=[existing.pk]) in response.content.decode()
    assert Participant.objects.count() == 1

    response = structure.client.post(url, _form(structure, confirm_duplicates="1"), follow=True)
    assert "Mohamad AHMADI est enregistré(e) comme participant." in page_text(response)
    assert Participant.objects.count() == 2
    assert "Doublon possible" in page_text(response)


def test_no_confirmation_without_a_duplicate(structure):
    ParticipantFactory(
        facilitator=structure.organisation,
        first_name="Mohamed",
        last_name="Ahamadi",
        birth_date=BORN + datetime.timedelta(days=1),
    )
    response = structure.client.post(reverse("inclusion:participant_create"), _form(structure))
    assert response.status_code == 302
    assert Participant.objects.count() == 2


def test_another_structures_people_are_never_proposed(structure, other_structure):
    ParticipantFactory(
        facilitator=other_structure.organisation,
        first_name="Mohamad",
        last_name="Ahmadi",
        birth_date=BORN,
    )
    response = structure.client.post(reverse("inclusion:participant_create"), _form(structure))
    assert response.status_code == 302
    for client in (structure.client, other_structure.client):
        page = page_text(client.get(reverse("inclusion:duplicate_list")))
        assert "Aucun doublon possible" in page


def test_a_company_declaration_creates_the_person_and_the_facilitator_sees_the_flag(structure):
    lagon = company_in(structure, "Lagon BTP")
    contract = open_contract(structure.organisation, awarded_company=lagon.organisation)
    existing = ParticipantFactory(
        facilitator=structure.organisation,
        first_name="Nasra",
        last_name="Ahamadi",
        birth_date=datetime.date(1994, 3, 12),
    )
    response = lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]), declaration(contract)
    )
    assert response.status_code == 302
    declared = Participant.objects.exclude(pk=existing.pk).get(last_name="Ahamadi")
    listing = structure.client.get(reverse("inclusion:participant_list"))
    assert "Doublons possibles 1" in page_text(listing)
    page = page_text(structure.client.get(reverse("inclusion:duplicate_list")))
    assert "Même nom et même date de naissance" in page
    detail = structure.client.get(reverse("inclusion:participant_detail", args=[declared.pk]))
    assert "Doublon possible" in page_text(detail)


def test_the_duplicate_list_names_each_reason(structure):
    facilitator = structure.organisation
    ParticipantFactory(facilitator=facilitator, first_name="Ali", last_name="Madi", birth_date=BORN)
    ParticipantFactory(facilitator=facilitator, first_name="Ali", last_name="MADI", birth_date=BORN)
    swapped = datetime.date(1985, 4, 7)
    ParticipantFactory(
        facilitator=facilitator, first_name="Saïd", last_name="Omar", birth_date=swapped
    )
    ParticipantFactory(
        facilitator=facilitator,
        first_name="Said",
        last_name="Omar",
        birth_date=datetime.date(1985, 7, 4),
    )
    ParticipantFactory(
        facilitator=facilitator, first_name="Saïd", last_name="Omar", birth_date=BORN
    )
    page = page_text(structure.client.get(reverse("inclusion:duplicate_list")))
    assert "Même nom et même date de naissance" in page
    assert "Jour et mois inversés" in page
    pairs = selectors.duplicate_pairs(scope_for(structure.user))
    assert sorted(pair.reason for pair in pairs) == [duplicates.SWAPPED_DATE, duplicates.SAME]


def test_the_duplicate_list_does_not_query_per_row(structure, django_assert_max_num_queries):
    facilitator = structure.organisation

    def pairs(count: int) -> None:
        for index in range(count):
            born = datetime.date(1980, 1, 1) + datetime.timedelta(days=index + count * 40)
            for _ in range(2):
                ParticipantFactory(
                    facilitator=facilitator, first_name="Ali", last_name="Madi", birth_date=born
                )

    pairs(2)
    with django_assert_max_num_queries(20) as few:
        structure.client.get(reverse("inclusion:duplicate_list"))
    pairs(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = structure.client.get(reverse("inclusion:duplicate_list"))
    assert response.content.decode().count("Comparer<span") == 12


# Merging --------------------------------------------------------------------------------


def _twin_of(participant: Participant, **fields: object) -> Participant:
    data: dict[str, object] = {
        "facilitator": participant.facilitator,
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "birth_date": participant.birth_date,
    }
    data.update(fields)
    return ParticipantFactory(**data)


def test_the_comparison_page_shows_both_people(structure):
    followed = follow(structure.organisation)
    twin = _twin_of(followed.participant, city="Dzaoudzi")
    url = reverse("inclusion:participant_merge", args=[followed.participant.pk, twin.pk])
    text = page_text(structure.client.get(url))
    assert "Comparer deux fiches" in text
    assert "Dzaoudzi" in text
    assert f"Marché {followed.contract.reference}" in text
    assert "même nom et même date de naissance" in text


def test_a_merge_moves_placements_criteria_hours_and_history(structure):
    followed = follow(structure.organisation)
    kept = followed.participant
    twin = _twin_of(kept)
    rsa = EligibilityCriterion.objects.get(code="rsa")
    ass = EligibilityCriterion.objects.get(code="ass")
    services.participant_update(actor=structure.user, participant=twin, city="Sada")
    newer_rsa = ParticipantCriterion.objects.create(
        participant=twin,
        criterion=rsa,
        evidence="Attestation CAF récente",
        checked_on=timezone.localdate(),
    )
    their_ass = ParticipantCriterion.objects.create(
        participant=twin, criterion=ass, evidence="Notification", checked_on=months_ago(1)
    )
    contract = open_contract(structure.organisation)
    placement = PlacementFactory(
        participant=twin, contract=contract, start_date=months_ago(4), end_date=None
    )
    HoursEntryFactory(
        placement=placement,
        month=months_ago(2),
        hours_worked=Decimal(80),
        status=HoursStatus.VALIDATED,
    )
    followed.entry.status = HoursStatus.VALIDATED
    followed.entry.save()
    assert Participant.objects.filter(facilitator=structure.organisation).count() == 2

    url = reverse("inclusion:participant_merge", args=[kept.pk, twin.pk])
    response = structure.client.post(url, {"kept": kept.pk}, follow=True)
    text = page_text(response)
    assert "Les deux fiches sont fusionnées" in text
    assert set(Placement.objects.filter(participant=kept)) == {followed.placement, placement}
    criteria = {item.criterion_id: item for item in kept.criteria.all()}
    assert criteria[rsa.pk].pk == newer_rsa.pk  # the most recent check is kept
    assert criteria[ass.pk].pk == their_ass.pk
    assert not ParticipantCriterion.objects.filter(pk=followed.item.pk).exists()
    # The timeline shows the merge and the merged record's own events.
    assert "Doublon fusionné dans cette fiche" in text
    assert "Sada" in text
    assert "200 h" in text.replace("\u202f", " ")
    twin = Participant.all_objects.get(pk=twin.pk)
    assert twin.merged_into_id == kept.pk
    event = InclusionEvent.objects.get(action=EventAction.PARTICIPANTS_MERGED)
    assert event.participant_id == kept.pk
    assert event.before["last_name"] == kept.last_name
    assert event.after["placement_ids"] == [placement.pk]
    assert InclusionEvent.objects.filter(participant=twin).exists()
    # Lists, counts and figures: one person, the same hours.
    assert Participant.objects.filter(facilitator=structure.organisation).count() == 1
    listing = page_text(structure.client.get(reverse("inclusion:participant_list")))
    assert "1 participant" in listing
    assert "Doublons possibles" not in listing
    assert (
        structure.client.get(reverse("inclusion:participant_detail", args=[twin.pk])).status_code
        == 404
    )


def test_the_dashboard_counts_the_person_once_after_a_merge(structure):
    from tremplin.reporting.selectors import facilitator_figures

    followed = follow(structure.organisation)
    followed.entry.status = HoursStatus.VALIDATED
    followed.entry.save()
    twin = _twin_of(followed.participant)
    scope = scope_for(structure.user)
    before = facilitator_figures(scope, 1607)
    services.participant_merge(actor=structure.user, kept=twin, merged=followed.participant)
    after = facilitator_figures(scope, 1607)
    assert before.participants == 2
    assert after.participants == 1
    assert after.hours_validated == before.hours_validated == Decimal(120)
    placements = selectors.placements_of_participant(scope, twin)
    assert sum(p.validated_hours for p in placements) == Decimal(120)


def test_a_merge_is_refused_when_placements_overlap(structure):
    followed = follow(structure.organisation)
    twin = _twin_of(followed.participant)
    PlacementFactory(
        participant=twin,
        contract=followed.contract,
        lot=followed.lot,
        start_date=months_ago(2),
        end_date=None,
    )
    url = reverse("inclusion:participant_merge", args=[followed.participant.pk, twin.pk])
    response = structure.client.post(url, {"kept": twin.pk})
    assert response.status_code == 200
    text = page_text(response)
    assert "Fusion impossible" in text
    assert f"marché {followed.contract.reference}, lot 1" in text
    assert Participant.objects.filter(pk=followed.participant.pk).exists()
    assert followed.placement.participant_id == followed.participant.pk
    with pytest.raises(ValidationError):
        services.participant_merge(actor=None, kept=followed.participant, merged=twin)


def test_another_structures_record_cannot_be_merged(structure, other_structure):
    mine = follow(structure.organisation).participant
    theirs = _twin_of(mine, facilitator=other_structure.organisation)
    for args in ([mine.pk, theirs.pk], [theirs.pk, mine.pk]):
        url = reverse("inclusion:participant_merge", args=args)
        assert structure.client.post(url, {"kept": mine.pk}).status_code == 404
    assert theirs.merged_into_id is None
    assert Participant.objects.count() == 2


def test_a_merge_moves_outcomes_and_esf_entries_but_keeps_the_kept_records_own(structure):
    kept = ParticipantFactory(facilitator=structure.organisation)
    twin = _twin_of(kept)
    same_exit = datetime.date(2025, 6, 30)
    OutcomeFactory(
        placement=PlacementFactory(
            participant=kept, contract=open_contract(structure.organisation)
        ),
        participant=kept,
        exit_date=same_exit,
        situation=OutcomeSituation.DURABLE_CDI,
    )
    OutcomeFactory(
        placement=PlacementFactory(
            participant=twin, contract=open_contract(structure.organisation)
        ),
        participant=twin,
        exit_date=same_exit,
        situation=OutcomeSituation.JOB_SEEKING,
    )
    earlier_exit = OutcomeFactory(
        placement=None, participant=twin, exit_date=datetime.date(2024, 1, 31)
    )
    entry = EsfEntryFactory(participant=twin)

    services.participant_merge(actor=structure.user, kept=kept, merged=twin)

    situations = dict(kept.outcomes.values_list("exit_date", "situation"))
    assert situations[same_exit] == OutcomeSituation.DURABLE_CDI
    assert situations[earlier_exit.exit_date] == earlier_exit.situation
    assert list(kept.esf_entries.all()) == [entry]
