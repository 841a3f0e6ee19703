"""Figures of the dashboards, computed in the database and scoped to the user.

Every function takes the user's ``UserScope`` and answers in a constant, small number of
queries. The hours are read once: one query gives each contract in scope its validated
and its declared hours (two correlated subqueries, each reading only its status's hours
entries from the index by placement and status, never a join that would count an hour
twice); the totals, the rows per buyer and the contract statuses are then added up from
those per-contract rows (a few thousand at most), with the pure ``procurement.progress``
rules for the statuses.

Realised hours are the *validated* hours entries of placements on the contracts in scope;
declared hours awaiting review and rejected hours never count as realised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from tremplin.core.fte import (
    LEGAL_ANNUAL_HOURS,
    exact_full_time_equivalents,
    rounded_full_time_equivalents,
    whole_full_time_equivalents,
)
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import HoursEntry, Participant
from tremplin.inclusion.selectors import HoursTotals, hours_awaiting_review
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Membership, Network, Organisation
from tremplin.procurement.enums import PROGRESS_STATUS_COLOURS, ProgressStatusChoice
from tremplin.procurement.models import Contract
from tremplin.procurement.progress import (
    ProgressStatus,
    contract_hours_still_owed,
    contract_progress,
)
from tremplin.procurement.selectors import lot_clause_hours

HOURS_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal(0)
# The columns of a contract that its dashboard row needs.
ROW_FIELDS = (
    "reference",
    "title",
    "buyer_id",
    "awarded_company_id",
    "hours_required",
    "execution_start",
    "execution_end",
)
# How many late contracts the dashboard lists before pointing to the full list.
LATE_CONTRACTS_SHOWN = 10
# How many buyers (facilitator's home) and contracts (buyer's and company's homes) a home
# page lists before pointing to the full list: rendering every row of a national-scale
# structure or buyer cost several times its figures.
BUYERS_SHOWN = 15
CONTRACTS_SHOWN = 20


# --- Figures -------------------------------------------------------------------------


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole if whole > 0 else None


def _bar_percent(part: Decimal, whole: Decimal) -> int:
    """Width of a progress bar, 0 to 100 (a plain integer: safe in a style attribute)."""
    if whole <= 0:
        return 0
    return int(min(Decimal(100), part * 100 / whole))


@dataclass(frozen=True)
class HoursFigures:
    """Hours required and realised over a set of contracts, with their FTE."""

    hours_per_fte: int
    hours_required: Decimal = ZERO
    hours_validated: Decimal = ZERO
    # What each contract still owes, added up (``procurement.selectors.remaining_hours``):
    # never required minus validated, where a surplus would hide a shortfall.
    hours_remaining: Decimal = ZERO

    @property
    def whole_fte(self) -> int:
        return whole_full_time_equivalents(self.hours_validated, self.hours_per_fte)

    @property
    def exact_fte(self) -> Decimal:
        """FTE to the hundredth, rounded to the nearest (258,000 h at 1,820 h: 141.76)."""
        return exact_full_time_equivalents(self.hours_validated, self.hours_per_fte)

    @property
    def fte(self) -> Decimal:
        """FTE to the tenth, rounded down: the figure of a table row."""
        return rounded_full_time_equivalents(self.hours_validated, self.hours_per_fte)

    @property
    def share_realised(self) -> Decimal | None:
        return _share(self.hours_validated, self.hours_required)

    @property
    def bar_percent(self) -> int:
        return _bar_percent(self.hours_validated, self.hours_required)


@dataclass(frozen=True)
class FacilitatorFigures(HoursFigures):
    hours_declared: Decimal = ZERO
    entries_declared: int = 0  # months of hours awaiting review (the "À traiter" panel's)
    contracts: int = 0
    contracts_with_clause: int = 0
    participants: int = 0
    buyers: int = 0


@dataclass(frozen=True)
class BuyerRow(HoursFigures):
    buyer_id: int = 0
    name: str = ""
    contracts_with_clause: int = 0


@dataclass(frozen=True)
class ContractRow:
    """A contract with its realised hours and progress status (no personal data)."""

    pk: int
    reference: str
    title: str
    buyer_name: str
    company_name: str
    hours_required: Decimal
    hours_validated: Decimal
    hours_declared: Decimal
    hours_expected: Decimal
    status: ProgressStatus
    execution_end: date
    hours_remaining: Decimal = ZERO  # what its clauses still owe, each at least zero

    @property
    def status_label(self) -> str:
        return str(ProgressStatusChoice(self.status).label)

    @property
    def status_colour(self) -> str:
        return PROGRESS_STATUS_COLOURS[self.status]

    @property
    def share_realised(self) -> Decimal | None:
        return _share(self.hours_validated, self.hours_required)

    @property
    def bar_percent(self) -> int:
        return _bar_percent(self.hours_validated, self.hours_required)

    @property
    def expected_percent(self) -> int:
        return _bar_percent(self.hours_expected, self.hours_required)


@dataclass(frozen=True)
class StatusCount:
    status: ProgressStatus
    label: str
    colour: str
    count: int


@dataclass(frozen=True)
class StatusSummary:
    counts: list[StatusCount]
    late: list[ContractRow]

    @property
    def late_count(self) -> int:
        return len(self.late)

    @property
    def late_shown(self) -> list[ContractRow]:
        return self.late[:LATE_CONTRACTS_SHOWN]

    @property
    def late_hidden(self) -> int:
        return max(0, len(self.late) - LATE_CONTRACTS_SHOWN)


@dataclass(frozen=True)
class FacilitatorDashboard:
    structures: list[Organisation]
    network: Network | None
    figures: FacilitatorFigures
    buyers: list[BuyerRow]
    statuses: StatusSummary

    @property
    def structure_names(self) -> str:
        return ", ".join(structure.name for structure in self.structures)

    @property
    def review(self) -> HoursTotals:
        """The review queue (months of hours declared, their hours), for the alerts."""
        return HoursTotals(count=self.figures.entries_declared, hours=self.figures.hours_declared)

    @property
    def buyers_shown(self) -> list[BuyerRow]:
        """The buyers with the most hours required."""
        return self.buyers[:BUYERS_SHOWN]

    @property
    def other_buyers(self) -> BuyerRow | None:
        """The buyers not shown, added up in one row (None when all are shown)."""
        others = self.buyers[BUYERS_SHOWN:]
        if not others:
            return None
        return BuyerRow(
            hours_per_fte=self.figures.hours_per_fte,
            hours_required=sum((row.hours_required for row in others), ZERO),
            hours_validated=sum((row.hours_validated for row in others), ZERO),
            hours_remaining=sum((row.hours_remaining for row in others), ZERO),
            buyer_id=0,
            name=f"{len(others)} autres acheteurs",
            contracts_with_clause=sum(row.contracts_with_clause for row in others),
        )


@dataclass(frozen=True)
class ContractsDashboard:
    """A buyer's or a company's contracts: their totals and one row each."""

    organisations: list[Organisation]
    figures: HoursFigures
    contracts: list[ContractRow]
    hours_declared: Decimal = ZERO

    @property
    def organisation_names(self) -> str:
        return ", ".join(organisation.name for organisation in self.organisations)

    @property
    def status_counts(self) -> list[StatusCount]:
        return _count_statuses(row.status for row in self.contracts)

    @cached_property
    def contracts_shown(self) -> list[ContractRow]:
        """What the home page lists: the late contracts first (the largest shortfall
        first), then the others by end of execution."""
        late = sorted(
            (row for row in self.contracts if row.status == ProgressStatus.LATE),
            key=lambda row: row.hours_validated - row.hours_expected,
        )
        others = (row for row in self.contracts if row.status != ProgressStatus.LATE)
        return [*late, *others][:CONTRACTS_SHOWN]

    @property
    def contracts_hidden(self) -> int:
        return max(0, len(self.contracts) - CONTRACTS_SHOWN)


# --- Query helpers -------------------------------------------------------------------


def _subquery(
    queryset: QuerySet[object], group: str, aggregate: Count | Sum, output: object
) -> Coalesce:
    """One aggregate of ``queryset`` (filtered on an OuterRef) as a correlated subquery."""
    inner = queryset.order_by().values(group).annotate(value=aggregate).values("value")[:1]
    return Coalesce(Subquery(inner), Value(0), output_field=output)


def _hours_of_contract(status: str) -> Coalesce:
    """The hours of one status of the outer contract's placements (correlated subquery).

    With the index on hours entries by (placement, status) including the hours, each
    subquery reads only its own status's entries, from the index alone: the validated
    and the declared hours of a contract together read each of its entries once.
    """
    return _subquery(
        HoursEntry.objects.filter(placement__contract=OuterRef("pk"), status=status),
        "placement__contract",
        Sum("total_hours"),
        HOURS_FIELD,
    )


def _with_hours(contracts: QuerySet[Contract], *, names: bool = True) -> list[dict[str, Any]]:
    """Each contract (``ROW_FIELDS``) with its validated and declared hours (one query),
    and the names of its buyer and company (``names``: one more query).

    The names come by primary key: joined to the contracts, the planner hashes every
    organisation of the country.
    """
    rows = list(
        contracts.order_by()
        .annotate(
            validated=_hours_of_contract(HoursStatus.VALIDATED),
            declared=_hours_of_contract(HoursStatus.DECLARED),
        )
        .values("pk", *ROW_FIELDS, "validated", "declared")
    )
    # What each contract still owes, from the hours just read; its lot clauses (rare) in
    # one more query. In SQL, the validated subquery would be run again for each use.
    lot_clauses = lot_clause_hours(contracts)
    for row in rows:
        row["remaining"] = contract_hours_still_owed(
            row["hours_required"], row["validated"] or 0, lot_clauses.get(row["pk"], ())
        )
    found: dict[int, str] = {}
    if names:
        organisation_ids = {row["buyer_id"] for row in rows}
        organisation_ids.update(row["awarded_company_id"] for row in rows)
        organisation_ids.discard(None)
        if organisation_ids:
            found = dict(
                Organisation.objects.filter(pk__in=sorted(organisation_ids)).values_list(
                    "pk", "name"
                )
            )
    for row in rows:
        row["buyer_name"] = found.get(row["buyer_id"], "")
        row["company_name"] = found.get(row["awarded_company_id"], "")
    return rows


def _count_statuses(statuses: Iterable[ProgressStatus]) -> list[StatusCount]:
    tally = dict.fromkeys(ProgressStatus, 0)
    for status in statuses:
        tally[status] += 1
    return [
        StatusCount(
            status=status,
            label=str(ProgressStatusChoice(status).label),
            colour=PROGRESS_STATUS_COLOURS[status],
            count=count,
        )
        for status, count in tally.items()
    ]


def _rows_of(hours_rows: Iterable[dict[str, Any]], today: date) -> list[ContractRow]:
    """Contract rows (with their status) from per-contract rows of ``_with_hours``."""
    result = []
    for row in hours_rows:
        progress = contract_progress(
            required=row["hours_required"],
            realised=row["validated"],
            start=row["execution_start"],
            end=row["execution_end"],
            today=today,
        )
        result.append(
            ContractRow(
                pk=row["pk"],
                reference=row["reference"],
                title=row["title"],
                buyer_name=row["buyer_name"],
                company_name=row["company_name"],
                hours_required=Decimal(row["hours_required"]),
                hours_validated=Decimal(row["validated"]),
                hours_declared=Decimal(row["declared"]),
                hours_expected=progress.expected,
                status=progress.status,
                execution_end=row["execution_end"],
                hours_remaining=Decimal(row["remaining"]),
            )
        )
    result.sort(key=lambda row: (row.execution_end, row.reference))
    return result


def _contract_rows(contracts: QuerySet[Contract], today: date) -> list[ContractRow]:
    """Two queries: each contract with its validated and declared hours, then its status."""
    return _rows_of(_with_hours(contracts), today)


def _hours_per_fte(organisations: list[Organisation]) -> int:
    """The FTE convention of the organisations' network (the first one's, if several)."""
    return organisations[0].network.hours_per_fte if organisations else LEGAL_ANNUAL_HOURS


# --- Facilitator structures ----------------------------------------------------------


def facilitated_contracts(scope: UserScope) -> QuerySet[Contract]:
    """Contracts facilitated by the user's facilitator structures."""
    return Contract.objects.filter(facilitator_id__in=scope.facilitator_ids)


