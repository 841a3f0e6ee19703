"""Choices of the inclusion app, and the reference list of eligible publics."""

from dataclasses import dataclass

from django.db import models


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"


class QualificationLevel(models.TextChoices):
    """French qualification levels (nomenclature of 2019), with their ISCED band."""

    NONE = "none", "Sans diplôme"
    LEVEL_3 = "3", "Niveau 3 — CAP, BEP"
    LEVEL_4 = "4", "Niveau 4 — baccalauréat"
    LEVEL_5 = "5", "Niveau 5 — bac + 2"
    LEVEL_6 = "6", "Niveau 6 — licence, bac + 3"
    LEVEL_7 = "7", "Niveau 7 ou 8 — master, doctorat"


class ExecutionMode(models.TextChoices):
    DIRECT_CDI = "direct_cdi", "Embauche directe en CDI"
    DIRECT_CDD = "direct_cdd", "Embauche directe en CDD"
    APPRENTICESHIP = "apprenticeship", "Contrat d'apprentissage"
    PROFESSIONALISATION = "professionalisation", "Contrat de professionnalisation"
    PROVISION_ETTI = "provision_etti", "Mise à disposition par une ETTI"
    PROVISION_AI = "provision_ai", "Mise à disposition par une AI"
    PROVISION_GEIQ = "provision_geiq", "Mise à disposition par un GEIQ"
    TEMP_AGENCY = "temp_agency", "Mise à disposition par une agence d'intérim"
    SUBCONTRACTING_SIAE = "subcontracting_siae", "Sous-traitance à une SIAE"
    CO_CONTRACTING_SIAE = "co_contracting_siae", "Cotraitance avec une SIAE"
    SUBCONTRACTING_DISABILITY = "subcontracting_disability", "Sous-traitance à une EA ou un ESAT"
    TRAINING = "training", "Action de formation"


class HoursStatus(models.TextChoices):
    DECLARED = "declared", "Déclarées"
    VALIDATED = "validated", "Validées"
    REJECTED = "rejected", "Refusées"


HOURS_STATUS_COLOURS = {
    HoursStatus.DECLARED: "warning",
    HoursStatus.VALIDATED: "success",
    HoursStatus.REJECTED: "danger",
}


class CriterionStatus(models.TextChoices):
    """Where an eligibility criterion stands: declared by an employer, it waits for the
    facilitator's check; recorded by the facilitator, it is confirmed at once."""

    TO_CHECK = "to_check", "À vérifier"
    CONFIRMED = "confirmed", "Confirmé"
    REFUSED = "refused", "Refusé"


CRITERION_STATUS_COLOURS = {
    CriterionStatus.TO_CHECK: "warning",
    CriterionStatus.CONFIRMED: "success",
    CriterionStatus.REFUSED: "danger",
}


class EventAction(models.TextChoices):
    PARTICIPANT_CREATED = "participant_created", "Participant créé"
    PARTICIPANT_UPDATED = "participant_updated", "Participant modifié"
    CRITERION_SET = "criterion_set", "Critère d'éligibilité enregistré"
    CRITERION_REMOVED = "criterion_removed", "Critère d'éligibilité retiré"
    CRITERION_DECLARED = "criterion_declared", "Critère d'éligibilité déclaré par l'employeur"
    CRITERION_CONFIRMED = "criterion_confirmed", "Critère d'éligibilité confirmé"
    CRITERION_REFUSED = "criterion_refused", "Critère d'éligibilité refusé"
    PLACEMENT_CREATED = "placement_created", "Mise en emploi créée"
    PLACEMENT_UPDATED = "placement_updated", "Mise en emploi modifiée"
    HOURS_DECLARED = "hours_declared", "Heures déclarées"
    HOURS_CHANGED = "hours_changed", "Heures modifiées"
    HOURS_VALIDATED = "hours_validated", "Heures validées"
    HOURS_REJECTED = "hours_rejected", "Heures refusées"
    HOURS_REOPENED = "hours_reopened", "Mois validé rouvert"
    PARTICIPANTS_MERGED = "participants_merged", "Doublon fusionné dans cette fiche"
    OUTCOME_SET = "outcome_set", "Situation enregistrée"
    OUTCOME_REMOVED = "outcome_removed", "Situation retirée"
    ESF_ENTRY_SET = "esf_entry_set", "Données FSE enregistrées"
    ESF_ENTRY_REMOVED = "esf_entry_removed", "Données FSE retirées"
    HOURS_REMOVED = "hours_removed", "Heures retirées"
    POOL_CREATED = "pool_created", "Heures mutualisées entre plusieurs marchés"
    POOL_SHARES_CHANGED = "pool_shares_changed", "Répartition de la mutualisation modifiée"
    POOLED_MONTH_RECORDED = "pooled_month_recorded", "Mois d'heures mutualisées enregistré"
    POOLED_MONTH_VALIDATED = "pooled_month_validated", "Mois d'heures mutualisées validé"
    POOLED_MONTH_REOPENED = "pooled_month_reopened", "Mois d'heures mutualisées rouvert"
    POOLED_MONTH_REMOVED = "pooled_month_removed", "Mois d'heures mutualisées retiré"


