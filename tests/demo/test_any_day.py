"""The demo tells the same story whatever today is.

The clock is moved to days that break naive date arithmetic (the 31st of a month, the
29th of February, the 1st of January, a night when Mayotte is already in the next month)
and years ahead. On each, the plans (pure, fast) must keep the headline figures and every
scene; on two of them the demo is loaded and read as its users would.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Q, Sum
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tremplin.demo.essonne import plan_essonne
from tremplin.demo.mayotte import plan_mayotte
from tremplin.demo.planning import Outcome
from tremplin.demo.scenario import TerritoryPlan
from tremplin.demo.territories import demo_summary, load_demo, reset_demo
from tremplin.inclusion.enums import CriterionStatus, HoursStatus
from tremplin.inclusion.models import HoursEntry, HoursPool, ParticipantCriterion, PooledMonth
from tremplin.matching.enums import NeedStatusChoice
from tremplin.matching.models import HiringNeed, Referral
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import Network, Organisation, User
from tremplin.procurement.progress import ProgressStatus
from tremplin.reporting.alerts import alerts_for
from tremplin.reporting.selectors import facilitator_dashboard

PARIS = ZoneInfo("Europe/Paris")
MAYOTTE = ZoneInfo("Indian/Mayotte")
HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# 10:00 in Paris on each day, and two nights when Mayotte (UTC+3) has already moved on.
DAYS = [
    datetime(2027, 1, 31, 10, tzinfo=PARIS),
    datetime(2028, 2, 29, 10, tzinfo=PARIS),
    datetime(2029, 1, 1, 10, tzinfo=PARIS),
    datetime(2027, 7, 14, 10, tzinfo=PARIS),
    datetime(2029, 12, 8, 10, tzinfo=PARIS),  # three years after the demo was written
    datetime(2028, 2, 29, 23, 30, tzinfo=PARIS),  # 1 March in Mayotte
    datetime(2027, 12, 31, 23, 30, tzinfo=PARIS),  # New Year's Day in Mayotte
]


def _month(value: date, offset: int) -> tuple[int, int]:
    """(year, month) ``offset`` months after ``value``'s month, counted by hand."""
    index = value.year * 12 + value.month - 1 + offset
    return index // 12, index % 12 + 1


# Months an evidence stays valid, as the reference list of eligible publics says.
VALIDITY = {
    "rsa": 3,
    "long_term_job_seeker": 6,
    "ass": 6,
    "senior_job_seeker": 6,
    "aah_invalidity": 12,
    "qpv_resident": 12,
}


