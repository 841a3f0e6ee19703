"""Playwright drives Debian's Chromium beside pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; Django refuses database
access from such a thread unless told it is safe, which it is here (one thread per test).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def normalise_spaces(text: str) -> str:
    """French numbers group thousands with (narrow) non-breaking spaces: make them plain."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(autouse=True)
def reference_lists(transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The lists the migrations load (ROME jobs, eligible publics), which a transactional
    test's flush empties: load them again when an earlier test left the tables empty."""
    from tremplin.core.models import RomeCode, RomeJobTitle
    from tremplin.core.rome import load_rome

    if not RomeJobTitle.objects.exists():
        load_rome(RomeCode, RomeJobTitle)
    criteria = importlib.import_module(
        "tremplin.inclusion.migrations.0003_eligibility_reference_list"
    )
    criteria.load(apps, None)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: browser tests need it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A French-speaking browser tab (the interface follows Accept-Language)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live_server, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
