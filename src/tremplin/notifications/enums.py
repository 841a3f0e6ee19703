"""Choices of the notifications app."""

from django.db import models


class NotificationKind(models.TextChoices):
    NEED_SUBMITTED = "need_submitted", "Besoin de recrutement à publier"
    NEED_PUBLISHED = "need_published", "Besoin de recrutement publié"
    REFERRAL_RECEIVED = "referral_received", "Nouvelle candidature"
    REFERRAL_STATUS = "referral_status", "Candidature : changement d'étape"
    FOLLOW_UP_DUE = "follow_up_due", "Situation à 6 mois à saisir"
