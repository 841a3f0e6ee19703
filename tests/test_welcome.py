"""A site that welcomes: a public home for visitors, and error pages that say why and lead back."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import BuyerFactory, NetworkFactory, member_of


def _text(response) -> str:  # type: ignore[no-untyped-def]
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.fixture
def production(settings):  # type: ignore[no-untyped-def]
    """Errors as a visitor meets them: no debug page, static files as in production."""
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.django_db
def test_a_visitor_at_the_root_reads_what_tremplin_is(client):
    NetworkFactory(name="Inclusiv'Essonne", slug="essonne", publishes_open_data=True)
    response = client.get("/")
    assert response.status_code == 200
    text = _text(response)
    assert "clauses sociales" in text
    assert "heures d'insertion" in text
    assert "Inclusiv'Essonne" in text
    page = response.content.decode()
    assert f'href="{reverse("opendata:index")}"' in page
    assert f'href="{reverse("login")}"' in page


@pytest.mark.django_db
def test_a_signed_in_user_at_the_root_still_gets_a_dashboard(structure):
    response = structure.client.get("/")
    assert response.status_code == 200
    assert "Se connecter" not in _text(response)
    assert "Tableau de bord" in _text(response)


@pytest.mark.django_db
def test_a_403_says_why_in_french_with_the_navigation_and_a_way_back(production, network):
    buyer = BuyerFactory(network=network)
    client = Client()
    client.force_login(member_of(buyer))
    response = client.get(reverse("organisations:organisation_create"))
    assert response.status_code == 403
    text = _text(response)
    assert "Seules les structures de facilitation ajoutent des organisations." in text
    assert "Revenir à l'accueil" in text
    assert 'aria-label="Navigation principale"' in response.content.decode()


@pytest.mark.django_db
def test_a_404_is_french_with_the_navigation_and_a_way_back(production, structure):
    response = structure.client.get("/participants/99999999999999999999/")
    assert response.status_code == 404
    text = _text(response)
    assert "Page introuvable" in text
    assert "Revenir à l'accueil" in text
    assert 'aria-label="Navigation principale"' in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_address_is_a_french_404_for_a_visitor_too(production, client):
    response = client.get("/donnees-ouvertes/nulle-part/")
    assert response.status_code == 404
    assert "Revenir à l'accueil" in _text(response)


@pytest.mark.django_db
def test_a_500_renders_even_when_the_database_is_gone(production, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("base de données hors service")

    client = Client(raise_request_exception=False)
    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get(reverse("opendata:index"))
    assert response.status_code == 500
    text = _text(response)
    assert "Le serveur a rencontré un problème" in text
    assert "Revenir à l'accueil" in text
    assert "<style>" in response.content.decode()  # styled without the static files


@pytest.mark.django_db
def test_an_address_with_a_nul_character_is_a_french_400(production, structure):
    response = structure.client.get("/participants/?q=%00")
    assert response.status_code == 400
    assert "Cette adresse n'est pas valide" in _text(response)
