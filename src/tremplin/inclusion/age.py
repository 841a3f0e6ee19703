"""A person's age on a given day. Pure: no Django."""

from dataclasses import dataclass
from datetime import date

MINIMUM_AGE = 16


def age_on(birth_date: date, today: date) -> int:
    """Complete years lived on ``today`` (a person born on 29 February ages on 1 March)."""
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def years_ago(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


@dataclass(frozen=True)
class AgeBand:
    """An age band of the reports: from ``youngest`` to ``oldest`` years old (inclusive)."""

    key: str
    label: str
    youngest: int
    oldest: int | None = None

    def birth_dates(self, day: date) -> tuple[date | None, date | None]:
        """(born after, born on or before): who is in the band on ``day``, as birth dates."""
        born_after = years_ago(day, self.oldest + 1) if self.oldest is not None else None
        born_by = years_ago(day, self.youngest) if self.youngest else None
        return born_after, born_by


# The bands of the indicators and of the lists they link to.
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("under_26", "moins de 26 ans", 0, 25),
    AgeBand("26_49", "26 à 49 ans", 26, 49),
    AgeBand("50_plus", "50 ans et plus", 50),
)
