"""Where a need and a referral may go next. Pure: no Django.

A hiring need is drafted by a company (or its facilitator), submitted, published to the
network's prescribers by the facilitator, then filled or closed. A referral (a candidate
proposed by a prescriber) is referred, shortlisted, seen in interview, then hired or not
retained; a decision may be taken at any stage before the end, and only the end is final.
"""

from enum import StrEnum


class NeedStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    FILLED = "filled"
    CLOSED = "closed"


class ReferralStatus(StrEnum):
    REFERRED = "referred"
    SHORTLISTED = "shortlisted"
    INTERVIEW = "interview"
    HIRED = "hired"
    NOT_RETAINED = "not_retained"


NEED_TRANSITIONS: dict[NeedStatus, frozenset[NeedStatus]] = {
    NeedStatus.DRAFT: frozenset({NeedStatus.SUBMITTED, NeedStatus.CLOSED}),
    # The facilitator publishes, or sends it back to the company to complete.
    NeedStatus.SUBMITTED: frozenset({NeedStatus.PUBLISHED, NeedStatus.DRAFT, NeedStatus.CLOSED}),
    NeedStatus.PUBLISHED: frozenset({NeedStatus.FILLED, NeedStatus.CLOSED}),
    # A need filled too early (a hire fell through) can be published again.
    NeedStatus.FILLED: frozenset({NeedStatus.PUBLISHED}),
    NeedStatus.CLOSED: frozenset(),
}

REFERRAL_TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.REFERRED: frozenset({ReferralStatus.SHORTLISTED, ReferralStatus.NOT_RETAINED}),
    ReferralStatus.SHORTLISTED: frozenset(
        {ReferralStatus.INTERVIEW, ReferralStatus.HIRED, ReferralStatus.NOT_RETAINED}
    ),
    ReferralStatus.INTERVIEW: frozenset({ReferralStatus.HIRED, ReferralStatus.NOT_RETAINED}),
    ReferralStatus.HIRED: frozenset(),
    ReferralStatus.NOT_RETAINED: frozenset(),
}

# Referrals whose candidate a company may see: a company sees candidates once shortlisted.
VISIBLE_TO_COMPANY = frozenset(
    {
        ReferralStatus.SHORTLISTED,
        ReferralStatus.INTERVIEW,
        ReferralStatus.HIRED,
        ReferralStatus.NOT_RETAINED,
    }
)


def can_move_need(current: NeedStatus, target: NeedStatus) -> bool:
    return target in NEED_TRANSITIONS[current]


def can_move_referral(current: ReferralStatus, target: ReferralStatus) -> bool:
    return target in REFERRAL_TRANSITIONS[current]


def is_final(status: ReferralStatus) -> bool:
    return not REFERRAL_TRANSITIONS[status]


def visible_to_company(status: ReferralStatus, was_shortlisted: bool) -> bool:
    """A company sees a candidate once the facilitator shortlisted them: a candidate set
    aside before that stays with the facilitator and the prescriber."""
    if status == ReferralStatus.NOT_RETAINED:
        return was_shortlisted
    return status in VISIBLE_TO_COMPANY
