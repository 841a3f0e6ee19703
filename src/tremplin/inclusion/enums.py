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
    PARTICIPANTS_MERGED = "participants_merged", "Doublon fusionné dans cette fiche"


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
