"""The matching flow, pathways and pooled hours in the demo.

Written after both territories, through the same services as the pages, so that the
history, the notifications and every rule hold as if people had clicked:

- Mayotte: Lagon BTP's hiring needs at every status (a draft, one to publish, two
  published with candidates, one filled, one closed), referred by France Travail
  Mamoudzou and the Mission locale; the filled need hires a person the CRESS already
  followed (same names and birth date), so her pathway spans several contracts and
  employers. No hours are validated here: Mayotte keeps its 258 000 hours.
- Essonne: the same flow, smaller, for a company of the network; two pathways written
  month by month — Fatoumata Camara (an ETTI mission, a break, a GEIQ contract with
  training, a CDD, her exit and her situation six months later) and Yacine Mebarki (an
  association intermédiaire's assignments, then a CDI) — and one pooled job: Sandrine Moreau, hired by a
  company holding contracts of several buyers, whose months are shared among them pro
  rata of their obligations, all validated but the last one.
- The six-month follow-ups due are announced to the facilitators, as the daily job does.

Dates follow the day of the load. What the services stamp "now" (a need's publication,
a candidate's stage) is moved back to when it would have happened, so that the time to
fill a need reads in days, not in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from tremplin.core.models import RomeJobTitle
from tremplin.demo import essonne, mayotte
from tremplin.demo.planning import add_months, month_end
from tremplin.inclusion import outcome_services, pool_services
from tremplin.inclusion import services as inclusion
from tremplin.inclusion.enums import (
    ISCED_BAND_OF_QUALIFICATION,
    ExecutionMode,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
    SharingRule,
)
from tremplin.inclusion.followup import six_month_due
from tremplin.inclusion.models import (
    EligibilityCriterion,
    HoursEntry,
    HoursPool,
    Outcome,
    Participant,
    Placement,
)
from tremplin.matching import services as matching
from tremplin.matching.enums import EmploymentContractType, MatchingAction, ReferralStatusChoice
from tremplin.matching.models import HiringNeed, MatchingEvent, Referral
from tremplin.organisations.enums import InclusionEmployerKind, OrganisationKind
from tremplin.organisations.models import Network, Organisation, User
from tremplin.procurement.models import Contract

# Jobs of the needs and placements: (ROME code, title of the appellation).
MASON = ("F1703", "Maçon / Maçonne")
ELECTRICIAN = ("F1602", "Electricien / Electricienne de chantier")
MASON_HELPER = ("F1704", "Aide-maçon / Aide-maçonne")
PAINTER = ("F1606", "Peintre en bâtiment")
FORMWORKER = ("F1701", "Coffreur / Coffreuse")
STOREKEEPER = ("N1103", "Agent / Agente de magasinage")
CLEANER = ("K2204", "Agent / Agente de propreté de locaux")
GARDENER = ("A1203", "Jardinier / Jardinière")
KITCHEN = ("G1605", "Aide de cuisine de collectivité")
ROAD_MASON = ("F1702", "Maçon / Maçonne Voiries et Réseaux Divers -VRD-")

NO_DRIVING_LICENCE = "Ne dispose pas du permis B exigé pour se rendre sur les chantiers."
NEED_CLOSED = "Phase de gros œuvre décalée par le maître d'ouvrage : le besoin sera redéposé."


@contextmanager
def emails_held() -> Iterator[None]:
    """No email leaves while the demo loads (its addresses are fictitious): the
    notifications stay in the app, unread. Covers the commit, when emails would leave."""
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = backend


@dataclass(frozen=True)
class Candidate:
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    postal_code: str
    criteria: tuple[str, ...]
    motivation: str = ""


class Loader:
    """What both territories share: users, jobs, criteria, and dating the history."""

    def __init__(self, network: Network, today: date) -> None:
        self.network = network
        self.today = today
        self.zone = ZoneInfo(network.time_zone)
        self.criteria = {item.code: item for item in EligibilityCriterion.objects.all()}

    # Lookups ----------------------------------------------------------------------------

    def user(self, email: str) -> User:
        return User.objects.get(email=email)

    @staticmethod
    def organisation_of(user: User) -> Organisation:
        """The organisation a demo login belongs to (one each)."""
        return Organisation.objects.get(memberships__user=user)

    @staticmethod
    def member_of(organisation: Organisation) -> User:
        """The demo login who writes for an organisation."""
        return User.objects.filter(memberships__organisation=organisation).order_by("pk")[0]

    def organisation(self, kind: str, **filters: object) -> Organisation:
        return Organisation.objects.get(network=self.network, kind=kind, **filters)

    @staticmethod
    def job(spec: tuple[str, str]) -> RomeJobTitle:
        rome, title = spec
        jobs = RomeJobTitle.objects.filter(rome_id=rome).order_by("code")
        found = jobs.filter(title=title).first() or jobs.first()
        if found is None:  # pragma: no cover - the shipped ROME copy has them all
            raise LookupError(f"Appellation ROME absente : {rome}")
        return found

    def running_contracts(self, **filters: object) -> list[Contract]:
        """Contracts begun four months before today's month at least and running to the
        end of the third month after it, the largest obligations first. Counted in whole
        months, the same contracts qualify whatever the day of the month."""
        this_month = self.today.replace(day=1)
        return list(
            Contract.objects.filter(
                facilitator__network=self.network,
                execution_start__lte=add_months(this_month, -4),
                execution_end__gte=month_end(add_months(this_month, 3)),
                hours_required__gt=0,
                **filters,
            )
            .select_related("buyer", "facilitator", "awarded_company")
            .order_by("-hours_required", "pk")
        )

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=self.zone)

    def days_ago(self, days: int, hour: int = 10) -> datetime:
        return self.at(self.today - timedelta(days=days), hour)

    # Needs and referrals ----------------------------------------------------------------

    def need(
        self,
        *,
        actor: User,
        contract: Contract,
        job: tuple[str, str],
        contract_type: str = EmploymentContractType.CDD,
        positions: int = 1,
        duration_months: int | None = 6,
        start_in_days: int = 21,
        requirements: str = "",
        reserved: tuple[str, ...] = (),
    ) -> HiringNeed:
        buyer = contract.buyer
        return matching.need_create(
            actor=actor,
            contract=contract,
            employer=contract.awarded_company,
            job=self.job(job),
            start_date=min(self.today + timedelta(days=start_in_days), contract.execution_end),
            place=f"{buyer.city} — chantier du marché {contract.reference}",
            postal_code=buyer.postal_code,
            contract_type=contract_type,
            positions=positions,
            duration_months=duration_months,
            weekly_hours=Decimal(35),
            requirements=requirements,
            reserved_criteria=[self.criteria[code] for code in reserved],
        )

    def refer(
        self, need: HiringNeed, prescriber: Organisation, actor: User, candidate: Candidate
    ) -> Referral:
        return matching.referral_create(
            actor=actor,
            need=need,
            prescriber=prescriber,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            birth_date=candidate.birth_date,
            sex=candidate.sex,
            postal_code=candidate.postal_code,
            vouched_criteria=[self.criteria[code] for code in candidate.criteria],
            motivation=candidate.motivation,
        )

    def date_need(self, need: HiringNeed, first_days_ago: int, last_days_ago: int) -> None:
        """Date the need and its referrals as if its steps had been spread evenly from
        ``first_days_ago`` to ``last_days_ago`` days before the load, in the order they
        were written. The history itself is append-only: it keeps the time of the load."""
        events = list(MatchingEvent.objects.filter(need=need).order_by("pk"))
        if not events:
            return
        start, end = self.days_ago(first_days_ago, 9), self.days_ago(last_days_ago, 16)
        step = (end - start) / max(len(events) - 1, 1)
        when = {event.pk: start + step * index for index, event in enumerate(events)}
        published = [when[e.pk] for e in events if e.action == MatchingAction.NEED_PUBLISHED]
        filled = [when[e.pk] for e in events if e.action == MatchingAction.NEED_FILLED]
        HiringNeed.objects.filter(pk=need.pk).update(created_at=start)
        if published:
            HiringNeed.objects.filter(pk=need.pk, published_at__isnull=False).update(
                published_at=published[0]
            )
        if filled:
            HiringNeed.objects.filter(pk=need.pk, filled_at__isnull=False).update(
                filled_at=filled[-1]
            )
        for referral in Referral.objects.filter(need=need):
            own = [
                event
                for event in events
                if event.object_type == "referral" and event.object_id == referral.pk
            ]
            if not own:
                continue
            shortlisted = [
                when[event.pk]
                for event in own
                if (event.after or {}).get("status") == ReferralStatusChoice.SHORTLISTED
            ]
            Referral.objects.filter(pk=referral.pk).update(
                created_at=when[own[0].pk],
                status_changed_at=when[own[-1].pk],
                shortlisted_at=shortlisted[0] if shortlisted else None,
            )

    # Hours ------------------------------------------------------------------------------

    def date_hours(self, participant: Participant) -> None:
        """Date a person's months as they were declared (a few days after each month) and
        reviewed (a week later), never after now, as the territory writer does."""
        now = datetime.now(tz=self.zone)
        for entry in HoursEntry.objects.filter(placement__participant=participant):
            declared = min(self.at(add_months(entry.month, 1) + timedelta(days=4), 9), now)
            reviewed = min(self.at(add_months(entry.month, 1) + timedelta(days=11), 15), now)
            HoursEntry.objects.filter(pk=entry.pk).update(
                declared_at=declared, reviewed_at=reviewed if entry.reviewed_at else None
            )


# Mayotte ----------------------------------------------------------------------------------

MAYOTTE_CANDIDATES = (
    Candidate("Soumaïla", "Madi", date(1991, 4, 2), "M", "97600", ("rsa", "qpv_resident"),
              "Huit ans de chantiers comme manœuvre, veut se qualifier en maçonnerie."),
    Candidate("Anrifa", "Houmadi", date(1999, 9, 17), "F", "97680", ("rsa",),
              "CAP maçon obtenu en 2019, sans emploi depuis deux ans."),
    Candidate("Faïssoili", "Abdallah", date(1986, 1, 28), "M", "97620",
              ("rsa", "long_term_job_seeker"), "Très motivé, disponible immédiatement."),
    Candidate("Kamal", "Said", date(2002, 6, 5), "M", "97690",
              ("young_without_qualification", "rsa"), "Jeune suivi en garantie jeunes."),
    Candidate("Moinaecha", "Ali", date(1995, 11, 23), "F", "97600", ("rsa", "qpv_resident"),
              "Expérience en aide-maçonnerie sur le chantier du lycée de Kahani."),
    Candidate("Ibrahim", "Mohamed", date(2001, 2, 14), "M", "97650",
              ("young_without_qualification",), "Habilitation électrique à passer."),
    Candidate("Zalifa", "Youssouf", date(1993, 8, 9), "F", "97600", ("long_term_job_seeker",),
              "A suivi une formation d'électricité du bâtiment au RSMA."),
    Candidate("Nassim", "Ahmed", date(1997, 3, 30), "M", "97615", ("long_term_job_seeker",),
              "Coffreur confirmé aux Comores, cherche un premier contrat à Mayotte."),
    Candidate("Daoud", "Combo", date(1989, 12, 1), "M", "97660", ("rsa",), ""),
)  # fmt: skip


def _returning_participant(
    facilitator: Organisation, company: Organisation, today: date
) -> Participant | None:
    """A person the structure followed on two contracts or more, with other employers,
    whose placements ended months ago and whose exit is not recorded yet: a prescriber
    brings her back for a new job."""
    ended = today - timedelta(days=60)
    candidates = (
        Participant.objects.filter(facilitator=facilitator, merged_into__isnull=True)
        .exclude(placements__end_date__isnull=True)
        .exclude(placements__end_date__gte=ended)
        .exclude(placements__employer=company)
        .exclude(outcomes__isnull=False)
        .filter(placements__isnull=False)
        .order_by("pk")
        .distinct()
    )
    for participant in candidates:
        placements = list(participant.placements.all())
        if (
            len({p.contract_id for p in placements}) >= 2
            and len({p.employer_id for p in placements}) >= 2
        ):
            return participant
    return None


def load_mayotte(network: Network, today: date) -> None:
    """Lagon BTP's needs at every status, and candidates at every stage."""
    loader = Loader(network, today)
    company_user = loader.user(mayotte.COMPANY_EMAIL)
    facilitator_user = loader.user(mayotte.FACILITATOR_EMAIL)
    adviser = loader.user(mayotte.PRESCRIBER_EMAIL)
    young_adviser = loader.user(mayotte.YOUNG_PRESCRIBER_EMAIL)
    france_travail = loader.organisation_of(adviser)
    mission_locale = loader.organisation_of(young_adviser)
    company = loader.organisation(OrganisationKind.COMPANY, name="Lagon BTP")
    contracts = loader.running_contracts(awarded_company=company)
    if not contracts:
        return
    main, other = contracts[0], contracts[1 % len(contracts)]
    (soumaila, anrifa, faissoili, kamal, moinaecha, ibrahim, zalifa, nassim, daoud) = (
        MAYOTTE_CANDIDATES
    )

    # Two masons, reserved to people on RSA: candidates at every stage, one hired.
    masons = loader.need(
        actor=company_user,
        contract=main,
        job=MASON,
        positions=2,
        duration_months=12,
        requirements="Expérience de chantier appréciée. Permis B exigé : chantiers dans "
        "tout le Sud de l'île.",
        reserved=("rsa",),
    )
    matching.need_submit(actor=company_user, need=masons)
    matching.need_publish(actor=facilitator_user, need=masons)
    loader.refer(masons, france_travail, adviser, soumaila)
    shortlisted = loader.refer(masons, mission_locale, young_adviser, anrifa)
    interview = loader.refer(masons, france_travail, adviser, faissoili)
    refused = loader.refer(masons, france_travail, adviser, daoud)
    hired = loader.refer(masons, mission_locale, young_adviser, kamal)
    for referral in (shortlisted, interview, refused, hired):
        matching.referral_move(
            actor=facilitator_user, referral=referral, target=ReferralStatusChoice.SHORTLISTED
        )
    matching.referral_move(
        actor=company_user, referral=interview, target=ReferralStatusChoice.INTERVIEW
    )
    matching.referral_move(
        actor=company_user,
        referral=refused,
        target=ReferralStatusChoice.NOT_RETAINED,
        reason=NO_DRIVING_LICENCE,
    )
    matching.referral_hire(
        actor=facilitator_user,
        referral=hired,
        start_date=max(today - timedelta(days=6), main.execution_start),
    )
    loader.date_need(masons, 34, 5)

    # An electrician: two candidates, one proposed, one shortlisted.
    electrician = loader.need(actor=company_user, contract=other, job=ELECTRICIAN, start_in_days=30)
    matching.need_submit(actor=company_user, need=electrician)
    matching.need_publish(actor=facilitator_user, need=electrician)
    loader.refer(electrician, mission_locale, young_adviser, ibrahim)
    matching.referral_move(
        actor=facilitator_user,
        referral=loader.refer(electrician, france_travail, adviser, zalifa),
        target=ReferralStatusChoice.SHORTLISTED,
    )
    loader.date_need(electrician, 12, 2)

    # A mason's helper, filled: the hire is a person the CRESS already followed.
    helper = loader.need(
        actor=company_user, contract=main, job=MASON_HELPER, duration_months=9, start_in_days=-25
    )
    matching.need_submit(actor=company_user, need=helper)
    matching.need_publish(actor=facilitator_user, need=helper)
    returning = _returning_participant(main.facilitator, company, today)
    if returning is not None:
        comeback = Candidate(
            returning.first_name,
            returning.last_name,
            returning.birth_date,
            returning.sex,
            returning.postal_code or "97600",
            ("long_term_job_seeker",),
            "Déjà passé(e) par deux chantiers avec clause sociale : un vrai savoir-faire.",
        )
        back = loader.refer(helper, france_travail, adviser, comeback)
        loader.refer(helper, mission_locale, young_adviser, moinaecha)
        matching.referral_move(
            actor=facilitator_user, referral=back, target=ReferralStatusChoice.SHORTLISTED
        )
        matching.referral_move(
            actor=company_user, referral=back, target=ReferralStatusChoice.INTERVIEW
        )
        matching.referral_hire(
            actor=facilitator_user,
            referral=back,
            start_date=max(today - timedelta(days=20), main.execution_start),
        )
    loader.date_need(helper, 52, 24)

    # A formwork carpenter: published, then closed when the works were postponed.
    formwork = loader.need(actor=company_user, contract=other, job=FORMWORKER)
    matching.need_submit(actor=company_user, need=formwork)
    matching.need_publish(actor=facilitator_user, need=formwork)
    loader.refer(formwork, france_travail, adviser, nassim)
    matching.need_close(actor=facilitator_user, need=formwork, reason=NEED_CLOSED)
    loader.date_need(formwork, 70, 40)

    # A painter waiting for the facilitator's publication, and a storekeeper in draft.
    painter = loader.need(actor=company_user, contract=main, job=PAINTER, start_in_days=45)
    matching.need_submit(actor=company_user, need=painter)
    loader.date_need(painter, 3, 1)
    loader.need(actor=company_user, contract=other, job=STOREKEEPER, start_in_days=60)


