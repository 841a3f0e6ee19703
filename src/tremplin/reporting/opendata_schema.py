"""The JSON Schema of the open-data documents, served at /donnees-ouvertes/schema.json.

Pure: no Django. It is the one definition of the format: the page that serves it, the
documentation (docs/open-data.md) and the tests all read it from here.
"""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "tremplin-donnees-ouvertes/v1"

_NUMBER_OR_MASKED: dict[str, Any] = {
    "type": ["number", "null"],
    "minimum": 0,
    "description": "La valeur ; null quand elle est masquée (secret statistique).",
}

_FIGURE: dict[str, Any] = {
    "type": "object",
    "required": ["cle", "libelle", "unite", "valeur", "masque"],
    "additionalProperties": False,
    "properties": {
        "cle": {"type": "string", "description": "Identifiant stable de l'indicateur."},
        "libelle": {"type": "string", "description": "Libellé en français."},
        "unite": {"type": "string", "description": "Unité : heures, ETP, marchés, personnes…"},
        "valeur": _NUMBER_OR_MASKED,
        "masque": {
            "type": "boolean",
            "description": "Vrai quand la valeur repose sur moins de 5 personnes.",
        },
    },
}

_BAR: dict[str, Any] = {
    "type": "object",
    "required": ["cle", "libelle", "valeur", "masque"],
    "additionalProperties": False,
    "properties": {
        "cle": {"type": "string", "description": "Identifiant de la catégorie."},
        "libelle": {"type": "string", "description": "Libellé de la catégorie."},
        "valeur": _NUMBER_OR_MASKED,
        "masque": {"type": "boolean"},
    },
}

_SERIES: dict[str, Any] = {
    "type": "object",
    "required": ["cle", "titre", "unite", "additive", "total", "total_masque", "valeurs", "note"],
    "additionalProperties": False,
    "properties": {
        "cle": {"type": "string"},
        "titre": {"type": "string"},
        "unite": {"type": "string", "enum": ["heures", "personnes"]},
        "additive": {
            "type": "boolean",
            "description": "Vrai quand le total est la somme des valeurs (masquées comprises).",
        },
        "total": _NUMBER_OR_MASKED,
        "total_masque": {"type": "boolean"},
        "valeurs": {"type": "array", "items": _BAR},
        "note": {"type": "string"},
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Tremplin — données ouvertes d'un réseau ou d'un acheteur",
    "description": (
        "Chiffres agrégés et anonymes des clauses sociales : heures d'insertion, marchés, "
        "équivalents temps plein, participants. Toute valeur reposant sur 1 à 4 personnes "
        "est masquée (null), ainsi qu'une seconde valeur quand une seule serait déductible "
        "du total. Licence Ouverte 2.0."
    ),
    "type": "object",
    "required": [
        "$schema",
        "licence",
        "reseau",
        "acheteur",
        "annee",
        "date_generation",
        "seuil_secret_statistique",
        "heures_par_etp",
        "indicateurs",
        "series",
    ],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string", "description": "Adresse de ce schéma."},
        "licence": {
            "type": "object",
            "required": ["nom", "url"],
            "additionalProperties": False,
            "properties": {"nom": {"type": "string"}, "url": {"type": "string"}},
        },
        "reseau": {
            "type": "object",
            "required": ["identifiant", "nom", "territoire"],
            "additionalProperties": False,
            "properties": {
                "identifiant": {"type": "string"},
                "nom": {"type": "string"},
                "territoire": {"type": "string"},
            },
        },
        "acheteur": {
            "type": ["object", "null"],
            "description": "L'acheteur quand le document ne porte que sur ses marchés.",
            "required": ["identifiant", "nom"],
            "additionalProperties": False,
            "properties": {"identifiant": {"type": "integer"}, "nom": {"type": "string"}},
        },
        "annee": {
            "type": ["integer", "null"],
            "description": "L'année des heures retenues ; null pour toute la période.",
        },
        "date_generation": {"type": "string", "format": "date"},
        "seuil_secret_statistique": {"type": "integer", "const": 5},
        "heures_par_etp": {"type": "integer", "minimum": 1},
        "indicateurs": {"type": "array", "items": _FIGURE},
        "series": {"type": "array", "items": _SERIES},
    },
}

# The headline figures, in the order they are published (documented in docs/open-data.md).
FIGURE_KEYS = (
    "heures_insertion",
    "etp",
    "marches_avec_clause",
    "participants",
    "acheteurs",
    "entreprises",
    "heures_exigees",
)
