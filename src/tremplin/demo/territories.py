"""The demo territories, Mayotte and Essonne, loaded by ``python -m tremplin demo``.

``load_demo()`` plans both territories in memory from seeded generators, then writes
them through the services in one transaction. It does nothing when the Mayotte network
is already there. ``reset_demo()`` removes both networks and everything in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, ProtectedError, Q, Sum
from django.utils import timezone

from tremplin.core.fte import whole_full_time_equivalents
from tremplin.demo import company_space, essonne, mayotte
from tremplin.demo import decp as decp_flow
from tremplin.demo import matching as matching_flow
from tremplin.demo.scenario import UserSpec
from tremplin.demo.writer import TerritoryWriter, demo_user
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import HoursEntry, Participant, ParticipantCriterion, Placement
from tremplin.matching.models import HiringNeed
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation, User
from tremplin.procurement.models import Contract, Operation

DEMO_PASSWORD = "tremplin-demo"
MAYOTTE_FACILITATOR_EMAIL = mayotte.FACILITATOR_EMAIL
ESSONNE_COORDINATOR_EMAIL = essonne.COORDINATOR_EMAIL
ADMIN_EMAIL = "admin@tremplin.demo"
MAYOTTE_SLUG = mayotte.NETWORK_SLUG
ESSONNE_SLUG = essonne.NETWORK_SLUG
DEMO_NETWORK_SLUGS = (MAYOTTE_SLUG, ESSONNE_SLUG)

ADMIN = UserSpec(
    ADMIN_EMAIL,
    "Camille",
    "Lefèvre",
    "Administratrice de la plateforme",
    "L'administration de Django (/admin/) : réseaux, organisations, comptes, référentiels.",
    superuser=True,
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    description: str


@dataclass(frozen=True)
class NetworkSummary:
    name: str
    territory: str
    structures: int
    buyers: int
    contracts: int
    participants: int
    validated_hours: Decimal
    hours_per_fte: int

    @property
    def whole_fte(self) -> int:
        return whole_full_time_equivalents(self.validated_hours, self.hours_per_fte)


def _user_specs() -> list[UserSpec]:
    """Every demo account, in the order of the logins table."""
    essonne_facilitators = [spec for spec in essonne.USERS if not spec.coordinates]
    essonne_coordinator = [spec for spec in essonne.USERS if spec.coordinates]
    return [*mayotte.USERS, *essonne_coordinator, *essonne_facilitators, ADMIN]


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(
            role=spec.role, email=spec.email, password=DEMO_PASSWORD, description=spec.description
        )
        for spec in _user_specs()
    ]


def territory_today(time_zone: str) -> date:
    """Today's date in a territory's time zone."""
    return timezone.localdate(timezone=ZoneInfo(time_zone))


def demo_is_loaded() -> bool:
    return Network.objects.filter(slug=MAYOTTE_SLUG).exists()


def load_demo() -> list[DemoLogin]:
    """Load both territories, unless the Mayotte network already exists. Returns the logins."""
    if demo_is_loaded():
        return demo_logins()
    # Each territory's timeline is anchored to its own today: near midnight in France,
    # it is already the next day (or month) in Mayotte.
    island_today = territory_today(mayotte.TIME_ZONE)
    network_today = territory_today(essonne.TIME_ZONE)
    with matching_flow.emails_held(), transaction.atomic():
        password_hash = make_password(DEMO_PASSWORD)
        island = TerritoryWriter(
            mayotte.plan_mayotte(island_today),
            password_hash=password_hash,
            seed=976,
            today=island_today,
        ).write()
        # The company space: Lagon BTP declares a hire, her evidence and her hours.
        company_space.declare_a_hire(island, mayotte.COMPANY_EMAIL, island_today)
        network = TerritoryWriter(
            essonne.plan_essonne(network_today),
            password_hash=password_hash,
            seed=91,
            today=network_today,
        ).write()
        # Hiring needs, referrals, pathways and pooled hours, with their notifications.
        matching_flow.load_matching(island, network, island_today, network_today)
        # The open procurement data of both territories, imported as a facilitator would.
        decp_flow.load_decp(island, network, island_today, network_today)
        demo_user(ADMIN, password_hash)
    return demo_logins()


@transaction.atomic
def reset_demo() -> None:
    """Delete the demo networks, everything in them, and the demo accounts."""
    networks = Network.objects.filter(slug__in=DEMO_NETWORK_SLUGS)
    organisations = Organisation.objects.filter(network__in=networks)
    # Published records protect their buyers and holders (and point to contracts).
    decp_flow.delete_decp(networks)
    placements = Placement.objects.filter(
        Q(participant__facilitator__in=organisations) | Q(contract__facilitator__in=organisations)
    )
    # Needs (with their referrals and history) hold their contracts and prescribers.
    HiringNeed.objects.filter(contract__facilitator__in=organisations).delete()
    HoursEntry.objects.filter(placement__in=placements).delete()
    placements.delete()
    # Evidence files of eligibility are not rows: remove them from the storage first.
    evidence = ParticipantCriterion.objects.filter(
        participant__facilitator__in=organisations
    ).exclude(evidence_file="")
    for item in evidence:
        item.evidence_file.delete(save=False)
    # History events go with the participants and contracts they belong to.
    Participant.objects.filter(facilitator__in=organisations).delete()
    Contract.objects.filter(facilitator__in=organisations).delete()
    Operation.objects.filter(buyer__in=organisations).delete()
    organisations.exclude(kind=OrganisationKind.FACILITATOR).delete()
    organisations.delete()
    networks.delete()
    for user in User.objects.filter(email__in=[spec.email for spec in _user_specs()]):
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError:  # the account wrote history elsewhere: keep it
            continue


def demo_summary() -> list[NetworkSummary]:
    """What the demo networks hold, for the command's report."""
    summaries = []
    networks = {
        network.slug: network
        for network in Network.objects.filter(slug__in=DEMO_NETWORK_SLUGS).annotate(
            structures=Count(
                "organisations", filter=Q(organisations__kind=OrganisationKind.FACILITATOR)
            ),
            buyers=Count("organisations", filter=Q(organisations__kind=OrganisationKind.BUYER)),
        )
    }
    for slug in DEMO_NETWORK_SLUGS:
        network = networks.get(slug)
        if network is None:
            continue
        hours = HoursEntry.objects.filter(
            placement__contract__facilitator__network=network, status=HoursStatus.VALIDATED
        ).aggregate(total=Sum("total_hours"))["total"]
        summaries.append(
            NetworkSummary(
                name=network.name,
                territory=network.territory,
                structures=network.structures,  # type: ignore[attr-defined]
                buyers=network.buyers,  # type: ignore[attr-defined]
                contracts=Contract.objects.filter(
                    facilitator__network=network, hours_required__gt=0
                ).count(),
                participants=Participant.objects.filter(facilitator__network=network).count(),
                validated_hours=hours or Decimal(0),
                hours_per_fte=network.hours_per_fte,
            )
        )
    return summaries
