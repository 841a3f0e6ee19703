"""Networks, organisations, users and their memberships."""

import zoneinfo
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from tremplin.core.fte import LEGAL_ANNUAL_HOURS
from tremplin.core.models import ChangeEventBase
from tremplin.organisations.enums import (
    BuyerKind,
    InclusionEmployerKind,
    MembershipRole,
    OrganisationKind,
    OrganisationSource,
    PrescriberKind,
)
from tremplin.organisations.validators import validate_siret


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Fuseau horaire inconnu : %(value)s.", params={"value": value})


RATIO_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]


class Network(models.Model):
    """A territory's social clause service: one or many facilitator structures sharing rules."""

    name = models.CharField("nom", max_length=200, unique=True)
    slug = models.SlugField("identifiant", max_length=60, unique=True)
    territory = models.CharField("territoire", max_length=200, blank=True)
    hours_per_fte = models.PositiveIntegerField(
        "heures par ETP",
        default=LEGAL_ANNUAL_HOURS,
        help_text="1 607 h (durée légale annuelle) par défaut ; 1 820 h (35 h × 52) à Mayotte.",
    )
    default_hourly_cost = models.DecimalField(
        "coût horaire par défaut (€)",
        max_digits=8,
        decimal_places=2,
        default=Decimal("30.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    default_labour_share = models.DecimalField(
        "part de main-d'œuvre par défaut",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.40"),
        validators=RATIO_VALIDATORS,
    )
    default_insertion_rate = models.DecimalField(
        "taux d'insertion par défaut",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.05"),
        validators=RATIO_VALIDATORS,
    )
    time_zone = models.CharField(
        "fuseau horaire", max_length=60, default="Europe/Paris", validators=[validate_time_zone]
    )
    publishes_open_data = models.BooleanField(
        "publie ses données ouvertes",
        default=True,
        help_text="Ses chiffres anonymes sont publiés sur les pages publiques des données ouvertes.",
    )

    class Meta:
        verbose_name = "réseau"
        verbose_name_plural = "réseaux"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_fte__gt=0), name="network_hours_per_fte_positive"
            ),
            models.CheckConstraint(
                condition=Q(default_hourly_cost__gt=0), name="network_hourly_cost_positive"
            ),
            models.CheckConstraint(
                condition=Q(default_labour_share__gt=0, default_labour_share__lte=1),
                name="network_labour_share_ratio",
            ),
            models.CheckConstraint(
                condition=Q(default_insertion_rate__gt=0, default_insertion_rate__lte=1),
                name="network_insertion_rate_ratio",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """Any organisation taking part: facilitator structure, buyer, company, employer…"""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="organisations", verbose_name="réseau"
    )
    kind = models.CharField("type", max_length=30, choices=OrganisationKind.choices)
    name = models.CharField("raison sociale", max_length=250)
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[validate_siret], db_index=True
    )
    inclusion_employer_kind = models.CharField(
        "type de structure inclusive",
        max_length=10,
        choices=InclusionEmployerKind.choices,
        blank=True,
    )
    buyer_kind = models.CharField(
        "type d'acheteur", max_length=30, choices=BuyerKind.choices, blank=True
    )
    prescriber_kind = models.CharField(
        "type de prescripteur", max_length=30, choices=PrescriberKind.choices, blank=True
    )
    facilitator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_organisations",
        limit_choices_to={"kind": OrganisationKind.FACILITATOR},
        verbose_name="structure de facilitation référente",
    )
    address = models.CharField("adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=120, blank=True)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    # Where a prescriber works: the hiring needs published there are shown to it.
    area_departments = models.CharField(
        "départements couverts",
        max_length=200,
        blank=True,
        help_text="Pour un prescripteur : codes des départements séparés par des virgules "
        "(91, 78). Vide : tout le territoire du réseau.",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    # Buyers and companies read in the open procurement data stay apart from those typed
    # by a facilitator until someone confirms them.
    source = models.CharField(
        "origine",
        max_length=10,
        choices=OrganisationSource.choices,
        default=OrganisationSource.MANUAL,
    )
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["network", "kind", "name"]),
            models.Index(fields=["network", "source", "confirmed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=OrganisationSource.values),
                name="organisation_source_valid",
            ),
            models.UniqueConstraint(
                fields=["network", "siret"],
                condition=~Q(siret=""),
                name="organisation_siret_unique_in_network",
                violation_error_message="Une organisation de ce réseau porte déjà ce SIRET.",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind=OrganisationKind.INCLUSION_EMPLOYER, inclusion_employer_kind__gt=""
                )
                | (~Q(kind=OrganisationKind.INCLUSION_EMPLOYER) & Q(inclusion_employer_kind="")),
                name="organisation_employer_kind_iff_inclusion_employer",
                violation_error_message="Un employeur inclusif a un type (EI, ACI, AI…), et lui seul.",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.BUYER) | Q(buyer_kind=""),
                name="organisation_buyer_kind_only_for_buyers",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.PRESCRIBER) | Q(prescriber_kind=""),
                name="organisation_prescriber_kind_only_for_prescribers",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.FACILITATOR) | Q(facilitator__isnull=True),
                name="organisation_facilitator_has_no_facilitator",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def awaits_confirmation(self) -> bool:
        """Read in open data and not yet confirmed by a facilitator."""
        return self.source == OrganisationSource.DECP and self.confirmed_at is None

    @property
    def kind_label(self) -> str:
        if self.inclusion_employer_kind:
            return f"{self.get_kind_display()} ({self.inclusion_employer_kind})"
        return str(self.get_kind_display())


class EmailUserManager(UserManager["User"]):
    """Users sign in with their email address."""

    def _create_user(self, email, password, **extra_fields):  # type: ignore[no-untyped-def,override]
        if not email:
            raise ValueError("Une adresse de courriel est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):  # type: ignore[no-untyped-def,override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):  # type: ignore[no-untyped-def,override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("courriel", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Membership(models.Model):
    """A user works for an organisation; what they see follows from it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="utilisateur"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="organisation",
    )
    role = models.CharField(
        "rôle", max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "appartenance"
        verbose_name_plural = "appartenances"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class NetworkCoordinator(models.Model):
    """A user who coordinates a network: sets its shared rules, sees its consolidated figures.

    A coordinator sees aggregates of every structure of the network, never their
    participants' personal data (unless they also belong to that structure).
    """

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="coordinated_networks",
        verbose_name="utilisateur",
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="coordinators", verbose_name="réseau"
    )

    class Meta:
        verbose_name = "coordination de réseau"
        verbose_name_plural = "coordinations de réseau"
        constraints = [
            models.UniqueConstraint(fields=["user", "network"], name="network_coordinator_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} coordonne {self.network}"


class Invitation(models.Model):
    """An email invited by a facilitator to join an organisation it follows.

    The link sent by email carries a random token; only its SHA-256 digest is stored, so
    that the table alone opens no account. An invitation is used once, before it expires.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name="organisation",
    )
    email = models.EmailField("courriel")
    token_digest = models.CharField("empreinte du jeton", max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="invité par",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyée le")
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="acceptée par",
    )

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-sent_at"]
        constraints = [
            # Inviting the same address again renews its pending invitation.
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("sent_at")), name="invitation_expires_after_sending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class NetworkEvent(ChangeEventBase):
    """History of a network's shared rules: who changed which rule, when, from what to what."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="events", verbose_name="réseau"
    )

    class Meta(ChangeEventBase.Meta):
        verbose_name = "événement d'un réseau"
        verbose_name_plural = "historique des réseaux"
