"""Buyers' operations, contracts, lots and the clauses that carry an obligation."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from tremplin.core.models import ChangeEventBase
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation
from tremplin.procurement.enums import (
    ContractForm,
    LegalBasis,
    ObligationModeChoice,
    Procedure,
)
from tremplin.procurement.obligation import ObligationInputs, ObligationMode

validate_cpv = RegexValidator(
    r"^\d{8}(-\d)?$",
    "Un code CPV compte 8 chiffres, suivis ou non de sa clé (45000000 ou 45000000-7).",
)
AMOUNT = {"max_digits": 14, "decimal_places": 2}
RATIO = {"max_digits": 6, "decimal_places": 4}
HOURS = {"max_digits": 12, "decimal_places": 2}


class Operation(models.Model):
    """A buyer's project that may span several contracts (a school, a road, a district)."""

    buyer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="operations",
        limit_choices_to={"kind": OrganisationKind.BUYER},
        verbose_name="acheteur",
    )
    name = models.CharField("nom", max_length=250)
    place = models.CharField("lieu", max_length=200, blank=True)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "opération"
        verbose_name_plural = "opérations"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "name"], name="operation_unique_per_buyer")
        ]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """A public or private contract; its clauses say how many insertion hours it carries."""

    facilitator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="facilitated_contracts",
        limit_choices_to={"kind": OrganisationKind.FACILITATOR},
        verbose_name="structure de facilitation",
    )
    buyer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="bought_contracts",
        limit_choices_to={"kind": OrganisationKind.BUYER},
        verbose_name="acheteur",
    )
    operation = models.ForeignKey(
        Operation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name="opération",
    )
    reference = models.CharField("référence", max_length=60)
    title = models.CharField("objet", max_length=500)
    cpv_code = models.CharField("code CPV", max_length=10, blank=True, validators=[validate_cpv])
    procedure = models.CharField("procédure", max_length=40, choices=Procedure.choices)
    form = models.CharField(
        "forme du marché", max_length=40, choices=ContractForm.choices, default=ContractForm.SINGLE
    )
    amount_excl_tax = models.DecimalField(
        "montant HT (€)", validators=[MinValueValidator(Decimal(0))], **AMOUNT
    )
    notified_on = models.DateField("notifié le", null=True, blank=True)
    execution_start = models.DateField("début d'exécution")
    execution_end = models.DateField("fin d'exécution")
    awarded_company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_contracts",
        verbose_name="titulaire",
    )
    co_contractors = models.ManyToManyField(
        Organisation, blank=True, related_name="co_contracted_contracts", verbose_name="cotraitants"
    )
    subcontractors = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="subcontracted_contracts",
        verbose_name="sous-traitants",
    )
    # The open-data considerations (DECP): several may hold at once, none is "none".
    social_clause = models.BooleanField("clause sociale", default=True)
    social_criterion = models.BooleanField("critère social", default=False)
    reserved_contract = models.BooleanField("marché réservé", default=False)
    environmental_clause = models.BooleanField("clause environnementale", default=False)
    environmental_criterion = models.BooleanField("critère environnemental", default=False)
    # Sum of the clauses' obligations, kept by the services so that lists and totals
    # are one column away.
    hours_required = models.PositiveIntegerField("heures d'insertion exigées", default=0)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "marché"
        verbose_name_plural = "marchés"
        ordering = ["-execution_start", "reference"]
        indexes = [
            models.Index(fields=["facilitator", "buyer"]),
            models.Index(fields=["buyer", "execution_start"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "reference"],
                name="contract_reference_unique_per_buyer",
                violation_error_message="Cet acheteur a déjà un marché avec cette référence.",
            ),
            models.CheckConstraint(
                condition=Q(execution_end__gte=F("execution_start")),
                name="contract_execution_end_after_start",
                violation_error_message="La fin d'exécution précède son début.",
            ),
            models.CheckConstraint(
                condition=Q(amount_excl_tax__gte=0), name="contract_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def social_considerations(self) -> list[str]:
        labels = []
        if self.social_clause:
            labels.append("Clause sociale")
        if self.social_criterion:
            labels.append("Critère social")
        if self.reserved_contract:
            labels.append("Marché réservé")
        return labels or ["Pas de considération sociale"]

    @property
    def environmental_considerations(self) -> list[str]:
        labels = []
        if self.environmental_clause:
            labels.append("Clause environnementale")
        if self.environmental_criterion:
            labels.append("Critère environnemental")
        return labels or ["Pas de considération environnementale"]


class Lot(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="lots", verbose_name="marché"
    )
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé", max_length=300)
    amount_excl_tax = models.DecimalField(
        "montant HT (€)",
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        **AMOUNT,
    )
    awarded_company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_lots",
        verbose_name="titulaire",
    )

    class Meta:
        verbose_name = "lot"
        verbose_name_plural = "lots"
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="lot_number_unique_per_contract",
                violation_error_message="Ce marché a déjà un lot portant ce numéro.",
            )
        ]

    def __str__(self) -> str:
        return f"Lot {self.number} — {self.title}"


