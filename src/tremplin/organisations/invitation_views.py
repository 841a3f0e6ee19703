"""Invitations: a facilitator invites a company's contact; the contact signs up through the
link sent by email (a public page), then lands on the home page, logged in."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from tremplin.organisations import invitation_selectors as selectors
from tremplin.organisations import invitation_services as services
from tremplin.organisations.access import facilitator_scope
from tremplin.organisations.invitation_forms import (
    ExistingAccountForm,
    InvitationForm,
    SignUpForm,
)
from tremplin.organisations.models import Invitation, Organisation, User

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _attach(
    form: InvitationForm | SignUpForm | ExistingAccountForm, error: ValidationError
) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a contact into a company (or inclusion employer) the user's structure follows."""
    scope = facilitator_scope(request.user)
    try:
        organisation = selectors.organisation_to_invite(scope, pk)
    except Organisation.DoesNotExist as error:
        raise Http404("Cette organisation n'existe pas ou ne vous est pas accessible.") from error
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_send(
                inviter=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            zone = zoneinfo.ZoneInfo(organisation.network.time_zone)
            expires = timezone.localtime(invitation.expires_at, zone)
            messages.success(
                request,
                f"Invitation envoyée à {invitation.email} : le lien est valable jusqu'au "
                f"{expires:%d/%m/%Y}.",
            )
            return redirect("organisations:invitation_create", pk=organisation.pk)
    return render(
        request,
        "organisations/invitation_form.html",
        {
            "organisation": organisation,
            "form": form,
            "members": selectors.members_of(organisation),
            "invitations": selectors.invitations_of(organisation),
            "now": timezone.now(),
        },
    )


def _invalid(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request, "organisations/invitation_invalid.html", {"message": message}, status=status
    )


@login_not_required
@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The public page of an invitation's link: create the account, or join with the
    existing one, then go to the home page, logged in."""
    try:
        invitation = selectors.invitation_by_token(token)
    except Invitation.DoesNotExist:
        return _invalid(
            request,
            "Ce lien d'invitation n'est pas valable : vérifiez qu'il est complet, ou demandez "
            "à votre structure de facilitation de vous en envoyer un nouveau.",
            404,
        )
    try:
        services.check_usable(invitation)
    except ValidationError as error:
        return _invalid(request, error.messages[0], 410)
    has_account = selectors.account_exists(invitation.email)
    form: SignUpForm | ExistingAccountForm = (
        ExistingAccountForm(request.POST or None)
        if has_account
        else SignUpForm(request.POST or None)
    )
    if request.method == "POST" and form.is_valid():
        user: User | None = None
        try:
            if isinstance(form, ExistingAccountForm):
                user = authenticate(  # type: ignore[assignment]
                    request, email=invitation.email, password=form.cleaned_data["password"]
                )
                if user is None:
                    raise ValidationError({"password": "Mot de passe incorrect."})
                user = services.invitation_accept(invitation=invitation, user=user)
            else:
                user = services.invitation_accept(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
        except ValidationError as error:
            _attach(form, error)
        else:
            login(request, user, backend=AUTH_BACKEND)
            messages.success(
                request,
                f"Bienvenue {user.get_full_name() or user.email} : vous avez rejoint "
                f"{invitation.organisation.name} sur Tremplin.",
            )
            return redirect("home")
    return render(
        request,
        "organisations/invitation_accept.html",
        {"invitation": invitation, "form": form, "has_account": has_account},
    )
