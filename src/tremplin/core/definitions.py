"""The figures that are easy to mistake for one another, each with its French label and a
one-line definition, the same on every page, report, export and in open data. Pure: no
Django. ``docs/glossary.md`` and ``docs/open-data.md`` say the same.

Two head-counts: the people a structure follows (its participants, placed or not, whatever
the period) and the people with validated hours in the period (the people who worked or
trained on the contracts then). One person on two contracts counts once in each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    label: str
    definition: str


REMAINING = Term(
    "Restant à réaliser",
    "Somme, marché par marché (et lot par lot quand un lot porte sa clause), des heures "
    "exigées pas encore validées ; un excédent sur un marché ne comble pas le retard d'un "
    "autre.",
)
PEOPLE_FOLLOWED = Term(
    "Personnes suivies",
    "Personnes dont la structure de facilitation tient la fiche, mises en emploi ou non, "
    "quelle que soit la période.",
)
PEOPLE_WITH_HOURS = Term(
    "Personnes avec heures validées",
    "Personnes distinctes ayant au moins une heure de travail ou de formation validée dans "
    "la période sur les marchés retenus ; une personne sur deux marchés compte une fois.",
)

TERMS = {
    "remaining": REMAINING,
    "people_followed": PEOPLE_FOLLOWED,
    "people_with_hours": PEOPLE_WITH_HOURS,
}
