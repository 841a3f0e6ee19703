"""Planning the demo before writing it: obligations, targets, placements and monthly hours.

Nothing here touches the database: a territory is first planned in memory, from a seeded
``random.Random``, then written through the services (see ``writer``). Planning first lets
the Mayotte scenario land on an exact total of validated hours while every month of every
person stays under the legal ceiling and inside its placement and contract.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from tremplin.core.hours import max_hours_in_month
from tremplin.demo.catalogue import FRENCH_MONTHS, MODE_EMPLOYER, TRADES, TRAINING_MODES
from tremplin.inclusion.enums import DEFAULT_ELIGIBILITY_CRITERIA, ExecutionMode, QualificationLevel
from tremplin.procurement.obligation import ObligationInputs, ObligationMode, compute_obligation
from tremplin.procurement.progress import expected_hours_by

# What one person may do in a month here: under the smallest legal ceiling (192 h in February).
MONTHLY_CAP = 169
MIN_AMOUNT = Decimal(150_000)
MAX_AMOUNT = Decimal(12_000_000)
EVIDENCE_HINTS = {item.code: item.evidence_hint for item in DEFAULT_ELIGIBILITY_CRITERIA}
VALIDITY_MONTHS = {item.code: item.validity_months for item in DEFAULT_ELIGIBILITY_CRITERIA}
# Evidence anchored to lapse that many days after today (see ``anchor_lapsing``).
LAPSING_IN_DAYS = 15
# A returning person's last placement ended at least that many days before today (with
# margin over the two months the recruitment flow asks for).
RETURNING_AFTER_DAYS = 75
REJECTION_REASONS = (
    "Relevé d'heures non signé par l'employeur : merci de renvoyer la fiche de pointage signée.",
    "Heures déclarées au-delà de la fin du contrat de travail transmis : joindre l'avenant.",
)

# Dates -----------------------------------------------------------------------------------


def month_start(value: date) -> date:
    return value.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def month_end(month: date) -> date:
    return month.replace(day=days_in_month(month))


def months_between(first: date, last: date) -> list[date]:
    months = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def french_month(value: date) -> str:
    return f"{FRENCH_MONTHS[value.month - 1]} {value.year}"


# Plans -----------------------------------------------------------------------------------


class Outcome(StrEnum):
    """What the demo wants a contract to show on the dashboard."""

    MET = "met"  # finished (or nearly), obligation realised
    EXCEEDED = "exceeded"  # at least 110 % realised
    LATE = "late"  # finished, obligation not realised
    ON_TRACK = "on_track"  # running, at least 90 % of the hours expected by today
    BEHIND = "behind"  # running, under 90 % of the hours expected by today
    NOT_STARTED = "not_started"  # execution begins after today


# How much of the basis (obligation, or hours expected by today) each outcome realises.
OUTCOME_FACTORS: dict[Outcome, tuple[float, float]] = {
    Outcome.MET: (1.0, 1.07),
    Outcome.EXCEEDED: (1.12, 1.32),
    Outcome.LATE: (0.55, 0.85),
    Outcome.ON_TRACK: (0.96, 1.15),
    Outcome.BEHIND: (0.4, 0.78),
    Outcome.NOT_STARTED: (0.0, 0.0),
}


@dataclass
class EntryPlan:
    month: date
    worked: int
    training: int = 0

    @property
    def total(self) -> int:
        return self.worked + self.training


@dataclass
class PlacementPlan:
    trade: str
    employer: str  # key of the employing organisation
    mode: str
    job: int
    start_date: date
    end_date: date | None
    entries: list[EntryPlan] = field(default_factory=list)
    declared: list[EntryPlan] = field(default_factory=list)
    rejected_reason: str = ""  # the first declared month was refused, for this reason
    contract_reference: str = ""
    lot_number: int | None = None

    @property
    def first_month(self) -> date:
        return month_start(self.start_date)

    @property
    def busy_until(self) -> date:
        """The last month this person is taken by the placement (open ones never end)."""
        if self.end_date is None:
            return date.max
        return month_start(self.end_date)

    @property
    def validated_hours(self) -> int:
        return sum(entry.total for entry in self.entries)


@dataclass
class PartPlan:
    """The whole contract, or one of its lots: it carries a clause and its placements."""

    lot_number: int | None
    lot_title: str
    share: Decimal
    company: str
    trade: str
    amount: Decimal = Decimal(0)
    inputs: ObligationInputs | None = None
    required: int = 0
    target: int = 0
    placements: list[PlacementPlan] = field(default_factory=list)


@dataclass
class ContractPlan:
    facilitator: str
    buyer: str
    reference: str
    title: str
    cpv_code: str
    procedure: str
    form: str
    base_amount: Decimal
    notified_on: date
    execution_start: date
    execution_end: date
    legal_basis: str
    mode: ObligationMode
    parts: list[PartPlan]
    outcome: Outcome
    factor: float
    labour_share: Decimal = Decimal("0.40")
    insertion_rate: Decimal = Decimal("0.05")
    hourly_cost: Decimal = Decimal("25.00")
    euros_per_hour: Decimal | None = None
    share_of_hours: Decimal | None = None
    fixed_hours: Decimal | None = None
    social_criterion: bool = False
    reserved_contract: bool = False
    environmental_clause: bool = False
    environmental_criterion: bool = False
    operation: str = ""
    notes: str = ""
    kind: str = ""
    place: str = ""
    amount: Decimal = Decimal(0)
    # Months up to ``validated_until`` are validated; ``declared_months`` await validation.
    validated_until: date = date.min
    declared_months: list[date] = field(default_factory=list)

    @property
    def required(self) -> int:
        return sum(part.required for part in self.parts)

    @property
    def target(self) -> int:
        return sum(part.target for part in self.parts)

    @property
    def placements(self) -> list[PlacementPlan]:
        return [placement for part in self.parts for placement in part.placements]

    @property
    def company(self) -> str:
        return self.parts[0].company

    def employers(self) -> set[str]:
        return {placement.employer for placement in self.placements}


@dataclass
class PersonPlan:
    first_name: str
    last_name: str
    sex: str
    birth_date: date
    city: str
    postal_code: str
    qpv_resident: bool
    qualification_level: str
    phone: str
    prescriber: str
    criteria: list[tuple[str, str, date]] = field(default_factory=list)
    # Evidence checked again, recently, for people still at work (code, evidence, date).
    renewals: list[tuple[str, str, date]] = field(default_factory=list)
    placements: list[PlacementPlan] = field(default_factory=list)
    # Her exit is not recorded yet: a prescriber brings her back for a new job.
    exit_open: bool = False


@dataclass(frozen=True)
class Population:
    """Who the participants of a territory are."""

    men: tuple[str, ...]
    women: tuple[str, ...]
    surnames: tuple[str, ...]
    homes: tuple[tuple[str, str], ...]
    home_weights: tuple[int, ...] | None
    qpv_chance: float
    rsa_chance: float
    long_term_chance: float
    phone_prefixes: tuple[str, ...]
    # Prescriber keys: "young", "rsa", "disabled" and "default".
    prescribers: dict[str, str]


# Obligations and targets -----------------------------------------------------------------


def _round_amount(value: Decimal) -> Decimal:
    rounded = (value / 1000).quantize(Decimal(1)) * 1000
    return min(MAX_AMOUNT, max(MIN_AMOUNT, rounded)).quantize(Decimal("0.01"))


def price(plan: ContractPlan, scale: Decimal) -> None:
    """Set the contract's amount (the base amount scaled) and each part's obligation."""
    plan.amount = _round_amount(plan.base_amount * scale)
    remaining = plan.amount
    for index, part in enumerate(plan.parts):
        if index == len(plan.parts) - 1:
            part.amount = remaining
        else:
            part.amount = (plan.amount * part.share).quantize(Decimal("0.01"))
            remaining -= part.amount
        part.inputs = _inputs(plan, part.amount)
        part.required = compute_obligation(part.inputs).hours


def _inputs(plan: ContractPlan, amount: Decimal) -> ObligationInputs:
    match plan.mode:
        case ObligationMode.AMOUNT_BASED:
            return ObligationInputs(
                mode=plan.mode,
                amount=amount,
                labour_share=plan.labour_share,
                insertion_rate=plan.insertion_rate,
                hourly_cost=plan.hourly_cost,
            )
        case ObligationMode.PER_EURO_INVOICED:
            return ObligationInputs(
                mode=plan.mode, invoiced_amount=amount, euros_per_hour=plan.euros_per_hour
            )
        case ObligationMode.SHARE_OF_HOURS_WORKED:
            worked = (amount * plan.labour_share / plan.hourly_cost / 100).quantize(Decimal(1))
            return ObligationInputs(
                mode=plan.mode, hours_worked=worked * 100, share_of_hours=plan.share_of_hours
            )
        case ObligationMode.FIXED_HOURS:
            return ObligationInputs(mode=plan.mode, fixed_hours=plan.fixed_hours)
    raise AssertionError(plan.mode)  # pragma: no cover


def basis_hours(plan: ContractPlan, today: date) -> Decimal:
    """The hours an outcome is measured against: the obligation, or what is due by today."""
    return expected_hours_by(
        Decimal(plan.required), plan.execution_start, plan.execution_end, today
    )


def set_validation_windows(rng: random.Random, plans: list[ContractPlan], today: date) -> None:
    """Months up to two months ago are validated; the facilitator is a month further
    behind on some contracts. The months after are declared, awaiting validation."""
    current = month_start(today)
    for plan in plans:
        lag = 2 if rng.random() < 0.6 else 3
        plan.validated_until = add_months(current, -lag)
        plan.declared_months = [add_months(current, -back) for back in range(lag - 1, 0, -1)]


def set_target(plan: ContractPlan, today: date) -> None:
    if (
        plan.outcome is Outcome.NOT_STARTED
        or month_start(plan.execution_start) > plan.validated_until
    ):
        # Nothing is validated before execution begins.
        target = 0
    else:
        exact = basis_hours(plan, today) * Decimal(str(plan.factor))
        rounds_up = plan.outcome in (Outcome.MET, Outcome.EXCEEDED, Outcome.ON_TRACK)
        target = math.ceil(exact) if rounds_up else math.floor(exact)
    _split_target(plan, target)


def _split_target(plan: ContractPlan, target: int) -> None:
    required = plan.required
    given = 0
    for part in plan.parts[1:]:
        part.target = target * part.required // required if required else 0
        given += part.target
    plan.parts[0].target = target - given


def _floor_target(plan: ContractPlan, today: date) -> int:
    """The smallest target that keeps the contract's outcome."""
    basis = basis_hours(plan, today)
    match plan.outcome:
        case Outcome.MET:
            return plan.required
        case Outcome.EXCEEDED:
            return math.ceil(Decimal(plan.required) * Decimal("1.1"))
        case Outcome.ON_TRACK:
            return math.ceil(basis * Decimal("0.92"))
    return plan.target


