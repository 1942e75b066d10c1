"""Completeness statistics: per site, language and section, how much the archive holds and
where it has holes.

For each series (a site and language, overall and per section) the stats give the article
count, the first and last publication dates, articles per month, the share of days with an
article, the longest pause, and its **gaps**: runs of days without an article that the
series' own volume makes unlikely (:mod:`scraper.report.gaps`: each day expected to bring what the
same weekday brought in the weeks around it, a run flagged when luck alone would give it in
under 1 % of such series). A gap in a busy section usually means a crawl missed something
(or the site was down); a researcher can see whether the archive is complete for the period
they study. ``scraper audit``, ``scraper stats --plot`` and the reading room's dashboard
mark the same gaps.

``daily`` is descriptive: an article on at least ``DAILY_SHARE`` of the days between its
first and last, over at least ``MIN_SPAN_DAYS`` days.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from ..extract.quality import THRESHOLD as QUALITY_THRESHOLD
from ..store import Filters, Store
from .gaps import UnusualGap as Gap
from .gaps import unusual_gaps

MIN_SPAN_DAYS = 14
DAILY_SHARE = 0.6
ALL_SECTIONS = None


@dataclass
class Series:
    """Counts for one site/language (``section`` None: all sections)."""

    site: str
    language: str
    section: str | None
    articles: int = 0
    first: str | None = None
    last: str | None = None
    active_days: int = 0
    span_days: int = 0
    months: dict[str, int] = field(default_factory=dict)
    daily: bool = False
    gaps: list[Gap] = field(default_factory=list)
    longest_gap: int = 0
    undated: int = 0
    no_offset: int = 0  # dated, but the UTC offset of the date is unknown
    low_quality: int = 0  # articles whose quality estimate is below QUALITY_THRESHOLD

    @property
    def active_share(self) -> float:
        return self.active_days / self.span_days if self.span_days else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["active_share"] = round(self.active_share, 3)
        out["gaps"] = [g.to_dict() for g in self.gaps]
        return out


def compute(
    day_counts: Iterable[tuple[str, str, str | None, str, int]], *, min_gap: int = 1
) -> list[Series]:
    """Series from ``(site, language, section, day, articles)`` rows sorted by series then
    day (``Store.day_counts``); gaps shorter than ``min_gap`` days are left out."""
    out: list[Series] = []
    current: Series | None = None
    days: dict[date, int] = {}
    for site, language, section, day, count in day_counts:
        key = (site, language, section)
        if current is None or key != (current.site, current.language, current.section):
            if current is not None:
                _finish(current, days, min_gap)
            current, days = Series(site, language, section), {}
            out.append(current)
        current.articles += count
        current.months[day[:7]] = current.months.get(day[:7], 0) + count
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            continue  # a malformed date string: counted, but not placed on the calendar
        days[parsed] = days.get(parsed, 0) + count
    if current is not None:
        _finish(current, days, min_gap)
    return out


def _finish(series: Series, counts: dict[date, int], min_gap: int) -> None:
    days = sorted(d for d, n in counts.items() if n > 0)
    if not days:
        return
    series.first, series.last = days[0].isoformat(), days[-1].isoformat()
    series.active_days = len(days)
    series.span_days = (days[-1] - days[0]).days + 1
    series.longest_gap = max((g.days for g in find_gaps(days, 1)), default=0)
    series.daily = series.span_days >= MIN_SPAN_DAYS and series.active_share >= DAILY_SHARE
    series.gaps = [g for g in unusual_gaps(counts) if g.days >= min_gap]


def find_gaps(days: list[date], min_gap: int) -> list[Gap]:
    """Runs of at least ``min_gap`` consecutive missing days between sorted, distinct days
    (every pause, unusual or not; ``expected`` is 0: not judged)."""
    gaps = []
    for before, after in itertools.pairwise(days):
        missing = (after - before).days - 1
        if missing >= min_gap:
            first, last = before + timedelta(days=1), after - timedelta(days=1)
            gaps.append(Gap(first.isoformat(), last.isoformat(), missing, 0.0))
    return gaps


def render(series: list[Series], *, months: bool = True, max_gaps: int = 5) -> str:
    """A plain-text report: one block per site and language."""
    if not series:
        return "no dated articles"
    lines: list[str] = []
    blocks: dict[tuple[str, str], list[Series]] = {}
    for s in series:
        blocks.setdefault((s.site, s.language), []).append(s)
    for (site, language), group in blocks.items():
        overall = next((s for s in group if s.section is ALL_SECTIONS), group[0])
        undated = f", {overall.undated} undated" if overall.undated else ""
        if overall.no_offset:
            undated += f", {overall.no_offset} dated without a known UTC offset"
        low = (
            f", {overall.low_quality} below quality {QUALITY_THRESHOLD}"
            if overall.low_quality
            else ""
        )
        lines.append(
            f"{site} · {language or '?'}: {overall.articles} articles{undated}{low}, "
            f"{overall.first} → {overall.last}"
        )
        if months:
            cells = [f"{m} {n:>5}" for m, n in sorted(overall.months.items())]
            for i in range(0, len(cells), 6):
                lines.append("  " + "   ".join(cells[i : i + 6]))
        lines.append(
            f"  {'section':<24} {'articles':>8}  {'first':<10}  {'last':<10}  {'active':>6}  gaps"
        )
        for s in sorted(group, key=lambda s: (s.section is not ALL_SECTIONS, -s.articles)):
            name = "(all sections)" if s.section is ALL_SECTIONS else (s.section or "(none)")
            lines.append(
                f"  {_clip(name, 24):<24} {s.articles:>8}  {s.first or '':<10}  "
                f"{s.last or '':<10}  {s.active_share:>6.0%}  {_gap_text(s, max_gaps)}"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _gap_text(s: Series, max_gaps: int) -> str:
    if not s.gaps:
        return f"none (longest pause {s.longest_gap} d)" if s.longest_gap > 1 else "none"
    shown = ", ".join(
        f"{g.first}…{g.last} ({g.days} d)" if g.days > 1 else f"{g.first} (1 d)"
        for g in s.gaps[:max_gaps]
    )
    more = f" +{len(s.gaps) - max_gaps} more" if len(s.gaps) > max_gaps else ""
    return shown + more


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def series(store: Store, filters: Filters | None = None, *, min_gap: int = 1) -> list[Series]:
    """Per site and language, then per section: the series :func:`render` prints."""
    overall = compute(store.day_counts(by_section=False, filters=filters), min_gap=min_gap)
    sections = compute(store.day_counts(by_section=True, filters=filters), min_gap=min_gap)
    undated = store.undated_counts(filters)
    no_offset = store.no_offset_counts(filters)
    low = store.low_quality_counts(QUALITY_THRESHOLD, filters)
    for s in overall:
        s.undated = undated.pop((s.site, s.language), 0)
        s.no_offset = no_offset.get((s.site, s.language), 0)
    for (site, language), count in undated.items():  # sites with only undated articles
        overall.append(Series(site, language, None, undated=count))
    for s in overall:
        s.low_quality = low.get((s.site, s.language), 0)
    by_key: dict[tuple[str, str], list[Series]] = {}
    for s in overall + sections:
        by_key.setdefault((s.site, s.language), []).append(s)
    return [s for key in sorted(by_key) for s in by_key[key]]


# ---------------------------------------------------------------------- timeline
@dataclass
class TimelineRow:
    """Articles per day of one series, on the timeline's shared day axis."""

    site: str
    language: str
    section: str | None  # None: all sections of the site and language
    counts: list[int]  # one per day of the timeline, from its start
    articles: int = 0
    first: str | None = None
    last: str | None = None
    daily: bool = False
    gaps: list[Gap] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "(all sections)" if self.section is ALL_SECTIONS else (self.section or "(none)")

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["label"] = self.label
        return out


