"""A person's age on a given day. Pure: no Django."""

from datetime import date

MINIMUM_AGE = 16


def age_on(birth_date: date, today: date) -> int:
    """Complete years lived on ``today`` (a person born on 29 February ages on 1 March)."""
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
