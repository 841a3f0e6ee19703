"""Writing a planned territory through the project's services.

Every organisation, contract, lot, clause, participant, criterion and placement goes
through the service that writes it in the application, so that validation, history and
constraints hold exactly as for a facilitator typing them in. So do the recent months of
hours (declared, then validated or refused). The thousands of older validated months
are written in bulk, with the same history events the services would have left.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from tremplin.core.models import RomeJobTitle
from tremplin.demo.planning import (
    ContractPlan,
    PersonPlan,
    PlacementPlan,
    add_months,
)
from tremplin.demo.scenario import OrgSpec, TerritoryPlan, UserSpec
from tremplin.demo.sirets import SiretBook
from tremplin.inclusion import outcome_services
from tremplin.inclusion import services as inclusion
from tremplin.inclusion.enums import (
    ISCED_BAND_OF_QUALIFICATION,
    OUTCOME_CATEGORIES,
    EventAction,
    ExecutionMode,
    HoursStatus,
    LabourStatus,
    OutcomeCategory,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.followup import six_month_due
from tremplin.inclusion.models import (
    EligibilityCriterion,
    EsfEntry,
    ExecutionModeRule,
    HoursEntry,
    InclusionEvent,
    Outcome,
    Participant,
    Placement,
)
from tremplin.organisations import services as organisations
from tremplin.organisations.enums import MembershipRole, OrganisationKind
from tremplin.organisations.models import Network, Organisation, User
from tremplin.procurement import services as procurement
from tremplin.procurement.enums import ContractForm, Procedure
from tremplin.procurement.models import Contract, Lot, Operation

# Above these amounts (excl. tax) a local authority must run a formal tender (2024–2025).
WORKS_THRESHOLD = Decimal(5_538_000)
SERVICES_THRESHOLD = Decimal(221_000)
SUBCONTRACTING_MODES = {
    ExecutionMode.SUBCONTRACTING_SIAE,
    ExecutionMode.SUBCONTRACTING_DISABILITY,
}


class TerritoryWriter:
    def __init__(self, plan: TerritoryPlan, *, password_hash: str, seed: int, today: date) -> None:
        self.plan = plan
        # The territory's today, the one its plan was drawn on.
        self.today = today
        self.password_hash = password_hash
        self.rng = random.Random(seed)
        # Outcomes draw from their own stream: they change nothing else of the territory.
        self.outcome_rng = random.Random(seed + 2)
        self.people: list[_WrittenPerson] = []
        self.sirets = SiretBook(random.Random(seed + 1))
        self.organisations: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.contracts: dict[str, Contract] = {}
        self.lots: dict[tuple[str, int], Lot] = {}
        self.jobs: dict[int, RomeJobTitle] = {}
        self.criteria = {item.code: item for item in EligibilityCriterion.objects.all()}
        self.validated: list[_ValidatedMonth] = []
        self.recent_from = add_months(today.replace(day=1), -3)
        self.network: Network | None = None

    def write(self) -> Network:
        self.network = self._network()
        self._organisations()
        self._users()
        self._jobs()
        for contract in self.plan.contracts:
            self._contract(contract)
        for facilitator, people in self.plan.people.items():
            actor = self.users[self.plan.actors[facilitator]]
            for person in people:
                self._person(facilitator, person, actor)
        self._write_validated_months()
        self._write_outcomes()
        self._date_the_hours()
        return self.network

    # Network and organisations ------------------------------------------------------------

    def _network(self) -> Network:
        plan = self.plan
        network = Network(
            name=plan.name,
            slug=plan.slug,
            territory=plan.territory,
            hours_per_fte=plan.hours_per_fte,
            time_zone=plan.time_zone,
            default_hourly_cost=plan.default_hourly_cost,
            default_labour_share=plan.default_labour_share,
            default_insertion_rate=plan.default_insertion_rate,
        )
        network.full_clean()
        network.save()
        for criterion in self.criteria.values():
            criterion.networks.add(network)
        ExecutionModeRule.objects.bulk_create(
            ExecutionModeRule(network=network, execution_mode=mode, weight=weight, cap_share=cap)
            for mode, (weight, cap) in plan.mode_rules.items()
        )
        return network

    def _organisations(self) -> None:
        # Facilitators first: the others name theirs.
        ordered = sorted(
            self.plan.organisations, key=lambda item: item.kind != OrganisationKind.FACILITATOR
        )
        for spec in ordered:
            self.organisations[spec.key] = self._organisation(spec)

    def _organisation(self, spec: OrgSpec) -> Organisation:
        assert self.network is not None
        fields: dict[str, object] = {
            "city": spec.city,
            "postal_code": spec.postal_code,
            "address": spec.address or self._address(spec),
            "email": spec.email,
            "phone": spec.phone,
        }
        if spec.buyer_kind:
            fields["buyer_kind"] = spec.buyer_kind
        if spec.inclusion_employer_kind:
            fields["inclusion_employer_kind"] = spec.inclusion_employer_kind
        if spec.prescriber_kind:
            fields["prescriber_kind"] = spec.prescriber_kind
            fields["area_departments"] = spec.area
        if spec.facilitator:
            fields["facilitator"] = self.organisations[spec.facilitator]
        return organisations.organisation_create(
            network=self.network,
            kind=spec.kind,
            name=spec.name,
            siret=self.sirets.next(public=spec.public),
            **fields,
        )

    def _address(self, spec: OrgSpec) -> str:
        streets = (
            "rue de la République",
            "avenue de l'Europe",
            "rue du Commerce",
            "boulevard des Écoles",
            "rue de la Mairie",
            "zone d'activités",
        )
        return f"{self.rng.randint(1, 48)}, {self.rng.choice(streets)}"

    def _users(self) -> None:
        for spec in self.plan.users:
            user = demo_user(spec, self.password_hash)
            self.users[spec.email] = user
            if spec.organisation:
                organisations.membership_add(
                    user=user,
                    organisation=self.organisations[spec.organisation],
                    role=MembershipRole.ADMINISTRATOR
                    if spec.administrator
                    else MembershipRole.MEMBER,
                )
            if spec.coordinates:
                assert self.network is not None
                organisations.coordinator_add(user=user, network=self.network)

    def _jobs(self) -> None:
        codes = {
            placement.job for contract in self.plan.contracts for placement in contract.placements
        }
        self.jobs = RomeJobTitle.objects.in_bulk(codes)
        missing = codes - set(self.jobs)
        if missing:  # pragma: no cover - the shipped ROME copy has them all
            raise LookupError(f"Appellations ROME absentes : {sorted(missing)}")

    # Contracts ------------------------------------------------------------------------------

    def _contract(self, plan: ContractPlan) -> None:
        actor = self.users[self.plan.actors[plan.facilitator]]
        buyer = self.organisations[plan.buyer]
        operation = None
        if plan.operation:
            operation, _ = Operation.objects.get_or_create(
                buyer=buyer, name=plan.operation, defaults={"place": plan.place}
            )
        subcontractors = [
            self.organisations[placement.employer]
            for placement in plan.placements
            if placement.mode in SUBCONTRACTING_MODES
        ]
        contract = procurement.contract_create(
            actor=actor,
            facilitator=self.organisations[plan.facilitator],
            buyer=buyer,
            subcontractors=list(dict.fromkeys(subcontractors)),
            operation=operation,
            reference=plan.reference,
            title=plan.title,
            cpv_code=plan.cpv_code,
            procedure=plan.procedure or _procedure(plan),
            form=plan.form,
            amount_excl_tax=plan.amount,
            notified_on=plan.notified_on,
            execution_start=plan.execution_start,
            execution_end=plan.execution_end,
            awarded_company=self.organisations[plan.company],
            social_clause=True,
            social_criterion=plan.social_criterion,
            reserved_contract=plan.reserved_contract,
            environmental_clause=plan.environmental_clause,
            environmental_criterion=plan.environmental_criterion,
        )
        self.contracts[plan.reference] = contract
        for part in plan.parts:
            lot = None
            if part.lot_number is not None:
                lot = procurement.lot_create(
                    actor=actor,
                    contract=contract,
                    number=part.lot_number,
                    title=part.lot_title,
                    amount_excl_tax=part.amount,
                    awarded_company=self.organisations[part.company],
                )
                self.lots[(plan.reference, part.lot_number)] = lot
            assert part.inputs is not None
            clause = procurement.clause_save(
                actor=actor,
                contract=contract,
                legal_basis=plan.legal_basis,
                inputs=part.inputs,
                lot=lot,
                notes=plan.notes,
            )
            if clause.hours_required != part.required:  # pragma: no cover - a planning bug
                raise AssertionError(f"{plan.reference}: {clause.hours_required} h")

    # People, placements and hours -----------------------------------------------------------

    def _person(self, facilitator: str, person: PersonPlan, actor: User) -> None:
        participant = inclusion.participant_create(
            actor=actor,
            facilitator=self.organisations[facilitator],
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            sex=person.sex,
            postal_code=person.postal_code,
            city=person.city,
            qpv_resident=person.qpv_resident,
            qualification_level=person.qualification_level,
            phone=person.phone,
            referred_by=self.organisations[person.prescriber],
        )
        for code, evidence, checked_on in person.criteria:
            inclusion.criterion_set(
                actor=actor,
                participant=participant,
                criterion=self.criteria[code],
                evidence=evidence,
                checked_on=checked_on,
            )
        placements = [self._placement(participant, plan, actor) for plan in person.placements]
        self.people.append(_WrittenPerson(facilitator, person, participant, placements, actor))
        for code, evidence, checked_on in person.renewals:
            inclusion.criterion_set(
                actor=actor,
                participant=participant,
                criterion=self.criteria[code],
                evidence=evidence,
                checked_on=checked_on,
            )

    def _placement(self, participant: Participant, plan: PlacementPlan, actor: User) -> Placement:
        contract = self.contracts[plan.contract_reference]
        lot = self.lots[(plan.contract_reference, plan.lot_number)] if plan.lot_number else None
        employer = self.organisations[plan.employer]
        placement = inclusion.placement_create(
            actor=actor,
            participant=participant,
            contract=contract,
            employer=employer,
            execution_mode=plan.mode,
            job=self.jobs[plan.job],
            start_date=plan.start_date,
            end_date=plan.end_date,
            lot=lot,
        )
        declarer = self._declarer(employer, actor)
        for entry in plan.entries:
            if entry.month >= self.recent_from:
                # The latest months went through the usual round: declared, then validated.
                recorded = inclusion.hours_record(
                    actor=declarer,
                    placement=placement,
                    month=entry.month,
                    hours_worked=Decimal(entry.worked),
                    training_hours=Decimal(entry.training),
                )
                inclusion.hours_validate(actor=actor, entry=recorded)
                continue
            self.validated.append(
                _ValidatedMonth(
                    HoursEntry(
                        placement=placement,
                        month=entry.month,
                        hours_worked=Decimal(entry.worked),
                        training_hours=Decimal(entry.training),
                        status=HoursStatus.VALIDATED,
                        declared_by=declarer,
                        reviewed_by=actor,
                        reviewed_at=timezone.now(),
                    ),
                    participant,
                    declarer,
                    actor,
                )
            )
        for index, entry in enumerate(plan.declared):
            recorded = inclusion.hours_record(
                actor=declarer,
                placement=placement,
                month=entry.month,
                hours_worked=Decimal(entry.worked),
                training_hours=Decimal(entry.training),
            )
            if index == 0 and plan.rejected_reason:
                inclusion.hours_reject(actor=actor, entry=recorded, reason=plan.rejected_reason)
        return placement

    def _write_validated_months(self) -> None:
        """Write the validated months in bulk, each with the history the services keep.

        Recording thousands of months one by one through ``hours_record`` takes minutes;
        the plan has already checked what it checks (ceilings, periods, no future month).
        Each month gets the two events a declaration then a validation would leave.
        """
        entries = HoursEntry.objects.bulk_create(
            [item.entry for item in self.validated], batch_size=500
        )
        assert self.network is not None
        zone = ZoneInfo(self.plan.time_zone)
        events = []
        for item, entry in zip(self.validated, entries, strict=True):
            declared = _hours_snapshot(entry, HoursStatus.DECLARED)
            declared_at, reviewed_at = _declaration_times(entry.month, zone)
            events.append(
                InclusionEvent(
                    occurred_at=declared_at,
                    actor=item.declarer,
                    participant=item.participant,
                    action=EventAction.HOURS_DECLARED,
                    object_type="hoursentry",
                    object_id=entry.pk,
                    before=None,
                    after=declared,
                )
            )
            events.append(
                InclusionEvent(
                    occurred_at=reviewed_at,
                    actor=item.reviewer,
                    participant=item.participant,
                    action=EventAction.HOURS_VALIDATED,
                    object_type="hoursentry",
                    object_id=entry.pk,
                    before=declared,
                    after=_hours_snapshot(entry, HoursStatus.VALIDATED),
                )
            )
        InclusionEvent.objects.bulk_create(events, batch_size=500)
        self.validated = []

    def _write_outcomes(self) -> None:
        """Situations at exit and six months later of the people whose placements have all
        ended, and the ESF entry data of the PLIE's participants (the PLIE are co-funded by
        the European Social Fund).

        Written in bulk with the history a facilitator's entry leaves, dated when it
        happened (a few days after the exit, six months later), not when the demo loads.
        """
        zone = ZoneInfo(self.plan.time_zone)
        today = self.today
        now = timezone.now()
        outcomes: list[tuple[Outcome, User]] = []
        entries: list[tuple[EsfEntry, User]] = []
        for written in self.people:
            drawn = draw_outcomes(self.outcome_rng, written.placements, today)
            if written.plan.exit_open:
                drawn = []  # drawn all the same: the next people's draws stay the same
            outcomes += [(outcome, written.actor) for outcome in drawn]
            if self.plan.slug == "essonne" and written.facilitator.startswith("plie-"):
                exit_date = drawn[0].exit_date if drawn else _exit_date(written.placements, today)
                entry = draw_esf_entry(self.outcome_rng, written, exit_date, today)
                entries.append((entry, written.actor))
        for item, actor in [*outcomes, *entries]:
            item.recorded_by = actor
        Outcome.objects.bulk_create([item for item, _ in outcomes], batch_size=500)
        EsfEntry.objects.bulk_create([item for item, _ in entries], batch_size=500)
        events = []
        for item, actor in outcomes:
            item.recorded_at = min(_at(item.observed_on, zone, 10), now)
            events.append(
                InclusionEvent(
                    occurred_at=item.recorded_at,
                    actor=actor,
                    participant_id=item.participant_id,
                    action=EventAction.OUTCOME_SET,
                    object_type="outcome",
                    object_id=item.pk,
                    before=None,
                    after=outcome_services.outcome_snapshot(item),
                )
            )
        for entry, actor in entries:
            entry.recorded_at = min(_at(entry.entered_on, zone, 10), now)
            events.append(
                InclusionEvent(
                    occurred_at=entry.recorded_at,
                    actor=actor,
                    participant_id=entry.participant_id,
                    action=EventAction.ESF_ENTRY_SET,
                    object_type="esfentry",
                    object_id=entry.pk,
                    before=None,
                    after=outcome_services.esf_entry_snapshot(entry),
                )
            )
        Outcome.objects.bulk_update([item for item, _ in outcomes], ["recorded_at"], 500)
        EsfEntry.objects.bulk_update([item for item, _ in entries], ["recorded_at"], 500)
        InclusionEvent.objects.bulk_create(events, batch_size=500)

    def _declarer(self, employer: Organisation, facilitator: User) -> User:
        """Who declares the hours: the employer's own user when the demo has one."""
        for spec in self.plan.users:
            if spec.organisation and self.organisations[spec.organisation].pk == employer.pk:
                return self.users[spec.email]
        return facilitator

    def _date_the_hours(self) -> None:
        """Date each month's declaration and review as they would have happened.

        The services stamp the time of writing; a demo loaded today would otherwise show
        four years of hours all declared this very minute. Declarations are dated a few
        days after the month, reviews a week later (never after now).
        """
        assert self.network is not None
        zone = ZoneInfo(self.plan.time_zone)
        now = timezone.now()
        entries = HoursEntry.objects.filter(placement__contract__facilitator__network=self.network)
        months = sorted(set(entries.values_list("month", flat=True)))
        for month in months:
            declared, reviewed = _declaration_times(month, zone)
            of_month = entries.filter(month=month)
            of_month.update(declared_at=min(declared, now))
            of_month.exclude(status=HoursStatus.DECLARED).update(reviewed_at=min(reviewed, now))