def _valid_until(checked_on: date, months: int) -> date:
    year, month = _month(checked_on, months)
    for day in (checked_on.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError(checked_on)


def _ym(value: date) -> tuple[int, int]:
    return value.year, value.month


def _mayotte_scenes(plan: TerritoryPlan, today: date) -> None:
    contracts = plan.contracts
    # 258 000 h validated, 141 FTE at 1 820 h (141 × 1 820 = 256 620 ≤ 258 000 < 142 × 1 820).
    validated = sum(
        entry.total for contract in contracts for p in contract.placements for entry in p.entries
    )
    assert validated == 258_000
    assert plan.hours_per_fte == 1820
    assert 141 * 1820 <= validated < 142 * 1820
    assert len(contracts) == 89
    # Contracts ended and met, exceeded or late; running on track or behind; two not begun.
    outcomes = Counter(contract.outcome for contract in contracts)
    assert outcomes[Outcome.NOT_STARTED] == 2
    for outcome in (Outcome.MET, Outcome.EXCEEDED, Outcome.LATE, Outcome.BEHIND):
        assert outcomes[outcome] >= 2, outcome
    assert outcomes[Outcome.ON_TRACK] >= 10
    for contract in contracts:
        if contract.outcome is Outcome.NOT_STARTED:
            assert contract.execution_start > today
        elif contract.outcome in (Outcome.ON_TRACK, Outcome.BEHIND):
            assert contract.execution_start <= today <= contract.execution_end
        else:
            assert contract.execution_end < today
    # Four years of starts, the last a year before today's month.
    starts = {_ym(contract.execution_start) for contract in contracts}
    assert min(starts) <= _month(today, -48)
    # Lagon BTP has contracts begun four months ago and running six months more (its hire in
    # progress and its hiring needs are written there).
    lagon = [
        contract
        for contract in contracts
        if contract.company == "lagon-btp"
        and _ym(contract.execution_start) <= _month(today, -4)
        and _ym(contract.execution_end) >= _month(today, 6)
    ]
    assert len(lagon) >= 2
    # Months declared, waiting for the facilitator, and two refused months, never the
    # current month nor a future one.
    placements = [p for contract in contracts for p in contract.placements]
    declared = [entry for p in placements for entry in p.declared]
    assert len(declared) >= 20
    assert all(_ym(entry.month) < _ym(today) for entry in declared)
    assert sum(1 for p in placements if p.rejected_reason) == 2
    # Evidence of people at work lapses within 30 days (validity from the reference list).
    assert any(
        today <= _valid_until(checked_on, VALIDITY[code]) <= today + timedelta(days=30)
        for person in plan.people["cress"]
        for code, _, checked_on in person.renewals
        if code in VALIDITY
    )
    assert all(_ym(entry.month) <= _month(today, -2) for p in placements for entry in p.entries)


def _essonne_scenes(plan: TerritoryPlan, today: date) -> None:
    per_structure = Counter(contract.facilitator for contract in plan.contracts)
    assert len(per_structure) == 5
    assert all(6 <= count <= 15 for count in per_structure.values())
    # The pooled job: one company of one structure holds contracts of two buyers or more,
    # all running from eight months before today's month to four months after it.
    buyers: dict[tuple[str, str], set[str]] = {}
    for contract in plan.contracts:
        if _ym(contract.execution_start) <= _month(today, -9) and _ym(
            contract.execution_end
        ) >= _month(today, 4):
            buyers.setdefault((contract.facilitator, contract.company), set()).add(contract.buyer)
    assert max(len(found) for found in buyers.values()) >= 2
    assert sum(1 for c in plan.contracts if c.outcome is Outcome.NOT_STARTED) == 1


@pytest.mark.parametrize("moment", DAYS, ids=lambda moment: moment.strftime("%Y-%m-%d-%H%M"))
def test_the_plans_keep_the_figures_and_scenes_on_any_day(moment):
    with time_machine.travel(moment, tick=False):
        island_today = timezone.localdate(timezone=MAYOTTE)
        network_today = timezone.localdate(timezone=PARIS)
        _mayotte_scenes(plan_mayotte(island_today), island_today)
        _essonne_scenes(plan_essonne(network_today), network_today)


def test_the_same_day_plans_the_same_demo():
    with time_machine.travel(datetime(2028, 2, 29, 10, tzinfo=PARIS), tick=False):
        first, second = plan_mayotte(date(2028, 2, 29)), plan_mayotte(date(2028, 2, 29))
    assert [(c.reference, c.execution_start, c.amount) for c in first.contracts] == [
        (c.reference, c.execution_start, c.amount) for c in second.contracts
    ]


def test_the_contracts_stand_at_the_same_distance_from_today_on_any_day():
    """The story is told in months before today's: a contract begun 30 months before
    today's month on one day is begun 30 months before it on any other."""

    def distances(today: date) -> list[tuple[int, int, str]]:
        return [
            (
                _ym_index(contract.execution_start) - _ym_index(today),
                _ym_index(contract.execution_end) - _ym_index(today),
                contract.outcome,
            )
            for contract in plan_mayotte(today).contracts
        ]

    assert distances(date(2027, 1, 31)) == distances(date(2029, 7, 15))


def _ym_index(value: date) -> int:
    return value.year * 12 + value.month


# Loaded, as its users see it ---------------------------------------------------------------


def _check_loaded_demo(island_today: date) -> None:
    summary = {item.name: item for item in demo_summary()}
    island = summary["Mayotte — Achats socialement responsables"]
    assert (island.validated_hours, island.whole_fte, island.contracts, island.buyers) == (
        258_000,
        141,
        89,
        16,
    )
    mayotte = Network.objects.get(slug="mayotte")
    facilitator = User.objects.get(email="facilitatrice@mayotte.demo")
    scope = scope_for(facilitator)
    # Contracts at every status on the facilitator's dashboard.
    statuses = {
        item.status: item.count
        for item in facilitator_dashboard(scope, today=island_today).statuses.counts
    }
    assert statuses[ProgressStatus.NOT_STARTED] == 2
    for status in (ProgressStatus.LATE, ProgressStatus.MET, ProgressStatus.EXCEEDED):
        assert statuses[status] >= 2, status
    assert statuses[ProgressStatus.ON_TRACK] >= 10
    # What the facilitator has to deal with today.
    alerts = alerts_for(scope, today=island_today)
    assert alerts.late
    assert alerts.lapsing_count >= 1
    # Evidence of people still at work lapses within the month (30 days, counted by hand).
    lapsing_soon = ParticipantCriterion.objects.filter(
        participant__facilitator__network=mayotte,
        valid_until__gte=island_today,
        valid_until__lte=island_today + timedelta(days=30),
        participant__placements__start_date__lte=island_today,
    ).filter(
        Q(participant__placements__end_date__isnull=True)
        | Q(participant__placements__end_date__gte=island_today)
    )
    assert lapsing_soon.exists()
    assert alerts.criteria_to_check >= 1
    assert alerts.hours_to_review >= 20
    assert alerts.outcomes_due >= 1
    entries = HoursEntry.objects.filter(placement__contract__facilitator__network=mayotte)
    assert entries.filter(status=HoursStatus.REJECTED).count() == 2
    assert entries.aggregate(total=Sum("total_hours"))["total"] > 258_000
    # Lagon BTP's hire in progress: evidence to check, two months declared.
    hire = ParticipantCriterion.objects.get(
        participant__facilitator__network=mayotte, status=CriterionStatus.TO_CHECK
    )
    placement = hire.participant.placements.get()
    assert placement.employer.name == "Lagon BTP"
    assert placement.hours_entries.filter(status=HoursStatus.DECLARED).count() == 2
    # Lagon BTP's recruitment: needs at every status, one filled by a person the CRESS
    # already followed on other contracts (her pathway grows).
    needs = HiringNeed.objects.filter(employer__name="Lagon BTP")
    assert set(needs.values_list("status", flat=True)) == set(NeedStatusChoice.values)
    returning = [
        referral.participant
        for referral in Referral.objects.filter(
            status="hired", need__contract__facilitator__network=mayotte
        ).select_related("participant")
        if referral.participant.placements.count() >= 3
    ]
    assert returning
    # Essonne's pooled job shared among several buyers, all months validated but the last.
    pool = HoursPool.objects.get(facilitator__network__slug="essonne")
    assert len({p.contract.buyer_id for p in pool.placements.select_related("contract")}) >= 2
    statuses_of_months = list(
        PooledMonth.objects.filter(pool=pool).order_by("month").values_list("status", flat=True)
    )
    assert 6 <= len(statuses_of_months) <= 10
    assert statuses_of_months[-1] == HoursStatus.DECLARED
    assert set(statuses_of_months[:-1]) == {HoursStatus.VALIDATED}
    # The Département de Mayotte misses the 30 % target last year, closer than before.
    department = Organisation.objects.get(network=mayotte, name="Département de Mayotte")
    client = facilitator_client(facilitator)
    year = island_today.year - 1
    url = reverse("reporting:spaser_report") + f"?acheteur={department.pk}&annee={year}"
    page = client.get(url).content.decode().replace("\u00a0", " ").replace("\u202f", " ")
    assert "objectif national : 30 %" in page
    assert f"des marchés notifiés en {year}" in page
    assert "Sous l'objectif" in page


def facilitator_client(user: User):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2028, 2, 29, 23, 30, tzinfo=PARIS),  # 1 March 2028 in Mayotte
        datetime(2029, 7, 31, 10, tzinfo=PARIS),
    ],
    ids=["2028-02-29-night", "2029-07-31"],
)
def test_the_loaded_demo_tells_the_same_story_on_another_day(moment, db):
    with time_machine.travel(moment, tick=False), override_settings(PASSWORD_HASHERS=HASHERS):
        load_demo()
        try:
            _check_loaded_demo(timezone.localdate(timezone=MAYOTTE))
        finally:
            reset_demo()
