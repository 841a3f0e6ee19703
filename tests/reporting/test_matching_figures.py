"""The arithmetic of the figures of hiring needs, referrals and pathways (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.reporting.matching_figures import (
    EMPTY,
    Criterion,
    DurableOutcomes,
    NeedRow,
    days_label,
    is_rsa,
    mean,
    median,
    prescriber_rows,
    prescriber_total,
    public_shares,
    share,
    time_to_fill,
)

START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)
RSA = Criterion(pk=2, code="rsa", label="Bénéficiaire du RSA")
RQTH = Criterion(pk=5, code="rqth", label="Travailleur handicapé reconnu (RQTH)")
LONG_TERM = Criterion(pk=1, code="long_term_job_seeker", label="Demandeur d'emploi de longue durée")

days = st.decimals(min_value=0, max_value=2000, allow_nan=False, allow_infinity=False, places=2)


def filled(published: datetime, delay_days: float) -> NeedRow:
    return NeedRow(
        status="filled",
        positions=1,
        published_at=published,
        filled_at=published + timedelta(days=delay_days),
        hired=1,
    )


# --- Median, mean, share -------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [([3, 1, 2], 2), ([4, 1, 3, 2], Decimal("2.5")), ([7], 7), ([10, 20, 40], 20)],
)
def test_the_median_of_known_lists(values, expected):  # type: ignore[no-untyped-def]
    assert median([Decimal(value) for value in values]) == expected


def test_nothing_to_measure_gives_a_dash_not_a_crash():
    assert median([]) is None
    assert mean([]) is None
    assert share(0, 0) is None
    assert days_label(None) == EMPTY == "—"
    empty = time_to_fill([], period_start=START, period_end=END)
    assert (empty.filled, empty.median_label, empty.mean_label) == (0, "—", "—")
    assert public_shares({}, [RSA]).rsa.share is None  # type: ignore[union-attr]
    assert DurableOutcomes(recorded=0, durable=0, to_record=3).share is None
    assert prescriber_total([]).hire_rate is None


@given(st.lists(days, min_size=1, max_size=50))
def test_the_median_and_the_mean_lie_between_the_extremes(values):  # type: ignore[no-untyped-def]
    assert min(values) <= median(values) <= max(values)  # type: ignore[operator]
    assert min(values) <= mean(values) <= max(values)  # type: ignore[operator]


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_a_share_lies_between_0_and_1(part, extra):  # type: ignore[no-untyped-def]
    value = share(part, part + extra)
    assert value is None or 0 <= value <= 1


def test_a_share_is_rounded_to_the_whole_percent():
    assert share(2, 3) == Decimal("0.67")
    assert share(1, 3) == Decimal("0.33")
    assert share(1, 200) == Decimal("0.01")  # 0.5 % rounds up


def test_a_part_larger_than_its_whole_is_an_error():
    with pytest.raises(ValueError, match="comprise entre 0 et le tout"):
        share(3, 2)


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (Decimal("23.4"), "23 jours"),
        (Decimal("22.5"), "23 jours"),
        (Decimal("1.2"), "1 jour"),
        (Decimal("0.3"), "moins d'un jour"),
        (Decimal(1234), "1\u00a0234 jours"),
    ],
)
def test_days_read_in_french(value, label):  # type: ignore[no-untyped-def]
    assert days_label(value) == label


# --- Time to fill --------------------------------------------------------------------


def test_time_to_fill_counts_the_needs_filled_in_the_period_and_those_open():
    published = datetime(2025, 3, 1, 9, tzinfo=UTC)
    needs = [
        filled(published, 10),
        filled(published, 20),
        filled(published, 40),
        # Filled before the period: left out.
        filled(datetime(2024, 1, 1, tzinfo=UTC), 100),
        NeedRow(status="published", positions=3, published_at=published, filled_at=None, hired=1),
        # More hires than posts (a post added back): never a negative number of posts.
        NeedRow(status="published", positions=1, published_at=published, filled_at=None, hired=2),
        NeedRow(status="closed", positions=5, published_at=published, filled_at=None, hired=0),
    ]

    figures = time_to_fill(needs, period_start=START, period_end=END)

    assert figures.filled == 3
    assert figures.median_label == "20 jours"
    assert figures.mean_label == "23 jours"  # 70 ÷ 3
    assert (figures.open_needs, figures.open_positions) == (2, 2)


@given(st.lists(st.floats(min_value=0, max_value=900), max_size=30))
def test_the_median_delay_is_one_of_the_delays_or_between_two(delays):  # type: ignore[no-untyped-def]
    published = datetime(2025, 1, 2, tzinfo=UTC)
    figures = time_to_fill(
        [filled(published, delay) for delay in delays],
        period_start=START,
        period_end=datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert figures.filled == len(delays)
    if delays:
        assert figures.median_days is not None
        assert Decimal(min(delays)) - 1 <= figures.median_days <= Decimal(max(delays)) + 1
    else:
        assert figures.median_label == "—"


# --- Publics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [("rsa", True), ("rsa_socle", True), ("beneficiaire-rsa", True), ("universal", False)],
)
def test_rsa_is_found_by_its_code(code, expected):  # type: ignore[no-untyped-def]
    assert is_rsa(code) is expected


def test_a_person_counts_for_every_public_held_and_rsa_comes_first():
    figures = public_shares(
        {
            10: frozenset({RSA.pk, LONG_TERM.pk}),
            11: frozenset({LONG_TERM.pk}),
            12: frozenset(),
            13: frozenset({99}),  # a criterion the network does not accept
        },
        [LONG_TERM, RSA, RQTH],
    )

    assert figures.hires == 4
    assert figures.rsa is not None
    assert (figures.rsa.hires, figures.rsa.share) == (1, Decimal("0.25"))
    assert [(public.code, public.hires) for public in figures.publics] == [
        ("rsa", 1),
        ("long_term_job_seeker", 2),
    ]


def test_without_an_rsa_criterion_there_is_no_rsa_figure():
    assert public_shares({1: frozenset({RQTH.pk})}, [RQTH]).rsa is None


@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=500),
        st.frozensets(st.sampled_from([1, 2, 5, 99])),
        max_size=40,
    )
)
def test_shares_of_the_publics_lie_between_0_and_1(held):  # type: ignore[no-untyped-def]
    figures = public_shares(held, [LONG_TERM, RSA, RQTH])
    assert figures.hires == len(held)
    for public in [*figures.publics, figures.rsa]:
        assert public is not None
        assert 0 <= public.hires <= figures.hires
        assert public.share is None or 0 <= public.share <= 1


# --- Prescribers ---------------------------------------------------------------------


def test_prescriber_rows_add_up_their_stages_and_rank_by_hires():
    rows = prescriber_rows(
        [
            (1, "France Travail", "referred", 3),
            (1, "France Travail", "not_retained", 1),
            (2, "Mission locale", "hired", 2),
            (2, "Mission locale", "shortlisted", 2),
        ]
    )

    assert [row.name for row in rows] == ["Mission locale", "France Travail"]
    assert (rows[0].referred, rows[0].hired, rows[0].hire_rate) == (4, 2, Decimal("0.5"))
    assert (rows[1].referred, rows[1].hire_rate) == (4, 0)
    total = prescriber_total(rows)
    assert (total.referred, total.hired, total.count("referred")) == (8, 2, 3)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=5),
            st.sampled_from(["referred", "shortlisted", "interview", "hired", "not_retained"]),
            st.integers(min_value=1, max_value=50),
        ),
        max_size=30,
    )
)
def test_hire_rates_lie_between_0_and_1(counts):  # type: ignore[no-untyped-def]
    rows = prescriber_rows((pk, f"Prescripteur {pk}", stage, n) for pk, stage, n in counts)
    for row in [*rows, prescriber_total(rows)]:
        assert row.hire_rate is None or 0 <= row.hire_rate <= 1
    assert prescriber_total(rows).referred == sum(n for _, _, n in counts)


# --- Durable job at 6 months ---------------------------------------------------------


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=0, max_value=1000))
def test_the_durable_share_lies_between_0_and_1(durable, others):  # type: ignore[no-untyped-def]
    outcomes = DurableOutcomes(recorded=durable + others, durable=durable, to_record=0)
    assert outcomes.share is None or 0 <= outcomes.share <= 1


def test_more_durable_jobs_than_situations_is_an_error():
    with pytest.raises(ValueError, match="parmi les situations saisies"):
        DurableOutcomes(recorded=1, durable=2, to_record=0)
