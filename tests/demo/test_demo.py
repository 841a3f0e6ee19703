"""The demo territories: what a newcomer sees after ``make demo``.

The demo is loaded once for the whole module (it writes thousands of rows through the
services) and removed afterwards; each test runs in a transaction rolled back after it.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count, Min, Q, Sum
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from stdnum.fr import siret as stdnum_siret

from tremplin.core.fte import whole_full_time_equivalents
from tremplin.core.hours import max_hours_in_month
from tremplin.decp.models import DecpImport, DecpRecord
from tremplin.demo.essonne import plan_essonne
from tremplin.demo.mayotte import plan_mayotte
from tremplin.demo.sirets import SiretBook
from tremplin.demo.territories import (
    DEMO_PASSWORD,
    ESSONNE_COORDINATOR_EMAIL,
    MAYOTTE_FACILITATOR_EMAIL,
    DemoLogin,
    demo_logins,
    demo_summary,
    load_demo,
    reset_demo,
)
from tremplin.inclusion.enums import CriterionStatus, EventAction, HoursStatus
from tremplin.inclusion.models import (
    EligibilityCriterion,
    HoursEntry,
    InclusionEvent,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.inclusion.selectors import participants_visible_to
from tremplin.organisations.access import scope_for
from tremplin.organisations.enums import BuyerKind, OrganisationKind
from tremplin.organisations.models import Network, NetworkCoordinator, Organisation, User
from tremplin.procurement.enums import LegalBasis
from tremplin.procurement.models import Clause, Contract
from tremplin.procurement.selectors import contracts_visible_to
from tremplin.reporting.funders import spaser_report

DEMO_SLUGS = ("mayotte", "essonne")
# The demo accounts are hashed once for the module: tests must check them with the same
# (fast) hasher, whatever the shared fixtures choose.
HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = HASHERS


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the demo once for the module, remove it at the end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=HASHERS):
        load_demo()
    yield
    with django_db_blocker.unblock():
        reset_demo()


@pytest.fixture
def mayotte(demo, db) -> Network:  # type: ignore[no-untyped-def]
    return Network.objects.get(slug="mayotte")


@pytest.fixture
def essonne(demo, db) -> Network:  # type: ignore[no-untyped-def]
    return Network.objects.get(slug="essonne")


def island_today() -> date:
    """Today in Mayotte (UTC+3): near midnight in France, it is already tomorrow there."""
    return timezone.localdate(timezone=ZoneInfo("Indian/Mayotte"))


def validated_hours(network: Network) -> Decimal:
    return HoursEntry.objects.filter(
        placement__contract__facilitator__network=network, status=HoursStatus.VALIDATED
    ).aggregate(total=Sum("total_hours"))["total"]


def counts() -> dict[str, int]:
    return {
        "networks": Network.objects.count(),
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "contracts": Contract.objects.count(),
        "clauses": Clause.objects.count(),
        "participants": Participant.objects.count(),
        "placements": Placement.objects.count(),
        "hours": HoursEntry.objects.count(),
    }


# Mayotte -----------------------------------------------------------------------------------


def test_mayotte_has_its_sixteen_buyers_and_one_facilitator(mayotte):
    organisations = Organisation.objects.filter(network=mayotte)
    buyers = organisations.filter(kind=OrganisationKind.BUYER)
    assert buyers.count() == 16
    assert set(buyers.values_list("name", flat=True)) >= {
        "Département de Mayotte",
        "Commune de Mamoudzou",
        "SIM — Société immobilière de Mayotte",
        "Centre hospitalier de Mayotte",
        "Rectorat de Mayotte",
    }
    assert not buyers.filter(buyer_kind="").exists()
    facilitators = organisations.filter(kind=OrganisationKind.FACILITATOR)
    assert list(facilitators.values_list("name", flat=True)) == ["CRESS de Mayotte — service ASR"]


def test_mayotte_has_89_contracts_with_a_clause(mayotte):
    contracts = Contract.objects.filter(facilitator__network=mayotte)
    assert contracts.filter(hours_required__gt=0).count() == 89
    assert contracts.count() == 89
    # Four years of starts before today's month, whatever today is.
    today = island_today()
    years = set(contracts.values_list("execution_start__year", flat=True))
    assert {today.year - 4, today.year - 3, today.year - 2} <= years
    two_years_ago = date(today.year - 2, today.month, 1)
    assert contracts.filter(execution_start__gte=two_years_ago, execution_start__lte=today).exists()
    clauses = Clause.objects.filter(contract__facilitator__network=mayotte)
    modes = dict(clauses.values_list("mode").annotate(count=Count("id")))
    assert modes["amount_based"] > modes["per_euro_invoiced"] > 0
    assert modes["fixed_hours"] > 0
    assert modes["share_of_hours_worked"] > 0
    assert clauses.filter(legal_basis=LegalBasis.RESERVED_SIAE).exists()
    assert clauses.filter(legal_basis=LegalBasis.AWARD_CRITERION).exists()
    assert clauses.filter(lot__isnull=False).exists()
    amounts = contracts.values_list("amount_excl_tax", flat=True)
    assert min(amounts) >= 150_000
    assert max(amounts) <= 12_000_000


def test_mayotte_validated_exactly_258000_hours_that_is_141_fte(mayotte):
    hours = validated_hours(mayotte)
    assert hours == 258_000
    assert mayotte.hours_per_fte == 1820
    assert whole_full_time_equivalents(hours, mayotte.hours_per_fte) == 141
    assert mayotte.time_zone == "Indian/Mayotte"
    assert mayotte.territory == "Mayotte (976)"


def test_declared_and_refused_hours_do_not_count(mayotte):
    entries = HoursEntry.objects.filter(placement__contract__facilitator__network=mayotte)
    assert entries.filter(status=HoursStatus.DECLARED).count() >= 20
    refused = entries.filter(status=HoursStatus.REJECTED)
    assert refused.count() == 2
    assert all(entry.rejection_reason for entry in refused)
    everything = entries.aggregate(total=Sum("total_hours"))["total"]
    assert everything > 258_000


def test_mayotte_accepts_every_eligibility_criterion(mayotte):
    assert mayotte.eligibility_criteria.count() == EligibilityCriterion.objects.count()


def test_participants_hold_one_to_three_criteria_with_evidence(mayotte):
    participants = Participant.objects.filter(facilitator__network=mayotte).annotate(
        criteria_count=Count("criteria")
    )
    assert participants.count() >= 200
    assert set(participants.values_list("criteria_count", flat=True)) <= {1, 2, 3}
    assert not participants.filter(criteria__evidence="").exists()


# Essonne -----------------------------------------------------------------------------------


def test_essonne_has_five_structures_each_with_its_own_people_and_contracts(essonne):
    assert essonne.hours_per_fte == 1607
    assert essonne.time_zone == "Europe/Paris"
    structures = Organisation.objects.filter(
        network=essonne, kind=OrganisationKind.FACILITATOR
    ).annotate(
        participant_count=Count("participants", distinct=True),
        contract_count=Count("facilitated_contracts", distinct=True),
    )
    assert structures.count() == 5
    assert {"PLIE Nord Essonne", "Grand Paris Sud — service des clauses sociales"} <= set(
        structures.values_list("name", flat=True)
    )
    for structure in structures:
        assert structure.participant_count > 0, structure.name
        assert 6 <= structure.contract_count <= 15, structure.name
    assert validated_hours(essonne) > 0


def test_essonne_has_a_private_buyer_with_a_voluntary_commitment(essonne):
    private = Organisation.objects.get(network=essonne, buyer_kind=BuyerKind.PRIVATE_COMPANY)
    clauses = Clause.objects.filter(contract__buyer=private)
    assert clauses.exists()
    assert set(clauses.values_list("legal_basis", flat=True)) == {LegalBasis.PRIVATE_COMMITMENT}
    assert Organisation.objects.filter(
        network=essonne, buyer_kind=BuyerKind.DEPARTMENT, name="Département de l'Essonne"
    ).exists()


def test_each_essonne_facilitator_sees_only_its_own_participants(essonne):
    for structure in Organisation.objects.filter(
        network=essonne, kind=OrganisationKind.FACILITATOR
    ):
        user = User.objects.get(memberships__organisation=structure)
        visible = participants_visible_to(scope_for(user))
        assert visible.count() == Participant.objects.filter(facilitator=structure).count() > 0
        assert not visible.exclude(facilitator=structure).exists()


def test_the_essonne_coordinator_coordinates_the_network(essonne):
    coordinator = User.objects.get(email=ESSONNE_COORDINATOR_EMAIL)
    assert NetworkCoordinator.objects.filter(user=coordinator, network=essonne).exists()
    scope = scope_for(coordinator)
    assert (
        contracts_visible_to(scope).count()
        == Contract.objects.filter(facilitator__network=essonne).count()
    )
    assert not participants_visible_to(scope).exists()


# Logins ------------------------------------------------------------------------------------


def test_every_demo_login_can_log_in(demo, db, client):
    logins = demo_logins()
    assert {MAYOTTE_FACILITATOR_EMAIL, ESSONNE_COORDINATOR_EMAIL} <= {
        login.email for login in logins
    }
    for login in logins:
        assert login.password == DEMO_PASSWORD
        response = client.post(
            reverse("login"), {"username": login.email, "password": login.password}
        )
        assert response.status_code == 302, login.email
        assert response["Location"] == reverse("home"), login.email
        client.logout()


def test_demo_users_have_names_and_the_admin_reaches_django_admin(demo, db, client):
    for login in demo_logins():
        user = User.objects.get(email=login.email)
        assert user.first_name, login.email
        assert user.last_name, login.email
    client.login(username="admin@tremplin.demo", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_buyer_and_company_logins_see_their_contracts(mayotte):
    buyer = User.objects.get(email="acheteur@departement976.demo")
    department = Organisation.objects.get(network=mayotte, name="Département de Mayotte")
    seen = contracts_visible_to(scope_for(buyer))
    assert seen.count() == Contract.objects.filter(buyer=department).count() > 0
    company = User.objects.get(email="entreprise@lagon-btp.demo")
    assert contracts_visible_to(scope_for(company)).exists()


# Consistency -------------------------------------------------------------------------------


def test_every_month_of_hours_respects_the_ceiling_and_its_placement(demo, db):
    demo_entries = HoursEntry.objects.filter(
        placement__contract__facilitator__network__slug__in=DEMO_SLUGS
    )
    per_person_month = (
        demo_entries.exclude(status=HoursStatus.REJECTED)
        .values("placement__participant_id", "month")
        .annotate(total=Sum("total_hours"))
    )
    for row in per_person_month:
        month: date = row["month"]
        assert row["total"] <= max_hours_in_month(month.year, month.month), row
    this_month = timezone.localdate().replace(day=1)
    for entry in demo_entries.select_related("placement__contract"):
        placement, contract = entry.placement, entry.placement.contract
        last = placement.end_date or contract.execution_end
        assert placement.start_date.replace(day=1) <= entry.month <= last.replace(day=1), entry
        assert contract.execution_start.replace(day=1) <= entry.month, entry
        assert entry.month <= contract.execution_end.replace(day=1), entry
        assert entry.month <= this_month, entry


def test_sirets_are_valid_and_distinct(demo, db):
    sirets = list(
        Organisation.objects.filter(network__slug__in=DEMO_SLUGS).values_list("network_id", "siret")
    )
    assert len(set(sirets)) == len(sirets)
    for _, siret in sirets:
        assert stdnum_siret.is_valid(siret), siret


def test_the_mayotte_company_has_a_hire_to_check_and_months_to_validate(mayotte, client):
    """The company space is not empty: Lagon BTP declared a hire with a PDF attestation,
    waiting for the facilitator's check, and her first months of hours."""
    company = User.objects.get(email="entreprise@lagon-btp.demo")
    item = ParticipantCriterion.objects.get(
        participant__facilitator__network=mayotte, status=CriterionStatus.TO_CHECK
    )
    assert item.checked_by == company
    assert item.evidence_file.read(5) == b"%PDF-"
    placement = item.participant.placements.get()
    assert placement.employer.name == "Lagon BTP"
    assert placement.hours_entries.filter(status=HoursStatus.DECLARED).count() == 2
    client.force_login(company)
    page = client.get(reverse("company:placement_detail", args=[placement.pk]))
    assert "À vérifier" in page.content.decode()
    facilitator = User.objects.get(email=MAYOTTE_FACILITATOR_EMAIL)
    client.force_login(facilitator)
    queue = client.get(reverse("eligibility:criteria_review")).content.decode()
    assert item.participant.last_name.upper() in queue


