"""Scoped reads of networks and organisations."""

from django.db.models import Count, Q, QuerySet

from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.organisations.validators import normalise_siret


def networks_of(scope: UserScope) -> QuerySet[Network]:
    return Network.objects.filter(pk__in=scope.network_ids)


def primary_network(scope: UserScope) -> Network | None:
    """The network whose rules (FTE convention, time zone, defaults) frame the user's pages."""
    return networks_of(scope).order_by("pk").first()


def organisations_visible_to(scope: UserScope) -> QuerySet[Organisation]:
    """Facilitators and coordinators see the organisations of their networks; others their own."""
    if scope.facilitator_ids or scope.coordinated_network_ids:
        return Organisation.objects.filter(network_id__in=scope.network_ids)
    return Organisation.objects.filter(pk__in=scope.organisation_ids)


def followed_organisations(scope: UserScope, kind: str | None = None) -> QuerySet[Organisation]:
    """Organisations followed by the user's facilitator structures (their buyers, companies…)."""
    organisations = Organisation.objects.filter(facilitator_id__in=scope.facilitator_ids)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations


def facilitator_structures(scope: UserScope) -> QuerySet[Organisation]:
    """The facilitator structures the user works for, or coordinates through a network."""
    return Organisation.objects.filter(kind=OrganisationKind.FACILITATOR).filter(
        pk__in=scope.facilitator_ids
    ) | Organisation.objects.filter(
        kind=OrganisationKind.FACILITATOR, network_id__in=scope.coordinated_network_ids
    )


def employers_for_placements(scope: UserScope) -> QuerySet[Organisation]:
    """Companies and inclusion employers a facilitator can place participants with."""
    return organisations_visible_to(scope).filter(
        kind__in=[OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER]
    )


def own_facilitator_structures(scope: UserScope) -> QuerySet[Organisation]:
    """The facilitator structures the user works for (not those coordinated through a network)."""
    return Organisation.objects.filter(
        kind=OrganisationKind.FACILITATOR, pk__in=scope.facilitator_ids
    ).select_related("network")


def organisations_of_kinds(scope: UserScope, *kinds: str) -> QuerySet[Organisation]:
    return organisations_visible_to(scope).filter(kind__in=kinds).order_by("name")


def _search(organisations: QuerySet[Organisation], search: str) -> QuerySet[Organisation]:
    search = search.strip()
    if not search:
        return organisations
    digits = normalise_siret(search)
    matches = Q(name__icontains=search)
    if digits.isdigit():
        matches |= Q(siret__startswith=digits)
    return organisations.filter(matches)


def organisation_list(
    scope: UserScope, *, kind: str = "", search: str = ""
) -> QuerySet[Organisation]:
    """Organisations the user sees, of one kind or all, searched by name or SIRET."""
    organisations = _search(organisations_visible_to(scope), search)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.select_related("facilitator").order_by("name", "pk")


def organisation_counts_by_kind(scope: UserScope, *, search: str = "") -> dict[str, int]:
    """How many organisations of each kind match the search (for the tabs)."""
    rows = (
        _search(organisations_visible_to(scope), search)
        .order_by()
        .values("kind")
        .annotate(count=Count("pk"))
    )
    return {row["kind"]: row["count"] for row in rows}


def organisation_detail(scope: UserScope, pk: int) -> Organisation:
    """The organisation if the user sees it (raises Organisation.DoesNotExist otherwise)."""
    return organisations_visible_to(scope).select_related("network", "facilitator").get(pk=pk)
