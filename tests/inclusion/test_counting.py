"""The network's counting rules per execution mode: weights and caps (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.inclusion.counting import ModeRule, counted_hours, mode_counted_hours
from tremplin.inclusion.enums import ExecutionMode

MODES = [mode.value for mode in ExecutionMode]
hours = st.decimals(min_value=0, max_value=100_000, places=2)
required = st.integers(min_value=0, max_value=1_000_000)
weights = st.decimals(min_value=0, max_value=10, places=2)
caps = st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=4))
rules = st.builds(ModeRule, weight=weights, cap_share=caps)
hours_by_mode = st.dictionaries(st.sampled_from(MODES), hours, max_size=len(MODES))
rules_by_mode = st.dictionaries(st.sampled_from(MODES), rules, max_size=len(MODES))


@given(hours_by_mode, required)
def test_without_rules_hours_count_as_they_are(validated, obligation):
    total = sum(validated.values(), Decimal(0))

    assert counted_hours(validated, obligation, {}) == total
    assert counted_hours(validated, obligation, dict.fromkeys(validated, ModeRule())) == total


@given(hours_by_mode, required, rules_by_mode)
def test_counted_hours_never_exceed_the_weighted_hours(validated, obligation, network_rules):
    weighted = sum(
        (hours * network_rules.get(mode, ModeRule()).weight for mode, hours in validated.items()),
        Decimal(0),
    )

    assert counted_hours(validated, obligation, network_rules) <= weighted


@given(hours, required, rules)
def test_a_capped_mode_stays_under_its_share_of_the_obligation(validated, obligation, rule):
    counted = mode_counted_hours(validated, obligation, rule)

    assert counted >= 0
    if rule.cap_share is not None:
        assert counted <= rule.cap_share * obligation


@given(hours, hours, required, rules)
def test_more_hours_never_count_for_less(validated, extra, obligation, rule):
    assert mode_counted_hours(validated + extra, obligation, rule) >= mode_counted_hours(
        validated, obligation, rule
    )


@given(hours_by_mode, required, rules_by_mode)
def test_a_contract_counts_the_sum_of_its_modes(validated, obligation, network_rules):
    assert counted_hours(validated, obligation, network_rules) == sum(
        (
            mode_counted_hours(hours, obligation, network_rules.get(mode, ModeRule()))
            for mode, hours in validated.items()
        ),
        Decimal(0),
    )


def test_training_capped_at_30_percent_and_temp_work_weighted_half():
    network_rules = {
        ExecutionMode.TRAINING: ModeRule(cap_share=Decimal("0.30")),
        ExecutionMode.TEMP_AGENCY: ModeRule(weight=Decimal("0.5")),
    }
    validated = {
        ExecutionMode.DIRECT_CDI: Decimal(400),
        ExecutionMode.TRAINING: Decimal(500),
        ExecutionMode.TEMP_AGENCY: Decimal(200),
    }

    # 400 + min(500, 30 % of 1 000) + 200 × 0.5
    assert counted_hours(validated, 1000, network_rules) == Decimal(800)


@pytest.mark.parametrize(
    ("weight", "cap_share"), [(Decimal(-1), None), (Decimal(1), Decimal("1.5"))]
)
def test_a_rule_out_of_range_is_refused(weight, cap_share):
    with pytest.raises(ValueError, match="must"):
        ModeRule(weight=weight, cap_share=cap_share)
