"""Reads behind the PDF reports: the one-page contract sheet and the buyer impact report.

Everything is scoped: the contract sheet is for whoever may see the contract page, with
participants' names only for the facilitator structure that follows them; the impact
report covers only the contracts the user may report on. Figures are SQL aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tremplin.inclusion.enums import (
    OUTCOME_CATEGORIES,
    ExecutionMode,
    HoursStatus,
    OutcomeCategory,
    OutcomeMoment,
)
from tremplin.inclusion.models import HoursEntry, Outcome, Placement
from tremplin.inclusion.selectors import placements_of_contract
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement import selectors as procurement_selectors
from tremplin.procurement.explain import Explanation, explain
from tremplin.procurement.models import Clause, Contract, Lot
from tremplin.procurement.obligation import Obligation

HOURS_OUTPUT = HoursEntry._meta.get_field("total_hours").output_field  # type: ignore[attr-defined]


# --- Contract sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class ModeRow:
    """Placements of a contract under one execution mode (counts, never names)."""

    mode: str
    label: str
    placements: int
    participants: int
    hours_validated: Decimal


@dataclass(frozen=True)
class OutcomeRow:
    category: str
    label: str
    at_exit: int
    at_six_months: int


@dataclass(frozen=True)
class ContractSheet:
    contract: Contract
    row: procurement_selectors.ContractRow
    clauses: list[tuple[Clause, Explanation]]
    lots: list[Lot]
    modes: list[ModeRow]
    outcomes: list[OutcomeRow]
    # Participants' names: only for the facilitator structure that follows the contract.
    placements: list[Placement] | None
    network: Network

    @property
    def placement_count(self) -> int:
        return sum(row.placements for row in self.modes)

    @property
    def participant_count(self) -> int:
        return sum(row.participants for row in self.modes)

    @property
    def outcome_totals(self) -> tuple[int, int]:
        return (
            sum(row.at_exit for row in self.outcomes),
            sum(row.at_six_months for row in self.outcomes),
        )


def _explained(clause: Clause) -> Explanation:
    return explain(
        Obligation(
            inputs=clause.obligation_inputs(),
            exact_hours=clause.exact_hours,
            hours=clause.hours_required,
        )
    )


def placements_by_mode(contract: Contract) -> list[ModeRow]:
    """Placements, distinct participants and validated hours of each mode (one query)."""
    rows = (
        Placement.objects.filter(contract=contract)
        .order_by()
        .values("execution_mode")
        .annotate(
            placement_count=Count("pk", distinct=True),
            participant_count=Count("participant", distinct=True),
            validated=Coalesce(
                Sum(
                    "hours_entries__total_hours",
                    filter=Q(hours_entries__status=HoursStatus.VALIDATED),
                ),
                Value(Decimal(0)),
                output_field=HOURS_OUTPUT,
            ),
        )
    )
    by_mode = {row["execution_mode"]: row for row in rows}
    # In the order of the modes' list, as the placement form shows them.
    return [
        ModeRow(
            mode=mode.value,
            label=str(mode.label),
            placements=by_mode[mode]["placement_count"],
            participants=by_mode[mode]["participant_count"],
            hours_validated=Decimal(by_mode[mode]["validated"]),
        )
        for mode in ExecutionMode
        if mode in by_mode
    ]


def _category_of_situation() -> Case:
    return Case(
        *(
            When(situation=situation, then=Value(str(category)))
            for situation, category in OUTCOME_CATEGORIES.items()
        ),
        default=Value(str(OutcomeCategory.OTHER)),
        output_field=CharField(),
    )


def outcomes_by_category(contract: Contract) -> list[OutcomeRow]:
    """Situations at exit and at six months of the people placed on the contract (one query).

    Each person counts once per moment and category, whatever the number of their exits.
    """
    placed = Placement.objects.filter(contract=contract).values("participant_id")
    counts = (
        Outcome.objects.filter(participant_id__in=placed)
        .annotate(category=_category_of_situation())
        .order_by()
        .values("moment", "category")
        .annotate(people=Count("participant", distinct=True))
    )
    tally = {(row["moment"], row["category"]): row["people"] for row in counts}
    return [
        OutcomeRow(
            category=category.value,
            label=str(category.label),
            at_exit=tally.get((OutcomeMoment.EXIT.value, category.value), 0),
            at_six_months=tally.get((OutcomeMoment.SIX_MONTHS.value, category.value), 0),
        )
        for category in OutcomeCategory
    ]


def contract_sheet(scope: UserScope, pk: int, *, today: date) -> ContractSheet:
    """Everything the one-page sheet of a contract shows, if the user may see the contract.

    Raises ``Contract.DoesNotExist`` otherwise (same scoping as the contract page).
    """
    contract = procurement_selectors.contract_detail(scope, pk)
    follows = contract.facilitator_id in scope.facilitator_ids
    return ContractSheet(
        contract=contract,
        row=procurement_selectors.ContractRow(
            contract, procurement_selectors.progress_of(contract, today)
        ),
        clauses=[
            (clause, _explained(clause)) for clause in procurement_selectors.clauses_of(contract)
        ],
        lots=list(procurement_selectors.lots_of(contract)),
        modes=placements_by_mode(contract),
        outcomes=outcomes_by_category(contract),
        placements=(
            list(placements_of_contract(scope, contract.pk).order_by("start_date", "pk"))
            if follows
            else None
        ),
        network=contract.facilitator.network,
    )


# --- Buyer impact report -------------------------------------------------------------


def reportable_contracts(scope: UserScope) -> QuerySet[Contract]:
    """The contracts a user may report on: their structures' (facilitator), their
    network's (coordinator), their own (buyer). Companies have no impact report."""
    return Contract.objects.filter(
        Q(facilitator_id__in=scope.facilitator_ids)
        | Q(facilitator__network_id__in=scope.coordinated_network_ids)
        | Q(buyer_id__in=scope.buyer_ids)
    )


