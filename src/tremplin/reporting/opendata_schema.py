"""The JSON Schema of the open-data documents, served at /donnees-ouvertes/schema.json.

Pure: no Django. It is the one definition of the format: the page that serves it, the
documentation (docs/open-data.md) and the tests all read it from here.
"""

from __future__ import annotations

from typing import Any

from tremplin.core.definitions import PEOPLE_WITH_HOURS

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
        "cle": {
            "type": "string",
            "description": "Identifiant stable de l'indicateur. « participants » : "
            + PEOPLE_WITH_HOURS.label
            + ", "
            + PEOPLE_WITH_HOURS.definition[0].lower()
            + PEOPLE_WITH_HOURS.definition[1:],
        },
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

# Responsible purchasing (SPASER), one object per year: (key, French label, unit). Counts
# are contracts, amounts euros excluding tax, shares percentages (0 to 100, one decimal,
# null when nothing was notified), gaps and changes percentage points.
PURCHASING_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("marches", "Marchés notifiés", "marchés"),
    ("montant", "Montant HT des marchés notifiés", "euros"),
    ("marches_suivis", "dont marchés suivis dans Tremplin", "marchés"),
    ("donnees_decp", "dont marchés connus par les seules données DECP", "marchés"),
    ("marches_sociaux", "Marchés avec une considération sociale", "marchés"),
    ("part_marches_sociaux", "Part des marchés avec une considération sociale", "%"),
    ("montant_social", "Montant HT des marchés avec une considération sociale", "euros"),
    ("part_montant_social", "Part du montant avec une considération sociale", "%"),
    ("marches_environnementaux", "Marchés avec une considération environnementale", "marchés"),
    (
        "part_marches_environnementaux",
        "Part des marchés avec une considération environnementale",
        "%",
    ),
    (
        "montant_environnemental",
        "Montant HT des marchés avec une considération environnementale",
        "euros",
    ),
    (
        "part_montant_environnemental",
        "Part du montant avec une considération environnementale",
        "%",
    ),
    ("marches_reserves", "Marchés réservés", "marchés"),
    ("part_marches_reserves", "Part des marchés réservés", "%"),
    ("montant_reserve", "Montant HT des marchés réservés", "euros"),
    ("part_montant_reserve", "Part du montant des marchés réservés", "%"),
    (
        "objectif_part_sociale",
        "Objectif national : part des marchés avec une considération sociale",
        "%",
    ),
    ("ecart_objectif", "Écart de la part sociale à l'objectif national", "points"),
    ("evolution_part_sociale", "Évolution sur un an de la part sociale", "points"),
    (
        "evolution_part_environnementale",
        "Évolution sur un an de la part environnementale",
        "points",
    ),
    ("evolution_part_reserves", "Évolution sur un an de la part des marchés réservés", "points"),
)

_PURCHASING_TYPES: dict[str, dict[str, Any]] = {
    "marchés": {"type": "integer", "minimum": 0},
    "euros": {"type": "number", "minimum": 0},
    "%": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
    "points": {"type": ["number", "null"]},
}

_PURCHASING_YEAR: dict[str, Any] = {
    "type": "object",
    "required": ["annee", *(key for key, _, _ in PURCHASING_FIELDS)],
    "additionalProperties": False,
    "properties": {
        "annee": {"type": "integer", "description": "Année de notification des marchés."},
        **{
            key: {**_PURCHASING_TYPES[unit], "description": f"{label} ({unit})."}
            for key, label, unit in PURCHASING_FIELDS
        },
    },
}

_PURCHASING: dict[str, Any] = {
    "type": "object",
    "description": (
        "Achats responsables (SPASER) : les marchés notifiés chaque année, suivis dans "
        "Tremplin ou publiés dans les données essentielles de la commande publique (DECP), "
        "chaque marché compté une fois. Données sur des marchés, non personnelles : "
        "rien n'est masqué."
    ),
    "required": ["objectif_part_sociale", "annees", "sans_date"],
    "additionalProperties": False,
    "properties": {
        "objectif_part_sociale": {
            "type": "number",
            "minimum": 0,
            "maximum": 100,
            "description": "Objectif national (plan national pour des achats durables "
            "2022-2025) : part des marchés notifiés avec une considération sociale, en %.",
        },
        "annees": {"type": "array", "items": _PURCHASING_YEAR},
        "sans_date": {
            "type": "integer",
            "minimum": 0,
            "description": "Données DECP sans date de notification, comptées dans aucune année.",
        },
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
        "achats_responsables",
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
        "achats_responsables": _PURCHASING,
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