def scale_to_total(plans: list[ContractPlan], today: date, total: int) -> Decimal:
    """Scale the amounts so that the targets add up to exactly ``total`` hours.

    The amounts are scaled together (a bisection on one factor), then the few hours left
    over are taken from contracts whose obligation is already met with room to spare.
    Returns the scale applied.
    """

    def total_at(scale: Decimal) -> int:
        for plan in plans:
            price(plan, scale)
            set_target(plan, today)
        return sum(plan.target for plan in plans)

    low, high = Decimal("0.1"), Decimal("10")
    for _ in range(60):
        middle = (low + high) / 2
        if total_at(middle) < total:
            low = middle
        else:
            high = middle
    excess = total_at(high) - total
    flexible = sorted(
        (plan for plan in plans if plan.outcome in (Outcome.MET, Outcome.EXCEEDED)),
        key=lambda plan: plan.target,
        reverse=True,
    )
    flexible += [plan for plan in plans if plan.outcome is Outcome.ON_TRACK]
    for plan in flexible:
        if excess <= 0:
            break
        room = plan.target - _floor_target(plan, today)
        taken = min(room, excess)
        if taken > 0:
            _split_target(plan, plan.target - taken)
            excess -= taken
    if excess != 0 or sum(plan.target for plan in plans) != total:
        raise AssertionError("the demo's hours cannot reach their total")  # pragma: no cover
    return high


