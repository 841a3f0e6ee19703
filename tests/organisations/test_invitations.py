"""Invitations: a facilitator invites a company's contact by email; the contact signs up
through the link, becomes a member of the company and lands on the home page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import CompanyFactory, OrganisationFactory, UserFactory, member_of
from tests.inclusion.conftest import page_text
from tremplin.organisations.models import Invitation, Membership, User

STRONG_PASSWORD = "Lagon-Mamoudzou-2026"


@pytest.fixture
def company(structure):  # type: ignore[no-untyped-def]
    return CompanyFactory(
        network=structure.organisation.network, facilitator=structure.organisation, name="Lagon BTP"
    )


def invite(structure, company, email: str = "Anli.Boinali@Lagon-BTP.yt"):  # type: ignore[no-untyped-def]
    return structure.client.post(
        reverse("organisations:invitation_create", args=[company.pk]),
        {"email": email},
        follow=True,
    )


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/invitation/[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_organisation_page_offers_to_invite_a_contact(structure, company):
    page = structure.client.get(reverse("organisations:organisation_detail", args=[company.pk]))
    assert "Inviter un contact" in page_text(page)
    assert reverse("organisations:invitation_create", args=[company.pk]) in page.content.decode()
    buyer = OrganisationFactory(
        network=company.network,
        kind="buyer",
        buyer_kind="municipality",
        facilitator=structure.organisation,
    )
    page = structure.client.get(reverse("organisations:organisation_detail", args=[buyer.pk]))
    assert "Inviter un contact" not in page_text(page)


def test_the_whole_journey_from_invitation_to_the_home_page(structure, company):
    response = invite(structure, company)
    text = page_text(response)
    assert "Invitation envoyée à anli.boinali@lagon-btp.yt" in text
    assert "anli.boinali@lagon-btp.yt" in text.split("Invitations en attente")[1]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anli.boinali@lagon-btp.yt"]
    assert message.subject == "Invitation à rejoindre Lagon BTP sur Tremplin"
    assert "vous invite à rejoindre l'espace de Lagon BTP" in message.body
    assert "Pour créer votre compte, ouvrez ce lien" in message.body
    url = link_in(message)
    token = url.split("/")[2]
    invitation = Invitation.objects.get()
    # The token is not stored: only its digest.
    assert token not in str(Invitation.objects.values().get())
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=14)
    assert invitation.invited_by == structure.user

    visitor = Client()
    page = visitor.get(url)
    assert page.status_code == 200
    assert "Rejoindre Lagon BTP sur Tremplin" in page_text(page)
    assert "Créer votre compte" in page_text(page)
    response = visitor.post(
        url,
        {
            "first_name": "Anli",
            "last_name": "Boinali",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    text = page_text(response)
    assert "Bienvenue Anli Boinali : vous avez rejoint Lagon BTP sur Tremplin." in text
    assert "Tableau de bord — Lagon BTP" in text
    user = User.objects.get(email="anli.boinali@lagon-btp.yt")
    assert user.check_password(STRONG_PASSWORD)
    assert Membership.objects.filter(user=user, organisation=company).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # The link serves once.
    again = Client().get(url)
    assert again.status_code == 410
    assert "Cette invitation a déjà servi" in page_text(again)


def test_passwords_follow_djangos_validators_in_french(structure, company):
    invite(structure, company)
    url = link_in(mail.outbox[0])
    visitor = Client()
    cases = [
        ("court", "court", "Ce mot de passe est trop court"),
        ("12345678901", "12345678901", "Ce mot de passe est entièrement numérique"),
        ("motdepasse", "motdepasse", "Ce mot de passe est trop courant"),
        (STRONG_PASSWORD, STRONG_PASSWORD + "x", "Les deux mots de passe ne sont pas identiques."),
    ]
    for first, second, message in cases:
        response = visitor.post(
            url,
            {"first_name": "Anli", "last_name": "Boinali", "password1": first, "password2": second},
        )
        assert response.status_code == 200
        assert message in page_text(response)
    assert not User.objects.filter(email="anli.boinali@lagon-btp.yt").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_link_gets_a_clear_page(structure, company):
    invite(structure, company)
    url = link_in(mail.outbox[0])
    Invitation.objects.update(
        sent_at=timezone.now() - datetime.timedelta(days=20),
        expires_at=timezone.now() - datetime.timedelta(days=6),
    )
    response = Client().post(
        url,
        {
            "first_name": "A",
            "last_name": "B",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
    )
    assert response.status_code == 410
    assert "Cette invitation a expiré" in page_text(response)
    assert not User.objects.filter(email="anli.boinali@lagon-btp.yt").exists()


def test_an_unknown_link_gets_a_clear_page(db):
    response = Client().get(reverse("invitation_accept", args=["inconnu-0123456789"]))
    assert response.status_code == 404
    assert "Ce lien d'invitation n'est pas valable" in page_text(response)


def test_inviting_again_sends_a_fresh_link_and_the_old_one_dies(structure, company):
    invite(structure, company)
    invite(structure, company, email="anli.boinali@lagon-btp.yt")
    assert len(mail.outbox) == 2
    first, second = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    assert first != second
    assert Invitation.objects.count() == 1
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_a_registered_email_joins_with_its_password(structure, company):
    someone = UserFactory(email="anli.boinali@lagon-btp.yt", first_name="Anli", last_name="B")
    invite(structure, company)
    message = mail.outbox[0]
    assert "Un compte Tremplin existe déjà avec cette adresse" in message.body
    url = link_in(message)
    visitor = Client()
    page = visitor.get(url)
    assert "Vous avez déjà un compte" in page_text(page)
    response = visitor.post(url, {"password": "pas-le-bon"})
    assert "Mot de passe incorrect." in page_text(response)
    assert not Membership.objects.filter(user=someone, organisation=company).exists()
    response = visitor.post(url, {"password": "motdepasse-solide"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert Membership.objects.filter(user=someone, organisation=company).exists()
    assert User.objects.filter(email="anli.boinali@lagon-btp.yt").count() == 1


def test_a_member_is_not_invited_twice(structure, company):
    member_of(company, email="deja@lagon-btp.yt")
    response = invite(structure, company, email="deja@lagon-btp.yt")
    assert "deja@lagon-btp.yt est déjà membre de Lagon BTP." in page_text(response)
    assert not mail.outbox
    assert not Invitation.objects.exists()


def test_a_bad_address_is_refused(structure, company):
    response = invite(structure, company, email="pas une adresse")
    assert "Saisissez une adresse de courriel valide." in page_text(response)
    assert not mail.outbox


def test_only_the_facilitator_that_follows_the_company_invites(structure, other_structure, company):
    url = reverse("organisations:invitation_create", args=[company.pk])
    contact = Client()
    contact.force_login(member_of(company))
    for client in (other_structure.client, contact):
        assert client.get(url).status_code == 404
        assert client.post(url, {"email": "intrus@exemple.fr"}).status_code == 404
    buyer = OrganisationFactory(
        network=company.network,
        kind="buyer",
        buyer_kind="municipality",
        facilitator=structure.organisation,
    )
    assert (
        structure.client.get(
            reverse("organisations:invitation_create", args=[buyer.pk])
        ).status_code
        == 404
    )
    assert not mail.outbox
    assert not Invitation.objects.exists()


def test_anonymous_visitors_cannot_invite_but_may_open_a_link(client, structure, company):
    url = reverse("organisations:invitation_create", args=[company.pk])
    response = client.post(url, {"email": "a@b.fr"})
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
    invite(structure, company)
    assert client.get(link_in(mail.outbox[0])).status_code == 200
