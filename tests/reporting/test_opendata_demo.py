"""The Mayotte demo in open data: the same headline figures as on its dashboard.

The demo is loaded once for the module (about half a minute), as in ``tests/demo``.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tremplin.demo.territories import load_demo, reset_demo

HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=HASHERS):
        load_demo()
    yield
    with django_db_blocker.unblock():
        reset_demo()


@pytest.mark.usefixtures("demo")
@pytest.mark.django_db
def test_mayotte_open_data_gives_258_000_hours_89_contracts_141_fte():
    response = Client().get(reverse("opendata:network_json", args=["mayotte"]))
    assert response.status_code == 200
    figures = {
        figure["cle"]: figure["valeur"] for figure in json.loads(response.content)["indicateurs"]
    }
    assert figures["heures_insertion"] == 258_000
    assert figures["marches_avec_clause"] == 89
    assert figures["etp"] == 141
    page = Client().get(reverse("opendata:network", args=["mayotte"])).content.decode()
    assert "258\u00a0000" in page or "258 000" in page


@pytest.mark.usefixtures("demo")
@pytest.mark.django_db
def test_no_demo_buyer_publishes_a_count_of_one_to_four_persons():
    client = Client()
    for slug in ("mayotte", "essonne"):
        document = json.loads(client.get(reverse("opendata:network_json", args=[slug])).content)
        buyer_ids = [
            int(value["cle"])
            for series in document["series"]
            if series["cle"] == "heures_par_acheteur"
            for value in series["valeurs"]
        ]
        for pk in buyer_ids:
            url = reverse("opendata:buyer_json", args=[slug, pk])
            buyer = json.loads(client.get(url).content)
            counts = [f["valeur"] for f in buyer["indicateurs"] if f["unite"] == "personnes"]
            for series in buyer["series"]:
                if series["unite"] == "personnes":
                    counts += [value["valeur"] for value in series["valeurs"]]
                    counts.append(series["total"])
                if series["additive"] and series["total"] is not None:
                    assert sum(1 for value in series["valeurs"] if value["masque"]) != 1
            assert not [count for count in counts if count is not None and 1 <= count <= 4]
