"""Hiring needs of companies holding clauses, and the candidates prescribers refer to them.

A referral carries the candidate's identity until the hire: hiring creates (or finds) the
participant in ``inclusion`` and the placement on the need's contract.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tremplin.core.models import ChangeEventBase, RomeJobTitle
from tremplin.inclusion.enums import Sex
from tremplin.inclusion.models import EligibilityCriterion, Participant
from tremplin.matching.enums import (
    EmploymentContractType,
    NeedStatusChoice,
    ReferralStatusChoice,
)
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract


class HiringNeed(models.Model):
    """Posts a company wants to fill on a contract with a clause."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="hiring_needs", verbose_name="marché"
    )
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hiring_needs",
        verbose_name="employeur",
    )
    job = models.ForeignKey(
        RomeJobTitle, on_delete=models.PROTECT, related_name="+", verbose_name="poste (ROME)"
    )
    positions = models.PositiveSmallIntegerField("nombre de postes", default=1)
    start_date = models.DateField("date de début")
    duration_months = models.PositiveSmallIntegerField("durée (mois)", null=True, blank=True)
    place = models.CharField("lieu de travail", max_length=200)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    contract_type = models.CharField(
        "type de contrat", max_length=30, choices=EmploymentContractType.choices
    )
    weekly_hours = models.DecimalField(
        "heures par semaine", max_digits=4, decimal_places=1, null=True, blank=True
    )
    requirements = models.TextField("prérequis", blank=True)
    reserved_criteria = models.ManyToManyField(
        EligibilityCriterion,
        blank=True,
        related_name="+",
        verbose_name="réservé aux publics",
    )
    status = models.CharField(
        "statut", max_length=20, choices=NeedStatusChoice.choices, default=NeedStatusChoice.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    filled_at = models.DateTimeField("pourvu le", null=True, blank=True)

    class Meta:
        verbose_name = "besoin de recrutement"
        verbose_name_plural = "besoins de recrutement"
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["status", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(positions__gte=1),
                name="hiring_need_at_least_one_position",
                violation_error_message="Un besoin compte au moins un poste.",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours__isnull=True)
                | Q(weekly_hours__gt=0, weekly_hours__lte=48),
                name="hiring_need_weekly_hours_range",
                violation_error_message="La durée hebdomadaire va de 0 à 48 heures.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=NeedStatusChoice.values), name="hiring_need_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "filled"]) | Q(published_at__isnull=False),
                name="hiring_need_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} — {self.contract.reference}"


class Referral(models.Model):
    """A candidate a prescriber refers to a hiring need, and where the referral stands."""

    need = models.ForeignKey(
        HiringNeed, on_delete=models.CASCADE, related_name="referrals", verbose_name="besoin"
    )
    prescriber = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals",
        limit_choices_to={"kind": OrganisationKind.PRESCRIBER},
        verbose_name="prescripteur",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="proposé par",
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    vouched_criteria = models.ManyToManyField(
        EligibilityCriterion,
        blank=True,
        related_name="+",
        verbose_name="critères attestés par le prescripteur",
    )
    motivation = models.TextField("avis du prescripteur", blank=True)
    status = models.CharField(
        "étape",
        max_length=20,
        choices=ReferralStatusChoice.choices,
        default=ReferralStatusChoice.REFERRED,
    )
    refusal_reason = models.CharField("motif", max_length=300, blank=True)
    # Set at the hire: the participant created or found in the facilitator's records.
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name="participant",
    )
    created_at = models.DateTimeField("proposé le", auto_now_add=True)
    status_changed_at = models.DateTimeField("étape depuis le", auto_now_add=True)
    # Set when the facilitator first shortlists the candidate: from then on the company
    # sees the referral, even if it ends "not retained".
    shortlisted_at = models.DateTimeField("présélectionné le", null=True, blank=True)

    class Meta:
        verbose_name = "candidature"
        verbose_name_plural = "candidatures"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["need", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "last_name", "first_name", "birth_date"],
                name="referral_once_per_need",
                violation_error_message="Cette personne est déjà proposée sur ce besoin.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatusChoice.values), name="referral_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="not_retained") | ~Q(refusal_reason=""),
                name="referral_not_retained_has_reason",
                violation_error_message="Une candidature non retenue doit être motivée.",
            ),
            models.CheckConstraint(
                condition=~Q(status="hired") | Q(participant__isnull=False),
                name="referral_hired_has_participant",
            ),
            models.CheckConstraint(
                condition=Q(status_changed_at__gte=F("created_at")),
                name="referral_status_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name.upper()} → {self.need}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def short_name(self) -> str:
        """First name and initial ("Anli A."): how emails and companies name a candidate."""
        initial = self.last_name.strip()[:1].upper()
        return f"{self.first_name} {initial}." if initial else self.first_name


def contract_holders(contract: Contract) -> models.QuerySet[Organisation]:
    """Who may employ people hired for a contract: its awarded company, co-contractors,
    subcontractors and the awarded companies of its lots."""
    return Organisation.objects.filter(
        Q(awarded_contracts=contract)
        | Q(co_contracted_contracts=contract)
        | Q(subcontracted_contracts=contract)
        | Q(awarded_lots__contract=contract)
    ).distinct()


class MatchingEvent(ChangeEventBase):
    """History of hiring needs and their referrals (append-only)."""

    need = models.ForeignKey(
        HiringNeed, on_delete=models.CASCADE, related_name="events", verbose_name="besoin"
    )

    class Meta(ChangeEventBase.Meta):
        verbose_name = "événement d'un besoin"
        verbose_name_plural = "historique des besoins"