def _facilitated_rows(scope: UserScope) -> list[dict[str, Any]]:
    """Every contract of the structures (with a clause or not) with its hours: two queries."""
    return _with_hours(facilitated_contracts(scope))


def facilitator_figures(
    scope: UserScope, hours_per_fte: int, rows: list[dict[str, Any]] | None = None
) -> FacilitatorFigures:
    """The headline figures of the user's facilitator structures (four queries, two when
    the per-contract ``rows`` of ``_facilitated_rows`` are given).

    Realised hours are those of the structures' contracts. Hours awaiting review are the
    declared hours of the structures' participants, whatever the contract: exactly the
    queue of the review page (``inclusion.selectors.hours_awaiting_review``).
    """
    if rows is None:
        rows = _facilitated_rows(scope)
    awaiting_review = review_totals(scope)
    participants = Participant.objects.filter(facilitator_id__in=scope.facilitator_ids).count()
    return FacilitatorFigures(
        hours_per_fte=hours_per_fte,
        hours_required=Decimal(sum(row["hours_required"] for row in rows)),
        hours_validated=sum((Decimal(row["validated"]) for row in rows), ZERO),
        hours_remaining=sum((Decimal(row["remaining"]) for row in rows), ZERO),
        hours_declared=Decimal(awaiting_review.hours),
        entries_declared=awaiting_review.count,
        contracts=len(rows),
        contracts_with_clause=sum(1 for row in rows if row["hours_required"] > 0),
        participants=participants,
        buyers=len({row["buyer_id"] for row in rows}),
    )


