"""Which prescribers a hiring need is shown to: the départements they cover. Pure: no Django.

A prescriber lists the départements it works in ("91, 78"); an empty list means the whole
territory of its network. A need is placed by the postal code of its place of work.
"""

import re

_SEPARATORS = re.compile(r"[\s,;]+")


def department_of(postal_code: str) -> str:
    """The département of a French postal code: "91" for 91300, "976" for 97600,
    "2A"/"2B" for Corsica; "" when the code is not a French postal code."""
    code = postal_code.strip().replace(" ", "")
    if len(code) != 5 or not code.isdigit():
        return ""
    if code.startswith("97") or code.startswith("98"):
        return code[:3]
    if code.startswith("20"):
        # Corse-du-Sud is 200xx–201xx, Haute-Corse 202xx–206xx.
        return "2A" if int(code[:3]) < 202 else "2B"
    return code[:2]


def parse_departments(text: str) -> frozenset[str]:
    """The département codes of a prescriber's area, as typed ("91, 78 ;2A")."""
    return frozenset(part.upper() for part in _SEPARATORS.split(text.strip()) if part)


def covers(area_departments: str, postal_code: str) -> bool:
    """Whether an area (empty: everywhere in the network) covers a place of work."""
    area = parse_departments(area_departments)
    if not area:
        return True
    return department_of(postal_code) in area