# Essonne ----------------------------------------------------------------------------------

ESSONNE_CANDIDATES = (
    Candidate("Aïssatou", "Diarra", date(1984, 7, 12), "F", "91000", ("rsa",),
              "Bénéficiaire du RSA depuis 2023, très assidue à l'atelier de remobilisation."),
    Candidate("Julien", "Marchand", date(1990, 2, 3), "M", "91100",
              ("rsa", "long_term_job_seeker"),
              "Expérience en entretien de locaux, cherche un temps plein."),
    Candidate("Samira", "Bensaïd", date(1979, 10, 21), "F", "91130", ("rsa", "qpv_resident"), ""),
    Candidate("Kevin", "Lopes", date(1996, 5, 8), "M", "91350", ("rsa",),
              "Disponible dès la semaine prochaine."),
    Candidate("Nadia", "Rahmani", date(1988, 12, 30), "F", "91000", ("rsa", "qpv_resident"),
              "Référente RSA : parcours de remobilisation réussi, prête à reprendre un emploi."),
)  # fmt: skip


def _job_of(contract: Contract) -> tuple[str, str]:
    """The job a company holding ``contract`` would hire for, by the contract's CPV."""
    cpv = contract.cpv_code
    if cpv.startswith("4523"):
        return ROAD_MASON
    if cpv.startswith("4544"):
        return PAINTER
    if cpv.startswith("4531"):
        return ELECTRICIAN
    if cpv.startswith("45"):
        return MASON_HELPER
    if cpv.startswith("909"):
        return CLEANER
    if cpv.startswith("77"):
        return GARDENER
    if cpv.startswith("55"):
        return KITCHEN
    return STOREKEEPER