def review_totals(scope: UserScope) -> HoursTotals:
    """The review queue's size and hours (one query, read from the hours index alone:
    ``COUNT(*)`` needs no column outside it, ``COUNT(id)`` would fetch every row)."""
    totals = (
        hours_awaiting_review(scope)
        .order_by()
        .aggregate(count=Count("*"), hours=Sum("total_hours"))
    )
    return HoursTotals(count=totals["count"] or 0, hours=totals["hours"] or ZERO)


def _buyer_rows_of(rows: Iterable[dict[str, Any]], hours_per_fte: int) -> list[BuyerRow]:
    """One row per buyer, added up from the per-contract rows."""
    totals: dict[int, list[Any]] = {}
    for row in rows:
        entry = totals.setdefault(row["buyer_id"], [row["buyer_name"], 0, 0, ZERO, ZERO])
        entry[1] += 1 if row["hours_required"] > 0 else 0
        entry[2] += row["hours_required"]
        entry[3] += Decimal(row["validated"])
        entry[4] += Decimal(row["remaining"])
    buyers = [
        BuyerRow(
            hours_per_fte=hours_per_fte,
            hours_required=Decimal(required),
            hours_validated=validated,
            hours_remaining=remaining,
            buyer_id=buyer_id,
            name=name,
            contracts_with_clause=clauses,
        )
        for buyer_id, (name, clauses, required, validated, remaining) in totals.items()
    ]
    buyers.sort(key=lambda row: (-row.hours_required, row.name))
    return buyers


