"""Pooling ("globalisation") of one person's hours across several contracts. Pure: no Django.

When one company owes insertion hours to several buyers, one participant's longer job can
carry them all: each contract receives a share of every month's hours. ``shares`` turns
the facilitator's rule into shares; ``split`` divides a month's hours by those shares,
to the hundredth of an hour, so that the parts add up exactly to the month's total.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

# The rules, as stored (``inclusion.enums.SharingRule`` holds the same values).
PRO_RATA_OBLIGATION = "obligation"
PRO_RATA_REMAINING = "remaining"
EQUAL = "equal"
MANUAL = "manual"
PRO_RATA_RULES = frozenset({PRO_RATA_OBLIGATION, PRO_RATA_REMAINING})
RULES = frozenset({PRO_RATA_OBLIGATION, PRO_RATA_REMAINING, EQUAL, MANUAL})

# Shares are kept to the millionth (38.0123 %), hours to the hundredth.
SHARE_UNIT = Decimal("0.000001")
HOUR_UNIT = Decimal("0.01")
HUNDRED = Decimal(100)

K = TypeVar("K", bound=Hashable)


def _french(value: Decimal) -> str:
    """``18280`` → ``18 280``, ``12.50`` → ``12,5``: numbers of the messages."""
    value = value.normalize() if value == value.to_integral_value() else value
    whole, _, decimals = f"{value:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    text = sign + "\u202f".join(groups or ["0"])
    decimals = decimals.rstrip("0")
    return f"{text},{decimals}" if decimals else text


def falls_back_to_equal(rule: str, bases: Mapping[K, Decimal]) -> bool:
    """A pro rata of nothing (no contract requires or still owes hours) is equal shares."""
    return rule in PRO_RATA_RULES and all(Decimal(basis) == 0 for basis in bases.values())


def shares(rule: str, bases: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Each contract's share (0 < share ≤ 1, summing exactly to 1) under ``rule``.

    ``bases`` holds, per contract, the number the share is computed from: its obligation
    in hours (pro rata of obligations), the hours it still owed (pro rata of hours owed),
    anything (equal shares) or the percentage set by hand (manual, summing to 100).
    Raises ValueError with a French message when the rule cannot apply.
    """
    if rule not in RULES:
        raise ValueError(f"Règle de répartition inconnue : « {rule} ».")
    if not bases:
        raise ValueError("Choisissez les marchés entre lesquels répartir les heures.")
    if any(Decimal(basis) < 0 for basis in bases.values()):
        raise ValueError("Une base de répartition ne peut pas être négative.")
    if rule == EQUAL or falls_back_to_equal(rule, bases):
        weights: Mapping[K, Decimal] = dict.fromkeys(bases, Decimal(1))
    elif rule == MANUAL:
        total = sum((Decimal(basis) for basis in bases.values()), Decimal(0))
        if any(Decimal(basis) == 0 for basis in bases.values()):
            raise ValueError("Chaque marché doit recevoir une part supérieure à 0 %.")
        if total != HUNDRED:
            raise ValueError(
                f"Les parts saisies totalisent {_french(total)} % : "
                "elles doivent totaliser exactement 100 %."
            )
        weights = bases
    else:
        if any(Decimal(basis) == 0 for basis in bases.values()):
            what = "n'exige aucune heure" if rule == PRO_RATA_OBLIGATION else "ne doit plus d'heure"
            raise ValueError(
                f"Un des marchés {what} : au prorata, sa part serait nulle. "
                "Retirez-le de la mutualisation ou choisissez une autre règle."
            )
        weights = bases
    result = split_units(Decimal(1), weights, unit=SHARE_UNIT)
    if any(share <= 0 for share in result.values()):
        raise ValueError(
            "Une part serait inférieure à un millionième : la répartition est impossible."
        )
    return result


def split(total: Decimal, shares: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """``total`` hours divided by ``shares``, to the hundredth of an hour, the parts summing
    exactly to ``total`` (largest remainder method; ties go to the first contract)."""
    return split_units(total, shares, unit=HOUR_UNIT)


def split_units(total: Decimal, weights: Mapping[K, Decimal], *, unit: Decimal) -> dict[K, Decimal]:
    """``total`` divided in proportion to ``weights`` in whole ``unit``s.

    Each part first gets the whole units of its exact part; the units left over go, one
    each, to the parts with the largest remainders. Exact arithmetic (fractions) makes it
    deterministic: the same input always gives the same parts.
    """
    total = Decimal(total)
    if total < 0:
        raise ValueError("Les heures ne peuvent pas être négatives.")
    if not weights:
        raise ValueError("Choisissez les marchés entre lesquels répartir les heures.")
    units = Fraction(total) / Fraction(unit)
    if units.denominator != 1:
        raise ValueError(f"{_french(total)} : au plus {_french(unit)} près.")
    fractions = {key: Fraction(Decimal(weight)) for key, weight in weights.items()}
    if any(weight < 0 for weight in fractions.values()):
        raise ValueError("Une part ne peut pas être négative.")
    weight_sum = sum(fractions.values(), Fraction(0))
    if weight_sum == 0:
        raise ValueError("Les parts sont toutes nulles : la répartition est impossible.")
    exact = {key: units * weight / weight_sum for key, weight in fractions.items()}
    whole = {key: part.numerator // part.denominator for key, part in exact.items()}
    left = int(units) - sum(whole.values())
    remainders = [(exact[key] - whole[key], index, key) for index, key in enumerate(exact)]
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, _, key in remainders[:left]:
        whole[key] += 1
    return {key: (Decimal(count) * unit).quantize(unit) for key, count in whole.items()}


# How a share is explained to the facilitator and to each buyer --------------------------

RULE_PHRASES = {
    PRO_RATA_OBLIGATION: "réparties au prorata des obligations d'heures des marchés",
    PRO_RATA_REMAINING: "réparties au prorata des heures restant dues sur chaque marché",
    EQUAL: "réparties à parts égales entre les marchés",
    MANUAL: "réparties selon des parts fixées par la structure de facilitation",
}


def percent_text(share: Decimal) -> str:
    """``0.379978`` → ``38,0 %``."""
    tenths = (Decimal(share) * HUNDRED).quantize(Decimal("0.1"))
    return f"{tenths:f}".replace(".", ",") + "\u00a0%"


def formula(rule: str, basis: Decimal, total_basis: Decimal, share: Decimal, count: int) -> str:
    """How a contract's share was computed, in words: ``6 946 h ÷ 18 280 h = 38,0 %``."""
    result = percent_text(share)
    if rule in PRO_RATA_RULES and Decimal(total_basis) == 0:
        return f"aucune heure à répartir au prorata : parts égales, 1 ÷ {count} = {result}"
    if rule == PRO_RATA_OBLIGATION:
        return f"{_french(Decimal(basis))} h ÷ {_french(Decimal(total_basis))} h = {result}"
    if rule == PRO_RATA_REMAINING:
        return (
            f"{_french(Decimal(basis))} h restant dues ÷ {_french(Decimal(total_basis))} h "
            f"= {result}"
        )
    if rule == EQUAL:
        return f"1 ÷ {count} = {result}"
    return f"part fixée à {result}"