@dataclass
class Timeline:
    """Articles per day per section, with gaps: what ``scraper stats --plot`` draws in the
    terminal and the dashboard of ``scraper serve`` draws in the browser (same numbers)."""

    start: str | None  # first day of the axis (the earliest article), None when empty
    end: str | None
    rows: list[TimelineRow] = field(default_factory=list)

    @property
    def days(self) -> list[str]:
        if self.start is None or self.end is None:
            return []
        first, last = date.fromisoformat(self.start), date.fromisoformat(self.end)
        return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]

    def gap_days(self, row: TimelineRow) -> set[int]:
        """Indexes (on the day axis) of the days inside ``row``'s gaps."""
        if self.start is None:
            return set()
        origin = date.fromisoformat(self.start)
        out: set[int] = set()
        for gap in row.gaps:
            first = (date.fromisoformat(gap.first) - origin).days
            out.update(range(first, first + gap.days))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "days": self.days,
            "rows": [r.to_dict() for r in self.rows],
        }


def timeline(
    overall: Iterable[tuple[str, str, str | None, str, int]],
    sections: Iterable[tuple[str, str, str | None, str, int]],
    *,
    min_gap: int = 1,
) -> Timeline:
    """A :class:`Timeline` from the day counts of ``Store.day_counts`` without and with
    ``by_section``: per site and language, its row for all sections, then one per section
    (most articles first). Gaps are those of :func:`compute`, so they match ``scraper stats``."""
    rows = [r for r in itertools.chain(overall, sections) if _valid_day(r[3])]
    if not rows:
        return Timeline(None, None)
    origin = min(date.fromisoformat(r[3]) for r in rows)
    end = max(date.fromisoformat(r[3]) for r in rows)
    span = (end - origin).days + 1
    counts: dict[tuple[str, str, str | None], list[int]] = {}
    for site, language, section, day, n in rows:
        daily = counts.setdefault((site, language, section), [0] * span)
        daily[(date.fromisoformat(day) - origin).days] += n
    series = compute(rows, min_gap=min_gap)
    out = [
        TimelineRow(
            s.site,
            s.language,
            s.section,
            counts[(s.site, s.language, s.section)],
            articles=s.articles,
            first=s.first,
            last=s.last,
            daily=s.daily,
            gaps=s.gaps,
        )
        for s in series
    ]
    out.sort(
        key=lambda r: (r.site, r.language, r.section is not ALL_SECTIONS, -r.articles, r.label)
    )
    return Timeline(origin.isoformat(), end.isoformat(), out)