def report_buyers(contracts: QuerySet[Contract]) -> list[Organisation]:
    """The buyers of those contracts, by name: the choices of the report form (one query)."""
    return list(
        Organisation.objects.filter(pk__in=contracts.values("buyer_id"))
        .select_related("network")
        .order_by("name", "pk")
    )


def report_years(contracts: QuerySet[Contract]) -> list[int]:
    """The years with validated hours on those contracts, latest first (one query)."""
    months = HoursEntry.objects.filter(
        status=HoursStatus.VALIDATED, placement__contract__in=contracts.values("pk")
    ).dates("month", "year", order="DESC")
    return [month.year for month in months]


def report_networks(contracts: QuerySet[Contract]) -> list[Network]:
    """The networks of the structures that follow those contracts (one query)."""
    return list(
        Network.objects.filter(pk__in=contracts.values("facilitator__network_id")).order_by("name")
    )


@dataclass(frozen=True)
class ReportContractRow:
    """A contract of the report with the hours validated in the report's period."""

    reference: str
    title: str
    buyer_name: str
    company_name: str
    execution_start: date
    execution_end: date
    hours_required: int
    hours_validated: Decimal


def report_contract_rows(
    contracts: QuerySet[Contract], *, start: date | None, end: date | None
) -> list[ReportContractRow]:
    """Contracts with a clause running in the period, with their validated hours (one query).

    Hours count by month, as in the indicators: a month counts when its first day is in
    [start's month, end].
    """
    entries = HoursEntry.objects.filter(
        status=HoursStatus.VALIDATED, placement__contract=OuterRef("pk")
    )
    running = contracts.filter(hours_required__gt=0)
    if start:
        entries = entries.filter(month__gte=start.replace(day=1))
        running = running.filter(execution_end__gte=start)
    if end:
        entries = entries.filter(month__lte=end)
        running = running.filter(execution_start__lte=end)
    validated = Subquery(
        entries.order_by()
        .values("placement__contract")
        .annotate(total=Sum("total_hours"))
        .values("total")[:1]
    )
    rows = (
        running.annotate(
            validated=Coalesce(validated, Value(Decimal(0)), output_field=HOURS_OUTPUT)
        )
        .order_by("buyer__name", "reference", "pk")
        .values_list(
            "reference",
            "title",
            "buyer__name",
            "awarded_company__name",
            "execution_start",
            "execution_end",
            "hours_required",
            "validated",
        )
    )
    return [
        ReportContractRow(
            reference=reference,
            title=title,
            buyer_name=buyer_name,
            company_name=company_name or "",
            execution_start=execution_start,
            execution_end=execution_end,
            hours_required=required,
            hours_validated=Decimal(validated),
        )
        for reference, title, buyer_name, company_name, execution_start, execution_end, required, validated in rows
    ]
