"""Writing notifications: one row per member, once per key, emailed after the commit."""

from __future__ import annotations

import contextlib
from unittest import mock

import pytest
from django.db import transaction

from tests.factories import CompanyFactory, member_of
from tremplin.notifications.enums import NotificationKind
from tremplin.notifications.models import Notification
from tremplin.notifications.services import (
    Announcement,
    notify,
    notify_organisations,
    notify_organisations_once,
)

TITLE = "Besoin de recrutement publié : maçon VRD à Mamoudzou"


@pytest.fixture
def company(network):  # type: ignore[no-untyped-def]
    return CompanyFactory(network=network)


def test_every_active_member_but_the_author_is_notified(company):
    author = member_of(company)
    colleague = member_of(company)
    member_of(company, is_active=False)
    member_of(CompanyFactory())  # another company's member

    written = notify_organisations(
        [company.pk], NotificationKind.NEED_PUBLISHED, TITLE, url="/besoins/3/", exclude=author
    )

    assert [notification.recipient for notification in written] == [colleague]
    assert Notification.objects.get().title == TITLE


def test_a_key_already_used_for_a_user_writes_nothing_more(company):
    member = member_of(company)
    notify([member], NotificationKind.FOLLOW_UP_DUE, "Situation à 6 mois", dedup_key="follow-up:1")

    again = notify(
        [member], NotificationKind.FOLLOW_UP_DUE, "Situation à 6 mois", dedup_key="follow-up:1"
    )
    other_key = notify(
        [member], NotificationKind.FOLLOW_UP_DUE, "Situation à 6 mois", dedup_key="follow-up:2"
    )

    assert again == []
    assert len(other_key) == 1
    assert Notification.objects.filter(recipient=member).count() == 2


def test_announcements_are_written_once_per_member_and_key(company):
    first, second = member_of(company), member_of(company)
    notify([first], NotificationKind.FOLLOW_UP_DUE, "Déjà reçue", dedup_key="follow-up:1")
    announcements = [
        Announcement(company.pk, "Situation à 6 mois à saisir : Fatima M.", "/p/1/", "follow-up:1"),
        Announcement(company.pk, "Situation à 6 mois à saisir : Ali S.", "/p/2/", "follow-up:2"),
    ]

    written = notify_organisations_once(NotificationKind.FOLLOW_UP_DUE, announcements)
    again = notify_organisations_once(NotificationKind.FOLLOW_UP_DUE, announcements)

    assert sorted((n.recipient_id, n.dedup_key) for n in written) == [
        (first.pk, "follow-up:2"),
        (second.pk, "follow-up:1"),
        (second.pk, "follow-up:2"),
    ]
    assert again == []


def test_the_email_leaves_after_the_commit_with_an_absolute_link(
    company, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TREMPLIN_SITE_URL = "https://tremplin.example.org"
    member = member_of(company, email="chef.chantier@lagon-btp.fr")

    with django_capture_on_commit_callbacks(execute=True):
        notify([member], NotificationKind.NEED_PUBLISHED, TITLE, url="/besoins/3/")
        assert mailoutbox == []  # nothing leaves before the commit

    [message] = mailoutbox
    assert message.to == ["chef.chantier@lagon-btp.fr"]
    assert message.subject == f"[Tremplin] {TITLE}"
    assert "Pour voir le détail : https://tremplin.example.org/besoins/3/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert 'href="https://tremplin.example.org/besoins/3/"' in html
    assert Notification.objects.get().emailed_at is not None


def test_the_email_says_no_more_than_the_title(
    company, mailoutbox, django_capture_on_commit_callbacks
):
    member = member_of(company)

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [member],
            NotificationKind.REFERRAL_RECEIVED,
            "Nouvelle candidature\npour le besoin n°3",
            body="Anli ATTOUMANI, né le 02/03/1995, 0639 00 00 00",
            url="/besoins/3/",
        )

    [message] = mailoutbox
    assert message.subject == "[Tremplin] Nouvelle candidature pour le besoin n°3"
    assert "ATTOUMANI" not in message.body
    assert "ATTOUMANI" not in message.alternatives[0][0]


def test_nothing_is_sent_when_the_change_is_rolled_back(
    company, mailoutbox, django_capture_on_commit_callbacks
):
    member = member_of(company)

    with (
        django_capture_on_commit_callbacks(execute=True),
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        notify([member], NotificationKind.NEED_PUBLISHED, TITLE, url="/besoins/3/")
        raise RuntimeError("la publication échoue")

    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_mail_server_down_keeps_the_notifications_in_the_app(
    company, mailoutbox, django_capture_on_commit_callbacks
):
    member = member_of(company)

    with (
        mock.patch("tremplin.notifications.services.get_connection", side_effect=OSError("refusé")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify([member], NotificationKind.NEED_PUBLISHED, TITLE, url="/besoins/3/")

    assert mailoutbox == []
    notification = Notification.objects.get(recipient=member)
    assert notification.title == TITLE
    assert notification.emailed_at is None
