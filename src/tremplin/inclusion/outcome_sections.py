"""What the "Sorties et situations" and "Données FSE" sections of a participant's page
show: each exit with its situation at exit and six months later, and the ESF entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tremplin.inclusion import selectors
from tremplin.inclusion.enums import OUTCOME_CATEGORIES, OutcomeMoment
from tremplin.inclusion.followup import six_month_due, six_month_earliest
from tremplin.inclusion.models import Outcome, Participant
from tremplin.organisations.access import UserScope

CATEGORY_COLOURS = {
    "durable_job": "success",
    "transition_job": "info",
    "training": "primary",
    "other": "secondary",
}


@dataclass
class Exit:
    """One exit of the pathway: the situation at exit, and the one six months later."""

    exit_date: date
    at_exit: Outcome | None = None
    at_six_months: Outcome | None = None

    @property
    def due_on(self) -> date:
        return six_month_due(self.exit_date)

    @property
    def earliest(self) -> date:
        return six_month_earliest(self.exit_date)

    def follow_up_state(self, today: date) -> str:
        """``done``, ``late`` (due date passed), ``open`` (may be observed) or ``waiting``."""
        if self.at_six_months is not None:
            return "done"
        if self.due_on <= today:
            return "late"
        if self.earliest <= today:
            return "open"
        return "waiting"


def _decorate(outcome: Outcome | None) -> None:
    if outcome is not None:
        category = OUTCOME_CATEGORIES.get(outcome.situation, "other")
        outcome.colour = CATEGORY_COLOURS[category]  # type: ignore[attr-defined]


def participant_outcome_sections(
    scope: UserScope, participant: Participant, today: date
) -> dict[str, Any]:
    """The exits (newest first, with their follow-up state) and ESF entries (two queries)."""
    exits: dict[date, Exit] = {}
    for outcome in selectors.outcomes_of_participant(scope, participant):
        _decorate(outcome)
        item = exits.setdefault(outcome.exit_date, Exit(outcome.exit_date))
        if outcome.moment == OutcomeMoment.EXIT:
            item.at_exit = outcome
        else:
            item.at_six_months = outcome
    rows = [
        {"exit": item, "state": item.follow_up_state(today)}
        for item in sorted(exits.values(), key=lambda item: item.exit_date, reverse=True)
    ]
    return {
        "exits": rows,
        "esf_entries": list(selectors.esf_entries_of_participant(scope, participant)),
    }
