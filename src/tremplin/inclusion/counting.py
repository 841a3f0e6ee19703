"""How a network counts the hours of each execution mode. Pure: no Django.

A network may weight an execution mode (training hours count for half, say) and cap it (at
most 30 % of a contract's required hours may come from training). For one contract and
one mode:

    counted = min(validated hours × weight, cap share × contract's required hours)

A mode without a rule counts at weight 1, without cap. The counted hours of a contract are
the sum over its modes; a network's, the sum over its contracts. The cap applies contract
by contract, so figures are aggregated per contract and mode before the rules are applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class ModeRule:
    """A network's rule for one execution mode: a weight (≥ 0) and an optional cap share
    of the contract's required hours (0 to 1, None for no cap)."""

    weight: Decimal = ONE
    cap_share: Decimal | None = None

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise ValueError("weight must not be negative")
        if self.cap_share is not None and not ZERO <= self.cap_share <= ONE:
            raise ValueError("cap_share must be between 0 and 1")

    @property
    def is_neutral(self) -> bool:
        """Weight 1 without cap: hours count as they are."""
        return self.weight == ONE and self.cap_share is None


NEUTRAL_RULE = ModeRule()


def mode_counted_hours(validated: Decimal, required: Decimal | int, rule: ModeRule) -> Decimal:
    """Counted hours of one mode on one contract: weighted, then capped."""
    if validated < 0:
        raise ValueError("validated hours must not be negative")
    weighted = validated * rule.weight
    if rule.cap_share is None:
        return weighted
    return min(weighted, rule.cap_share * Decimal(max(required, 0)))


def counted_hours(
    validated_by_mode: Mapping[str, Decimal],
    required: Decimal | int,
    rules: Mapping[str, ModeRule],
) -> Decimal:
    """Counted hours of one contract: each mode's validated hours weighted and capped by
    the network's ``rules`` (a mode absent from ``rules`` counts as it is)."""
    return sum(
        (
            mode_counted_hours(hours, required, rules.get(mode, NEUTRAL_RULE))
            for mode, hours in validated_by_mode.items()
        ),
        ZERO,
    )
