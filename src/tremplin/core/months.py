"""Months as a French reader names them. Pure: no Django, no locale of the process."""

from datetime import date

MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def month_name(month: date) -> str:
    """``octobre 2026``."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"
