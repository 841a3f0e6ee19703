"""Participants and their eligibility, placements and monthly hours; their history."""

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tremplin.core.models import ChangeEventBase, RomeJobTitle
from tremplin.inclusion import pooling
from tremplin.inclusion.enums import (
    CriterionStatus,
    ExecutionMode,
    HoursImportStatus,
    HoursStatus,
    IscedBand,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
    QualificationLevel,
    Sex,
    SharingRule,
)
from tremplin.inclusion.evidence import evidence_path
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.models import Contract, Lot

HOURS = {"max_digits": 6, "decimal_places": 2}


class EligibilityCriterion(models.Model):
    """An eligible public of the reference list; each network accepts a selection of them."""

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("intitulé", max_length=200)
    evidence_hint = models.CharField("justificatif attendu", max_length=200, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        "durée de validité du justificatif (mois)", null=True, blank=True
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    networks = models.ManyToManyField(
        Network,
        blank=True,
        related_name="eligibility_criteria",
        verbose_name="réseaux qui l'acceptent",
    )

    class Meta:
        verbose_name = "critère d'éligibilité"
        verbose_name_plural = "critères d'éligibilité"
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class CurrentParticipantManager(models.Manager["Participant"]):
    """Participants as people: a record merged into another one is left out."""

    def get_queryset(self) -> models.QuerySet["Participant"]:
        return super().get_queryset().filter(merged_into__isnull=True)


class Participant(models.Model):
    """A person far from employment followed by a facilitator structure.

    Personal data is minimised: no national identity number is ever stored. A record
    found to be a duplicate is merged into the one kept: it stays, emptied of its
    placements and criteria, as the holder of its own history (``merged_into``).
    """

    facilitator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participants",
        limit_choices_to={"kind": OrganisationKind.FACILITATOR},
        verbose_name="structure de facilitation",
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=120, blank=True)
    qpv_resident = models.BooleanField("habite un quartier prioritaire (QPV)", default=False)
    qualification_level = models.CharField(
        "niveau de qualification",
        max_length=10,
        choices=QualificationLevel.choices,
        default=QualificationLevel.NONE,
    )
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    referred_by = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_participants",
        limit_choices_to={"kind": OrganisationKind.PRESCRIBER},
        verbose_name="prescripteur",
    )
    notes = models.TextField("observations", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name="fusionné dans",
    )

    all_objects = models.Manager()
    objects = CurrentParticipantManager()

    class Meta:
        verbose_name = "participant"
        verbose_name_plural = "participants"
        default_manager_name = "objects"
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["facilitator", "last_name", "first_name"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def full_name(self) -> str:
        return str(self)


class ParticipantCriterion(models.Model):
    """A participant meets a criterion, proven by evidence checked on a date by someone."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="criteria", verbose_name="participant"
    )
    criterion = models.ForeignKey(
        EligibilityCriterion, on_delete=models.PROTECT, related_name="+", verbose_name="critère"
    )
    evidence = models.CharField("justificatif", max_length=250)
    checked_on = models.DateField("vérifié le")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="vérifié par",
    )
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    # An employer's declaration waits for the facilitator's check; the facilitator's own
    # records are confirmed at once.
    status = models.CharField(
        "statut",
        max_length=20,
        choices=CriterionStatus.choices,
        default=CriterionStatus.CONFIRMED,
    )
    evidence_file = models.FileField(
        "pièce justificative", upload_to=evidence_path, blank=True, max_length=200
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidé par",
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    refusal_reason = models.CharField("motif du refus", max_length=300, blank=True)

    class Meta:
        verbose_name = "critère d'un participant"
        verbose_name_plural = "critères des participants"
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "criterion"],
                name="participant_criterion_unique",
                violation_error_message="Ce critère est déjà enregistré pour ce participant.",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("checked_on")),
                name="participant_criterion_valid_after_check",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CriterionStatus.values),
                name="participant_criterion_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=CriterionStatus.REFUSED) | ~Q(refusal_reason=""),
                name="participant_criterion_refusal_has_reason",
                violation_error_message="Un refus doit être motivé.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.criterion}"


class Placement(models.Model):
    """A participant works on a contract (or lot) for an employer, by an execution mode."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="placements", verbose_name="participant"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="placements", verbose_name="marché"
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name="lot",
    )
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name="employeur",
    )
    execution_mode = models.CharField("modalité", max_length=40, choices=ExecutionMode.choices)
    job = models.ForeignKey(
        RomeJobTitle, on_delete=models.PROTECT, related_name="+", verbose_name="poste (ROME)"
    )
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    # A pooled job counts for several contracts: one placement per contract, each with
    # its share of the job's monthly hours and the number that share was computed from.
    pool = models.ForeignKey(
        "HoursPool",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name="mutualisation",
    )
    pool_share = models.DecimalField(
        "part des heures mutualisées", max_digits=7, decimal_places=6, null=True, blank=True
    )
    pool_share_basis = models.DecimalField(
        "base de la part", max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "mise en emploi"
        verbose_name_plural = "mises en emploi"
        ordering = ["-start_date"]
        indexes = [
            models.Index(fields=["contract", "participant"]),
            # The dashboards reach a contract's (or a participant's) hours through its
            # placements' ids: with the id in the index, an index-only scan, not a full read.
            models.Index(fields=["contract", "id"], name="placement_contract_id_idx"),
            models.Index(fields=["participant", "id"], name="placement_participant_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_end_after_start",
                violation_error_message="La fin de la mise en emploi précède son début.",
            ),
            models.CheckConstraint(
                condition=Q(pool__isnull=True, pool_share__isnull=True)
                | Q(pool__isnull=False, pool_share__gt=0, pool_share__lte=1),
                name="placement_pool_share_range",
                violation_error_message="La part d'une mutualisation est comprise entre 0 et 100 %.",
            ),
            models.UniqueConstraint(
                fields=["pool", "contract"],
                name="placement_one_per_pool_and_contract",
                violation_error_message="Ce marché figure déjà dans la mutualisation.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} sur {self.contract.reference}"

    @property
    def pool_percent(self) -> str:
        """The share of a pooled placement, rounded to a tenth: « 38,0 % »."""
        return pooling.percent_text(self.pool_share) if self.pool_share is not None else ""


class HoursPool(models.Model):
    """One person's job with one employer whose hours count for several contracts
    ("globalisation"): the company owes hours to several buyers, and each contract
    receives a share of every month's hours, by the rule the facilitator chose.

    The split is written down: each month of the pool (``PooledMonth``) becomes one
    ``HoursEntry`` per contract, so that every figure summing hours by contract stays right.
    """

    facilitator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hours_pools",
        limit_choices_to={"kind": OrganisationKind.FACILITATOR},
        verbose_name="structure de facilitation",
    )
    # Placements protect the person; a pool without them goes with the person.
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="hours_pools",
        verbose_name="participant",
    )
    employer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="employeur"
    )
    job = models.ForeignKey(
        RomeJobTitle, on_delete=models.PROTECT, related_name="+", verbose_name="poste (ROME)"
    )
    execution_mode = models.CharField("modalité", max_length=40, choices=ExecutionMode.choices)
    start_date = models.DateField("début")
    end_date = models.DateField("fin")
    rule = models.CharField(
        "règle de répartition",
        max_length=20,
        choices=SharingRule.choices,
        default=SharingRule.PRO_RATA_OBLIGATION,
    )
    notes = models.TextField("observations", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "mutualisation d'heures"
        verbose_name_plural = "mutualisations d'heures"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="hours_pool_end_after_start",
                violation_error_message="La fin de la mutualisation précède son début.",
            ),
            models.CheckConstraint(
                condition=Q(rule__in=SharingRule.values), name="hours_pool_rule_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Mutualisation n° {self.pk} — {self.participant}"

    @property
    def sharing_phrase(self) -> str:
        """« réparties au prorata des obligations d'heures des marchés »"""
        return pooling.RULE_PHRASES.get(self.rule, "")


class PooledMonth(models.Model):
    """A month of hours of a pooled job, before its split among the contracts."""

    pool = models.ForeignKey(
        HoursPool, on_delete=models.CASCADE, related_name="months", verbose_name="mutualisation"
    )
    month = models.DateField("mois", help_text="Le premier jour du mois.")
    hours_worked = models.DecimalField("heures travaillées", **HOURS)
    training_hours = models.DecimalField("heures de formation", default=Decimal(0), **HOURS)
    total_hours = models.GeneratedField(
        expression=F("hours_worked") + F("training_hours"),
        output_field=models.DecimalField(max_digits=7, decimal_places=2),
        db_persist=True,
        verbose_name="heures d'insertion",
    )
    status = models.CharField(
        "statut", max_length=20, choices=HoursStatus.choices, default=HoursStatus.DECLARED
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisies par",
    )
    declared_at = models.DateTimeField("saisies le", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validées par",
    )
    reviewed_at = models.DateTimeField("validées le", null=True, blank=True)

    class Meta:
        verbose_name = "mois d'heures mutualisées"
        verbose_name_plural = "mois d'heures mutualisées"
        ordering = ["pool", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "month"],
                name="pooled_month_one_per_month",
                violation_error_message="Les heures de ce mois sont déjà saisies pour cette mutualisation.",
            ),
            models.CheckConstraint(
                condition=Q(hours_worked__gte=0) & Q(training_hours__gte=0),
                name="pooled_month_not_negative",
                violation_error_message="Les heures ne peuvent pas être négatives.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="pooled_month_month_is_first_day"
            ),
            # A pooled month is corrected, not refused: declared or validated only.
            models.CheckConstraint(
                condition=Q(status__in=[HoursStatus.DECLARED, HoursStatus.VALIDATED]),
                name="pooled_month_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pool} — {self.month:%m/%Y} : {self.total_hours} h"


class HoursEntry(models.Model):
    """The hours a participant worked (and trained) on a placement in one month."""

    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        related_name="hours_entries",
        verbose_name="mise en emploi",
    )
    month = models.DateField("mois", help_text="Le premier jour du mois.")
    hours_worked = models.DecimalField("heures travaillées", **HOURS)
    training_hours = models.DecimalField("heures de formation", default=Decimal(0), **HOURS)
    # Insertion hours counted for the clause: work and training done on the contract.
    total_hours = models.GeneratedField(
        expression=F("hours_worked") + F("training_hours"),
        output_field=models.DecimalField(max_digits=7, decimal_places=2),
        db_persist=True,
        verbose_name="heures d'insertion",
    )
    status = models.CharField(
        "statut", max_length=20, choices=HoursStatus.choices, default=HoursStatus.DECLARED
    )
    rejection_reason = models.CharField("motif du refus", max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déclarées par",
    )
    declared_at = models.DateTimeField("déclarées le", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="examinées par",
    )
    reviewed_at = models.DateTimeField("examinées le", null=True, blank=True)
    # The month of a pooled job this entry is the contract's part of: changed only there.
    pooled_month = models.ForeignKey(
        PooledMonth,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name="mois mutualisé",
    )

    class Meta:
        verbose_name = "heures du mois"
        verbose_name_plural = "heures mensuelles"
        ordering = ["-month"]
        indexes = [
            models.Index(fields=["status", "month"]),
            # Sums of a placement's hours by status, read from the index alone (PostgreSQL;
            # other databases ignore INCLUDE and keep a plain index).
            models.Index(
                fields=["placement", "status"],
                include=["total_hours"],
                name="hours_placement_status_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "month"],
                name="hours_entry_one_per_month",
                violation_error_message="Les heures de ce mois sont déjà saisies pour cette mise en emploi.",
            ),
            models.CheckConstraint(
                condition=Q(hours_worked__gte=0) & Q(training_hours__gte=0),
                name="hours_entry_not_negative",
                violation_error_message="Les heures ne peuvent pas être négatives.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="hours_entry_month_is_first_day"
            ),
            models.CheckConstraint(
                condition=~Q(status=HoursStatus.REJECTED) | ~Q(rejection_reason=""),
                name="hours_entry_rejection_has_reason",
                violation_error_message="Un refus doit être motivé.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=HoursStatus.values), name="hours_entry_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement} — {self.month:%m/%Y} : {self.total_hours} h"


class Outcome(models.Model):
    """A participant's situation on leaving a pathway, or six months after leaving it."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="outcomes", verbose_name="participant"
    )
    # The placement the person left, when the pathway ended with one.
    placement = models.ForeignKey(
        Placement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name="mise en emploi",
    )
    moment = models.CharField("moment", max_length=20, choices=OutcomeMoment.choices)
    exit_date = models.DateField("date de sortie")
    observed_on = models.DateField("situation constatée le")
    situation = models.CharField("situation", max_length=30, choices=OutcomeSituation.choices)
    qualification_gained = models.BooleanField("a obtenu une qualification", default=False)
    employer_name = models.CharField("employeur", max_length=250, blank=True)
    notes = models.TextField("précisions", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    recorded_at = models.DateTimeField("saisie le", auto_now=True)

    class Meta:
        verbose_name = "situation à la sortie"
        verbose_name_plural = "situations à la sortie"
        ordering = ["-exit_date", "moment"]
        indexes = [models.Index(fields=["moment", "observed_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "exit_date", "moment"],
                name="outcome_one_per_exit_and_moment",
                violation_error_message="La situation de ce participant à ce moment de cette sortie est déjà enregistrée.",
            ),
            models.CheckConstraint(
                condition=Q(observed_on__gte=F("exit_date")),
                name="outcome_observed_after_exit",
                violation_error_message="La situation ne peut pas être constatée avant la sortie.",
            ),
            models.CheckConstraint(
                condition=Q(moment__in=OutcomeMoment.values), name="outcome_moment_valid"
            ),
            models.CheckConstraint(
                condition=Q(situation__in=OutcomeSituation.values), name="outcome_situation_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.get_moment_display()} : {self.get_situation_display()}"


class EsfEntry(models.Model):
    """What the European Social Fund asks of a participant on entering a co-funded pathway.

    Age band and education level are read from the participant's record as they stood at
    entry (the education band is kept here, as it may change); results at exit and at six
    months come from the participant's outcomes.
    """

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="esf_entries",
        verbose_name="participant",
    )
    entered_on = models.DateField("date d'entrée")
    labour_status = models.CharField(
        "situation sur le marché du travail", max_length=30, choices=LabourStatus.choices
    )
    isced_band = models.CharField(
        "niveau d'éducation (CITE)", max_length=20, choices=IscedBand.choices
    )
    disability = models.BooleanField("personne handicapée", default=False)
    other_disadvantage = models.BooleanField(
        "autre personne défavorisée",
        default=False,
        help_text="Sans domicile, ressortissant de pays tiers, origine étrangère, minorité…",
    )
    left_on = models.DateField("date de sortie", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    recorded_at = models.DateTimeField("saisie le", auto_now=True)

    class Meta:
        verbose_name = "entrée dans une opération FSE"
        verbose_name_plural = "entrées dans des opérations FSE"
        ordering = ["-entered_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "entered_on"],
                name="esf_entry_one_per_date",
                violation_error_message="Une entrée FSE existe déjà à cette date pour ce participant.",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("entered_on")),
                name="esf_entry_left_after_entry",
                violation_error_message="La sortie précède l'entrée.",
            ),
            models.CheckConstraint(
                condition=Q(labour_status__in=LabourStatus.values), name="esf_entry_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(isced_band__in=IscedBand.values), name="esf_entry_isced_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — entrée FSE du {self.entered_on:%d/%m/%Y}"


class ExecutionModeRule(models.Model):
    """How a network counts the hours of an execution mode: a weight, and a cap.

    Counted hours of a contract for a mode = min(validated hours × weight,
    cap × the contract's required hours); with no rule, a mode counts at weight 1 without
    cap. The network's coordinator sets them; every structure's figures apply them.
    """

    network = models.ForeignKey(
        Network,
        on_delete=models.CASCADE,
        related_name="execution_mode_rules",
        verbose_name="réseau",
    )
    execution_mode = models.CharField("modalité", max_length=40, choices=ExecutionMode.choices)
    weight = models.DecimalField(
        "coefficient",
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        help_text="1 : une heure compte pour une heure ; 0,5 : pour une demi-heure.",
    )
    cap_share = models.DecimalField(
        "plafond (part de l'obligation du marché)",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Vide : pas de plafond ; 0,30 : au plus 30 % des heures exigées du marché.",
    )

    class Meta:
        verbose_name = "règle de comptage d'une modalité"
        verbose_name_plural = "règles de comptage des modalités"
        ordering = ["network", "execution_mode"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "execution_mode"],
                name="execution_mode_rule_unique",
                violation_error_message="Ce réseau a déjà une règle pour cette modalité.",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=10), name="execution_mode_rule_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(cap_share__isnull=True) | Q(cap_share__gte=0, cap_share__lte=1),
                name="execution_mode_rule_cap_ratio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network} — {self.get_execution_mode_display()}"


class InclusionEvent(ChangeEventBase):
    """History of participants, eligibility, placements and hours (append-only)."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name="participant",
    )

    class Meta(ChangeEventBase.Meta):
        verbose_name = "événement"
        verbose_name_plural = "historique des participants"
        indexes = [models.Index(fields=["participant", "occurred_at"])]

    @classmethod
    def about(
        cls,
        instance: models.Model,
        *,
        actor: Any,
        participant: Participant,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> "InclusionEvent":
        """The change of ``instance`` in ``participant``'s record, not saved yet."""
        return cls(
            actor=actor,
            participant_id=participant.pk,
            action=action,
            object_type=type(instance)._meta.model_name,
            object_id=instance.pk,
            before=before,
            after=after,
        )


# Spreadsheet imports of monthly hours ----------------------------------------------------


def hours_import_path(instance: "HoursImport", filename: str) -> str:
    """Imported files are kept under a random name that says nothing of the people in it."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"imports/{secrets.token_hex(16)}.{extension}"


class HoursImport(models.Model):
    """A spreadsheet of monthly hours sent by an organisation, and what became of it.

    The file is checked whole before anything is written: either every row is written in
    one transaction (``summary counts``), or nothing is and ``errors`` lists each bad row.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hours_imports",
        verbose_name="organisation",
    )
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
    file = models.FileField("fichier", upload_to=hours_import_path, max_length=200)
    file_name = models.CharField("nom du fichier", max_length=255)
    file_format = models.CharField("format", max_length=4)
    file_size = models.PositiveIntegerField("taille (octets)")
    file_hash = models.CharField("empreinte SHA-256", max_length=64, db_index=True)
    validate_directly = models.BooleanField("valider directement", default=False)
    status = models.CharField(
        "statut",
        max_length=20,
        choices=HoursImportStatus.choices,
        default=HoursImportStatus.RECEIVED,
    )
    header_line = models.PositiveIntegerField("ligne des en-têtes", default=0)
    # The columns as read: [[index, label, field or "" or null], ...]
    columns = models.JSONField("colonnes", default=list, blank=True)
    row_count = models.PositiveIntegerField("lignes à lire", default=0)
    rows_processed = models.PositiveIntegerField("lignes lues", default=0)
    rows_read = models.PositiveIntegerField("lignes d'heures", default=0)
    created_count = models.PositiveIntegerField("mois créés", default=0)
    updated_count = models.PositiveIntegerField("mois modifiés", default=0)
    unchanged_count = models.PositiveIntegerField("mois inchangés", default=0)
    # Validated months the file would have changed: refused, so the file is not written.
    refused_count = models.PositiveIntegerField("mois validés refusés", default=0)
    # Every hour of the file's rows, changed or not.
    hours_imported = models.DecimalField(
        "heures du fichier", max_digits=12, decimal_places=2, default=Decimal(0)
    )
    # What the import changed: hours after minus hours before, over the months it wrote.
    hours_change = models.DecimalField(
        "variation des heures", max_digits=12, decimal_places=2, default=Decimal(0)
    )
    error_count = models.PositiveIntegerField("erreurs", default=0)
    # The error report: [[line, column index or null, column label, message], ...]
    errors = models.JSONField("erreurs relevées", default=list, blank=True)
    task_id = models.CharField("tâche de fond", max_length=64, blank=True)
    # Written by the running import at each progress step: silent too long, its worker
    # died (core.recovery). Each run that claims the import counts one attempt.
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    message = models.CharField("message", max_length=300, blank=True)

    class Meta:
        verbose_name = "import d'heures"
        verbose_name_plural = "imports d'heures"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "file_hash"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=HoursImportStatus.values),
                name="hours_import_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y})"

    @property
    def finished(self) -> bool:
        return self.status in (
            HoursImportStatus.INVALID,
            HoursImportStatus.DONE,
            HoursImportStatus.FAILED,
        )

    @property
    def progress_percent(self) -> int:
        if not self.row_count:
            return 0
        return min(100, round(100 * self.rows_processed / self.row_count))


class ColumnMapping(models.Model):
    """What a column of an organisation's spreadsheets means, chosen once and applied to
    its next files: "Matricule ME" is the placement number, "Commentaire" is set aside."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="column_mappings",
        verbose_name="organisation",
    )
    header = models.CharField(
        "en-tête (simplifié)",
        max_length=200,
        help_text="Sans majuscules, accents, espaces ni ponctuation.",
    )
    label = models.CharField("en-tête tel qu'écrit", max_length=200)
    field = models.CharField(
        "donnée", max_length=40, blank=True, help_text="Vide : la colonne est ignorée."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="choisi par",
    )
    updated_at = models.DateTimeField("choisi le", auto_now=True)

    class Meta:
        verbose_name = "correspondance de colonne"
        verbose_name_plural = "correspondances de colonnes"
        ordering = ["organisation", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "header"], name="column_mapping_unique_header"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.field or 'ignorée'}"
