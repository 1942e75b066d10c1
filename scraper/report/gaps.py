"""Publication gaps judged against a series' own volume: days without an article where the
series usually publishes.

A run of days with no article is flagged when, by the series' own rhythm, so long a silence
is unlikely by chance: each day of the run is expected to bring as many articles as the same
weekday brought in the weeks around it (``WINDOW_WEEKS`` before and after, days of the run
itself and of other gaps found left out, so an outage lowers neither its own expectation
nor its neighbour's), and the chance of seeing none over the whole run, ``exp(-expected)``
if articles arrive independently (Poisson), must be below ``chance`` divided by the days of
the series: a series of many
days has many chances of a silent run by luck alone, and the whole series, not each run,
should stay under ``chance`` (1 %) of a false flag. Over half a year that asks for about
ten articles expected: a section bringing ten a day is flagged after one silent day, one
bringing one a day after about ten, a weekly column only after months; a site that never
publishes on Sundays is not flagged for them. A series too short to have three same weekdays
around a run outside it is judged by every day around it instead. Pure: day counts in, gaps
out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

WINDOW_WEEKS = 4
CHANCE = 0.01
ROUNDS = 3  # gaps are judged again with the gaps found left out, at most this many times
MIN_REFERENCE_DAYS = 3  # same-weekday days around a run to judge it by; else every day


@dataclass(frozen=True)
class UnusualGap:
    """Days without an article where about ``expected`` were due."""

    first: str
    last: str
    days: int
    expected: float

    def to_dict(self) -> dict[str, object]:
        return {"first": self.first, "last": self.last, "days": self.days,
                "expected": round(self.expected, 1)}  # fmt: skip


def unusual_gaps(counts: dict[date, int], *, chance: float = CHANCE) -> list[UnusualGap]:
    """The silent runs between a series' first and last article that its volume makes
    unlikely (see the module docstring), oldest first."""
    days = sorted(d for d, n in counts.items() if n > 0)
    if len(days) < 2:
        return []
    first, last = days[0], days[-1]
    threshold = math.log(((last - first).days + 1) / chance)
    runs = _silent_runs(counts, first, last)
    flagged: set[date] = set()
    gaps: list[UnusualGap] = []
    for _ in range(ROUNDS):  # a gap found is not "volume" when judging its neighbours
        found = []
        for start, length in runs:
            expected = _expected(counts, start, length, first, last, flagged)
            if expected is not None and expected >= threshold:
                end = start + timedelta(days=length - 1)
                found.append(UnusualGap(start.isoformat(), end.isoformat(), length, expected))
        days_in = {
            date.fromisoformat(g.first) + timedelta(days=i) for g in found for i in range(g.days)
        }
        gaps = found
        if days_in == flagged:
            break
        flagged = days_in
    return gaps


def _silent_runs(counts: dict[date, int], first: date, last: date) -> list[tuple[date, int]]:
    """(first day, length) of every run of days without an article inside [first, last]."""
    runs: list[tuple[date, int]] = []
    day, start = first, None
    while day <= last:
        if counts.get(day, 0) == 0:
            start = start or day
        elif start is not None:
            runs.append((start, (day - start).days))
            start = None
        day += timedelta(days=1)
    return runs


def _expected(
    counts: dict[date, int],
    start: date,
    length: int,
    first: date,
    last: date,
    flagged: set[date],
) -> float | None:
    """Articles the run's days would bring at the volume of the same weekdays around it,
    the days of ``flagged`` gaps left out (None when too few such days exist to judge)."""
    end = start + timedelta(days=length - 1)

    def usable(other: date) -> bool:  # a day of the series, not of this gap or another
        return first <= other <= last and not start <= other <= end and other not in flagged

    total = 0.0
    for offset in range(length):
        day = start + timedelta(days=offset)
        reach = WINDOW_WEEKS + length // 7 + 1  # far enough to step over the run itself
        nearest = sorted((k for k in range(-reach, reach + 1) if k), key=abs)
        others = (day + timedelta(weeks=k) for k in nearest)
        reference = [counts.get(other, 0) for other in others if usable(other)][: 2 * WINDOW_WEEKS]
        if len(reference) < MIN_REFERENCE_DAYS:  # a short series: every day around the run
            near = (day + timedelta(days=k) for k in range(-7 * WINDOW_WEEKS, 7 * WINDOW_WEEKS))
            reference = [counts.get(other, 0) for other in near if usable(other)]
            if len(reference) < 7:
                return None
        total += sum(reference) / len(reference)
    return total
