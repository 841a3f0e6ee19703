"""Writes of pooled hours ("globalisation"): a person's job counting for several contracts.

A pool is one placement per contract, each with its share. Every month of the pool is
split at once into one month of hours per placement (``HoursEntry.pooled_month``), the
parts summing exactly to the month's total: the figures of each contract, each buyer,
each report sum those entries and stay right without knowing about pools.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from tremplin.core.history import history_value, snapshot
from tremplin.core.models import RomeJobTitle
from tremplin.inclusion import pooling, services
from tremplin.inclusion.enums import EventAction, HoursStatus, SharingRule
from tremplin.inclusion.models import (
    HoursEntry,
    HoursPool,
    InclusionEvent,
    Participant,
    Placement,
    PooledMonth,
)
from tremplin.organisations.access import is_member
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation, User
from tremplin.procurement.models import Contract

POOL_FIELDS = ("employer_id", "job_id", "execution_mode", "start_date", "end_date", "rule")
POOLED_MONTH_FIELDS = ("month", "hours_worked", "training_hours", "status")
FACILITATOR_ONLY = "Seule la structure de facilitation qui suit la personne mutualise ses heures."


def _record(
    *,
    actor: User | None,
    participant: Participant,
    action: str,
    instance: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    InclusionEvent.about(
        instance, actor=actor, participant=participant, action=action, before=before, after=after
    ).save()


def _check_facilitator(actor: User | None, facilitator_id: int) -> None:
    if actor is not None and not is_member(actor, facilitator_id):
        raise ValidationError(FACILITATOR_ONLY, code="not_facilitator")


def shares_description(placements: list[Placement]) -> str:
    """``2025-0001 : 38,0 % ; 2025-0002 : 62,0 %``: the shares, as the history keeps them."""
    return " ; ".join(
        f"{placement.contract.reference} : {pooling.percent_text(placement.pool_share or Decimal(0))}"
        for placement in sorted(placements, key=lambda p: p.contract.reference)
    )


# Shares ---------------------------------------------------------------------------------


def _validated_hours_outside(
    contracts: list[Contract], pool: HoursPool | None
) -> dict[int, Decimal]:
    """Validated hours of each contract, the pool's own parts left out."""
    entries = HoursEntry.objects.filter(
        placement__contract__in=contracts, status=HoursStatus.VALIDATED
    )
    if pool is not None:
        entries = entries.exclude(placement__pool=pool)
    rows = entries.values("placement__contract_id").annotate(total=Sum("total_hours")).order_by()
    return {row["placement__contract_id"]: row["total"] or Decimal(0) for row in rows}


def share_bases(
    rule: str,
    contracts: list[Contract],
    *,
    manual_percents: dict[int, Decimal] | None = None,
    pool: HoursPool | None = None,
) -> dict[int, Decimal]:
    """The number each contract's share is computed from, by contract id."""
    if rule == SharingRule.PRO_RATA_OBLIGATION:
        return {contract.pk: Decimal(contract.hours_required) for contract in contracts}
    if rule == SharingRule.PRO_RATA_REMAINING:
        done = _validated_hours_outside(contracts, pool)
        return {
            contract.pk: max(
                Decimal(contract.hours_required) - done.get(contract.pk, 0), Decimal(0)
            )
            for contract in contracts
        }
    if rule == SharingRule.MANUAL:
        percents = manual_percents or {}
        return {contract.pk: Decimal(percents.get(contract.pk) or 0) for contract in contracts}
    return {contract.pk: Decimal(1) for contract in contracts}


def compute_shares(
    rule: str,
    contracts: list[Contract],
    *,
    manual_percents: dict[int, Decimal] | None = None,
    pool: HoursPool | None = None,
) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """(bases, shares) by contract id; a rule that cannot apply raises ValidationError."""
    bases = share_bases(rule, contracts, manual_percents=manual_percents, pool=pool)
    try:
        return bases, pooling.shares(rule, bases)
    except ValueError as error:
        field = "shares" if rule == SharingRule.MANUAL else "rule"
        raise ValidationError({field: str(error)}) from error


# The pool --------------------------------------------------------------------------------


def _employer_of(contract: Contract, employer: Organisation) -> bool:
    return (
        contract.awarded_company_id == employer.pk
        or any(o.pk == employer.pk for o in contract.co_contractors.all())
        or any(o.pk == employer.pk for o in contract.subcontractors.all())
    )