def test_loading_twice_changes_nothing(demo, db):
    before = counts()
    logins = load_demo()
    assert counts() == before
    assert all(isinstance(login, DemoLogin) for login in logins)
    assert validated_hours(Network.objects.get(slug="mayotte")) == 258_000


def test_reset_removes_the_demo_networks_and_accounts(demo, db):
    reset_demo()
    assert not Network.objects.filter(slug__in=DEMO_SLUGS).exists()
    assert not User.objects.filter(email__in=[login.email for login in demo_logins()]).exists()
    assert not Participant.objects.filter(facilitator__network__slug__in=DEMO_SLUGS).exists()
    assert not DecpRecord.objects.filter(network__slug__in=DEMO_SLUGS).exists()
    assert not DecpImport.objects.filter(network__slug__in=DEMO_SLUGS).exists()


# The command -------------------------------------------------------------------------------


def test_the_command_prints_the_logins(demo, db):
    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    printed = out.getvalue()
    assert "Mot de passe" in printed
    assert DEMO_PASSWORD in printed
    for login in demo_logins():
        assert login.email in printed
        assert login.role in printed
    assert "http://127.0.0.1:8000/connexion/" in printed


def test_the_logins_lead_to_the_address_the_demo_is_served_at(demo, db):
    out = StringIO()
    call_command("demo", "--logins", "--address", "http://127.0.0.1:8080/", stdout=out)
    printed = out.getvalue()
    assert "Connexion : http://127.0.0.1:8080/connexion/" in printed
    assert "http://127.0.0.1:8080/admin/" in printed
    assert ":8000" not in printed


