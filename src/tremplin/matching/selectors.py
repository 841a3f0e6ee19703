"""Scoped reads of hiring needs and referrals.

Who sees what:
- a facilitator structure, the needs of the contracts it follows and all their candidates;
- a company, its own needs in every status, and their candidates once shortlisted;
- a prescriber, the published needs of its area and its own candidates only;
- a network coordinator, the needs of its networks with counts, never a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from tremplin.inclusion.models import EligibilityCriterion
from tremplin.matching.areas import covers
from tremplin.matching.enums import MatchingAction, NeedStatusChoice, ReferralStatusChoice
from tremplin.matching.models import HiringNeed, MatchingEvent, Referral, contract_holders
from tremplin.matching.pipeline import VISIBLE_TO_COMPANY, ReferralStatus
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.organisations.selectors import AWAITING_CONFIRMATION
from tremplin.procurement.models import Contract, Lot

NOTHING = Q(pk__in=[])
OPEN_STAGES = (
    ReferralStatus.REFERRED,
    ReferralStatus.SHORTLISTED,
    ReferralStatus.INTERVIEW,
)


def sees_matching(scope: UserScope) -> bool:
    """Whether the user has any page of the app: buyers and funders have none."""
    return bool(
        scope.facilitator_ids
        or scope.coordinated_network_ids
        or scope.company_ids
        or scope.prescriber_ids
    )


# Hiring needs ---------------------------------------------------------------------------


def _prescribers(scope: UserScope) -> list[Organisation]:
    return list(
        Organisation.objects.filter(pk__in=scope.prescriber_ids).only(
            "pk", "network_id", "area_departments"
        )
    )


def _area_need_ids(scope: UserScope) -> list[int]:
    """Published needs placed in a prescriber's area (its départements, in its network)."""
    prescribers = _prescribers(scope) if scope.prescriber_ids else []
    if not prescribers:
        return []
    published = HiringNeed.objects.filter(
        status=NeedStatusChoice.PUBLISHED,
        contract__facilitator__network_id__in={p.network_id for p in prescribers},
    ).values_list("pk", "postal_code", "contract__facilitator__network_id")
    return [
        pk
        for pk, postal_code, network_id in published
        if any(
            p.network_id == network_id and covers(p.area_departments, postal_code)
            for p in prescribers
        )
    ]


def needs_visible_to(scope: UserScope) -> QuerySet[HiringNeed]:
    visible = NOTHING
    if scope.facilitator_ids:
        visible |= Q(contract__facilitator_id__in=scope.facilitator_ids)
    if scope.coordinated_network_ids:
        visible |= Q(contract__facilitator__network_id__in=scope.coordinated_network_ids)
    if scope.company_ids:
        visible |= Q(employer_id__in=scope.company_ids)
    if scope.prescriber_ids:
        # Its area's offers, and the needs it referred someone to (to follow them).
        visible |= Q(pk__in=_area_need_ids(scope)) | Q(
            Exists(
                Referral.objects.filter(
                    need_id=OuterRef("pk"), prescriber_id__in=scope.prescriber_ids
                )
            )
        )
    return HiringNeed.objects.filter(visible)


def _with_counts(needs: QuerySet[HiringNeed]) -> QuerySet[HiringNeed]:
    """Each need with its referrals counted by stage (counts are shown to every role)."""
    counts: dict[str, Any] = {
        f"count_{status}": Count("referrals", filter=Q(referrals__status=status))
        for status in ReferralStatus
    }
    return needs.annotate(referral_count=Count("referrals"), **counts)


@dataclass(frozen=True)
class NeedFilters:
    status: str = ""
    contract_id: int | None = None
    search: str = ""
    # Filled between these days, included (the period of the time-to-fill figure).
    filled_from: date | None = None
    filled_to: date | None = None