class SharingRule(models.TextChoices):
    """How the hours of a pooled job are shared among its contracts (values of
    ``inclusion.pooling``)."""

    PRO_RATA_OBLIGATION = "obligation", "Au prorata des obligations d'heures des marchés"
    PRO_RATA_REMAINING = "remaining", "Au prorata des heures restant dues"
    EQUAL = "equal", "À parts égales"
    MANUAL = "manual", "Parts fixées à la main"


@dataclass(frozen=True)
class CriterionDefinition:
    code: str
    label: str
    evidence_hint: str
    validity_months: int | None


# The national reference list of eligible publics. Each network picks those it accepts.
DEFAULT_ELIGIBILITY_CRITERIA: tuple[CriterionDefinition, ...] = (
    CriterionDefinition(
        "long_term_job_seeker",
        "Demandeur d'emploi de longue durée (12 mois et plus)",
        "Attestation d'inscription France Travail",
        6,
    ),
    CriterionDefinition("rsa", "Bénéficiaire du RSA", "Attestation CAF ou MSA", 3),
    CriterionDefinition("ass", "Bénéficiaire de l'ASS", "Notification France Travail", 6),
    CriterionDefinition(
        "aah_invalidity",
        "Bénéficiaire de l'AAH ou d'une pension d'invalidité",
        "Notification CAF, MDPH ou CPAM",
        12,
    ),
    CriterionDefinition(
        "rqth", "Travailleur handicapé reconnu (RQTH)", "Décision de la MDPH", None
    ),
    CriterionDefinition(
        "young_without_qualification",
        "Jeune de moins de 26 ans sans qualification",
        "Pièce d'identité et attestation de la Mission locale",
        None,
    ),
    CriterionDefinition(
        "senior_job_seeker",
        "Demandeur d'emploi de plus de 50 ans",
        "Attestation d'inscription France Travail",
        6,
    ),
    CriterionDefinition(
        "qpv_resident",
        "Habitant d'un quartier prioritaire de la politique de la ville (QPV)",
        "Justificatif de domicile",
        12,
    ),
    CriterionDefinition(
        "siae_employee", "Salarié d'une SIAE", "Contrat de travail ou attestation", None
    ),
    CriterionDefinition("geiq_employee", "Salarié d'un GEIQ", "Contrat de travail", None),
    CriterionDefinition(
        "second_chance",
        "Stagiaire d'une école de la deuxième chance ou de l'EPIDE",
        "Attestation de l'E2C ou de l'EPIDE",
        None,
    ),
    CriterionDefinition(
        "prescriber_opinion",
        "Autre, sur avis motivé d'un prescripteur",
        "Avis motivé du prescripteur",
        None,
    ),
)


class OutcomeMoment(models.TextChoices):
    """When a participant's situation is observed: on leaving, and six months later."""

    EXIT = "exit", "À la sortie"
    SIX_MONTHS = "six_months", "À 6 mois"


class OutcomeSituation(models.TextChoices):
    """A participant's situation, in the categories facilitators report to their funders."""

    DURABLE_CDI = "durable_cdi", "Emploi durable — CDI"
    DURABLE_FIXED_TERM = "durable_fixed_term", "Emploi durable — CDD ou mission de 6 mois et plus"
    BUSINESS_CREATION = "business_creation", "Emploi durable — création d'entreprise"
    TRANSITION_JOB = (
        "transition_job",
        "Emploi de transition — CDD ou mission de moins de 6 mois, contrat aidé, SIAE",
    )
    QUALIFYING_TRAINING = "qualifying_training", "Formation qualifiante"
    JOB_SEEKING = "job_seeking", "En recherche d'emploi"
    INACTIVE = "inactive", "Inactif — santé, famille, déménagement"
    UNKNOWN = "unknown", "Situation inconnue"


