"""Choices of the procurement app, in the words of the Code de la commande publique."""

from django.db import models

from tremplin.procurement.obligation import ObligationMode
from tremplin.procurement.progress import ProgressStatus


class Procedure(models.TextChoices):
    OPEN_TENDER = "open_tender", "Appel d'offres ouvert"
    RESTRICTED_TENDER = "restricted_tender", "Appel d'offres restreint"
    ADAPTED = "adapted", "Procédure adaptée (MAPA)"
    NEGOTIATED = "negotiated", "Procédure avec négociation"
    COMPETITIVE_DIALOGUE = "competitive_dialogue", "Dialogue compétitif"
    NEGOTIATED_WITHOUT_NOTICE = "negotiated_without_notice", "Marché négocié sans publicité"
    PRIVATE = "private", "Achat privé"


class ContractForm(models.TextChoices):
    SINGLE = "single", "Marché ordinaire"
    FRAMEWORK_PURCHASE_ORDERS = "framework_purchase_orders", "Accord-cadre à bons de commande"
    FRAMEWORK_SUBSEQUENT = "framework_subsequent", "Accord-cadre à marchés subséquents"
    PRIVATE_ORDER = "private_order", "Commande privée"


class LegalBasis(models.TextChoices):
    EXECUTION_CONDITION = "L2112-2", "Condition d'exécution (L2112-2)"
    AWARD_CRITERION = "R2152-7", "Critère d'attribution (R2152-7)"
    RESERVED_DISABILITY = "L2113-12", "Marché réservé aux structures du handicap (L2113-12)"
    RESERVED_SIAE = "L2113-13", "Marché réservé aux SIAE (L2113-13)"
    INSERTION_CONTRACT = "R2123-1", "Marché d'insertion et de qualification (R2123-1)"
    PRIVATE_COMMITMENT = "private", "Engagement volontaire (achat privé)"


class ObligationModeChoice(models.TextChoices):
    AMOUNT_BASED = (
        ObligationMode.AMOUNT_BASED,
        "Montant × part de main-d'œuvre × taux ÷ coût horaire",
    )
    PER_EURO_INVOICED = ObligationMode.PER_EURO_INVOICED, "Heures par euro facturé"
    SHARE_OF_HOURS_WORKED = (
        ObligationMode.SHARE_OF_HOURS_WORKED,
        "Pourcentage des heures travaillées",
    )
    FIXED_HOURS = ObligationMode.FIXED_HOURS, "Nombre d'heures fixé"


class ProgressStatusChoice(models.TextChoices):
    NOT_STARTED = ProgressStatus.NOT_STARTED, "Non démarré"
    ON_TRACK = ProgressStatus.ON_TRACK, "Dans les temps"
    LATE = ProgressStatus.LATE, "En retard"
    MET = ProgressStatus.MET, "Atteint"
    EXCEEDED = ProgressStatus.EXCEEDED, "Dépassé"


# Bootstrap colour of each status: a badge and a progress bar use it.
PROGRESS_STATUS_COLOURS = {
    ProgressStatus.NOT_STARTED: "secondary",
    ProgressStatus.ON_TRACK: "primary",
    ProgressStatus.LATE: "danger",
    ProgressStatus.MET: "success",
    ProgressStatus.EXCEEDED: "success",
}


class SocialConsideration(models.TextChoices):
    """The open-data field ``considerationsSociales`` (DECP)."""

    SOCIAL_CLAUSE = "social_clause", "Clause sociale"
    SOCIAL_CRITERION = "social_criterion", "Critère social"
    RESERVED_CONTRACT = "reserved_contract", "Marché réservé"


class EnvironmentalConsideration(models.TextChoices):
    """The open-data field ``considerationsEnvironnementales`` (DECP)."""

    ENVIRONMENTAL_CLAUSE = "environmental_clause", "Clause environnementale"
    ENVIRONMENTAL_CRITERION = "environmental_criterion", "Critère environnemental"
