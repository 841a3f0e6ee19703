"""Choices of the organisations app."""

from django.db import models


class OrganisationKind(models.TextChoices):
    FACILITATOR = "facilitator", "Structure de facilitation"
    BUYER = "buyer", "Acheteur"
    COMPANY = "company", "Entreprise"
    INCLUSION_EMPLOYER = "inclusion_employer", "Employeur inclusif"
    PRESCRIBER = "prescriber", "Prescripteur"
    FUNDER = "funder", "Financeur"


class InclusionEmployerKind(models.TextChoices):
    EI = "EI", "EI — entreprise d'insertion"
    ACI = "ACI", "ACI — atelier et chantier d'insertion"
    AI = "AI", "AI — association intermédiaire"
    ETTI = "ETTI", "ETTI — entreprise de travail temporaire d'insertion"
    EITI = "EITI", "EITI — entreprise d'insertion par le travail indépendant"
    GEIQ = "GEIQ", "GEIQ — groupement d'employeurs pour l'insertion et la qualification"
    EA = "EA", "EA — entreprise adaptée"
    ESAT = "ESAT", "ESAT — établissement et service d'accompagnement par le travail"


class BuyerKind(models.TextChoices):
    REGION = "region", "Région"
    DEPARTMENT = "department", "Département"
    MUNICIPALITY = "municipality", "Commune"
    INTERMUNICIPALITY = "intermunicipality", "Intercommunalité"
    STATE = "state", "Service de l'État"
    PUBLIC_BODY = "public_body", "Établissement public"
    HOSPITAL = "hospital", "Établissement de santé"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    MIXED_COMPANY = "mixed_company", "Société d'économie mixte ou publique locale"
    PRIVATE_COMPANY = "private_company", "Entreprise privée"
    OTHER = "other", "Autre acheteur"


class PrescriberKind(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    PLIE = "plie", "PLIE"
    DEPARTMENT_RSA = "department_rsa", "Département (RSA)"
    SIAE = "siae", "Structure d'insertion (SIAE)"
    OTHER = "other", "Autre prescripteur"


class MembershipRole(models.TextChoices):
    MEMBER = "member", "Membre"
    ADMINISTRATOR = "administrator", "Administrateur"


class OrganisationSource(models.TextChoices):
    """Where an organisation comes from: typed by a facilitator, or read in open data."""

    MANUAL = "manual", "Saisie"
    DECP = "decp", "Données ouvertes (DECP)"
