"""Choices of the matching app: hiring needs and referrals."""

from django.db import models

from tremplin.matching.pipeline import NeedStatus, ReferralStatus


class NeedStatusChoice(models.TextChoices):
    DRAFT = NeedStatus.DRAFT, "Brouillon"
    SUBMITTED = NeedStatus.SUBMITTED, "À publier"
    PUBLISHED = NeedStatus.PUBLISHED, "Publié"
    FILLED = NeedStatus.FILLED, "Pourvu"
    CLOSED = NeedStatus.CLOSED, "Clos"


class ReferralStatusChoice(models.TextChoices):
    REFERRED = ReferralStatus.REFERRED, "Proposé"
    SHORTLISTED = ReferralStatus.SHORTLISTED, "Présélectionné"
    INTERVIEW = ReferralStatus.INTERVIEW, "En entretien"
    HIRED = ReferralStatus.HIRED, "Recruté"
    NOT_RETAINED = ReferralStatus.NOT_RETAINED, "Non retenu"


class EmploymentContractType(models.TextChoices):
    """The employment contract a hiring need offers."""

    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    APPRENTICESHIP = "apprenticeship", "Contrat d'apprentissage"
    PROFESSIONALISATION = "professionalisation", "Contrat de professionnalisation"
    ETTI_ASSIGNMENT = "etti_assignment", "Mission d'intérim d'insertion (ETTI)"
    GEIQ = "geiq", "Parcours en GEIQ"
    TEMP_ASSIGNMENT = "temp_assignment", "Mission d'intérim"
    SIAE = "siae", "Contrat en structure d'insertion (SIAE)"
