"""Writes of the organisations app. Each function is atomic and validates before it writes."""

from django.core.exceptions import ValidationError
from django.db import transaction

from tremplin.organisations.enums import MembershipRole, OrganisationKind
from tremplin.organisations.models import (
    Membership,
    Network,
    NetworkCoordinator,
    Organisation,
    User,
)
from tremplin.organisations.validators import normalise_siret


@transaction.atomic
def organisation_create(
    *, network: Network, kind: str, name: str, siret: str = "", **fields: object
) -> Organisation:
    organisation = Organisation(
        network=network, kind=kind, name=name.strip(), siret=normalise_siret(siret), **fields
    )
    if kind != OrganisationKind.FACILITATOR and organisation.facilitator_id is not None:
        facilitator = organisation.facilitator
        if facilitator.kind != OrganisationKind.FACILITATOR or facilitator.network_id != network.pk:
            raise ValidationError(
                {
                    "facilitator": "La structure référente doit être une structure de facilitation du réseau."
                }
            )
    if (
        organisation.siret
        and Organisation.objects.filter(network=network, siret=organisation.siret).exists()
    ):
        raise ValidationError({"siret": "Une organisation de ce réseau porte déjà ce SIRET."})
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def user_create(
    *, email: str, password: str | None, first_name: str = "", last_name: str = ""
) -> User:
    return User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )


@transaction.atomic
def membership_add(
    *, user: User, organisation: Organisation, role: str = MembershipRole.MEMBER
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    return membership


@transaction.atomic
def coordinator_add(*, user: User, network: Network) -> NetworkCoordinator:
    coordinator, _ = NetworkCoordinator.objects.get_or_create(user=user, network=network)
    return coordinator
