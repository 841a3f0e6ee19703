"""Scoped reads of pooled hours: a structure sees the pools of the people it follows only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import HoursEntry, HoursPool, Participant, Placement, PooledMonth
from tremplin.inclusion.selectors import contracts_for_placements, participants_visible_to
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract

HOURS_FIELD = HoursEntry._meta.get_field("total_hours").output_field


def pools_visible_to(scope: UserScope) -> QuerySet[HoursPool]:
    return HoursPool.objects.filter(
        facilitator_id__in=scope.facilitator_ids,
        participant__facilitator_id__in=scope.facilitator_ids,
    )


def pool_list(scope: UserScope) -> QuerySet[HoursPool]:
    return (
        pools_visible_to(scope)
        .select_related("participant", "employer", "job")
        .annotate(
            contract_count=Count("placements", distinct=True),
            # A subquery: joined with the placements, the months would be counted twice.
            validated_hours=Coalesce(
                Subquery(
                    PooledMonth.objects.filter(pool=OuterRef("pk"), status=HoursStatus.VALIDATED)
                    .order_by()
                    .values("pool")
                    .annotate(total=Sum("total_hours"))
                    .values("total")[:1]
                ),
                Value(0),
                output_field=HOURS_FIELD,
            ),
        )
        .order_by("-start_date", "-id")
    )


def pool_detail(scope: UserScope, pk: int) -> HoursPool:
    """The pool if its participant is visible (raises HoursPool.DoesNotExist)."""
    return (
        pools_visible_to(scope)
        .select_related("participant", "employer", "job__rome", "facilitator", "created_by")
        .get(pk=pk)
    )


def pool_placements(pool: HoursPool) -> list[Placement]:
    """The pool's placements (one per contract) with each contract's validated and declared
    part of the pool's hours."""
    return list(
        Placement.objects.filter(pool=pool)
        .select_related("contract__buyer")
        .annotate(
            validated_hours=Coalesce(
                Sum(
                    "hours_entries__total_hours",
                    filter=Q(hours_entries__status=HoursStatus.VALIDATED),
                ),
                Value(0),
                output_field=HOURS_FIELD,
            ),
            declared_hours=Coalesce(
                Sum(
                    "hours_entries__total_hours",
                    filter=Q(hours_entries__status=HoursStatus.DECLARED),
                ),
                Value(0),
                output_field=HOURS_FIELD,
            ),
        )
        .order_by("contract__reference")
    )


@dataclass(frozen=True)
class MonthRow:
    """A pooled month and its parts, in the order of the pool's placements."""

    month: PooledMonth
    parts: list[Decimal | None]


def pool_months(pool: HoursPool, placements: list[Placement]) -> list[MonthRow]:
    months = (
        PooledMonth.objects.filter(pool=pool)
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=HoursEntry.objects.only(
                    "pk", "placement_id", "total_hours", "pooled_month_id"
                ),
            )
        )
        .select_related("declared_by", "reviewed_by")
        .order_by("month")
    )
    rows = []
    for pooled in months:
        by_placement = {entry.placement_id: entry.total_hours for entry in pooled.entries.all()}
        rows.append(MonthRow(pooled, [by_placement.get(p.pk) for p in placements]))
    return rows


def pooled_month_detail(scope: UserScope, pk: int) -> PooledMonth:
    return (
        PooledMonth.objects.filter(pool__in=pools_visible_to(scope))
        .select_related("pool__participant")
        .get(pk=pk)
    )


def pool_participants(scope: UserScope) -> QuerySet[Participant]:
    return participants_visible_to(scope).order_by("last_name", "first_name")


def pool_employers(scope: UserScope) -> QuerySet[Organisation]:
    """Companies and inclusion employers holding, co-holding or subcontracting a contract
    the user's structures follow: those whose hours can be pooled."""
    contracts = contracts_for_placements(scope).values("pk")
    return (
        Organisation.objects.filter(
            kind__in=[OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER]
        )
        .filter(
            Q(awarded_contracts__in=contracts)
            | Q(co_contracted_contracts__in=contracts)
            | Q(subcontracted_contracts__in=contracts)
        )
        .distinct()
        .order_by("name")
    )


def pool_contracts(scope: UserScope) -> QuerySet[Contract]:
    """The contracts a pool may share hours among: those the user's structures follow."""
    return contracts_for_placements(scope)


def contracts_of_employer(scope: UserScope, employer_id: int | None) -> QuerySet[Contract]:
    """The followed contracts ``employer_id`` holds, co-holds or subcontracts."""
    if employer_id is None:
        return Contract.objects.none()
    return (
        contracts_for_placements(scope)
        .filter(
            Q(awarded_company_id=employer_id)
            | Q(co_contractors=employer_id)
            | Q(subcontractors=employer_id)
        )
        .distinct()
        .order_by("execution_start", "reference")
    )


def pools_of_participant(scope: UserScope, participant: Participant) -> QuerySet[HoursPool]:
    return pools_visible_to(scope).filter(participant=participant).order_by("-start_date")
