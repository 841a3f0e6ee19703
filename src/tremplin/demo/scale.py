"""The scale-factor data generator: territories of realistic shape, at any size.

A scale factor says how many networks (territories) to write and how big each one is. A
network has a few facilitator structures (the first one much bigger than the others),
buyers and companies whose shares of the contracts follow a long tail (a département or
a city buys far more than a small commune), inclusion employers, contracts with their
clause and obligation spread over ten years, participants with one to three eligibility
criteria, their placements on the contracts of their structure, one hours entry per month
of each placement (validated, refused, or declared and awaiting review for the last two
months), and the situations at exit and six months later.

The rows are written in bulk, without going through the services and without history
events: this is load for benchmarks, not a showroom (see ``demo.writer`` for that). On
PostgreSQL they are streamed with ``COPY``; elsewhere they go through ``bulk_create``.
The same seed and the same ``today`` give the same rows, id for id on an empty database.
Each network is written in a transaction of its own, so that the deferred foreign key
checks of one network are paid at its commit and memory stays flat at any scale.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from tremplin.core.models import RomeJobTitle
from tremplin.inclusion.enums import (
    CriterionStatus,
    ExecutionMode,
    HoursStatus,
    OutcomeMoment,
    OutcomeSituation,
    QualificationLevel,
)
from tremplin.inclusion.models import (
    EligibilityCriterion,
    HoursEntry,
    Outcome,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.enums import (
    BuyerKind,
    InclusionEmployerKind,
    MembershipRole,
    OrganisationKind,
)
from tremplin.organisations.models import (
    Membership,
    Network,
    NetworkCoordinator,
    Organisation,
    User,
)
from tremplin.procurement.enums import ContractForm, LegalBasis, Procedure
from tremplin.procurement.models import Clause, Contract
from tremplin.procurement.obligation import ObligationInputs, ObligationMode, compute_obligation


@dataclass(frozen=True)
class ScaleFactor:
    """The size of a generated country: ``networks`` territories of the same shape."""

    name: str
    networks: int
    structures_per_network: int
    buyers_per_network: int
    companies_per_network: int
    employers_per_network: int
    contracts_per_network: int
    participants_per_network: int
    hours_entries_per_network: int
    years: int = 10

    @property
    def contracts(self) -> int:
        return self.networks * self.contracts_per_network

    @property
    def participants(self) -> int:
        return self.networks * self.participants_per_network

    @property
    def hours_entries(self) -> int:
        """About: each placement draws its length around the mean that gives this total."""
        return self.networks * self.hours_entries_per_network


_DEPARTEMENT = {
    "structures_per_network": 5,
    "buyers_per_network": 120,
    "companies_per_network": 400,
    "employers_per_network": 40,
    "contracts_per_network": 6_000,
    "participants_per_network": 6_000,
    # Placements still running and those starting late are cut at last month: 61,500
    # drawn give about 50,000 months written.
    "hours_entries_per_network": 61_500,
}
SCALES: dict[str, ScaleFactor] = {
    # A handful of rows of each kind, for the tests.
    "mini": ScaleFactor(
        "mini",
        networks=2,
        structures_per_network=2,
        buyers_per_network=4,
        companies_per_network=6,
        employers_per_network=2,
        contracts_per_network=12,
        participants_per_network=15,
        hours_entries_per_network=120,
    ),
    # One département: about one hundredth of the country.
    "departement": ScaleFactor("departement", networks=1, **_DEPARTEMENT),
    # The whole country over ten years: 600,000 participants and contracts, 5 million months.
    "national": ScaleFactor("national", networks=100, **_DEPARTEMENT),
}

# Share of the network's contracts and participants of each structure, biggest first.
STRUCTURE_WEIGHTS = (0.40, 0.22, 0.16, 0.12, 0.10)
CLAUSE_SHARE = 0.9  # the other contracts are followed without an obligation (yet)
SECOND_PLACEMENT_SHARE = 0.15
REJECTED_SHARE = 0.04
MONTHS_AWAITING_REVIEW = 2  # the last months are declared, not yet validated
PASSWORD = "tremplin-bench"

FIRST_NAMES = (
    ("F", "Fatima"),
    ("F", "Nadia"),
    ("F", "Zaïnaba"),
    ("F", "Marie"),
    ("F", "Aïcha"),
    ("F", "Julie"),
    ("F", "Sandrine"),
    ("M", "Ali"),
    ("M", "Saïd"),
    ("M", "Kevin"),
    ("M", "Mamadou"),
    ("M", "Thomas"),
    ("M", "Karim"),
    ("M", "Jean"),
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Madi",
    "Diallo",
    "Petit",
    "Dubois",
    "Ahamada",
    "Moreau",
    "Benali",
    "Lefèvre",
    "Traoré",
    "Garcia",
    "Roux",
    "Fontaine",
    "Said",
    "Mercier",
)
WORKS = (
    ("45210000", "Construction d'un groupe scolaire"),
    ("45233140", "Réfection de voirie"),
    ("45453000", "Réhabilitation de logements sociaux"),
    ("90910000", "Nettoyage des bâtiments communaux"),
    ("77310000", "Entretien des espaces verts"),
    ("55523100", "Restauration scolaire"),
    ("90511000", "Collecte des déchets ménagers"),
    ("45261000", "Réfection de toitures"),
)
# Execution modes and the share of placements in each (direct hire first).
MODES = (
    (ExecutionMode.DIRECT_CDD, 40),
    (ExecutionMode.DIRECT_CDI, 8),
    (ExecutionMode.APPRENTICESHIP, 5),
    (ExecutionMode.PROFESSIONALISATION, 4),
    (ExecutionMode.PROVISION_ETTI, 18),
    (ExecutionMode.PROVISION_AI, 8),
    (ExecutionMode.PROVISION_GEIQ, 4),
    (ExecutionMode.TEMP_AGENCY, 3),
    (ExecutionMode.SUBCONTRACTING_SIAE, 7),
    (ExecutionMode.TRAINING, 3),
)
# Modes whose employer is the inclusion employer rather than the contract's holder.
EMPLOYER_MODES = frozenset(
    {
        ExecutionMode.PROVISION_ETTI,
        ExecutionMode.PROVISION_AI,
        ExecutionMode.PROVISION_GEIQ,
        ExecutionMode.SUBCONTRACTING_SIAE,
    }
)
SITUATIONS = (
    (OutcomeSituation.DURABLE_CDI, 12),
    (OutcomeSituation.DURABLE_FIXED_TERM, 16),
    (OutcomeSituation.BUSINESS_CREATION, 2),
    (OutcomeSituation.TRANSITION_JOB, 24),
    (OutcomeSituation.QUALIFYING_TRAINING, 10),
    (OutcomeSituation.JOB_SEEKING, 26),
    (OutcomeSituation.INACTIVE, 4),
    (OutcomeSituation.UNKNOWN, 6),
)
CRITERIA = (
    ("long_term_job_seeker", 30),
    ("rsa", 28),
    ("young_without_qualification", 14),
    ("qpv_resident", 12),
    ("senior_job_seeker", 8),
    ("rqth", 6),
    ("ass", 4),
    ("aah_invalidity", 2),
    ("siae_employee", 2),
    ("geiq_employee", 1),
    ("second_chance", 1),
    ("prescriber_opinion", 2),
)
QUALIFICATIONS = (
    (QualificationLevel.NONE, 45),
    (QualificationLevel.LEVEL_3, 30),
    (QualificationLevel.LEVEL_4, 17),
    (QualificationLevel.LEVEL_5, 6),
    (QualificationLevel.LEVEL_6, 2),
)
EMPLOYER_KINDS = (
    InclusionEmployerKind.ETTI,
    InclusionEmployerKind.AI,
    InclusionEmployerKind.EI,
    InclusionEmployerKind.ACI,
    InclusionEmployerKind.GEIQ,
)
BUYER_KINDS = (
    BuyerKind.DEPARTMENT,
    BuyerKind.REGION,
    BuyerKind.INTERMUNICIPALITY,
    BuyerKind.SOCIAL_LANDLORD,
    BuyerKind.HOSPITAL,
)


@dataclass
class ScaleLogins:
    """Who to sign in as to look at the figures of the first network."""

    facilitator_email: str = ""  # a member of the network's biggest structure
    buyer_email: str = ""  # a member of the network's biggest buyer
    coordinator_email: str = ""  # the network's coordinator
    network_id: int = 0
    structure_id: int = 0
    buyer_id: int = 0


@dataclass
class ScaleResult:
    scale: ScaleFactor
    logins: ScaleLogins
    rows: dict[str, int] = field(default_factory=dict)


class _Weighted:
    """Draws from a fixed list with weights, in O(log n) (``random.choices`` without the
    cumulative sums recomputed at each call)."""

    def __init__(self, rng: random.Random, items: Sequence[Any], weights: Sequence[float]):
        self.rng = rng
        self.items = list(items)
        self.cumulative = list(accumulate(weights))

    def draw(self) -> Any:
        return self.rng.choices(self.items, cum_weights=self.cumulative)[0]


def _long_tail(count: int) -> list[float]:
    """Zipf-like weights: the first buyer or company weighs far more than the last."""
    return [1 / (rank + 1) ** 0.9 for rank in range(count)]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


class _Ids:
    """The next primary key of each table: rows are written with their ids, so that the
    children of a row can point to it before anything is read back."""

    def __init__(self) -> None:
        self.next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int = 1) -> int:
        if model not in self.next:
            self.next[model] = (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        first = self.next[model]
        self.next[model] = first + count
        return first

    def counter(self, model: type[models.Model]) -> Callable[[], int]:
        def take_one() -> int:
            return self.take(model)

        return take_one


def _plain(value: Any) -> Any:
    """The stored value of a choice: psycopg would write an Enum member by its name."""
    return value.value if isinstance(value, Enum) else value


class _Sink:
    """Writes rows given as tuples in the order of ``columns`` (attribute names)."""

    def __init__(self) -> None:
        self.postgresql = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}
        self.models: set[type[models.Model]] = set()

    def write(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> None:
        count = 0
        if self.postgresql:
            # Django's defaults live in Python, not in the tables: COPY must write them.
            extra_names, extra = self._defaults(model, columns)
            names = ", ".join(
                connection.ops.quote_name(model._meta.get_field(name).column)
                for name in (*columns, *extra_names)
            )
            table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + extra)
                        count += 1
        else:
            objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
            model._base_manager.bulk_create(objects, batch_size=500)
            count = len(objects)
        self.models.add(model)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + count

    def _defaults(
        self, model: type[models.Model], columns: Sequence[str]
    ) -> tuple[list[str], tuple[Any, ...]]:
        """The columns left out that cannot be NULL, with the value Django would give them."""
        names: list[str] = []
        values: list[Any] = []
        for model_field in model._meta.concrete_fields:
            if (
                model_field.attname in columns
                or model_field.primary_key
                or model_field.null
                or isinstance(model_field, models.GeneratedField)
            ):
                continue
            value = model_field.get_default()
            if value is None and isinstance(model_field, models.DateTimeField):
                value = timezone.now()
            names.append(model_field.attname)
            values.append(_plain(value))
        return names, tuple(values)

    def reset_sequences(self) -> None:
        """Rows came with their ids: move PostgreSQL's sequences past them."""
        if not self.postgresql:
            return
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def no_style() -> Any:
    from django.core.management.color import no_style as django_no_style

    return django_no_style()


