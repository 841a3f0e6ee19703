"""Choices of the open procurement data (DECP) app."""

from django.db import models


class DecpImportStatus(models.TextChoices):
    WAITING = "waiting", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échec"


DECP_IMPORT_STATUS_COLOURS = {
    DecpImportStatus.WAITING: "secondary",
    DecpImportStatus.RUNNING: "info",
    DecpImportStatus.DONE: "success",
    DecpImportStatus.FAILED: "danger",
}


class DecpRecordKind(models.TextChoices):
    CONTRACT = "contract", "Marché"
    CONCESSION = "concession", "Contrat de concession"


class DecpFormatVersion(models.TextChoices):
    V1 = "v1", "Format 2019 (v1)"
    V2 = "v2", "Format 2024 (v2)"


class DecpEventAction(models.TextChoices):
    IMPORT_DONE = "decp_import_done", "Import DECP terminé"
    IMPORT_FAILED = "decp_import_failed", "Import DECP en échec"
    OPPORTUNITY_SETTINGS_UPDATED = (
        "decp_opportunity_settings_updated",
        "Réglages des opportunités de clauses modifiés",
    )
    RECORD_FOLLOWED = "decp_record_followed", "Marché des données ouvertes suivi dans Tremplin"
