"""Imports, column mappings, network events and invitations are listed read-only in the
admin, without personal content nor token digests."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import CompanyFactory, UserFactory
from tremplin.inclusion.models import ColumnMapping, HoursImport
from tremplin.organisations.models import Invitation


def admin_client() -> Client:
    user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_lists_imports_without_their_errors(network):
    company = CompanyFactory(network=network, name="Lagon BTP")
    item = HoursImport.objects.create(
        organisation=company,
        file_name="heures-octobre.xlsx",
        file_format="xlsx",
        file_size=10,
        file_hash="a" * 64,
        errors=[[3, 0, "Nom", "Personne inconnue : Fatima MADI"]],
    )
    ColumnMapping.objects.create(organisation=company, header="matriculeme", label="Matricule ME")
    client = admin_client()

    listing = client.get(reverse("admin:inclusion_hoursimport_changelist")).content.decode()
    page = client.get(reverse("admin:inclusion_hoursimport_change", args=[item.pk]))
    mappings = client.get(reverse("admin:inclusion_columnmapping_changelist")).content.decode()

    assert "heures-octobre.xlsx" in listing
    assert page.status_code == 200
    assert "Fatima" not in page.content.decode()
    assert "Matricule ME" in mappings
    assert client.get(reverse("admin:inclusion_hoursimport_add")).status_code == 403


def test_the_admin_lists_invitations_without_their_token_digest(network):
    company = CompanyFactory(network=network)
    now = timezone.now()
    invitation = Invitation.objects.create(
        organisation=company,
        email="invitee@exemple.fr",
        token_digest="f" * 64,
        sent_at=now,
        expires_at=now + datetime.timedelta(days=7),
    )
    client = admin_client()

    listing = client.get(reverse("admin:organisations_invitation_changelist")).content.decode()
    page = client.get(reverse("admin:organisations_invitation_change", args=[invitation.pk]))

    assert "invitee@exemple.fr" in listing
    assert "f" * 64 not in page.content.decode()
    assert client.get(reverse("admin:organisations_networkevent_changelist")).status_code == 200
