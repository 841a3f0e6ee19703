"""The one-paragraph summary of an impact report, in French. Pure: no Django.

"258 000 heures d'insertion générées par 89 marchés, soit 141 emplois équivalents temps
plein." Figures are grouped by thousands with a no-break space, as the pages show them
(``core.templatetags.french``), so the PDF and the dashboard read the same.
"""

from __future__ import annotations

from decimal import Decimal

NO_BREAK_SPACE = "\u00a0"


def grouped(value: int | Decimal) -> str:
    """``258 000``; decimals only when there are some (``12,5``), as the ``hours`` filter."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", NO_BREAK_SPACE)
    whole, _, decimals = f"{number.quantize(Decimal('0.01')).normalize():f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}".replace(",", NO_BREAK_SPACE) + "," + decimals


def plural(count: int | Decimal, singular: str, plural_form: str) -> str:
    """French agreement: singular below 2 (0 heure, 1,5 heure), plural from 2 on."""
    return singular if abs(Decimal(count)) < 2 else plural_form


def impact_summary(*, hours: Decimal | int, contracts: int, whole_fte: int) -> str:
    """The headline sentence of a report: hours, the contracts that carried them, and FTE."""
    hours_part = (
        f"{grouped(hours)} {plural(hours, 'heure', 'heures')} d'insertion "
        f"{plural(hours, 'générée', 'générées')}"
    )
    contracts_part = f"{grouped(contracts)} {plural(contracts, 'marché', 'marchés')}"
    fte_part = (
        f"{grouped(whole_fte)} "
        f"{plural(whole_fte, 'emploi équivalent', 'emplois équivalents')} temps plein"
    )
    return f"{hours_part} par {contracts_part}, soit {fte_part}"
