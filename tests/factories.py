"""Factories for tests: valid, plausible objects with as few arguments as possible."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tremplin.core.models import RomeJobTitle
from tremplin.inclusion.enums import (
    ExecutionMode,
    HoursStatus,
    IscedBand,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.models import (
    EligibilityCriterion,
    EsfEntry,
    ExecutionModeRule,
    HoursEntry,
    Outcome,
    Participant,
    Placement,
)
from tremplin.matching.enums import EmploymentContractType, NeedStatusChoice
from tremplin.matching.models import HiringNeed, Referral
from tremplin.organisations.enums import InclusionEmployerKind, MembershipRole, OrganisationKind
from tremplin.organisations.models import (
    Membership,
    Network,
    NetworkCoordinator,
    Organisation,
    User,
)
from tremplin.procurement.enums import LegalBasis, Procedure
from tremplin.procurement.models import Clause, Contract

_siret_counter = itertools.count(1)


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit that makes ``prefix`` + digit valid."""
    for digit in "0123456789":
        candidate = prefix + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def next_siret() -> str:
    return luhn_complete(f"{next(_siret_counter):013d}")


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Réseau {n}")
    slug = factory.Sequence(lambda n: f"reseau-{n}")
    hours_per_fte = 1607
    time_zone = "Europe/Paris"

    @factory.post_generation
    def accept_all_criteria(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            self.eligibility_criteria.set(EligibilityCriterion.objects.all())


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    network = factory.SubFactory(NetworkFactory)
    kind = OrganisationKind.COMPANY
    name = factory.Sequence(lambda n: f"Organisation {n}")
    siret = factory.LazyFunction(next_siret)
    city = "Mamoudzou"


class FacilitatorFactory(OrganisationFactory):
    kind = OrganisationKind.FACILITATOR
    name = factory.Sequence(lambda n: f"Facilitateur {n}")


class BuyerFactory(OrganisationFactory):
    kind = OrganisationKind.BUYER
    name = factory.Sequence(lambda n: f"Commune {n}")
    buyer_kind = "municipality"
    facilitator = factory.SubFactory(FacilitatorFactory, network=factory.SelfAttribute("..network"))


class CompanyFactory(OrganisationFactory):
    kind = OrganisationKind.COMPANY
    name = factory.Sequence(lambda n: f"Entreprise {n} BTP")
    facilitator = factory.SubFactory(FacilitatorFactory, network=factory.SelfAttribute("..network"))


class InclusionEmployerFactory(OrganisationFactory):
    kind = OrganisationKind.INCLUSION_EMPLOYER
    inclusion_employer_kind = InclusionEmployerKind.ETTI
    name = factory.Sequence(lambda n: f"ETTI {n}")


class PrescriberFactory(OrganisationFactory):
    kind = OrganisationKind.PRESCRIBER
    prescriber_kind = "france_travail"
    name = factory.Sequence(lambda n: f"France Travail agence {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-solide")

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(FacilitatorFactory)
    role = MembershipRole.MEMBER


def member_of(organisation: Organisation, **user_fields: object) -> User:
    """A new user working for ``organisation``."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation)
    return user


def coordinator_of(network: Network) -> User:
    user = UserFactory()
    NetworkCoordinator.objects.create(user=user, network=network)
    return user


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    facilitator = factory.SubFactory(FacilitatorFactory)
    buyer = factory.SubFactory(
        BuyerFactory,
        network=factory.SelfAttribute("..facilitator.network"),
        facilitator=factory.SelfAttribute("..facilitator"),
    )
    awarded_company = factory.SubFactory(
        CompanyFactory,
        network=factory.SelfAttribute("..facilitator.network"),
        facilitator=factory.SelfAttribute("..facilitator"),
    )
    reference = factory.Sequence(lambda n: f"2025-{n:04d}")
    title = factory.Sequence(lambda n: f"Construction du groupe scolaire n° {n}")
    cpv_code = "45214200"
    procedure = Procedure.OPEN_TENDER
    amount_excl_tax = Decimal("1000000.00")
    notified_on = datetime.date(2025, 1, 15)
    execution_start = datetime.date(2025, 2, 1)
    execution_end = datetime.date(2026, 1, 31)

    @factory.post_generation
    def hours(self, create: bool, extracted: int | None, **kwargs: object) -> None:
        """``ContractFactory(hours=700)`` adds a fixed-hours clause of 700 hours."""
        if create and extracted is not None:
            ClauseFactory(
                contract=self,
                fixed_hours=Decimal(extracted),
                exact_hours=Decimal(extracted),
                hours_required=extracted,
            )
            self.hours_required = extracted
            self.save(update_fields=["hours_required"])


class ClauseFactory(DjangoModelFactory):
    class Meta:
        model = Clause

    contract = factory.SubFactory(ContractFactory)
    legal_basis = LegalBasis.EXECUTION_CONDITION
    mode = "fixed_hours"
    fixed_hours = Decimal(700)
    exact_hours = Decimal(700)
    hours_required = 700


def any_job() -> RomeJobTitle:
    return (
        RomeJobTitle.objects.filter(rome_id="F1703").order_by("code").first()
        or RomeJobTitle.objects.first()
    )


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    facilitator = factory.SubFactory(FacilitatorFactory)
    first_name = factory.Sequence(lambda n: ["Fatima", "Ali", "Nadia", "Saïd", "Zaïnaba"][n % 5])
    last_name = factory.Sequence(lambda n: f"Madi{n}")
    birth_date = datetime.date(1990, 5, 17)
    sex = "F"
    postal_code = "97600"
    city = "Mamoudzou"


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = Placement

    contract = factory.SubFactory(ContractFactory)
    participant = factory.SubFactory(
        ParticipantFactory, facilitator=factory.SelfAttribute("..contract.facilitator")
    )
    employer = factory.SelfAttribute("contract.awarded_company")
    execution_mode = ExecutionMode.DIRECT_CDD
    job = factory.LazyFunction(any_job)
    start_date = factory.SelfAttribute("contract.execution_start")
    end_date = factory.SelfAttribute("contract.execution_end")


class HoursEntryFactory(DjangoModelFactory):
    class Meta:
        model = HoursEntry

    placement = factory.SubFactory(PlacementFactory)
    month = factory.LazyAttribute(lambda entry: entry.placement.start_date.replace(day=1))
    hours_worked = Decimal(120)
    training_hours = Decimal(0)
    status = HoursStatus.VALIDATED


class OutcomeFactory(DjangoModelFactory):
    """A participant's situation on leaving the placement (a durable job by default)."""

    class Meta:
        model = Outcome

    placement = factory.SubFactory(PlacementFactory)
    participant = factory.SelfAttribute("placement.participant")
    moment = OutcomeMoment.EXIT
    exit_date = factory.LazyAttribute(
        lambda outcome: outcome.placement.end_date or outcome.placement.start_date
    )
    observed_on = factory.LazyAttribute(
        lambda outcome: (
            outcome.exit_date
            if outcome.moment == OutcomeMoment.EXIT
            else outcome.exit_date + datetime.timedelta(days=183)
        )
    )
    situation = OutcomeSituation.DURABLE_CDI


class EsfEntryFactory(DjangoModelFactory):
    class Meta:
        model = EsfEntry

    participant = factory.SubFactory(ParticipantFactory)
    entered_on = datetime.date(2025, 1, 6)
    labour_status = LabourStatus.LONG_TERM_UNEMPLOYED
    isced_band = IscedBand.ISCED_0_2


class ExecutionModeRuleFactory(DjangoModelFactory):
    class Meta:
        model = ExecutionModeRule

    network = factory.SubFactory(NetworkFactory)
    execution_mode = ExecutionMode.TRAINING
    weight = Decimal(1)
    cap_share = None


class HiringNeedFactory(DjangoModelFactory):
    """A published need for one post on a contract, employed by the contract's holder."""

    class Meta:
        model = HiringNeed

    contract = factory.SubFactory(ContractFactory)
    employer = factory.SelfAttribute("contract.awarded_company")
    job = factory.LazyFunction(any_job)
    positions = 1
    start_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))
    duration_months = 6
    place = "Mamoudzou"
    postal_code = "97600"
    contract_type = EmploymentContractType.CDD
    weekly_hours = Decimal(35)
    status = NeedStatusChoice.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=3)
    )


class ReferralFactory(DjangoModelFactory):
    """A candidate just referred to a need by a prescriber of the contract's network."""

    class Meta:
        model = Referral

    need = factory.SubFactory(HiringNeedFactory)
    prescriber = factory.SubFactory(
        PrescriberFactory, network=factory.SelfAttribute("..need.contract.facilitator.network")
    )
    first_name = factory.Sequence(lambda n: ["Anli", "Roukia", "Moussa", "Echati"][n % 4])
    last_name = factory.Sequence(lambda n: f"Attoumani{n}")
    birth_date = datetime.date(1995, 3, 2)
    sex = "M"
    postal_code = "97600"


class NotificationFactory(DjangoModelFactory):
    """An unread notification of a published hiring need."""

    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    kind = "need_published"
    title = factory.Sequence(lambda n: f"Besoin de recrutement publié : maçon n°{n}")
    url = "/besoins/1/"