def buyer_rows(scope: UserScope, hours_per_fte: int) -> list[BuyerRow]:
    """One row per buyer of the structures' contracts (two queries)."""
    return _buyer_rows_of(_facilitated_rows(scope), hours_per_fte)


def facilitator_dashboard(scope: UserScope, *, today: date) -> FacilitatorDashboard:
    """Everything the home page of a facilitator shows (five queries)."""
    structures = list(
        Organisation.objects.filter(
            pk__in=scope.facilitator_ids, kind=OrganisationKind.FACILITATOR
        ).select_related("network")
    )
    hours_per_fte = _hours_per_fte(structures)
    hours_rows = _facilitated_rows(scope)
    rows = _rows_of((row for row in hours_rows if row["hours_required"] > 0), today)
    return FacilitatorDashboard(
        structures=structures,
        network=structures[0].network if structures else None,
        figures=facilitator_figures(scope, hours_per_fte, hours_rows),
        buyers=_buyer_rows_of(hours_rows, hours_per_fte),
        statuses=StatusSummary(
            counts=_count_statuses(row.status for row in rows),
            late=sorted(
                (row for row in rows if row.status == ProgressStatus.LATE),
                key=lambda row: row.hours_validated - row.hours_expected,
            ),
        ),
    )


# --- Buyers and companies ------------------------------------------------------------