def need_list(scope: UserScope, filters: NeedFilters = NeedFilters()) -> QuerySet[HiringNeed]:
    needs = needs_visible_to(scope)
    if filters.status in NeedStatusChoice.values:
        needs = needs.filter(status=filters.status)
    if filters.contract_id:
        needs = needs.filter(contract_id=filters.contract_id)
    if filters.filled_from:
        needs = needs.filter(filled_at__date__gte=filters.filled_from)
    if filters.filled_to:
        needs = needs.filter(filled_at__date__lte=filters.filled_to)
    if filters.search:
        needs = needs.filter(
            Q(job__title__icontains=filters.search)
            | Q(job__rome__code__icontains=filters.search)
            | Q(place__icontains=filters.search)
        )
    return (
        _with_counts(needs)
        .select_related("contract", "employer", "job")
        .order_by("-start_date", "-pk")
    )


def area_offers(scope: UserScope) -> QuerySet[HiringNeed]:
    """The prescriber's offers: published needs of its area with posts still open."""
    needs = HiringNeed.objects.filter(pk__in=_area_need_ids(scope))
    return (
        _with_counts(needs)
        .filter(count_hired__lt=F("positions"))
        .select_related("contract", "employer", "job")
        .prefetch_related("reserved_criteria")
        .order_by("start_date", "pk")
    )


def need_detail(scope: UserScope, pk: int) -> HiringNeed:
    """A visible need (raises HiringNeed.DoesNotExist otherwise)."""
    return (
        _with_counts(needs_visible_to(scope).filter(pk=pk))
        .select_related(
            "contract__facilitator__network", "contract__buyer", "employer", "job__rome"
        )
        .prefetch_related("reserved_criteria")
        .get()
    )


def contracts_of_needs(scope: UserScope) -> QuerySet[Contract]:
    """The contracts of the visible needs (the list's filter)."""
    return Contract.objects.filter(pk__in=needs_visible_to(scope).values("contract_id")).order_by(
        "reference"
    )


def contracts_for_needs(scope: UserScope) -> QuerySet[Contract]:
    """Contracts the user may post a need on: those its structure follows, or those its
    company holds, shares, subcontracts or holds a lot of."""
    visible = NOTHING
    if scope.facilitator_ids:
        visible |= Q(facilitator_id__in=scope.facilitator_ids)
    if scope.company_ids:
        ids = scope.company_ids
        visible |= (
            Q(awarded_company_id__in=ids)
            | Q(
                Exists(
                    Contract.co_contractors.through.objects.filter(
                        contract_id=OuterRef("pk"), organisation_id__in=ids
                    )
                )
            )
            | Q(
                Exists(
                    Contract.subcontractors.through.objects.filter(
                        contract_id=OuterRef("pk"), organisation_id__in=ids
                    )
                )
            )
            | Q(Exists(Lot.objects.filter(contract_id=OuterRef("pk"), awarded_company_id__in=ids)))
        )
    return Contract.objects.filter(visible).order_by("-execution_start", "reference")


def employers_for_need(scope: UserScope, contract: Contract | None) -> QuerySet[Organisation]:
    """Who a need may be posted for: the contract's holders (for a company, its own only).
    Before a contract is chosen: the employers of the user's networks (not those read in
    open data and not yet confirmed), or its companies."""
    if contract is None:
        if scope.facilitator_ids:
            employers = Organisation.objects.filter(
                network_id__in=scope.network_ids,
                kind__in=[OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER],
            ).exclude(AWAITING_CONFIRMATION)
        else:
            employers = Organisation.objects.filter(pk__in=scope.company_ids)
        return employers.order_by("name")
    holders = contract_holders(contract)
    if contract.facilitator_id not in scope.facilitator_ids:
        holders = holders.filter(pk__in=scope.company_ids)
    return holders.order_by("name")


def criteria_for_need(
    scope: UserScope, contract: Contract | None = None
) -> QuerySet[EligibilityCriterion]:
    """The eligible publics a need may be reserved to (or a prescriber vouch for): those
    of the contract's network, or of the user's networks."""
    if contract is not None:
        networks: Any = [contract.facilitator.network_id]
    else:
        networks = scope.network_ids
    return (
        EligibilityCriterion.objects.filter(networks__in=networks)
        .distinct()
        .order_by("position", "label")
    )


