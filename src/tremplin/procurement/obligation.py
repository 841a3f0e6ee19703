"""The obligation calculator: how many insertion hours a clause requires. Pure: no Django.

Four modes, each with the inputs stored beside the result so that the figure can be
explained:

- ``amount_based``: amount excl. tax × labour share × insertion rate ÷ hourly cost;
- ``per_euro_invoiced``: amount invoiced ÷ euros per hour (framework contracts with
  purchase orders, e.g. 1 hour per €2,000 invoiced);
- ``share_of_hours_worked``: hours worked on the contract × share;
- ``fixed_hours``: a number of hours written in the contract.

Rounding rule: the exact value is a Decimal; the obligation is rounded to the nearest
whole hour, halves rounded up (666.5 h → 667 h). Rounding to the nearest keeps the
result monotonic in each input and never more than half an hour from the exact value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class ObligationMode(StrEnum):
    AMOUNT_BASED = "amount_based"
    PER_EURO_INVOICED = "per_euro_invoiced"
    SHARE_OF_HOURS_WORKED = "share_of_hours_worked"
    FIXED_HOURS = "fixed_hours"


# The inputs each mode needs, in the order they are shown.
REQUIRED_INPUTS: dict[ObligationMode, tuple[str, ...]] = {
    ObligationMode.AMOUNT_BASED: ("amount", "labour_share", "insertion_rate", "hourly_cost"),
    ObligationMode.PER_EURO_INVOICED: ("invoiced_amount", "euros_per_hour"),
    ObligationMode.SHARE_OF_HOURS_WORKED: ("hours_worked", "share_of_hours"),
    ObligationMode.FIXED_HOURS: ("fixed_hours",),
}

# Inputs that are ratios between 0 and 1 (shown as percentages).
RATIO_INPUTS = frozenset({"labour_share", "insertion_rate", "share_of_hours"})
# A ratio of 0 would make a clause that requires nothing: typed by mistake, or a contract
# without labour, which needs another mode (a fixed number of hours), not a clause at 0 %.
ZERO_RATIO_ERRORS: dict[str, str] = {
    "labour_share": (
        "La part de main-d'œuvre doit être supérieure à 0 % : sans main-d'œuvre, le marché "
        "ne peut pas porter d'heures d'insertion."
    ),
    "insertion_rate": (
        "Le taux d'insertion doit être supérieur à 0 % : à 0 %, la clause n'exigerait aucune heure."
    ),
    "share_of_hours": (
        "La part des heures travaillées doit être supérieure à 0 % : à 0 %, la clause "
        "n'exigerait aucune heure."
    ),
}
# Inputs that divide: they must be strictly positive.
DIVISOR_INPUTS = frozenset({"hourly_cost", "euros_per_hour"})

INPUT_LABELS: dict[str, str] = {
    "amount": "montant HT",
    "labour_share": "part de main-d'œuvre",
    "insertion_rate": "taux d'insertion",
    "hourly_cost": "coût horaire",
    "invoiced_amount": "montant facturé",
    "euros_per_hour": "euros facturés par heure",
    "hours_worked": "heures travaillées",
    "share_of_hours": "part des heures travaillées",
    "fixed_hours": "nombre d'heures",
}


class ObligationInputError(ValueError):
    """An input is missing or out of range; ``errors`` maps each input to a French message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name} : {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ObligationInputs:
    mode: ObligationMode
    amount: Decimal | None = None
    labour_share: Decimal | None = None
    insertion_rate: Decimal | None = None
    hourly_cost: Decimal | None = None
    invoiced_amount: Decimal | None = None
    euros_per_hour: Decimal | None = None
    hours_worked: Decimal | None = None
    share_of_hours: Decimal | None = None
    fixed_hours: Decimal | None = None

    def used(self) -> dict[str, Decimal]:
        """The inputs this mode uses, by name (all present once validated)."""
        return {
            name: value
            for name in REQUIRED_INPUTS[self.mode]
            if (value := getattr(self, name)) is not None
        }


@dataclass(frozen=True)
class Obligation:
    inputs: ObligationInputs
    exact_hours: Decimal
    hours: int


def validate_inputs(inputs: ObligationInputs) -> None:
    errors: dict[str, str] = {}
    for name in REQUIRED_INPUTS[inputs.mode]:
        value = getattr(inputs, name)
        if value is None:
            errors[name] = "Ce champ est nécessaire pour ce mode de calcul."
        elif value < 0:
            errors[name] = "La valeur ne peut pas être négative."
        elif name in DIVISOR_INPUTS and value == 0:
            errors[name] = "La valeur doit être supérieure à zéro."
        elif name in RATIO_INPUTS and value == 0:
            errors[name] = ZERO_RATIO_ERRORS[name]
        elif name in RATIO_INPUTS and value > 1:
            errors[name] = "Un pourcentage ne peut pas dépasser 100 %."
    if errors:
        raise ObligationInputError(errors)


def exact_hours(inputs: ObligationInputs) -> Decimal:
    validate_inputs(inputs)
    values = inputs.used()
    match inputs.mode:
        case ObligationMode.AMOUNT_BASED:
            return (values["amount"] * values["labour_share"] * values["insertion_rate"]) / values[
                "hourly_cost"
            ]
        case ObligationMode.PER_EURO_INVOICED:
            return values["invoiced_amount"] / values["euros_per_hour"]
        case ObligationMode.SHARE_OF_HOURS_WORKED:
            return values["hours_worked"] * values["share_of_hours"]
        case ObligationMode.FIXED_HOURS:
            return values["fixed_hours"]
    raise AssertionError(f"unknown mode {inputs.mode}")  # pragma: no cover


def round_hours(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compute_obligation(inputs: ObligationInputs) -> Obligation:
    """The hours a clause requires, with the inputs that gave them."""
    exact = exact_hours(inputs)
    return Obligation(inputs=inputs, exact_hours=exact, hours=round_hours(exact))
