"""Possible duplicate participants: the same person recorded twice.

Pure computation, explainable to a facilitator: names are compared once simplified (no
case, accents, hyphens, spaces or apostrophes), spellings are "close" when a letter or
two differ (Damerau–Levenshtein distance: a letter added, removed, replaced or two
neighbours swapped), and birth dates must be equal or differ by a day/month swap.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

SAME = "même nom et même date de naissance"
CLOSE = "orthographe proche"
SWAPPED_DATE = "jour et mois inversés"


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    birth_date: datetime.date


def normalise(name: str) -> str:
    """ "Jean-Hélène d'Ahamadi " -> "jeanhelenedahamadi"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance (optimal string alignment)."""
    if a == b:
        return 0
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def tolerance(a: str, b: str) -> int:
    """How many letters may differ: none in a short name, one up to 8 letters, then two."""
    length = min(len(a), len(b))
    if length <= 3:
        return 0
    if length <= 8:
        return 1
    return 2


def close(a: str, b: str) -> bool:
    """Two simplified names are spelled closely enough to be the same."""
    return distance(a, b) <= tolerance(a, b)


def swapped_day_month(value: datetime.date) -> datetime.date | None:
    """The date with day and month swapped (12/03 -> 03/12), if it exists and differs."""
    if value.day == value.month or value.day > 12:
        return None
    return value.replace(month=value.day, day=value.month)


def _names(person: Person) -> tuple[str, str]:
    return normalise(person.first_name), normalise(person.last_name)


def _same_names(a: Person, b: Person) -> bool:
    first_a, last_a = _names(a)
    first_b, last_b = _names(b)
    return (first_a, last_a) == (first_b, last_b) or (first_a, last_a) == (last_b, first_b)


def _close_names(a: Person, b: Person) -> bool:
    first_a, last_a = _names(a)
    first_b, last_b = _names(b)
    straight = close(first_a, first_b) and close(last_a, last_b)
    crossed = close(first_a, last_b) and close(last_a, first_b)
    return straight or crossed


def match(a: Person, b: Person) -> str | None:
    """Why ``a`` and ``b`` may be the same person (a reason in words), or None."""
    if a.birth_date == b.birth_date:
        first_a, last_a = _names(a)
        first_b, last_b = _names(b)
        if (first_a, last_a) == (first_b, last_b):
            return SAME
        if _close_names(a, b):
            return CLOSE
        return None
    if swapped_day_month(a.birth_date) == b.birth_date and _same_names(a, b):
        return SWAPPED_DATE
    return None
