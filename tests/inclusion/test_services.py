"""The services keep the rules of personal data: history of every change, no overlap, no
impossible month, and nothing saved from bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import (
    InclusionEmployerFactory,
    OrganisationFactory,
    ParticipantFactory,
    any_job,
    member_of,
)
from tests.inclusion.conftest import fingerprint, months_ago, open_contract
from tremplin.core.hours import max_hours_in_month
from tremplin.core.models import AppendOnlyError
from tremplin.inclusion import services
from tremplin.inclusion.enums import EventAction, HoursStatus
from tremplin.inclusion.models import EligibilityCriterion, InclusionEvent, Participant, Placement
from tremplin.procurement.models import Lot


def events(participant: Participant, action: str) -> list[InclusionEvent]:
    return list(InclusionEvent.objects.filter(participant=participant, action=action))


@pytest.fixture
def placement(structure):  # type: ignore[no-untyped-def]
    contract = open_contract(structure.organisation)
    participant = ParticipantFactory(facilitator=structure.organisation)
    return services.placement_create(
        actor=structure.user,
        participant=participant,
        contract=contract,
        employer=contract.awarded_company,
        execution_mode="direct_cdd",
        job=any_job(),
        start_date=months_ago(6),
    )


# History --------------------------------------------------------------------------------


def test_every_change_of_hours_is_in_the_history(structure, placement):
    actor, participant, month = structure.user, placement.participant, months_ago(2)
    entry = services.hours_record(
        actor=actor, placement=placement, month=month, hours_worked=Decimal("120")
    )
    services.hours_record(
        actor=actor, placement=placement, month=month, hours_worked=Decimal("130.5")
    )
    services.hours_validate(actor=actor, entry=entry)
    services.hours_reopen(actor=actor, entry=entry, reason="Heures supplémentaires oubliées")
    services.hours_record(actor=actor, placement=placement, month=month, hours_worked=Decimal(90))
    services.hours_reject(actor=actor, entry=entry, reason="Feuille non signée")

    declared = events(participant, EventAction.HOURS_DECLARED)
    assert len(declared) == 1
    assert declared[0].before is None
    assert declared[0].after["hours_worked"] == "120"
    assert declared[0].actor == actor
    changed = sorted(events(participant, EventAction.HOURS_CHANGED), key=lambda e: e.pk)
    assert [(e.before["hours_worked"], e.after["hours_worked"]) for e in changed] == [
        ("120.00", "130.5"),
        ("130.50", "90"),
    ]
    (reopened,) = events(participant, EventAction.HOURS_REOPENED)
    assert (reopened.before["status"], reopened.after["status"]) == ("validated", "declared")
    assert reopened.after["reason"] == "Heures supplémentaires oubliées"
    assert reopened.actor == actor
    (validated,) = events(participant, EventAction.HOURS_VALIDATED)
    assert (validated.before["status"], validated.after["status"]) == ("declared", "validated")
    (rejected,) = events(participant, EventAction.HOURS_REJECTED)
    assert rejected.after["rejection_reason"] == "Feuille non signée"
    assert all(e.object_type == "hoursentry" and e.object_id == entry.pk for e in changed)


def test_every_change_of_eligibility_is_in_the_history(structure, placement):
    participant, actor = placement.participant, structure.user
    rsa = EligibilityCriterion.objects.get(code="rsa")
    checked = timezone.localdate() - datetime.timedelta(days=5)
    item = services.criterion_set(
        actor=actor, participant=participant, criterion=rsa, evidence="CAF", checked_on=checked
    )
    assert item.valid_until == services._add_months(checked, 3)
    services.criterion_set(
        actor=actor,
        participant=participant,
        criterion=rsa,
        evidence="Attestation CAF de mars",
        checked_on=checked,
    )
    services.criterion_remove(actor=actor, item=item)

    first, second = sorted(events(participant, EventAction.CRITERION_SET), key=lambda e: e.pk)
    assert first.before is None
    assert first.after == {
        "criterion_id": rsa.pk,
        "evidence": "CAF",
        "checked_on": checked.isoformat(),
        "valid_until": item.valid_until.isoformat(),
    }
    assert (second.before["evidence"], second.after["evidence"]) == (
        "CAF",
        "Attestation CAF de mars",
    )
    (removed,) = events(participant, EventAction.CRITERION_REMOVED)
    assert removed.before["evidence"] == "Attestation CAF de mars"
    assert removed.after is None
    assert {first.actor, second.actor, removed.actor} == {actor}


def test_setting_the_same_criterion_twice_writes_one_event(structure, placement):
    rsa = EligibilityCriterion.objects.get(code="rsa")
    for _ in range(2):
        services.criterion_set(
            actor=structure.user,
            participant=placement.participant,
            criterion=rsa,
            evidence="CAF",
            checked_on=timezone.localdate(),
        )
    assert len(events(placement.participant, EventAction.CRITERION_SET)) == 1


def test_history_cannot_be_changed_or_deleted(structure, placement):
    event = InclusionEvent.objects.filter(participant=placement.participant).first()
    assert event is not None
    event.after = {"contract_id": 0}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        InclusionEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        InclusionEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == EventAction.PLACEMENT_CREATED


# Placements -----------------------------------------------------------------------------


def test_two_placements_on_the_same_lot_cannot_overlap(structure):
    contract = open_contract(structure.organisation)
    lot_1 = Lot.objects.create(contract=contract, number=1, title="Gros œuvre")
    lot_2 = Lot.objects.create(contract=contract, number=2, title="Peinture")
    participant = ParticipantFactory(facilitator=structure.organisation, first_name="Nadia")
    common = {
        "actor": structure.user,
        "participant": participant,
        "contract": contract,
        "employer": contract.awarded_company,
        "execution_mode": "direct_cdd",
        "job": any_job(),
    }
    services.placement_create(**common, lot=lot_1, start_date=months_ago(6), end_date=months_ago(2))
    before = fingerprint()
    with pytest.raises(ValidationError) as error:
        services.placement_create(**common, lot=lot_1, start_date=months_ago(3))
    message = error.value.message_dict["start_date"][0]
    assert "déjà placé(e) sur le lot 1" in message
    assert "se chevauchent" in message
    assert fingerprint() == before
    # Another lot, or the same lot once the first placement has ended, is fine.
    services.placement_create(**common, lot=lot_2, start_date=months_ago(3))
    services.placement_create(**common, lot=lot_1, start_date=months_ago(1))
    assert Placement.objects.filter(participant=participant).count() == 3


def test_a_placement_outside_the_contract_saves_nothing(structure):
    contract = open_contract(structure.organisation)
    participant = ParticipantFactory(facilitator=structure.organisation)
    before = fingerprint()
    with pytest.raises(ValidationError) as error:
        services.placement_create(
            actor=structure.user,
            participant=participant,
            contract=contract,
            employer=contract.awarded_company,
            execution_mode="direct_cdd",
            job=any_job(),
            start_date=contract.execution_start - datetime.timedelta(days=1),
            end_date=contract.execution_end + datetime.timedelta(days=1),
        )
    errors = error.value.message_dict
    assert "période d'exécution du marché" in errors["start_date"][0]
    assert "ne peut pas dépasser la fin d'exécution" in errors["end_date"][0]
    assert fingerprint() == before


def test_a_lot_of_another_contract_is_refused(structure):
    contract = open_contract(structure.organisation)
    elsewhere = Lot.objects.create(
        contract=open_contract(structure.organisation), number=1, title="Ailleurs"
    )
    with pytest.raises(ValidationError) as error:
        services.placement_create(
            actor=structure.user,
            participant=ParticipantFactory(facilitator=structure.organisation),
            contract=contract,
            lot=elsewhere,
            employer=contract.awarded_company,
            execution_mode="direct_cdd",
            job=any_job(),
            start_date=months_ago(1),
        )
    assert error.value.message_dict["lot"] == ["Ce lot n'appartient pas au marché choisi."]


# Hours ----------------------------------------------------------------------------------


def test_the_months_ceiling_counts_every_placement_of_the_person(structure, placement):
    """One person cannot work more than 48 h a week, whatever the number of placements."""
    month = months_ago(2)
    ceiling = max_hours_in_month(month.year, month.month)
    second = services.placement_create(
        actor=structure.user,
        participant=placement.participant,
        contract=open_contract(structure.organisation),
        employer=InclusionEmployerFactory(network=structure.organisation.network),
        execution_mode="provision_etti",
        job=any_job(),
        start_date=months_ago(4),
    )
    services.hours_record(
        actor=structure.user, placement=placement, month=month, hours_worked=Decimal(150)
    )
    before = fingerprint()
    with pytest.raises(ValidationError) as error:
        services.hours_record(
            actor=structure.user,
            placement=second,
            month=month,
            hours_worked=ceiling - 150 + Decimal("0.5"),
        )
    message = error.value.message_dict["hours_worked"][0]
    assert "dont 150 h sur d'autres mises en emploi" in message
    assert f"plus de {str(ceiling).replace('.', ',')} heures" in message
    assert fingerprint() == before
    # Up to the ceiling is fine; hours refused elsewhere do not count.
    services.hours_record(
        actor=structure.user, placement=second, month=month, hours_worked=ceiling - 150
    )


def test_rejected_hours_need_a_reason(structure, placement):
    entry = services.hours_record(
        actor=structure.user, placement=placement, month=months_ago(1), hours_worked=Decimal(80)
    )
    before = fingerprint()
    with pytest.raises(ValidationError) as error:
        services.hours_reject(actor=structure.user, entry=entry, reason="   ")
    assert error.value.message_dict["rejection_reason"] == ["Indiquez le motif du refus."]
    assert fingerprint() == before


def test_a_validated_month_is_corrected_only_once_reopened(structure, placement):
    month = months_ago(1)
    entry = services.hours_record(
        actor=structure.user,
        placement=placement,
        month=month,
        hours_worked=Decimal(80),
        validate=True,
    )
    assert entry.status == HoursStatus.VALIDATED
    assert entry.reviewed_by == structure.user
    # The same hours again change nothing; other hours are refused, with the way out.
    again = services.hours_record(
        actor=structure.user, placement=placement, month=month, hours_worked=Decimal(80)
    )
    assert again.status == HoursStatus.VALIDATED
    before = fingerprint()
    with pytest.raises(ValidationError) as refused:
        services.hours_record(
            actor=structure.user, placement=placement, month=month, hours_worked=Decimal(82)
        )
    message = refused.value.message_dict["month"][0]
    assert message.startswith(f"Le mois {_of_month(month)} de {placement.participant} est déjà")
    assert "rouvrez-le d'abord" in message
    assert fingerprint() == before

    services.hours_reopen(actor=structure.user, entry=entry, reason="Erreur de saisie")
    entry = services.hours_record(
        actor=structure.user, placement=placement, month=month, hours_worked=Decimal(82)
    )
    entry.refresh_from_db()
    assert entry.status == HoursStatus.DECLARED
    assert entry.reviewed_by is None
    assert entry.total_hours == 82


def _of_month(month: datetime.date) -> str:
    names = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    name = f"{names.split()[month.month - 1]} {month.year}"
    return f"d'{name}" if name[0] in "ao" else f"de {name}"


def test_only_the_facilitator_reopens_a_validated_month_and_says_why(structure, placement):
    entry = services.hours_record(
        actor=structure.user,
        placement=placement,
        month=months_ago(1),
        hours_worked=Decimal(80),
        validate=True,
    )
    with pytest.raises(ValidationError) as no_reason:
        services.hours_reopen(actor=structure.user, entry=entry, reason="  ")
    assert no_reason.value.message_dict["reason"] == ["Indiquez pourquoi vous rouvrez ce mois."]
    company = member_of(OrganisationFactory(network=structure.organisation.network, kind="company"))
    with pytest.raises(ValidationError) as not_theirs:
        services.hours_reopen(actor=company, entry=entry, reason="Erreur")
    assert "Seule la structure de facilitation" in not_theirs.value.messages[0]
    entry.refresh_from_db()
    assert entry.status == HoursStatus.VALIDATED
    services.hours_reopen(actor=structure.user, entry=entry, reason="Erreur")
    with pytest.raises(ValidationError) as twice:
        services.hours_reopen(actor=structure.user, entry=entry, reason="Erreur")
    assert "n'est pas validé" in twice.value.messages[0]


@pytest.mark.parametrize(
    ("month", "worked", "training", "field", "message"),
    [
        (1, "-1", "0", "hours_worked", "Les heures ne peuvent pas être négatives."),
        (1, "10", "-2", "training_hours", "Les heures ne peuvent pas être négatives."),
        (-1, "10", "0", "month", "On ne déclare pas les heures d'un mois à venir."),
        (9, "10", "0", "month", "est hors de la mise en emploi"),
        (1, "400", "0", "hours_worked", "une personne ne peut pas travailler plus de"),
    ],
)
def test_bad_hours_save_nothing(structure, placement, month, worked, training, field, message):
    before = fingerprint()
    with pytest.raises(ValidationError) as error:
        services.hours_record(
            actor=structure.user,
            placement=placement,
            month=months_ago(month),
            hours_worked=Decimal(worked),
            training_hours=Decimal(training),
        )
    assert message in " ".join(error.value.message_dict[field])
    assert fingerprint() == before


def test_validating_many_counts_only_what_changed(structure, placement):
    entries = [
        services.hours_record(
            actor=structure.user, placement=placement, month=months_ago(n), hours_worked=Decimal(10)
        )
        for n in (1, 2, 3)
    ]
    services.hours_validate(actor=structure.user, entry=entries[0])
    entries[0].refresh_from_db()
    assert services.hours_validate_many(actor=structure.user, entries=entries) == 2
    assert len(events(placement.participant, EventAction.HOURS_VALIDATED)) == 3


# Participants ---------------------------------------------------------------------------


def _identity(**fields: object) -> dict[str, object]:
    return {
        "first_name": "Zaïnaba",
        "last_name": "Attoumani",
        "birth_date": datetime.date(1999, 12, 1),
        "sex": "F",
        **fields,
    }


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        (
            timezone.localdate() + datetime.timedelta(days=1),
            "La date de naissance ne peut pas être dans le futur.",
        ),
        (
            # 15 years old on any day (replace(year=…) fails on 29 February).
            datetime.date(timezone.localdate().year - 15, 1, 1),
            "Un participant doit avoir au moins 16 ans",
        ),
    ],
)
def test_a_participant_is_born_and_at_least_16(structure, birth_date, message):
    before = fingerprint()
    with pytest.raises(ValidationError) as error:
        services.participant_create(
            actor=structure.user,
            facilitator=structure.organisation,
            **_identity(birth_date=birth_date),
        )
    assert message in error.value.message_dict["birth_date"][0]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("today", "birth"),
    [
        (datetime.date(2026, 11, 23), datetime.date(2010, 11, 23)),
        (datetime.date(2028, 2, 29), datetime.date(2012, 2, 29)),
    ],
)
def test_a_participant_turning_16_today_may_be_recorded(structure, today, birth):
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(12)), tick=False):
        participant = services.participant_create(
            actor=structure.user, facilitator=structure.organisation, **_identity(birth_date=birth)
        )
    assert participant.pk


def test_updating_a_participant_records_only_what_changed(structure):
    participant = services.participant_create(
        actor=structure.user, facilitator=structure.organisation, **_identity(city="Mamoudzou")
    )
    services.participant_update(
        actor=structure.user, participant=participant, city="Koungou", first_name="Zaïnaba"
    )
    (updated,) = events(participant, EventAction.PARTICIPANT_UPDATED)
    assert updated.before == {"city": "Mamoudzou"}
    assert updated.after == {"city": "Koungou"}
    before = fingerprint()
    with pytest.raises(ValidationError):
        services.participant_update(
            actor=structure.user,
            participant=Participant.objects.get(pk=participant.pk),
            birth_date=timezone.localdate(),
        )
    assert fingerprint() == before


def test_no_national_identity_number_is_stored():
    names = {field.name for field in Participant._meta.get_fields()}
    assert not {name for name in names if "nir" in name or "ssn" in name or "secu" in name}
