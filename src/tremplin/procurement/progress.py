"""Progress of a contract against its obligation. Pure: no Django.

Hours expected by a date are the obligation prorated over the execution period, day by
day: nothing before the start, everything from the end on. The status compares the hours
realised (validated) with the obligation and with that expectation:

- ``exceeded``: at least 110 % of the obligation realised;
- ``met``: the obligation is realised;
- ``not_started``: execution has not begun, or no hour is realised and none is expected yet;
- ``on_track``: at least 90 % of the hours expected by today;
- ``late``: less than that.

What remains to be done is what each clause still owes, never less than zero per clause:
hours realised beyond one clause's obligation (a contract, a lot) never pay another's
(``contract_hours_still_owed``; the selectors feed it the hours they read, and
``procurement.selectors.remaining_hours`` adds it up over many contracts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

ON_TRACK_TOLERANCE = Decimal("0.90")
EXCEEDED_THRESHOLD = Decimal("1.10")


class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    LATE = "late"
    MET = "met"
    EXCEEDED = "exceeded"


def expected_hours_by(required: Decimal, start: date, end: date, today: date) -> Decimal:
    """The share of ``required`` hours due by ``today``, prorated by day over [start, end]."""
    if today < start:
        return Decimal(0)
    if today >= end:
        return Decimal(required)
    elapsed = (today - start).days
    total = (end - start).days
    return Decimal(required) * Decimal(elapsed) / Decimal(total)


def hours_still_owed(required: Decimal | int, realised: Decimal | int) -> Decimal:
    """What one obligation still owes: a surplus is not a debt of the other side."""
    return max(Decimal(0), Decimal(required) - Decimal(realised))


def contract_hours_still_owed(
    required: Decimal | int,
    realised: Decimal | int,
    lot_clauses: Iterable[tuple[Decimal | int, Decimal | int]] = (),
) -> Decimal:
    """What a contract still owes when some of its lots carry their own clause.

    ``lot_clauses`` are (hours required, hours realised on that lot) of each lot clause;
    ``required`` and ``realised`` are the contract's whole. Each lot clause owes its own
    shortfall; the rest of the obligation (beyond the lots' clauses) is paid by the hours
    that are not on those lots.
    """
    lots = [
        (Decimal(lot_required), Decimal(lot_realised)) for lot_required, lot_realised in lot_clauses
    ]
    if not lots:
        return hours_still_owed(required, realised)
    lots_owed = sum((hours_still_owed(*lot) for lot in lots), Decimal(0))
    lots_balance = sum(
        (lot_required - lot_realised for lot_required, lot_realised in lots), Decimal(0)
    )
    return lots_owed + hours_still_owed(Decimal(required) - lots_balance, realised)


@dataclass(frozen=True)
class Progress:
    required: Decimal
    realised: Decimal
    expected: Decimal
    status: ProgressStatus
    remaining: Decimal = Decimal(0)  # what the clauses still owe, each at least zero

    @property
    def ratio(self) -> Decimal:
        """Realised over required (0 when nothing is required), uncapped."""
        if self.required <= 0:
            return Decimal(0)
        return self.realised / self.required

    @property
    def expected_ratio(self) -> Decimal:
        if self.required <= 0:
            return Decimal(0)
        return min(Decimal(1), self.expected / self.required)


def progress_status(
    *, required: Decimal, realised: Decimal, expected: Decimal, started: bool
) -> ProgressStatus:
    if required > 0 and realised >= required * EXCEEDED_THRESHOLD:
        return ProgressStatus.EXCEEDED
    if realised >= required and (required > 0 or realised > 0):
        return ProgressStatus.MET
    if not started:
        return ProgressStatus.NOT_STARTED
    if realised >= expected * ON_TRACK_TOLERANCE:
        return ProgressStatus.NOT_STARTED if realised == 0 else ProgressStatus.ON_TRACK
    return ProgressStatus.LATE


def contract_progress(
    *,
    required: Decimal | int,
    realised: Decimal | int,
    start: date | None,
    end: date | None,
    today: date,
    remaining: Decimal | int | None = None,
) -> Progress:
    """``remaining`` is what the contract's clauses still owe, clause by clause (see
    ``contract_hours_still_owed``); without it, the contract is one clause."""
    required = Decimal(required)
    realised = Decimal(realised)
    if start is None or end is None or end < start:
        expected = Decimal(0)
        started = start is not None and today >= start
    else:
        expected = expected_hours_by(required, start, end, today)
        started = today >= start
    status = progress_status(
        required=required, realised=realised, expected=expected, started=started
    )
    return Progress(
        required=required,
        realised=realised,
        expected=expected,
        status=status,
        remaining=hours_still_owed(required, realised) if remaining is None else Decimal(remaining),
    )
