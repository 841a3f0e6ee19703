"""Hostile addresses never break a page: every list and filter answers 200, 302, 400 or 404.

Each page is requested by each kind of user with each parameter it reads set to a huge
number, a negative one, text, an impossible date, a NUL byte or a very long string; and every
page with an id in its path is requested with an id beyond any database's integers.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    BuyerFactory,
    ClauseFactory,
    CompanyFactory,
    ContractFactory,
    HiringNeedFactory,
    PlacementFactory,
    PrescriberFactory,
    ReferralFactory,
    coordinator_of,
    member_of,
)

# Every name a page of the project reads from its query string (request.GET and the filter
# forms bound to it).
PARAMETERS = (
    "acheteur", "age", "annee", "annee_debut", "annee_fin", "apercu", "au", "besoin",
    "buyer", "clause", "contract", "critere", "du", "employer", "etape", "filtre", "format",
    "heures", "kind", "marche", "modalite", "modifier", "moment", "mois", "month", "niveau",
    "next", "page", "participant", "pourvu_au", "pourvu_du", "prescripteur", "q", "qpv",
    "reseau", "sans_clause", "sexe", "sociale", "sortie", "status", "statut", "structure",
    "type", "year",
)  # fmt: skip

HOSTILE_VALUES = (
    "99999999999999999999",
    "-1",
    "abc",
    "2026-02-30",
    "\x00",
    "9" * 5000,
    "²",  # a digit to str.isdigit, not to int()
)

HUGE_ID = 99999999999999999999
ACCEPTABLE = {200, 302, 400, 403, 404, 405}


def _named_patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.extend(_named_patterns(pattern, inner))
        elif pattern.name:
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


PATTERNS = _named_patterns(get_resolver())
LIST_URLS = [reverse(name) for name, pattern in PATTERNS if not pattern.pattern.regex.groupindex]
ID_URLS = [
    (name, sorted(pattern.pattern.regex.groupindex))
    for name, pattern in PATTERNS
    if pattern.pattern.regex.groupindex
]


@pytest.fixture
def clients(structure, network):  # type: ignore[no-untyped-def]
    """A logged-in client for each kind of user, on a territory with a little of everything."""
    buyer = BuyerFactory(network=network, facilitator=structure.organisation)
    company = CompanyFactory(network=network, facilitator=structure.organisation)
    contract = ContractFactory(
        facilitator=structure.organisation, buyer=buyer, awarded_company=company
    )
    ClauseFactory(contract=contract)
    PlacementFactory(contract=contract)
    prescriber = PrescriberFactory(network=network)
    need = HiringNeedFactory(contract=contract)
    ReferralFactory(need=need, prescriber=prescriber)
    users = {
        "facilitator": structure.user,
        "coordinator": coordinator_of(network),
        "buyer": member_of(buyer),
        "company": member_of(company),
        "prescriber": member_of(prescriber),
    }
    # A crash is answered 500 like in production, so that one test lists every broken page.
    logged_in = {"anonymous": Client(raise_request_exception=False)}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        logged_in[role] = client
    return logged_in


def _status(client: Client, url: str, params: dict[str, str]) -> int:
    return client.get(url, params).status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", HOSTILE_VALUES, ids=["huge", "negative", "text", "feb30", "nul", "long", "superscript"]
)
def test_hostile_query_strings_never_break_a_list(clients, value):
    broken = []
    for role, client in clients.items():
        for url in LIST_URLS:
            status = _status(client, url, dict.fromkeys(PARAMETERS, value))
            if status not in ACCEPTABLE:
                broken.append((role, url, status))
    assert not broken, "\n".join(map(str, broken))


@pytest.mark.django_db
def test_each_parameter_alone_beyond_the_database_integers(clients):
    # One at a time, so that a page refusing one parameter still reads each of the others;
    # a page that answers all of them at once has read each already, and a page that
    # refuses the method reads none.
    broken = []
    for url in LIST_URLS:
        together = _status(clients["facilitator"], url, dict.fromkeys(PARAMETERS, str(HUGE_ID)))
        if together in (200, 302, 405):
            continue
        for name in PARAMETERS:
            status = _status(clients["facilitator"], url, {name: str(HUGE_ID)})
            if status not in ACCEPTABLE:
                broken.append((url, name, status))
    assert not broken, "\n".join(map(str, broken))


@pytest.mark.django_db
def test_an_id_beyond_the_database_integers_is_not_found(clients):
    broken = []
    for role in ("facilitator", "coordinator", "company"):
        for name, keys in ID_URLS:
            kwargs = {key: HUGE_ID if key != "token" else "x" for key in keys}
            try:
                url = reverse(name, kwargs=kwargs)
            except Exception:
                continue  # a converter that takes no digits
            status = clients[role].get(url).status_code
            if status not in ACCEPTABLE:
                broken.append((role, url, status))
    assert not broken, "\n".join(map(str, broken))
