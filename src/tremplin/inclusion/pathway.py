"""A participant's pathway, told in order. Pure: no Django.

The selectors gather plain facts (referrals, placements, monthly hours, outcomes); this
module finds the breaks, writes each entry's French text and orders the whole, so that
every rule here can be property-tested.

A pathway reads as a story: oldest first, grouped by year, with a « today » marker
between what happened and what is expected (a planned end, a six-month follow-up). The
page links to that marker, so the latest events are one step away however long the
story. Newest-first would put a person's exit before their hire and make the breaks,
which only make sense between two periods, hard to read.

Two kinds of break are shown, never overlapping:

- a gap of one month or more between the end of one placement and the start of the next
  (no placement at all on those days: overlapping placements count as one period);
- a run of months without any hours, inside the span from the first month with hours to
  the last one, outside the months of those gaps (a placement running without work).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tremplin.core.months import MONTH_NAMES, month_name
from tremplin.inclusion.followup import add_months, six_month_due, six_month_earliest

ZERO = Decimal(0)
DAY = timedelta(days=1)


# What each kind of entry is called, and its icon (bootstrap-icons): the text always
# goes with the colour.
KIND_LABELS = {
    "referral": "Candidature",
    "referral_stage": "Candidature",
    "start": "Début",
    "training_start": "Formation",
    "hours": "Heures",
    "training": "Formation",
    "break": "Interruption",
    "end": "Fin",
    "exit": "Sortie",
    "six_months": "Situation à 6 mois",
    "follow_up": "Suivi à 6 mois",
    "today": "Aujourd'hui",
}
KIND_ICONS = {
    "referral": "person-plus",
    "referral_stage": "signpost-split",
    "start": "briefcase",
    "training_start": "mortarboard",
    "hours": "clock-history",
    "training": "mortarboard",
    "break": "pause-circle",
    "end": "flag",
    "exit": "box-arrow-right",
    "six_months": "calendar-check",
    "follow_up": "hourglass-split",
    "today": "geo-alt",
}
# On the same day, the order in which things happen: a hire before its first month, the
# month's hours before the end of the mission, the end before the exit.
KIND_ORDER = {kind: index for index, kind in enumerate(KIND_LABELS)}

# Colours of the outcome categories (as in the section « Sorties et situations »).
CATEGORY_TONES = {
    "durable_job": "success",
    "transition_job": "info",
    "training": "primary",
    "other": "secondary",
}
REFERRAL_STAGE_TONES = {"hired": "success", "not_retained": "secondary"}


# Formatting, the French way ---------------------------------------------------------------


def french_hours(value: Decimal) -> str:
    """``1 240``, ``151,5``: thousands grouped by a no-break space, decimals if any."""
    if value == value.to_integral_value():
        whole, decimals = int(value), ""
    else:
        text = format(value.quantize(Decimal("0.01")).normalize(), "f")
        integer, decimals = text.split(".")
        whole = int(integer)
    grouped = f"{whole:,}".replace(",", "\u00a0")
    return f"{grouped},{decimals}" if decimals else grouped


def counted(count: int, singular: str, plural: str) -> str:
    """``1 marché``, ``2 marchés``."""
    return f"{french_hours(Decimal(count))} {singular if count == 1 else plural}"


def day_label(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def month_label(month: date) -> str:
    return month_name(month)


def month_range_label(first: date, last: date) -> str:
    """``juin 2026``, ``juin – août 2026``, ``novembre 2025 – février 2026``."""
    if (first.year, first.month) == (last.year, last.month):
        return month_label(first)
    if first.year == last.year:
        return f"{MONTH_NAMES[first.month - 1]} – {month_label(last)}"
    return f"{month_label(first)} – {month_label(last)}"


def duration_label(months: int, days: int) -> str:
    """``3 mois``, ``1 mois et 19 jours``."""
    if not days:
        return f"{months} mois"
    return f"{months} mois et {counted(days, 'jour', 'jours')}"


# Months -----------------------------------------------------------------------------------


def month_index(value: date) -> int:
    return value.year * 12 + value.month - 1


def month_at(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s month to ``last``'s, both included."""
    return [month_at(index) for index in range(month_index(first), month_index(last) + 1)]


