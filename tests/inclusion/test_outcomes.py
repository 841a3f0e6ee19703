"""Outcomes at exit and at six months, and ESF entry data: rules, history, pages, scope."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import (
    ContractFactory,
    OrganisationFactory,
    ParticipantFactory,
    PlacementFactory,
    member_of,
)
from tests.inclusion.conftest import client_of, page_text
from tremplin.inclusion.enums import (
    EventAction,
    IscedBand,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
    QualificationLevel,
)
from tremplin.inclusion.followup import (
    add_months,
    exits_due_by,
    six_month_due,
    six_month_earliest,
)
from tremplin.inclusion.models import (
    EligibilityCriterion,
    EsfEntry,
    InclusionEvent,
    Outcome,
    ParticipantCriterion,
)
from tremplin.inclusion.outcome_services import (
    esf_entry_delete,
    esf_entry_record,
    outcome_delete,
    outcome_record,
)

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def placement(structure):  # type: ignore[no-untyped-def]
    """A placement of ``structure`` that ended eight months ago: its exit is old enough
    for a six-month follow-up."""
    start = today() - datetime.timedelta(days=400)
    contract = ContractFactory(
        facilitator=structure.organisation,
        execution_start=start,
        execution_end=today() + datetime.timedelta(days=300),
    )
    return PlacementFactory(
        contract=contract, start_date=start, end_date=today() - datetime.timedelta(days=240)
    )


def record_exit(structure, placement, **fields):  # type: ignore[no-untyped-def]
    values = {
        "moment": OutcomeMoment.EXIT,
        "exit_date": placement.end_date,
        "observed_on": placement.end_date,
        "situation": OutcomeSituation.DURABLE_CDI,
        "placement": placement,
    }
    values.update(fields)
    return outcome_record(user=structure.user, participant=placement.participant, **values)


def errors_of(call) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# Pure dates --------------------------------------------------------------------------


@given(
    st.dates(datetime.date(2000, 1, 1), datetime.date(2060, 12, 31)),
    st.dates(datetime.date(2000, 1, 1), datetime.date(2060, 12, 31)),
)
def test_an_exit_is_due_exactly_when_its_date_is_on_or_before_the_cutoff(exit_date, day):
    assert (six_month_due(exit_date) <= day) == (exit_date <= exits_due_by(day))


@given(st.dates(datetime.date(2000, 1, 1), datetime.date(2060, 12, 31)))
def test_the_six_month_date_is_six_months_later_within_the_month(exit_date):
    due = six_month_due(exit_date)
    assert (due.year * 12 + due.month) - (exit_date.year * 12 + exit_date.month) == 6
    assert due.day == exit_date.day or due == add_months(due.replace(day=1), 1) - DAY
    assert six_month_earliest(exit_date) == due - datetime.timedelta(days=15)


def test_the_end_of_august_is_followed_up_at_the_end_of_february():
    assert six_month_due(datetime.date(2026, 8, 31)) == datetime.date(2027, 2, 28)
    assert exits_due_by(datetime.date(2027, 2, 28)) == datetime.date(2026, 8, 31)


# Services ------------------------------------------------------------------------------


def test_recording_an_exit_writes_the_outcome_and_its_history(structure, placement):
    outcome = record_exit(structure, placement, employer_name="Bâtiments du Lagon")

    assert outcome.recorded_by == structure.user
    event = InclusionEvent.objects.get(action=EventAction.OUTCOME_SET)
    assert event.participant_id == placement.participant_id
    assert event.actor == structure.user
    assert event.before is None
    assert event.after["situation"] == "durable_cdi"
    assert event.after["exit_date"] == placement.end_date.isoformat()


def test_recording_the_same_exit_again_updates_it_with_before_and_after(structure, placement):
    first = record_exit(structure, placement)
    second = record_exit(structure, placement, situation=OutcomeSituation.TRANSITION_JOB)

    assert second.pk == first.pk
    assert Outcome.objects.count() == 1
    change = InclusionEvent.objects.filter(action=EventAction.OUTCOME_SET).order_by("id").last()
    assert change.before["situation"] == "durable_cdi"
    assert change.after["situation"] == "transition_job"
    # Saving the same values leaves no trace.
    record_exit(structure, placement, situation=OutcomeSituation.TRANSITION_JOB)
    assert InclusionEvent.objects.filter(action=EventAction.OUTCOME_SET).count() == 2


def test_an_exit_in_the_future_is_refused(structure, placement):
    tomorrow = today() + DAY
    errors = errors_of(
        lambda: record_exit(structure, placement, exit_date=tomorrow, observed_on=tomorrow)
    )
    assert errors["exit_date"] == ["La date de sortie ne peut pas être dans le futur."]
    assert errors["observed_on"] == ["La situation ne peut pas être constatée dans le futur."]
    assert not Outcome.objects.exists()


def test_a_situation_observed_before_the_exit_is_refused(structure, placement):
    errors = errors_of(
        lambda: record_exit(structure, placement, observed_on=placement.end_date - DAY)
    )
    assert errors["observed_on"] == [
        f"La situation ne peut pas être constatée avant la sortie du {placement.end_date:%d/%m/%Y}."
    ]


def test_an_exit_before_the_first_placement_is_refused(structure, placement):
    before = placement.start_date - DAY
    errors = errors_of(
        lambda: record_exit(structure, placement, exit_date=before, observed_on=before)
    )
    assert errors["exit_date"] == [
        f"La sortie ({before:%d/%m/%Y}) précède la première mise en emploi de "
        f"{placement.participant}, commencée le {placement.start_date:%d/%m/%Y}."
    ]


def test_a_six_month_situation_observed_too_early_is_refused(structure, placement):
    record_exit(structure, placement)
    exit_date = placement.end_date
    too_early = six_month_earliest(exit_date) - DAY
    errors = errors_of(
        lambda: record_exit(
            structure, placement, moment=OutcomeMoment.SIX_MONTHS, observed_on=too_early
        )
    )
    assert errors["observed_on"] == [
        f"La situation à 6 mois se constate au plus tôt le "
        f"{six_month_earliest(exit_date):%d/%m/%Y} : 6 mois après la sortie du "
        f"{exit_date:%d/%m/%Y}, à 15 jours près."
    ]
    # Fifteen days before the six months is early enough.
    record_exit(
        structure,
        placement,
        moment=OutcomeMoment.SIX_MONTHS,
        observed_on=six_month_earliest(exit_date),
    )
    assert Outcome.objects.filter(moment=OutcomeMoment.SIX_MONTHS).count() == 1


def test_a_six_month_situation_needs_the_situation_at_exit(structure, placement):
    errors = errors_of(
        lambda: record_exit(
            structure, placement, moment=OutcomeMoment.SIX_MONTHS, observed_on=today()
        )
    )
    assert errors["exit_date"] == [
        f"Aucune situation à la sortie n'est enregistrée pour une sortie le "
        f"{placement.end_date:%d/%m/%Y} : enregistrez-la d'abord."
    ]


def test_moving_an_exit_moves_its_six_month_situation(structure, placement):
    at_exit = record_exit(structure, placement)
    record_exit(structure, placement, moment=OutcomeMoment.SIX_MONTHS, observed_on=today())
    earlier = placement.end_date - datetime.timedelta(days=10)

    record_exit(structure, placement, outcome=at_exit, exit_date=earlier, observed_on=earlier)

    assert set(Outcome.objects.values_list("exit_date", flat=True)) == {earlier}


def test_an_exit_with_a_follow_up_is_removed_after_it(structure, placement):
    at_exit = record_exit(structure, placement)
    later = record_exit(structure, placement, moment=OutcomeMoment.SIX_MONTHS, observed_on=today())

    with pytest.raises(ValidationError) as refused:
        outcome_delete(user=structure.user, outcome=at_exit)
    assert refused.value.messages == [
        "La situation à 6 mois de cette sortie est enregistrée : retirez-la d'abord."
    ]
    outcome_delete(user=structure.user, outcome=later)
    outcome_delete(user=structure.user, outcome=at_exit)

    assert not Outcome.objects.exists()
    removed = InclusionEvent.objects.filter(action=EventAction.OUTCOME_REMOVED)
    assert removed.count() == 2
    assert all(event.after is None and event.before for event in removed)


def test_another_structure_cannot_write_outcomes(structure, other_structure, placement):
    with pytest.raises(ValidationError):
        outcome_record(
            user=other_structure.user,
            participant=placement.participant,
            moment=OutcomeMoment.EXIT,
            exit_date=placement.end_date,
            observed_on=placement.end_date,
            situation=OutcomeSituation.DURABLE_CDI,
        )
    assert not Outcome.objects.exists()


def test_esf_entry_is_recorded_changed_and_removed_with_history(structure, placement):
    participant = placement.participant
    entry = esf_entry_record(
        user=structure.user,
        participant=participant,
        entered_on=placement.start_date,
        labour_status=LabourStatus.LONG_TERM_UNEMPLOYED,
        isced_band=IscedBand.ISCED_0_2,
        disability=True,
    )
    esf_entry_record(
        user=structure.user,
        participant=participant,
        entry=entry,
        entered_on=placement.start_date,
        labour_status=LabourStatus.LONG_TERM_UNEMPLOYED,
        isced_band=IscedBand.ISCED_0_2,
        disability=True,
        left_on=placement.end_date,
    )
    events = list(InclusionEvent.objects.filter(object_type="esfentry").order_by("id"))
    assert [event.action for event in events] == [EventAction.ESF_ENTRY_SET] * 2
    assert events[1].before["left_on"] is None
    assert events[1].after["left_on"] == placement.end_date.isoformat()

    esf_entry_delete(user=structure.user, entry=entry)
    assert not EsfEntry.objects.exists()
    assert InclusionEvent.objects.filter(action=EventAction.ESF_ENTRY_REMOVED).count() == 1


def test_esf_exit_before_entry_or_in_the_future_is_refused(structure, placement):
    def record(**fields):  # type: ignore[no-untyped-def]
        return esf_entry_record(
            user=structure.user,
            participant=placement.participant,
            labour_status=LabourStatus.UNEMPLOYED,
            isced_band=IscedBand.ISCED_3_4,
            **fields,
        )

    assert errors_of(lambda: record(entered_on=today(), left_on=today() - DAY)) == {
        "left_on": [f"La sortie précède l'entrée dans l'opération ({today():%d/%m/%Y})."]
    }
    assert errors_of(lambda: record(entered_on=today() + DAY)) == {
        "entered_on": ["La date d'entrée ne peut pas être dans le futur."]
    }


# Pages ---------------------------------------------------------------------------------


def test_the_participant_page_shows_the_exit_and_the_six_month_due_date(structure, placement):
    record_exit(structure, placement, employer_name="Bâtiments du Lagon")
    url = reverse("inclusion:participant_detail", args=[placement.participant_id])

    text = page_text(structure.client.get(url))

    assert "Sorties et situations" in text
    assert f"Sortie du {placement.end_date:%d/%m/%Y}" in text
    assert "Emploi durable — CDI" in text
    assert "Bâtiments du Lagon" in text
    assert f"À 6 mois — attendue le {six_month_due(placement.end_date):%d/%m/%Y}" in text
    assert "Constater la situation à 6 mois" in text
    assert "Données FSE" in text


def test_the_form_records_an_exit_and_goes_back_to_the_participant(structure, placement):
    url = reverse("inclusion:outcome_create", args=[placement.participant_id])
    form = structure.client.get(url)
    # All placements ended: the exit defaults to the end of the last one.
    assert f'value="{placement.end_date.isoformat()}"' in form.content.decode()

    response = structure.client.post(
        url,
        {
            "moment": "exit",
            "exit_date": placement.end_date.isoformat(),
            "observed_on": placement.end_date.isoformat(),
            "situation": "qualifying_training",
            "placement": placement.pk,
        },
        follow=True,
    )

    assert "Situation à la sortie de" in page_text(response)
    assert "Formation qualifiante" in page_text(response)
    assert Outcome.objects.get().situation == OutcomeSituation.QUALIFYING_TRAINING


def test_the_form_shows_the_service_message_on_the_field(structure, placement):
    url = reverse("inclusion:outcome_create", args=[placement.participant_id])
    response = structure.client.post(
        url,
        {
            "moment": "six_months",
            "exit_date": placement.end_date.isoformat(),
            "observed_on": placement.end_date.isoformat(),
            "situation": "durable_cdi",
        },
    )
    assert response.status_code == 200
    assert "La situation à 6 mois se constate au plus tôt le" in page_text(response)
    assert not Outcome.objects.exists()


def test_the_esf_form_is_prefilled_from_the_participant(structure, placement):
    participant = placement.participant
    participant.qualification_level = QualificationLevel.LEVEL_4
    participant.save()
    ParticipantCriterion.objects.create(
        participant=participant,
        criterion=EligibilityCriterion.objects.get(code="rqth"),
        evidence="Décision MDPH",
        checked_on=today(),
    )
    response = structure.client.get(reverse("inclusion:esf_entry_create", args=[participant.pk]))
    html = response.content.decode()

    assert '<option value="isced_3_4" selected>' in html
    assert re.search(r'<input[^>]*name="disability"[^>]*checked', html)


@pytest.mark.parametrize("name", ["outcome_update", "outcome_delete"])
def test_another_structure_and_a_company_get_404(name, structure, other_structure, placement):
    outcome = record_exit(structure, placement)
    company = client_of(OrganisationFactory(network=structure.organisation.network, kind="company"))
    url = reverse(f"inclusion:{name}", args=[outcome.pk])
    for client in (other_structure.client, company):
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {}).status_code == 404
    detail = reverse("inclusion:participant_detail", args=[placement.participant_id])
    assert company.get(detail).status_code == 404
    assert Outcome.objects.get().situation == OutcomeSituation.DURABLE_CDI


def test_the_follow_up_list_shows_due_exits_of_the_structure_only(
    structure, other_structure, placement, django_assert_max_num_queries
):
    record_exit(structure, placement)
    theirs_contract = ContractFactory(facilitator=other_structure.organisation)
    theirs = PlacementFactory(
        contract=theirs_contract,
        participant=ParticipantFactory(
            facilitator=other_structure.organisation, last_name="Voisine"
        ),
        start_date=placement.start_date,
        end_date=placement.end_date,
    )
    Outcome.objects.create(
        participant=theirs.participant,
        moment=OutcomeMoment.EXIT,
        exit_date=theirs.end_date,
        observed_on=theirs.end_date,
        situation=OutcomeSituation.JOB_SEEKING,
    )
    url = reverse("inclusion:outcomes_due")

    with django_assert_max_num_queries(12) as few:
        text = page_text(structure.client.get(url))
    assert placement.participant.last_name.upper() in text
    assert "VOISINE" not in text
    assert f"{six_month_due(placement.end_date):%d/%m/%Y}" in text

    # More rows, same number of queries.
    for index in range(4):
        person = PlacementFactory(
            contract=placement.contract,
            participant=ParticipantFactory(facilitator=structure.organisation),
            start_date=placement.start_date,
            end_date=placement.end_date - datetime.timedelta(days=index),
        )
        record_exit(structure, person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        structure.client.get(url)


def test_a_company_member_has_no_follow_up_list(structure):
    company = OrganisationFactory(network=structure.organisation.network, kind="company")
    member_of(company)
    assert client_of(company).get(reverse("inclusion:outcomes_due")).status_code == 404