# Placements and hours ----------------------------------------------------------------------


@dataclass
class _Draft:
    first: int
    last: int
    base: int
    mode: str
    employer: str
    job: int
    start: date
    end: date
    training: int
    entries: list[EntryPlan] = field(default_factory=list)


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    values = [value for value, _ in choices]
    weights = [weight for _, weight in choices]
    return rng.choices(values, weights=weights)[0]


def allocate_part(
    rng: random.Random,
    plan: ContractPlan,
    part: PartPlan,
    *,
    validated_until: date,
    declared_months: list[date],
    employers: set[str],
    declare_chance: float,
) -> None:
    """Spread the part's target over placements and months, exactly.

    Months run from the contract's start to its end or ``validated_until``, whichever is
    first. Each placement is one person's job; nobody works more than ``MONTHLY_CAP`` hours
    in a month. On a contract still running, the hours are given from the latest month
    back (the people at work today are there), and placements still running may declare
    the ``declared_months`` that follow, left awaiting validation.
    """
    last_month = min(month_start(plan.execution_end), validated_until)
    months = months_between(plan.execution_start, last_month)
    if part.target <= 0 or not months:
        return
    trade = TRADES[part.trade]
    if plan.reserved_contract:
        modes: tuple[tuple[str, int], ...] = ((ExecutionMode.DIRECT_CDD, 1),)
    else:
        modes = tuple(
            (mode, weight)
            for mode, weight in trade.modes
            if MODE_EMPLOYER[mode] is None or MODE_EMPLOYER[mode] in employers
        )
    count = len(months)
    contract_goes_on = month_start(plan.execution_end) > last_month
    # One person working the whole window would give ``full`` hours: spread the target over
    # enough people, with gaps between their placements, so that it is reached near the end.
    full = count * (sum(trade.monthly_hours) / len(trade.monthly_hours) - 6)
    concurrency = max(1, math.ceil(part.target / full))
    occupancy = min(1.0, 1.1 * part.target / (full * concurrency))
    while True:
        drafts = _drafts(
            rng, plan, part, months, concurrency, occupancy, modes, latest_first=contract_goes_on
        )
        if _fill(rng, drafts, months, part.target, latest_first=contract_goes_on):
            break
        if occupancy < 1:
            occupancy = min(1.0, occupancy * 1.15)
        else:
            concurrency += 1
    for draft in drafts:
        if not draft.entries:
            continue
        draft.entries.sort(key=lambda entry: entry.month)
        first_entry, last_entry = draft.entries[0].month, draft.entries[-1].month
        start = draft.start
        if first_entry != months[draft.first]:
            # The earliest months were not needed: the job began later.
            start = first_entry + timedelta(days=rng.choice((0, 0, 3, 7)))
            start = min(max(start, plan.execution_start), plan.execution_end)
        placement = PlacementPlan(
            trade=part.trade,
            employer=draft.employer,
            mode=draft.mode,
            job=draft.job,
            start_date=start,
            end_date=draft.end,
            entries=draft.entries,
            contract_reference=plan.reference,
            lot_number=part.lot_number,
        )
        if contract_goes_on and last_entry == last_month:
            _keep_running(rng, plan, placement, declared_months, declare_chance, draft)
        elif last_entry != months[draft.last]:
            # The obligation was reached before the planned end: the job ended that month.
            day = rng.randint(10, 28)
            if last_entry == month_start(start):
                day = max(day, start.day)
            day = min(day, days_in_month(last_entry))
            placement.end_date = min(last_entry.replace(day=day), plan.execution_end)
        part.placements.append(placement)


