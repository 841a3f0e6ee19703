"""The pathway told in order: breaks between placements and months without hours, the
French text of each entry, the summary line (pure functions, no database)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tremplin.inclusion.followup import add_months
from tremplin.inclusion.pathway import (
    HoursFact,
    OutcomeFact,
    PlacementFact,
    ReferralFact,
    build_pathway,
    french_hours,
    gap_length,
    month_index,
    month_line,
    month_range_label,
    months_between,
    months_without_hours,
    placement_gaps,
)

D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = D(2026, 5, 12)


def placement(key: int, start: D, end: D | None, **fields: object) -> PlacementFact:
    values: dict[str, object] = {
        "contract_reference": "2025-014",
        "employer": "Lagon BTP",
        "job": "Maçon",
        "mode_label": "Embauche directe en CDD",
        "url": f"/participants/mises-en-emploi/{key}/",
        "contract_url": "/marches/1/",
    }
    values.update(fields)
    return PlacementFact(key=key, start=start, end=end, **values)  # type: ignore[arg-type]


def hours(key: int, month: D, worked: int, training: int = 0, **fields: object) -> HoursFact:
    return HoursFact(key, month, Decimal(worked), Decimal(training), **fields)  # type: ignore[arg-type]


def last_day_of(month: D) -> D:
    return add_months(month, 1) - DAY


# Formatting --------------------------------------------------------------------------------


def test_hours_are_written_the_french_way() -> None:
    assert french_hours(Decimal(1240)) == "1\u00a0240"
    assert french_hours(Decimal("151.5")) == "151,5"
    assert french_hours(Decimal("12.25")) == "12,25"
    assert french_hours(Decimal("258000.00")) == "258\u00a0000"
    assert french_hours(Decimal(0)) == "0"


def test_month_ranges_name_the_year_once_when_they_share_it() -> None:
    assert month_range_label(D(2026, 6, 1), D(2026, 6, 1)) == "juin 2026"
    assert month_range_label(D(2026, 6, 1), D(2026, 8, 1)) == "juin – août 2026"
    assert month_range_label(D(2025, 11, 1), D(2026, 2, 1)) == "novembre 2025 – février 2026"


def test_a_month_line_says_the_training_hours_and_what_awaits_validation() -> None:
    entry = hours(1, D(2026, 3, 1), Decimal("139.5"), 12)  # type: ignore[arg-type]
    assert month_line(entry) == "mars 2026 : 151,5 h dont 12 h de formation"
    pending = hours(1, D(2026, 4, 1), 120, validated=False)
    assert month_line(pending) == "avril 2026 : 120 h (à valider)"


# Breaks ------------------------------------------------------------------------------------


def test_a_gap_is_measured_in_whole_months_and_days() -> None:
    assert gap_length(D(2026, 6, 1), D(2026, 6, 30)) == (1, 0)
    assert gap_length(D(2026, 5, 21), D(2026, 7, 9)) == (1, 19)
    assert gap_length(D(2026, 6, 1), D(2026, 6, 29)) == (0, 29)
    assert gap_length(D(2026, 6, 1), D(2026, 8, 31)) == (3, 0)


def test_only_gaps_of_a_month_or_more_between_placements_are_breaks() -> None:
    periods = [
        (D(2025, 1, 6), D(2025, 3, 31)),
        # Overlaps the first: one period from January to May.
        (D(2025, 3, 1), D(2025, 5, 31)),
        # Two weeks later: not a break.
        (D(2025, 6, 15), D(2025, 7, 31)),
        # All of August and September without a placement: a break.
        (D(2025, 10, 1), None),
        # Inside the open placement: nothing is missing any more.
        (D(2026, 3, 1), D(2026, 3, 31)),
    ]
    assert placement_gaps(periods) == [(D(2025, 8, 1), D(2025, 9, 30))]
    assert placement_gaps([]) == []


def test_months_without_hours_inside_the_span_leave_out_the_gaps() -> None:
    worked = [D(2025, 1, 1), D(2025, 2, 1), D(2025, 6, 1), D(2025, 9, 1)]
    assert months_without_hours(worked) == [
        (D(2025, 3, 1), D(2025, 5, 1)),
        (D(2025, 7, 1), D(2025, 8, 1)),
    ]
    gap = (D(2025, 7, 10), D(2025, 8, 20))
    assert months_without_hours(worked, excluded=[gap]) == [(D(2025, 3, 1), D(2025, 5, 1))]
    assert months_without_hours([]) == []


BASE = D(2024, 1, 1)
days = st.integers(min_value=0, max_value=900)
dates = days.map(lambda offset: BASE + datetime.timedelta(days=offset))
months = st.integers(min_value=0, max_value=40).map(lambda index: add_months(BASE, index))


@given(first=dates, last=dates)
def test_a_month_range_holds_every_month_once(first: D, last: D) -> None:
    first, last = min(first, last), max(first, last)
    result = months_between(first, last)
    assert result[0] == first.replace(day=1)
    assert result[-1] == last.replace(day=1)
    assert all(month.day == 1 for month in result)
    assert [month_index(month) for month in result] == list(
        range(month_index(first), month_index(last) + 1)
    )


@given(first=dates, length=st.integers(min_value=0, max_value=800))
def test_a_gap_length_adds_up_to_the_gap(first: D, length: int) -> None:
    last = first + datetime.timedelta(days=length)
    months_count, rest = gap_length(first, last)
    assert add_months(first, months_count) + datetime.timedelta(days=rest) == last + DAY
    assert add_months(first, months_count + 1) > last + DAY
    assert rest >= 0


periods = st.lists(
    st.tuples(days, st.one_of(st.none(), st.integers(min_value=0, max_value=200))),
    max_size=6,
).map(
    lambda items: [
        (
            BASE + datetime.timedelta(days=start),
            None if length is None else BASE + datetime.timedelta(days=start + length),
        )
        for start, length in items
    ]
)


def uncovered_runs(items: list[tuple[D, D | None]]) -> list[tuple[D, D]]:
    """By brute force: the runs of days that no period covers, between the first start
    and the last day covered."""
    if not items:
        return []
    horizon = BASE + datetime.timedelta(days=2000)
    covered = set()
    for start, end in items:
        day = start
        while day <= (end or horizon):
            covered.add(day)
            day += DAY
    runs: list[tuple[D, D]] = []
    day, last = min(covered), max(covered)
    while day <= last:
        if day not in covered:
            run_start = day
            while day not in covered:
                day += DAY
            runs.append((run_start, day - DAY))
        day += DAY
    return runs


@given(items=periods)
def test_the_gaps_are_exactly_the_uncovered_runs_of_a_month_or_more(
    items: list[tuple[D, D | None]],
) -> None:
    expected = [(a, b) for a, b in uncovered_runs(items) if add_months(a, 1) <= b + DAY]
    gaps = placement_gaps(items)
    assert gaps == expected
    for (_, end), (start, _) in itertools.pairwise(gaps):
        assert end < start


@given(
    worked=st.sets(months, max_size=15),
    excluded=st.lists(st.tuples(dates, st.integers(min_value=0, max_value=120)), max_size=3),
)
def test_the_months_without_hours_are_counted_exactly(
    worked: set[D], excluded: list[tuple[D, int]]
) -> None:
    gaps = [(start, start + datetime.timedelta(days=length)) for start, length in excluded]
    runs = months_without_hours(worked, excluded=gaps)
    found = [month for first, last in runs for month in months_between(first, last)]
    gap_months = {month for first, last in gaps for month in months_between(first, last)}
    expected = (
        [
            month
            for month in months_between(min(worked), max(worked))
            if month not in worked and month not in gap_months
        ]
        if worked
        else []
    )
    assert found == expected
    # Runs are maximal: two runs never touch.
    for (_, last), (first, _) in itertools.pairwise(runs):
        assert month_index(first) > month_index(last) + 1


@given(
    items=periods,
    worked=st.sets(months, max_size=12),
)
def test_the_breaks_of_a_pathway_never_overlap(
    items: list[tuple[D, D | None]], worked: set[D]
) -> None:
    facts = [placement(index, start, end) for index, (start, end) in enumerate(items)]
    entries = [hours(0, month, 100) for month in sorted(worked)] if facts else []
    pathway = build_pathway(placements=facts, hours=entries, today=TODAY)
    breaks = [event for event in pathway.events if event.kind == "break"]
    assert len(breaks) == pathway.summary.breaks
    spans = sorted(
        (first, last_day_of(last) if event.by_month else last)
        for event in breaks
        for first, last in [event.period or (event.day, event.day)]
    )
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end < start
    days_in_order = [event.day for event in pathway.events]
    assert days_in_order == sorted(days_in_order)


# The whole pathway -------------------------------------------------------------------------


def story() -> dict[str, object]:
    """Two placements with two employers on two contracts, a gap of three months between
    them, a month without hours, a month of training, an exit to follow up."""
    first = placement(1, D(2025, 1, 6), D(2025, 5, 31))
    second = placement(
        2,
        D(2025, 9, 1),
        D(2026, 2, 28),
        contract_reference="2025-020",
        employer="Mayotte Propreté",
        job="Agent d'entretien",
        mode_label="Mise à disposition par une ETTI",
    )
    months_first = [D(2025, month, 1) for month in (1, 2, 3, 4, 5)]
    months_second = [D(2025, 9, 1), D(2025, 10, 1), D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]
    entries = [hours(1, month, 100, 12 if month.month == 3 else 0) for month in months_first]
    entries += [hours(2, month, 100) for month in months_second[:-1]]
    entries.append(hours(2, months_second[-1], 116, validated=False))
    exit_fact = OutcomeFact(
        at_six_months=False,
        exit_date=D(2026, 2, 28),
        observed_on=D(2026, 3, 2),
        situation="Emploi de transition — CDD ou mission de moins de 6 mois, contrat aidé, SIAE",
        category="transition_job",
        url="/participants/1/#sorties",
        follow_up_url="/participants/1/sorties/nouvelle/?moment=six_months&sortie=2026-02-28",
    )
    referral = ReferralFact(
        referred_on=D(2025, 8, 4),
        stage="hired",
        stage_label="Recruté",
        stage_changed_on=D(2025, 8, 20),
        job="Agent d'entretien",
        employer="Mayotte Propreté",
        contract_reference="2025-020",
        prescriber="Mission locale de Mamoudzou",
        url="/recrutements/7/",
    )
    return {
        "placements": [first, second],
        "hours": entries,
        "outcomes": [exit_fact],
        "referrals": [referral],
    }


def test_the_summary_counts_contracts_employers_hours_and_breaks() -> None:
    pathway = build_pathway(**story(), today=TODAY)  # type: ignore[arg-type]
    assert pathway.summary.text == (
        "2 mises en emploi sur 2 marchés, 2 employeurs, 1\u00a0028 h sur 10 mois "
        "(dont 116 h à valider), 2 interruptions"
    )


def test_the_entries_tell_the_story_in_order() -> None:
    pathway = build_pathway(**story(), today=TODAY)  # type: ignore[arg-type]
    titles = [(event.kind, event.title) for event in pathway.events]
    assert titles == [
        ("start", "Début chez Lagon BTP — Maçon, marché 2025-014"),
        ("training", "Formation : 12 h chez Lagon BTP"),
        ("hours", "Heures chez Lagon BTP : 512 h sur 5 mois"),
        ("end", "Fin de mission chez Lagon BTP"),
        ("break", "Interruption : 3 mois sans mise en emploi"),
        (
            "referral",
            "Candidature proposée par Mission locale de Mamoudzou — Agent d'entretien "
            "chez Mayotte Propreté",
        ),
        ("referral_stage", "Candidature chez Mayotte Propreté : recruté"),
        ("start", "Début chez Mayotte Propreté — Agent d'entretien, marché 2025-020"),
        ("break", "Interruption : 1 mois sans heures"),
        ("hours", "Heures chez Mayotte Propreté : 300 h sur 3 mois"),
        ("hours", "Heures chez Mayotte Propreté : 216 h sur 2 mois"),
        ("end", "Fin de mission chez Mayotte Propreté"),
        (
            "exit",
            "Sortie : Emploi de transition — CDD ou mission de moins de 6 mois, contrat aidé, SIAE",
        ),
        ("today", "Aujourd'hui"),
        ("follow_up", "Situation à 6 mois à saisir avant le 28/08/2026"),
    ]
    assert [year.year for year in pathway.years] == [2025, 2026]
    gap = pathway.events[4]
    assert gap.when == "du 01/06/2025 au 31/08/2025"
    assert gap.detail == "Entre la fin chez Lagon BTP et le début chez Mayotte Propreté"
    assert pathway.events[8].when == "novembre 2025"
    assert pathway.events[-1].future


def test_the_months_of_a_placement_are_summed_up_by_year() -> None:
    pathway = build_pathway(**story(), today=TODAY)  # type: ignore[arg-type]
    first_year = next(event for event in pathway.events if event.kind == "hours")
    assert first_year.when == "janvier – mai 2025"
    assert first_year.detail == "dont 12 h de formation"
    assert first_year.lines[2] == "mars 2025 : 112 h dont 12 h de formation"
    assert first_year.url == "/participants/mises-en-emploi/1/#heures"
    last = [event for event in pathway.events if event.kind == "hours"][-1]
    assert last.detail == "dont 116 h à valider"


def test_the_follow_up_is_late_once_due_and_can_be_recorded_from_two_weeks_before() -> None:
    waiting = build_pathway(**story(), today=TODAY)  # type: ignore[arg-type]
    assert waiting.events[-1].links == ()
    open_ = build_pathway(**story(), today=D(2026, 8, 20))  # type: ignore[arg-type]
    follow_up = next(event for event in open_.events if event.kind == "follow_up")
    assert [link.label for link in follow_up.links] == ["Saisir la situation à 6 mois"]
    late = build_pathway(**story(), today=D(2026, 9, 1))  # type: ignore[arg-type]
    follow_up = next(event for event in late.events if event.kind == "follow_up")
    assert follow_up.title == "Situation à 6 mois en retard : attendue le 28/08/2026"
    assert follow_up.tone == "warning"


def test_a_recorded_six_month_situation_replaces_the_reminder() -> None:
    facts = story()
    exit_fact = facts["outcomes"][0]  # type: ignore[index]
    six_months = OutcomeFact(
        at_six_months=True,
        exit_date=exit_fact.exit_date,
        observed_on=D(2026, 8, 25),
        situation="Emploi durable — CDI",
        category="durable_job",
    )
    facts["outcomes"] = [exit_fact, six_months]
    pathway = build_pathway(**facts, today=D(2026, 9, 1))  # type: ignore[arg-type]
    kinds = [event.kind for event in pathway.events]
    assert "follow_up" not in kinds
    last = pathway.events[-2]
    assert (last.title, last.tone) == ("Situation à 6 mois : Emploi durable — CDI", "success")


def test_a_training_placement_and_a_planned_end_say_so() -> None:
    training = placement(
        1, D(2026, 4, 1), D(2026, 7, 31), is_training=True, employer="GRETA de Mayotte"
    )
    pathway = build_pathway(placements=[training], hours=[], today=TODAY)
    start, today_marker, end = pathway.events
    assert start.title == "Début de formation chez GRETA de Mayotte — Maçon, marché 2025-014"
    assert start.kind_label == "Formation"
    assert today_marker.kind == "today"
    assert end.title == "Fin prévue de la formation chez GRETA de Mayotte"
    assert end.future
    assert pathway.summary.text == (
        "1 mise en emploi sur 1 marché, 1 employeur, aucune heure déclarée, aucune interruption"
    )


def test_an_empty_pathway_has_no_entry() -> None:
    pathway = build_pathway(placements=[], hours=[], today=TODAY)
    assert pathway.years == ()
    assert pathway.summary.text == "Aucune mise en emploi"


def test_old_years_are_folded_and_the_last_two_stay_open() -> None:
    facts = [
        placement(index, D(year, 3, 1), D(year, 6, 30))
        for index, year in enumerate(range(2021, 2026))
    ]
    pathway = build_pathway(placements=facts, hours=[], today=TODAY)
    assert [year.year for year in pathway.older_years] == [2021, 2022, 2023, 2024]
    assert [year.year for year in pathway.recent_years] == [2025, 2026]
    assert pathway.older_years_label == "les années 2021 à 2024"
    ended_long_ago = build_pathway(placements=facts[:2], hours=[], today=TODAY)
    assert [year.year for year in ended_long_ago.recent_years] == [2022, 2026]