# Breaks -----------------------------------------------------------------------------------


def gap_length(first_day: date, last_day: date) -> tuple[int, int]:
    """Whole months and remaining days from ``first_day`` to ``last_day`` included."""
    after = last_day + DAY
    months = max(0, month_index(after) - month_index(first_day))
    while months and add_months(first_day, months) > after:
        months -= 1
    return months, (after - add_months(first_day, months)).days


def is_break(first_day: date, last_day: date) -> bool:
    """Whether days without a placement last one month or more."""
    return gap_length(first_day, last_day)[0] >= 1


def placement_gaps(periods: Iterable[tuple[date, date | None]]) -> list[tuple[date, date]]:
    """The breaks between placements: runs of days of one month or more covered by no
    period, between the first start and the last end (an open period never ends)."""
    ordered = sorted((start, end or date.max) for start, end in periods)
    gaps: list[tuple[date, date]] = []
    if not ordered:
        return gaps
    covered_until = ordered[0][1]
    for start, end in ordered[1:]:
        if covered_until == date.max:
            break
        if start > covered_until + DAY and is_break(covered_until + DAY, start - DAY):
            gaps.append((covered_until + DAY, start - DAY))
        covered_until = max(covered_until, end)
    return gaps


def months_without_hours(
    months_with_hours: Iterable[date], excluded: Iterable[tuple[date, date]] = ()
) -> list[tuple[date, date]]:
    """Runs of months without hours between the first and the last month with hours,
    leaving out the months of the ``excluded`` periods (the gaps between placements),
    as (first month, last month)."""
    worked = {month_index(month) for month in months_with_hours}
    if not worked:
        return []
    skipped = {
        index
        for first_day, last_day in excluded
        for index in range(month_index(first_day), month_index(last_day) + 1)
    }
    runs: list[tuple[date, date]] = []
    run_start: int | None = None
    for index in range(min(worked), max(worked) + 2):
        empty = index <= max(worked) and index not in worked and index not in skipped
        if empty and run_start is None:
            run_start = index
        elif not empty and run_start is not None:
            runs.append((month_at(run_start), month_at(index - 1)))
            run_start = None
    return runs


# Facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementFact:
    key: int
    start: date
    end: date | None
    contract_reference: str
    employer: str
    job: str
    mode_label: str
    is_training: bool = False
    url: str | None = None
    contract_url: str | None = None


@dataclass(frozen=True)
class HoursFact:
    """A month of hours on a placement, declared or validated (rejected ones never come)."""

    placement_key: int
    month: date
    worked: Decimal
    training: Decimal
    validated: bool = True

    @property
    def total(self) -> Decimal:
        return self.worked + self.training


@dataclass(frozen=True)
class OutcomeFact:
    at_six_months: bool
    exit_date: date
    observed_on: date
    situation: str
    category: str
    employer: str = ""
    url: str | None = None
    # Where the six-month situation of this exit is recorded.
    follow_up_url: str | None = None


@dataclass(frozen=True)
class ReferralFact:
    referred_on: date
    stage: str
    stage_label: str
    stage_changed_on: date
    job: str
    employer: str
    contract_reference: str
    prescriber: str
    url: str | None = None


# The pathway ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathwayLink:
    label: str
    url: str


@dataclass(frozen=True)
class PathwayEvent:
    """An entry of the timeline. ``day`` places it; ``period`` is what it covers, by
    month (``by_month``) or by day."""

    day: date
    kind: str
    title: str
    detail: str = ""
    url: str | None = None
    tone: str = "secondary"
    period: tuple[date, date] | None = None
    by_month: bool = False
    lines: tuple[str, ...] = ()
    links: tuple[PathwayLink, ...] = ()
    future: bool = False

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def icon(self) -> str:
        return KIND_ICONS[self.kind]

    @property
    def when(self) -> str:
        if self.period is None:
            return day_label(self.day)
        first, last = self.period
        if self.by_month:
            return month_range_label(first, last)
        return f"du {day_label(first)} au {day_label(last)}"

    @property
    def machine_date(self) -> str:
        """The value of the ``datetime`` attribute of the entry's ``<time>``."""
        first = self.period[0] if self.period else self.day
        return f"{first:%Y-%m}" if self.by_month else first.isoformat()


