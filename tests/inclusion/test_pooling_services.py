"""Pooled hours, the rules: who may pool what, splits written per contract that add up,
the monthly ceiling on the pooled total, a new rule splitting every month again."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import (
    CompanyFactory,
    HoursEntryFactory,
    ParticipantFactory,
    PlacementFactory,
    any_job,
    member_of,
)
from tests.inclusion.conftest import months_ago, open_contract
from tremplin.core.hours import max_hours_in_month
from tremplin.inclusion import pool_services, services
from tremplin.inclusion.enums import EventAction, HoursStatus, SharingRule
from tremplin.inclusion.models import (
    HoursEntry,
    HoursPool,
    InclusionEvent,
    Participant,
    PooledMonth,
)
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract
from tremplin.procurement.selectors import with_hours


@dataclass
class Pooled:
    pool: HoursPool
    participant: Participant
    company: Organisation
    mairie: Contract
    bailleur: Contract


def create_pool(structure, company, contracts, participant, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("rule", SharingRule.PRO_RATA_OBLIGATION)
    return pool_services.pool_create(
        actor=structure.user,
        facilitator=structure.organisation,
        participant=participant,
        employer=company,
        contracts=contracts,
        job=any_job(),
        execution_mode="direct_cdi",
        start_date=months_ago(6),
        end_date=timezone.localdate() + datetime.timedelta(days=180),
        **fields,
    )


@pytest.fixture
def pooled(structure, network) -> Pooled:  # type: ignore[no-untyped-def]
    """Lagon BTP owes 6 946 h to a town and 11 334 h to a social landlord; Fatima's job
    counts for both."""
    company = CompanyFactory(network=network, name="Lagon BTP")
    mairie = open_contract(structure.organisation, awarded_company=company, hours=6946)
    bailleur = open_contract(structure.organisation, awarded_company=company, hours=11334)
    participant = ParticipantFactory(
        facilitator=structure.organisation, first_name="Fatima", last_name="Madi"
    )
    pool = create_pool(structure, company, [mairie, bailleur], participant)
    return Pooled(pool, participant, company, mairie, bailleur)


def parts(pool: HoursPool, month: datetime.date) -> dict[str, Decimal]:
    return {
        entry.placement.contract.reference: entry.total_hours
        for entry in HoursEntry.objects.filter(placement__pool=pool, month=month).select_related(
            "placement__contract"
        )
    }


def events(participant: Participant, action: str) -> list[InclusionEvent]:
    return list(
        InclusionEvent.objects.filter(participant=participant, action=action).order_by("pk")
    )


# Creating a pool --------------------------------------------------------------------------


def test_a_pool_is_one_placement_per_contract_with_its_share(pooled):
    placements = {p.contract_id: p for p in pooled.pool.placements.all()}

    assert set(placements) == {pooled.mairie.pk, pooled.bailleur.pk}
    assert placements[pooled.mairie.pk].pool_share == Decimal("0.379978")
    assert placements[pooled.mairie.pk].pool_share_basis == Decimal(6946)
    assert placements[pooled.bailleur.pk].pool_share == Decimal("0.620022")
    assert all(p.employer == pooled.company for p in placements.values())
    (created,) = events(pooled.participant, EventAction.POOL_CREATED)
    assert created.after["shares"] == (
        f"{pooled.mairie.reference} : 38,0\u00a0% ; {pooled.bailleur.reference} : 62,0\u00a0%"
    )


def test_a_contract_of_another_structure_is_refused(structure, other_structure, pooled):
    theirs = open_contract(other_structure.organisation, awarded_company=pooled.company, hours=700)
    with pytest.raises(ValidationError) as raised:
        create_pool(structure, pooled.company, [pooled.mairie, theirs], pooled.participant)
    assert (
        f"Le marché {theirs.reference} n'est pas suivi par votre structure."
        in (raised.value.message_dict["contracts"])
    )


def test_a_contract_the_employer_does_not_hold_is_refused(structure, pooled):
    other = open_contract(structure.organisation, hours=700)
    with pytest.raises(ValidationError) as raised:
        create_pool(structure, pooled.company, [pooled.mairie, other], pooled.participant)
    assert (
        f"Lagon BTP n'est ni titulaire, ni cotraitant, ni sous-traitant du marché "
        f"{other.reference}" in raised.value.message_dict["contracts"][0]
    )


def test_a_subcontractor_may_pool_its_hours(structure, network, pooled):
    siae = CompanyFactory(network=network, name="Mayotte Insertion")
    pooled.mairie.subcontractors.add(siae)
    pooled.bailleur.co_contractors.add(siae)
    participant = ParticipantFactory(facilitator=structure.organisation)
    pool = create_pool(structure, siae, [pooled.mairie, pooled.bailleur], participant)
    assert pool.placements.count() == 2


def test_a_single_contract_or_dates_outside_a_contract_are_refused(structure, pooled):
    with pytest.raises(ValidationError, match="au moins deux marchés"):
        create_pool(structure, pooled.company, [pooled.mairie], pooled.participant)
    short = open_contract(
        structure.organisation,
        awarded_company=pooled.company,
        hours=700,
        execution_end=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="dans la période d'exécution de chaque marché"):
        create_pool(structure, pooled.company, [pooled.mairie, short], pooled.participant)


def test_manual_shares_that_do_not_make_one_hundred_are_refused(structure, pooled):
    participant = ParticipantFactory(facilitator=structure.organisation)
    with pytest.raises(ValidationError) as raised:
        create_pool(
            structure,
            pooled.company,
            [pooled.mairie, pooled.bailleur],
            participant,
            rule=SharingRule.MANUAL,
            manual_percents={pooled.mairie.pk: Decimal(30), pooled.bailleur.pk: Decimal(60)},
        )
    assert "totalisent 90 %" in raised.value.message_dict["shares"][0]
    assert not HoursPool.objects.filter(participant=participant).exists()


def test_pro_rata_of_hours_owed_leaves_out_what_is_done(structure, pooled):
    done = PlacementFactory(contract=pooled.bailleur, start_date=months_ago(12), end_date=None)
    HoursEntryFactory(placement=done, month=months_ago(10), hours_worked=Decimal(200))
    HoursEntryFactory(placement=done, month=months_ago(9), hours_worked=Decimal(134))
    participant = ParticipantFactory(facilitator=structure.organisation)
    pool = create_pool(
        structure,
        pooled.company,
        [pooled.mairie, pooled.bailleur],
        participant,
        rule=SharingRule.PRO_RATA_REMAINING,
    )
    bases = {p.contract_id: p.pool_share_basis for p in pool.placements.all()}
    assert bases == {pooled.mairie.pk: Decimal(6946), pooled.bailleur.pk: Decimal(11000)}


# Months ---------------------------------------------------------------------------------


def test_a_month_is_split_into_parts_that_sum_exactly(structure, pooled):
    month = months_ago(2)
    pooled_month = pool_services.pooled_month_record(
        actor=structure.user, pool=pooled.pool, month=month, hours_worked=Decimal("151.67")
    )

    assert pooled_month.total_hours == Decimal("151.67")
    assert parts(pooled.pool, month) == {
        pooled.mairie.reference: Decimal("57.63"),
        pooled.bailleur.reference: Decimal("94.04"),
    }
    assert set(
        HoursEntry.objects.filter(pooled_month=pooled_month).values_list("status", flat=True)
    ) == {HoursStatus.DECLARED}
    assert len(events(pooled.participant, EventAction.HOURS_DECLARED)) == 2

    pool_services.pooled_month_validate(actor=structure.user, pooled=pooled_month)
    assert set(
        HoursEntry.objects.filter(pooled_month=pooled_month).values_list("status", flat=True)
    ) == {HoursStatus.VALIDATED}


def test_training_hours_are_split_too(structure, pooled):
    month = months_ago(1)
    pool_services.pooled_month_record(
        actor=structure.user,
        pool=pooled.pool,
        month=month,
        hours_worked=Decimal(100),
        training_hours=Decimal("7.5"),
        validate=True,
    )
    entries = HoursEntry.objects.filter(placement__pool=pooled.pool, month=month)
    assert sum(e.training_hours for e in entries) == Decimal("7.5")
    assert sum(e.hours_worked for e in entries) == Decimal(100)
    assert {e.status for e in entries} == {HoursStatus.VALIDATED}


def test_the_monthly_ceiling_applies_to_the_pooled_total(structure, pooled):
    month = months_ago(2)
    ceiling = max_hours_in_month(month.year, month.month)
    # Each contract's part alone would fit; the person's month would not.
    with pytest.raises(ValidationError) as raised:
        pool_services.pooled_month_record(
            actor=structure.user, pool=pooled.pool, month=month, hours_worked=ceiling + 1
        )
    assert "48 h par semaine au plus" in raised.value.message_dict["hours_worked"][0]
    assert not PooledMonth.objects.exists()
    assert not HoursEntry.objects.filter(placement__pool=pooled.pool).exists()


def test_the_ceiling_counts_the_persons_other_placements(structure, pooled):
    month = months_ago(2)
    other = open_contract(structure.organisation, hours=500)
    elsewhere = PlacementFactory(
        contract=other, participant=pooled.participant, start_date=months_ago(6), end_date=None
    )
    HoursEntryFactory(placement=elsewhere, month=month, hours_worked=Decimal(100))
    with pytest.raises(ValidationError, match="dont 100 h sur d'autres mises en emploi"):
        pool_services.pooled_month_record(
            actor=structure.user, pool=pooled.pool, month=month, hours_worked=Decimal(150)
        )


def test_a_new_rule_splits_every_month_again_with_history(structure, pooled):
    month = months_ago(2)
    pooled_month = pool_services.pooled_month_record(
        actor=structure.user, pool=pooled.pool, month=month, hours_worked=Decimal(100)
    )
    pool_services.pooled_month_validate(actor=structure.user, pooled=pooled_month)
    assert parts(pooled.pool, month) == {
        pooled.mairie.reference: Decimal("38.00"),
        pooled.bailleur.reference: Decimal("62.00"),
    }

    pool_services.pool_change_rule(actor=structure.user, pool=pooled.pool, rule=SharingRule.EQUAL)

    assert parts(pooled.pool, month) == {
        pooled.mairie.reference: Decimal("50.00"),
        pooled.bailleur.reference: Decimal("50.00"),
    }
    changed = events(pooled.participant, EventAction.HOURS_CHANGED)
    assert sorted((e.before["hours_worked"], e.after["hours_worked"]) for e in changed) == [
        ("38.00", "50.00"),
        ("62.00", "50.00"),
    ]
    assert all(e.after["status"] == HoursStatus.VALIDATED for e in changed)
    (rule_changed,) = events(pooled.participant, EventAction.POOL_SHARES_CHANGED)
    assert rule_changed.before["rule"] == SharingRule.PRO_RATA_OBLIGATION
    assert rule_changed.after["rule"] == SharingRule.EQUAL


def test_removing_a_month_removes_its_parts(structure, pooled):
    month = months_ago(2)
    pooled_month = pool_services.pooled_month_record(
        actor=structure.user, pool=pooled.pool, month=month, hours_worked=Decimal(80)
    )
    pool_services.pooled_month_remove(actor=structure.user, pooled=pooled_month)
    assert not HoursEntry.objects.filter(placement__pool=pooled.pool).exists()
    assert len(events(pooled.participant, EventAction.HOURS_REMOVED)) == 2


def test_another_structure_cannot_write_a_pool(other_structure, pooled):
    with pytest.raises(ValidationError, match="Seule la structure de facilitation"):
        pool_services.pooled_month_record(
            actor=other_structure.user,
            pool=pooled.pool,
            month=months_ago(2),
            hours_worked=Decimal(10),
        )


# A pooled month is changed on its pool only -----------------------------------------------


def test_pooled_hours_cannot_be_changed_one_contract_at_a_time(structure, pooled):
    month = months_ago(2)
    pooled_month = pool_services.pooled_month_record(
        actor=structure.user, pool=pooled.pool, month=month, hours_worked=Decimal(100)
    )
    entry = HoursEntry.objects.filter(pooled_month=pooled_month).first()
    placement = entry.placement

    with pytest.raises(ValidationError, match="mutualisées entre plusieurs marchés"):
        services.hours_record(
            actor=structure.user, placement=placement, month=month, hours_worked=Decimal(10)
        )
    with pytest.raises(ValidationError, match="page de la mutualisation"):
        services.hours_validate(actor=structure.user, entry=entry)
    with pytest.raises(ValidationError, match="page de la mutualisation"):
        services.hours_reject(actor=structure.user, entry=entry, reason="Non signé")
    assert services.hours_validate_many(actor=structure.user, entries=[entry]) == 0
    assert set(
        HoursEntry.objects.filter(pooled_month=pooled_month).values_list("status", flat=True)
    ) == {HoursStatus.DECLARED}


def test_the_company_cannot_declare_hours_of_a_pooled_placement(pooled):
    placement = pooled.pool.placements.first()
    with pytest.raises(ValidationError, match="mutualisées entre plusieurs marchés"):
        services.hours_declare(
            actor=member_of(pooled.company),
            placement=placement,
            month=months_ago(1),
            hours_worked=Decimal(10),
        )


def test_figures_by_contract_see_each_part(structure, pooled):
    """Every figure sums hours entries by contract: each contract sees its own part."""
    pool_services.pooled_month_record(
        actor=structure.user,
        pool=pooled.pool,
        month=months_ago(2),
        hours_worked=Decimal("151.67"),
        validate=True,
    )
    hours = {
        c.pk: c.validated_hours
        for c in with_hours(Contract.objects.filter(pk__in=[pooled.mairie.pk, pooled.bailleur.pk]))
    }
    assert hours == {pooled.mairie.pk: Decimal("57.63"), pooled.bailleur.pk: Decimal("94.04")}