def _check_pool(
    *,
    facilitator: Organisation,
    participant: Participant,
    employer: Organisation,
    contracts: list[Contract],
    start_date: date,
    end_date: date,
) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if facilitator.kind != OrganisationKind.FACILITATOR:
        add("facilitator", "Choisissez une structure de facilitation.")
    if participant.facilitator_id != facilitator.pk:
        add("participant", "Ce participant n'est pas suivi par votre structure.")
    if employer.kind not in (OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER):
        add("employer", "L'employeur doit être une entreprise ou un employeur inclusif.")
    if len(contracts) < 2:
        add("contracts", "Une mutualisation répartit les heures entre au moins deux marchés.")
    if end_date < start_date:
        add("end_date", "La fin précède le début.")
    for contract in contracts:
        if contract.facilitator_id != facilitator.pk:
            add("contracts", f"Le marché {contract.reference} n'est pas suivi par votre structure.")
            continue
        if not _employer_of(contract, employer):
            add(
                "contracts",
                f"{employer.name} n'est ni titulaire, ni cotraitant, ni sous-traitant du marché "
                f"{contract.reference} : ses heures ne peuvent pas y compter.",
            )
        if start_date < contract.execution_start or end_date > contract.execution_end:
            add(
                "start_date",
                f"La mutualisation doit tenir dans la période d'exécution de chaque marché : "
                f"le marché {contract.reference} s'exécute du "
                f"{contract.execution_start:%d/%m/%Y} au {contract.execution_end:%d/%m/%Y}.",
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pool_create(
    *,
    actor: User | None,
    facilitator: Organisation,
    participant: Participant,
    employer: Organisation,
    contracts: list[Contract],
    job: RomeJobTitle,
    execution_mode: str,
    start_date: date,
    end_date: date,
    rule: str = SharingRule.PRO_RATA_OBLIGATION,
    manual_percents: dict[int, Decimal] | None = None,
    notes: str = "",
) -> HoursPool:
    """Pool a person's job onto several contracts: one placement per contract, with its
    share of the hours by ``rule`` (``manual_percents`` by contract id for a manual rule)."""
    _check_facilitator(actor, facilitator.pk)
    contracts = sorted({c.pk: c for c in contracts}.values(), key=lambda c: c.reference)
    _check_pool(
        facilitator=facilitator,
        participant=participant,
        employer=employer,
        contracts=contracts,
        start_date=start_date,
        end_date=end_date,
    )
    bases, shares = compute_shares(rule, contracts, manual_percents=manual_percents)
    pool = HoursPool(
        facilitator=facilitator,
        participant=participant,
        employer=employer,
        job=job,
        execution_mode=execution_mode,
        start_date=start_date,
        end_date=end_date,
        rule=rule,
        notes=notes.strip(),
        created_by=actor,
    )
    pool.full_clean()
    pool.save()
    placements = []
    for contract in contracts:
        placement = services.placement_create(
            actor=actor,
            participant=participant,
            contract=contract,
            employer=employer,
            execution_mode=execution_mode,
            job=job,
            start_date=start_date,
            end_date=end_date,
        )
        placement.pool = pool
        placement.pool_share = shares[contract.pk]
        placement.pool_share_basis = bases[contract.pk]
        placement.save(update_fields=["pool", "pool_share", "pool_share_basis"])
        placements.append(placement)
    _record(
        actor=actor,
        participant=participant,
        action=EventAction.POOL_CREATED,
        instance=pool,
        before=None,
        after={**snapshot(pool, POOL_FIELDS), "shares": shares_description(placements)},
    )
    return pool


def _pool_placements(pool: HoursPool) -> list[Placement]:
    return list(
        Placement.objects.select_for_update(of=("self",))
        .filter(pool=pool)
        .select_related("contract")
        .order_by("contract__reference")
    )


@transaction.atomic
def pool_change_rule(
    *,
    actor: User | None,
    pool: HoursPool,
    rule: str,
    manual_percents: dict[int, Decimal] | None = None,
) -> HoursPool:
    """Share the hours by another rule (or other manual shares): every month already
    recorded is split again, each changed part written in the history. A validated month
    stays validated: its total does not change, only its split among the contracts."""
    pool = HoursPool.objects.select_for_update().select_related("participant").get(pk=pool.pk)
    _check_facilitator(actor, pool.facilitator_id)
    placements = _pool_placements(pool)
    contracts = [placement.contract for placement in placements]
    bases, shares = compute_shares(rule, contracts, manual_percents=manual_percents, pool=pool)
    before = {"rule": pool.rule, "shares": shares_description(placements)}
    for placement in placements:
        placement.pool_share = shares[placement.contract_id]
        placement.pool_share_basis = bases[placement.contract_id]
        placement.save(update_fields=["pool_share", "pool_share_basis"])
    pool.rule = rule
    pool.save(update_fields=["rule"])
    after = {"rule": pool.rule, "shares": shares_description(placements)}
    if before != after:
        _record(
            actor=actor,
            participant=pool.participant,
            action=EventAction.POOL_SHARES_CHANGED,
            instance=pool,
            before=before,
            after=after,
        )
    for pooled in PooledMonth.objects.select_for_update().filter(pool=pool).order_by("month"):
        _write_split(
            actor=actor, pooled=pooled, placements=placements, participant=pool.participant
        )
    return pool


# Months ---------------------------------------------------------------------------------


def _write_split(
    *,
    actor: User | None,
    pooled: PooledMonth,
    placements: list[Placement],
    participant: Participant,
) -> None:
    """Write each contract's part of a pooled month (created, or updated when it differs),
    with the month's status; the history keeps each part that changed."""
    shares = {placement.pk: placement.pool_share or Decimal(0) for placement in placements}
    worked = pooling.split(pooled.hours_worked, shares)
    training = pooling.split(pooled.training_hours, shares)
    existing = {
        entry.placement_id: entry
        for entry in HoursEntry.objects.select_for_update().filter(
            Q(pooled_month=pooled) | Q(placement__in=placements, month=pooled.month)
        )
    }
    validated = pooled.status == HoursStatus.VALIDATED
    for placement in placements:
        entry = existing.get(placement.pk)
        before = services.hours_snapshot(entry) if entry else None
        if entry is None:
            entry = HoursEntry(placement=placement, month=pooled.month)
        already_part = entry.pooled_month_id == pooled.pk
        entry.pooled_month = pooled
        entry.hours_worked = worked[placement.pk]
        entry.training_hours = training[placement.pk]
        entry.status = pooled.status
        entry.rejection_reason = ""
        entry.declared_by = pooled.declared_by
        entry.reviewed_by, entry.reviewed_at = pooled.reviewed_by, pooled.reviewed_at
        after = services.hours_snapshot(entry)
        if before is not None and already_part and _same_entry(before, after):
            continue
        entry.save()
        changed = before is None or not _same_hours(before, after)
        _record(
            actor=actor,
            participant=participant,
            action=services.hours_event_action(
                created=before is None, changed=changed, validate=validated
            ),
            instance=entry,
            before=before,
            after=services.hours_snapshot(entry),
        )


def _same_hours(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return all(
        Decimal(str(before[name])) == Decimal(str(after[name]))
        for name in ("hours_worked", "training_hours")
    )


def _same_entry(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return _same_hours(before, after) and before["status"] == after["status"]


def _check_month(pool: HoursPool, pooled: PooledMonth) -> None:
    errors: dict[str, str] = {}
    first, last = services.month_start(pool.start_date), services.month_start(pool.end_date)
    period = services.hours_period_error(
        pooled.month,
        first,
        last,
        services.network_today(pool.facilitator.network),
        span="la mutualisation",
    )
    if period:
        errors["month"] = period
    for name in ("hours_worked", "training_hours"):
        negative = services.negative_hours_error(getattr(pooled, name))
        if negative:
            errors[name] = negative
    if not errors:
        # The ceiling of a person's month counts the pooled total once, plus the rest.
        elsewhere = services.hours_elsewhere(
            pool.participant_id, pooled.month, HoursEntry.objects.exclude(placement__pool=pool)
        )
        total = pooled.hours_worked + pooled.training_hours + elsewhere
        ceiling = services.hours_ceiling_error(pooled.month, total, elsewhere)
        if ceiling:
            errors["hours_worked"] = ceiling
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pooled_month_record(
    *,
    actor: User | None,
    pool: HoursPool,
    month: date,
    hours_worked: Decimal,
    training_hours: Decimal = Decimal(0),
    validate: bool = False,
) -> PooledMonth:
    """Record (or correct) a month of the pooled job and split it among the contracts.

    A corrected month goes back to review unless validated here; the person's monthly
    ceiling applies to the month's total, not to each part. A validated month is not
    changed: it is reopened first (``pooled_month_reopen``); the same hours again change
    nothing.
    """
    pool = HoursPool.objects.select_for_update().select_related("participant").get(pk=pool.pk)
    _check_facilitator(actor, pool.facilitator_id)
    month = services.month_start(month)
    pooled = PooledMonth.objects.select_for_update().filter(pool=pool, month=month).first()
    before = snapshot(pooled, POOLED_MONTH_FIELDS) if pooled else None
    if pooled is None:
        pooled = PooledMonth(pool=pool, month=month, declared_by=actor)
    elif pooled.status == HoursStatus.VALIDATED:
        # Compared as numbers: 151,67 typed in the form is the 151.67 recorded.
        if pooled.hours_worked == Decimal(hours_worked) and pooled.training_hours == Decimal(
            training_hours or 0
        ):
            return pooled
        raise ValidationError(
            {
                "month": services.validated_month_error(
                    month=month,
                    name=str(pool.participant),
                    by_facilitator=True,
                    page="de la mutualisation",
                )
            },
            code="validated",
        )
    pooled.hours_worked = Decimal(hours_worked)
    pooled.training_hours = Decimal(training_hours or 0)
    _check_month(pool, pooled)
    changed = before is None or (
        before["hours_worked"] != history_value(pooled.hours_worked)
        or before["training_hours"] != history_value(pooled.training_hours)
    )
    now = timezone.now()
    if validate:
        pooled.status = HoursStatus.VALIDATED
        pooled.reviewed_by, pooled.reviewed_at = actor, now
    elif changed:
        pooled.status = HoursStatus.DECLARED
        pooled.declared_by = actor
        pooled.reviewed_by, pooled.reviewed_at = None, None
    pooled.full_clean(exclude=["pool"])
    pooled.save()
    after = snapshot(pooled, POOLED_MONTH_FIELDS)
    if before != after:
        _record(
            actor=actor,
            participant=pool.participant,
            action=EventAction.POOLED_MONTH_RECORDED,
            instance=pooled,
            before=before,
            after=after,
        )
        _write_split(
            actor=actor,
            pooled=pooled,
            placements=_pool_placements(pool),
            participant=pool.participant,
        )
    pooled.refresh_from_db(fields=["total_hours"])
    return pooled


@transaction.atomic
def pooled_month_validate(*, actor: User | None, pooled: PooledMonth) -> PooledMonth:
    """Validate a pooled month: all its parts, on every contract, at once."""
    pooled = (
        PooledMonth.objects.select_for_update()
        .select_related("pool__participant")
        .get(pk=pooled.pk)
    )
    pool = pooled.pool
    _check_facilitator(actor, pool.facilitator_id)
    if pooled.status == HoursStatus.VALIDATED:
        return pooled
    before = snapshot(pooled, POOLED_MONTH_FIELDS)
    pooled.status = HoursStatus.VALIDATED
    pooled.reviewed_by, pooled.reviewed_at = actor, timezone.now()
    pooled.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _record(
        actor=actor,
        participant=pool.participant,
        action=EventAction.POOLED_MONTH_VALIDATED,
        instance=pooled,
        before=before,
        after=snapshot(pooled, POOLED_MONTH_FIELDS),
    )
    _write_split(
        actor=actor, pooled=pooled, placements=_pool_placements(pool), participant=pool.participant
    )
    return pooled


@transaction.atomic
def pooled_month_reopen(*, actor: User | None, pooled: PooledMonth, reason: str) -> PooledMonth:
    """The facilitator structure that follows the person reopens a validated pooled month
    to correct it: the month and its part on every contract go back to review together.
    The pooled month's one event keeps who reopened it, when and why; its parts change no
    hour, so they get none of their own."""
    if not reason.strip():
        raise ValidationError({"reason": services.REOPEN_REASON_REQUIRED})
    pooled = (
        PooledMonth.objects.select_for_update()
        .select_related("pool__participant")
        .get(pk=pooled.pk)
    )
    participant = pooled.pool.participant
    if actor is not None and not is_member(actor, participant.facilitator_id):
        raise ValidationError(services.REOPENER_ONLY, code="not_reviewer")
    if pooled.status != HoursStatus.VALIDATED:
        raise ValidationError(services.not_validated_error(pooled.month), code="not_validated")
    before = snapshot(pooled, POOLED_MONTH_FIELDS)
    pooled.status = HoursStatus.DECLARED
    pooled.reviewed_by, pooled.reviewed_at = None, None
    pooled.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    HoursEntry.objects.filter(pooled_month=pooled).update(
        status=HoursStatus.DECLARED, rejection_reason="", reviewed_by=None, reviewed_at=None
    )
    _record(
        actor=actor,
        participant=participant,
        action=EventAction.POOLED_MONTH_REOPENED,
        instance=pooled,
        before=before,
        after={**snapshot(pooled, POOLED_MONTH_FIELDS), "reason": reason.strip()},
    )
    return pooled


@transaction.atomic
def pooled_month_remove(*, actor: User | None, pooled: PooledMonth) -> None:
    """Remove a pooled month and its parts on every contract (a validated month is
    reopened first)."""
    pooled = (
        PooledMonth.objects.select_for_update()
        .select_related("pool__participant")
        .get(pk=pooled.pk)
    )
    pool = pooled.pool
    _check_facilitator(actor, pool.facilitator_id)
    if pooled.status == HoursStatus.VALIDATED:
        raise ValidationError(services.validated_month_removal_error(pooled.month))
    for entry in HoursEntry.objects.select_for_update().filter(pooled_month=pooled):
        _record(
            actor=actor,
            participant=pool.participant,
            action=EventAction.HOURS_REMOVED,
            instance=entry,
            before=services.hours_snapshot(entry),
            after=None,
        )
        entry.delete()
    _record(
        actor=actor,
        participant=pool.participant,
        action=EventAction.POOLED_MONTH_REMOVED,
        instance=pooled,
        before=snapshot(pooled, POOLED_MONTH_FIELDS),
        after=None,
    )
    pooled.delete()