def _keep_running(
    rng: random.Random,
    plan: ContractPlan,
    placement: PlacementPlan,
    declared_months: list[date],
    declare_chance: float,
    draft: _Draft,
) -> None:
    if rng.random() < 0.4 or not declared_months:
        placement.end_date = None
    else:
        planned = month_end(add_months(declared_months[-1], rng.randint(2, 8)))
        placement.end_date = min(planned, plan.execution_end)
    window_end = month_start(placement.end_date or plan.execution_end)
    for month in declared_months:
        if month <= window_end and rng.random() < declare_chance:
            training = draft.training if rng.random() < 0.8 else 0
            worked = max(7, min(MONTHLY_CAP - training, draft.base - rng.randint(0, 10)))
            placement.declared.append(EntryPlan(month, worked, training))


def _spans(
    rng: random.Random, trade_months: tuple[int, int], count: int, occupancy: float
) -> list[tuple[int, int]]:
    """Month spans (first, last) of one person after another, with gaps between them."""
    spans = []
    index = rng.randint(0, min(count - 1, round((1 - occupancy) * 6)))
    while index < count:
        length = rng.randint(*trade_months)
        last = min(count, index + length) - 1
        spans.append((index, last))
        gap = length * (1 - occupancy) / occupancy * rng.uniform(0.6, 1.4)
        index = last + 1 + max(round(gap), rng.choice((0, 0, 1, 1, 2)))
    return spans


