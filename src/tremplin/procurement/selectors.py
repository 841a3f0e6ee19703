"""Scoped reads of contracts, lots and clauses, with their progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Organisation
from tremplin.organisations.selectors import organisations_visible_to
from tremplin.procurement.enums import PROGRESS_STATUS_COLOURS, ProgressStatusChoice
from tremplin.procurement.models import Clause, Contract, Lot, Operation, ProcurementEvent
from tremplin.procurement.progress import (
    Progress,
    ProgressStatus,
    contract_hours_still_owed,
    contract_progress,
)

# Hours count towards a clause once the facilitator has validated them.
VALIDATED = "validated"
DECLARED = "declared"
ZERO_HOURS = Value(Decimal(0))
# The order of the contract list: latest execution first.
LIST_ORDER = ("-execution_start", "reference", "pk")
# The clause filter: a contract "with a clause" requires hours (the dashboards' definition).
CLAUSE_FILTERS = {"with": Q(hours_required__gt=0), "without": Q(hours_required=0)}
HOURS_FIELD = DecimalField(max_digits=16, decimal_places=2)
NO_HOURS = Value(Decimal(0), output_field=HOURS_FIELD)


# --- What remains to be done ---------------------------------------------------------
#
# « Restant à réaliser » is what each obligation still owes, never less than zero per
# obligation, added up: a surplus on one contract never hides a shortfall on another.
# A lot that carries its own clause is an obligation of its own (the rule is
# ``progress.contract_hours_still_owed``). It is computed in Python from the hours the
# queries already read, plus one query for the lot clauses: written as one SQL expression,
# each contract's validated hours were summed again in correlated subqueries, which made
# the contract list of a structure of 2,400 contracts 30 times as slow on PostgreSQL.


def _validated_of(relation: str, until: date | None) -> Q:
    condition = Q(**{f"{relation}__status": VALIDATED})
    if until is not None:
        condition &= Q(**{f"{relation}__month__lte": until})
    return condition


def lot_clause_hours(
    contracts: QuerySet[Contract] | Iterable[int], *, until: date | None = None
) -> dict[int, list[tuple[Decimal, Decimal]]]:
    """(hours required, hours validated on the lot) of each lot clause of ``contracts``
    (a queryset or ids), by contract, in one query; ``until`` keeps the hours of months up
    to that day. Few contracts have lot clauses: their lots' hours are summed here only."""
    if isinstance(contracts, QuerySet):
        wanted: Any = contracts.order_by().values("pk")
    else:
        wanted = list(contracts)
        if not wanted:
            return {}
    entries = "lot__placements__hours_entries"
    rows = (
        Clause.objects.filter(contract__in=wanted, lot__isnull=False)
        .order_by()
        .values("pk", "contract_id", "hours_required")
        .annotate(
            realised=Coalesce(
                Sum(f"{entries}__total_hours", filter=_validated_of(entries, until)),
                NO_HOURS,
                output_field=HOURS_FIELD,
            )
        )
    )
    found: dict[int, list[tuple[Decimal, Decimal]]] = {}
    for row in rows:
        found.setdefault(row["contract_id"], []).append(
            (Decimal(row["hours_required"]), Decimal(row["realised"]))
        )
    return found


def remaining_hours(contracts: QuerySet[Contract], *, until: date | None = None) -> Decimal:
    """« Restant à réaliser » of ``contracts`` together (two queries: each contract's
    validated hours, then the lot clauses)."""
    entries = "placements__hours_entries"
    rows = (
        contracts.order_by()
        .annotate(
            realised=Coalesce(
                Sum(f"{entries}__total_hours", filter=_validated_of(entries, until)),
                NO_HOURS,
                output_field=HOURS_FIELD,
            )
        )
        .values_list("pk", "hours_required", "realised")
    )
    lots = lot_clause_hours(contracts, until=until)
    return sum(
        (
            contract_hours_still_owed(required, realised, lots.get(pk, ()))
            for pk, required, realised in rows
        ),
        Decimal(0),
    )


