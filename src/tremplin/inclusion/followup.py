"""When a participant's situation six months after leaving is due. No Django here.

The six-month situation is due on the exit date plus six calendar months (31 August +
6 months = 28 February); it may be observed from 15 days before that date, since
facilitators reach people when they can.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

FOLLOW_UP_MONTHS = 6
TOLERANCE_DAYS = 15


def add_months(value: date, months: int) -> date:
    """The same day ``months`` later (or earlier), kept inside the month it lands in."""
    year, index = divmod(value.month - 1 + months, 12)
    year += value.year
    month = index + 1
    return date(year, month, min(value.day, calendar.monthrange(year, month)[1]))


def six_month_due(exit_date: date) -> date:
    """The day the six-month situation is due."""
    return add_months(exit_date, FOLLOW_UP_MONTHS)


def six_month_earliest(exit_date: date) -> date:
    """The first day the six-month situation may be observed."""
    return six_month_due(exit_date) - timedelta(days=TOLERANCE_DAYS)


def exits_due_by(today: date) -> date:
    """The latest exit date whose six-month situation is due on ``today``.

    ``six_month_due`` never decreases, so "due on or before today" is the same as "exit
    on or before this date": a database can filter on it without date arithmetic.
    """
    back = add_months(today, -FOLLOW_UP_MONTHS)
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        # On the last day of a month, every later day of the month six months back is
        # due too (31 August + 6 months = 28 February).
        return back.replace(day=calendar.monthrange(back.year, back.month)[1])
    return back
