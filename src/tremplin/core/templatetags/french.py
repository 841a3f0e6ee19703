"""French number formatting: ``258 000`` heures, ``1 234 567 €``, ``141`` ETP, ``25,3 Mo``."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from tremplin.core.fte import exact_full_time_equivalents, whole_full_time_equivalents
from tremplin.core.uploads import size_text

register = template.Library()


def _grouped(value: Decimal | int | float, decimal_pos: int | None) -> str:
    if decimal_pos is not None:
        # Django's number_format cuts the extra decimals off; a figure is rounded (2/3 → 67 %).
        value = Decimal(value).quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)
    return number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


@register.filter
def hours(value: Decimal | int | float | None) -> str:
    """Hours with grouped thousands; decimals only when there are some (``12,5``)."""
    if value is None:
        return "0"
    value = Decimal(value)
    if value == value.to_integral_value():
        return _grouped(int(value), None)
    return _grouped(value.quantize(Decimal("0.01")).normalize(), None)


@register.filter
def euros(value: Decimal | int | float | None) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return f"{_grouped(value, places)}\u00a0€"


@register.filter
def number(value: Decimal | int | float | None, places: int = 0) -> str:
    if value is None:
        return "0"
    return _grouped(value, places)


@register.filter
def percent(value: Decimal | float | None, places: int = 0) -> str:
    """A ratio (0.05) as a French percentage (``5 %``)."""
    if value is None:
        return "—"
    return f"{_grouped(Decimal(value) * 100, places)}\u00a0%"


@register.filter
def whole_fte(value: Decimal | int | None, hours_per_fte: int) -> str:
    return _grouped(whole_full_time_equivalents(value or 0, hours_per_fte), None)


@register.filter
def fte(value: Decimal | int | None, hours_per_fte: int) -> str:
    """FTE to the hundredth, for a table or a sheet: 300 h at 1 607 h are « 0,19 », not
    the « 0 » of the headline's complete FTE; a few hours read « < 0,01 », never « 0 »."""
    exact = exact_full_time_equivalents(value or 0, hours_per_fte)
    if exact == 0 and value:
        return f"<\u00a0{_grouped(Decimal('0.01'), 2)}"
    return _grouped(exact, 2)


@register.filter
def file_size(value: int | None) -> str:
    """``25,3 Mo`` where Django's ``filesizeformat`` writes ``25,3 Mio``."""
    return size_text(value or 0)
