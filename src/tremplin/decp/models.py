"""Open procurement data (DECP) as imported: the files, what was rejected, the records."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from tremplin.core.models import ChangeEventBase
from tremplin.decp.enums import DecpFormatVersion, DecpImportStatus, DecpRecordKind
from tremplin.decp.opportunities import (
    DEFAULT_CPV_PREFIXES,
    DEFAULT_MIN_AMOUNT,
    DEFAULT_MIN_DURATION_MONTHS,
    MAX_MIN_DURATION_MONTHS,
    CpvPrefix,
    OpportunityRules,
)
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.models import Contract


def decp_import_path(instance: DecpImport, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "json"
    return f"decp/{secrets.token_hex(16)}.{extension[:10]}"


class DecpImport(models.Model):
    """A DECP file sent from the upload page or read by the command, and its outcome.

    Each record of the file is created, updated, left unchanged, or rejected (and then
    listed in ``rejections`` with its reason)."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="decp_imports", verbose_name="réseau"
    )
    # An uploaded file is kept in the media storage; the command reads a path on the server.
    file = models.FileField("fichier", upload_to=decp_import_path, max_length=200, blank=True)
    source_path = models.CharField("chemin sur le serveur", max_length=500, blank=True)
    file_name = models.CharField("nom du fichier", max_length=255)
    file_size = models.PositiveBigIntegerField("taille (octets)", default=0)
    file_hash = models.CharField("empreinte SHA-256", max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    created_at = models.DateTimeField("reçu le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=DecpImportStatus.choices, default=DecpImportStatus.WAITING
    )
    task_id = models.CharField("tâche de fond", max_length=64, blank=True)
    # Written by the running import at each batch: silent too long, its worker died
    # (core.recovery). Each run that claims the import counts one attempt.
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    records_total = models.PositiveIntegerField("enregistrements dans le fichier", default=0)
    records_read = models.PositiveIntegerField("enregistrements lus", default=0)
    created_count = models.PositiveIntegerField("créés", default=0)
    updated_count = models.PositiveIntegerField("mis à jour", default=0)
    unchanged_count = models.PositiveIntegerField("inchangés", default=0)
    # Among the unchanged: an older publication than the one already imported.
    outdated_count = models.PositiveIntegerField("publications plus anciennes", default=0)
    # Among the created, updated or unchanged: a contract the file had already published
    # higher up (real files repeat a contract with each of its versions).
    repeated_count = models.PositiveIntegerField("répétés dans le fichier", default=0)
    rejected_count = models.PositiveIntegerField("rejetés", default=0)
    organisations_created = models.PositiveIntegerField("organisations créées", default=0)
    error_message = models.CharField("erreur", max_length=500, blank=True)

    class Meta:
        verbose_name = "import DECP"
        verbose_name_plural = "imports DECP"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DecpImportStatus.values), name="decp_import_status_valid"
            ),
            # Every record read has exactly one outcome.
            models.CheckConstraint(
                condition=Q(
                    records_read=models.F("created_count")
                    + models.F("updated_count")
                    + models.F("unchanged_count")
                    + models.F("rejected_count")
                ),
                name="decp_import_outcomes_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y})"

    @property
    def finished(self) -> bool:
        return self.status in (DecpImportStatus.DONE, DecpImportStatus.FAILED)

    @property
    def progress_percent(self) -> int:
        if not self.records_total:
            return 0
        return min(100, round(100 * self.records_read / self.records_total))


class DecpRejection(models.Model):
    """A record of a file that was not imported, and why (a file may have many)."""

    decp_import = models.ForeignKey(
        DecpImport, on_delete=models.CASCADE, related_name="rejections", verbose_name="import"
    )
    position = models.PositiveIntegerField("rang dans le fichier")
    identifier = models.CharField("identifiant", max_length=200, blank=True)
    field = models.CharField("champ", max_length=100, blank=True)
    reason = models.CharField("motif", max_length=500)
    # The reason without the values it quotes, so that rejections can be counted by reason.
    reason_kind = models.CharField("type de motif", max_length=300)

    class Meta:
        verbose_name = "enregistrement rejeté"
        verbose_name_plural = "enregistrements rejetés"
        ordering = ["decp_import", "position", "id"]
        indexes = [models.Index(fields=["decp_import", "field", "reason_kind"])]

    def __str__(self) -> str:
        return f"n° {self.position} : {self.reason}"


class DecpRecord(models.Model):
    """A contract or concession as published in the DECP, identified by its buyer's SIRET
    and its id within the network.

    A newer publication updates the published fields; ``contract`` (the contract a
    facilitator follows in Tremplin, and everything in it) is never touched by an import.
    """

    # Indexes are few on purpose: each one slows the import of a national file. The
    # network is the first column of the unique key, which serves as its index; the
    # booleans and the CPV code only ever narrow a network's records, never alone.
    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        related_name="decp_records",
        verbose_name="réseau",
        db_index=False,
    )
    buyer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="decp_bought", verbose_name="acheteur"
    )
    buyer_siret = models.CharField("SIRET de l'acheteur", max_length=14)
    identifier = models.CharField("identifiant", max_length=200)
    kind = models.CharField("nature de la donnée", max_length=12, choices=DecpRecordKind.choices)
    format_version = models.CharField("format", max_length=4, choices=DecpFormatVersion.choices)
    object = models.TextField("objet", blank=True)
    cpv_code = models.CharField("code CPV", max_length=12, blank=True)
    procedure = models.CharField("procédure", max_length=200, blank=True)
    nature = models.CharField("nature", max_length=100, blank=True)
    amount = models.DecimalField("montant HT (€)", max_digits=16, decimal_places=2, null=True)
    duration_months = models.PositiveIntegerField("durée (mois)", null=True)
    notified_on = models.DateField("notifié le", null=True, db_index=True)
    published_on = models.DateField("données publiées le", null=True)
    place_code = models.CharField("code du lieu d'exécution", max_length=20, blank=True)
    place_kind = models.CharField("type de code du lieu", max_length=40, blank=True)
    place_name = models.CharField("lieu d'exécution", max_length=200, blank=True)
    social_considerations = models.JSONField("considérations sociales", default=list, blank=True)
    environmental_considerations = models.JSONField(
        "considérations environnementales", default=list, blank=True
    )
    has_social = models.BooleanField("avec considération sociale", default=False)
    has_environmental = models.BooleanField("avec considération environnementale", default=False)
    reserved = models.BooleanField("marché réservé", default=False)
    holders = models.ManyToManyField(
        Organisation,
        through="DecpHolder",
        related_name="decp_held",
        verbose_name="titulaires",
        blank=True,
    )
    # The holders as published, with those that have no SIRET (kept as a name only).
    published_holders = models.JSONField("titulaires publiés", default=list, blank=True)
    subcontracting = models.JSONField("actes de sous-traitance", default=list, blank=True)
    modifications = models.JSONField("modifications", default=list, blank=True)
    corrections = models.JSONField("corrections à la lecture", default=list, blank=True)
    # Digest of the published content: an equal publication date with another content is
    # still an update.
    content_hash = models.CharField("empreinte du contenu", max_length=64)
    last_import = models.ForeignKey(
        DecpImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name="dernier import",
    )
    first_seen_at = models.DateTimeField("importé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)
    contract = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decp_records",
        verbose_name="marché suivi",
    )

    class Meta:
        verbose_name = "donnée essentielle (DECP)"
        verbose_name_plural = "données essentielles (DECP)"
        ordering = ["-notified_on", "identifier"]
        indexes = [models.Index(fields=["network", "buyer", "notified_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "buyer_siret", "identifier"], name="decp_record_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DecpRecordKind.values), name="decp_record_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="decp_record_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(reserved=False) | Q(has_social=True),
                name="decp_record_reserved_is_social",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} — {self.object[:80]}"


class DecpHolder(models.Model):
    """A holder (« titulaire ») of a record that has a SIRET, in the published order."""

    record = models.ForeignKey(
        DecpRecord, on_delete=models.CASCADE, related_name="holder_links", verbose_name="donnée"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="titulaire"
    )
    rank = models.PositiveSmallIntegerField("rang")

    class Meta:
        verbose_name = "titulaire"
        verbose_name_plural = "titulaires"
        ordering = ["record", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["record", "rank"], name="decp_holder_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} n° {self.rank}"


class DecpEvent(ChangeEventBase):
    """History of the open data of a network: each import, who ran it, what it did."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="decp_events", verbose_name="réseau"
    )

    class Meta(ChangeEventBase.Meta):
        verbose_name = "événement DECP"
        verbose_name_plural = "historique DECP"


def default_cpv_prefixes() -> list[dict[str, str]]:
    return [{"prefix": item.prefix, "label": item.label} for item in DEFAULT_CPV_PREFIXES]


class OpportunitySettings(models.Model):
    """Which published contracts a network counts as clause opportunities: the kinds of
    labour-intensive work (CPV prefixes, each with a label) and the minimum amount and
    duration. One per network; a network that never saved its own uses the defaults."""

    network = models.OneToOneField(
        Network,
        on_delete=models.CASCADE,
        related_name="opportunity_settings",
        verbose_name="réseau",
    )
    # [{"prefix": "45", "label": "Travaux de construction"}, …]
    cpv_prefixes = models.JSONField(
        "préfixes CPV des travaux et services retenus", default=default_cpv_prefixes
    )
    min_amount = models.DecimalField(
        "montant minimal HT (€)", max_digits=14, decimal_places=2, default=DEFAULT_MIN_AMOUNT
    )
    min_duration_months = models.PositiveSmallIntegerField(
        "durée minimale (mois)", default=DEFAULT_MIN_DURATION_MONTHS
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "réglage des opportunités de clauses"
        verbose_name_plural = "réglages des opportunités de clauses"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__gte=0), name="decp_opportunity_min_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(min_duration_months__lte=MAX_MIN_DURATION_MONTHS),
                name="decp_opportunity_min_duration_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"Opportunités de clauses — {self.network}"

    @property
    def prefixes(self) -> tuple[CpvPrefix, ...]:
        return tuple(
            CpvPrefix(str(item.get("prefix", "")), str(item.get("label", "")))
            for item in self.cpv_prefixes
            if isinstance(item, dict)
        )

    def rules(self) -> OpportunityRules:
        return OpportunityRules(
            prefixes=self.prefixes,
            min_amount=self.min_amount,
            min_duration_months=self.min_duration_months,
        )