def with_remaining(contracts: Iterable[Contract]) -> list[Contract]:
    """The contracts (annotated by ``with_hours``), each given ``remaining_hours``: what it
    still owes, lot clause by lot clause (one query for all of them)."""
    found = list(contracts)
    lots = lot_clause_hours([contract.pk for contract in found])
    for contract in found:
        contract.remaining_hours = contract_hours_still_owed(  # type: ignore[attr-defined]
            contract.hours_required,
            getattr(contract, "validated_hours", Decimal(0)),
            lots.get(contract.pk, ()),
        )
    return found


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
    """Annotate each contract with its validated and declared (awaiting review) hours
    (``with_remaining`` then adds what each still owes)."""
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


def _filtered(
    contracts: QuerySet[Contract],
    *,
    buyer_id: int | None = None,
    company_id: int | None = None,
    search: str = "",
    year: int | None = None,
    clause: str = "",
) -> QuerySet[Contract]:
    if clause in CLAUSE_FILTERS:
        contracts = contracts.filter(CLAUSE_FILTERS[clause])
    if buyer_id:
        contracts = contracts.filter(buyer_id=buyer_id)
    if company_id:
        contracts = contracts.filter(awarded_company_id=company_id)
    if year:
        contracts = contracts.filter(execution_start__year__lte=year, execution_end__year__gte=year)
    if search:
        contracts = contracts.filter(
            Q(reference__icontains=search)
            | Q(title__icontains=search)
            | Q(buyer__name__icontains=search)
        )
    return contracts


def contract_list(
    scope: UserScope,
    *,
    buyer_id: int | None = None,
    company_id: int | None = None,
    search: str = "",
    year: int | None = None,
    clause: str = "",
) -> QuerySet[Contract]:
    contracts = _filtered(
        contracts_visible_to(scope),
        buyer_id=buyer_id,
        company_id=company_id,
        search=search,
        year=year,
        clause=clause,
    )
    return (
        with_hours(contracts)
        .select_related("buyer", "awarded_company", "facilitator")
        .order_by(*LIST_ORDER)
    )


def contract_detail(scope: UserScope, pk: int) -> Contract:
    """The contract if visible (raises Contract.DoesNotExist otherwise), with its hours and
    what it still owes."""
    contract = (
        with_hours(contracts_visible_to(scope).filter(pk=pk))
        .select_related("buyer", "awarded_company", "facilitator__network", "operation")
        .prefetch_related("co_contractors", "subcontractors", "lots__clause", "clauses__lot")
        .get()
    )
    return with_remaining([contract])[0]


