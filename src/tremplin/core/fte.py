"""Full-time equivalents. Pure: no Django.

FTE = hours ÷ hours per FTE, where *hours per FTE* is a network setting: 1,607 (the legal
annual working time, the default) or 1,820 (35 h × 52 weeks, Mayotte's convention).

Rounding rule: the exact value is kept as a Decimal; a headline figure counts only the
complete full-time equivalents (rounded down), so that an impact is never overstated.
258,000 hours at 1,820 hours per FTE are 141.76 FTE, shown as "141 ETP".
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

LEGAL_ANNUAL_HOURS = 1607
MAYOTTE_CONVENTION_HOURS = 1820


def full_time_equivalents(hours: Decimal | int, hours_per_fte: int) -> Decimal:
    """Exact FTE for ``hours``; raises on a non-positive convention or negative hours."""
    if hours_per_fte <= 0:
        raise ValueError("hours_per_fte must be positive")
    hours = Decimal(hours)
    if hours < 0:
        raise ValueError("hours must not be negative")
    return hours / Decimal(hours_per_fte)


def whole_full_time_equivalents(hours: Decimal | int, hours_per_fte: int) -> int:
    """Complete FTE only (rounded down): the headline figure."""
    return int(full_time_equivalents(hours, hours_per_fte).to_integral_value(rounding=ROUND_DOWN))


def rounded_full_time_equivalents(
    hours: Decimal | int, hours_per_fte: int, places: int = 1
) -> Decimal:
    """FTE rounded down to ``places`` decimals, for tables where precision helps."""
    quantum = Decimal(1).scaleb(-places)
    return full_time_equivalents(hours, hours_per_fte).quantize(quantum, rounding=ROUND_DOWN)


def exact_full_time_equivalents(hours: Decimal | int, hours_per_fte: int) -> Decimal:
    """FTE to the hundredth, rounded to the nearest: the "exact value" shown beside a
    headline (258,000 h at 1,820 h: 141.76)."""
    return full_time_equivalents(hours, hours_per_fte).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
