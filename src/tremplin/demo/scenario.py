"""What a demo territory is made of, and how its contracts are drawn. No database here."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from tremplin.demo.catalogue import BUILDING_LOTS, KINDS
from tremplin.demo.planning import (
    OUTCOME_FACTORS,
    ContractPlan,
    Outcome,
    PartPlan,
    PersonPlan,
    add_months,
    month_start,
)
from tremplin.procurement.enums import ContractForm, LegalBasis
from tremplin.procurement.obligation import ObligationMode

# Companies that bid for a lot of a given trade, when the territory has none of its own.
GROUP_FALLBACKS = {
    "roofing": "finishing",
    "joinery": "finishing",
    "electricity": "finishing",
    "painting": "finishing",
    "finishing": "building",
    "water": "roads",
    "urban": "cleaning",
}


@dataclass
class OrgSpec:
    key: str
    kind: str
    name: str
    city: str
    postal_code: str
    address: str = ""
    phone: str = ""
    email: str = ""
    buyer_kind: str = ""
    inclusion_employer_kind: str = ""
    prescriber_kind: str = ""
    area: str = ""  # prescribers: the départements they cover ("976"); empty: everywhere
    facilitator: str | None = None
    public: bool = False
    group: str = ""  # companies: the kind of work they bid for
    weight: int = 1  # companies: how often they win


@dataclass
class BuyerSpec:
    """A buyer and what it buys: kinds of contract, places, how its name reads in a title."""

    organisation: OrgSpec
    code: str
    kinds: tuple[str, ...]
    places: tuple[str, ...]
    owner: str  # "du Département", "de la commune de Sada"…
    roads: tuple[str, ...] = ()


@dataclass(frozen=True)
class UserSpec:
    email: str
    first_name: str
    last_name: str
    role: str  # shown in the logins table
    description: str
    organisation: str | None = None
    administrator: bool = False
    coordinates: bool = False
    superuser: bool = False


@dataclass
class TerritoryPlan:
    name: str
    slug: str
    territory: str
    hours_per_fte: int
    time_zone: str
    default_hourly_cost: Decimal
    default_labour_share: Decimal
    default_insertion_rate: Decimal
    organisations: list[OrgSpec]
    users: list[UserSpec]
    actors: dict[str, str]  # facilitator key -> email of the user who writes for it
    contracts: list[ContractPlan] = field(default_factory=list)
    people: dict[str, list[PersonPlan]] = field(default_factory=dict)
    # The charter's counting rules: execution mode -> (weight, cap as a share of the obligation)
    mode_rules: dict[str, tuple[Decimal, Decimal | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Terms:
    """The territory's habits when it computes an obligation."""

    hourly_cost: Decimal
    works_labour_share: tuple[str, ...] = ("0.35", "0.40", "0.40", "0.45")
    services_labour_share: tuple[str, ...] = ("0.55", "0.60", "0.65", "0.70")
    insertion_rates: tuple[str, ...] = ("0.05", "0.05", "0.05", "0.07", "0.10")
    euros_per_hour: tuple[str, ...] = ("1000", "1200", "1500", "2000")


def companies_by_group(organisations: list[OrgSpec]) -> dict[str, list[OrgSpec]]:
    groups: dict[str, list[OrgSpec]] = {}
    for organisation in organisations:
        if organisation.group:
            groups.setdefault(organisation.group, []).append(organisation)
    return groups


def pick_company(rng: random.Random, groups: dict[str, list[OrgSpec]], group: str) -> str:
    while group not in groups:
        group = GROUP_FALLBACKS[group]
    candidates = groups[group]
    return rng.choices(candidates, weights=[item.weight for item in candidates])[0].key


def _title(
    rng: random.Random, buyer: BuyerSpec, template: str, residences: tuple[str, ...]
) -> tuple[str, str]:
    place = rng.choice(buyer.places)
    others = [item for item in buyer.places if item != place] or [place]
    values = {
        "place": place,
        "owner": buyer.owner,
        "classes": rng.choice((6, 8, 10, 12, 14, 16, 18, 24)),
        "rooms": rng.choice((4, 6, 8, 10, 12)),
        "homes": rng.choice((16, 20, 24, 32, 40, 48, 60, 72, 80)),
        "road": rng.choice(buyer.roads) if buyer.roads else "",
        "other": rng.choice(residences) if "résidence" in template else rng.choice(others),
    }
    return french_elisions(template.format(**values)), place


def french_elisions(text: str) -> str:
    """``de Athis-Mons`` → ``d'Athis-Mons``, ``de Les Ulis`` → ``des Ulis``…"""
    text = re.sub(r"\bde Les ", "des ", text)
    text = re.sub(r"\bà Les ", "aux ", text)
    text = re.sub(r"\bde Le ", "du ", text)
    text = re.sub(r"\bà Le ", "au ", text)
    return re.sub(r"\bde ([AEIOUYÉÈÊÎÔH])", r"d'\1", text)


