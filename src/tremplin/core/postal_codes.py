"""French postal codes: which exist, and the département they belong to. Pure: no Django.

A postal code has 5 digits and begins with its département: 01 to 95 in metropolitan
France, 971 to 976 overseas (Saint-Barthélemy 97133 and Saint-Martin 97150 are in 971).
Corsica is 20: 200xx and 201xx are Corse-du-Sud (2A), 202xx and 206xx Haute-Corse (2B),
and no other 20xxx is given. Monaco, served by La Poste, has 980xx: a company or a person
may be based there and work in France, but it is no département.

The Pacific collectivities (98600 Wallis-et-Futuna, 987xx French Polynesia, 988xx New
Caledonia) and the French Southern Lands (984xx) are refused: their own labour and public
procurement laws apply there, not the social clauses Tremplin follows.
"""

from __future__ import annotations

METROPOLITAN_DEPARTMENTS = frozenset(
    {f"{number:02d}" for number in range(1, 96) if number != 20} | {"2A", "2B"}
)
OVERSEAS_DEPARTMENTS = frozenset({"971", "972", "973", "974", "975", "976"})
DEPARTMENT_CODES = METROPOLITAN_DEPARTMENTS | OVERSEAS_DEPARTMENTS
_CORSICA = {"0": "2A", "1": "2A", "2": "2B", "6": "2B"}
MONACO_PREFIX = "980"
_PACIFIC_AND_SOUTHERN_LANDS = ("984", "986", "987", "988")


def compact(postal_code: str) -> str:
    """The code as stored: without the spaces people type (97 600)."""
    return "".join((postal_code or "").split())


def department_of(postal_code: str) -> str:
    """The département of a French postal code: "91" for 91300, "976" for 97600,
    "2A"/"2B" for Corsica; "" for Monaco and for a code that does not exist."""
    code = compact(postal_code)
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return ""
    if code.startswith("20"):
        return _CORSICA.get(code[2], "")
    prefix = code[:3] if code.startswith("97") else code[:2]
    return prefix if prefix in DEPARTMENT_CODES else ""


def postal_code_problem(postal_code: str) -> str | None:
    """Why a postal code cannot exist, in French; None for a real one (or none at all)."""
    code = compact(postal_code)
    if not code or department_of(code):
        return None
    five_digits = len(code) == 5 and code.isascii() and code.isdigit()
    if five_digits and code.startswith(MONACO_PREFIX):
        return None
    intro = f"Le code postal {code[:12]} n'existe pas : "
    if not five_digits:
        return intro + "un code postal compte 5 chiffres, par exemple 91300 ou 97600."
    if code.startswith("20"):
        return intro + (
            "en Corse, les codes postaux commencent par 200 ou 201 (Corse-du-Sud) "
            "et par 202 ou 206 (Haute-Corse)."
        )
    if code.startswith("97"):
        return intro + (
            "outre-mer, les codes postaux commencent par 971 à 976 "
            "(Saint-Barthélemy et Saint-Martin sont en 971 : 97133, 97150)."
        )
    if code.startswith(_PACIFIC_AND_SOUTHERN_LANDS):
        return (
            f"Le code postal {code} est celui d'une collectivité du Pacifique ou des Terres "
            "australes, où s'appliquent un droit du travail et un droit de la commande "
            "publique propres : Tremplin ne peut pas y suivre de clause sociale."
        )
    return intro + (
        f"aucun département ne porte le numéro {code[:2]}. Un code postal commence par le "
        "numéro de son département : 01 à 95, ou 971 à 976 outre-mer."
    )
