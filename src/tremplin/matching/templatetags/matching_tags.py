"""Badges of the matching pages: a need's status, a referral's stage (colour and text)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tremplin.matching.enums import (
    NEED_STATUS_COLOURS,
    REFERRAL_STATUS_COLOURS,
    MatchingAction,
    NeedStatusChoice,
    ReferralStatusChoice,
)

register = template.Library()


@register.filter
def need_badge(status: str) -> SafeString:
    colour = NEED_STATUS_COLOURS.get(NeedStatusChoice(status), "secondary")
    text = " text-dark" if colour == "warning" else ""
    return format_html(
        '<span class="badge text-bg-{}{}">{}</span>', colour, text, NeedStatusChoice(status).label
    )


@register.filter
def stage_badge(status: str) -> SafeString:
    colour = REFERRAL_STATUS_COLOURS.get(ReferralStatusChoice(status), "secondary")
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', colour, ReferralStatusChoice(status).label
    )


@register.filter
def stage_count(counts: list[tuple[str, str, int]], status: str) -> int:
    return next((count for value, _, count in counts if value == status), 0)


@register.filter
def action_label(action: str) -> str:
    """What a history event of a need records, in words."""
    try:
        return str(MatchingAction(action).label)
    except ValueError:
        return action
