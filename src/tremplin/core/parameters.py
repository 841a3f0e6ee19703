"""What a page reads from an address or a form's raw data: ids and days. Pure: no Django.

An address can say anything (``?marche=99999999999999999999``, ``?du=2026-02-30``): what
is not a possible id or day reads as absent, so that a filter is ignored instead of
reaching the database, which would fail on an integer wider than its columns.
"""

from __future__ import annotations

from datetime import date

# The widest key of the database: a 64-bit signed integer (PostgreSQL bigint, SQLite INTEGER).
MAX_DATABASE_ID = 2**63 - 1


def id_parameter(value: object) -> int | None:
    """A database id written in ASCII digits, or None (absent, text, 0, negative, too wide)."""
    text = str(value).strip() if value is not None else ""
    # isdigit alone accepts "²", which int() refuses; the length bounds int()'s work.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_DATABASE_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_DATABASE_ID else None


def id_parameters(values: object) -> set[int]:
    """The possible database ids among ``values``."""
    if not isinstance(values, list | tuple | set | frozenset):
        return set()
    return {number for value in values if (number := id_parameter(value)) is not None}


def date_parameter(value: object) -> date | None:
    """A day written 2026-05-31, or None (absent, malformed, impossible like 2026-02-30)."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def year_parameter(value: object, *, lowest: int = 1901, highest: int = 2999) -> int | None:
    """A year between ``lowest`` and ``highest``, or None."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) != 4:
        return None
    year = int(text)
    return year if lowest <= year <= highest else None
