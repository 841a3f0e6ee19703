"""European Social Fund (ESF+) participant data: pseudonyms and age bands. Pure: no Django.

Partners receive participant-level rows. Unless the user may see names, a row carries a
pseudonym instead: stable (the same person gets the same pseudonym in every export, so
that entry and exit rows can be matched), and impossible to reverse without the
platform's secret key (an HMAC, not a plain hash of the id, which anyone could recompute).

Ages are counted in complete years on the day of entry. The database computes them the
same way with ``date_key``: for two dates, ``(key(day) - key(birth)) // 10000`` is the
age in complete years, an integer computation every database can do on date parts.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

PSEUDONYM_PREFIX = "P-"
PSEUDONYM_LENGTH = 8

# The age bands of the ESF+ common output indicators (EECO05 to EECO07), with the middle
# band the indicators leave out, so that every participant falls into exactly one band.
UNDER_18 = "moins de 18 ans"
FROM_18_TO_29 = "18 à 29 ans"
FROM_30_TO_54 = "30 à 54 ans"
FROM_55 = "55 ans et plus"
AGE_BANDS = (UNDER_18, FROM_18_TO_29, FROM_30_TO_54, FROM_55)


def pseudonym(participant_id: int, secret: str) -> str:
    """A stable pseudonym such as ``P-3F9A2C7B``: HMAC-SHA256 of the id with ``secret``."""
    digest = hmac.new(
        secret.encode("utf-8"), f"participant:{participant_id}".encode(), hashlib.sha256
    ).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_LENGTH].upper()


def date_key(day: date) -> int:
    """``2026-11-22`` → ``20261122``: the difference of two keys, divided by 10 000, is an age."""
    return day.year * 10000 + day.month * 100 + day.day


def age_in_years(birth_date: date, day: date) -> int:
    """Complete years lived on ``day``, by the date keys the database uses too."""
    return (date_key(day) - date_key(birth_date)) // 10000


def age_band(age: int) -> str:
    """The ESF+ age band of an age in complete years."""
    if age < 18:
        return UNDER_18
    if age < 30:
        return FROM_18_TO_29
    if age < 55:
        return FROM_30_TO_54
    return FROM_55
