"""Choices of the notifications app."""

from django.db import models


class NotificationKind(models.TextChoices):
    NEED_SUBMITTED = "need_submitted", "Besoin de recrutement à publier"
    NEED_PUBLISHED = "need_published", "Besoin de recrutement publié"
    REFERRAL_RECEIVED = "referral_received", "Nouvelle candidature"
    REFERRAL_STATUS = "referral_status", "Candidature : changement d'étape"
    FOLLOW_UP_DUE = "follow_up_due", "Situation à 6 mois à saisir"


# The Bootstrap icon shown beside each kind in the list.
NOTIFICATION_ICONS: dict[str, str] = {
    NotificationKind.NEED_SUBMITTED: "bi-hourglass-split",
    NotificationKind.NEED_PUBLISHED: "bi-megaphone",
    NotificationKind.REFERRAL_RECEIVED: "bi-person-plus",
    NotificationKind.REFERRAL_STATUS: "bi-arrow-right-circle",
    NotificationKind.FOLLOW_UP_DUE: "bi-calendar-check",
}
