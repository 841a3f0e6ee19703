"""Writes of hiring needs and referrals.

Each function checks that the actor's role allows the change, validates everything before
it writes, writes in one transaction, records the change in the need's append-only history
and notifies the people concerned (emails leave once the transaction commits).

The history keeps stages and ids, never a candidate's identity: that stays on the referral.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tremplin.core.history import only_changes, snapshot
from tremplin.core.models import RomeJobTitle
from tremplin.core.postal_codes import compact as compact_postal_code
from tremplin.core.postal_codes import postal_code_problem
from tremplin.core.validators import check_postal_code
from tremplin.inclusion import services as inclusion_services
from tremplin.inclusion.age import birth_date_problem
from tremplin.inclusion.duplicates import normalise
from tremplin.inclusion.models import EligibilityCriterion, Participant, Placement
from tremplin.matching.areas import covers, department_of
from tremplin.matching.enums import (
    EXECUTION_MODE_OF_CONTRACT_TYPE,
    REFERRAL_STAGE_IN_TITLE,
    EmploymentContractType,
    MatchingAction,
    NeedStatusChoice,
    ReferralStatusChoice,
)
from tremplin.matching.models import HiringNeed, MatchingEvent, Referral, contract_holders
from tremplin.matching.pipeline import (
    NeedStatus,
    ReferralStatus,
    can_move_need,
    can_move_referral,
    visible_to_company,
)
from tremplin.notifications.enums import NotificationKind
from tremplin.notifications.services import notify_organisations
from tremplin.organisations.access import scope_for
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation, User
from tremplin.procurement.models import Contract

NEED_FIELDS = (
    "contract_id",
    "employer_id",
    "job_id",
    "positions",
    "start_date",
    "duration_months",
    "place",
    "postal_code",
    "contract_type",
    "weekly_hours",
    "requirements",
)
# What a need's form may change (the contract is chosen once, at creation).
EDITABLE_NEED_FIELDS = frozenset(
    {
        "employer",
        "job",
        "positions",
        "start_date",
        "duration_months",
        "place",
        "postal_code",
        "contract_type",
        "weekly_hours",
        "requirements",
        "reserved_criteria",
    }
)
OPEN_REFERRAL_STATUSES = (
    ReferralStatus.REFERRED,
    ReferralStatus.SHORTLISTED,
    ReferralStatus.INTERVIEW,
)
NOT_A_FACILITATOR = "Seule la structure de facilitation qui suit ce marché peut le faire."
NOT_ALLOWED = "Vous ne pouvez pas modifier ce besoin."


# History and roles ----------------------------------------------------------------------


def _record(
    *,
    actor: User | None,
    need: HiringNeed,
    action: str,
    instance: HiringNeed | Referral,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> MatchingEvent:
    event = MatchingEvent(
        need=need,
        actor=actor,
        action=action,
        object_type=type(instance)._meta.model_name,
        object_id=instance.pk,
        before=before,
        after=after,
    )
    event.save()
    return event


def _need_snapshot(need: HiringNeed) -> dict[str, Any]:
    values = snapshot(need, NEED_FIELDS)
    values["reserved_criteria"] = sorted(need.reserved_criteria.values_list("code", flat=True))
    return values


def _is_facilitator(actor: User, need_or_contract: HiringNeed | Contract) -> bool:
    contract = (
        need_or_contract.contract if isinstance(need_or_contract, HiringNeed) else need_or_contract
    )
    return contract.facilitator_id in scope_for(actor).facilitator_ids


def _is_employer(actor: User, need: HiringNeed) -> bool:
    return need.employer_id in scope_for(actor).company_ids


def _check_facilitator(actor: User, need: HiringNeed) -> None:
    if not _is_facilitator(actor, need):
        raise ValidationError(NOT_A_FACILITATOR, code="not_facilitator")


def _check_need_move(need: HiringNeed, target: NeedStatus, message: str) -> None:
    if not can_move_need(NeedStatus(need.status), target):
        raise ValidationError(message, code="need_status")


def _lock(need: HiringNeed) -> HiringNeed:
    """The need as stored, locked until the transaction ends (two hires of the last post
    must not both succeed)."""
    return (
        HiringNeed.objects.select_for_update()
        .select_related("contract__facilitator", "employer", "job")
        .get(pk=need.pk)
    )


def _holders_message(contract: Contract) -> str:
    return (
        f"L'employeur doit être titulaire, cotraitant, sous-traitant ou titulaire d'un lot "
        f"du marché {contract.reference}."
    )


def _check_need(need: HiringNeed, criteria: Iterable[EligibilityCriterion]) -> None:
    """The rules a need keeps, whoever writes it (beyond the model's own)."""
    errors: dict[str, str] = {}
    contract = need.contract
    if need.employer_id and not contract_holders(contract).filter(pk=need.employer_id).exists():
        errors["employer"] = _holders_message(contract)
    if need.start_date and need.start_date > contract.execution_end:
        errors["start_date"] = (
            f"Le poste doit commencer avant la fin d'exécution du marché "
            f"({contract.execution_end:%d/%m/%Y})."
        )
    if problem := postal_code_problem(need.postal_code or ""):
        errors["postal_code"] = problem
    elif not department_of(need.postal_code or ""):
        errors["postal_code"] = (
            "Indiquez le code postal du lieu de travail (5 chiffres) : "
            "il dit à quels prescripteurs le besoin est montré."
        )
    if need.duration_months is not None and need.duration_months < 1:
        errors["duration_months"] = "La durée se compte en mois, un au moins."
    network_id = contract.facilitator.network_id
    refused = [
        criterion.label
        for criterion in criteria
        if not criterion.networks.filter(pk=network_id).exists()
    ]
    if refused:
        errors["reserved_criteria"] = (
            f"Ce public n'est pas retenu par le réseau : {', '.join(refused)}."
        )
    if errors:
        raise ValidationError(errors)


# Hiring needs ---------------------------------------------------------------------------


@transaction.atomic
def need_create(
    *,
    actor: User,
    contract: Contract,
    employer: Organisation,
    job: RomeJobTitle,
    start_date: date,
    place: str,
    contract_type: str,
    positions: int = 1,
    duration_months: int | None = None,
    postal_code: str = "",
    weekly_hours: Decimal | None = None,
    requirements: str = "",
    reserved_criteria: Iterable[EligibilityCriterion] = (),
) -> HiringNeed:
    """A company drafts a need on a contract it holds (its facilitator may draft it for it)."""
    scope = scope_for(actor)
    if (
        contract.facilitator_id not in scope.facilitator_ids
        and employer.pk not in scope.company_ids
    ):
        raise ValidationError(
            "Seuls l'entreprise qui emploie et la structure de facilitation du marché "
            "déposent un besoin.",
            code="not_allowed",
        )
    criteria = list(reserved_criteria)
    need = HiringNeed(
        contract=contract,
        employer=employer,
        job=job,
        positions=positions,
        start_date=start_date,
        duration_months=duration_months,
        place=place.strip(),
        postal_code=(postal_code or "").strip().replace(" ", ""),
        contract_type=contract_type,
        weekly_hours=weekly_hours,
        requirements=requirements.strip(),
        status=NeedStatusChoice.DRAFT,
        created_by=actor,
    )
    need.full_clean()
    _check_need(need, criteria)
    need.save()
    need.reserved_criteria.set(criteria)
    _record(
        actor=actor,
        need=need,
        action=MatchingAction.NEED_CREATED,
        instance=need,
        before=None,
        after=_need_snapshot(need),
    )
    return need


@transaction.atomic
def need_update(*, actor: User, need: HiringNeed, **fields: Any) -> HiringNeed:
    """The company edits its draft; the facilitator a draft or a need awaiting publication."""
    unknown = set(fields) - EDITABLE_NEED_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    need = _lock(need)
    if _is_facilitator(actor, need):
        if need.status not in (NeedStatusChoice.DRAFT, NeedStatusChoice.SUBMITTED):
            raise ValidationError(
                "Un besoin publié ne se modifie plus : fermez-le et déposez-en un autre.",
                code="need_status",
            )
    elif _is_employer(actor, need):
        if need.status != NeedStatusChoice.DRAFT:
            raise ValidationError(
                "Le besoin est transmis au facilitateur : demandez-lui de vous le renvoyer "
                "pour le modifier.",
                code="need_status",
            )
        employer = fields.get("employer")
        if employer is not None and employer.pk not in scope_for(actor).company_ids:
            raise ValidationError({"employer": "Choisissez votre entreprise."})
    else:
        raise ValidationError(NOT_ALLOWED, code="not_allowed")
    before = _need_snapshot(need)
    criteria = fields.pop("reserved_criteria", None)
    for name, value in fields.items():
        setattr(need, name, value.strip() if isinstance(value, str) else value)
    need.postal_code = need.postal_code.replace(" ", "")
    need.full_clean()
    kept_criteria = list(criteria) if criteria is not None else list(need.reserved_criteria.all())
    _check_need(need, kept_criteria)
    need.save()
    need.reserved_criteria.set(kept_criteria)
    after = _need_snapshot(need)
    if before != after:
        before_change, after_change = only_changes(before, after)
        _record(
            actor=actor,
            need=need,
            action=MatchingAction.NEED_UPDATED,
            instance=need,
            before=before_change,
            after=after_change,
        )
    return need


def _set_need_status(
    *,
    actor: User,
    need: HiringNeed,
    status: str,
    action: str,
    extra: dict[str, Any] | None = None,
) -> None:
    before = {"status": need.status}
    need.status = status
    need.save(update_fields=["status", "published_at", "filled_at"])
    _record(
        actor=actor,
        need=need,
        action=action,
        instance=need,
        before=before,
        after={"status": status, **(extra or {})},
    )


def need_label(need: HiringNeed) -> str:
    return f"{need.job.title} — {need.place}"


@transaction.atomic
def need_submit(*, actor: User, need: HiringNeed) -> HiringNeed:
    """The company hands its draft to the facilitator, who checks and publishes it."""
    need = _lock(need)
    if not (_is_employer(actor, need) or _is_facilitator(actor, need)):
        raise ValidationError(NOT_ALLOWED, code="not_allowed")
    _check_need_move(need, NeedStatus.SUBMITTED, "Seul un brouillon se transmet au facilitateur.")
    _set_need_status(
        actor=actor, need=need, status=NeedStatus.SUBMITTED, action=MatchingAction.NEED_SUBMITTED
    )
    notify_organisations(
        [need.contract.facilitator_id],
        NotificationKind.NEED_SUBMITTED,
        f"Besoin de recrutement à publier : {need_label(need)} ({need.employer.name})",
        url=reverse("matching:need_detail", args=[need.pk]),
        body=f"{need.positions} poste(s) sur le marché {need.contract.reference}, "
        f"à partir du {need.start_date:%d/%m/%Y}.",
        exclude=actor,
    )
    return need


def prescribers_covering(need: HiringNeed) -> list[Organisation]:
    """The prescribers of the need's network whose area covers its place of work."""
    prescribers = Organisation.objects.filter(
        network_id=need.contract.facilitator.network_id, kind=OrganisationKind.PRESCRIBER
    ).only("pk", "area_departments")
    return [
        prescriber
        for prescriber in prescribers
        if covers(prescriber.area_departments, need.postal_code)
    ]


@transaction.atomic
def need_publish(*, actor: User, need: HiringNeed) -> HiringNeed:
    """The facilitator shows the need to the network's prescribers of its area."""
    need = _lock(need)
    _check_facilitator(actor, need)
    if need.status == NeedStatusChoice.DRAFT:
        # The facilitator publishing a draft (its own, or one it completed) submits it first:
        # the history keeps both steps, as the pipeline has them.
        _set_need_status(
            actor=actor,
            need=need,
            status=NeedStatus.SUBMITTED,
            action=MatchingAction.NEED_SUBMITTED,
        )
    _check_need_move(
        need,
        NeedStatus.PUBLISHED,
        "Seul un besoin en brouillon, à publier ou pourvu trop tôt peut être publié.",
    )
    if need.status == NeedStatusChoice.FILLED:
        need.filled_at = None
    if need.published_at is None:
        need.published_at = timezone.now()
    _set_need_status(
        actor=actor, need=need, status=NeedStatus.PUBLISHED, action=MatchingAction.NEED_PUBLISHED
    )
    url = reverse("matching:need_detail", args=[need.pk])
    body = (
        f"{need.employer.name} recrute {need.positions} personne(s) "
        f"({need.get_contract_type_display()}) à partir du {need.start_date:%d/%m/%Y}. "
        "Proposez vos candidats depuis Tremplin."
    )
    notify_organisations(
        [prescriber.pk for prescriber in prescribers_covering(need)],
        NotificationKind.NEED_PUBLISHED,
        f"Nouvelle offre sur votre territoire : {need_label(need)}",
        url=url,
        body=body,
        exclude=actor,
    )
    notify_organisations(
        [need.employer_id],
        NotificationKind.NEED_PUBLISHED,
        f"Votre besoin est publié aux prescripteurs : {need_label(need)}",
        url=url,
        exclude=actor,
    )
    return need


@transaction.atomic
def need_send_back(*, actor: User, need: HiringNeed, comment: str) -> HiringNeed:
    """The facilitator returns a submitted need to the company to complete (→ draft)."""
    need = _lock(need)
    _check_facilitator(actor, need)
    comment = comment.strip()
    if not comment:
        raise ValidationError(
            {"comment": "Dites à l'entreprise ce qu'elle doit compléter ou corriger."}
        )
    if need.status != NeedStatusChoice.SUBMITTED:
        raise ValidationError(
            "Seul un besoin transmis et pas encore publié se renvoie à l'entreprise.",
            code="need_status",
        )
    _set_need_status(
        actor=actor,
        need=need,
        status=NeedStatus.DRAFT,
        action=MatchingAction.NEED_SENT_BACK,
        extra={"comment": comment},
    )
    return need


@transaction.atomic
def need_close(*, actor: User, need: HiringNeed, reason: str = "") -> HiringNeed:
    """The facilitator closes a need; its candidates still in progress are not retained."""
    need = _lock(need)
    _check_facilitator(actor, need)
    _check_need_move(need, NeedStatus.CLOSED, "Ce besoin ne peut plus être clos.")
    reason = reason.strip()
    _set_need_status(
        actor=actor,
        need=need,
        status=NeedStatus.CLOSED,
        action=MatchingAction.NEED_CLOSED,
        extra={"reason": reason} if reason else None,
    )
    _close_open_referrals(actor, need, reason or "Le besoin a été clos.")
    return need


def _close_open_referrals(actor: User, need: HiringNeed, reason: str) -> None:
    for referral in need.referrals.filter(status__in=OPEN_REFERRAL_STATUSES).select_related(
        "prescriber"
    ):
        _move(
            actor=actor,
            need=need,
            referral=referral,
            target=ReferralStatus.NOT_RETAINED,
            reason=reason,
        )


# Referrals ------------------------------------------------------------------------------


def _check_birth_date(birth_date: date | None) -> None:
    if birth_date is None:
        return
    if problem := birth_date_problem(birth_date, timezone.localdate(), "Une personne proposée"):
        raise ValidationError({"birth_date": problem})


def reserved_public_problem(
    reserved: Sequence[EligibilityCriterion], vouched: Iterable[EligibilityCriterion]
) -> str | None:
    """Why a referral to an offer reserved to some publics cannot go, in French: the
    prescriber vouches for none of them. None when the offer is open to all, or vouched."""
    if not reserved or {criterion.pk for criterion in reserved} & {c.pk for c in vouched}:
        return None
    labels = " ; ".join(criterion.label for criterion in reserved)
    return (
        f"Cette offre est réservée à un public précis ({labels}) : attestez au moins "
        "l'un de ces critères pour proposer la candidature."
    )


def hired_count(need: HiringNeed) -> int:
    return need.referrals.filter(status=ReferralStatus.HIRED).count()


@transaction.atomic
def referral_create(
    *,
    actor: User,
    need: HiringNeed,
    prescriber: Organisation,
    first_name: str,
    last_name: str,
    birth_date: date,
    sex: str,
    postal_code: str = "",
    email: str = "",
    phone: str = "",
    vouched_criteria: Iterable[EligibilityCriterion] = (),
    motivation: str = "",
) -> Referral:
    """A prescriber refers a candidate to a published need of its area."""
    if prescriber.pk not in scope_for(actor).prescriber_ids:
        raise ValidationError(
            "Seul un membre du prescripteur peut proposer un candidat en son nom.",
            code="not_prescriber",
        )
    need = _lock(need)
    if prescriber.network_id != need.contract.facilitator.network_id or not covers(
        prescriber.area_departments, need.postal_code
    ):
        raise ValidationError(
            "Ce besoin n'est pas proposé sur votre territoire.", code="out_of_area"
        )
    if need.status == NeedStatusChoice.FILLED or (
        need.status == NeedStatusChoice.PUBLISHED and hired_count(need) >= need.positions
    ):
        raise ValidationError(
            "Tous les postes de ce besoin sont déjà pourvus : il ne reçoit plus de candidatures.",
            code="need_filled",
        )
    if need.status != NeedStatusChoice.PUBLISHED:
        raise ValidationError(
            "Ce besoin n'est pas publié : il ne reçoit pas de candidatures.",
            code="need_not_published",
        )
    criteria = list(vouched_criteria)
    network_id = need.contract.facilitator.network_id
    if any(not criterion.networks.filter(pk=network_id).exists() for criterion in criteria):
        raise ValidationError({"vouched_criteria": "Ce critère n'est pas retenu par le réseau."})
    if message := reserved_public_problem(list(need.reserved_criteria.all()), criteria):
        raise ValidationError({"vouched_criteria": message})
    _check_birth_date(birth_date)
    referral = Referral(
        need=need,
        prescriber=prescriber,
        referred_by=actor,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        birth_date=birth_date,
        sex=sex,
        postal_code=compact_postal_code(postal_code),
        email=email.strip(),
        phone=phone.strip(),
        motivation=motivation.strip(),
    )
    check_postal_code(referral)
    # The model's unique constraint gives its own message for a person already referred.
    referral.full_clean()
    referral.save()
    referral.vouched_criteria.set(criteria)
    _record(
        actor=actor,
        need=need,
        action=MatchingAction.REFERRAL_CREATED,
        instance=referral,
        before=None,
        after={
            "status": referral.status,
            "prescriber_id": prescriber.pk,
            "vouched_criteria": sorted(criterion.code for criterion in criteria),
        },
    )
    notify_organisations(
        [need.contract.facilitator_id],
        NotificationKind.REFERRAL_RECEIVED,
        f"Nouvelle candidature de {referral.short_name} pour {need_label(need)}",
        url=reverse("matching:referral_detail", args=[referral.pk]),
        body=f"Proposée par {prescriber.name}.",
        exclude=actor,
    )
    return referral


def _lock_referral(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("prescriber", "need__contract__facilitator", "need__employer", "need__job")
        .get(pk=referral.pk)
    )


def _check_mover(actor: User, referral: Referral, target: ReferralStatus) -> None:
    """The facilitator moves any referral; the company only those shown to it."""
    need = referral.need
    if _is_facilitator(actor, need):
        return
    if _is_employer(actor, need) and visible_to_company(
        ReferralStatus(referral.status), referral.shortlisted_at is not None
    ):
        return
    if _is_employer(actor, need) and target == ReferralStatus.SHORTLISTED:
        raise ValidationError("La présélection revient au facilitateur.", code="not_allowed")
    raise ValidationError(
        "Vous ne pouvez pas changer l'étape de cette candidature.", code="not_allowed"
    )


def _notify_stage(actor: User | None, referral: Referral, *, url: str = "") -> None:
    """The prescriber's members, and the company's once the candidate is shown to it."""
    need = referral.need
    stage = REFERRAL_STAGE_IN_TITLE.get(
        ReferralStatusChoice(referral.status), referral.get_status_display()
    )
    title = f"Candidature de {referral.short_name} : {stage}"
    detail_url = reverse("matching:referral_detail", args=[referral.pk])
    reason = f"Motif : {referral.refusal_reason}" if referral.refusal_reason else ""
    notify_organisations(
        [referral.prescriber_id],
        NotificationKind.REFERRAL_STATUS,
        title,
        url=detail_url,
        body="\n".join(
            line
            for line in (
                f"{referral.full_name}, proposé(e) pour {need_label(need)} chez {need.employer.name}.",
                reason,
            )
            if line
        ),
        exclude=actor,
    )
    if visible_to_company(ReferralStatus(referral.status), referral.shortlisted_at is not None):
        notify_organisations(
            [need.employer_id],
            NotificationKind.REFERRAL_STATUS,
            title,
            url=detail_url,
            body=f"Besoin : {need_label(need)}.",
            exclude=actor,
        )


def _move(
    *,
    actor: User,
    need: HiringNeed,
    referral: Referral,
    target: ReferralStatus,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> Referral:
    if not can_move_referral(ReferralStatus(referral.status), target):
        raise ValidationError(
            f"Une candidature « {referral.get_status_display().lower()} » ne peut pas passer "
            f"à l'étape « {ReferralStatusChoice(target).label.lower()} ».",
            code="referral_status",
        )
    reason = reason.strip()
    if target == ReferralStatus.NOT_RETAINED and not reason:
        raise ValidationError(
            {
                "reason": "Indiquez pourquoi la candidature n'est pas retenue : le prescripteur le lira."
            }
        )
    before = {"status": referral.status}
    now = timezone.now()
    referral.need = need
    referral.status = target
    referral.status_changed_at = now
    if target == ReferralStatus.SHORTLISTED and referral.shortlisted_at is None:
        referral.shortlisted_at = now
    if target == ReferralStatus.NOT_RETAINED:
        referral.refusal_reason = reason[:300]
    referral.full_clean(exclude=["need", "prescriber", "participant"], validate_unique=False)
    referral.save()
    after: dict[str, Any] = {"status": target, **(extra or {})}
    if target == ReferralStatus.NOT_RETAINED:
        after["reason"] = referral.refusal_reason
    _record(
        actor=actor,
        need=need,
        action=MatchingAction.REFERRAL_HIRED
        if target == ReferralStatus.HIRED
        else MatchingAction.REFERRAL_MOVED,
        instance=referral,
        before=before,
        after=after,
    )
    _notify_stage(actor, referral)
    return referral


@transaction.atomic
def referral_move(*, actor: User, referral: Referral, target: str, reason: str = "") -> Referral:
    """Shortlist, interview or set aside a candidate (a hire goes through ``referral_hire``)."""
    referral = _lock_referral(referral)
    try:
        wanted = ReferralStatus(target)
    except ValueError:
        raise ValidationError("Étape inconnue.", code="referral_status") from None
    _check_mover(actor, referral, wanted)
    if wanted == ReferralStatus.HIRED:
        raise ValidationError(
            "Un recrutement s'enregistre avec sa date de début (bouton « Recruter »).",
            code="referral_status",
        )
    if referral.need.status == NeedStatusChoice.CLOSED:
        raise ValidationError("Ce besoin est clos.", code="need_status")
    return _move(actor=actor, need=referral.need, referral=referral, target=wanted, reason=reason)


# Hiring ---------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def placement_end(
    *, contract_type: str, duration_months: int | None, start_date: date, contract_end: date
) -> date | None:
    """When the placement on the contract ends: after the need's duration, and never after
    the contract (the hours count on the contract only); a CDI has no end."""
    if contract_type == EmploymentContractType.CDI or not duration_months:
        return None
    end = _add_months(start_date, duration_months) - timedelta(days=1)
    return min(end, contract_end)


def find_participant(facilitator: Organisation, referral: Referral) -> Participant | None:
    """The person already followed by the structure: same names (case, accents, hyphens
    aside) and same birth date; a record merged into another is left out."""
    wanted = (normalise(referral.last_name), normalise(referral.first_name))
    candidates = Participant.objects.filter(
        facilitator=facilitator, birth_date=referral.birth_date
    ).order_by("pk")
    for participant in candidates:
        if (normalise(participant.last_name), normalise(participant.first_name)) == wanted:
            return participant
    return None


@transaction.atomic
def referral_hire(
    *,
    actor: User,
    referral: Referral,
    start_date: date,
    execution_mode: str | None = None,
) -> Placement:
    """Hire a candidate: find or create the participant in the facilitator's records, carry
    over the criteria the prescriber vouched for, create the placement on the need's
    contract; the need is filled with its last post. All or nothing."""
    referral = _lock_referral(referral)
    need = _lock(referral.need)
    referral.need = need
    _check_mover(actor, referral, ReferralStatus.HIRED)
    if not can_move_referral(ReferralStatus(referral.status), ReferralStatus.HIRED):
        raise ValidationError(
            "Seul un candidat présélectionné ou reçu en entretien peut être recruté.",
            code="referral_status",
        )
    if need.status != NeedStatusChoice.PUBLISHED:
        raise ValidationError(
            "Tous les postes de ce besoin sont pourvus."
            if need.status == NeedStatusChoice.FILLED
            else "Ce besoin n'est pas publié : on n'y recrute pas.",
            code="need_status",
        )
    facilitator = need.contract.facilitator
    participant = find_participant(facilitator, referral)
    if participant is None:
        participant = inclusion_services.participant_create(
            actor=actor,
            facilitator=facilitator,
            first_name=referral.first_name,
            last_name=referral.last_name,
            birth_date=referral.birth_date,
            sex=referral.sex,
            postal_code=referral.postal_code,
            email=referral.email,
            phone=referral.phone,
            referred_by=referral.prescriber,
        )
    held = set(participant.criteria.values_list("criterion_id", flat=True))
    attested_on = timezone.localtime(referral.created_at).date()
    for criterion in referral.vouched_criteria.all():
        if criterion.pk in held:
            continue  # the structure's own record of it stays
        # A prescriber's attestation is the evidence facilitators usually accept.
        inclusion_services.criterion_set(
            actor=actor,
            participant=participant,
            criterion=criterion,
            evidence=f"Attesté par {referral.prescriber.name} lors de la candidature "
            f"du {attested_on:%d/%m/%Y}",
            checked_on=attested_on,
        )
    placement = inclusion_services.placement_create(
        actor=actor,
        participant=participant,
        contract=need.contract,
        employer=need.employer,
        execution_mode=execution_mode or EXECUTION_MODE_OF_CONTRACT_TYPE[need.contract_type],
        job=need.job,
        start_date=start_date,
        end_date=placement_end(
            contract_type=need.contract_type,
            duration_months=need.duration_months,
            start_date=start_date,
            contract_end=need.contract.execution_end,
        ),
    )
    referral.participant = participant
    _move(
        actor=actor,
        need=need,
        referral=referral,
        target=ReferralStatus.HIRED,
        extra={"participant_id": participant.pk, "placement_id": placement.pk},
    )
    notify_organisations(
        [facilitator.pk],
        NotificationKind.REFERRAL_STATUS,
        f"{referral.short_name} recruté(e) : mise en emploi à vérifier",
        url=reverse("inclusion:placement_detail", args=[placement.pk]),
        body=f"{need_label(need)} chez {need.employer.name}, à partir du {start_date:%d/%m/%Y}.",
        exclude=actor,
    )
    if hired_count(need) >= need.positions:
        need.filled_at = timezone.now()
        _set_need_status(
            actor=actor, need=need, status=NeedStatus.FILLED, action=MatchingAction.NEED_FILLED
        )
        _close_open_referrals(actor, need, "Tous les postes sont pourvus.")
    return placement