def draw_contract(
    rng: random.Random,
    *,
    facilitator: str,
    buyer: BuyerSpec,
    kind_key: str,
    sequence: int,
    groups: dict[str, list[OrgSpec]],
    terms: Terms,
    first_start: date,
    last_start: date,
    residences: tuple[str, ...],
) -> ContractPlan:
    """A contract of ``kind_key`` for ``buyer``: dates, base amount, clause, company.

    The outcome, obligation mode and legal basis are refined by the territory afterwards.
    """
    kind = KINDS[kind_key]
    templates = [item for item in kind.titles if "{road}" not in item[0] or buyer.roads]
    template, low, high = rng.choice(templates)
    title, place = _title(rng, buyer, template, residences)
    # The programme grows: later years see more contracts start than the first ones.
    years = list(range(first_start.year, last_start.year + 1))
    year = rng.choices(years, weights=[2 + index for index in range(len(years))])[0]
    start_month = date(year, rng.randint(1, 12), 1)
    start_month = min(max(start_month, first_start), last_start)
    start = start_month + timedelta(days=0 if rng.random() < 0.6 else rng.randint(1, 19))
    duration = rng.randint(*kind.duration_months)
    end = add_months(month_start(start), duration) - timedelta(days=1)
    notified_on = start - timedelta(days=rng.randint(15, 60))
    base = Decimal(round(math.exp(rng.uniform(math.log(low), math.log(high))))) * 1000
    labour_shares = terms.works_labour_share if kind.works else terms.services_labour_share
    company = pick_company(rng, groups, kind.companies)
    parts = [PartPlan(None, "", Decimal(1), company, kind.trade)]
    return ContractPlan(
        facilitator=facilitator,
        buyer=buyer.organisation.key,
        reference=f"{notified_on.year}-{buyer.code}-{sequence:03d}",
        title=title,
        cpv_code=rng.choice(kind.cpv_codes),
        procedure="",
        form=ContractForm.FRAMEWORK_PURCHASE_ORDERS if kind.framework else ContractForm.SINGLE,
        base_amount=base,
        notified_on=notified_on,
        execution_start=start,
        execution_end=end,
        legal_basis=LegalBasis.EXECUTION_CONDITION,
        mode=ObligationMode.AMOUNT_BASED,
        parts=parts,
        outcome=Outcome.MET,
        factor=1.0,
        labour_share=Decimal(rng.choice(labour_shares)),
        insertion_rate=Decimal(rng.choice(terms.insertion_rates)),
        hourly_cost=terms.hourly_cost,
        environmental_clause=rng.random() < kind.environmental_chance,
        environmental_criterion=rng.random() < 0.15,
        operation=f"Renouvellement urbain de {place}" if kind.key == "renewal" else "",
        kind=kind.key,
        place=place,
    )


OPERATION_NAMES = {
    "secondary": "Cité scolaire de {place}",
    "housing": "Programme de logements de {place}",
    "hospital": "Site hospitalier de {place}",
    "school": "Pôle scolaire de {place}",
    "private_building": "Campus de {place}",
}


def add_lots(rng: random.Random, plan: ContractPlan, groups: dict[str, list[OrgSpec]]) -> None:
    """Split a building contract into lots, each awarded separately with its own clause.

    The contract becomes part of an operation of its buyer, named after its site.
    """
    plan.operation = OPERATION_NAMES.get(plan.kind, "Opération de {place}").format(place=plan.place)
    chosen = [BUILDING_LOTS[0], *rng.sample(BUILDING_LOTS[1:], rng.randint(2, 4))]
    total = sum(Decimal(str(share)) for _, share, _, _ in chosen)
    titulaire = plan.company
    plan.parts = []
    for number, (title, share, trade, group) in enumerate(chosen, start=1):
        company = titulaire if number == 1 else pick_company(rng, groups, group)
        plan.parts.append(
            PartPlan(
                number,
                title,
                (Decimal(str(share)) / total).quantize(Decimal("0.0001")),
                company,
                trade,
            )
        )


def set_mode(rng: random.Random, plan: ContractPlan, mode: ObligationMode, terms: Terms) -> None:
    plan.mode = mode
    if mode is ObligationMode.PER_EURO_INVOICED:
        plan.euros_per_hour = Decimal(rng.choice(terms.euros_per_hour))
        plan.notes = (
            f"Accord-cadre à bons de commande : une heure d'insertion pour "
            f"{plan.euros_per_hour:,.0f} € HT facturés, sur le montant maximum.".replace(",", " ")
        )
    elif mode is ObligationMode.SHARE_OF_HOURS_WORKED:
        plan.share_of_hours = Decimal(rng.choice(("0.05", "0.06", "0.07", "0.08")))
        plan.notes = "Part des heures de main-d'œuvre estimées au mémoire technique du titulaire."
    elif mode is ObligationMode.FIXED_HOURS:
        exact = plan.base_amount * plan.labour_share * plan.insertion_rate / plan.hourly_cost
        plan.fixed_hours = Decimal(max(70, int(exact / 35) * 35))
        plan.notes = "Nombre d'heures fixé au cahier des clauses administratives particulières."


def choose_outcome(rng: random.Random, plan: ContractPlan, today: date) -> None:
    if plan.execution_end < today:
        plan.outcome = rng.choices(
            (Outcome.MET, Outcome.EXCEEDED, Outcome.LATE), weights=(76, 14, 10)
        )[0]
    else:
        plan.outcome = rng.choices((Outcome.ON_TRACK, Outcome.BEHIND), weights=(80, 20))[0]
    plan.factor = rng.uniform(*OUTCOME_FACTORS[plan.outcome])


def postpone(rng: random.Random, plan: ContractPlan, today: date, months_ahead: int) -> None:
    """Make the contract start after today: notified, not started yet."""
    start = add_months(month_start(today), months_ahead)
    duration = (plan.execution_end - plan.execution_start).days
    plan.execution_start = start
    plan.execution_end = start + timedelta(days=duration)
    plan.notified_on = month_start(today) - timedelta(days=rng.randint(5, 25))
    plan.reference = f"{plan.notified_on.year}-{plan.reference.split('-', 1)[1]}"
    plan.outcome = Outcome.NOT_STARTED
    plan.factor = 0.0
