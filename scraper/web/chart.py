"""The dashboard's chart: articles per day per section as an SVG drawn on the server.

No JavaScript and nothing fetched: one row of day bars per series (a site and language for all
its sections, then each section), each row scaled to its busiest day (hover a row for it), gap
days (see :mod:`scraper.report.stats`) as red bands, month lines and labels on top. Every bar and
band carries a ``<title>`` (the browser shows it on hover) and ``data-day`` / ``data-count``.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from ..report.stats import Timeline

LABEL = 190  # px for the series names
TOTAL = 56  # px for the article totals
ROW = 30  # px per series
HEAD = 22  # px per site/language heading
AXIS = 26  # px for the month labels


def _rtl(text: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in text)


def svg(tl: Timeline, *, width: int = 1100) -> Markup:
    """The timeline as an inline ``<svg id="timeline">`` (empty text when no dated article)."""
    days = tl.days
    if not days or not tl.rows:
        return Markup('<p class="empty">No dated articles.</p>')
    plot = width - LABEL - TOTAL
    step = plot / len(days)
    groups = len({(r.site, r.language) for r in tl.rows})
    height = AXIS + groups * HEAD + len(tl.rows) * ROW + 6
    out: list[str] = [
        f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'data-days="{len(days)}" data-start="{tl.start}" data-end="{tl.end}">',
        f"<title>Articles per day per section, {tl.start} to {tl.end}</title>",
    ]
    # month lines and labels
    for i, day in enumerate(days):
        if i == 0 or day.endswith("-01"):
            x = LABEL + i * step
            label = (
                day[:7] if i == 0 or day[5:7] == "01" else date.fromisoformat(day).strftime("%b")
            )
            out.append(
                f'<line class="month" x1="{x:.1f}" y1="{AXIS - 6}" x2="{x:.1f}" '
                f'y2="{height}" />'
                f'<text class="month" x="{x + 3:.1f}" y="{AXIS - 10}">{label}</text>'
            )
    y = AXIS
    current: tuple[str, str] | None = None
    for row in tl.rows:
        if (row.site, row.language) != current:
            current = (row.site, row.language)
            out.append(
                f'<text class="group" x="4" y="{y + HEAD - 6}">'
                f"{escape(row.site)} · {escape(row.language or '?')}</text>"
            )
            y += HEAD
        base = y + ROW - 6
        top = y + 3
        scale = (base - top) / row.peak if row.peak else 0
        label = escape(row.label)
        # right-to-left text anchors at its start, which is then its right end
        anchor = 'text-anchor="start" direction="rtl"' if _rtl(row.label) else 'text-anchor="end"'
        out.append(
            f'<g class="series" data-section="{escape(row.section or "")}" '
            f'data-articles="{row.articles}" data-peak="{row.peak}">'
            f"<title>{escape(row.site)} · {escape(row.language or '?')} · {label}: "
            f"{row.articles} articles, at most {row.peak} a day</title>"
            f'<text class="label" x="{LABEL - 8}" y="{base - 4}" {anchor}>{label}</text>'
            f'<line class="base" x1="{LABEL}" y1="{base}" x2="{LABEL + plot}" y2="{base}" />'
        )
        for i in sorted(tl.gap_days(row)):
            out.append(
                f'<rect class="gap" x="{LABEL + i * step:.2f}" y="{top}" '
                f'width="{max(step, 1):.2f}" height="{base - top}" data-day="{days[i]}">'
                f"<title>{days[i]}: no article (gap)</title></rect>"
            )
        for i, n in enumerate(row.counts):
            if not n:
                continue
            h = max(1.5, n * scale)
            out.append(
                f'<rect class="bar" x="{LABEL + i * step + step * 0.1:.2f}" y="{base - h:.2f}" '
                f'width="{max(step * 0.8, 1):.2f}" height="{h:.2f}" data-day="{days[i]}" '
                f'data-count="{n}"><title>{days[i]}: {n} article{"s" if n != 1 else ""}'
                "</title></rect>"
            )
        out.append(
            f'<text class="total" x="{LABEL + plot + 6}" y="{base - 4}">{row.articles}</text></g>'
        )
        y += ROW
    out.append("</svg>")
    return Markup("".join(out))
