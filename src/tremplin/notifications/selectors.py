"""Reads of notifications: a user only ever reads their own."""

from __future__ import annotations

from django.db.models import QuerySet

from tremplin.notifications.models import Notification
from tremplin.organisations.models import User


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, the newest first."""
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def notification_for(user: User, pk: int) -> Notification:
    """One of the user's notifications; ``Notification.DoesNotExist`` for anyone else's."""
    return notifications_for(user).get(pk=pk)


def unread_count(user: User) -> int:
    return notifications_for(user, unread_only=True).order_by().count()
