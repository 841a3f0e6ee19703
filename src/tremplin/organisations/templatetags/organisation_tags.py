"""How organisations' identifiers are shown."""

from django import template

from tremplin.organisations.validators import normalise_siret

register = template.Library()


@register.filter
def siret(value: str | None) -> str:
    """A SIRET as people read it: ``123 456 789 00012`` (SIREN, then the establishment)."""
    digits = normalise_siret(value or "")
    if len(digits) != 14:
        return digits
    return f"{digits[:3]}\u00a0{digits[3:6]}\u00a0{digits[6:9]}\u00a0{digits[9:]}"