def progress_of(contract: Contract, today: date) -> Progress:
    """Progress of an annotated contract (see ``with_hours`` and ``with_remaining``; a
    contract not given its remaining hours reads its lot clauses in one query)."""
    if not hasattr(contract, "remaining_hours"):
        with_remaining([contract])
    return contract_progress(
        required=contract.hours_required,
        realised=getattr(contract, "validated_hours", Decimal(0)),
        start=contract.execution_start,
        end=contract.execution_end,
        today=today,
        remaining=contract.remaining_hours,  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class ContractRow:
    """A contract with its progress, ready for a table row."""

    contract: Contract
    progress: Progress

    @property
    def status_label(self) -> str:
        return str(ProgressStatusChoice(self.progress.status).label)

    @property
    def status_colour(self) -> str:
        return PROGRESS_STATUS_COLOURS[self.progress.status]

    @property
    def bar_percent(self) -> int:
        """Width of the progress bar: realised over required, capped at 100."""
        return int(min(Decimal(100), self.progress.ratio * 100))

    @property
    def realised_percent(self) -> int:
        """Realised over required, uncapped and rounded down (never overstated)."""
        return int(self.progress.ratio * 100)

    @property
    def expected_hours(self) -> int:
        """Hours expected by today, to the nearest hour (halves up)."""
        return int(self.progress.expected.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def expected_percent(self) -> int:
        return int(self.progress.expected_ratio * 100)


def contract_rows(contracts: Iterable[Contract], today: date) -> list[ContractRow]:
    """Rows of annotated contracts (see ``with_hours``), each with its progress (one more
    query for their lot clauses)."""
    return [
        ContractRow(contract, progress_of(contract, today))
        for contract in with_remaining(contracts)
    ]


@dataclass(frozen=True)
class ContractTotals:
    count: int
    hours_required: int
    validated_hours: Decimal
    remaining_hours: Decimal = Decimal(0)  # what each contract still owes, added up


def contract_totals(
    scope: UserScope,
    *,
    buyer_id: int | None = None,
    company_id: int | None = None,
    search: str = "",
    year: int | None = None,
    clause: str = "",
) -> ContractTotals:
    """Totals of the contracts that ``contract_list`` gives with the same filters."""
    contracts = _filtered(
        contracts_visible_to(scope),
        buyer_id=buyer_id,
        company_id=company_id,
        search=search,
        year=year,
        clause=clause,
    )
    sums = contracts.aggregate(count=Count("pk"), hours=Sum("hours_required"))
    entries = "placements__hours_entries"
    validated = contracts.aggregate(
        hours=Sum(f"{entries}__total_hours", filter=Q(**{f"{entries}__status": VALIDATED}))
    )
    return ContractTotals(
        count=sums["count"] or 0,
        hours_required=sums["hours"] or 0,
        validated_hours=validated["hours"] or Decimal(0),
        remaining_hours=remaining_hours(contracts),
    )


@dataclass(frozen=True)
class ContractListing:
    """One page of the contract list, its rows and the totals of every matching contract."""

    page: Page
    rows: list[ContractRow]
    totals: ContractTotals


@dataclass(frozen=True)
class _StatusRow:
    pk: int
    hours_required: int
    validated_hours: Decimal
    remaining_hours: Decimal


def _contracts_of_status(
    scope: UserScope, status: ProgressStatus, *, today: date, **filters: Any
) -> list[_StatusRow]:
    """The filtered contracts whose progress at ``today`` has ``status``, in list order.

    The status depends on today's date and on validated hours through the rules of
    ``procurement.progress``: one query reads every filtered contract with its validated
    hours, and the rules run on those rows (a structure has a few thousand contracts).
    """
    contracts = _filtered(contracts_visible_to(scope), **filters)
    rows = (
        with_hours(contracts)
        .order_by(*LIST_ORDER)
        .values_list("pk", "hours_required", "execution_start", "execution_end", "validated_hours")
    )
    lots = lot_clause_hours(contracts)
    return [
        _StatusRow(
            pk=pk,
            hours_required=required,
            validated_hours=Decimal(validated),
            remaining_hours=contract_hours_still_owed(required, validated, lots.get(pk, ())),
        )
        for pk, required, start, end, validated in rows
        if contract_progress(
            required=required, realised=validated, start=start, end=end, today=today
        ).status
        == status
    ]


def contract_listing(
    scope: UserScope,
    *,
    today: date,
    page_number: str | int | None,
    page_size: int,
    status: str = "",
    **filters: Any,
) -> ContractListing:
    """The page ``page_number`` of the contract list with the filters of ``contract_list``,
    narrowed to one progress ``status`` if given; the totals follow every filter.

    A constant number of queries whatever the number of contracts: without a status, a
    count, the page and two totals; with one, the status pass and the page.
    """
    if not status:
        page = Paginator(contract_list(scope, **filters), page_size).get_page(page_number)
        return ContractListing(
            page=page,
            rows=contract_rows(page.object_list, today),
            totals=contract_totals(scope, **filters),
        )
    matching = _contracts_of_status(scope, ProgressStatus(status), today=today, **filters)
    page = Paginator([row.pk for row in matching], page_size).get_page(page_number)
    wanted = list(page.object_list)
    contracts = {}
    if wanted:
        contracts = {
            contract.pk: contract
            for contract in contract_list(scope, **filters).filter(pk__in=wanted)
        }
    return ContractListing(
        page=page,
        rows=contract_rows((contracts[pk] for pk in wanted if pk in contracts), today),
        totals=ContractTotals(
            count=len(matching),
            hours_required=sum(row.hours_required for row in matching),
            validated_hours=sum((row.validated_hours for row in matching), Decimal(0)),
            remaining_hours=sum((row.remaining_hours for row in matching), Decimal(0)),
        ),
    )


def contract_years(scope: UserScope) -> list[int]:
    """The years some visible contract is executed in, latest first (for a year filter)."""
    bounds = contracts_visible_to(scope).aggregate(
        first=Min("execution_start"), last=Max("execution_end")
    )
    if bounds["first"] is None or bounds["last"] is None:
        return []
    return list(range(bounds["last"].year, bounds["first"].year - 1, -1))


def buyers_of_visible_contracts(scope: UserScope) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=contracts_visible_to(scope).values("buyer_id")
    ).order_by("name")


def contract_editable_by(scope: UserScope, pk: int) -> Contract:
    """The contract if one of the user's facilitator structures follows it (else DoesNotExist)."""
    return (
        Contract.objects.filter(facilitator_id__in=scope.facilitator_ids)
        .select_related("facilitator__network", "buyer", "awarded_company", "operation")
        .prefetch_related("co_contractors", "subcontractors")
        .get(pk=pk)
    )


def contract_clause(contract: Contract) -> Clause | None:
    """The clause on the whole contract (not on one of its lots), if any."""
    return Clause.objects.filter(contract=contract, lot__isnull=True).first()


def hours_required_by_lots(contract: Contract) -> int:
    """The hours the clauses of the contract's lots require, together."""
    total = Clause.objects.filter(contract=contract, lot__isnull=False).aggregate(
        total=Sum("hours_required")
    )["total"]
    return int(total or 0)


def clauses_of(contract: Contract) -> list[Clause]:
    """The contract's clauses, the one on the whole contract first, then by lot number."""
    clauses = list(contract.clauses.all())
    return sorted(clauses, key=lambda clause: (clause.lot_id is not None, _lot_number(clause)))


def _lot_number(clause: Clause) -> int:
    return clause.lot.number if clause.lot_id and clause.lot else 0


def lots_of(contract: Contract) -> list[Lot]:
    return sorted(contract.lots.all(), key=lambda lot: lot.number)


def next_lot_number(contract: Contract) -> int:
    return (contract.lots.aggregate(last=Max("number"))["last"] or 0) + 1


def history_of_contract(contract: Contract) -> QuerySet[ProcurementEvent]:
    return (
        ProcurementEvent.objects.filter(contract=contract)
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


def operations_visible_to(scope: UserScope) -> QuerySet[Operation]:
    return (
        Operation.objects.filter(buyer__in=organisations_visible_to(scope))
        .select_related("buyer")
        .order_by("buyer__name", "name")
    )


def with_contract_totals(
    organisations: QuerySet[Organisation], scope: UserScope
) -> QuerySet[Organisation]:
    """Annotate organisations with the number of visible contracts they buy or hold, and the
    hours those contracts require (``contract_count``, ``contract_hours``)."""
    visible = contracts_visible_to(scope).order_by()

    def total(role: str, aggregate: Count | Sum) -> Coalesce:
        rows = (
            visible.filter(**{role: OuterRef("pk")})
            .values(role)
            .annotate(total=aggregate)
            .values("total")
        )
        return Coalesce(Subquery(rows), 0)

    return organisations.annotate(
        contract_count=total("buyer_id", Count("pk")) + total("awarded_company_id", Count("pk")),
        contract_hours=total("buyer_id", Sum("hours_required"))
        + total("awarded_company_id", Sum("hours_required")),
    )


def contract_export_rows(
    scope: UserScope, *, today: date, status: str = "", **filters: Any
) -> list[ContractRow]:
    """Every contract of the list with its filters (no page), for an export; one query."""
    rows = contract_rows(contract_list(scope, **filters), today)
    if status:
        rows = [row for row in rows if row.progress.status == ProgressStatus(status)]
    return rows
