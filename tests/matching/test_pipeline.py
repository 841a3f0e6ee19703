"""Where needs and referrals may go next (pure rules)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tremplin.matching.pipeline import (
    NEED_TRANSITIONS,
    REFERRAL_TRANSITIONS,
    VISIBLE_TO_COMPANY,
    NeedStatus,
    ReferralStatus,
    can_move_need,
    can_move_referral,
    is_final,
)


def _reachable(start, transitions):  # type: ignore[no-untyped-def]
    seen, todo = {start}, [start]
    while todo:
        for following in transitions[todo.pop()]:
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen


def test_every_stage_can_be_reached_from_the_start():
    assert _reachable(NeedStatus.DRAFT, NEED_TRANSITIONS) == set(NeedStatus)
    assert _reachable(ReferralStatus.REFERRED, REFERRAL_TRANSITIONS) == set(ReferralStatus)


def test_a_hire_and_a_refusal_are_final():
    assert is_final(ReferralStatus.HIRED)
    assert is_final(ReferralStatus.NOT_RETAINED)
    assert not is_final(ReferralStatus.INTERVIEW)


def test_a_candidate_is_never_hired_straight_from_the_referral():
    assert not can_move_referral(ReferralStatus.REFERRED, ReferralStatus.HIRED)
    assert can_move_referral(ReferralStatus.SHORTLISTED, ReferralStatus.HIRED)


def test_a_need_is_published_only_once_submitted():
    assert not can_move_need(NeedStatus.DRAFT, NeedStatus.PUBLISHED)
    assert can_move_need(NeedStatus.SUBMITTED, NeedStatus.PUBLISHED)
    assert not NEED_TRANSITIONS[NeedStatus.CLOSED]


@given(st.sampled_from(list(ReferralStatus)), st.sampled_from(list(ReferralStatus)))
def test_no_referral_goes_back_to_an_earlier_stage(current, target):
    order = list(ReferralStatus)
    if can_move_referral(current, target):
        assert order.index(target) > order.index(current)


@given(st.sampled_from(list(ReferralStatus)))
def test_a_company_sees_every_candidate_past_the_shortlist_and_none_before(status):
    assert (status in VISIBLE_TO_COMPANY) == (status != ReferralStatus.REFERRED)