def load_essonne(network: Network, today: date) -> None:
    """A company's needs and candidates, two pathways and a pooled job."""
    loader = Loader(network, today)
    adviser = loader.user(essonne.PRESCRIBER_EMAIL)
    rsa_adviser = loader.user(essonne.RSA_PRESCRIBER_EMAIL)
    france_travail = loader.organisation_of(adviser)
    rsa = loader.organisation_of(rsa_adviser)
    contracts = [
        contract
        for contract in loader.running_contracts(awarded_company__kind=OrganisationKind.COMPANY)
        if contract.buyer.postal_code.startswith("91")
    ]
    if contracts:
        contract = contracts[0]
        actor = loader.member_of(contract.facilitator)
        aissatou, julien, samira, kevin, nadia = ESSONNE_CANDIDATES
        job = _job_of(contract)
        open_need = loader.need(
            actor=actor, contract=contract, job=job, positions=2, reserved=("rsa",)
        )
        matching.need_publish(actor=actor, need=open_need)
        loader.refer(open_need, rsa, rsa_adviser, aissatou)
        shortlisted = loader.refer(open_need, france_travail, adviser, julien)
        interview = loader.refer(open_need, rsa, rsa_adviser, samira)
        for referral in (shortlisted, interview):
            matching.referral_move(
                actor=actor, referral=referral, target=ReferralStatusChoice.SHORTLISTED
            )
        matching.referral_move(
            actor=actor, referral=interview, target=ReferralStatusChoice.INTERVIEW
        )
        matching.referral_move(
            actor=actor,
            referral=loader.refer(open_need, france_travail, adviser, kevin),
            target=ReferralStatusChoice.NOT_RETAINED,
            reason="Horaires de début de matinée incompatibles avec la garde de ses enfants.",
        )
        loader.date_need(open_need, 20, 3)
        filled = loader.need(actor=actor, contract=contract, job=job, start_in_days=-14)
        matching.need_publish(actor=actor, need=filled)
        hire = loader.refer(filled, rsa, rsa_adviser, nadia)
        matching.referral_move(actor=actor, referral=hire, target=ReferralStatusChoice.SHORTLISTED)
        matching.referral_hire(
            actor=actor,
            referral=hire,
            start_date=max(today - timedelta(days=14), contract.execution_start),
        )
        loader.date_need(filled, 40, 16)
        loader.need(actor=actor, contract=contract, job=STOREKEEPER, start_in_days=50)
    _pathways(loader)
    _pool(loader)
    _esf_entries(loader)