def _drafts(
    rng: random.Random,
    plan: ContractPlan,
    part: PartPlan,
    months: list[date],
    concurrency: int,
    occupancy: float,
    modes: tuple[tuple[str, int], ...],
    *,
    latest_first: bool,
) -> list[_Draft]:
    """The placements of ``concurrency`` people working side by side.

    With ``latest_first`` the spans are laid from the end of the window back, so that
    people are at work in its latest months.
    """
    trade = TRADES[part.trade]
    count = len(months)
    drafts = []
    for _slot in range(concurrency):
        spans = _spans(rng, trade.placement_months, count, occupancy)
        if latest_first:
            spans = [(count - 1 - last, count - 1 - first) for first, last in reversed(spans)]
        for first, last in spans:
            mode = _weighted(rng, modes)
            month = months[first]
            offset = (
                0 if month == month_start(plan.execution_end) else rng.choice((0, 0, 0, 2, 6, 13))
            )
            start = max(month + timedelta(days=offset), plan.execution_start)
            end_month = months[last]
            end_day = days_in_month(end_month) if rng.random() < 0.5 else rng.randint(15, 28)
            end = max(start, min(end_month.replace(day=end_day), plan.execution_end))
            if mode == ExecutionMode.TRAINING:
                training = rng.choice((35, 42, 56, 70))
            elif mode in TRAINING_MODES:
                training = rng.choice((14, 14, 21, 28))
            else:
                training = 7 if rng.random() < 0.1 else 0
            drafts.append(
                _Draft(
                    first=first,
                    last=last,
                    base=rng.choice(trade.monthly_hours),
                    mode=mode,
                    employer=MODE_EMPLOYER[mode] or part.company,
                    job=rng.choice(trade.jobs),
                    start=start,
                    end=end,
                    training=training,
                )
            )
    return drafts


