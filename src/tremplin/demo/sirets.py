"""Plausible SIRET numbers for the demo: 14 digits whose SIREN and SIRET keys are valid.

A SIRET is a SIREN (9 digits, Luhn key) followed by an establishment number (5 digits);
the 14 digits together carry a Luhn key too. Pure: no Django.
"""

from __future__ import annotations

import random


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def luhn_complete(prefix: str) -> str:
    """``prefix`` followed by the digit that makes the whole number Luhn-valid."""
    for digit in "0123456789":
        if luhn_is_valid(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable")  # pragma: no cover


def make_siret(rng: random.Random, first_digit: str = "4") -> str:
    """A SIRET whose SIREN starts with ``first_digit`` (2 for public bodies, 3–8 for companies)."""
    siren = luhn_complete(first_digit + "".join(rng.choice("0123456789") for _ in range(7)))
    establishment = f"{rng.randint(1, 99):04d}"[-4:]
    return luhn_complete(siren + establishment)


class SiretBook:
    """Hands out distinct SIRETs, deterministically from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._given: set[str] = set()

    def next(self, *, public: bool = False) -> str:
        while True:
            first = "2" if public else self._rng.choice("345678")
            siret = make_siret(self._rng, first)
            if siret not in self._given and not siret.startswith("356000000"):
                self._given.add(siret)
                return siret
