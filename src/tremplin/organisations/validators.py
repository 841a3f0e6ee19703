"""SIRET validation, with French messages."""

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret


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