def _month_hours(rng: random.Random, draft: _Draft, month_index: int, month: date) -> EntryPlan:
    days = days_in_month(month)
    fraction = Decimal(1)
    if month_index == draft.first and month_index == draft.last:
        fraction = Decimal(draft.end.day - draft.start.day + 1) / days
    elif month_index == draft.first:
        fraction = Decimal(days - draft.start.day + 1) / days
    elif month_index == draft.last:
        fraction = Decimal(draft.end.day) / days
    base = draft.base - rng.randint(0, 12)
    training = draft.training if fraction == 1 else int(draft.training * fraction)
    if draft.mode == ExecutionMode.TRAINING:
        worked = max(0, base - training - 60)
    else:
        worked = max(0, base - training)
    worked = int(Decimal(worked) * fraction)
    total = min(MONTHLY_CAP, worked + training)
    worked = total - training
    if total <= 0:
        worked, training = 7, 0
    return EntryPlan(month, worked, training)


def _fill(
    rng: random.Random,
    drafts: list[_Draft],
    months: list[date],
    target: int,
    *,
    latest_first: bool,
) -> bool:
    """Give each draft its monthly hours, month after month, until ``target`` is reached.

    Returns False when the drafts cannot reach the target (more people are needed).
    """
    order: list[_Draft] = []
    realised = 0
    indexed = list(enumerate(months))
    for index, month in reversed(indexed) if latest_first else indexed:
        for draft in drafts:
            if not draft.first <= index <= draft.last:
                continue
            if draft.first < index < draft.last and rng.random() < 0.04:
                continue  # a month off: leave, sickness, a break between two missions
            entry = _month_hours(rng, draft, index, month)
            draft.entries.append(entry)
            order.append(draft)
            realised += entry.total
            if realised >= target:
                _trim(order, realised - target)
                return True
    for draft in drafts:
        draft.entries.clear()
    return False


def _trim(order: list[_Draft], excess: int) -> None:
    """Take ``excess`` hours back from the months given last."""
    while excess > 0:
        draft = order.pop()
        entry = draft.entries[-1]
        if excess >= entry.total:
            draft.entries.pop()
            excess -= entry.total
            continue
        from_work = min(entry.worked, excess)
        entry.worked -= from_work
        entry.training -= excess - from_work
        excess = 0


def mark_rejections(rng: random.Random, plans: list[ContractPlan], count: int) -> None:
    """Turn ``count`` declared months into refused ones, each with its reason."""
    declared = [placement for plan in plans for placement in plan.placements if placement.declared]
    for index, placement in enumerate(rng.sample(declared, min(count, len(declared)))):
        placement.rejected_reason = REJECTION_REASONS[index % len(REJECTION_REASONS)]


# People ----------------------------------------------------------------------------------

_WORKS = {"building", "finishing", "roads", "water"}
_SERVICES = {"cleaning", "catering"}


def _family(trade: str) -> str:
    if trade in _WORKS:
        return "works"
    if trade in _SERVICES:
        return "services"
    return "outdoor"


def assign_people(
    rng: random.Random,
    placements: list[PlacementPlan],
    population: Population,
    *,
    today: date,
    reuse_chance: float = 0.35,
) -> list[PersonPlan]:
    """Give each placement a person; some people chain several placements (a pathway).

    A person never holds two placements in the same month, so their monthly hours stay
    under the legal ceiling.
    """
    people: list[PersonPlan] = []
    busy_until: list[date] = []
    families: list[str] = []
    for placement in sorted(
        placements, key=lambda item: (item.start_date, item.contract_reference)
    ):
        family = _family(placement.trade)
        free = [
            index
            for index, until in enumerate(busy_until)
            if until < placement.first_month and families[index] == family
        ]
        if free and rng.random() < reuse_chance:
            index = rng.choice(free[-8:])
        else:
            people.append(_person(rng, placement, population))
            busy_until.append(date.min)
            families.append(family)
            index = len(people) - 1
        people[index].placements.append(placement)
        busy_until[index] = placement.busy_until
    for person in people:
        _criteria(rng, person, population, today)
    return people


