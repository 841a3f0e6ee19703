"""Forms of invitations: inviting a contact, and signing up through the link."""

from __future__ import annotations

from typing import Any

from django import forms


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Courriel du contact",
        max_length=254,
        help_text="La personne reçoit un lien, valable 14 jours, pour créer son compte.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class SignUpForm(forms.Form):
    """A new account: a name and a password that Django's validators accept."""

    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="8 caractères au moins, pas uniquement des chiffres, ni trop courant, ni "
        "trop proche de votre nom ou de votre adresse.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        return data


class ExistingAccountForm(forms.Form):
    """An account already exists with the invited address: its password proves it is yours."""

    password = forms.CharField(
        label="Mot de passe de votre compte",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