def _contracts_dashboard(
    organisations: list[Organisation], contracts: QuerySet[Contract], today: date
) -> ContractsDashboard:
    """The totals are added up from the contract rows: the hours are read once."""
    rows = _contract_rows(contracts, today)
    return ContractsDashboard(
        organisations=organisations,
        figures=HoursFigures(
            hours_per_fte=_hours_per_fte(organisations),
            hours_required=sum((row.hours_required for row in rows), ZERO),
            hours_validated=sum((row.hours_validated for row in rows), ZERO),
            hours_remaining=sum((row.hours_remaining for row in rows), ZERO),
        ),
        contracts=rows,
        hours_declared=sum((row.hours_declared for row in rows), ZERO),
    )


def buyer_dashboard(scope: UserScope, *, today: date) -> ContractsDashboard:
    """The buyer's contracts with a clause, with their progress (three queries)."""
    buyers = list(Organisation.objects.filter(pk__in=scope.buyer_ids).select_related("network"))
    contracts = Contract.objects.filter(buyer_id__in=scope.buyer_ids, hours_required__gt=0)
    return _contracts_dashboard(buyers, contracts, today)


def company_contracts(scope: UserScope) -> QuerySet[Contract]:
    """Contracts the user's companies hold, alone or as co-contractors."""
    co_contracting = Contract.co_contractors.through.objects.filter(
        contract_id=OuterRef("pk"), organisation_id__in=scope.company_ids
    )
    return Contract.objects.filter(
        Q(awarded_company_id__in=scope.company_ids) | Q(Exists(co_contracting))
    )


def company_dashboard(scope: UserScope, *, today: date) -> ContractsDashboard:
    """What the user's companies owe and have realised, contract by contract (three queries)."""
    companies = list(
        Organisation.objects.filter(pk__in=scope.company_ids).select_related("network")
    )
    contracts = company_contracts(scope).filter(hours_required__gt=0)
    return _contracts_dashboard(companies, contracts, today)


def organisations_of(scope: UserScope) -> list[Organisation]:
    """The organisations the user works for, whatever their kind."""
    return list(Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name"))


# --- Alerts --------------------------------------------------------------------------


def late_contracts(scope: UserScope, today: date) -> list[ContractRow]:
    """The structures' contracts with a clause that fall behind their expected hours (one
    query; the rows carry no buyer or company name: the alerts name the contract only)."""
    contracts = facilitated_contracts(scope).filter(hours_required__gt=0)
    rows = _rows_of(_with_hours(contracts, names=False), today)
    return [row for row in rows if row.status == ProgressStatus.LATE]


@dataclass(frozen=True)
class DigestRecipient:
    user_id: int
    email: str
    first_name: str
    structure_ids: frozenset[int]
    structure_names: tuple[str, ...]


def digest_recipients() -> list[DigestRecipient]:
    """Active facilitators with an email address, with their structures (one query)."""
    memberships = (
        Membership.objects.filter(
            organisation__kind=OrganisationKind.FACILITATOR,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("user__email", "organisation__name")
        .values_list(
            "user_id", "user__email", "user__first_name", "organisation_id", "organisation__name"
        )
    )
    by_user: dict[int, tuple[str, str, list[int], list[str]]] = {}
    for user_id, email, first_name, organisation_id, name in memberships:
        entry = by_user.setdefault(user_id, (email, first_name, [], []))
        entry[2].append(organisation_id)
        entry[3].append(name)
    return [
        DigestRecipient(
            user_id=user_id,
            email=email,
            first_name=first_name,
            structure_ids=frozenset(ids),
            structure_names=tuple(names),
        )
        for user_id, (email, first_name, ids, names) in by_user.items()
    ]
