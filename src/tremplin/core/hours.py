"""What one person can work in a month. Pure: no Django.

French labour law caps work at 48 hours in any week (Code du travail, L3121-20). A
month holds ``days ÷ 7`` weeks, so one person cannot work more than ``48 × days ÷ 7``
hours in it (about 213 hours in a 31-day month). Training hours count in that cap.
"""

import calendar
from decimal import ROUND_DOWN, Decimal

MAX_WEEKLY_HOURS = 48


def max_hours_in_month(year: int, month: int) -> Decimal:
    days = calendar.monthrange(year, month)[1]
    return (Decimal(MAX_WEEKLY_HOURS) * days / 7).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