def _valid_day(day: str) -> bool:
    try:
        date.fromisoformat(day)
    except ValueError:
        return False
    return True


BARS = "▁▂▃▄▅▆▇█"
GAP_MARK = "✕"
EMPTY_DAY = "·"


def plot(tl: Timeline, *, width: int = 100, label_width: int = 24) -> str:
    """The timeline as text: one line per series, one column per day (or per few days when
    the span is wider than the terminal), bar heights scaled to the series' busiest column,
    ``✕`` on a column holding a gap day, ``·`` on a day without an article."""
    if tl.start is None or not tl.rows:
        return "no dated articles\n"
    days = tl.days
    columns = max(10, width - label_width - 19)  # label, peak, frame and total
    per = -(-len(days) // columns)  # days per column, rounded up
    ncols = -(-len(days) // per)
    unit = "1 column = 1 day" if per == 1 else f"1 column = {per} days"
    lines = [
        f"articles per day, {tl.start} → {tl.end} ({len(days)} days, {unit}); "
        f"bars scaled to each line's busiest column, {GAP_MARK} gap, {EMPTY_DAY} no article"
    ]
    axis = _axis(days, per, ncols)
    current: tuple[str, str] | None = None
    for row in tl.rows:
        if (row.site, row.language) != current:
            current = (row.site, row.language)
            lines.append(f"{row.site} · {row.language or '?'}")
            lines.append(" " * (label_width + 11) + axis)
        cells = [sum(row.counts[i * per : (i + 1) * per]) for i in range(ncols)]
        gaps = tl.gap_days(row)
        own = _own_span(tl, row)
        peak = max(cells, default=0)
        chars = []
        for i, n in enumerate(cells):
            span = range(i * per, min((i + 1) * per, len(days)))
            if any(d in gaps for d in span):
                chars.append(GAP_MARK)
            elif n:
                chars.append(BARS[min(len(BARS) - 1, -(-n * len(BARS) // peak) - 1)])
            elif any(own[0] <= d <= own[1] for d in span):
                chars.append(EMPTY_DAY)
            else:
                chars.append(" ")
        label = _fit(row.label, label_width)
        lines.append(f"  {label} {'max ' + str(peak):>7}│{''.join(chars)}│ {row.articles}")
        if row.gaps:
            shown = ", ".join(
                f"{g.first}…{g.last} ({g.days} d)" if g.days > 1 else f"{g.first} (1 d)"
                for g in row.gaps[:4]
            )
            more = f" +{len(row.gaps) - 4} more" if len(row.gaps) > 4 else ""
            lines.append(" " * (label_width + 11) + f"gaps: {shown}{more}")
    return "\n".join(lines) + "\n"


def _own_span(tl: Timeline, row: TimelineRow) -> tuple[int, int]:
    if tl.start is None or row.first is None or row.last is None:
        return (0, -1)
    origin = date.fromisoformat(tl.start)
    return (
        (date.fromisoformat(row.first) - origin).days,
        (date.fromisoformat(row.last) - origin).days,
    )


def _axis(days: list[str], per: int, ncols: int) -> str:
    """Month marks under the columns: '|2025-11' for the first mark and where a year starts,
    '|12' where another month starts. The mark of the axis' first (partial) month gives way
    when the next month starts too close to leave it room, so every month that starts on
    the axis is named; a mark is left out only where the previous one leaves no room."""
    starts: list[tuple[int, str]] = []
    for i in range(ncols):
        block = days[i * per : (i + 1) * per]
        firsts = [d for d in block if d.endswith("-01")]
        if i == 0 and block:
            starts.append((0, (firsts[0] if firsts else block[0])[:7]))
        elif firsts:
            starts.append((i, firsts[0][:7]))
    out = [" "] * ncols
    end = -2  # the column after the last mark placed
    for n, (col, month) in enumerate(starts):
        first = end < 0
        mark = "|" + (month if first or month[5:7] == "01" else month[5:7])
        following = starts[n + 1][0] if n + 1 < len(starts) else None
        partial = not days[0].endswith("-01")
        if n == 0 and partial and following is not None and col + len(mark) >= following:
            continue  # the next month's mark, with the year, names the axis instead
        if col <= end or col + len(mark) > ncols + 8:
            continue
        out[col : col + len(mark)] = list(mark)
        end = col + len(mark)
    return "".join(out).rstrip()


def _fit(text: str, width: int) -> str:
    """``text`` clipped or padded to ``width`` terminal cells (combining marks take none)."""

    def cells(value: str) -> int:
        return sum(0 if unicodedata.combining(c) else 1 for c in value)

    if cells(text) > width:
        kept = ""
        for ch in text:
            if cells(kept + ch) > width - 1:
                break
            kept += ch
        text = kept + "…"
    return text + " " * max(0, width - cells(text))


def day_timeline(store: Store, filters: Filters | None = None, *, min_gap: int = 1) -> Timeline:
    """Articles per day per section, with gaps: the numbers of ``scraper stats --plot`` and of
    the dashboard of ``scraper serve`` (one function, so both show the same)."""
    filters = filters or Filters()
    return timeline(
        store.day_counts(by_section=False, filters=filters),
        store.day_counts(by_section=True, filters=filters),
        min_gap=min_gap,
    )
