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
    month_end,
    month_start,
)
from tremplin.procurement.enums import ContractForm, LegalBasis
from tremplin.procurement.obligation import ObligationMode

# Contracts start over START_YEARS years, the first FIRST_START_MONTHS_BACK months before
# today's month, the last a year before it.
START_YEARS = 4
FIRST_START_MONTHS_BACK = 59

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
    today: date,
    residences: tuple[str, ...],
) -> ContractPlan:
    """A contract of ``kind_key`` for ``buyer``: dates, base amount, clause, company.

    Its start is drawn as a number of months before today's month, never as a calendar
    date: the same seed tells the same story whatever the day of the load (contracts
    ended, running, just begun, all at the same distance from today). The outcome,
    obligation mode and legal basis are refined by the territory afterwards.
    """
    kind = KINDS[kind_key]
    templates = [item for item in kind.titles if "{road}" not in item[0] or buyer.roads]
    template, low, high = rng.choice(templates)
    title, place = _title(rng, buyer, template, residences)
    # Four years of starts, from 59 to 12 months before today's month; the programme
    # grows: later years see more contracts start than the first ones.
    year = rng.choices(range(START_YEARS), weights=[2 + index for index in range(START_YEARS)])[0]
    back = FIRST_START_MONTHS_BACK - 12 * year - rng.randint(0, 11)
    start_month = add_months(month_start(today), -back)
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
    # The same number of months, whatever their lengths.
    months = _month_index(plan.execution_end) - _month_index(plan.execution_start) + 1
    plan.execution_start = start
    plan.execution_end = add_months(start, months) - timedelta(days=1)
    plan.notified_on = month_start(today) - timedelta(days=rng.randint(5, 25))
    plan.reference = f"{plan.notified_on.year}-{plan.reference.split('-', 1)[1]}"
    plan.outcome = Outcome.NOT_STARTED
    plan.factor = 0.0


# Scenes anchored to today ----------------------------------------------------------------
# A scene of the demo (a company's hire in progress, a pooled job) needs contracts running
# over a window around today's month. The draws put every contract at the same distance
# from today's month whatever the day, and these functions stretch the few contracts a
# scene needs, by whole months, so that each scene exists on any day.


def _month_index(value: date) -> int:
    return value.year * 12 + value.month


def months_short(plan: ContractPlan, today: date, *, since: int, until: int) -> int:
    """How many months the contract's execution lacks to run from the start of the month
    ``since`` months before today's to the end of the month ``until`` months after it."""
    this_month = _month_index(today)
    early = max(0, _month_index(plan.execution_start) - (this_month - since))
    if (
        early == 0
        and plan.execution_start.day > 1
        and _month_index(plan.execution_start) == (this_month - since)
    ):
        early = 1
    late = max(0, this_month + until - _month_index(plan.execution_end))
    return early + late


def run_through(plan: ContractPlan, today: date, *, since: int, until: int) -> None:
    """Make the contract run at least from the first day of the month ``since`` months
    before today's to the last day of the month ``until`` months after it."""
    first = add_months(month_start(today), -since)
    last = month_end(add_months(month_start(today), until))
    if plan.execution_start > first:
        notice = plan.execution_start - plan.notified_on
        plan.execution_start = first
        plan.notified_on = first - notice
        plan.reference = f"{plan.notified_on.year}-{plan.reference.split('-', 1)[1]}"
    plan.execution_end = max(plan.execution_end, last)


def _may_anchor(plan: ContractPlan) -> bool:
    # One clause (no lots), held by a company, notified and begun.
    return (
        len(plan.parts) == 1
        and not plan.reserved_contract
        and plan.outcome is not Outcome.NOT_STARTED
    )


def anchor_company(
    plans: list[ContractPlan], company: str, today: date, *, since: int, until: int, count: int
) -> list[ContractPlan]:
    """The ``count`` contracts of ``company`` nearest to running over the window, made
    to run over it."""
    candidates = [plan for plan in plans if plan.company == company and _may_anchor(plan)]
    chosen = sorted(
        candidates, key=lambda plan: months_short(plan, today, since=since, until=until)
    )[:count]
    for plan in chosen:
        run_through(plan, today, since=since, until=until)
    return chosen


def anchor_pool(
    plans: list[ContractPlan], companies: set[str], today: date, *, since: int, until: int
) -> list[ContractPlan]:
    """Two contracts of two buyers held by one company, made to run over the window: one
    person's job can be shared among them. The company needing the least change is chosen
    (ties: the first drawn), and for each buyer its contract nearest to the window."""
    nearest: dict[str, dict[str, tuple[int, ContractPlan]]] = {}
    for plan in plans:
        if plan.company not in companies or not _may_anchor(plan):
            continue
        short = months_short(plan, today, since=since, until=until)
        by_buyer = nearest.setdefault(plan.company, {})
        if plan.buyer not in by_buyer or short < by_buyer[plan.buyer][0]:
            by_buyer[plan.buyer] = (short, plan)
    best: list[ContractPlan] = []
    best_cost = 0
    for by_buyer in nearest.values():
        if len(by_buyer) < 2:
            continue
        two = sorted(by_buyer.values(), key=lambda item: item[0])[:2]
        cost = sum(short for short, _ in two)
        if not best or cost < best_cost:
            best, best_cost = [plan for _, plan in two], cost
    for plan in best:
        run_through(plan, today, since=since, until=until)
    return best
