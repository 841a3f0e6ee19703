"""Who may see what. Every scoped selector of the project starts from a ``UserScope``.

A scope is computed once per request from the user's memberships. It lists, by kind,
the organisations the user works for, and the networks the user coordinates. Selectors
turn it into query filters; nothing is visible unless the scope grants it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Membership, NetworkCoordinator, User

_SCOPE_CACHE_ATTRIBUTE = "_tremplin_scope"


@dataclass(frozen=True)
class UserScope:
    user_id: int | None
    organisation_ids_by_kind: dict[str, frozenset[int]] = field(default_factory=dict)
    network_ids: frozenset[int] = frozenset()
    coordinated_network_ids: frozenset[int] = frozenset()
    administered_organisation_ids: frozenset[int] = frozenset()

    def ids(self, kind: str) -> frozenset[int]:
        return self.organisation_ids_by_kind.get(kind, frozenset())

    @property
    def facilitator_ids(self) -> frozenset[int]:
        """Facilitator structures the user works for: they see those structures' personal data."""
        return self.ids(OrganisationKind.FACILITATOR)

    @property
    def buyer_ids(self) -> frozenset[int]:
        return self.ids(OrganisationKind.BUYER)

    @property
    def company_ids(self) -> frozenset[int]:
        return self.ids(OrganisationKind.COMPANY) | self.ids(OrganisationKind.INCLUSION_EMPLOYER)

    @property
    def prescriber_ids(self) -> frozenset[int]:
        """Prescribers the user works for: they refer candidates to published hiring needs."""
        return self.ids(OrganisationKind.PRESCRIBER)

    @property
    def is_prescriber(self) -> bool:
        return bool(self.prescriber_ids)

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset().union(*self.organisation_ids_by_kind.values())

    @property
    def is_facilitator(self) -> bool:
        return bool(self.facilitator_ids)

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinated_network_ids)

    @property
    def sees_contracts(self) -> bool:
        return bool(
            self.facilitator_ids
            or self.coordinated_network_ids
            or self.buyer_ids
            or self.company_ids
        )


def scope_for(user: User | AnonymousUser) -> UserScope:
    """The user's scope, computed once and kept on the user object for the request."""
    if not user.is_authenticated:
        return UserScope(user_id=None)
    cached: UserScope | None = getattr(user, _SCOPE_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    by_kind: dict[str, set[int]] = {}
    network_ids: set[int] = set()
    administered: set[int] = set()
    memberships = Membership.objects.filter(user=user).values_list(
        "organisation_id", "organisation__kind", "organisation__network_id", "role"
    )
    for organisation_id, kind, network_id, role in memberships:
        by_kind.setdefault(kind, set()).add(organisation_id)
        network_ids.add(network_id)
        if role == "administrator":
            administered.add(organisation_id)
    coordinated = set(
        NetworkCoordinator.objects.filter(user=user).values_list("network_id", flat=True)
    )
    scope = UserScope(
        user_id=user.pk,
        organisation_ids_by_kind={kind: frozenset(ids) for kind, ids in by_kind.items()},
        network_ids=frozenset(network_ids | coordinated),
        coordinated_network_ids=frozenset(coordinated),
        administered_organisation_ids=frozenset(administered),
    )
    setattr(user, _SCOPE_CACHE_ATTRIBUTE, scope)
    return scope


def is_member(user: User, organisation_id: int) -> bool:
    """Whether ``user`` works for the organisation (a check before a write)."""
    return Membership.objects.filter(user=user, organisation_id=organisation_id).exists()


def facilitator_scope(user: User | AnonymousUser) -> UserScope:
    """The scope of a member of a facilitator structure; anyone else gets "not found"
    (pages about participants do not say they exist)."""
    scope = scope_for(user)
    if not scope.is_facilitator:
        raise Http404("Aucune structure de facilitation.")
    return scope


def forget_scope(user: User) -> None:
    """Drop the cached scope after the user's memberships changed."""
    if hasattr(user, _SCOPE_CACHE_ATTRIBUTE):
        delattr(user, _SCOPE_CACHE_ATTRIBUTE)
