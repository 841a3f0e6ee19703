"""SIRET validation, with French messages."""

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

from tremplin.core.postal_codes import DEPARTMENT_CODES


def normalise_siret(value: str) -> str:
    """Drop the spaces and dots people type in a SIRET."""
    return stdnum_siret.compact(value or "")


def validate_siret(value: str) -> None:
    """14 digits with a valid Luhn key (La Poste's establishments have their own rule)."""
    if not value:
        return
    try:
        stdnum_siret.validate(value)
    except InvalidLength as error:
        raise ValidationError(
            "Le SIRET doit compter 14 chiffres (%(count)s saisis).",
            code="siret_length",
            params={"count": len(normalise_siret(value))},
        ) from error
    except InvalidFormat as error:
        raise ValidationError(
            "Le SIRET ne doit contenir que des chiffres.", code="siret_format"
        ) from error
    except InvalidChecksum as error:
        raise ValidationError(
            "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez les 14 chiffres.",
            code="siret_checksum",
        ) from error


_AREA_SEPARATORS = re.compile(r"[\s,;]+")


def normalise_departments(text: str) -> str:
    """A prescriber's area as typed ("91 ;78, 2a"), checked and written "2A, 78, 91".

    The separators are those the matching of hiring needs reads (matching.areas)."""
    codes = {part.upper() for part in _AREA_SEPARATORS.split((text or "").strip()) if part}
    # An area lists the départements a need's postal code can fall in (and nothing else).
    unknown = sorted(code for code in codes if code not in DEPARTMENT_CODES)
    if unknown:
        raise ValidationError(
            "Code de département inconnu : %(codes)s. Écrivez les codes séparés par des "
            "virgules, par exemple « 91, 78 » ou « 976 ».",
            code="department_unknown",
            params={"codes": ", ".join(unknown)},
        )
    return ", ".join(sorted(codes))
