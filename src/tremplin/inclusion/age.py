"""A person's age on a given day. Pure: no Django."""

from dataclasses import dataclass
from datetime import date

# Old enough to work: 16, the end of compulsory schooling. Young enough to be plausible:
# the publics of the clauses include job seekers over 50 and people may work past the
# pension age, but a person over 80 in an insertion job is far less likely than a slip of
# the year (1926 for 1996).
MINIMUM_AGE = 16
MAXIMUM_AGE = 80


def age_on(birth_date: date, today: date) -> int:
    """Complete years lived on ``today`` (a person born on 29 February ages on 1 March)."""
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birth_date_problem(birth_date: date, today: date, who: str) -> str | None:
    """Why ``birth_date`` cannot be that of a person at work on ``today``, in French
    (``who``: "Un participant"); None when it can."""
    if birth_date > today:
        return "La date de naissance ne peut pas être dans le futur."
    age = age_on(birth_date, today)
    if age < MINIMUM_AGE:
        return (
            f"{who} doit avoir au moins {MINIMUM_AGE} ans "
            f"(la personne née le {birth_date:%d/%m/%Y} en a {age})."
        )
    if age > MAXIMUM_AGE:
        return (
            f"{who} a au plus {MAXIMUM_AGE} ans : la personne née le "
            f"{birth_date:%d/%m/%Y} en aurait {age}. Vérifiez l'année de naissance."
        )
    return None


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