@dataclass(frozen=True)
class PathwaySummary:
    placements: int
    contracts: int
    employers: int
    hours: Decimal
    pending_hours: Decimal
    months_with_hours: int
    breaks: int

    @property
    def text(self) -> str:
        """« 3 mises en emploi sur 2 marchés, 2 employeurs, 1 240 h sur 14 mois,
        2 interruptions »."""
        if not self.placements:
            return "Aucune mise en emploi"
        parts = [
            counted(self.placements, "mise en emploi", "mises en emploi")
            + " sur "
            + counted(self.contracts, "marché", "marchés"),
            counted(self.employers, "employeur", "employeurs"),
        ]
        if self.hours:
            hours = f"{french_hours(self.hours)} h sur {self.months_with_hours} mois"
            if self.pending_hours:
                hours += f" (dont {french_hours(self.pending_hours)} h à valider)"
            parts.append(hours)
        else:
            parts.append("aucune heure déclarée")
        parts.append(
            counted(self.breaks, "interruption", "interruptions")
            if self.breaks
            else "aucune interruption"
        )
        return ", ".join(parts)


@dataclass(frozen=True)
class PathwayYear:
    year: int
    events: tuple[PathwayEvent, ...]


@dataclass(frozen=True)
class Pathway:
    summary: PathwaySummary
    years: tuple[PathwayYear, ...]
    # Years before this one are folded on the page: the last two years stay open.
    open_from: int = 0

    @property
    def events(self) -> list[PathwayEvent]:
        return [event for year in self.years for event in year.events]

    @property
    def older_years(self) -> tuple[PathwayYear, ...]:
        return tuple(year for year in self.years if year.year < self.open_from)

    @property
    def older_years_label(self) -> str:
        """« l'année 2023 », « les années 2021 à 2023 »."""
        years = [year.year for year in self.older_years]
        if not years:
            return ""
        if len(years) == 1:
            return f"l'année {years[0]}"
        return f"les années {years[0]} à {years[-1]}"

    @property
    def recent_years(self) -> tuple[PathwayYear, ...]:
        return tuple(year for year in self.years if year.year >= self.open_from)


def _placement_events(placement: PlacementFact, today: date) -> list[PathwayEvent]:
    where = f"{placement.job}, marché {placement.contract_reference}"
    links = (
        (PathwayLink(f"Marché {placement.contract_reference}", placement.contract_url),)
        if placement.contract_url
        else ()
    )
    future = placement.start > today
    title = "Début prévu" if future else "Début"
    if placement.is_training:
        title += " de formation"
    title += f" chez {placement.employer} — {where}"
    events = [
        PathwayEvent(
            day=placement.start,
            kind="training_start" if placement.is_training else "start",
            title=title,
            detail=placement.mode_label
            + ("" if placement.end else " · sans date de fin")
            + (" · en cours" if not future and (placement.end or date.max) >= today else ""),
            url=placement.url,
            tone="primary",
            links=links,
            future=future,
        )
    ]
    if placement.end is not None:
        what = "de la formation" if placement.is_training else "de mission"
        future = placement.end > today
        events.append(
            PathwayEvent(
                day=placement.end,
                kind="end",
                title=f"Fin {'prévue ' if future else ''}{what} chez {placement.employer}",
                detail=where,
                url=placement.url,
                future=future,
            )
        )
    return events


def month_line(entry: HoursFact) -> str:
    """« mars 2026 : 151,5 h dont 12 h de formation »."""
    line = f"{month_label(entry.month)} : {french_hours(entry.total)} h"
    if entry.training:
        line += f" dont {french_hours(entry.training)} h de formation"
    if not entry.validated:
        line += " (à valider)"
    return line


