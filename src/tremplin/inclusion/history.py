"""The participant's history, in words: each event's subject and its fields before → after."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.formats import date_format

from tremplin.core.templatetags.french import hours as format_hours
from tremplin.inclusion.enums import EventAction
from tremplin.inclusion.models import (
    EsfEntry,
    HoursEntry,
    HoursPool,
    InclusionEvent,
    Outcome,
    Participant,
    ParticipantCriterion,
    Placement,
    PooledMonth,
)

MODELS: dict[str, type[models.Model]] = {
    "participant": Participant,
    "participantcriterion": ParticipantCriterion,
    "placement": Placement,
    "hoursentry": HoursEntry,
    "outcome": Outcome,
    "esfentry": EsfEntry,
    "hourspool": HoursPool,
    "pooledmonth": PooledMonth,
}
# Values of the history that are no field of their model.
EXTRA_LABELS = {"shares": "Parts des marchés", "reason": "Motif"}
REFERENCE_KINDS = {
    "referred_by_id": "organisation",
    "employer_id": "organisation",
    "criterion_id": "criterion",
    "contract_id": "contract",
    "lot_id": "lot",
    "job_id": "job",
    "placement_id": "placement",
}
HOURS_FIELDS = {"hours_worked", "training_hours"}
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime.datetime
    actor: str
    action: str
    action_code: str
    subject: str
    changes: list[Change] = field(default_factory=list)


def _label(model: type[models.Model] | None, name: str) -> str:
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    if model is None:
        return name
    try:
        verbose = model._meta.get_field(name.removesuffix("_id")).verbose_name
    except Exception:
        return name
    text = str(verbose)
    return text[:1].upper() + text[1:]


def _value(
    model: type[models.Model] | None,
    name: str,
    value: Any,
    references: dict[str, dict[int, Any]],
) -> str:
    if value is None or value == "":
        return EMPTY
    if name in REFERENCE_KINDS:
        return str(references.get(REFERENCE_KINDS[name], {}).get(int(value), f"n° {value}"))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name == "month":
        return date_format(datetime.date.fromisoformat(value), "F Y")
    if isinstance(value, str) and name.endswith(("_date", "_on", "_until")):
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if name in HOURS_FIELDS:
        try:
            return f"{format_hours(Decimal(str(value)))} h"
        except InvalidOperation:
            return str(value)
    if model is not None:
        try:
            choices = dict(model._meta.get_field(name).choices or [])
        except Exception:
            choices = {}
        if value in choices:
            return str(choices[value])
    return str(value)


def _subject(event: InclusionEvent, references: dict[str, dict[int, Any]]) -> tuple[str, set[str]]:
    """What the event is about, and the fields that already say it."""
    snapshot = event.after or event.before or {}
    if event.object_type == "participantcriterion":
        name = _value(None, "criterion_id", snapshot.get("criterion_id"), references)
        return name, {"criterion_id"}
    if event.object_type == "placement":
        placement = references.get("placement", {}).get(event.object_id)
        if placement is not None:
            return f"Marché {placement.contract.reference}", {"contract_id"}
        return "", set()
    if event.object_type == "hoursentry":
        entry = references.get("hoursentry", {}).get(event.object_id)
        month = _value(None, "month", snapshot.get("month"), references)
        if entry is not None:
            return f"{month} — marché {entry.placement.contract.reference}", {"month"}
        return month, {"month"}
    if event.object_type == "outcome":
        exit_date = _value(None, "exit_date", snapshot.get("exit_date"), references)
        moment = _value(Outcome, "moment", snapshot.get("moment"), references)
        return f"Sortie du {exit_date} — {moment.lower()}", {"exit_date", "moment"}
    if event.object_type == "hourspool":
        return f"Mutualisation n° {event.object_id}", set()
    if event.object_type == "pooledmonth":
        month = _value(None, "month", snapshot.get("month"), references)
        return f"{month} — heures mutualisées", {"month"}
    if event.object_type == "esfentry":
        entered_on = _value(None, "entered_on", snapshot.get("entered_on"), references)
        return f"Entrée FSE du {entered_on}", {"entered_on"}
    return "", set()


def timeline(
    events: list[InclusionEvent], references: dict[str, dict[int, Any]]
) -> list[TimelineEntry]:
    entries = []
    for event in events:
        model = MODELS.get(event.object_type)
        before, after = event.before or {}, event.after or {}
        subject, implied = _subject(event, references)
        changes = []
        if event.action == EventAction.PARTICIPANTS_MERGED:
            subject, changes = _merged(before, after)
            before, after = {}, {}
        for name in dict.fromkeys([*before, *after]):
            old, new = before.get(name), after.get(name)
            if name in implied and (not before or not after or old == new):
                continue
            if event.before is not None and event.after is not None and _same(name, old, new):
                continue
            if event.before is None and _is_empty(name, new):
                continue  # a creation lists what was filled in
            changes.append(
                Change(
                    label=_label(model, name),
                    before=_value(model, name, old, references) if event.before else None,
                    after=_value(model, name, new, references) if event.after else None,
                )
            )
        if event.action == EventAction.PARTICIPANT_CREATED:
            changes = []  # the identity is shown above the timeline
        actor = event.actor
        entries.append(
            TimelineEntry(
                occurred_at=event.occurred_at,
                actor=(actor.get_full_name() or actor.email) if actor else "Tremplin",
                action=_action_label(event.action),
                action_code=event.action,
                subject=subject,
                changes=changes,
            )
        )
    return entries


def _merged(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, list[Change]]:
    """A duplicate merged into this record: whom, and what it brought."""
    born = _value(None, "birth_date", before.get("birth_date"), {})
    name = f"{before.get('first_name', '')} {str(before.get('last_name', '')).upper()}"
    subject = f"Fiche de {name.strip()}, né(e) le {born}"
    changes = [
        Change("Mises en emploi reprises", None, str(len(after.get("placement_ids", [])))),
        Change("Critères repris", None, str(len(after.get("criterion_ids", [])))),
    ]
    return subject, changes


def _same(name: str, old: Any, new: Any) -> bool:
    """Equal values, "120.00" and "120" being the same hours."""
    if old == new:
        return True
    if name in HOURS_FIELDS and old is not None and new is not None:
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except InvalidOperation:
            return False
    return False


def _is_empty(name: str, value: Any) -> bool:
    if value in (None, "", False):
        return True
    if name not in HOURS_FIELDS:
        return False
    try:
        return Decimal(str(value)) == 0
    except (InvalidOperation, ValueError):
        return False


def _action_label(code: str) -> str:
    try:
        return str(EventAction(code).label)
    except ValueError:
        return code
