"""What the application tells a user: shown in the in-app list and sent by email."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tremplin.notifications.enums import NOTIFICATION_ICONS, NotificationKind


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="destinataire",
    )
    kind = models.CharField("type", max_length=30, choices=NotificationKind.choices)
    title = models.CharField("titre", max_length=250)
    body = models.TextField("message", blank=True)
    # A path of the site ("/besoins/12/"), made absolute in the email.
    url = models.CharField("lien", max_length=500, blank=True)
    # Set for notifications that must be sent once only (a follow-up due for one exit):
    # a second notify() with the same key for the same user writes nothing.
    dedup_key = models.CharField("clé d'unicité", max_length=120, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyée par courriel le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedup_key"],
                condition=~Q(dedup_key=""),
                name="notification_sent_once_per_key",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def icon(self) -> str:
        return NOTIFICATION_ICONS.get(self.kind, "bi-bell")

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