def _esf_entries(loader: Loader) -> None:
    """The PLIE are co-funded by the European Social Fund: the people this module adds to
    a PLIE get their ESF entry data, as the territory writer gives everyone else."""
    newcomers = Participant.objects.filter(
        facilitator__network=loader.network,
        facilitator__name__startswith="PLIE",
        esf_entries__isnull=True,
    ).order_by("pk")
    for participant in newcomers:
        placements = list(participant.placements.all())
        first_start = min((p.start_date for p in placements), default=loader.today)
        ends = [p.end_date for p in placements if p.end_date is not None]
        finished = bool(ends) and len(ends) == len(placements) and max(ends) < loader.today
        left_on = max(ends) if finished else None
        codes = set(participant.criteria.values_list("criterion__code", flat=True))
        outcome_services.esf_entry_record(
            user=loader.member_of(participant.facilitator),
            participant=participant,
            entered_on=min(first_start - timedelta(days=21), loader.today),
            labour_status=LabourStatus.LONG_TERM_UNEMPLOYED
            if "long_term_job_seeker" in codes
            else LabourStatus.UNEMPLOYED,
            isced_band=ISCED_BAND_OF_QUALIFICATION[participant.qualification_level],
            left_on=left_on,
        )


# Pathways -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A placement of a pathway: months counted back from the load's month."""

    first: int  # months before the load's month (26: two years and two months ago)
    last: int
    employer: str  # "company" (the contract's holder), or an inclusion employer kind
    mode: str
    job: tuple[str, str] | None  # None: the trade of the contract's holder
    worked: int
    training: int = 0
    training_month: int | None = None  # one month mostly in training (months before)
    open_ended: bool = False


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    postal_code: str
    city: str
    criteria: tuple[str, ...]
    steps: tuple[Step, ...]
    exit: tuple[str, str] | None = None  # situations at exit and six months later