def _hours_events(placement: PlacementFact, entries: Sequence[HoursFact]) -> list[PathwayEvent]:
    """One summary of the placement's months per year, and one entry per run of
    consecutive months with training hours."""
    events: list[PathwayEvent] = []
    by_year: dict[int, list[HoursFact]] = defaultdict(list)
    for entry in entries:
        by_year[entry.month.year].append(entry)
    hours_url = f"{placement.url}#heures" if placement.url else None
    for months in by_year.values():
        total = sum((entry.total for entry in months), ZERO)
        training = sum((entry.training for entry in months), ZERO)
        pending = sum((entry.total for entry in months if not entry.validated), ZERO)
        details = []
        if training:
            details.append(f"dont {french_hours(training)} h de formation")
        if pending:
            details.append(f"dont {french_hours(pending)} h à valider")
        events.append(
            PathwayEvent(
                # Placed at its last month: the year's summary closes it.
                day=months[-1].month,
                kind="hours",
                title=f"Heures chez {placement.employer} : {french_hours(total)} h "
                f"sur {counted(len(months), 'mois', 'mois')}",
                detail=" · ".join(details),
                url=hours_url,
                tone="secondary",
                period=(months[0].month, months[-1].month),
                by_month=True,
                lines=tuple(month_line(entry) for entry in months),
            )
        )
    runs: list[list[HoursFact]] = []
    for entry in entries:
        if not entry.training:
            continue
        if runs and month_index(entry.month) == month_index(runs[-1][-1].month) + 1:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    for run in runs:
        hours = sum((item.training for item in run), ZERO)
        events.append(
            PathwayEvent(
                day=run[0].month,
                kind="training",
                title=f"Formation : {french_hours(hours)} h chez {placement.employer}",
                detail=f"pendant la mise en emploi sur le marché {placement.contract_reference}",
                url=hours_url,
                tone="info",
                period=(run[0].month, run[-1].month),
                by_month=True,
            )
        )
    return events


def _gap_event(
    gap: tuple[date, date], placements: Sequence[PlacementFact], today: date
) -> PathwayEvent:
    first_day, last_day = gap
    months, days = gap_length(first_day, last_day)
    before = next((p for p in placements if p.end == first_day - DAY), None)
    after = next((p for p in placements if p.start == last_day + DAY), None)
    detail = ""
    if before and after:
        detail = f"Entre la fin chez {before.employer} et le début chez {after.employer}"
    return PathwayEvent(
        day=first_day,
        kind="break",
        title=f"Interruption : {duration_label(months, days)} sans mise en emploi",
        detail=detail,
        tone="warning",
        period=gap,
        future=first_day > today,
    )


def _outcome_events(outcomes: Sequence[OutcomeFact], today: date) -> list[PathwayEvent]:
    events = []
    followed_up = {outcome.exit_date for outcome in outcomes if outcome.at_six_months}
    for outcome in outcomes:
        detail = f"Employeur : {outcome.employer}" if outcome.employer else ""
        if outcome.at_six_months:
            events.append(
                PathwayEvent(
                    day=outcome.observed_on,
                    kind="six_months",
                    title=f"Situation à 6 mois : {outcome.situation}",
                    detail=" · ".join(
                        filter(None, [f"sortie du {day_label(outcome.exit_date)}", detail])
                    ),
                    url=outcome.url,
                    tone=CATEGORY_TONES.get(outcome.category, "secondary"),
                )
            )
            continue
        events.append(
            PathwayEvent(
                day=outcome.exit_date,
                kind="exit",
                title=f"Sortie : {outcome.situation}",
                detail=" · ".join(
                    filter(None, [f"constatée le {day_label(outcome.observed_on)}", detail])
                ),
                url=outcome.url,
                tone=CATEGORY_TONES.get(outcome.category, "secondary"),
            )
        )
        if outcome.exit_date in followed_up:
            continue
        followed_up.add(outcome.exit_date)
        due = six_month_due(outcome.exit_date)
        earliest = six_month_earliest(outcome.exit_date)
        links = (
            (PathwayLink("Saisir la situation à 6 mois", outcome.follow_up_url),)
            if outcome.follow_up_url and earliest <= today
            else ()
        )
        if due <= today:
            title, tone = f"Situation à 6 mois en retard : attendue le {day_label(due)}", "warning"
        else:
            title, tone = f"Situation à 6 mois à saisir avant le {day_label(due)}", "info"
        events.append(
            PathwayEvent(
                day=due,
                kind="follow_up",
                title=title,
                detail=f"sortie du {day_label(outcome.exit_date)} · à constater à partir du "
                f"{day_label(earliest)}",
                tone=tone,
                links=links,
                future=due > today,
            )
        )
    return events


