"""Every obligation explained in French: its mode, its inputs and the formula that gave it.

"1 000 000 € × 40 % × 5 % ÷ 30 € = 666,67 h → 667 h"
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tremplin.core.templatetags.french import euros, hours, number
from tremplin.procurement.enums import ObligationModeChoice
from tremplin.procurement.obligation import (
    INPUT_LABELS,
    REQUIRED_INPUTS,
    Obligation,
    ObligationInputs,
    ObligationMode,
)

ROUNDING_RULE = (
    "Arrondi à l'heure la plus proche, les demi-heures vers le haut (666,5 h → 667 h ; "
    "666,49 h → 666 h)."
)

EURO_INPUTS = frozenset({"amount", "hourly_cost", "invoiced_amount", "euros_per_hour"})
HOUR_INPUTS = frozenset({"hours_worked", "fixed_hours"})


def percentage(ratio: Decimal) -> str:
    """A ratio as a percentage with just the decimals it needs (0.055 → ``5,5 %``)."""
    value = ratio * 100
    places = 0
    while places < 4 and value != value.quantize(Decimal(1).scaleb(-places)):
        places += 1
    return f"{number(value, places)}\u00a0%"


def format_input(name: str, value: Decimal) -> str:
    if name in EURO_INPUTS:
        return euros(value)
    if name in HOUR_INPUTS:
        return f"{hours(value)}\u00a0h"
    return percentage(value)


@dataclass(frozen=True)
class ExplainedInput:
    name: str
    label: str
    value: str


@dataclass(frozen=True)
class Explanation:
    mode_label: str
    inputs: list[ExplainedInput]
    formula: str
    exact_hours: Decimal
    hours: int
    rounding_rule: str = ROUNDING_RULE


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def explain(obligation: Obligation) -> Explanation:
    inputs: ObligationInputs = obligation.inputs
    used = inputs.used()
    shown = {name: format_input(name, value) for name, value in used.items()}
    match inputs.mode:
        case ObligationMode.AMOUNT_BASED:
            left = (
                f"{shown['amount']} × {shown['labour_share']} × {shown['insertion_rate']}"
                f" ÷ {shown['hourly_cost']}"
            )
        case ObligationMode.PER_EURO_INVOICED:
            left = f"{shown['invoiced_amount']} ÷ {shown['euros_per_hour']} par heure"
        case ObligationMode.SHARE_OF_HOURS_WORKED:
            left = f"{shown['hours_worked']} × {shown['share_of_hours']}"
        case _:
            left = f"{shown['fixed_hours']} fixées au marché"
    formula = f"{left} = {hours(obligation.exact_hours)}\u00a0h → {hours(obligation.hours)}\u00a0h"
    return Explanation(
        mode_label=str(ObligationModeChoice(inputs.mode).label),
        inputs=[
            ExplainedInput(name, _capitalised(INPUT_LABELS[name]), shown[name])
            for name in REQUIRED_INPUTS[inputs.mode]
            if name in shown
        ],
        formula=formula,
        exact_hours=obligation.exact_hours,
        hours=obligation.hours,
    )


# History -----------------------------------------------------------------------------------

ACTION_LABELS = {
    "contract_created": "Marché créé",
    "contract_updated": "Marché modifié",
    "lot_created": "Lot créé",
    "clause_created": "Clause créée",
    "clause_updated": "Clause modifiée",
}

FIELD_LABELS = {
    "reference": "référence",
    "title": "objet",
    "cpv_code": "code CPV",
    "procedure": "procédure",
    "form": "forme du marché",
    "amount_excl_tax": "montant",
    "notified_on": "date de notification",
    "execution_start": "début d'exécution",
    "execution_end": "fin d'exécution",
    "buyer_id": "acheteur",
    "awarded_company_id": "titulaire",
    "social_clause": "clause sociale",
    "social_criterion": "critère social",
    "reserved_contract": "marché réservé",
    "environmental_clause": "clause environnementale",
    "environmental_criterion": "critère environnemental",
    "legal_basis": "fondement juridique",
    "mode": "mode de calcul",
    **INPUT_LABELS,
}


def describe_change(
    action: str, before: dict[str, object] | None, after: dict[str, object] | None
) -> str:
    """What an event of the contract's history changed, in a short French sentence."""
    after = after or {}
    if action.startswith("clause_"):
        hours_after = after.get("hours_required")
        hours_before = (before or {}).get("hours_required")
        if before and hours_before != hours_after:
            return f"Heures exigées : {hours(hours_before)} h → {hours(hours_after)} h"  # type: ignore[arg-type]
        if not before:
            return f"{hours(hours_after)} h exigées"  # type: ignore[arg-type]
    if action == "lot_created":
        return f"Lot {after.get('number')} : {after.get('title')}"
    if before:
        changed = [
            FIELD_LABELS.get(name, name)
            for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)
        ]
        if changed:
            return "Modifié : " + ", ".join(changed)
    return ""