def test_the_command_says_the_demo_is_already_loaded(demo, db):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "déjà chargée" in out.getvalue()
    assert Network.objects.filter(slug__in=DEMO_SLUGS).count() == 2


def test_the_summary_reads_258000_hours_and_141_fte(demo, db):
    summary = {item.name: item for item in demo_summary()}
    mayotte = summary["Mayotte — Achats socialement responsables"]
    assert (mayotte.validated_hours, mayotte.whole_fte, mayotte.contracts, mayotte.buyers) == (
        258_000,
        141,
        89,
        16,
    )
    assert summary["Inclusiv'Essonne"].structures == 5


# Planning (no database) --------------------------------------------------------------------


def test_planning_is_deterministic():
    today = date(2026, 11, 23)
    first, second = plan_mayotte(today), plan_mayotte(today)
    assert [plan.reference for plan in first.contracts] == [
        plan.reference for plan in second.contracts
    ]
    assert [plan.amount for plan in first.contracts] == [plan.amount for plan in second.contracts]
    people = first.people["cress"]
    assert [person.last_name for person in people] == [
        person.last_name for person in second.people["cress"]
    ]


@pytest.mark.parametrize("today", [date(2026, 2, 1), date(2026, 11, 23), date(2027, 6, 30)])
def test_mayotte_reaches_258000_hours_whatever_the_day(today):
    plan = plan_mayotte(today)
    placements = [placement for contract in plan.contracts for placement in contract.placements]
    assert sum(placement.validated_hours for placement in placements) == 258_000
    assert len(plan.contracts) == 89