def _declaration_times(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """When a month's hours are declared (a few days after it) and reviewed (a week later),
    never after now."""
    now = timezone.now()
    declared = _at(add_months(month, 1) + timedelta(days=4), zone, 9)
    reviewed = _at(add_months(month, 1) + timedelta(days=11), zone, 15)
    return min(declared, now), min(reviewed, now)


@dataclass
class _WrittenPerson:
    facilitator: str
    plan: PersonPlan
    participant: Participant
    placements: list[Placement]
    actor: User


# Situations drawn for the demo, by category: about 45 % durable jobs, 20 % transition
# jobs, 10 % qualifying training, the rest other situations.
SITUATION_WEIGHTS: dict[str, int] = {
    OutcomeSituation.DURABLE_CDI: 20,
    OutcomeSituation.DURABLE_FIXED_TERM: 21,
    OutcomeSituation.BUSINESS_CREATION: 4,
    OutcomeSituation.TRANSITION_JOB: 20,
    OutcomeSituation.QUALIFYING_TRAINING: 10,
    OutcomeSituation.JOB_SEEKING: 17,
    OutcomeSituation.INACTIVE: 5,
    OutcomeSituation.UNKNOWN: 3,
}
# Share of exits recorded, and of due six-month situations recorded (the rest wait in
# the "À traiter" panel).
EXIT_RECORDED = 0.92
SIX_MONTHS_RECORDED = 0.85
IN_EMPLOYMENT = {
    OutcomeSituation.DURABLE_CDI,
    OutcomeSituation.DURABLE_FIXED_TERM,
    OutcomeSituation.TRANSITION_JOB,
}


def _situation(rng: random.Random) -> str:
    return rng.choices(list(SITUATION_WEIGHTS), weights=list(SITUATION_WEIGHTS.values()))[0]


def _exit_date(placements: list[Placement], today: date) -> date | None:
    """The end of the last placement, when all have ended."""
    if not placements or any(p.end_date is None or p.end_date >= today for p in placements):
        return None
    return max(p.end_date for p in placements if p.end_date is not None)


def draw_outcomes(rng: random.Random, placements: list[Placement], today: date) -> list[Outcome]:
    """The situation at exit of a person whose placements have all ended, and six months
    later when that is due (most people keep a durable job; others move)."""
    exit_date = _exit_date(placements, today)
    if exit_date is None or rng.random() >= EXIT_RECORDED:
        return []
    last = max(placements, key=lambda p: (p.end_date, p.pk))
    situation = _situation(rng)
    at_exit = Outcome(
        participant_id=last.participant_id,
        placement=last,
        moment=OutcomeMoment.EXIT,
        exit_date=exit_date,
        observed_on=min(exit_date + timedelta(days=rng.randint(0, 10)), today),
        situation=situation,
        qualification_gained=rng.random() < 0.3,
        employer_name=last.employer.name
        if situation in IN_EMPLOYMENT and rng.random() < 0.6
        else "",
    )
    outcomes = [at_exit]
    due = six_month_due(exit_date)
    # Old follow-ups were caught up long ago; the recent ones wait in the panel.
    recorded = SIX_MONTHS_RECORDED if due + timedelta(days=120) > today else 0.97
    if due + timedelta(days=20) <= today and rng.random() < recorded:
        durable = OUTCOME_CATEGORIES[situation] == OutcomeCategory.DURABLE_JOB
        # Most durable jobs hold six months later; other situations move.
        later = situation if durable and rng.random() < 0.85 else _situation(rng)
        outcomes.append(
            Outcome(
                participant_id=last.participant_id,
                placement=last,
                moment=OutcomeMoment.SIX_MONTHS,
                exit_date=exit_date,
                observed_on=due + timedelta(days=rng.randint(-10, 20)),
                situation=later,
            )
        )
    return outcomes


def draw_esf_entry(
    rng: random.Random, written: _WrittenPerson, exit_date: date | None, today: date
) -> EsfEntry:
    """What a PLIE records when a person enters its ESF co-funded operation."""
    person = written.plan
    codes = {code for code, _evidence, _checked in person.criteria}
    first_start = min(p.start_date for p in written.placements) if written.placements else today
    if "long_term_job_seeker" in codes:
        status = LabourStatus.LONG_TERM_UNEMPLOYED
    elif "rsa" in codes and rng.random() < 0.3:
        status = LabourStatus.INACTIVE
    else:
        status = LabourStatus.UNEMPLOYED
    return EsfEntry(
        participant=written.participant,
        entered_on=min(first_start - timedelta(days=rng.randint(15, 60)), today),
        labour_status=status,
        isced_band=ISCED_BAND_OF_QUALIFICATION[person.qualification_level],
        disability=bool(codes & {"rqth", "aah_invalidity"}),
        other_disadvantage=rng.random() < 0.12,
        left_on=exit_date,
    )


@dataclass
class _ValidatedMonth:
    entry: HoursEntry
    participant: Participant
    declarer: User
    reviewer: User


def _hours_snapshot(entry: HoursEntry, status: str) -> dict[str, object]:
    """The record of a month that ``inclusion.services`` keeps, at the given status."""
    return {**inclusion.hours_snapshot(entry), "status": status}


def _at(day: date, zone: ZoneInfo, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)


def _procedure(plan: ContractPlan) -> str:
    if plan.form == ContractForm.PRIVATE_ORDER:
        return Procedure.PRIVATE
    works = plan.cpv_code.startswith("45")
    threshold = WORKS_THRESHOLD if works else SERVICES_THRESHOLD
    if plan.amount >= threshold:
        return Procedure.OPEN_TENDER
    return Procedure.ADAPTED


def demo_user(spec: UserSpec, password_hash: str) -> User:
    """The demo user of ``spec``, created if needed, with the demo password."""
    user = User.objects.filter(email=spec.email).first()
    if user is None:
        user = organisations.user_create(
            email=spec.email,
            password=None,
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
    # One hash for every demo account: hashing a password is slow on purpose.
    user.password = password_hash
    user.is_staff = spec.superuser
    user.is_superuser = spec.superuser
    user.is_active = True
    user.save(update_fields=["password", "is_staff", "is_superuser", "is_active"])
    return user