class Clause(models.Model):
    """A social clause on a contract (or one of its lots), with its obligation and inputs."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="clauses", verbose_name="marché"
    )
    lot = models.OneToOneField(
        Lot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clause",
        verbose_name="lot",
    )
    legal_basis = models.CharField("fondement juridique", max_length=20, choices=LegalBasis.choices)
    mode = models.CharField("mode de calcul", max_length=30, choices=ObligationModeChoice.choices)
    # The inputs, by mode (see procurement.obligation); only those of the mode are set.
    amount = models.DecimalField("montant HT (€)", null=True, blank=True, **AMOUNT)
    labour_share = models.DecimalField("part de main-d'œuvre", null=True, blank=True, **RATIO)
    insertion_rate = models.DecimalField("taux d'insertion", null=True, blank=True, **RATIO)
    hourly_cost = models.DecimalField(
        "coût horaire (€)", null=True, blank=True, max_digits=8, decimal_places=2
    )
    invoiced_amount = models.DecimalField("montant facturé HT (€)", null=True, blank=True, **AMOUNT)
    euros_per_hour = models.DecimalField(
        "euros facturés pour une heure", null=True, blank=True, **AMOUNT
    )
    hours_worked = models.DecimalField("heures travaillées", null=True, blank=True, **HOURS)
    share_of_hours = models.DecimalField(
        "part des heures travaillées", null=True, blank=True, **RATIO
    )
    fixed_hours = models.DecimalField("nombre d'heures", null=True, blank=True, **HOURS)
    exact_hours = models.DecimalField("heures exactes", max_digits=16, decimal_places=4)
    hours_required = models.PositiveIntegerField("heures d'insertion exigées")
    computed_at = models.DateTimeField("calculée le", auto_now=True)
    notes = models.TextField("précisions", blank=True)

    class Meta:
        verbose_name = "clause"
        verbose_name_plural = "clauses"
        ordering = ["contract", "lot__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(lot__isnull=True),
                name="clause_one_per_contract_without_lot",
                violation_error_message="Ce marché a déjà une clause sur l'ensemble du marché.",
            ),
            models.CheckConstraint(
                condition=~Q(mode=ObligationMode.AMOUNT_BASED)
                | Q(
                    amount__gte=0,
                    labour_share__gt=0,
                    labour_share__lte=1,
                    insertion_rate__gt=0,
                    insertion_rate__lte=1,
                    hourly_cost__gt=0,
                ),
                name="clause_amount_based_inputs",
            ),
            models.CheckConstraint(
                condition=~Q(mode=ObligationMode.PER_EURO_INVOICED)
                | Q(invoiced_amount__gte=0, euros_per_hour__gt=0),
                name="clause_per_euro_inputs",
            ),
            models.CheckConstraint(
                condition=~Q(mode=ObligationMode.SHARE_OF_HOURS_WORKED)
                | Q(hours_worked__gte=0, share_of_hours__gt=0, share_of_hours__lte=1),
                name="clause_share_of_hours_inputs",
            ),
            models.CheckConstraint(
                condition=~Q(mode=ObligationMode.FIXED_HOURS) | Q(fixed_hours__gte=0),
                name="clause_fixed_hours_inputs",
            ),
        ]

    def __str__(self) -> str:
        where = f"lot {self.lot.number}" if self.lot_id and self.lot else "marché"
        return f"Clause ({where}) : {self.hours_required} h"

    def obligation_inputs(self) -> ObligationInputs:
        return ObligationInputs(
            mode=ObligationMode(self.mode),
            amount=self.amount,
            labour_share=self.labour_share,
            insertion_rate=self.insertion_rate,
            hourly_cost=self.hourly_cost,
            invoiced_amount=self.invoiced_amount,
            euros_per_hour=self.euros_per_hour,
            hours_worked=self.hours_worked,
            share_of_hours=self.share_of_hours,
            fixed_hours=self.fixed_hours,
        )


class ProcurementEvent(ChangeEventBase):
    """History of contracts and clauses (obligations keep the trace of their changes)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="events", verbose_name="marché"
    )

    class Meta(ChangeEventBase.Meta):
        verbose_name = "événement d'un marché"
        verbose_name_plural = "historique des marchés"


OBLIGATION_INPUT_FIELDS = (
    "amount",
    "labour_share",
    "insertion_rate",
    "hourly_cost",
    "invoiced_amount",
    "euros_per_hour",
    "hours_worked",
    "share_of_hours",
    "fixed_hours",
)
