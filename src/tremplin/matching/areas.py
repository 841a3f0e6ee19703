"""Which prescribers a hiring need is shown to: the départements they cover. Pure: no Django.

A prescriber lists the départements it works in ("91, 78"); an empty list means the whole
territory of its network. A need is placed by the postal code of its place of work.
"""

import re

from tremplin.core.postal_codes import department_of

__all__ = ["covers", "department_of", "parse_departments"]

_SEPARATORS = re.compile(r"[\s,;]+")


def parse_departments(text: str) -> frozenset[str]:
    """The département codes of a prescriber's area, as typed ("91, 78 ;2A")."""
    return frozenset(part.upper() for part in _SEPARATORS.split(text.strip()) if part)


def covers(area_departments: str, postal_code: str) -> bool:
    """Whether an area (empty: everywhere in the network) covers a place of work."""
    area = parse_departments(area_departments)
    if not area:
        return True
    return department_of(postal_code) in area
