"""Per-request context: the user's network, and its time zone for every date shown."""

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tremplin.organisations.access import scope_for
from tremplin.organisations.selectors import primary_network


class NetworkTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        network = None
        if request.user.is_authenticated:
            network = primary_network(scope_for(request.user))
        request.network = network  # type: ignore[attr-defined]
        # For this request only: activated for good, the zone would outlive the response and
        # date whatever runs next in the thread by the last user's network.
        zone = zoneinfo.ZoneInfo(network.time_zone) if network is not None else None
        with timezone.override(zone):
            return self.get_response(request)
