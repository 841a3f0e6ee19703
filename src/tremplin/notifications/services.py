"""Writing notifications: one row per recipient for the in-app list, and an email.

Emails leave once the transaction that caused them commits, so a change that is rolled
back never announces itself. An email carries the title and a link, nothing more: the
title is all the personal data it may hold (the body is shown behind the login only).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

from tremplin.notifications.enums import NotificationKind
from tremplin.notifications.models import Notification
from tremplin.organisations.models import Membership, User

logger = logging.getLogger(__name__)


def notify(
    recipients: Iterable[User],
    kind: NotificationKind,
    title: str,
    *,
    url: str = "",
    body: str = "",
    dedup_key: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify each active recipient once; returns the notifications written.

    With ``dedup_key``, a recipient already notified with that key is skipped. ``body`` is
    shown in the app only, never emailed.
    """
    users = {user.pk: user for user in recipients if user.is_active}
    if dedup_key:
        already = set(
            Notification.objects.filter(recipient_id__in=users, dedup_key=dedup_key).values_list(
                "recipient_id", flat=True
            )
        )
        users = {pk: user for pk, user in users.items() if pk not in already}
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, kind=kind, title=title, body=body, url=url, dedup_key=dedup_key
            )
            for user in users.values()
        ]
    )
    if email and notifications:
        ids = [notification.pk for notification in notifications]
        transaction.on_commit(lambda: send_emails(ids))
    return notifications


def notify_organisations(
    organisation_ids: Iterable[int],
    kind: NotificationKind,
    title: str,
    *,
    url: str = "",
    body: str = "",
    dedup_key: str = "",
    email: bool = True,
    exclude: User | None = None,
) -> list[Notification]:
    """Notify every member of the organisations (but ``exclude``, the author of the change)."""
    users = User.objects.filter(
        pk__in=Membership.objects.filter(organisation_id__in=list(organisation_ids)).values(
            "user_id"
        ),
        is_active=True,
    )
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return notify(users, kind, title, url=url, body=body, dedup_key=dedup_key, email=email)


@dataclass(frozen=True)
class Announcement:
    """One thing to tell every member of an organisation, once (``dedup_key``)."""

    organisation_id: int
    title: str
    url: str
    dedup_key: str


# Bounds the number of parameters of one query (SQLite allows a few thousand).
_CHUNK = 500


@transaction.atomic
def notify_organisations_once(
    kind: NotificationKind, announcements: Sequence[Announcement], *, email: bool = True
) -> list[Notification]:
    """Tell each active member of each announcement's organisation, unless that member
    already got the same ``dedup_key``: many announcements in a few queries, whatever
    their number (a daily job announcing every exit due for a follow-up). An announcement
    without a key is ignored: this is for things said once."""
    announcements = [item for item in announcements if item.dedup_key]
    if not announcements:
        return []
    members: dict[int, list[int]] = {}
    for user_id, organisation_id in (
        Membership.objects.filter(
            organisation_id__in={item.organisation_id for item in announcements},
            user__is_active=True,
        )
        .order_by("organisation_id", "user_id")
        .values_list("user_id", "organisation_id")
    ):
        members.setdefault(organisation_id, []).append(user_id)
    keys = sorted({item.dedup_key for item in announcements})
    already: set[tuple[int, str]] = set()
    for index in range(0, len(keys), _CHUNK):
        already.update(
            Notification.objects.filter(dedup_key__in=keys[index : index + _CHUNK])
            .order_by()
            .values_list("recipient_id", "dedup_key")
        )
    rows = []
    for item in announcements:
        for user_id in members.get(item.organisation_id, []):
            if (user_id, item.dedup_key) in already:
                continue
            # Two announcements with one key for one person (a member of two of the
            # structures) make one notification.
            already.add((user_id, item.dedup_key))
            rows.append(
                Notification(
                    recipient_id=user_id,
                    kind=kind,
                    title=item.title,
                    url=item.url,
                    dedup_key=item.dedup_key,
                )
            )
    notifications = Notification.objects.bulk_create(rows, batch_size=_CHUNK)
    if email and notifications:
        ids = [notification.pk for notification in notifications]
        transaction.on_commit(lambda: send_emails(ids))
    return notifications


def send_emails(notification_ids: list[int]) -> None:
    """Send the email of each notification not sent yet, in one connection."""
    notifications: list[Notification] = []
    for index in range(0, len(notification_ids), _CHUNK):
        notifications += (
            Notification.objects.filter(
                pk__in=notification_ids[index : index + _CHUNK], emailed_at__isnull=True
            )
            .exclude(recipient__email="")
            .select_related("recipient")
        )
    if not notifications:
        return
    messages = [_email(notification) for notification in notifications]
    try:
        get_connection().send_messages(messages)
    except OSError:
        # The in-app list still has them; a mail server down must not break the page.
        logger.exception("Échec de l'envoi de %d notification(s) par courriel", len(messages))
        return
    sent = [notification.pk for notification in notifications]
    for index in range(0, len(sent), _CHUNK):
        Notification.objects.filter(pk__in=sent[index : index + _CHUNK]).update(
            emailed_at=timezone.now()
        )


def _one_line(text: str) -> str:
    # A line break in a subject is refused by the mail library (header injection).
    return " ".join(text.split())


def _link(notification: Notification) -> str:
    return f"{settings.TREMPLIN_SITE_URL}{notification.url}" if notification.url else ""


def _email(notification: Notification) -> EmailMultiAlternatives:
    title = _one_line(notification.title)
    message = EmailMultiAlternatives(
        subject=f"[Tremplin] {title}",
        body=_email_body(notification),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
    )
    message.attach_alternative(_email_html(notification), "text/html")
    return message


def _email_body(notification: Notification) -> str:
    lines = ["Bonjour,", "", _one_line(notification.title) + "."]
    if link := _link(notification):
        lines += ["", f"Pour voir le détail : {link}"]
    lines += [
        "",
        "Retrouvez toutes vos notifications dans Tremplin, sous la cloche en haut de page.",
        "",
        "— Tremplin",
    ]
    return "\n".join(lines)


def _email_html(notification: Notification) -> str:
    link = _link(notification)
    detail = (
        format_html('<p><a href="{}">Voir le détail dans Tremplin</a></p>', link) if link else ""
    )
    return format_html(
        "<!DOCTYPE html>"
        '<html lang="fr"><body style="font-family: sans-serif; line-height: 1.5">'
        "<p>Bonjour,</p><p><strong>{}</strong>.</p>{}"
        '<p style="color: #6c757d">Retrouvez toutes vos notifications dans Tremplin, '
        "sous la cloche en haut de page.</p><p>— Tremplin</p></body></html>",
        _one_line(notification.title),
        detail,
    )


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications as read (all of them without ids); returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