def _referral_events(referral: ReferralFact) -> list[PathwayEvent]:
    need = f"{referral.job} chez {referral.employer}"
    events = [
        PathwayEvent(
            day=referral.referred_on,
            kind="referral",
            title=f"Candidature proposée par {referral.prescriber} — {need}",
            detail=f"marché {referral.contract_reference}",
            url=referral.url,
            tone="info",
        )
    ]
    if referral.stage != "referred":
        events.append(
            PathwayEvent(
                day=referral.stage_changed_on,
                kind="referral_stage",
                title=f"Candidature chez {referral.employer} : {referral.stage_label.lower()}",
                detail=referral.job,
                url=referral.url,
                tone=REFERRAL_STAGE_TONES.get(referral.stage, "info"),
            )
        )
    return events


def build_pathway(
    *,
    placements: Sequence[PlacementFact],
    hours: Sequence[HoursFact],
    outcomes: Sequence[OutcomeFact] = (),
    referrals: Sequence[ReferralFact] = (),
    today: date,
) -> Pathway:
    """The whole pathway: the summary line and the entries grouped by year, oldest first."""
    hours_by_placement: dict[int, list[HoursFact]] = defaultdict(list)
    for entry in sorted(hours, key=lambda entry: entry.month):
        hours_by_placement[entry.placement_key].append(entry)
    events: list[PathwayEvent] = []
    for referral in referrals:
        events += _referral_events(referral)
    for placement in placements:
        events += _placement_events(placement, today)
        events += _hours_events(placement, hours_by_placement.get(placement.key, []))
    gaps = placement_gaps((placement.start, placement.end) for placement in placements)
    events += [_gap_event(gap, placements, today) for gap in gaps]
    worked_months = {entry.month for entry in hours if entry.total > 0}
    runs = months_without_hours(worked_months, excluded=gaps)
    for first, last in runs:
        count = month_index(last) - month_index(first) + 1
        events.append(
            PathwayEvent(
                day=first,
                kind="break",
                title=f"Interruption : {count} mois sans heures",
                detail="Aucune heure déclarée pendant la mise en emploi",
                tone="warning",
                period=(first, last),
                by_month=True,
            )
        )
    events += _outcome_events(outcomes, today)
    if events:
        events.append(PathwayEvent(day=today, kind="today", title="Aujourd'hui", tone="dark"))
    events.sort(key=lambda event: (event.day, KIND_ORDER[event.kind]))
    by_year: dict[int, list[PathwayEvent]] = defaultdict(list)
    for event in events:
        by_year[event.day.year].append(event)
    summary = PathwaySummary(
        placements=len(placements),
        contracts=len({placement.contract_reference for placement in placements}),
        employers=len({placement.employer for placement in placements}),
        hours=sum((entry.total for entry in hours), ZERO),
        pending_hours=sum((entry.total for entry in hours if not entry.validated), ZERO),
        months_with_hours=len(worked_months),
        breaks=len(gaps) + len(runs),
    )
    past_years = [
        event.day.year for event in events if event.kind != "today" and event.day <= today
    ]
    return Pathway(
        summary=summary,
        years=tuple(PathwayYear(year, tuple(items)) for year, items in sorted(by_year.items())),
        open_from=min(today.year - 1, max(past_years, default=today.year)),
    )
