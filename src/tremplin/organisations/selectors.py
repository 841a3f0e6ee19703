"""Scoped reads of networks and organisations."""

from django.db.models import QuerySet

from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation


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
