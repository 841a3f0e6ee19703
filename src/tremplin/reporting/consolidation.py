"""The network's consolidation: every facilitator structure side by side, and the total,
counted with the network's shared rules (hours per FTE, weight and cap per execution mode).

Aggregates only: participants are counted, never named. Callers check that the user
coordinates the network (``network_for_consolidation``).

Counted hours apply each mode's weight, then its cap, contract by contract
(``inclusion.counting``). Validated hours are summed in the database per structure and
mode; a mode without a cap is weighted on those sums, so only the modes with a cap are read
per contract and mode — one grouped query, then a tight loop, whatever the network's size.

A year (``annee``) keeps the contracts executed that year and the hours of that year's
months; a cap stays a share of the contract's whole obligation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, Max, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from tremplin.core.fte import (
    LEGAL_ANNUAL_HOURS,
    exact_full_time_equivalents,
    rounded_full_time_equivalents,
    whole_full_time_equivalents,
)
from tremplin.inclusion.counting import NEUTRAL_RULE, ModeRule, mode_counted_hours
from tremplin.inclusion.enums import ExecutionMode, HoursStatus
from tremplin.inclusion.mode_rule_selectors import ModeRuleRow, network_mode_rules
from tremplin.inclusion.models import HoursEntry, Participant
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.models import Contract
from tremplin.reporting.selectors import ZERO, _bar_percent, _share, _subquery

MODE_LABELS = {mode.value: str(mode.label) for mode in ExecutionMode}


# --- Figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeHours:
    """Hours of one execution mode: validated, and counted with the network's rule."""

    mode: str
    validated: Decimal = ZERO
    counted: Decimal = ZERO

    @property
    def label(self) -> str:
        return MODE_LABELS.get(self.mode, self.mode)


@dataclass(frozen=True)
class StructureRow:
    """A facilitator structure's consolidated figures (or the network's total)."""

    hours_per_fte: int = LEGAL_ANNUAL_HOURS
    structure_id: int | None = None
    name: str = ""
    contracts_with_clause: int = 0
    hours_required: Decimal = ZERO
    hours_validated: Decimal = ZERO
    hours_counted: Decimal = ZERO
    participants: int = 0  # « Personnes suivies »: the structure's people, whatever the year
    people_with_hours: int = 0  # « Personnes avec heures validées » in the year (or ever)
    buyers: int = 0
    modes: dict[str, ModeHours] = field(default_factory=dict)

    @property
    def whole_fte(self) -> int:
        """Complete FTE of the counted hours (rounded down): the headline figure."""
        return whole_full_time_equivalents(self.hours_counted, self.hours_per_fte)

    @property
    def exact_fte(self) -> Decimal:
        return exact_full_time_equivalents(self.hours_counted, self.hours_per_fte)

    @property
    def fte(self) -> Decimal:
        """FTE of the counted hours to the tenth, rounded down: the figure of a table row."""
        return rounded_full_time_equivalents(self.hours_counted, self.hours_per_fte)

    @property
    def hours_set_aside(self) -> Decimal:
        """Validated hours the rules do not count (weights below 1, caps)."""
        return self.hours_validated - self.hours_counted

    @property
    def share_realised(self) -> Decimal | None:
        return _share(self.hours_counted, self.hours_required)

    @property
    def bar_percent(self) -> int:
        return _bar_percent(self.hours_counted, self.hours_required)

    def mode(self, mode: str) -> ModeHours:
        return self.modes.get(mode, ModeHours(mode))


@dataclass(frozen=True)
class NetworkDashboard:
    network: Network
    structures: list[StructureRow]
    total: StructureRow = field(default_factory=StructureRow)
    rules: list[ModeRuleRow] = field(default_factory=list)
    year: int | None = None
    years: list[int] = field(default_factory=list)

    @property
    def buyers_shared(self) -> bool:
        """Some buyers work with several structures: the total counts them once."""
        return sum(row.buyers for row in self.structures) > self.total.buyers

    @property
    def active_rules(self) -> list[ModeRuleRow]:
        return [row for row in self.rules if not row.rule.is_neutral]

    @property
    def modes(self) -> list[ModeHours]:
        """The network's hours by execution mode, modes with hours or a rule only."""
        ruled = {row.mode for row in self.active_rules}
        return [
            self.total.mode(mode.value)
            for mode in ExecutionMode
            if mode.value in ruled or self.total.mode(mode.value).validated
        ]


@dataclass(frozen=True)
class ContractRow:
    """A contract of a structure with its validated and counted hours, by mode."""

    pk: int
    reference: str
    title: str
    buyer_name: str
    company_name: str
    hours_required: Decimal
    modes: dict[str, ModeHours]

    @property
    def hours_validated(self) -> Decimal:
        return sum((hours.validated for hours in self.modes.values()), ZERO)

    @property
    def hours_counted(self) -> Decimal:
        return sum((hours.counted for hours in self.modes.values()), ZERO)

    def mode(self, mode: str) -> ModeHours:
        return self.modes.get(mode, ModeHours(mode))


@dataclass(frozen=True)
class StructureConsolidation:
    network: Network
    structure: Organisation
    figures: StructureRow
    contracts: list[ContractRow]
    rules: list[ModeRuleRow]
    year: int | None = None
    years: list[int] = field(default_factory=list)

    @property
    def active_rules(self) -> list[ModeRuleRow]:
        return [row for row in self.rules if not row.rule.is_neutral]

    @property
    def modes_shown(self) -> list[str]:
        """The modes with hours on some contract of the structure, in the usual order."""
        used = {
            mode for row in self.contracts for mode, hours in row.modes.items() if hours.validated
        }
        return [mode.value for mode in ExecutionMode if mode.value in used]


# --- Access --------------------------------------------------------------------------


def coordinated_networks(scope: UserScope) -> list[Network]:
    return list(Network.objects.filter(pk__in=scope.coordinated_network_ids).order_by("name"))


def structure_for_consolidation(scope: UserScope, pk: int) -> Organisation:
    """A facilitator structure of a network the user coordinates (else DoesNotExist)."""
    return Organisation.objects.select_related("network").get(
        pk=pk,
        kind=OrganisationKind.FACILITATOR,
        network_id__in=scope.coordinated_network_ids,
    )


# --- Queries -------------------------------------------------------------------------


def _contracts(network: Network, year: int | None) -> QuerySet[Contract]:
    contracts = Contract.objects.filter(
        facilitator__network=network, facilitator__kind=OrganisationKind.FACILITATOR
    )
    return contracts.filter(_year_filter(year))


def _validated(contracts: QuerySet[Contract], year: int | None) -> QuerySet[HoursEntry]:
    entries = HoursEntry.objects.filter(
        status=HoursStatus.VALIDATED, placement__contract__in=contracts.values("pk")
    )
    if year:
        entries = entries.filter(month__year=year)
    return entries


def _year_filter(year: int | None) -> Q:
    return Q(execution_start__year__lte=year, execution_end__year__gte=year) if year else Q()


def _totals_and_years(
    all_contracts: QuerySet[Contract], year: int | None
) -> tuple[dict[str, int], list[int]]:
    """The totals of the year's contracts, and the years any contract runs in, latest
    first (the choices of the year filter), in one query."""
    in_year = _year_filter(year)
    totals = all_contracts.aggregate(
        contracts_with_clause=Count("pk", filter=in_year & Q(hours_required__gt=0)),
        hours_required=Coalesce(Sum("hours_required", filter=in_year), 0),
        buyers=Count("buyer_id", distinct=True, filter=in_year),
        first=Min("execution_start"),
        last=Max("execution_end"),
    )
    first, last = totals.pop("first"), totals.pop("last")
    years = list(range(last.year, first.year - 1, -1)) if first and last else []
    return totals, years


def _mode_hours_by_structure(
    entries: QuerySet[HoursEntry], rules: dict[str, ModeRule]
) -> dict[int, dict[str, ModeHours]]:
    """Validated and counted hours per structure and mode (one or two queries).

    Uncapped modes: counted = weight × the structure's sum, in one grouped query. Capped
    modes: the cap is per contract, so they are summed per contract and mode, then capped.
    """
    capped = {mode for mode, rule in rules.items() if rule.cap_share is not None}
    validated: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for structure_id, mode, hours in (
        entries.order_by()
        .values_list("placement__contract__facilitator_id", "placement__execution_mode")
        .annotate(hours=Sum("total_hours"))
    ):
        validated[structure_id][mode] = hours
    counted: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    if capped:
        groups = (
            entries.filter(placement__execution_mode__in=capped)
            .order_by()
            .values_list(
                "placement__contract__facilitator_id",
                "placement__execution_mode",
                "placement__contract__hours_required",
            )
            .annotate(hours=Sum("total_hours"))
            .values_list(
                "placement__contract__facilitator_id",
                "placement__execution_mode",
                "placement__contract__hours_required",
                "hours",
            )
        )
        # The hot loop at national scale: plain tuples, one rule lookup per group.
        for structure_id, mode, required, hours in groups.iterator(chunk_size=10_000):
            counted[structure_id][mode] += mode_counted_hours(hours, required, rules[mode])
    result: dict[int, dict[str, ModeHours]] = {}
    for structure_id, by_mode in validated.items():
        result[structure_id] = {
            mode: ModeHours(
                mode=mode,
                validated=hours,
                counted=counted[structure_id][mode]
                if mode in capped
                else hours * rules.get(mode, NEUTRAL_RULE).weight,
            )
            for mode, hours in by_mode.items()
        }
    return result


def _sum_modes(rows: Iterable[dict[str, ModeHours]]) -> dict[str, ModeHours]:
    totals: dict[str, ModeHours] = {}
    for by_mode in rows:
        for mode, hours in by_mode.items():
            known = totals.get(mode, ModeHours(mode))
            totals[mode] = ModeHours(
                mode=mode,
                validated=known.validated + hours.validated,
                counted=known.counted + hours.counted,
            )
    return totals


def _people_with_hours(entries: QuerySet[HoursEntry]) -> dict[int, int]:
    """People with validated hours in the entries, by structure (one query)."""
    rows = (
        entries.order_by()
        .values_list("placement__contract__facilitator_id")
        .annotate(count=Count("placement__participant_id", distinct=True))
    )
    return dict(rows)  # type: ignore[arg-type]


def network_dashboard(network: Network, *, year: int | None = None) -> NetworkDashboard:
    """Every facilitator structure of ``network`` side by side, and the network's total
    (six queries, seven with a capped mode, whatever the number of structures)."""
    hours_per_fte = network.hours_per_fte
    rules = network_mode_rules(network)
    contracts = _contracts(network, year)
    entries = _validated(contracts, year)
    by_structure = contracts.filter(facilitator_id=OuterRef("pk"))
    structures = (
        Organisation.objects.filter(network=network, kind=OrganisationKind.FACILITATOR)
        .annotate(
            clause_count=_subquery(
                by_structure.filter(hours_required__gt=0),
                "facilitator_id",
                Count("pk"),
                IntegerField(),
            ),
            required=_subquery(
                by_structure, "facilitator_id", Sum("hours_required"), IntegerField()
            ),
            buyer_count=_subquery(
                by_structure, "facilitator_id", Count("buyer_id", distinct=True), IntegerField()
            ),
            participant_count=_subquery(
                Participant.objects.filter(facilitator_id=OuterRef("pk")),
                "facilitator_id",
                Count("pk"),
                IntegerField(),
            ),
        )
        .order_by("name")
        .values("pk", "name", "clause_count", "required", "buyer_count", "participant_count")
    )
    modes = _mode_hours_by_structure(entries, rules)
    # The two head-counts: the people each structure follows (above), and those with
    # validated hours in the year (or ever), counted once in the network's total even
    # when they worked on contracts of two structures.
    with_hours = _people_with_hours(entries)
    network_with_hours = entries.aggregate(
        people=Count("placement__participant_id", distinct=True)
    )["people"]
    rows = []
    for row in structures:
        by_mode = modes.get(row["pk"], {})
        rows.append(
            StructureRow(
                hours_per_fte=hours_per_fte,
                structure_id=row["pk"],
                name=row["name"],
                contracts_with_clause=row["clause_count"],
                hours_required=Decimal(row["required"]),
                hours_validated=sum((hours.validated for hours in by_mode.values()), ZERO),
                hours_counted=sum((hours.counted for hours in by_mode.values()), ZERO),
                participants=row["participant_count"],
                people_with_hours=with_hours.get(row["pk"], 0),
                buyers=row["buyer_count"],
                modes=by_mode,
            )
        )
    contract_totals, years = _totals_and_years(_contracts(network, None), year)
    total_modes = _sum_modes(row.modes for row in rows)
    total = StructureRow(
        hours_per_fte=hours_per_fte,
        name="Total du réseau",
        contracts_with_clause=contract_totals["contracts_with_clause"],
        hours_required=Decimal(contract_totals["hours_required"]),
        hours_validated=sum((row.hours_validated for row in rows), ZERO),
        hours_counted=sum((row.hours_counted for row in rows), ZERO),
        participants=sum(row.participants for row in rows),
        people_with_hours=network_with_hours,
        buyers=contract_totals["buyers"],
        modes=total_modes,
    )
    return NetworkDashboard(
        network=network,
        structures=rows,
        total=total,
        rules=_rule_rows(rules),
        year=year,
        years=years,
    )


def _rule_rows(rules: dict[str, ModeRule]) -> list[ModeRuleRow]:
    return [
        ModeRuleRow(mode=mode.value, label=str(mode.label), rule=rules.get(mode, NEUTRAL_RULE))
        for mode in ExecutionMode
    ]


# --- One structure, contract by contract ---------------------------------------------


def structure_consolidation(
    structure: Organisation, *, year: int | None = None
) -> StructureConsolidation:
    """A structure's contracts with their validated and counted hours by mode (six
    queries). Its totals are exactly the structure's row of the network's consolidation."""
    network = structure.network
    rules = network_mode_rules(network)
    contracts = _contracts(network, year).filter(facilitator=structure)
    entries = _validated(contracts, year)
    hours: dict[int, dict[str, ModeHours]] = defaultdict(dict)
    for contract_id, mode, required, validated in (
        entries.order_by()
        .values_list(
            "placement__contract_id",
            "placement__execution_mode",
            "placement__contract__hours_required",
        )
        .annotate(hours=Sum("total_hours"))
        .values_list(
            "placement__contract_id",
            "placement__execution_mode",
            "placement__contract__hours_required",
            "hours",
        )
    ):
        hours[contract_id][mode] = ModeHours(
            mode=mode,
            validated=validated,
            counted=mode_counted_hours(validated, required, rules.get(mode, NEUTRAL_RULE)),
        )
    rows = [
        ContractRow(
            pk=row["pk"],
            reference=row["reference"],
            title=row["title"],
            buyer_name=row["buyer__name"],
            company_name=row["awarded_company__name"] or "",
            hours_required=Decimal(row["hours_required"]),
            modes=hours.get(row["pk"], {}),
        )
        for row in contracts.filter(Q(hours_required__gt=0) | Q(pk__in=list(hours)))
        .order_by("reference", "pk")
        .values(
            "pk", "reference", "title", "buyer__name", "awarded_company__name", "hours_required"
        )
    ]
    totals, years = _totals_and_years(_contracts(network, None).filter(facilitator=structure), year)
    participants = Participant.objects.filter(facilitator=structure).count()
    people_with_hours = _people_with_hours(entries).get(structure.pk, 0)
    by_mode = _sum_modes(row.modes for row in rows)
    figures = StructureRow(
        hours_per_fte=network.hours_per_fte,
        structure_id=structure.pk,
        name=structure.name,
        contracts_with_clause=totals["contracts_with_clause"],
        hours_required=Decimal(totals["hours_required"]),
        hours_validated=sum((row.hours_validated for row in rows), ZERO),
        hours_counted=sum((row.hours_counted for row in rows), ZERO),
        participants=participants,
        people_with_hours=people_with_hours,
        buyers=totals["buyers"],
        modes=by_mode,
    )
    return StructureConsolidation(
        network=network,
        structure=structure,
        figures=figures,
        contracts=rows,
        rules=_rule_rows(rules),
        year=year,
        years=years,
    )
