"""The demo's open procurement data: a DECP file per territory, imported as a facilitator
would import it, so that the open data pages tell a story from the first ``make demo``.

Each territory gets a file in the 2024 schema (v2 JSON) with the contracts its real
buyers published since the year of their first followed contract: works, cleaning, green
spaces, catering… (the kinds of work a clause fits) beside IT, supplies and studies (where
it rarely does), held by the demo's companies and by a few companies Tremplin does not
know yet (they appear « à confirmer »). The file also publishes some of the followed
contracts under their own reference, and those records are linked to them afterwards:
the indicators then count each of them once.

The share of contracts with a social consideration is set year by year, counting the
followed contracts with the records, so that the indicators tell each territory's story:
Mayotte rises from 14 % to 27 % and just misses the national target of 30 %; Essonne
crosses it. A few broken records (a buyer SIRET with a typing error, a record without
an identifier, an amount written in words) show how an import reports what it rejects.

The import goes through ``decp_import`` exactly as the ``import-decp`` command does.
"""

from __future__ import annotations

import json
import math
import random
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db.models import BooleanField, DateField, ExpressionWrapper, Q
from django.db.models.functions import Coalesce

from tremplin.decp import decp_import
from tremplin.decp.enums import DecpImportStatus
from tremplin.decp.models import DecpImport, DecpRecord
from tremplin.decp.normalise import cpv_check_digit
from tremplin.demo import essonne, mayotte
from tremplin.demo.planning import add_months
from tremplin.demo.sirets import SiretBook
from tremplin.organisations.enums import InclusionEmployerKind, OrganisationKind
from tremplin.organisations.models import Network, Organisation, User
from tremplin.procurement.models import Contract

# What a clause fits (and the opportunities page counts), then what it rarely fits.
WORKS, CLEANING, WASTE, GREEN_SPACES, CATERING, MAINTENANCE = (
    "works",
    "cleaning",
    "waste",
    "green_spaces",
    "catering",
    "maintenance",
)
IT, SUPPLIES, STUDIES = "it", "supplies", "studies"


@dataclass(frozen=True)
class Kind:
    """A kind of purchase: its CPV codes, the objects a buyer writes, its usual size."""

    name: str
    prefix: str  # the CPV prefix a demo company's contracts are matched on
    weight: int  # how often a buyer publishes one, out of 100
    cpv_codes: tuple[str, ...]
    objects: tuple[str, ...]  # « {place} » is replaced by a place of the territory
    amounts: tuple[int, int]  # euros excluding tax, drawn on a logarithmic scale
    months: tuple[int, ...]
    ccag: str
    labour_intensive: bool
    reservable: bool = False  # may be reserved to an SIAE or a disability employer


