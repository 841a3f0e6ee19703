"""Invitations: a facilitator invites a company's contact, who signs up through a link.

The link carries a random token (``secrets.token_urlsafe``); only its SHA-256 digest is
stored, and a token is looked up by its digest. An invitation lasts 14 days and opens
one account (or adds the membership to an existing account) once.
"""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tremplin.organisations.access import forget_scope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Invitation, Membership, Organisation, User
from tremplin.organisations.services import membership_add, user_create

VALIDITY = timedelta(days=14)
INVITABLE_KINDS = (OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_inviter(inviter: User, organisation: Organisation) -> None:
    if organisation.kind not in INVITABLE_KINDS:
        raise ValidationError(
            "On invite les contacts d'une entreprise ou d'un employeur inclusif seulement."
        )
    follows = (
        organisation.facilitator_id is not None
        and Membership.objects.filter(
            user=inviter, organisation_id=organisation.facilitator_id
        ).exists()
    )
    if not follows:
        raise ValidationError(
            "Seule la structure de facilitation qui suit cette organisation peut y inviter "
            "un contact."
        )


@transaction.atomic
def invitation_send(
    *, inviter: User, organisation: Organisation, email: str, base_url: str
) -> Invitation:
    """Invite ``email`` to join ``organisation`` and send the link by email.

    Inviting the same address again renews its pending invitation: a fresh link, a new
    expiry, and the former link no longer works. ``base_url`` is the site's address
    (``https://tremplin.example``), the link's beginning.
    """
    _check_inviter(inviter, organisation)
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Saisissez une adresse de courriel valide."}) from error
    if Membership.objects.filter(user__email=email, organisation=organisation).exists():
        raise ValidationError({"email": f"{email} est déjà membre de {organisation.name}."})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation, _ = Invitation.objects.update_or_create(
        organisation=organisation,
        email=email,
        accepted_at__isnull=True,
        defaults={
            "token_digest": token_digest(token),
            "invited_by": inviter,
            "sent_at": now,
            "expires_at": now + VALIDITY,
        },
    )
    link = base_url.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})
    zone = zoneinfo.ZoneInfo(organisation.network.time_zone)
    context = {
        "invitation": invitation,
        "organisation": organisation,
        "inviter": inviter,
        "facilitator": organisation.facilitator,
        "network": organisation.network,
        "link": link,
        "expires_on": timezone.localtime(invitation.expires_at, zone).date(),
        "has_account": User.objects.filter(email=email).exists(),
    }
    subject = render_to_string("organisations/email/invitation_subject.txt", context)
    body = render_to_string("organisations/email/invitation_body.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [email],
        fail_silently=False,
    )
    return invitation


def check_usable(invitation: Invitation) -> None:
    """Raise a ValidationError in French when the invitation can no longer be used."""
    if invitation.accepted_at is not None:
        raise ValidationError(
            "Cette invitation a déjà servi : connectez-vous avec votre adresse et votre mot "
            "de passe.",
            code="used",
        )
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            "Cette invitation a expiré : demandez à votre structure de facilitation de vous "
            "en envoyer une nouvelle.",
            code="expired",
        )


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> User:
    """Use the invitation: create the account (or take the existing ``user`` whose
    password was checked) and make it a member of the organisation."""
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )
    check_usable(invitation)
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise ValidationError(
                "Un compte existe déjà avec cette adresse : saisissez son mot de passe."
            )
        errors: dict[str, list[str]] = {}
        if not first_name.strip():
            errors["first_name"] = ["Indiquez votre prénom."]
        if not last_name.strip():
            errors["last_name"] = ["Indiquez votre nom."]
        candidate = User(
            email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip()
        )
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as error:
            errors["password1"] = list(error.messages)
        if errors:
            raise ValidationError(errors)
        user = user_create(
            email=invitation.email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
    elif user.email.lower() != invitation.email:
        raise ValidationError("Cette invitation est destinée à une autre adresse.")
    membership_add(user=user, organisation=invitation.organisation)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_scope(user)
    return user