FATOUMATA = Person(
    "Fatoumata", "Camara", date(1987, 5, 19), "F", "91350", "Grigny", ("rsa", "qpv_resident"),
    (
        Step(26, 22, InclusionEmployerKind.ETTI, ExecutionMode.PROVISION_ETTI, CLEANER, 121,
             training_month=24),
        # Three months without work: the break between two missions.
        Step(18, 13, InclusionEmployerKind.GEIQ, ExecutionMode.PROVISION_GEIQ, MASON_HELPER, 126,
             training=21),
        Step(12, 8, "company", ExecutionMode.DIRECT_CDD, None, 147),
    ),
    exit=(OutcomeSituation.DURABLE_FIXED_TERM, OutcomeSituation.DURABLE_CDI),
)  # fmt: skip
YACINE = Person(
    "Yacine", "Mebarki", date(1999, 11, 3), "M", "91000", "Évry-Courcouronnes",
    ("young_without_qualification", "long_term_job_seeker"),
    (
        Step(16, 11, InclusionEmployerKind.AI, ExecutionMode.PROVISION_AI, MASON_HELPER, 104,
             training=14),
        Step(8, 1, "company", ExecutionMode.DIRECT_CDI, None, 151, open_ended=True),
    ),
)  # fmt: skip
PATHWAY_PEOPLE = (FATOUMATA, YACINE)