KINDS: tuple[Kind, ...] = (
    Kind(
        WORKS,
        "45",
        28,
        ("45214200", "45233140", "45453000", "45261000", "45232400", "45212200"),
        (
            "Réhabilitation de l'école primaire de {place}",
            "Réfection de la voirie communale de {place}",
            "Travaux d'assainissement du quartier de {place}",
            "Rénovation de logements sociaux à {place}",
            "Construction d'un plateau sportif couvert à {place}",
            "Réfection des toitures des bâtiments publics de {place}",
            "Extension du réseau d'eaux pluviales de {place}",
            "Mise en accessibilité de la mairie de {place}",
        ),
        (40_000, 3_500_000),
        (4, 6, 8, 10, 12, 14, 18, 24),
        "Travaux",
        True,
    ),
    Kind(
        CLEANING,
        "909",
        10,
        ("90919200", "90911200", "90910000"),
        (
            "Nettoyage des locaux administratifs de {place}",
            "Entretien ménager des écoles de {place}",
            "Nettoyage des équipements sportifs de {place}",
            "Nettoyage de la vitrerie des bâtiments de {place}",
        ),
        (25_000, 900_000),
        (12, 24, 36, 48),
        "Fournitures courantes et services",
        True,
        reservable=True,
    ),
    Kind(
        WASTE,
        "90",
        5,
        ("90511000", "90610000", "90513000"),
        (
            "Collecte des déchets ménagers de {place}",
            "Balayage et propreté des voies de {place}",
            "Enlèvement des dépôts sauvages à {place}",
        ),
        (60_000, 2_000_000),
        (12, 24, 36, 48),
        "Fournitures courantes et services",
        True,
    ),
    Kind(
        GREEN_SPACES,
        "77",
        9,
        ("77310000", "77314000", "77211400", "77341000"),
        (
            "Entretien des espaces verts de {place}",
            "Débroussaillage des abords des routes de {place}",
            "Élagage des arbres d'alignement de {place}",
            "Entretien des jardins des écoles de {place}",
        ),
        (20_000, 600_000),
        (6, 12, 24, 36),
        "Fournitures courantes et services",
        True,
        reservable=True,
    ),
    Kind(
        CATERING,
        "555",
        6,
        ("55524000", "55523100", "55512000"),
        (
            "Fourniture et livraison de repas aux écoles de {place}",
            "Collations scolaires des écoles de {place}",
            "Restauration des agents de {place}",
        ),
        (60_000, 2_500_000),
        (12, 24, 36, 48),
        "Fournitures courantes et services",
        True,
    ),
    Kind(
        MAINTENANCE,
        "50",
        6,
        ("50232100", "50700000", "50730000"),
        (
            "Maintenance de l'éclairage public de {place}",
            "Entretien des installations de climatisation de {place}",
            "Maintenance des bâtiments communaux de {place}",
        ),
        (20_000, 500_000),
        (12, 24, 36),
        "Fournitures courantes et services",
        True,
    ),
    Kind(
        IT,
        "72",
        12,
        ("72260000", "72212000", "72415000", "72611000"),
        (
            "Maintenance du logiciel de gestion financière",
            "Hébergement et maintenance du site internet",
            "Refonte du système d'information des ressources humaines",
            "Assistance technique informatique des services",
        ),
        (8_000, 450_000),
        (12, 24, 36, 48),
        "Techniques de l'information et de la communication",
        False,
    ),
    Kind(
        SUPPLIES,
        "30",
        14,
        ("30213000", "30192000", "30232110", "30199000"),
        (
            "Fourniture de postes informatiques",
            "Fourniture de papier et de consommables de bureau",
            "Location et maintenance de copieurs multifonctions",
            "Fourniture d'imprimés administratifs",
        ),
        (5_000, 350_000),
        (1, 12, 24, 36),
        "Fournitures courantes et services",
        False,
    ),
    Kind(
        STUDIES,
        "71",
        10,
        ("71240000", "71241000", "71310000", "71520000"),
        (
            "Maîtrise d'œuvre de la réhabilitation du groupe scolaire de {place}",
            "Étude de faisabilité d'un équipement sportif à {place}",
            "Assistance à maîtrise d'ouvrage pour le plan pluriannuel d'investissement",
            "Coordination sécurité et protection de la santé des chantiers de {place}",
        ),
        (10_000, 400_000),
        (6, 12, 24, 36),
        "Prestations intellectuelles",
        False,
    ),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
# Below this amount a contract is far under the opportunities' threshold (90 000 €).
FORMAL_TENDER_AMOUNT = 221_000


@dataclass(frozen=True)
class Followed:
    """A contract followed in Tremplin, as its buyer would publish it."""

    pk: int
    reference: str
    buyer_siret: str
    title: str
    cpv_code: str
    amount: int
    notified_on: date
    months: int
    holder_siret: str
    social: tuple[str, ...]
    environmental: tuple[str, ...]


@dataclass(frozen=True)
class Buyer:
    siret: str
    code: str  # the buyer's part of its record ids (« CD976 »)
    per_year: int  # records published in a full year, before the draw
    tracked: dict[int, tuple[int, int]]  # year → (followed contracts, with a social one)


@dataclass(frozen=True)
class Territory:
    slug: str
    file_name: str
    seed: int
    department: str
    places: tuple[str, ...]
    trend: tuple[float, float]  # social share of the first year, and of last year
    environmental_trend: tuple[float, float]
    pinned: str  # the buyer whose share follows the trend exactly (the story's buyer)
    buyers: tuple[Buyer, ...]
    followed: tuple[Followed, ...]
    companies: dict[str, tuple[str, ...]]  # kind name → SIRETs of the demo's companies
    social_employers: tuple[str, ...]  # SIAE and disability employers (reserved contracts)
    known_sirets: frozenset[str]
    broken: tuple[str, ...]  # the faults of the broken records, in order


@dataclass
class _Draft:
    buyer: Buyer
    kind: Kind
    notified_on: date
    amount: int
    months: int
    place: str
    social: list[str] = field(default_factory=list)
    environmental: list[str] = field(default_factory=list)


MAYOTTE_PLACES = (
    "Mamoudzou",
    "Kawéni",
    "Passamaïnty",
    "Tsoundzou",
    "Dembéni",
    "Bandrélé",
    "Chirongui",
    "Kani-Kéli",
    "Bouéni",
    "Sada",
    "Chiconi",
    "Tsingoni",
    "Combani",
    "M'Tsangamouji",
    "Acoua",
    "Mtsamboro",
    "Dzoumogné",
    "Koungou",
    "Longoni",
    "Labattoir",
    "Pamandzi",
)
ESSONNE_PLACES = (
    "Évry-Courcouronnes",
    "Corbeil-Essonnes",
    "Massy",
    "Palaiseau",
    "Grigny",
    "Ris-Orangis",
    "Étampes",
    "Athis-Mons",
    "Savigny-sur-Orge",
    "Viry-Châtillon",
    "Brétigny-sur-Orge",
    "Arpajon",
    "Dourdan",
    "Les Ulis",
    "Sainte-Geneviève-des-Bois",
)
# Record faults: what a real file shows now and then.
BAD_SIRET, NO_ID, AMOUNT_IN_WORDS = "bad_siret", "no_id", "amount_in_words"


# --- The file (no database) ------------------------------------------------------------


def _target(trend: tuple[float, float], first: int, last: int, year: int) -> float:
    """The share of a year on the line from ``first`` to ``last`` (one more step after)."""
    start, end = trend
    if last <= first:
        return end
    return start + (end - start) * (year - first) / (last - first)


def _cpv(code: str) -> str:
    return f"{code}-{cpv_check_digit(code)}"


def _siret_party(siret: str) -> dict[str, Any]:
    return {"typeIdentifiant": "SIRET", "id": siret}


def _holders(sirets: Iterable[str]) -> list[dict[str, Any]]:
    return [{"titulaire": _siret_party(siret)} for siret in sirets]


def _weighted_sample(rng: random.Random, items: list[_Draft], count: int) -> list[_Draft]:
    """``count`` drafts, those a clause fits best more likely (Efraimidis–Spirakis)."""

    def weight(draft: _Draft) -> float:
        if not draft.kind.labour_intensive:
            return 0.4
        return 5.0 if draft.amount >= 90_000 and draft.months >= 6 else 2.0

    keyed = sorted(items, key=lambda draft: rng.random() ** (1 / weight(draft)), reverse=True)
    return keyed[:count]


class FilePlanner:
    """Draws a territory's DECP file, deterministically from its seed and ``today``."""

    def __init__(self, territory: Territory, today: date) -> None:
        self.territory = territory
        self.today = today
        self.rng = random.Random(territory.seed)
        book = SiretBook(random.Random(territory.seed * 7919))
        # Companies Tremplin does not know: a few per kind, reused across buyers.
        self.newcomers: dict[str, list[str]] = {}
        for kind in KINDS:
            count = 1 if kind.labour_intensive else 3
            sirets: list[str] = []
            while len(sirets) < count:
                siret = book.next()
                if siret not in territory.known_sirets:
                    sirets.append(siret)
            self.newcomers[kind.name] = sirets
        self.subcontractors = [book.next() for _ in range(3)]
        self.subcontractors = [s for s in self.subcontractors if s not in territory.known_sirets]

    @property
    def years(self) -> range:
        tracked = [year for buyer in self.territory.buyers for year in buyer.tracked]
        first = min([self.today.year - 4, *tracked])
        return range(first, self.today.year + 1)

    def document(self) -> dict[str, Any]:
        records = [self._record(draft, number) for draft, number in self._numbered(self._drafts())]
        records += [self._followed(item) for item in self._published_followed()]
        records.sort(key=lambda record: (record["dateNotification"], record["id"]))
        for position, fault in enumerate(self.territory.broken):
            broken = json.loads(json.dumps(records[(position + 1) * len(records) // 3]))
            self._break(broken, fault)
            records.insert((position + 1) * len(records) // 3 + 1, broken)
        return {"marches": {"marche": records}}

    # The drafts: how many records, which kinds, which carry a consideration.

    def _drafts(self) -> list[_Draft]:
        drafts: list[_Draft] = []
        years = self.years
        last_full = self.today.year - 1
        for buyer in self.territory.buyers:
            offset = 0.0 if buyer.siret == self.territory.pinned else self.rng.uniform(-0.05, 0.05)
            for year in years:
                share = _target(self.territory.trend, years[0], last_full, year) + offset
                share = min(max(share, 0.05), 0.6)
                drafts += self._year(buyer, year, share)
        return drafts

    def _year(self, buyer: Buyer, year: int, share: float) -> list[_Draft]:
        first = date(year, 1, 1)
        last = min(date(year, 12, 31), self.today - timedelta(days=3))
        if last < first:
            return []
        fraction = ((last - first).days + 1) / 365
        tracked, tracked_social = buyer.tracked.get(year, (0, 0))
        count = round(buyer.per_year * fraction * self.rng.uniform(0.8, 1.2))
        # Enough records for the followed contracts (all with a clause) to fit the share.
        count = max(count, math.ceil(tracked_social / share - tracked), 1)
        drafts = [self._draft(buyer, first, last) for _ in range(count)]
        social = round(share * (count + tracked)) - tracked_social
        for draft in _weighted_sample(self.rng, drafts, min(max(social, 0), count)):
            draft.social = self._social(draft)
        years = self.years
        environmental = _target(
            self.territory.environmental_trend, years[0], self.today.year - 1, year
        )
        for draft in drafts:
            if self.rng.random() < environmental:
                draft.environmental = self.rng.choice(
                    [
                        ["Clause environnementale"],
                        ["Clause environnementale"],
                        ["Critère environnemental"],
                        ["Clause environnementale", "Critère environnemental"],
                    ]
                )
        return drafts

    def _draft(self, buyer: Buyer, first: date, last: date) -> _Draft:
        kind = self.rng.choices(KINDS, weights=[kind.weight for kind in KINDS])[0]
        low, high = kind.amounts
        amount = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        amount = int(round(amount, -3 if amount >= 100_000 else -2))
        return _Draft(
            buyer=buyer,
            kind=kind,
            notified_on=first + timedelta(days=self.rng.randint(0, (last - first).days)),
            amount=amount,
            months=self.rng.choice(kind.months),
            place=self.rng.choice(self.territory.places),
        )

    def _social(self, draft: _Draft) -> list[str]:
        if draft.kind.reservable and self.territory.social_employers and self.rng.random() < 0.2:
            return ["Marché réservé"]
        return self.rng.choice(
            [
                ["Clause sociale"],
                ["Clause sociale"],
                ["Clause sociale"],
                ["Clause sociale", "Critère social"],
                ["Critère social"],
            ]
        )

    def _numbered(self, drafts: list[_Draft]) -> Iterable[tuple[_Draft, int]]:
        """Each buyer numbers its contracts in the order it notifies them, year by year."""
        counters: dict[tuple[str, int], int] = defaultdict(int)
        for draft in sorted(drafts, key=lambda item: (item.buyer.siret, item.notified_on)):
            key = (draft.buyer.siret, draft.notified_on.year)
            counters[key] += 1
            yield draft, counters[key]

    # The records as the 2024 schema writes them.

    def _published(self, day: date) -> date:
        return min(day + timedelta(days=self.rng.randint(4, 40)), self.today)

    def _holder(self, draft: _Draft) -> list[str]:
        if draft.social == ["Marché réservé"]:
            return [self.rng.choice(self.territory.social_employers)]
        known = self.territory.companies.get(draft.kind.name, ())
        if known and self.rng.random() < 0.75:
            holders = [self.rng.choice(known)]
        else:
            holders = [self.rng.choice(self.newcomers[draft.kind.name])]
        if draft.kind.name == WORKS and draft.amount > 1_000_000 and self.rng.random() < 0.25:
            partner = self.rng.choice([*known, *self.newcomers[WORKS]])
            if partner not in holders:
                holders.append(partner)
        return holders

    def _record(self, draft: _Draft, number: int) -> dict[str, Any]:
        kind = draft.kind
        holders = self._holder(draft)
        framework = not kind.labour_intensive or kind.name in (CLEANING, MAINTENANCE, CATERING)
        record: dict[str, Any] = {
            "id": f"{draft.buyer.code}-{draft.notified_on:%y}-{number:03d}",
            "acheteur": {"id": draft.buyer.siret},
            "nature": "Marché",
            "objet": self.rng.choice(kind.objects).format(place=draft.place),
            "codeCPV": _cpv(self.rng.choice(kind.cpv_codes)),
            "techniques": {"technique": ["Accord-cadre" if framework else "Sans objet"]},
            "modalitesExecution": {
                "modaliteExecution": ["Bons de commande" if framework else "Sans objet"]
            },
            "marcheInnovant": False,
            "ccag": kind.ccag,
            "offresRecues": self.rng.randint(1, 7),
            "attributionAvance": draft.amount >= 50_000,
            "typeGroupementOperateurs": "Conjoint" if len(holders) > 1 else "Pas de groupement",
            "procedure": (
                "Procédure adaptée"
                if draft.amount < FORMAL_TENDER_AMOUNT
                else "Appel d'offres ouvert"
            ),
            "lieuExecution": {"code": self.territory.department, "typeCode": "Code département"},
            "dureeMois": draft.months,
            "dateNotification": draft.notified_on.isoformat(),
            "datePublicationDonnees": self._published(draft.notified_on).isoformat(),
            "montant": draft.amount,
            "typesPrix": {"typePrix": ["Définitif révisable"]},
            "formePrix": "Unitaire" if framework else "Forfaitaire",
            "sousTraitanceDeclaree": False,
            "titulaires": _holders(holders),
            "considerationsSociales": {
                "considerationSociale": draft.social or ["Pas de considération sociale"]
            },
            "considerationsEnvironnementales": {
                "considerationEnvironnementale": draft.environmental
                or ["Pas de considération environnementale"]
            },
        }
        if kind.name == WORKS and draft.amount >= 300_000 and self.rng.random() < 0.3:
            self._subcontract(record, draft)
        if draft.amount >= 100_000 and self.rng.random() < 0.1:
            self._modify(record, draft, holders)
        return record

    def _subcontract(self, record: dict[str, Any], draft: _Draft) -> None:
        """An act of subcontracting, often to an SIAE: how many clauses are carried out."""
        notified = draft.notified_on + timedelta(days=self.rng.randint(20, 120))
        pool = [*self.territory.social_employers, *self.subcontractors]
        if notified > self.today or not pool:
            return
        record["sousTraitanceDeclaree"] = True
        record["actesSousTraitance"] = [
            {
                "acteSousTraitance": {
                    "id": 1,
                    "sousTraitant": _siret_party(self.rng.choice(pool)),
                    "dureeMois": max(1, draft.months // 2),
                    "dateNotification": notified.isoformat(),
                    "montant": int(round(draft.amount * self.rng.uniform(0.05, 0.2), -2)),
                    "variationPrix": "Révisable",
                    "datePublicationDonnees": self._published(notified).isoformat(),
                }
            }
        ]

    def _modify(self, record: dict[str, Any], draft: _Draft, holders: list[str]) -> None:
        """An amendment: more work, a longer term."""
        notified = add_months(draft.notified_on, self.rng.randint(3, max(4, draft.months)))
        if notified > self.today:
            return
        record["modifications"] = [
            {
                "modification": {
                    "id": 1,
                    "dateNotificationModification": notified.isoformat(),
                    "datePublicationDonneesModification": self._published(notified).isoformat(),
                    "dureeMois": draft.months + self.rng.choice((2, 3, 6)),
                    "montant": int(round(draft.amount * self.rng.uniform(1.05, 1.2), -2)),
                    "titulaires": _holders(holders),
                }
            }
        ]

    def _published_followed(self) -> list[Followed]:
        """About two thirds of the followed contracts already notified are published too."""
        notified = [item for item in self.territory.followed if item.notified_on <= self.today]
        return [item for item in notified if self.rng.random() < 0.67]

    def _followed(self, item: Followed) -> dict[str, Any]:
        return {
            "id": item.reference,
            "acheteur": {"id": item.buyer_siret},
            "nature": "Marché",
            "objet": item.title,
            "codeCPV": _cpv(item.cpv_code[:8]),
            "techniques": {"technique": ["Sans objet"]},
            "modalitesExecution": {"modaliteExecution": ["Sans objet"]},
            "marcheInnovant": False,
            "ccag": "Travaux"
            if item.cpv_code.startswith("45")
            else "Fournitures courantes et services",
            "offresRecues": self.rng.randint(2, 6),
            "attributionAvance": True,
            "typeGroupementOperateurs": "Pas de groupement",
            "procedure": (
                "Procédure adaptée"
                if item.amount < FORMAL_TENDER_AMOUNT
                else "Appel d'offres ouvert"
            ),
            "lieuExecution": {"code": self.territory.department, "typeCode": "Code département"},
            "dureeMois": item.months,
            "dateNotification": item.notified_on.isoformat(),
            "datePublicationDonnees": self._published(item.notified_on).isoformat(),
            "montant": item.amount,
            "typesPrix": {"typePrix": ["Définitif révisable"]},
            "formePrix": "Forfaitaire",
            "sousTraitanceDeclaree": False,
            "titulaires": _holders([item.holder_siret] if item.holder_siret else []),
            "considerationsSociales": {
                "considerationSociale": list(item.social) or ["Pas de considération sociale"]
            },
            "considerationsEnvironnementales": {
                "considerationEnvironnementale": list(item.environmental)
                or ["Pas de considération environnementale"]
            },
        }

    @staticmethod
    def _break(record: dict[str, Any], fault: str) -> None:
        if fault == BAD_SIRET:
            # Two digits swapped when the buyer's SIRET was typed: the key no longer holds.
            siret = record["acheteur"]["id"]
            swapped = siret[:5] + siret[6] + siret[5] + siret[7:]
            if swapped == siret:
                swapped = siret[:-1] + str((int(siret[-1]) + 1) % 10)
            record["acheteur"]["id"] = swapped
            record["id"] = record["id"] + "B"
        elif fault == NO_ID:
            record["id"] = ""
        elif fault == AMOUNT_IN_WORDS:
            record["montant"] = "à préciser"
            record["id"] = record["id"] + "M"


# --- The territories as the demo wrote them ------------------------------------------------

SOCIAL = Q(social_clause=True) | Q(social_criterion=True) | Q(reserved_contract=True)
RESERVED_HOLDER_KINDS = (
    InclusionEmployerKind.ACI,
    InclusionEmployerKind.EI,
    InclusionEmployerKind.EA,
)


def _kind_of(cpv_code: str) -> Kind | None:
    matches = [kind for kind in KINDS if cpv_code.startswith(kind.prefix)]
    return max(matches, key=lambda kind: len(kind.prefix), default=None)


def _months_between(start: date | None, end: date | None) -> int:
    if start is None or end is None or end <= start:
        return 12
    return max(1, round((end - start).days / 30.44))


def _considerations(contract: Contract) -> tuple[tuple[str, ...], tuple[str, ...]]:
    social = [
        label
        for flag, label in (
            (contract.social_clause, "Clause sociale"),
            (contract.social_criterion, "Critère social"),
            (contract.reserved_contract, "Marché réservé"),
        )
        if flag
    ]
    environmental = [
        label
        for flag, label in (
            (contract.environmental_clause, "Clause environnementale"),
            (contract.environmental_criterion, "Critère environnemental"),
        )
        if flag
    ]
    return tuple(social), tuple(environmental)


def territory_of(
    network: Network,
    *,
    file_name: str,
    seed: int,
    department: str,
    places: tuple[str, ...],
    trend: tuple[float, float],
    environmental_trend: tuple[float, float],
    pinned_name: str,
    base: int,
    per_contract: int,
    broken: tuple[str, ...],
) -> Territory:
    """What the file needs to know of the territory the demo wrote."""
    organisations = list(Organisation.objects.filter(network=network).order_by("name", "siret"))
    contracts = list(
        Contract.objects.filter(facilitator__network=network)
        .select_related("buyer", "awarded_company")
        .annotate(
            reference_date=Coalesce("notified_on", "execution_start", output_field=DateField()),
            social=ExpressionWrapper(SOCIAL, output_field=BooleanField()),
        )
        .order_by("reference")
    )
    tracked: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    codes: dict[int, str] = {}
    companies: dict[str, set[str]] = defaultdict(set)
    for contract in contracts:
        year = contract.reference_date.year
        count, with_social = tracked[contract.buyer_id].get(year, (0, 0))
        tracked[contract.buyer_id][year] = (count + 1, with_social + int(bool(contract.social)))
        parts = contract.reference.split("-")
        if len(parts) == 3 and len(parts[1]) <= 8:
            codes.setdefault(contract.buyer_id, parts[1])
        kind = _kind_of(contract.cpv_code)
        company = contract.awarded_company
        if kind is not None and company is not None and company.kind == OrganisationKind.COMPANY:
            companies[kind.name].add(company.siret)
    buyers = []
    pinned = ""
    for index, organisation in enumerate(
        item for item in organisations if item.kind == OrganisationKind.BUYER
    ):
        of_buyer = tracked.get(organisation.pk, {})
        buyers.append(
            Buyer(
                siret=organisation.siret,
                code=codes.get(organisation.pk, f"A{index + 1:02d}"),
                per_year=base + per_contract * sum(count for count, _ in of_buyer.values()),
                tracked=dict(of_buyer),
            )
        )
        if organisation.name == pinned_name:
            pinned = organisation.siret
    followed = []
    for contract in contracts:
        if contract.notified_on is None or not contract.amount_excl_tax:
            continue
        social, environmental = _considerations(contract)
        followed.append(
            Followed(
                pk=contract.pk,
                reference=contract.reference,
                buyer_siret=contract.buyer.siret,
                title=contract.title,
                cpv_code=contract.cpv_code,
                amount=int(contract.amount_excl_tax),
                notified_on=contract.notified_on,
                months=_months_between(contract.execution_start, contract.execution_end),
                holder_siret=contract.awarded_company.siret if contract.awarded_company else "",
                social=social,
                environmental=environmental,
            )
        )
    return Territory(
        slug=network.slug,
        file_name=file_name,
        seed=seed,
        department=department,
        places=places,
        trend=trend,
        environmental_trend=environmental_trend,
        pinned=pinned,
        buyers=tuple(buyers),
        followed=tuple(followed),
        companies={name: tuple(sorted(sirets)) for name, sirets in companies.items()},
        social_employers=tuple(
            item.siret
            for item in organisations
            if item.kind == OrganisationKind.INCLUSION_EMPLOYER
            and item.inclusion_employer_kind in RESERVED_HOLDER_KINDS
        ),
        known_sirets=frozenset(item.siret for item in organisations),
        broken=broken,
    )


# --- Import and links ---------------------------------------------------------------------


def import_file(
    network: Network, document: dict[str, Any], file_name: str, actor: User
) -> DecpImport:
    """Import the file as the ``import-decp`` command does, from a temporary file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / file_name
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        item = decp_import.decp_import_from_path(network=network, path=path, actor=actor)
        item = decp_import.decp_import_run(decp_import=item)
    if item.status != DecpImportStatus.DONE:
        raise RuntimeError(f"L'import DECP de démonstration a échoué : {item.error_message}")
    # The temporary file is gone: the import keeps its name, not a path that leads nowhere.
    DecpImport.objects.filter(pk=item.pk).update(source_path="")
    return item


def link_followed(network: Network, territory: Territory) -> int:
    """Link the published records of followed contracts to them (what « follow » does)."""
    linked = 0
    for item in territory.followed:
        linked += DecpRecord.objects.filter(
            network=network,
            buyer_siret=item.buyer_siret,
            identifier=item.reference,
            contract__isnull=True,
        ).update(contract_id=item.pk)
    return linked


def _load(network: Network, territory: Territory, actor_email: str, today: date) -> None:
    document = FilePlanner(territory, today).document()
    actor = User.objects.get(email=actor_email)
    import_file(network, document, territory.file_name, actor)
    link_followed(network, territory)


def load_decp(island: Network, network: Network, island_today: date, network_today: date) -> None:
    """Both territories' open data: Mayotte's story, and a smaller file for Essonne,
    each drawn on its own today."""
    _load(
        island,
        territory_of(
            island,
            file_name="decp-mayotte-demonstration.json",
            seed=9760,
            department="976",
            places=MAYOTTE_PLACES,
            trend=(0.14, 0.27),
            environmental_trend=(0.12, 0.3),
            pinned_name="Département de Mayotte",
            base=4,
            per_contract=2,
            broken=(BAD_SIRET, NO_ID),
        ),
        mayotte.FACILITATOR_EMAIL,
        island_today,
    )
    _load(
        network,
        territory_of(
            network,
            file_name="decp-essonne-demonstration.json",
            seed=9100,
            department="91",
            places=ESSONNE_PLACES,
            trend=(0.22, 0.33),
            environmental_trend=(0.25, 0.45),
            pinned_name="Département de l'Essonne",
            base=2,
            per_contract=1,
            broken=(AMOUNT_IN_WORDS,),
        ),
        essonne.COORDINATOR_EMAIL,
        network_today,
    )


def delete_decp(networks: Iterable[Network]) -> None:
    """The networks' open data, before their organisations and contracts (which the
    records protect)."""
    networks = list(networks)
    DecpRecord.objects.filter(network__in=networks).delete()
    for item in DecpImport.objects.filter(network__in=networks).exclude(file=""):
        item.file.delete(save=False)
    DecpImport.objects.filter(network__in=networks).delete()
