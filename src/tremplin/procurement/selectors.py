"""Scoped reads of contracts, lots and clauses, with their progress."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from tremplin.organisations.access import UserScope
from tremplin.procurement.models import Contract
from tremplin.procurement.progress import Progress, contract_progress

# Hours count towards a clause once the facilitator has validated them.
VALIDATED = "validated"
DECLARED = "declared"
ZERO_HOURS = Value(Decimal(0))


def contracts_visible_to(scope: UserScope) -> QuerySet[Contract]:
    """Facilitators see the contracts they follow; coordinators their network's; buyers and
    companies the contracts they are party to."""
    visible = (
        Q(facilitator_id__in=scope.facilitator_ids)
        | Q(facilitator__network_id__in=scope.coordinated_network_ids)
        | Q(buyer_id__in=scope.buyer_ids)
        | Q(awarded_company_id__in=scope.company_ids)
    )
    if scope.company_ids:
        through = Contract.co_contractors.through
        visible |= Q(
            Exists(
                through.objects.filter(
                    contract_id=OuterRef("pk"), organisation_id__in=scope.company_ids
                )
            )
        )
    if not scope.sees_contracts:
        return Contract.objects.none()
    return Contract.objects.filter(visible)


def with_hours(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate each contract with its validated and declared (awaiting review) hours."""
    entries = "placements__hours_entries"
    return contracts.annotate(
        validated_hours=Coalesce(
            Sum(f"{entries}__total_hours", filter=Q(**{f"{entries}__status": VALIDATED})),
            ZERO_HOURS,
        ),
        declared_hours=Coalesce(
            Sum(f"{entries}__total_hours", filter=Q(**{f"{entries}__status": DECLARED})),
            ZERO_HOURS,
        ),
    )


def contract_list(
    scope: UserScope,
    *,
    buyer_id: int | None = None,
    search: str = "",
    year: int | None = None,
) -> QuerySet[Contract]:
    contracts = contracts_visible_to(scope)
    if buyer_id:
        contracts = contracts.filter(buyer_id=buyer_id)
    if year:
        contracts = contracts.filter(execution_start__year__lte=year, execution_end__year__gte=year)
    if search:
        contracts = contracts.filter(
            Q(reference__icontains=search)
            | Q(title__icontains=search)
            | Q(buyer__name__icontains=search)
        )
    return with_hours(contracts).select_related("buyer", "awarded_company", "facilitator")


def contract_detail(scope: UserScope, pk: int) -> Contract:
    """The contract if visible (raises Contract.DoesNotExist otherwise)."""
    return (
        with_hours(contracts_visible_to(scope).filter(pk=pk))
        .select_related("buyer", "awarded_company", "facilitator__network", "operation")
        .prefetch_related("co_contractors", "subcontractors", "lots__clause", "clauses__lot")
        .get()
    )


def progress_of(contract: Contract, today: date) -> Progress:
    """Progress of an annotated contract (see ``with_hours``)."""
    return contract_progress(
        required=contract.hours_required,
        realised=getattr(contract, "validated_hours", Decimal(0)),
        start=contract.execution_start,
        end=contract.execution_end,
        today=today,
    )
