"""Reads of invitations: the organisation a facilitator may invite into, its members and
pending invitations, and the invitation behind a link."""

from __future__ import annotations

from django.db.models import QuerySet

from tremplin.organisations.access import UserScope
from tremplin.organisations.invitation_services import INVITABLE_KINDS, token_digest
from tremplin.organisations.models import Invitation, Organisation, User


def organisation_to_invite(scope: UserScope, pk: int) -> Organisation:
    """A company or inclusion employer the user's facilitator structures follow
    (raises Organisation.DoesNotExist otherwise)."""
    return (
        Organisation.objects.filter(
            facilitator_id__in=scope.facilitator_ids, kind__in=INVITABLE_KINDS
        )
        .select_related("network", "facilitator")
        .get(pk=pk)
    )


def members_of(organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(memberships__organisation=organisation).order_by(
        "last_name", "first_name", "email"
    )


def invitations_of(organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations not used yet, latest first (expired ones included)."""
    return (
        Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-sent_at")
    )


def invitation_by_token(token: str) -> Invitation:
    """The invitation a link's token opens (raises Invitation.DoesNotExist otherwise)."""
    return Invitation.objects.select_related("organisation__network").get(
        token_digest=token_digest(token)
    )


def account_exists(email: str) -> bool:
    return User.objects.filter(email=email).exists()
