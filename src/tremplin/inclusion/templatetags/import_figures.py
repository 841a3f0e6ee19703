"""Figures of the imports of hours as a reader wants them."""

from decimal import Decimal

from django import template

from tremplin.core.templatetags.french import hours

register = template.Library()


@register.filter
def signed_hours(value: Decimal | int | None) -> str:
    """A change of hours, its sign always written: ``+25``, ``−15``, ``0``."""
    value = Decimal(value or 0)
    if value > 0:
        return f"+{hours(value)}"
    if value < 0:
        return f"−{hours(-value)}"
    return "0"