def _covering(
    loader: Loader, structure: Organisation, first: date, last: date, used: set[int]
) -> Contract | None:
    """A contract of the structure running from ``first`` to the end of ``last``, held
    by a company not met yet on the pathway."""
    return (
        Contract.objects.filter(
            facilitator=structure,
            execution_start__lte=first,
            execution_end__gte=month_end(last),
            awarded_company__kind=OrganisationKind.COMPANY,
            hours_required__gt=0,
        )
        .exclude(awarded_company_id__in=used)
        .exclude(pk__in=used)
        .select_related("awarded_company")
        .order_by("execution_start", "pk")
        .first()
    )


def _plan_steps(
    loader: Loader, structure: Organisation, person: Person
) -> list[tuple[Step, Contract]] | None:
    this_month = loader.today.replace(day=1)
    used: set[int] = set()
    planned = []
    for step in person.steps:
        first, last = add_months(this_month, -step.first), add_months(this_month, -step.last)
        contract = _covering(loader, structure, first, last, used)
        if contract is None:
            return None
        used |= {contract.pk, contract.awarded_company_id}
        planned.append((step, contract))
    return planned


def _pathways(loader: Loader) -> None:
    structures = Organisation.objects.filter(
        network=loader.network, kind=OrganisationKind.FACILITATOR
    ).order_by("name")
    for person in PATHWAY_PEOPLE:
        for structure in structures:
            planned = _plan_steps(loader, structure, person)
            if planned:
                _write_pathway(loader, structure, person, planned)
                break


