"""The user's notifications: the list behind the bell, opening one, marking all read.

A user only reaches their own notifications: anyone else's does not exist (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tremplin.core.http import safe_next_url
from tremplin.notifications import selectors, services
from tremplin.notifications.models import Notification
from tremplin.organisations.models import User

NOTIFICATIONS_PER_PAGE = 50
UNREAD_FILTER = "non-lues"


def _user(request: HttpRequest) -> User:
    # The login-required middleware lets only authenticated users in.
    if not isinstance(request.user, User):
        raise Http404("Aucune notification.")
    return request.user


def local_path(url: str) -> str | None:
    """``url`` if it is a path of this site ("/besoins/12/"), else None: a notification
    never sends anyone to another site."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return None


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = request.GET.get("filtre") == UNREAD_FILTER
    paginator = Paginator(
        selectors.notifications_for(user, unread_only=unread_only), NOTIFICATIONS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            # Counted once for the tab and the header's bell.
            "unread_notification_count": selectors.unread_count(user),
            "unread_only": unread_only,
            "unread_filter": UNREAD_FILTER,
            "page_query": f"filtre={UNREAD_FILTER}&" if unread_only else "",
        },
    )


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to the page it is about."""
    user = _user(request)
    try:
        notification: Notification = selectors.notification_for(user, pk)
    except Notification.DoesNotExist as error:
        raise Http404("Notification introuvable.") from error
    services.mark_read(user, [notification.pk])
    target = local_path(notification.url)
    return HttpResponseRedirect(target or reverse("notifications:list"))


@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(_user(request))
    if count:
        messages.success(
            request,
            f"{count} notification{'s' if count > 1 else ''} "
            f"marquée{'s' if count > 1 else ''} comme lue{'s' if count > 1 else ''}.",
        )
    else:
        messages.info(request, "Aucune notification non lue.")
    return HttpResponseRedirect(safe_next_url(request, reverse("notifications:list")))
