"""Writes of a network's counting rules per execution mode (weights and caps)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tremplin.inclusion.counting import ModeRule
from tremplin.inclusion.enums import ExecutionMode
from tremplin.inclusion.models import ExecutionModeRule
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import Network, NetworkEvent, User

# The key of the network's history under which the counting rules are recorded.
HISTORY_KEY = "execution_mode_rules"
MAX_WEIGHT = Decimal(10)
WEIGHT_PLACES = Decimal("0.01")
CAP_PLACES = Decimal("0.0001")


def _stored(rule: ModeRule) -> dict[str, str | None]:
    """A rule as the history keeps it (exact decimal strings)."""
    return {
        "weight": str(rule.weight.quantize(WEIGHT_PLACES)),
        "cap_share": None if rule.cap_share is None else str(rule.cap_share.quantize(CAP_PLACES)),
    }


def _snapshot(network: Network) -> dict[str, dict[str, str | None]]:
    rules = ExecutionModeRule.objects.filter(network=network).values_list(
        "execution_mode", "weight", "cap_share"
    )
    return {
        mode: _stored(ModeRule(weight=weight, cap_share=cap))
        for mode, weight, cap in rules
        if not ModeRule(weight=weight, cap_share=cap).is_neutral
    }


def _clean(rules: Mapping[str, ModeRule]) -> dict[str, ModeRule]:
    """The rules checked against what the database stores; raises ValidationError (French)."""
    known = {mode.value: mode for mode in ExecutionMode}
    errors: dict[str, str] = {}
    cleaned: dict[str, ModeRule] = {}
    for mode, rule in rules.items():
        if mode not in known:
            raise ValidationError(f"Modalité d'exécution inconnue : « {mode} ».")
        label = known[mode].label
        if not rule.weight.is_finite() or not 0 <= rule.weight <= MAX_WEIGHT:
            errors[f"{mode}-weight"] = f"{label} : le coefficient doit être compris entre 0 et 10."
        elif rule.weight != rule.weight.quantize(WEIGHT_PLACES):
            errors[f"{mode}-weight"] = f"{label} : le coefficient a au plus deux décimales."
        if rule.cap_share is not None and rule.cap_share != rule.cap_share.quantize(CAP_PLACES):
            errors[f"{mode}-cap"] = f"{label} : le plafond a au plus deux décimales (en %)."
        cleaned[mode] = rule
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def execution_mode_rules_set(
    *, user: User, network: Network, rules: Mapping[str, ModeRule]
) -> dict[str, Any]:
    """Set the network's counting rules of the modes named in ``rules``, and record the
    change in the network's history. Only a coordinator of the network may.

    A neutral rule (weight 1, no cap) removes the mode's rule: the table keeps only the
    rules that change a figure. A change that changes nothing writes nothing. Returns the
    rules as stored afterwards (as the history records them).
    """
    if network.pk not in scope_for(user).coordinated_network_ids:
        raise PermissionDenied("Seule la coordination du réseau modifie ses règles de comptage.")
    cleaned = _clean(rules)
    # Lock the network so that two coordinators saving at once write one history each.
    network = Network.objects.select_for_update().get(pk=network.pk)
    before = _snapshot(network)
    for mode, rule in cleaned.items():
        if rule.is_neutral:
            ExecutionModeRule.objects.filter(network=network, execution_mode=mode).delete()
            continue
        ExecutionModeRule.objects.update_or_create(
            network=network,
            execution_mode=mode,
            defaults={"weight": rule.weight, "cap_share": rule.cap_share},
        )
    after = _snapshot(network)
    changed = sorted(
        mode for mode in before.keys() | after.keys() if before.get(mode) != after.get(mode)
    )
    if changed:
        NetworkEvent.objects.create(
            network=network,
            actor=user,
            action="execution_mode_rules_updated",
            object_type="network",
            object_id=network.pk,
            before={HISTORY_KEY: {mode: before[mode] for mode in changed if mode in before}},
            after={HISTORY_KEY: {mode: after[mode] for mode in changed if mode in after}},
        )
    return after