def need_history(need: HiringNeed) -> QuerySet[MatchingEvent]:
    """The need's own events (no candidate's): what the facilitator and the company read."""
    return (
        MatchingEvent.objects.filter(need=need, object_type="hiringneed")
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )


def last_send_back(need: HiringNeed) -> MatchingEvent | None:
    return (
        MatchingEvent.objects.filter(need=need, action=MatchingAction.NEED_SENT_BACK)
        .order_by("-occurred_at", "-pk")
        .first()
    )


def prescriber_networks(scope: UserScope) -> QuerySet[Network]:
    return Network.objects.filter(organisations__pk__in=scope.prescriber_ids).distinct()


def prescribers_of_user(scope: UserScope) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=scope.prescriber_ids, kind=OrganisationKind.PRESCRIBER
    ).order_by("name")


# Referrals ------------------------------------------------------------------------------


def _shown_to_company() -> Q:
    """A company sees candidates the facilitator shortlisted (even set aside afterwards)."""
    past_shortlist = [s for s in VISIBLE_TO_COMPANY if s != ReferralStatus.NOT_RETAINED]
    return Q(status__in=past_shortlist) | Q(
        status=ReferralStatus.NOT_RETAINED, shortlisted_at__isnull=False
    )


def referrals_visible_to(scope: UserScope) -> QuerySet[Referral]:
    visible = NOTHING
    if scope.facilitator_ids:
        visible |= Q(need__contract__facilitator_id__in=scope.facilitator_ids)
    if scope.company_ids:
        visible |= Q(need__employer_id__in=scope.company_ids) & _shown_to_company()
    if scope.prescriber_ids:
        visible |= Q(prescriber_id__in=scope.prescriber_ids)
    return Referral.objects.filter(visible)


@dataclass(frozen=True)
class ReferralFilters:
    stage: str = ""
    prescriber_id: int | None = None
    need_id: int | None = None
    # Proposed between these days, included (the period of a dashboard's figure).
    proposed_from: date | None = None
    proposed_to: date | None = None


def referral_list(
    scope: UserScope, filters: ReferralFilters = ReferralFilters()
) -> QuerySet[Referral]:
    referrals = referrals_visible_to(scope)
    if filters.stage in ReferralStatusChoice.values:
        referrals = referrals.filter(status=filters.stage)
    if filters.prescriber_id:
        referrals = referrals.filter(prescriber_id=filters.prescriber_id)
    if filters.need_id:
        referrals = referrals.filter(need_id=filters.need_id)
    if filters.proposed_from:
        referrals = referrals.filter(created_at__date__gte=filters.proposed_from)
    if filters.proposed_to:
        referrals = referrals.filter(created_at__date__lte=filters.proposed_to)
    return (
        referrals.select_related("need__job", "need__employer", "need__contract", "prescriber")
        .prefetch_related(
            Prefetch(
                "vouched_criteria",
                queryset=EligibilityCriterion.objects.order_by("position", "label"),
            )
        )
        .order_by("-status_changed_at", "-pk")
    )


def referrals_of_need(scope: UserScope, need: HiringNeed) -> list[Referral]:
    return list(referral_list(scope, ReferralFilters(need_id=need.pk)))


def referral_detail(scope: UserScope, pk: int) -> Referral:
    """A visible referral (raises Referral.DoesNotExist otherwise)."""
    return (
        referrals_visible_to(scope)
        .filter(pk=pk)
        .select_related(
            "need__job",
            "need__employer",
            "need__contract__facilitator",
            "prescriber",
            "participant",
            "referred_by",
        )
        .prefetch_related("vouched_criteria")
        .get()
    )


def prescribers_of_referrals(scope: UserScope) -> QuerySet[Organisation]:
    """The prescribers of the visible referrals (the list's filter)."""
    return Organisation.objects.filter(
        pk__in=referrals_visible_to(scope).values("prescriber_id")
    ).order_by("name")


def referral_history(referral: Referral) -> QuerySet[MatchingEvent]:
    return (
        MatchingEvent.objects.filter(object_type="referral", object_id=referral.pk)
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )
