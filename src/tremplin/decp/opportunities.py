"""Clause opportunities: the published contracts that could have carried a social clause,
and the insertion hours they could have generated. Pure: no Django.

A contract is an opportunity when its kind of work is labour-intensive (its CPV code starts
with one of the network's prefixes), and its amount and duration reach the network's
thresholds. Its hours are those of the network's default formula (amount × labour share ×
insertion rate ÷ hourly cost, rounded as every obligation is: ``procurement.obligation``).
A contract is *covered* when it already carries a social consideration in the open data, or
is followed in Tremplin with a social clause.

Totals add the rounded hours of each contract, so that a total is always the sum of the
rows a reader sees.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tremplin.core.fte import full_time_equivalents, whole_full_time_equivalents
from tremplin.procurement.obligation import (
    Obligation,
    ObligationInputs,
    ObligationMode,
    compute_obligation,
)

MIN_PREFIX_DIGITS = 2
MAX_PREFIX_DIGITS = 8
# Longer than any public contract's usual term (framework agreements: 4 years at most,
# except in defence and some concessions).
MAX_MIN_DURATION_MONTHS = 120


@dataclass(frozen=True)
class CpvPrefix:
    """A kind of labour-intensive work: the start of its CPV codes, and its French label."""

    prefix: str
    label: str


@dataclass(frozen=True)
class OpportunityRules:
    """The network's settings: which contracts could carry a clause."""

    prefixes: tuple[CpvPrefix, ...]
    min_amount: Decimal
    min_duration_months: int


@dataclass(frozen=True)
class DefaultFormula:
    """The network's default obligation inputs (ratios between 0 and 1)."""

    labour_share: Decimal
    insertion_rate: Decimal
    hourly_cost: Decimal
    hours_per_fte: int

    def obligation(self, amount: Decimal) -> Obligation:
        return compute_obligation(
            ObligationInputs(
                mode=ObligationMode.AMOUNT_BASED,
                amount=amount,
                labour_share=self.labour_share,
                insertion_rate=self.insertion_rate,
                hourly_cost=self.hourly_cost,
            )
        )


@dataclass(frozen=True)
class ContractRow:
    """A published contract, as the selectors read it."""

    key: int
    buyer_id: int
    buyer_name: str
    notified_on: datetime.date | None
    cpv_code: str
    amount: Decimal | None
    duration_months: int | None
    covered: bool
    identifier: str = ""
    object: str = ""

    @property
    def year(self) -> int | None:
        return self.notified_on.year if self.notified_on else None


@dataclass(frozen=True)
class Eligibility:
    """Whether a contract could carry a clause: the reasons it meets, those it misses."""

    prefix: CpvPrefix | None
    reasons: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def eligible(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class Opportunity:
    row: ContractRow
    prefix: CpvPrefix
    reasons: tuple[str, ...]
    obligation: Obligation

    @property
    def hours(self) -> int:
        return self.obligation.hours


@dataclass(frozen=True)
class Totals:
    count: int = 0
    hours: int = 0
    covered_count: int = 0
    covered_hours: int = 0

    def add(self, opportunity: Opportunity) -> Totals:
        covered = opportunity.row.covered
        return Totals(
            count=self.count + 1,
            hours=self.hours + opportunity.hours,
            covered_count=self.covered_count + (1 if covered else 0),
            covered_hours=self.covered_hours + (opportunity.hours if covered else 0),
        )

    @property
    def uncovered_count(self) -> int:
        return self.count - self.covered_count

    @property
    def uncovered_hours(self) -> int:
        return self.hours - self.covered_hours

    @property
    def covered_share_by_count(self) -> Decimal:
        """Share of the opportunities already covered, between 0 and 1 (0 when none)."""
        return Decimal(self.covered_count) / self.count if self.count else Decimal(0)

    @property
    def covered_share_by_hours(self) -> Decimal:
        return Decimal(self.covered_hours) / self.hours if self.hours else Decimal(0)


@dataclass(frozen=True)
class BuyerTotals:
    buyer_id: int
    buyer_name: str
    totals: Totals


@dataclass(frozen=True)
class YearTotals:
    year: int | None  # None: contracts without a notification date
    totals: Totals


@dataclass(frozen=True)
class Summary:
    total: Totals
    by_buyer: list[BuyerTotals] = field(default_factory=list)
    by_year: list[YearTotals] = field(default_factory=list)
    hours_per_fte: int = 1607

    @property
    def fte(self) -> Decimal:
        return full_time_equivalents(self.total.hours, self.hours_per_fte)

    @property
    def whole_fte(self) -> int:
        return whole_full_time_equivalents(self.total.hours, self.hours_per_fte)


def cpv_digits(code: str) -> str:
    """The digits of a CPV code before its check digit ("45214200-2" → "45214200")."""
    return "".join(character for character in code.split("-", 1)[0] if character.isdigit())


def valid_prefix(prefix: str) -> bool:
    return (
        prefix.isascii()
        and prefix.isdigit()
        and (MIN_PREFIX_DIGITS <= len(prefix) <= MAX_PREFIX_DIGITS)
    )


def matching_prefix(code: str, prefixes: Iterable[CpvPrefix]) -> CpvPrefix | None:
    """The most specific prefix the code starts with (« 5552 » before « 55 »), or None."""
    digits = cpv_digits(code)
    if not digits:
        return None
    matches = [item for item in prefixes if item.prefix and digits.startswith(item.prefix)]
    return max(matches, key=lambda item: len(item.prefix), default=None)


def _euros(value: Decimal) -> str:
    """A whole amount in euros with French grouping (90 000 €), for the reasons."""
    whole = int(value.to_integral_value())
    return f"{whole:,}".replace(",", "\u00a0") + "\u00a0€"


def _months(value: int) -> str:
    return f"{value}\u00a0mois"


def assess(row: ContractRow, rules: OpportunityRules) -> Eligibility:
    """Why a contract could (or could not) carry a clause, in French."""
    reasons: list[str] = []
    missing: list[str] = []
    prefix = matching_prefix(row.cpv_code, rules.prefixes)
    if prefix is None:
        missing.append("CPV hors des travaux et services retenus")
    else:
        reasons.append(f"CPV {prefix.prefix} {prefix.label.lower()}")
    if row.amount is None or row.amount <= 0:
        missing.append("montant inconnu")
    elif row.amount < rules.min_amount:
        missing.append(f"montant < {_euros(rules.min_amount)}")
    else:
        reasons.append(f"montant ≥ {_euros(rules.min_amount)}")
    if rules.min_duration_months > 0:
        if row.duration_months is None:
            missing.append("durée inconnue")
        elif row.duration_months < rules.min_duration_months:
            missing.append(f"durée < {_months(rules.min_duration_months)}")
        else:
            reasons.append(f"durée ≥ {_months(rules.min_duration_months)}")
    return Eligibility(prefix=prefix, reasons=tuple(reasons), missing=tuple(missing))


def find_opportunities(
    rows: Iterable[ContractRow], rules: OpportunityRules, formula: DefaultFormula
) -> list[Opportunity]:
    """The contracts that could carry a clause, each with its reasons and its hours, in
    the order of ``rows``."""
    found: list[Opportunity] = []
    for row in rows:
        eligibility = assess(row, rules)
        if not eligibility.eligible or eligibility.prefix is None or row.amount is None:
            continue
        found.append(
            Opportunity(
                row=row,
                prefix=eligibility.prefix,
                reasons=eligibility.reasons,
                obligation=formula.obligation(row.amount),
            )
        )
    return found


def summarise(opportunities: Sequence[Opportunity], hours_per_fte: int) -> Summary:
    """Totals over all opportunities, by buyer (most hours first) and by year (latest
    first, undated last)."""
    total = Totals()
    by_buyer: dict[int, tuple[str, Totals]] = {}
    by_year: dict[int | None, Totals] = {}
    for opportunity in opportunities:
        row = opportunity.row
        total = total.add(opportunity)
        name, buyer_totals = by_buyer.get(row.buyer_id, (row.buyer_name, Totals()))
        by_buyer[row.buyer_id] = (name, buyer_totals.add(opportunity))
        by_year[row.year] = by_year.get(row.year, Totals()).add(opportunity)
    buyers = sorted(
        (BuyerTotals(buyer_id, name, totals) for buyer_id, (name, totals) in by_buyer.items()),
        key=lambda item: (-item.totals.hours, item.buyer_name, item.buyer_id),
    )
    years = sorted(
        (YearTotals(year, totals) for year, totals in by_year.items()),
        key=lambda item: (item.year is None, -(item.year or 0)),
    )
    return Summary(total=total, by_buyer=buyers, by_year=years, hours_per_fte=hours_per_fte)


def top_opportunities(opportunities: Iterable[Opportunity], limit: int) -> list[Opportunity]:
    """The opportunities with the most hours (then the largest amounts) first."""
    return sorted(
        opportunities,
        key=lambda item: (-item.hours, -(item.row.amount or 0), item.row.key),
    )[:limit]


# The kinds of work social-clause facilitators target first because most of their cost is
# labour that people far from work can do: building works, maintenance, cleaning, green
# spaces, waste, catering, security (the sectors named by the guide of the Observatoire
# économique de la commande publique on the social aspects of public procurement, 2022,
# and by Alliance Villes Emploi's facilitators' guides). Engineering (71) and transport
# (60) are left out: their labour is mostly skilled or tied to vehicles and licences.
# A more specific prefix gives its own label (« 909 » nettoyage within « 90 »).
DEFAULT_CPV_PREFIXES: tuple[CpvPrefix, ...] = (
    CpvPrefix("45", "Travaux de construction"),
    CpvPrefix("50", "Réparation et entretien"),
    CpvPrefix("555", "Restauration collective"),
    CpvPrefix("77", "Espaces verts, agriculture et sylviculture"),
    CpvPrefix("90", "Déchets, assainissement et propreté"),
    CpvPrefix("909", "Nettoyage"),
    CpvPrefix("7971", "Sécurité et gardiennage"),
)
# 90 000 € HT: the amount from which a contract must be advertised in an official journal
# (BOAMP or a legal journal), so it is written with full consultation documents where a
# clause fits. With the usual default formula (40 % × 5 % ÷ 30 €) it carries 60 hours:
# below that, following a clause would cost more than the hours it brings.
DEFAULT_MIN_AMOUNT = Decimal(90_000)
# 6 months: the shortest contract on which an insertion job lasts long enough to count
# (an employment of 6 months or more is a durable outcome).
DEFAULT_MIN_DURATION_MONTHS = 6
