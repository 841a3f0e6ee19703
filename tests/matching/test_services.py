"""Writes of needs and referrals: who may do what, the French refusals, the history kept,
the people notified, and the hire that creates the participant and the placement."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import (
    CompanyFactory,
    HiringNeedFactory,
    ParticipantFactory,
    any_job,
    member_of,
)
from tremplin.inclusion.enums import CriterionStatus, ExecutionMode
from tremplin.inclusion.models import EligibilityCriterion, InclusionEvent, Participant, Placement
from tremplin.matching import services
from tremplin.matching.enums import EXECUTION_MODE_OF_CONTRACT_TYPE, EmploymentContractType
from tremplin.matching.models import HiringNeed, MatchingEvent, Referral
from tremplin.notifications.models import Notification
from tremplin.procurement.models import Lot

pytestmark = pytest.mark.django_db


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def _need_fields(territory, **fields):  # type: ignore[no-untyped-def]
    data = {
        "contract": territory.contract,
        "employer": territory.company,
        "job": any_job(),
        "start_date": datetime.date.today() + datetime.timedelta(days=20),
        "place": "Kawéni",
        "postal_code": "97600",
        "contract_type": EmploymentContractType.CDD,
        "duration_months": 6,
        "positions": 2,
    }
    data.update(fields)
    return data


def _refer(territory, need=None, **fields) -> Referral:  # type: ignore[no-untyped-def]
    data = {
        "actor": territory.prescriber_user,
        "need": need or territory.need,
        "prescriber": territory.prescriber,
        "first_name": "Anli",
        "last_name": "Attoumani",
        "birth_date": datetime.date(1994, 7, 12),
        "sex": "M",
        "postal_code": "97600",
        "email": "anli@example.fr",
        "vouched_criteria": list(EligibilityCriterion.objects.filter(code="rsa")),
        "motivation": "Motivé, trois ans d'expérience sur chantier.",
    }
    data.update(fields)
    return services.referral_create(**data)


def _titles(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# Hiring needs ---------------------------------------------------------------------------


def test_a_company_drafts_a_need_on_its_contract_and_the_history_keeps_it(territory):
    need = services.need_create(actor=territory.company_user, **_need_fields(territory))
    assert need.status == "draft"
    assert need.employer == territory.company
    event = MatchingEvent.objects.get(need=need)
    assert event.action == "need_created"
    assert event.actor == territory.company_user
    assert event.after["positions"] == 2


def test_a_co_contractor_subcontractor_or_lot_holder_may_post_a_need(territory):
    for relation in ("co_contractors", "subcontractors", "lot"):
        company = CompanyFactory(network=territory.contract.facilitator.network)
        user = member_of(company)
        if relation == "lot":
            Lot.objects.create(
                contract=territory.contract, number=7, title="Gros œuvre", awarded_company=company
            )
        else:
            getattr(territory.contract, relation).add(company)
        need = services.need_create(actor=user, **_need_fields(territory, employer=company))
        assert need.employer == company


def test_a_need_for_an_employer_outside_the_contract_is_refused(territory):
    stranger = CompanyFactory(network=territory.contract.facilitator.network)
    with pytest.raises(ValidationError) as error:
        services.need_create(
            actor=territory.facilitator, **_need_fields(territory, employer=stranger)
        )
    assert "L'employeur doit être titulaire, cotraitant, sous-traitant" in _messages(error)
    # A company cannot post for a contract it is not party to either.
    with pytest.raises(ValidationError):
        services.need_create(
            actor=member_of(stranger), **_need_fields(territory, employer=stranger)
        )
    assert not HiringNeed.objects.filter(employer=stranger).exists()


def test_a_need_without_a_french_postal_code_is_refused(territory):
    with pytest.raises(ValidationError) as error:
        services.need_create(
            actor=territory.company_user, **_need_fields(territory, postal_code="")
        )
    assert "code postal du lieu de travail" in _messages(error)


def test_the_company_edits_its_draft_only(territory):
    need = services.need_create(actor=territory.company_user, **_need_fields(territory))
    services.need_update(actor=territory.company_user, need=need, positions=3, place="Dzoumogné")
    event = MatchingEvent.objects.filter(action="need_updated").get()
    assert event.before == {"positions": 2, "place": "Kawéni"}
    assert event.after == {"positions": 3, "place": "Dzoumogné"}
    services.need_submit(actor=territory.company_user, need=need)
    with pytest.raises(ValidationError) as error:
        services.need_update(actor=territory.company_user, need=need, positions=4)
    assert "demandez-lui de vous le renvoyer" in _messages(error)
    # The facilitator still may, until it publishes.
    services.need_update(actor=territory.facilitator, need=need, positions=4)
    services.need_publish(actor=territory.facilitator, need=need)
    with pytest.raises(ValidationError) as error:
        services.need_update(actor=territory.facilitator, need=need, positions=5)
    assert "Un besoin publié ne se modifie plus" in _messages(error)
    need.refresh_from_db()
    assert need.positions == 4


def test_submitting_tells_the_facilitator_by_email_once_committed(
    territory, django_capture_on_commit_callbacks, mailoutbox
):
    need = services.need_create(actor=territory.company_user, **_need_fields(territory))
    with django_capture_on_commit_callbacks(execute=True):
        services.need_submit(actor=territory.company_user, need=need)
    need.refresh_from_db()
    assert need.status == "submitted"
    assert _titles(territory.facilitator)[0].startswith("Besoin de recrutement à publier")
    assert _titles(territory.company_user) == []
    assert [mail.to for mail in mailoutbox] == [[territory.facilitator.email]]


def test_only_the_facilitator_publishes_and_only_covered_prescribers_are_told(
    territory, django_capture_on_commit_callbacks, mailoutbox
):
    need = services.need_create(actor=territory.company_user, **_need_fields(territory))
    services.need_submit(actor=territory.company_user, need=need)
    with pytest.raises(ValidationError) as error:
        services.need_publish(actor=territory.company_user, need=need)
    assert "Seule la structure de facilitation" in _messages(error)
    with django_capture_on_commit_callbacks(execute=True):
        services.need_publish(actor=territory.facilitator, need=need)
    need.refresh_from_db()
    assert need.status == "published"
    assert need.published_at is not None
    # In the area (976) and everywhere (empty area): told; Essonne (91): not told.
    assert _titles(territory.prescriber_user) == [
        f"Nouvelle offre sur votre territoire : {need.job.title} — Kawéni"
    ]
    assert _titles(territory.other_prescriber_user)
    assert _titles(territory.far_prescriber_user) == []
    assert _titles(territory.company_user)[0].startswith("Votre besoin est publié")
    recipients = {address for mail in mailoutbox for address in mail.to}
    assert territory.far_prescriber_user.email not in recipients
    assert territory.prescriber_user.email in recipients


def test_publishing_a_draft_records_its_submission_first(territory):
    need = services.need_create(actor=territory.facilitator, **_need_fields(territory))
    services.need_publish(actor=territory.facilitator, need=need)
    actions = list(
        MatchingEvent.objects.filter(need=need).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["need_created", "need_submitted", "need_published"]


def test_sending_back_needs_a_comment_kept_in_the_history(territory):
    need = services.need_create(actor=territory.company_user, **_need_fields(territory))
    services.need_submit(actor=territory.company_user, need=need)
    with pytest.raises(ValidationError) as error:
        services.need_send_back(actor=territory.facilitator, need=need, comment="  ")
    assert "Dites à l'entreprise ce qu'elle doit compléter" in _messages(error)
    services.need_send_back(
        actor=territory.facilitator, need=need, comment="Précisez les habilitations."
    )
    need.refresh_from_db()
    assert need.status == "draft"
    event = MatchingEvent.objects.get(action="need_sent_back")
    assert event.before == {"status": "submitted"}
    assert event.after == {"status": "draft", "comment": "Précisez les habilitations."}


def test_closing_sets_aside_the_candidates_in_progress(territory):
    referral = _refer(territory)
    with pytest.raises(ValidationError):
        services.need_close(actor=territory.company_user, need=territory.need)
    services.need_close(actor=territory.facilitator, need=territory.need, reason="Chantier reporté")
    referral.refresh_from_db()
    assert referral.status == "not_retained"
    assert referral.refusal_reason == "Chantier reporté"
    assert "Candidature de Anli A. : non retenue" in _titles(territory.prescriber_user)
    with pytest.raises(ValidationError) as error:
        services.need_close(actor=territory.facilitator, need=territory.need)
    assert "ne peut plus être clos" in _messages(error)


# Referrals ------------------------------------------------------------------------------


def test_a_prescriber_refers_a_candidate_and_the_facilitator_is_told(
    territory, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _refer(territory)
    assert referral.status == "referred"
    assert referral.referred_by == territory.prescriber_user
    assert [c.code for c in referral.vouched_criteria.all()] == ["rsa"]
    title = f"Nouvelle candidature de Anli A. pour {territory.need.job.title} — Mamoudzou"
    assert _titles(territory.facilitator) == [title]
    assert mailoutbox[0].subject == f"[Tremplin] {title}"
    assert "Attoumani" not in mailoutbox[0].subject
    event = MatchingEvent.objects.get(action="referral_created")
    assert event.after == {
        "status": "referred",
        "prescriber_id": territory.prescriber.pk,
        "vouched_criteria": ["rsa"],
    }
    assert "Attoumani" not in str(event.after)


def test_a_need_not_published_or_already_filled_refuses_referrals(territory):
    draft = HiringNeedFactory(
        contract=territory.contract, status="draft", published_at=None, postal_code="97600"
    )
    with pytest.raises(ValidationError) as error:
        _refer(territory, need=draft)
    assert _messages(error) == "Ce besoin n'est pas publié : il ne reçoit pas de candidatures."
    filled = HiringNeedFactory(contract=territory.contract, status="filled", postal_code="97600")
    with pytest.raises(ValidationError) as error:
        _refer(territory, need=filled)
    assert "Tous les postes de ce besoin sont déjà pourvus" in _messages(error)


def test_the_same_person_is_referred_once_to_a_need(territory):
    _refer(territory)
    with pytest.raises(ValidationError) as error:
        _refer(
            territory, actor=territory.other_prescriber_user, prescriber=territory.other_prescriber
        )
    assert "Cette personne est déjà proposée sur ce besoin." in _messages(error)


def test_a_prescriber_refers_only_in_its_area_and_in_its_own_name(territory):
    with pytest.raises(ValidationError) as error:
        _refer(territory, actor=territory.far_prescriber_user, prescriber=territory.far_prescriber)
    assert _messages(error) == "Ce besoin n'est pas proposé sur votre territoire."
    with pytest.raises(ValidationError) as error:
        _refer(territory, actor=territory.other_prescriber_user)
    assert "Seul un membre du prescripteur" in _messages(error)
    assert not Referral.objects.exists()


def test_shortlisting_shows_the_candidate_to_the_company_and_tells_both(territory):
    referral = _refer(territory)
    services.referral_move(actor=territory.facilitator, referral=referral, target="shortlisted")
    referral.refresh_from_db()
    assert referral.status == "shortlisted"
    assert referral.shortlisted_at is not None
    title = "Candidature de Anli A. : présélectionnée"
    assert _titles(territory.prescriber_user) == [title]
    assert _titles(territory.company_user) == [title]
    event = MatchingEvent.objects.get(action="referral_moved")
    assert (event.before, event.after) == ({"status": "referred"}, {"status": "shortlisted"})


def test_a_candidate_set_aside_before_the_shortlist_is_never_shown_to_the_company(territory):
    referral = _refer(territory)
    with pytest.raises(ValidationError) as error:
        services.referral_move(
            actor=territory.facilitator, referral=referral, target="not_retained"
        )
    assert "Indiquez pourquoi la candidature n'est pas retenue" in _messages(error)
    services.referral_move(
        actor=territory.facilitator,
        referral=referral,
        target="not_retained",
        reason="Pas de permis B",
    )
    assert _titles(territory.prescriber_user) == ["Candidature de Anli A. : non retenue"]
    assert _titles(territory.company_user) == []


def test_the_company_moves_only_the_candidates_shown_to_it(territory):
    referral = _refer(territory)
    with pytest.raises(ValidationError) as error:
        services.referral_move(
            actor=territory.company_user, referral=referral, target="shortlisted"
        )
    assert _messages(error) == "La présélection revient au facilitateur."
    services.referral_move(actor=territory.facilitator, referral=referral, target="shortlisted")
    services.referral_move(actor=territory.company_user, referral=referral, target="interview")
    referral.refresh_from_db()
    assert referral.status == "interview"
    assert _titles(territory.prescriber_user)[0] == "Candidature de Anli A. : en entretien"
    # The prescriber follows its candidates; it moves none of them.
    with pytest.raises(ValidationError):
        services.referral_move(
            actor=territory.prescriber_user, referral=referral, target="not_retained", reason="x"
        )


def test_a_referral_never_skips_the_shortlist_or_goes_back(territory):
    referral = _refer(territory)
    with pytest.raises(ValidationError) as error:
        services.referral_move(actor=territory.facilitator, referral=referral, target="interview")
    assert _messages(error) == (
        "Une candidature « proposé » ne peut pas passer à l'étape « en entretien »."
    )
    with pytest.raises(ValidationError) as error:
        services.referral_move(actor=territory.facilitator, referral=referral, target="hired")
    assert "Recruter" in _messages(error)


# Hiring ---------------------------------------------------------------------------------


def _shortlisted(territory, **fields) -> Referral:  # type: ignore[no-untyped-def]
    referral = _refer(territory, **fields)
    services.referral_move(actor=territory.facilitator, referral=referral, target="shortlisted")
    referral.refresh_from_db()
    return referral


def test_hiring_creates_the_participant_its_criteria_and_the_placement(territory):
    referral = _shortlisted(territory)
    start = territory.need.start_date
    placement = services.referral_hire(
        actor=territory.facilitator, referral=referral, start_date=start
    )
    participant = placement.participant
    assert participant.facilitator == territory.contract.facilitator
    assert (participant.first_name, participant.last_name) == ("Anli", "Attoumani")
    assert participant.referred_by == territory.prescriber
    assert participant.email == "anli@example.fr"
    criterion = participant.criteria.get()
    assert criterion.criterion.code == "rsa"
    assert criterion.status == CriterionStatus.CONFIRMED
    assert criterion.evidence == (
        f"Attesté par France Travail Mamoudzou lors de la candidature du "
        f"{referral.created_at.astimezone().date():%d/%m/%Y}"
    )
    assert placement.contract == territory.contract
    assert placement.employer == territory.company
    assert placement.job == territory.need.job
    assert placement.execution_mode == ExecutionMode.DIRECT_CDD
    assert placement.start_date == start
    assert placement.end_date == services.placement_end(
        contract_type="cdd",
        duration_months=6,
        start_date=start,
        contract_end=territory.contract.execution_end,
    )
    referral.refresh_from_db()
    assert (referral.status, referral.participant) == ("hired", participant)
    # The inclusion history is written by inclusion's own services.
    assert set(
        InclusionEvent.objects.filter(participant=participant).values_list("action", flat=True)
    ) == {"participant_created", "criterion_set", "placement_created"}
    hired = MatchingEvent.objects.get(action="referral_hired")
    assert hired.after == {
        "status": "hired",
        "participant_id": participant.pk,
        "placement_id": placement.pk,
    }


def test_the_last_post_filled_fills_the_need_and_sets_aside_the_others(territory):
    first = _shortlisted(territory)
    waiting = _refer(territory, first_name="Roukia", last_name="Madi", sex="F")
    services.referral_hire(
        actor=territory.company_user, referral=first, start_date=territory.need.start_date
    )
    need = HiringNeed.objects.get(pk=territory.need.pk)
    assert need.status == "filled"
    assert need.filled_at is not None
    waiting.refresh_from_db()
    assert waiting.status == "not_retained"
    assert waiting.refusal_reason == "Tous les postes sont pourvus."
    assert MatchingEvent.objects.filter(action="need_filled").count() == 1
    # The facilitator is told of the placement the company's hire created.
    notification = Notification.objects.get(
        recipient=territory.facilitator, title__contains="recruté"
    )
    assert notification.url == reverse(
        "inclusion:placement_detail", args=[Placement.objects.get().pk]
    )


def test_a_need_of_two_posts_stays_open_after_the_first_hire(territory):
    territory.need.positions = 2
    territory.need.save()
    referral = _shortlisted(territory)
    services.referral_hire(
        actor=territory.facilitator, referral=referral, start_date=territory.need.start_date
    )
    territory.need.refresh_from_db()
    assert territory.need.status == "published"


def test_hiring_finds_the_person_already_followed(territory):
    rsa = EligibilityCriterion.objects.get(code="rsa")
    known = ParticipantFactory(
        facilitator=territory.contract.facilitator,
        first_name="ANLI",
        last_name="Attoumâni",
        birth_date=datetime.date(1994, 7, 12),
    )
    known.criteria.create(
        criterion=rsa, evidence="Attestation CAF", checked_on=datetime.date(2025, 1, 6)
    )
    referral = _shortlisted(territory)
    placement = services.referral_hire(
        actor=territory.facilitator, referral=referral, start_date=territory.need.start_date
    )
    assert placement.participant == known
    assert Participant.objects.count() == 1
    # The structure's own record of the criterion stays as it was.
    assert known.criteria.get().evidence == "Attestation CAF"


def test_a_hire_that_fails_writes_nothing(territory):
    referral = _shortlisted(territory)
    before = territory.contract.execution_start - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.referral_hire(actor=territory.facilitator, referral=referral, start_date=before)
    assert "période d'exécution du marché" in _messages(error)
    assert not Participant.objects.exists()
    assert not Placement.objects.exists()
    referral.refresh_from_db()
    assert referral.status == "shortlisted"
    assert not MatchingEvent.objects.filter(action="referral_hired").exists()


def test_a_candidate_only_referred_cannot_be_hired(territory):
    referral = _refer(territory)
    with pytest.raises(ValidationError) as error:
        services.referral_hire(
            actor=territory.facilitator, referral=referral, start_date=territory.need.start_date
        )
    assert "présélectionné ou reçu en entretien" in _messages(error)


@pytest.mark.parametrize(
    ("contract_type", "mode"),
    [
        ("cdi", "direct_cdi"),
        ("cdd", "direct_cdd"),
        ("apprenticeship", "apprenticeship"),
        ("professionalisation", "professionalisation"),
        ("etti_assignment", "provision_etti"),
        ("geiq", "provision_geiq"),
        ("temp_assignment", "temp_agency"),
        ("siae", "subcontracting_siae"),
    ],
)
def test_each_contract_type_gives_its_execution_mode(contract_type, mode):
    assert EXECUTION_MODE_OF_CONTRACT_TYPE[contract_type] == mode


@given(
    start_offset=st.integers(min_value=0, max_value=400),
    months=st.one_of(st.none(), st.integers(min_value=1, max_value=48)),
    contract_type=st.sampled_from(EmploymentContractType.values),
)
def test_a_placement_ends_after_the_duration_never_after_the_contract(
    start_offset, months, contract_type
):
    contract_start, contract_end = datetime.date(2026, 1, 1), datetime.date(2027, 2, 28)
    start = contract_start + datetime.timedelta(days=start_offset)
    end = services.placement_end(
        contract_type=contract_type,
        duration_months=months,
        start_date=start,
        contract_end=contract_end,
    )
    if contract_type == "cdi" or months is None:
        assert end is None
    else:
        assert end is not None
        assert end >= start - datetime.timedelta(days=1)
        assert end <= contract_end
        assert end < services._add_months(start, months)


# Plausible input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postal_code", "message"),
    [
        ("00123", "Le code postal 00123 n'existe pas : aucun département ne porte le numéro 00"),
        ("20400", "en Corse, les codes postaux commencent par 200 ou 201"),
        ("98000", "code postal du lieu de travail"),  # Monaco: no prescriber's area
    ],
)
def test_a_need_placed_at_an_impossible_postal_code_is_refused(territory, postal_code, message):
    with pytest.raises(ValidationError) as error:
        services.need_create(
            actor=territory.company_user, **_need_fields(territory, postal_code=postal_code)
        )
    assert message in _messages(error)


def test_a_candidate_born_81_years_ago_is_refused(territory):
    born = datetime.date(datetime.date.today().year - 81, 1, 1)
    with pytest.raises(ValidationError) as error:
        _refer(territory, birth_date=born)
    assert "Une personne proposée a au plus 80 ans" in _messages(error)
    assert not Referral.objects.exists()


def test_a_candidate_with_an_impossible_postal_code_is_refused(territory):
    with pytest.raises(ValidationError) as error:
        _refer(territory, postal_code="97800")
    assert "Le code postal 97800 n'existe pas" in _messages(error)
    assert not Referral.objects.exists()


def test_an_offer_reserved_to_rsa_needs_the_prescriber_to_vouch_for_it(territory):
    territory.need.reserved_criteria.set(EligibilityCriterion.objects.filter(code="rsa"))
    rqth = list(EligibilityCriterion.objects.filter(code="rqth"))
    for vouched in ([], rqth):
        with pytest.raises(ValidationError) as error:
            _refer(territory, vouched_criteria=vouched)
        assert "Cette offre est réservée à un public précis" in _messages(error)
        assert "attestez au moins l'un de ces critères" in _messages(error)
    assert not Referral.objects.exists()
    _refer(territory)  # vouching for RSA
    assert Referral.objects.count() == 1