def _employer(loader: Loader, step: Step, contract: Contract) -> Organisation:
    if step.employer == "company":
        return contract.awarded_company
    return loader.organisation(
        OrganisationKind.INCLUSION_EMPLOYER, inclusion_employer_kind=step.employer
    )


def _new_participant(
    loader: Loader, structure: Organisation, person: Person, actor: User
) -> Participant:
    participant = inclusion.participant_create(
        actor=actor,
        facilitator=structure,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        sex=person.sex,
        postal_code=person.postal_code,
        city=person.city,
        referred_by=loader.organisation_of(
            loader.user(
                essonne.RSA_PRESCRIBER_EMAIL
                if "rsa" in person.criteria
                else essonne.PRESCRIBER_EMAIL
            )
        ),
    )
    # Eligibility is checked before the first placement.
    first_step = max((step.first for step in person.steps), default=POOL_MONTHS)
    checked = add_months(loader.today.replace(day=1), -first_step - 1)
    for code in person.criteria:
        inclusion.criterion_set(
            actor=actor,
            participant=participant,
            criterion=loader.criteria[code],
            evidence=loader.criteria[code].evidence_hint or "Attestation du prescripteur",
            checked_on=checked,
        )
    return participant


def _write_pathway(
    loader: Loader, structure: Organisation, person: Person, planned: list[tuple[Step, Contract]]
) -> None:
    actor = loader.member_of(structure)
    participant = _new_participant(loader, structure, person, actor)
    this_month = loader.today.replace(day=1)
    placements: list[Placement] = []
    for step, contract in planned:
        first, last = add_months(this_month, -step.first), add_months(this_month, -step.last)
        placement = inclusion.placement_create(
            actor=actor,
            participant=participant,
            contract=contract,
            employer=_employer(loader, step, contract),
            execution_mode=step.mode,
            job=loader.job(step.job or _job_of(contract)),
            start_date=first,
            end_date=None if step.open_ended else month_end(last),
        )
        placements.append(placement)
        month = first
        while month <= last:
            worked, training = step.worked - (month.month % 3) * 4, step.training
            if step.training_month is not None and month == add_months(
                this_month, -step.training_month
            ):
                worked, training = 35, 105  # a month of training: safety and cleaning techniques
            inclusion.hours_record(
                actor=actor,
                placement=placement,
                month=month,
                hours_worked=Decimal(worked),
                training_hours=Decimal(training),
                validate=True,
            )
            month = add_months(month, 1)
    loader.date_hours(participant)
    if person.exit is None:
        return
    last_placement = placements[-1]
    exit_date = last_placement.end_date
    assert exit_date is not None
    at_exit, later = person.exit
    outcome_services.outcome_record(
        user=actor,
        participant=participant,
        placement=last_placement,
        moment=OutcomeMoment.EXIT,
        exit_date=exit_date,
        observed_on=exit_date + timedelta(days=3),
        situation=at_exit,
        qualification_gained=True,
        employer_name=last_placement.employer.name,
    )
    outcome_services.outcome_record(
        user=actor,
        participant=participant,
        placement=last_placement,
        moment=OutcomeMoment.SIX_MONTHS,
        exit_date=exit_date,
        observed_on=min(six_month_due(exit_date) + timedelta(days=4), loader.today),
        situation=later,
        employer_name=last_placement.employer.name,
    )
    Outcome.objects.filter(participant=participant).update(
        recorded_at=loader.at(exit_date + timedelta(days=3))
    )