def test_essonne_plans_between_6_and_15_contracts_per_structure():
    plan = plan_essonne(date(2026, 11, 23))
    per_structure: dict[str, int] = {}
    for contract in plan.contracts:
        per_structure[contract.facilitator] = per_structure.get(contract.facilitator, 0) + 1
    assert len(per_structure) == 5
    assert all(6 <= count <= 15 for count in per_structure.values())


def test_siret_book_gives_valid_distinct_numbers():
    import random

    book = SiretBook(random.Random(1))
    numbers = [book.next(public=index % 2 == 0) for index in range(200)]
    assert len(set(numbers)) == 200
    assert all(stdnum_siret.is_valid(number) for number in numbers)
    assert all(number.startswith("2") for number in numbers[::2])


def test_the_history_of_past_months_is_dated_when_they_were_declared(mayotte):
    """A newcomer reading a timeline sees September 2022 declared in October 2022."""
    events = InclusionEvent.objects.filter(
        participant__facilitator__network=mayotte, action=EventAction.HOURS_DECLARED
    ).values_list("occurred_at", "after")
    assert events
    for occurred_at, after in events:
        month = date.fromisoformat(after["month"])
        assert occurred_at.date() > month
        assert occurred_at <= timezone.now()


# Outcomes and ESF entry data ------------------------------------------------------------