class ScaleGenerator:
    def __init__(
        self,
        scale: ScaleFactor,
        *,
        seed: int,
        today: date,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.scale = scale
        self.progress = progress
        self.seed = seed
        self.today = today
        self.ids = _Ids()
        self.sink = _Sink()
        self.logins = ScaleLogins()
        self.now = _at(today)
        self.first_month = _add_months(today.replace(day=1), -12 * scale.years)
        # Months of hours run up to the month before today's.
        self.last_month = _add_months(today.replace(day=1), -1)
        self.review_from = _add_months(today.replace(day=1), -MONTHS_AWAITING_REVIEW)
        self.password_hash = make_password(PASSWORD)
        self.jobs = list(RomeJobTitle.objects.order_by("code").values_list("code", flat=True)[:300])
        codes = dict(EligibilityCriterion.objects.values_list("code", "pk"))
        self.criteria = [(codes[code], weight) for code, weight in CRITERIA if code in codes]
        self.sequence = self._first_free_sequence()

    def _first_free_sequence(self) -> int:
        """Networks are numbered after those of an earlier run, so slugs never collide."""
        return Network.objects.filter(slug__startswith="echelle-").count() + 1

    def run(self) -> ScaleResult:
        for index in range(self.scale.networks):
            # One random stream per network: network n is the same whatever the scale.
            rng = random.Random(f"{self.seed}-{index}")
            with transaction.atomic():
                self._network(index, rng)
            if self.progress:
                self.progress(f"{index + 1}/{self.scale.networks} networks")
        self.sink.reset_sequences()
        return ScaleResult(scale=self.scale, logins=self.logins, rows=dict(self.sink.counts))

    # --- One territory ---------------------------------------------------------------

    def _network(self, index: int, rng: random.Random) -> None:
        number = self.sequence + index
        network = Network.objects.create(
            name=f"Réseau des clauses sociales — territoire {number:03d}",
            slug=f"echelle-{number:03d}",
            territory=f"Territoire {number:03d}",
            hours_per_fte=1607 if number % 10 else 1820,
        )
        network.eligibility_criteria.set([pk for pk, _weight in self.criteria])
        structures, buyers, companies, employers = self._organisations(network, number, rng)
        first = index == 0
        self._users(network, number, structures[0], buyers[0], first)
        contracts = self._contracts(number, rng, structures, buyers, companies)
        self._participants(rng, network, structures, contracts, companies, employers)

    def _organisations(
        self, network: Network, number: int, rng: random.Random
    ) -> tuple[list[int], list[int], list[int], list[int]]:
        scale = self.scale
        structure_count = scale.structures_per_network
        total = (
            structure_count
            + scale.buyers_per_network
            + scale.companies_per_network
            + scale.employers_per_network
        )
        first = self.ids.take(Organisation, total)
        ids = iter(range(first, first + total))
        rows: list[tuple[Any, ...]] = []
        created = self.now - timedelta(days=365 * scale.years)

        def add(kind: str, name: str, employer_kind: str = "", buyer_kind: str = "") -> int:
            pk = next(ids)
            city = f"Commune {number:03d}-{rng.randrange(1, 60):02d}"
            # A real département (01–95); in Corsica (20) only 200xx and 201xx exist.
            department = number % 95 + 1
            postal_code = (
                f"{department:02d}{rng.randrange(0, 200 if department == 20 else 1000):03d}"
            )
            rows.append(
                (
                    pk,
                    network.pk,
                    _plain(kind),
                    name,
                    _plain(employer_kind),
                    _plain(buyer_kind),
                    city,
                    postal_code,
                    created,
                )
            )
            return pk

        structures = [
            add(OrganisationKind.FACILITATOR, f"Structure de facilitation {number:03d}-{n + 1}")
            for n in range(structure_count)
        ]
        buyers = [
            add(
                OrganisationKind.BUYER,
                f"Acheteur public {number:03d}-{n + 1:03d}",
                buyer_kind=BUYER_KINDS[n] if n < len(BUYER_KINDS) else BuyerKind.MUNICIPALITY,
            )
            for n in range(scale.buyers_per_network)
        ]
        companies = [
            add(OrganisationKind.COMPANY, f"Entreprise {number:03d}-{n + 1:04d}")
            for n in range(scale.companies_per_network)
        ]
        employers = [
            add(
                OrganisationKind.INCLUSION_EMPLOYER,
                f"Structure d'insertion {number:03d}-{n + 1:03d}",
                employer_kind=EMPLOYER_KINDS[n % len(EMPLOYER_KINDS)],
            )
            for n in range(scale.employers_per_network)
        ]
        self.sink.write(
            Organisation,
            (
                "id",
                "network_id",
                "kind",
                "name",
                "inclusion_employer_kind",
                "buyer_kind",
                "city",
                "postal_code",
                "created_at",
            ),
            rows,
        )
        return structures, buyers, companies, employers

    def _users(
        self, network: Network, number: int, structure: int, buyer: int, first: bool
    ) -> None:
        """A facilitator of the biggest structure, a buyer, the coordinator: few rows, ORM."""
        people = {
            "facilitator": structure,
            "buyer": buyer,
            "coordinator": None,
        }
        emails = {}
        for role, organisation_id in people.items():
            email = f"{role}-{number:03d}@echelle.tremplin.local"
            user = User.objects.create(
                email=email,
                password=self.password_hash,
                first_name=role.capitalize(),
                last_name=f"Territoire {number:03d}",
            )
            if organisation_id is None:
                NetworkCoordinator.objects.create(user=user, network=network)
            else:
                Membership.objects.create(
                    user=user, organisation_id=organisation_id, role=MembershipRole.ADMINISTRATOR
                )
            emails[role] = email
        if first:
            self.logins = ScaleLogins(
                facilitator_email=emails["facilitator"],
                buyer_email=emails["buyer"],
                coordinator_email=emails["coordinator"],
                network_id=network.pk,
                structure_id=structure,
                buyer_id=buyer,
            )

    # --- Contracts and their clauses -------------------------------------------------

    def _contracts(
        self,
        number: int,
        rng: random.Random,
        structures: list[int],
        buyers: list[int],
        companies: list[int],
    ) -> dict[int, list[tuple[int, date, date, int]]]:
        """Write the contracts and clauses; answer, per structure, (id, start, end, holder)."""
        scale = self.scale
        count = scale.contracts_per_network
        first = self.ids.take(Contract, count)
        clause_id = self.ids.counter(Clause)
        pick_structure = _Weighted(rng, structures, _structure_weights(len(structures)))
        pick_buyer = _Weighted(rng, buyers, _long_tail(len(buyers)))
        pick_company = _Weighted(rng, companies, _long_tail(len(companies)))
        span_days = (self.today - self.first_month).days
        contract_rows = []
        clause_rows = []
        by_structure: dict[int, list[tuple[int, date, date, int]]] = {s: [] for s in structures}
        for offset in range(count):
            pk = first + offset
            structure = pick_structure.draw()
            buyer = pick_buyer.draw()
            company = pick_company.draw()
            cpv, title = WORKS[rng.randrange(len(WORKS))]
            # A few more contracts each year: the service grows over the decade.
            start = self.first_month + timedelta(days=int(span_days * rng.random() ** 0.8))
            end = start + timedelta(days=rng.randrange(180, 4 * 365))
            amount = Decimal(int(40_000 * 10 ** (rng.random() * 2.4))).quantize(Decimal("1"))
            with_clause = rng.random() < CLAUSE_SHARE
            hours_required = 0
            if with_clause:
                inputs = ObligationInputs(
                    mode=ObligationMode.AMOUNT_BASED,
                    amount=amount,
                    labour_share=Decimal("0.40"),
                    insertion_rate=Decimal(("0.05", "0.07", "0.10")[rng.randrange(3)]),
                    hourly_cost=Decimal("30.00"),
                )
                obligation = compute_obligation(inputs)
                hours_required = obligation.hours
                clause_rows.append(
                    (
                        clause_id(),
                        pk,
                        LegalBasis.EXECUTION_CONDITION.value,
                        ObligationMode.AMOUNT_BASED.value,
                        inputs.amount,
                        inputs.labour_share,
                        inputs.insertion_rate,
                        inputs.hourly_cost,
                        obligation.exact_hours.quantize(Decimal("0.0001"), ROUND_HALF_UP),
                        hours_required,
                        self.now,
                    )
                )
            created = _at(start - timedelta(days=60))
            contract_rows.append(
                (
                    pk,
                    structure,
                    buyer,
                    f"{start.year}-{number:03d}-{offset + 1:05d}",
                    title,
                    cpv,
                    (Procedure.OPEN_TENDER if amount > 221_000 else Procedure.ADAPTED).value,
                    ContractForm.SINGLE.value,
                    amount,
                    start - timedelta(days=30),
                    start,
                    end,
                    company,
                    with_clause,
                    rng.random() < 0.1,
                    created,
                    created,
                    hours_required,
                )
            )
            by_structure[structure].append((pk, start, end, company))
        self.sink.write(
            Contract,
            (
                "id",
                "facilitator_id",
                "buyer_id",
                "reference",
                "title",
                "cpv_code",
                "procedure",
                "form",
                "amount_excl_tax",
                "notified_on",
                "execution_start",
                "execution_end",
                "awarded_company_id",
                "social_clause",
                "environmental_clause",
                "created_at",
                "updated_at",
                "hours_required",
            ),
            contract_rows,
        )
        self.sink.write(
            Clause,
            (
                "id",
                "contract_id",
                "legal_basis",
                "mode",
                "amount",
                "labour_share",
                "insertion_rate",
                "hourly_cost",
                "exact_hours",
                "hours_required",
                "computed_at",
            ),
            clause_rows,
        )
        return by_structure

    # --- People, placements, hours, outcomes ------------------------------------------

    def _participants(
        self,
        rng: random.Random,
        network: Network,
        structures: list[int],
        contracts: dict[int, list[tuple[int, date, date, int]]],
        companies: list[int],
        employers: list[int],
    ) -> None:
        scale = self.scale
        count = scale.participants_per_network
        first = self.ids.take(Participant, count)
        pick_structure = _Weighted(rng, structures, _structure_weights(len(structures)))
        pick_mode = _Weighted(rng, [m.value for m, _ in MODES], [w for _, w in MODES])
        pick_situation = _Weighted(
            rng, [s.value for s, _ in SITUATIONS], [w for _, w in SITUATIONS]
        )
        pick_criterion = _Weighted(
            rng, [pk for pk, _ in self.criteria], [w for _, w in self.criteria]
        )
        pick_level = _Weighted(
            rng, [q.value for q, _ in QUALIFICATIONS], [w for _, w in QUALIFICATIONS]
        )
        placements_expected = count * (1 + SECOND_PLACEMENT_SHARE)
        mean_months = max(1.0, scale.hours_entries_per_network / placements_expected)
        people = []
        criteria = []
        placements = []
        hours = []
        outcomes = []
        placement_id = self.ids.counter(Placement)
        criterion_id = self.ids.counter(ParticipantCriterion)
        hours_id = self.ids.counter(HoursEntry)
        outcome_id = self.ids.counter(Outcome)
        for offset in range(count):
            pk = first + offset
            structure = pick_structure.draw()
            options = contracts[structure] or next(c for c in contracts.values() if c)
            sex, first_name = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
            contract, start, end, holder = options[rng.randrange(len(options))]
            entry = start + timedelta(days=rng.randrange(0, max(1, (end - start).days)))
            entry = min(entry, self.last_month)
            birth = entry - timedelta(days=rng.randrange(18 * 365, 62 * 365))
            qpv = rng.random() < 0.25
            people.append(
                (
                    pk,
                    structure,
                    first_name,
                    f"{LAST_NAMES[rng.randrange(len(LAST_NAMES))]}-{pk}",
                    birth,
                    sex,
                    qpv,
                    pick_level.draw(),
                    _at(entry - timedelta(days=20)),
                )
            )
            chosen: set[int] = set()
            for _ in range(1 + int(rng.random() ** 2 * 3)):
                criterion = pick_criterion.draw()
                if criterion in chosen:
                    continue
                chosen.add(criterion)
                checked = entry - timedelta(days=rng.randrange(1, 30))
                criteria.append(
                    (
                        criterion_id(),
                        pk,
                        criterion,
                        "Justificatif vérifié",
                        checked,
                        CriterionStatus.CONFIRMED.value,
                    )
                )
            last_end: date | None = None
            last_placement = 0
            for step in range(2 if rng.random() < SECOND_PLACEMENT_SHARE else 1):
                if step:
                    # A second job on another contract of the structure, after the first.
                    if last_end is None or last_end >= self.last_month:
                        break
                    contract, start, end, holder = options[rng.randrange(len(options))]
                    entry = _add_months(last_end, 1)
                placement = placement_id()
                mode = pick_mode.draw()
                employer = (
                    employers[rng.randrange(len(employers))] if mode in EMPLOYER_MODES else holder
                )
                months = 1 + int(rng.random() * (2 * mean_months - 1))
                month = entry.replace(day=1)
                final = min(_add_months(month, months - 1), self.last_month)
                ended = final < self.last_month  # otherwise the job still runs
                end_date = _add_months(final, 1) - timedelta(days=1) if ended else None
                placements.append(
                    (
                        placement,
                        pk,
                        contract,
                        employer,
                        mode,
                        self.jobs[rng.randrange(len(self.jobs))],
                        entry,
                        end_date,
                        _at(entry),
                    )
                )
                while month <= final:
                    worked = Decimal(rng.randrange(40, 152))
                    training = Decimal(rng.randrange(0, 3) * 7)
                    declared_at = _at(_add_months(month, 1) + timedelta(days=4))
                    if month >= self.review_from:
                        status, reason, reviewed = HoursStatus.DECLARED.value, "", None
                    elif rng.random() < REJECTED_SHARE:
                        status, reason = HoursStatus.REJECTED.value, "Heures non justifiées"
                        reviewed = declared_at + timedelta(days=10)
                    else:
                        status, reason = HoursStatus.VALIDATED.value, ""
                        reviewed = declared_at + timedelta(days=10)
                    hours.append(
                        (
                            hours_id(),
                            placement,
                            month,
                            worked,
                            training,
                            status,
                            reason,
                            declared_at,
                            reviewed,
                        )
                    )
                    month = _add_months(month, 1)
                last_end = end_date
                last_placement = placement
            if last_end is not None and rng.random() < 0.8:
                observed = last_end + timedelta(days=rng.randrange(0, 15))
                outcomes.append(
                    self._outcome(
                        outcome_id(),
                        pk,
                        last_placement,
                        OutcomeMoment.EXIT.value,
                        last_end,
                        observed,
                        pick_situation.draw(),
                    )
                )
                later = last_end + timedelta(days=183)
                if later < self.today and rng.random() < 0.7:
                    outcomes.append(
                        self._outcome(
                            outcome_id(),
                            pk,
                            last_placement,
                            OutcomeMoment.SIX_MONTHS.value,
                            last_end,
                            later,
                            pick_situation.draw(),
                        )
                    )
        self.sink.write(
            Participant,
            (
                "id",
                "facilitator_id",
                "first_name",
                "last_name",
                "birth_date",
                "sex",
                "qpv_resident",
                "qualification_level",
                "created_at",
            ),
            people,
        )
        self.sink.write(
            ParticipantCriterion,
            ("id", "participant_id", "criterion_id", "evidence", "checked_on", "status"),
            criteria,
        )
        self.sink.write(
            Placement,
            (
                "id",
                "participant_id",
                "contract_id",
                "employer_id",
                "execution_mode",
                "job_id",
                "start_date",
                "end_date",
                "created_at",
            ),
            placements,
        )
        self.sink.write(
            HoursEntry,
            (
                "id",
                "placement_id",
                "month",
                "hours_worked",
                "training_hours",
                "status",
                "rejection_reason",
                "declared_at",
                "reviewed_at",
            ),
            hours,
        )
        self.sink.write(
            Outcome,
            (
                "id",
                "participant_id",
                "placement_id",
                "moment",
                "exit_date",
                "observed_on",
                "situation",
                "qualification_gained",
                "recorded_at",
            ),
            outcomes,
        )

    def _outcome(
        self,
        pk: int,
        participant: int,
        placement: int,
        moment: str,
        exit_date: date,
        observed: date,
        situation: str,
    ) -> tuple[Any, ...]:
        qualified = situation == OutcomeSituation.QUALIFYING_TRAINING
        return (
            pk,
            participant,
            placement,
            moment,
            exit_date,
            observed,
            situation,
            qualified,
            _at(observed),
        )


def _structure_weights(count: int) -> list[float]:
    weights = list(STRUCTURE_WEIGHTS[:count])
    return weights + [weights[-1] if weights else 1.0] * (count - len(weights))


def generate(
    scale: ScaleFactor | str,
    *,
    seed: int = 2026,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleResult:
    """Write ``scale`` networks into the database; answer who to sign in as, and counts."""
    factor = SCALES[scale] if isinstance(scale, str) else scale
    generator = ScaleGenerator(factor, seed=seed, today=today or date.today(), progress=progress)
    return generator.run()
