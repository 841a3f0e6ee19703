"""Access is denied by default: every page but the public ones sends anonymous users to log in."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages deliberately open to everyone.
PUBLIC_URL_NAMES = {
    # What Tremplin is, for a visitor (tests/test_welcome.py); a user gets a dashboard.
    "home",
    "login",
    "admin:login",
    "invitation_accept",
    # Open data: anonymous figures, published on purpose (tests/reporting/test_opendata.py).
    "opendata:index",
    "opendata:schema",
    "opendata:network",
    "opendata:network_json",
    "opendata:buyer",
    "opendata:buyer_json",
}


def _named_patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin has its own staff-only login.
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.extend(_named_patterns(pattern, inner))
        elif pattern.name:
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


def _url(name: str, pattern: URLPattern) -> str:
    kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, 1)
    return reverse(name, kwargs=kwargs)


PRIVATE_URLS = [
    _url(name, pattern)
    for name, pattern in _named_patterns(get_resolver())
    if name not in PUBLIC_URL_NAMES
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PRIVATE_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_the_login_page(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_every_application_url_is_checked():
    assert len(PRIVATE_URLS) >= 20


@pytest.mark.django_db
def test_the_login_page_is_public(client):
    assert client.get(reverse("login")).status_code == 200
