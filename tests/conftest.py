"""Shared fixtures: two facilitator structures that must never see each other's data."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings

from tests.factories import (
    ContractFactory,
    FacilitatorFactory,
    HoursEntryFactory,
    NetworkFactory,
    PlacementFactory,
    member_of,
)
from tremplin.organisations.models import Organisation, User

# Examples are judged on what they compute, not on how long a loaded machine takes.
hypothesis_settings.register_profile("tremplin", deadline=None)
# Continuous integration replays the same examples every run: a red run blocks a landing,
# so new examples are searched on developers' machines, where a failure is a bug to fix.
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "tremplin")


@pytest.fixture(autouse=True)
def _french(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "fr"


@pytest.fixture(autouse=True, scope="session")
def _private_media(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Uploaded files (evidence of eligibility) go to a temporary folder, never the project's."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """Figures kept in the cache (the public home's) never leak from one test to the next."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Real hashers are slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Structure:
    organisation: Organisation
    user: User
    client: Client


def _structure(network, name: str) -> Structure:  # type: ignore[no-untyped-def]
    organisation = FacilitatorFactory(network=network, name=name)
    user = member_of(organisation)
    client = Client()
    client.force_login(user)
    return Structure(organisation=organisation, user=user, client=client)


@pytest.fixture
def network(db):  # type: ignore[no-untyped-def]
    return NetworkFactory(name="Réseau de test", slug="reseau-test")


@pytest.fixture
def structure(network) -> Structure:  # type: ignore[no-untyped-def]
    """A facilitator structure with a logged-in member."""
    return _structure(network, "PLIE Nord")


@pytest.fixture
def other_structure(network) -> Structure:  # type: ignore[no-untyped-def]
    """Another structure of the same network: it must never see ``structure``'s people."""
    return _structure(network, "PLIE Sud")


@pytest.fixture
def hours_entry(structure):  # type: ignore[no-untyped-def]
    """A validated month of hours on a placement of ``structure``."""
    contract = ContractFactory(facilitator=structure.organisation, hours=700)
    placement = PlacementFactory(contract=contract)
    return HoursEntryFactory(placement=placement)