def test_people_whose_placements_ended_have_plausible_outcomes(demo, db):
    from tremplin.inclusion.enums import OUTCOME_CATEGORIES, OutcomeCategory, OutcomeMoment
    from tremplin.inclusion.followup import six_month_earliest
    from tremplin.inclusion.models import Outcome

    today = island_today()  # the later of the territories' todays
    outcomes = list(Outcome.objects.select_related("participant"))
    at_exit = [item for item in outcomes if item.moment == OutcomeMoment.EXIT]
    later = [item for item in outcomes if item.moment == OutcomeMoment.SIX_MONTHS]
    for slug in DEMO_SLUGS:
        assert any(item.participant.facilitator.network.slug == slug for item in at_exit)
    assert later
    exits = {(item.participant_id, item.exit_date) for item in at_exit}
    assert all((item.participant_id, item.exit_date) in exits for item in later)
    starts = dict(
        Placement.objects.values("participant_id")
        .annotate(first=Min("start_date"))
        .values_list("participant_id", "first")
    )
    running = set(
        Placement.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).values_list(
            "participant_id", flat=True
        )
    )
    for item in outcomes:
        assert item.participant_id not in running
        assert starts[item.participant_id] <= item.exit_date <= item.observed_on <= today
        if item.moment == OutcomeMoment.SIX_MONTHS:
            assert item.observed_on >= six_month_earliest(item.exit_date)
    durable = sum(
        OUTCOME_CATEGORIES[item.situation] == OutcomeCategory.DURABLE_JOB for item in at_exit
    )
    assert 0.35 <= durable / len(at_exit) <= 0.55
    # Recorded when the situation was observed, not when the demo was loaded.
    events = InclusionEvent.objects.filter(action=EventAction.OUTCOME_SET, object_type="outcome")
    assert events.count() == len(outcomes)
    assert events.filter(occurred_at__date__lt=today - timedelta(days=30)).exists()


def test_the_essonne_plie_participants_have_esf_entry_data(essonne):
    from tremplin.inclusion.enums import ISCED_BAND_OF_QUALIFICATION
    from tremplin.inclusion.models import EsfEntry

    plie = Participant.objects.filter(
        facilitator__network=essonne, facilitator__name__startswith="PLIE"
    )
    entries = EsfEntry.objects.select_related("participant")
    assert plie.exists()
    assert entries.count() == plie.count()
    assert set(entries.values_list("participant_id", flat=True)) == set(
        plie.values_list("pk", flat=True)
    )
    for entry in entries:
        assert (
            entry.isced_band == ISCED_BAND_OF_QUALIFICATION[entry.participant.qualification_level]
        )
        assert entry.left_on is None or entry.left_on >= entry.entered_on


def test_the_mayotte_facilitator_has_six_month_situations_to_record(mayotte, client):
    client.force_login(User.objects.get(email=MAYOTTE_FACILITATOR_EMAIL))
    page = client.get(reverse("inclusion:outcomes_due")).content.decode()
    assert "Situations à 6 mois à constater" in page
    assert "Aucune situation à 6 mois en attente" not in page


# The same headline figures everywhere --------------------------------------------------


def _plain(content: bytes) -> str:
    """A page's text with French grouping spaces made ordinary, for plain assertions."""
    return html.unescape(content.decode()).replace("\u00a0", " ").replace("\u202f", " ")


def test_mayotte_gives_258_000_hours_89_contracts_141_fte_on_every_surface(mayotte):
    facilitator = Client()
    facilitator.force_login(User.objects.get(email=MAYOTTE_FACILITATOR_EMAIL))

    dashboard = _plain(facilitator.get(reverse("home")).content)
    indicators = _plain(facilitator.get(reverse("reporting:indicators")).content)
    report = _plain(facilitator.get(reverse("reporting:impact_report_pdf") + "?apercu=1").content)
    document = json.loads(Client().get(reverse("opendata:network_json", args=["mayotte"])).content)

    for page in (dashboard, indicators, report):
        assert "258 000" in page
        assert "141" in page
        assert "89" in page
    assert (
        "258 000 heures d'insertion générées par 89 marchés, "
        "soit 141 emplois équivalents temps plein"
    ) in report
    figures = {figure["cle"]: figure["valeur"] for figure in document["indicateurs"]}
    assert figures["heures_insertion"] == 258_000
    assert figures["marches_avec_clause"] == 89
    assert figures["etp"] == 141