# Pooled hours -------------------------------------------------------------------------

SANDRINE = Person(
    "Sandrine", "Moreau", date(1976, 9, 14), "F", "91130", "Ris-Orangis",
    ("long_term_job_seeker", "senior_job_seeker"), (),
)  # fmt: skip
# Months of hours, the current one excluded; the last one is declared.
POOL_MONTHS = essonne.POOL_MONTHS


def _pool_contracts(loader: Loader, first: date, last: date) -> list[Contract]:
    """Contracts of two or three buyers held by one company of one structure, all
    running from ``first`` to the end of ``last``: the largest such set."""
    running = (
        Contract.objects.filter(
            facilitator__network=loader.network,
            execution_start__lte=first,
            execution_end__gte=month_end(last),
            awarded_company__kind=OrganisationKind.COMPANY,
            hours_required__gt=0,
        )
        .select_related("awarded_company", "facilitator", "buyer")
        .order_by("reference", "pk")
    )
    groups: dict[tuple[int, int], dict[int, Contract]] = {}
    for contract in running:
        by_buyer = groups.setdefault((contract.facilitator_id, contract.awarded_company_id), {})
        by_buyer.setdefault(contract.buyer_id, contract)
    best = max(
        (list(by_buyer.values())[:3] for by_buyer in groups.values() if len(by_buyer) >= 2),
        key=len,
        default=[],
    )
    return best


def _pool(loader: Loader) -> HoursPool | None:
    this_month = loader.today.replace(day=1)
    first, last = add_months(this_month, -POOL_MONTHS), add_months(this_month, -1)
    contracts = _pool_contracts(loader, first, last)
    if not contracts:
        return None
    structure = contracts[0].facilitator
    company = contracts[0].awarded_company
    actor = loader.member_of(structure)
    participant = _new_participant(loader, structure, SANDRINE, actor)
    end = min(
        min(contract.execution_end for contract in contracts),
        month_end(add_months(this_month, essonne.POOL_MONTHS_AHEAD)),
    )
    pool = pool_services.pool_create(
        actor=actor,
        facilitator=structure,
        participant=participant,
        employer=company,
        contracts=contracts,
        job=loader.job(_job_of(contracts[0])),
        execution_mode=ExecutionMode.DIRECT_CDD,
        start_date=first,
        end_date=end,
        rule=SharingRule.PRO_RATA_OBLIGATION,
        notes=f"Un seul emploi à temps plein chez {company.name} porte les heures dues "
        f"à {len(contracts)} acheteurs, au prorata de leurs obligations.",
    )
    month = first
    while month <= last:
        training = Decimal(14) if month == first else Decimal(0)
        pool_services.pooled_month_record(
            actor=actor,
            pool=pool,
            month=month,
            hours_worked=Decimal(151) - training - (month.month % 2) * 7,
            training_hours=training,
            validate=month < last,
        )
        month = add_months(month, 1)
    loader.date_hours(participant)
    return pool


def load_matching(
    mayotte_network: Network, essonne_network: Network, island_today: date, network_today: date
) -> None:
    """The matching flow and pooled hours of both territories, each on its own today, then
    the follow-ups due (announced on the earlier today, as the daily job in France would)."""
    load_mayotte(mayotte_network, island_today)
    load_essonne(essonne_network, network_today)
    outcome_services.notify_follow_ups_due(min(island_today, network_today), email=False)
