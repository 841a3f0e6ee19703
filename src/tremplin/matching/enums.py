"""Choices of the matching app: hiring needs and referrals."""

from django.db import models

from tremplin.inclusion.enums import ExecutionMode
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


# How a hire on each kind of employment contract counts on the clause: the placement's
# execution mode. A CDI has no end; the others end after the need's duration.
EXECUTION_MODE_OF_CONTRACT_TYPE: dict[str, str] = {
    EmploymentContractType.CDI: ExecutionMode.DIRECT_CDI,
    EmploymentContractType.CDD: ExecutionMode.DIRECT_CDD,
    EmploymentContractType.APPRENTICESHIP: ExecutionMode.APPRENTICESHIP,
    EmploymentContractType.PROFESSIONALISATION: ExecutionMode.PROFESSIONALISATION,
    EmploymentContractType.ETTI_ASSIGNMENT: ExecutionMode.PROVISION_ETTI,
    EmploymentContractType.GEIQ: ExecutionMode.PROVISION_GEIQ,
    EmploymentContractType.TEMP_ASSIGNMENT: ExecutionMode.TEMP_AGENCY,
    EmploymentContractType.SIAE: ExecutionMode.SUBCONTRACTING_SIAE,
}

NEED_STATUS_COLOURS = {
    NeedStatusChoice.DRAFT: "secondary",
    NeedStatusChoice.SUBMITTED: "warning",
    NeedStatusChoice.PUBLISHED: "primary",
    NeedStatusChoice.FILLED: "success",
    NeedStatusChoice.CLOSED: "dark",
}

REFERRAL_STATUS_COLOURS = {
    ReferralStatusChoice.REFERRED: "secondary",
    ReferralStatusChoice.SHORTLISTED: "info",
    ReferralStatusChoice.INTERVIEW: "warning",
    ReferralStatusChoice.HIRED: "success",
    ReferralStatusChoice.NOT_RETAINED: "danger",
}

# How a notification names a referral's new stage: « Candidature de Anli A. : présélectionnée ».
REFERRAL_STAGE_IN_TITLE = {
    ReferralStatusChoice.SHORTLISTED: "présélectionnée",
    ReferralStatusChoice.INTERVIEW: "en entretien",
    ReferralStatusChoice.HIRED: "recrutée",
    ReferralStatusChoice.NOT_RETAINED: "non retenue",
}

# The buttons that move a referral, by target stage.
REFERRAL_MOVE_LABELS = {
    ReferralStatusChoice.SHORTLISTED: "Présélectionner",
    ReferralStatusChoice.INTERVIEW: "Passer en entretien",
    ReferralStatusChoice.NOT_RETAINED: "Ne pas retenir",
}


class MatchingAction(models.TextChoices):
    """What a history event of the matching app records."""

    NEED_CREATED = "need_created", "Besoin créé"
    NEED_UPDATED = "need_updated", "Besoin modifié"
    NEED_SUBMITTED = "need_submitted", "Besoin transmis au facilitateur"
    NEED_PUBLISHED = "need_published", "Besoin publié aux prescripteurs"
    NEED_SENT_BACK = "need_sent_back", "Besoin renvoyé à l'entreprise"
    NEED_CLOSED = "need_closed", "Besoin clos"
    NEED_FILLED = "need_filled", "Besoin pourvu"
    REFERRAL_CREATED = "referral_created", "Candidature proposée"
    REFERRAL_MOVED = "referral_moved", "Candidature : changement d'étape"
    REFERRAL_HIRED = "referral_hired", "Candidat recruté"