def test_no_demo_buyer_publishes_a_count_of_one_to_four_persons(demo, db):
    client = Client()
    for slug in ("mayotte", "essonne"):
        document = json.loads(client.get(reverse("opendata:network_json", args=[slug])).content)
        buyer_ids = [
            int(value["cle"])
            for series in document["series"]
            if series["cle"] == "heures_par_acheteur"
            for value in series["valeurs"]
        ]
        for pk in buyer_ids:
            url = reverse("opendata:buyer_json", args=[slug, pk])
            buyer = json.loads(client.get(url).content)
            counts = [f["valeur"] for f in buyer["indicateurs"] if f["unite"] == "personnes"]
            for series in buyer["series"]:
                if series["unite"] == "personnes":
                    counts += [value["valeur"] for value in series["valeurs"]]
                    counts.append(series["total"])
                if series["additive"] and series["total"] is not None:
                    assert sum(1 for value in series["valeurs"] if value["masque"]) != 1
            assert not [count for count in counts if count is not None and 1 <= count <= 4]


# Matching, pathways and pooled hours ---------------------------------------------------


def _page(client: Client, email: str, url: str) -> str:
    client.force_login(User.objects.get(email=email))
    response = client.get(url)
    assert response.status_code == 200, url
    return _plain(response.content)


def test_lagon_btp_has_hiring_needs_at_every_status(mayotte, client):
    from tremplin.matching.enums import NeedStatusChoice
    from tremplin.matching.models import HiringNeed

    needs = HiringNeed.objects.filter(
        employer__name="Lagon BTP", contract__facilitator__network=mayotte
    )
    statuses = list(needs.values_list("status", flat=True))
    assert set(statuses) == set(NeedStatusChoice.values)
    assert statuses.count(NeedStatusChoice.PUBLISHED) == 2
    assert needs.filter(reserved_criteria__code="rsa").exists()
    # The facilitator has the submitted one to publish.
    queue = _page(
        client, MAYOTTE_FACILITATOR_EMAIL, reverse("matching:need_list") + "?statut=submitted"
    )
    assert "Peintre en bâtiment" in queue
    company = _page(client, "entreprise@lagon-btp.demo", reverse("matching:need_list"))
    for label in ("Brouillon", "À publier", "Publié", "Pourvu", "Clos"):
        assert label in company


def test_referrals_exist_at_every_stage_in_both_territories(demo, db):
    from tremplin.matching.enums import ReferralStatusChoice
    from tremplin.matching.models import Referral

    for slug in DEMO_SLUGS:
        referrals = Referral.objects.filter(need__contract__facilitator__network__slug=slug)
        assert set(referrals.values_list("status", flat=True)) == set(
            ReferralStatusChoice.values
        ), slug
        assert referrals.filter(vouched_criteria__code="rsa").exists()
    refused = Referral.objects.filter(refusal_reason__startswith="Ne dispose pas du permis B")
    assert refused.exists()


def test_the_prescriber_sees_published_needs_and_her_referrals(mayotte, client):
    from tremplin.demo.mayotte import PRESCRIBER_EMAIL

    offers = _page(client, PRESCRIBER_EMAIL, reverse("matching:need_list"))
    assert "Maçon / Maçonne" in offers
    assert "Electricien / Electricienne de chantier" in offers
    assert "Peintre en bâtiment" not in offers  # not published yet
    referrals = _page(client, PRESCRIBER_EMAIL, reverse("matching:referral_list"))
    for name in ("Soumaïla", "Faïssoili", "Daoud"):
        assert name in referrals
    assert "Kamal" not in referrals  # referred by the Mission locale
    # Unread notifications wait for every side of the flow.
    from tremplin.notifications.models import Notification

    for email in (PRESCRIBER_EMAIL, "entreprise@lagon-btp.demo", MAYOTTE_FACILITATOR_EMAIL):
        assert Notification.objects.filter(recipient__email=email, read_at__isnull=True).exists()
    assert Notification.objects.filter(
        recipient__email=MAYOTTE_FACILITATOR_EMAIL, kind="follow_up_due"
    ).exists()