class OutcomeCategory(models.TextChoices):
    """The four outcomes a report shows: durable job, transition job, training, other."""

    DURABLE_JOB = "durable_job", "Emploi durable"
    TRANSITION_JOB = "transition_job", "Emploi de transition"
    TRAINING = "training", "Formation qualifiante"
    OTHER = "other", "Autre situation"


OUTCOME_CATEGORIES: dict[str, str] = {
    OutcomeSituation.DURABLE_CDI: OutcomeCategory.DURABLE_JOB,
    OutcomeSituation.DURABLE_FIXED_TERM: OutcomeCategory.DURABLE_JOB,
    OutcomeSituation.BUSINESS_CREATION: OutcomeCategory.DURABLE_JOB,
    OutcomeSituation.TRANSITION_JOB: OutcomeCategory.TRANSITION_JOB,
    OutcomeSituation.QUALIFYING_TRAINING: OutcomeCategory.TRAINING,
    OutcomeSituation.JOB_SEEKING: OutcomeCategory.OTHER,
    OutcomeSituation.INACTIVE: OutcomeCategory.OTHER,
    OutcomeSituation.UNKNOWN: OutcomeCategory.OTHER,
}

# Situations counted as "in employment, including self-employment" (ESF result indicators).
EMPLOYMENT_SITUATIONS = frozenset(
    {
        OutcomeSituation.DURABLE_CDI,
        OutcomeSituation.DURABLE_FIXED_TERM,
        OutcomeSituation.BUSINESS_CREATION,
        OutcomeSituation.TRANSITION_JOB,
    }
)


class LabourStatus(models.TextChoices):
    """Labour market status at entry, as the ESF common output indicators count it."""

    LONG_TERM_UNEMPLOYED = "long_term_unemployed", "Chômeur de longue durée (12 mois et plus)"
    UNEMPLOYED = "unemployed", "Chômeur (moins de 12 mois)"
    INACTIVE = "inactive", "Inactif (ni en emploi, ni en recherche d'emploi)"
    EMPLOYED = "employed", "En emploi, y compris indépendant"


class IscedBand(models.TextChoices):
    """Education level in the bands of the ESF common indicators (ISCED 2011)."""

    ISCED_0_2 = "isced_0_2", "CITE 0 à 2 — jusqu'au collège"
    ISCED_3_4 = "isced_3_4", "CITE 3 et 4 — lycée, CAP, BEP, baccalauréat"
    ISCED_5_8 = "isced_5_8", "CITE 5 à 8 — enseignement supérieur"


# The ISCED band of each French qualification level (CAP and BEP are upper secondary).
ISCED_BAND_OF_QUALIFICATION: dict[str, str] = {
    QualificationLevel.NONE: IscedBand.ISCED_0_2,
    QualificationLevel.LEVEL_3: IscedBand.ISCED_3_4,
    QualificationLevel.LEVEL_4: IscedBand.ISCED_3_4,
    QualificationLevel.LEVEL_5: IscedBand.ISCED_5_8,
    QualificationLevel.LEVEL_6: IscedBand.ISCED_5_8,
    QualificationLevel.LEVEL_7: IscedBand.ISCED_5_8,
}


class HoursImportStatus(models.TextChoices):
    """Where an import of a spreadsheet of hours stands."""

    RECEIVED = "received", "Colonnes à préciser"
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    INVALID = "invalid", "Erreurs à corriger"
    DONE = "done", "Importé"
    FAILED = "failed", "Échec"


HOURS_IMPORT_STATUS_COLOURS = {
    HoursImportStatus.RECEIVED: "secondary",
    HoursImportStatus.QUEUED: "info",
    HoursImportStatus.RUNNING: "info",
    HoursImportStatus.INVALID: "danger",
    HoursImportStatus.DONE: "success",
    HoursImportStatus.FAILED: "danger",
}