def _person(rng: random.Random, placement: PlacementPlan, population: Population) -> PersonPlan:
    trade = TRADES[placement.trade]
    sex = "M" if rng.random() < trade.men_share else "F"
    if placement.mode == ExecutionMode.APPRENTICESHIP:
        age = rng.randint(17, 24)
    elif placement.mode == ExecutionMode.PROFESSIONALISATION:
        age = rng.randint(19, 30)
    else:
        band = rng.choices(((18, 25), (26, 44), (45, 49), (50, 62)), weights=(30, 45, 8, 17))[0]
        age = rng.randint(*band)
    start = placement.start_date
    birth = date(start.year - age, start.month, min(start.day, 28)) - timedelta(
        days=rng.randint(1, 360)
    )
    if age < 26:
        qualification = rng.choices(
            (QualificationLevel.NONE, QualificationLevel.LEVEL_3, QualificationLevel.LEVEL_4),
            weights=(60, 30, 10),
        )[0]
    else:
        qualification = rng.choices(
            (
                QualificationLevel.NONE,
                QualificationLevel.LEVEL_3,
                QualificationLevel.LEVEL_4,
                QualificationLevel.LEVEL_5,
            ),
            weights=(50, 32, 13, 5),
        )[0]
    city, postal_code = rng.choices(population.homes, weights=population.home_weights)[0]
    first_names = population.men if sex == "M" else population.women
    prefix = rng.choice(population.phone_prefixes)
    phone = prefix + "".join(f" {rng.randint(0, 99):02d}" for _ in range(3))
    return PersonPlan(
        first_name=rng.choice(first_names),
        last_name=rng.choice(population.surnames),
        sex=sex,
        birth_date=birth,
        city=city,
        postal_code=postal_code,
        qpv_resident=rng.random() < population.qpv_chance,
        qualification_level=str(qualification),
        phone=phone,
        prescriber=population.prescribers["default"],
    )