def test_a_hire_finds_a_person_already_followed_and_extends_her_pathway(mayotte, client):
    from tremplin.matching.models import Referral

    returning = [
        referral
        for referral in Referral.objects.filter(
            status="hired", need__contract__facilitator__network=mayotte
        ).select_related("participant")
        if referral.participant.placements.count() >= 3
    ]
    assert returning
    participant = returning[0].participant
    assert participant.placements.values("employer").distinct().count() >= 3
    page = _page(
        client,
        MAYOTTE_FACILITATOR_EMAIL,
        reverse("inclusion:participant_detail", args=[participant.pk]),
    )
    assert "Parcours" in page
    assert "Lagon BTP" in page


def test_fatoumata_camara_has_a_pathway_over_three_contracts(essonne, client):
    from tremplin.inclusion.enums import OutcomeMoment

    person = Participant.objects.get(
        facilitator__network=essonne, first_name="Fatoumata", last_name="Camara"
    )
    placements = list(person.placements.order_by("start_date"))
    assert len({p.contract_id for p in placements}) == 3
    assert len({p.employer_id for p in placements}) == 3
    entries = HoursEntry.objects.filter(placement__participant=person)
    assert entries.filter(training_hours__gt=0).exists()
    assert placements[1].start_date - placements[0].end_date > timedelta(days=60)  # a break
    moments = set(person.outcomes.values_list("moment", flat=True))
    assert moments == {OutcomeMoment.EXIT, OutcomeMoment.SIX_MONTHS}
    email = User.objects.filter(memberships__organisation=person.facilitator).first().email
    page = _page(client, email, reverse("inclusion:participant_detail", args=[person.pk]))
    assert "Parcours" in page
    for placement in placements:
        assert placement.contract.reference in page
    assert Participant.objects.get(first_name="Yacine", last_name="Mebarki").placements.count() == 2


def test_the_pool_shares_one_job_among_the_contracts_of_several_buyers(essonne, client):
    from tremplin.inclusion.models import HoursPool, PooledMonth

    pool = HoursPool.objects.get(facilitator__network=essonne)
    assert pool.participant.last_name == "Moreau"
    placements = list(pool.placements.select_related("contract"))
    assert 2 <= len(placements) <= 3
    assert len({p.contract.buyer_id for p in placements}) == len(placements)
    assert sum(p.pool_share for p in placements) == 1
    months = list(PooledMonth.objects.filter(pool=pool).order_by("month"))
    assert 6 <= len(months) <= 10
    assert [m.status for m in months[:-1]] == [HoursStatus.VALIDATED] * (len(months) - 1)
    assert months[-1].status == HoursStatus.DECLARED
    email = User.objects.filter(memberships__organisation=pool.facilitator).first().email
    page = _page(client, email, reverse("inclusion:pool_detail", args=[pool.pk]))
    for placement in placements:
        assert placement.contract.reference in page
    assert "%" in page
    contract_page = _page(
        client, email, reverse("procurement:contract_detail", args=[placements[0].contract_id])
    )
    assert "Mutualisé" in contract_page


def test_the_facilitator_dashboard_shows_a_time_to_fill(mayotte):
    from tremplin.reporting.matching_selectors import facilitator_matching_figures

    user = User.objects.get(email=MAYOTTE_FACILITATOR_EMAIL)
    figures = facilitator_matching_figures(scope_for(user), today=island_today())
    assert figures is not None
    assert figures.time_to_fill.filled >= 1
    label = figures.time_to_fill.median_label
    assert label.endswith("jours")
    client = Client()
    client.force_login(user)
    assert label in _plain(client.get(reverse("home")).content)
    # The headline figures are those of the programme, whatever the matching added.
    assert validated_hours(mayotte) == 258_000


# Open procurement data (DECP) ------------------------------------------------------------


def _demo_import(network: Network) -> DecpImport:
    return DecpImport.objects.get(
        network=network, file_name=f"decp-{network.slug}-demonstration.json"
    )


