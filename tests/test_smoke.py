import pytest

from tests.factories import HoursEntryFactory


@pytest.mark.django_db
def test_factories_build_a_validated_month_of_hours():
    entry = HoursEntryFactory()
    entry.refresh_from_db()
    assert entry.total_hours == 120
    assert entry.placement.participant.facilitator == entry.placement.contract.facilitator


def test_login_page_is_public_and_french(client, db):
    response = client.get("/connexion/")
    assert response.status_code == 200
    assert "Connexion" in response.content.decode()


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
