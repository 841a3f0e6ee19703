"""The list behind the bell: one's own notifications only, opened and marked read."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import NotificationFactory
from tests.inclusion.conftest import page_text
from tremplin.notifications.models import Notification

LIST = reverse("notifications:list")


def test_the_list_shows_my_notifications_and_never_anyone_elses(structure, other_structure):
    mine = NotificationFactory(recipient=structure.user, title="Nouvelle candidature : maçon VRD")
    NotificationFactory(recipient=other_structure.user, title="Candidature d'un autre")

    text = page_text(structure.client.get(LIST))

    assert "Nouvelle candidature : maçon VRD" in text
    assert "Candidature d'un autre" not in text
    assert "Nouveau" in text
    assert mine.get_kind_display() in text


def test_each_notification_says_how_long_ago_it_came(structure):
    notification = NotificationFactory(recipient=structure.user)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )

    assert "il y a 3 jours" in page_text(structure.client.get(LIST))


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(structure):
    notification = NotificationFactory(recipient=structure.user, url="/besoins/12/")

    response = structure.client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/besoins/12/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "Nouveau" not in page_text(structure.client.get(LIST))


@pytest.mark.parametrize(
    "url", ["https://ailleurs.example.com/", "//ailleurs.example.com/", "javascript:alert(1)"]
)
def test_a_notification_never_sends_anyone_to_another_site(structure, url):
    notification = NotificationFactory(recipient=structure.user, url=url)

    response = structure.client.get(reverse("notifications:open", args=[notification.pk]))

    assert response["Location"] == LIST


def test_someone_elses_notification_does_not_exist(structure, other_structure):
    theirs = NotificationFactory(recipient=other_structure.user)

    response = structure.client.get(reverse("notifications:open", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_bell_shows_the_unread_count_until_all_are_read(structure, other_structure):
    NotificationFactory.create_batch(3, recipient=structure.user)
    NotificationFactory(recipient=structure.user, read_at=timezone.now())
    NotificationFactory.create_batch(2, recipient=other_structure.user)

    assert "Notifications 3 non lues" in page_text(structure.client.get("/"))

    response = structure.client.post(reverse("notifications:mark_all_read"), follow=True)

    text = page_text(response)
    assert "3 notifications marquées comme lues." in text
    assert "non lue" not in page_text(structure.client.get("/"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 2  # the others'


def test_a_page_without_unread_notifications_shows_a_plain_bell(structure):
    NotificationFactory(recipient=structure.user, read_at=timezone.now())

    response = structure.client.get("/")

    assert response.status_code == 200
    assert "non lue" not in page_text(response)
    assert "bi-bell-fill" not in response.content.decode()


def test_the_unread_tab_lists_only_unread_ones(structure):
    NotificationFactory(recipient=structure.user, title="Besoin publié : cariste")
    NotificationFactory(
        recipient=structure.user, title="Besoin publié : plombier", read_at=timezone.now()
    )

    unread = page_text(structure.client.get(LIST, {"filtre": "non-lues"}))
    everything = page_text(structure.client.get(LIST))

    assert "cariste" in unread
    assert "plombier" not in unread
    assert "cariste" in everything
    assert "plombier" in everything


def test_empty_lists_say_so_in_french(structure):
    assert "Aucune notification pour l'instant." in page_text(structure.client.get(LIST))
    assert "Aucune notification non lue" in page_text(
        structure.client.get(LIST, {"filtre": "non-lues"})
    )


def test_the_list_is_paginated_by_fifty_newest_first(structure):
    for index in range(51):
        NotificationFactory(recipient=structure.user, title=f"Avis numéro {index:02d}")

    first = page_text(structure.client.get(LIST))
    second = page_text(structure.client.get(LIST, {"page": 2}))

    assert "Avis numéro 50" in first
    assert "Avis numéro 00" not in first
    assert "Page 1 sur 2" in first
    assert "Avis numéro 00" in second


@pytest.mark.parametrize("size", [1, 50])
def test_the_list_does_not_query_per_notification(structure, size, django_assert_max_num_queries):
    NotificationFactory.create_batch(size, recipient=structure.user)

    with django_assert_max_num_queries(8):
        response = structure.client.get(LIST)

    assert response.status_code == 200
