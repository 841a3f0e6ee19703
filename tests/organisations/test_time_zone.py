"""Dates are read in the time zone of the user's network, for the request only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse
from django.utils import timezone


def test_the_network_s_time_zone_ends_with_its_request(structure, network):
    """At 22:30 UTC on 29 February 2028 it is 1 March in Mayotte and still 29 February in
    Paris. A Mayotte facilitator's page is dated in Mayotte; whatever runs after it in the
    same thread (the first steps of the next request, a task) is dated by the site's zone
    again, not by the last user's."""
    network.time_zone = "Indian/Mayotte"
    network.save()
    with time_machine.travel(datetime(2028, 2, 29, 22, 30, tzinfo=UTC), tick=False):
        structure.client.force_login(structure.user)  # a session of that day
        response = structure.client.get(reverse("home"))
        assert response.wsgi_request.network == network
        assert timezone.localdate() == date(2028, 2, 29)
        assert timezone.get_current_timezone_name() == "Europe/Paris"
