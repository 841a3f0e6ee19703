"""Reads of a network's counting rules per execution mode."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tremplin.core.templatetags.french import number
from tremplin.inclusion.counting import NEUTRAL_RULE, ModeRule
from tremplin.inclusion.enums import ExecutionMode
from tremplin.inclusion.models import ExecutionModeRule
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Network


def network_mode_rules(network: Network | int) -> dict[str, ModeRule]:
    """The network's rules that change something, by execution mode (one query).

    A mode absent from the answer counts at weight 1, without cap.
    """
    network_id = network if isinstance(network, int) else network.pk
    rules = ExecutionModeRule.objects.filter(network_id=network_id).values_list(
        "execution_mode", "weight", "cap_share"
    )
    counted = {mode: ModeRule(weight=weight, cap_share=cap) for mode, weight, cap in rules}
    return {mode: rule for mode, rule in counted.items() if not rule.is_neutral}


@dataclass(frozen=True)
class ModeRuleRow:
    """One execution mode with the rule the network applies to it (neutral by default)."""

    mode: str
    label: str
    rule: ModeRule

    @property
    def weight_text(self) -> str:
        """``1``, ``0,5``, ``1,25``: the coefficient with the decimals it has."""
        return decimal_text(self.rule.weight)

    @property
    def cap_text(self) -> str:
        """``30 %``, ``12,5 %`` or ``Aucun``."""
        if self.rule.cap_share is None:
            return "Aucun"
        return f"{decimal_text(self.rule.cap_share * 100)}\u00a0%"

    @property
    def effect_clause(self) -> str:
        """What the rule does, to sit inside a sentence (no capital, no full stop)."""
        if self.rule.is_neutral:
            return "une heure validée compte pour une heure"
        parts = []
        if self.rule.weight != 1:
            parts.append(f"une heure validée compte pour {self.weight_text}\u00a0h")
        if self.rule.cap_share is not None:
            parts.append(f"au plus {self.cap_text} des heures exigées du marché")
        return ", ".join(parts)

    @property
    def effect(self) -> str:
        """What the rule does, in a sentence."""
        return f"{self.effect_clause[0].upper()}{self.effect_clause[1:]}."


def decimal_text(value: Decimal) -> str:
    """A decimal in French with the decimals it has, up to two (``0,5``, ``30``)."""
    rounded = value.quantize(Decimal("0.01"))
    places = next(p for p in (0, 1, 2) if rounded == rounded.quantize(Decimal(1).scaleb(-p)))
    return number(rounded, places)


def mode_rule_table(network: Network) -> list[ModeRuleRow]:
    """The twelve execution modes in their usual order, each with the network's rule."""
    rules = network_mode_rules(network)
    return [
        ModeRuleRow(mode=mode.value, label=str(mode.label), rule=rules.get(mode, NEUTRAL_RULE))
        for mode in ExecutionMode
    ]


def may_edit_mode_rules(scope: UserScope, network: Network) -> bool:
    """Only the network's coordinators change its counting rules."""
    return network.pk in scope.coordinated_network_ids
