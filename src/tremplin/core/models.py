"""Reference lists shared by the domain apps, and the base of the change history."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RomeCode(models.Model):
    """An occupation of ROME v3, France Travail's reference list of occupations."""

    code = models.CharField("code ROME", max_length=5, primary_key=True)
    label = models.CharField("intitulé", max_length=200)
    professional_domain_code = models.CharField("code du domaine", max_length=3)
    professional_domain = models.CharField("domaine professionnel", max_length=200)
    major_domain_code = models.CharField("code du grand domaine", max_length=1)
    major_domain = models.CharField("grand domaine", max_length=200)

    class Meta:
        verbose_name = "métier ROME"
        verbose_name_plural = "métiers ROME"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class RomeJobTitle(models.Model):
    """A job title ("appellation") attached to a ROME occupation."""

    code = models.PositiveIntegerField("code appellation", primary_key=True)
    title = models.CharField("appellation", max_length=250)
    short_title = models.CharField("appellation courte", max_length=250)
    rome = models.ForeignKey(
        RomeCode, on_delete=models.PROTECT, related_name="job_titles", verbose_name="métier"
    )

    class Meta:
        verbose_name = "appellation ROME"
        verbose_name_plural = "appellations ROME"
        ordering = ["title"]
        indexes = [models.Index(fields=["title"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.rome_id})"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a history event."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("L'historique ne se modifie pas.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("L'historique ne se supprime pas.")


class ChangeEventBase(models.Model):
    """One change, written by a service: who, when, what, before and after.

    History is append-only: an event is written once and never changed or deleted.
    Each domain app keeps its own table so that personal data stays in its app.
    """

    # Stamped at writing by default; only a loader replaying past events (the demo)
    # passes the time they happened.
    occurred_at = models.DateTimeField("date", default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    action = models.CharField("action", max_length=60)
    object_type = models.CharField("objet", max_length=60)
    object_id = models.BigIntegerField("identifiant")
    before = models.JSONField("avant", null=True, blank=True)
    after = models.JSONField("après", null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-occurred_at", "-id"]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("L'historique ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("L'historique ne se supprime pas.")