def test_the_imports_list_shows_the_demo_file_and_its_rejections(
    mayotte, client, django_assert_max_num_queries
):
    item = _demo_import(mayotte)
    assert item.status == "done"
    assert item.rejected_count == 2
    assert item.created_count > 1000
    assert item.organisations_created > 0
    client.force_login(User.objects.get(email=MAYOTTE_FACILITATOR_EMAIL))
    with django_assert_max_num_queries(15):
        imports = _plain(client.get(reverse("decp:import_list")).content)
    assert "decp-mayotte-demonstration.json" in imports
    report = _plain(client.get(reverse("decp:import_detail", args=[item.pk])).content)
    assert "L'acheteur n'a pas de SIRET valide" in report
    assert "L'identifiant du marché est absent." in report


def test_the_essonne_import_rejects_an_amount_written_in_words(essonne):
    item = _demo_import(essonne)
    assert item.status == "done"
    assert list(item.rejections.values_list("field", flat=True)) == ["montant"]
    assert "« à préciser »" in item.rejections.get().reason


def test_the_opportunities_page_tells_the_facilitator_how_many_hours_are_possible(
    mayotte, client, django_assert_max_num_queries
):
    client.force_login(User.objects.get(email=MAYOTTE_FACILITATOR_EMAIL))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("decp:opportunities"))
    page = _plain(response.content)
    headline = page.split("data-headline>", 1)[1].split("</div>", 1)[0]
    assert "marchés pourraient porter une clause" in headline
    hours = re.search(r"([\d ]+) heures d'insertion", headline)
    assert hours is not None
    assert int(hours.group(1).replace(" ", "")) > 10_000
    assert "sont déjà couverts" in headline
    assert "Département de Mayotte" in page


def test_the_departement_just_misses_the_national_target_last_year(mayotte, client):
    department = Organisation.objects.get(network=mayotte, name="Département de Mayotte")
    year = island_today().year - 1
    client.force_login(User.objects.get(email=MAYOTTE_FACILITATOR_EMAIL))
    url = reverse("reporting:spaser_report") + f"?acheteur={department.pk}&annee={year}"
    page = _plain(client.get(url).content)
    assert "objectif national : 30 %" in page
    share = re.search(rf"(\d+) %</strong> des marchés notifiés en {year}", page)
    assert share is not None
    assert 20 <= int(share.group(1)) < 30
    assert "Sous l'objectif" in page


def test_published_followed_contracts_count_once(mayotte):
    linked = DecpRecord.objects.filter(network=mayotte, contract__isnull=False).select_related(
        "contract"
    )
    assert linked.count() >= 20
    assert all(record.identifier == record.contract.reference for record in linked)  # type: ignore[union-attr]
    user = User.objects.get(email=MAYOTTE_FACILITATOR_EMAIL)
    department = Organisation.objects.get(network=mayotte, name="Département de Mayotte")
    years = spaser_report(scope_for(user), department, island_today().year - 1).purchasing
    followed = Contract.objects.filter(buyer=department).count()
    assert sum(item.tracked for item in years.years) == followed
    records = DecpRecord.objects.filter(buyer=department, notified_on__isnull=False)
    assert sum(item.decp for item in years.years) == records.filter(contract=None).count()


def test_open_data_leaves_the_headline_figures_alone(mayotte):
    """DECP records are not contracts with clauses unless followed: nothing changes."""
    summary = {item.name: item for item in demo_summary()}
    island = summary["Mayotte — Achats socialement responsables"]
    assert (island.validated_hours, island.contracts, island.whole_fte, island.buyers) == (
        258_000,
        89,
        141,
        16,
    )
    # The new companies wait for the facilitator to confirm them.
    newcomers = Organisation.objects.filter(network=mayotte, source="decp")
    assert newcomers.exists()
    assert not newcomers.filter(confirmed_at__isnull=False).exists()
    assert not newcomers.filter(kind=OrganisationKind.BUYER).exists()


def test_the_mayotte_open_data_carries_the_purchasing_indicators(mayotte):
    document = json.loads(Client().get(reverse("opendata:network_json", args=["mayotte"])).content)
    purchasing = document["achats_responsables"]
    assert purchasing["objectif_part_sociale"] == 30
    years = {item["annee"]: item for item in purchasing["annees"]}
    last = years[island_today().year - 1]
    assert last["donnees_decp"] > 100
    assert 20 <= last["part_marches_sociaux"] < 30
    first = years[min(years)]
    assert first["part_marches_sociaux"] < last["part_marches_sociaux"]