def _criteria(rng: random.Random, person: PersonPlan, population: Population, today: date) -> None:
    first = person.placements[0]
    start = first.start_date
    age = (start - person.birth_date).days // 365
    candidates: list[str] = []
    if age < 26 and person.qualification_level == QualificationLevel.NONE:
        candidates.append("young_without_qualification")
    if age >= 25 and rng.random() < population.rsa_chance:
        candidates.append("rsa")
    if age >= 50 and rng.random() < 0.8:
        candidates.append("senior_job_seeker")
    if rng.random() < population.long_term_chance:
        candidates.append("long_term_job_seeker")
    if rng.random() < 0.06:
        candidates.append(rng.choice(("rqth", "rqth", "aah_invalidity")))
    if (
        first.mode
        in (
            ExecutionMode.PROVISION_ETTI,
            ExecutionMode.PROVISION_AI,
            ExecutionMode.SUBCONTRACTING_SIAE,
        )
        and rng.random() < 0.6
    ):
        candidates.append("siae_employee")
    if first.mode == ExecutionMode.PROVISION_GEIQ and rng.random() < 0.6:
        candidates.append("geiq_employee")
    if person.qpv_resident and rng.random() < 0.7:
        candidates.append("qpv_resident")
    if age < 26 and rng.random() < 0.12:
        candidates.append("second_chance")
    if age >= 25 and rng.random() < 0.08:
        candidates.append("ass")
    if not candidates:
        candidates.append("prescriber_opinion" if rng.random() < 0.3 else "long_term_job_seeker")
    chosen = candidates[: rng.randint(1, 3)]
    latest = min(start, today) - timedelta(days=1)
    for code in chosen:
        checked_on = latest - timedelta(days=rng.randint(4, 45))
        evidence = f"{EVIDENCE_HINTS[code]} ({french_month(checked_on)})"
        person.criteria.append((code, evidence, checked_on))
    still_at_work = max(placement.busy_until for placement in person.placements) >= month_start(
        today
    )
    for code, _, checked_on in person.criteria if still_at_work else []:
        months = VALIDITY_MONTHS[code]
        if months and add_months(month_start(checked_on), months) <= month_start(today):
            renewed_on = max(checked_on, today - timedelta(days=rng.randint(3, 60)))
            evidence = f"{EVIDENCE_HINTS[code]} ({french_month(renewed_on)})"
            person.renewals.append((code, evidence, renewed_on))
    if "young_without_qualification" in chosen or "second_chance" in chosen:
        person.prescriber = population.prescribers["young"]
    elif "rsa" in chosen:
        person.prescriber = population.prescribers["rsa"]
    elif "rqth" in chosen or "aah_invalidity" in chosen:
        person.prescriber = population.prescribers["disabled"]


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, or the last day of that month when it is shorter."""
    month = add_months(month_start(day), -months)
    return month.replace(day=min(day.day, days_in_month(month)))


def anchor_lapsing(people: list[PersonPlan], today: date, *, count: int) -> None:
    """Evidence lapsing soon: the evidence of ``count`` people at work was last checked so
    that it lapses about two weeks from today (the facilitator's panel announces it)."""
    lapses_on = today + timedelta(days=LAPSING_IN_DAYS)
    anchored = 0
    for person in people:
        if anchored == count:
            return
        at_work = any(
            placement.start_date <= today
            and (placement.end_date is None or placement.end_date >= lapses_on)
            for placement in person.placements
        )
        if not at_work:
            continue
        for code, _, checked_on in person.criteria:
            months = VALIDITY_MONTHS[code]
            if not months:
                continue
            renewed_on = _months_before(lapses_on, months)
            if not checked_on <= renewed_on <= today:
                continue
            evidence = f"{EVIDENCE_HINTS[code]} ({french_month(renewed_on)})"
            person.renewals = [item for item in person.renewals if item[0] != code]
            person.renewals.append((code, evidence, renewed_on))
            anchored += 1
            break


def anchor_returning(people: list[PersonPlan], today: date, *, away_from: str) -> None:
    """A person whose pathway crossed two contracts and two employers (none of them
    ``away_from``), all ended two months before today at least, and whose exit is not
    recorded: the recruitment flow hires her again. The first such person is chosen."""
    ended_by = today - timedelta(days=RETURNING_AFTER_DAYS)
    for person in people:
        placements = person.placements
        if (
            len({placement.contract_reference for placement in placements}) >= 2
            and len({placement.employer for placement in placements}) >= 2
            and all(placement.employer != away_from for placement in placements)
            and all(
                placement.end_date is not None and placement.end_date < ended_by
                for placement in placements
            )
        ):
            person.exit_open = True
            return


# Checks ----------------------------------------------------------------------------------


def check_people(people: list[PersonPlan], today: date) -> None:
    """Assert what the services would refuse: ceilings, periods, future months."""
    current = month_start(today)
    for person in people:
        per_month: dict[date, int] = {}
        for placement in person.placements:
            for entry in [*placement.entries, *placement.declared]:
                per_month[entry.month] = per_month.get(entry.month, 0) + entry.total
                if entry.month < placement.first_month or entry.month > current:
                    raise AssertionError(f"{entry.month} outside {placement}")
                if placement.end_date and entry.month > month_start(placement.end_date):
                    raise AssertionError(f"{entry.month} after the end of {placement}")
        for month, total in per_month.items():
            if total > max_hours_in_month(month.year, month.month):
                raise AssertionError(f"{total} h in {month}")  # pragma: no cover


def allocate_hours(
    rng: random.Random,
    plans: list[ContractPlan],
    employers: set[str],
    *,
    declare_chance: float = 0.8,
) -> None:
    """Allocate every contract's hours within its validation window."""
    for plan in plans:
        for part in plan.parts:
            allocate_part(
                rng,
                plan,
                part,
                validated_until=plan.validated_until,
                declared_months=plan.declared_months,
                employers=employers,
                declare_chance=declare_chance,
            )
