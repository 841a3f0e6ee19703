"""Properties of a contract's progress: expected hours prorated by day, and the status rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.procurement.progress import (
    EXCEEDED_THRESHOLD,
    ON_TRACK_TOLERANCE,
    ProgressStatus,
    contract_hours_still_owed,
    contract_progress,
    expected_hours_by,
    progress_status,
)

START = date(2025, 1, 1)
END = date(2025, 12, 31)

required_hours = st.integers(min_value=0, max_value=1_000_000).map(Decimal)
realised_hours = st.decimals(
    min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False
)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def periods(draw):  # type: ignore[no-untyped-def]
    start = draw(days)
    length = draw(st.integers(min_value=1, max_value=3000))
    return start, start + timedelta(days=length)


@given(required=required_hours, period=periods(), a=days, b=days)
def test_expected_hours_grow_with_time_from_zero_to_the_obligation(required, period, a, b):
    start, end = period
    early, late = sorted((a, b))
    expected_early = expected_hours_by(required, start, end, early)
    expected_late = expected_hours_by(required, start, end, late)
    assert 0 <= expected_early <= expected_late <= required


@given(required=required_hours, period=periods())
def test_nothing_is_expected_before_the_start_and_everything_from_the_end(required, period):
    start, end = period
    assert expected_hours_by(required, start, end, start - timedelta(days=1)) == 0
    assert expected_hours_by(required, start, end, start) == 0
    assert expected_hours_by(required, start, end, end) == required
    assert expected_hours_by(required, start, end, end + timedelta(days=400)) == required


def test_halfway_through_half_is_expected():
    assert (
        expected_hours_by(Decimal(730), date(2025, 1, 1), date(2027, 1, 1), date(2026, 1, 1)) == 365
    )


def reference_status(required, realised, expected, started):  # type: ignore[no-untyped-def]
    """The rules of progress.py, written out once more in their documented order."""
    if required > 0 and realised >= required * EXCEEDED_THRESHOLD:
        return ProgressStatus.EXCEEDED
    if realised >= required and (required > 0 or realised > 0):
        return ProgressStatus.MET
    if not started:
        return ProgressStatus.NOT_STARTED
    if realised == 0 and expected == 0:
        return ProgressStatus.NOT_STARTED
    if realised >= expected * ON_TRACK_TOLERANCE:
        return ProgressStatus.ON_TRACK
    return ProgressStatus.LATE


@given(required=required_hours, realised=realised_hours, period=periods(), today=days)
def test_status_follows_the_documented_rules(required, realised, period, today):
    start, end = period
    progress = contract_progress(
        required=required, realised=realised, start=start, end=end, today=today
    )
    expected = expected_hours_by(required, start, end, today)
    assert progress.expected == expected
    assert progress.status == reference_status(required, realised, expected, today >= start)


@given(required=required_hours, period=periods(), today=days, a=realised_hours, b=realised_hours)
def test_more_hours_realised_never_worsen_the_status(required, period, today, a, b):
    order = [
        ProgressStatus.LATE,
        ProgressStatus.NOT_STARTED,
        ProgressStatus.ON_TRACK,
        ProgressStatus.MET,
        ProgressStatus.EXCEEDED,
    ]
    start, end = period
    low, high = sorted((a, b))
    status_low = contract_progress(
        required=required, realised=low, start=start, end=end, today=today
    ).status
    status_high = contract_progress(
        required=required, realised=high, start=start, end=end, today=today
    ).status
    if status_low == ProgressStatus.NOT_STARTED or status_high == ProgressStatus.NOT_STARTED:
        return  # "not started" says nothing of the amount, only of the dates
    assert order.index(status_low) <= order.index(status_high)


@pytest.mark.parametrize(
    ("realised", "today", "status"),
    [
        (0, date(2024, 12, 1), ProgressStatus.NOT_STARTED),  # before the start
        (0, START, ProgressStatus.NOT_STARTED),  # first day: nothing expected yet
        (0, date(2025, 7, 1), ProgressStatus.LATE),
        (450, date(2025, 7, 1), ProgressStatus.ON_TRACK),  # about 90 % of the 496 h expected
        (300, date(2025, 7, 1), ProgressStatus.LATE),
        (1000, date(2025, 7, 1), ProgressStatus.MET),
        (1099, date(2026, 6, 1), ProgressStatus.MET),
        (1100, date(2025, 3, 1), ProgressStatus.EXCEEDED),
        (500, date(2026, 6, 1), ProgressStatus.LATE),  # ended, half done
    ],
)
def test_examples_of_each_status(realised, today, status):
    progress = contract_progress(
        required=1000, realised=realised, start=START, end=END, today=today
    )
    assert progress.status == status


def test_a_contract_without_obligation_or_hours_has_not_started():
    assert (
        progress_status(required=Decimal(0), realised=Decimal(0), expected=Decimal(0), started=True)
        == ProgressStatus.NOT_STARTED
    )


def test_ratio_remaining_and_expected_share():
    progress = contract_progress(
        required=1000, realised=250, start=START, end=END, today=date(2025, 7, 2)
    )
    assert progress.ratio == Decimal("0.25")
    assert progress.remaining == 750
    assert Decimal("0.49") < progress.expected_ratio < Decimal("0.51")
    done = contract_progress(required=100, realised=150, start=START, end=END, today=END)
    assert done.remaining == 0
    assert done.ratio == Decimal("1.5")


# What a contract still owes, lot clause by lot clause ----------------------------------------


def test_a_surplus_on_one_lot_never_pays_another_lot_nor_the_rest_of_the_contract():
    # 1 000 h required, of which lot 1 owes 400 h (700 h done) and lot 2 owes 300 h
    # (100 h done); 50 h done off those lots. By hand: lot 1 owes nothing, lot 2 owes
    # 200 h, the rest of the contract (1 000 - 400 - 300 = 300 h) owes 300 - 50 = 250 h.
    owed = contract_hours_still_owed(
        Decimal(1000), Decimal(850), [(Decimal(400), Decimal(700)), (Decimal(300), Decimal(100))]
    )
    assert owed == Decimal(450)


def test_without_lot_clauses_a_contract_owes_its_shortfall_or_nothing():
    assert contract_hours_still_owed(Decimal(1000), Decimal(700)) == Decimal(300)
    assert contract_hours_still_owed(Decimal(1000), Decimal(1300)) == Decimal(0)


@given(
    required=st.integers(min_value=0, max_value=100_000),
    off_lots=st.integers(min_value=0, max_value=100_000),
    lots=st.lists(
        st.tuples(st.integers(min_value=0, max_value=50_000), st.integers(0, 50_000)), max_size=4
    ),
)
def test_what_is_owed_is_never_less_than_any_part_owes(required, off_lots, lots):
    realised = off_lots + sum(done for _, done in lots)
    owed = contract_hours_still_owed(required, realised, lots)
    each_lot = [max(0, lot_required - done) for lot_required, done in lots]
    assert owed >= sum(each_lot)
    # Never more than the whole obligation's shortfall plus the lots' surpluses it ignores.
    surpluses = sum(max(0, done - lot_required) for lot_required, done in lots)
    assert owed <= max(0, required - realised) + surpluses + sum(each_lot)
    assert owed >= 0
