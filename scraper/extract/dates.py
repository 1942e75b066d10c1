"""A table-driven parser for the dates that news pages show, in many languages and scripts.

Pure and fast: no locale guessing, no ``dateparser``. The text is folded first (digits of
every script to ASCII, Arabic hamza/alef/yeh/teh-marbuta variants, harakat and tatweel
dropped, Latin accents stripped, case folded), every month name found in the tables is
replaced by a one-character marker, and a handful of regular expressions then read
day/month/year in the orders real pages use. Anything unclear gives ``None``: an unknown
month never becomes January, a bare year is not a date, two-digit years are refused
(except in a dotted day-first date next to a time of day: "Do 25.04.24 | 14:07 Uhr").

``parse_date`` returns the first date of a text (or a relative one, "منذ ساعتين", against
``now``); ``iter_dates`` yields every date with the words before it, for labels such as
"Updated:"; ``parse_iso`` reads the machine dates of JSON-LD, ``<meta>`` and
``<time datetime>``. Month tables cover the Arabic of Morocco, Algeria/Tunisia,
Egypt/the Gulf, the Levant/Iraq and Mauritania, Persian, and the main European languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from .months import (
    MARK,
    MARK0,
    fold,
    marked_of,
)

__all__ = ["MIN_YEAR", "ParsedDate", "fold", "iter_dates", "parse_date", "parse_iso"]

MIN_YEAR = 1990
_MAX_YEAR = 2100


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date read from text.

    ``value`` is timezone-aware when the text carried an offset or a zone was supplied
    (``naive`` is then False), otherwise naive. ``has_time`` tells whether a time of day was
    read; without one, ``value`` is midnight of that day.
    """

    value: datetime
    has_time: bool
    naive: bool
    raw: str

    @property
    def day(self) -> date:
        return self.value.date()


_SEP = r"[\s.,/()\-–—|]*"
_ORD = r"(?:st|nd|rd|th|er|re|eme|o|ro)?"
_DAY = rf"(?<![\d:])(\d{{1,2}}){_ORD}(?![\d:])\.?"
_YEAR = r"(?<![\d.])(\d{4})(?![\d:])"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 2025-11-25, 2025/11/25, 2025.11.25 (with an optional time glued on by "T")
    ("ymd", re.compile(r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")),
    # 2025年11月25日, 2025년 11월 25일
    ("ymd3", re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})")),
    # 25.11.2025, 25/11/2025, 25-11-2025, 25 / 11 / 2025
    ("dmy?", re.compile(r"(?<![\d.:])(\d{1,2})\s*([./\-])\s*(\d{1,2})\s*\2\s*(\d{4})(?![\d])")),
    # 25.11.25 14:07: a dotted day-first date with a two-digit year, read only next to a
    # time of day (a date line such as "Do 25.04.24 | 14:07 Uhr"), never alone
    ("dmy2", re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\d.:])")),
    # 25 novembre 2025, 25. November 2025, 25 de noviembre de 2025, 25 نوفمبر 2025
    (
        "dMy",
        re.compile(
            rf"{_DAY}[\s.\-–—/]*(?:(?:de|of|the)\s+)?({MARK})\.?{_SEP}(?:(?:de|del|of)\s+)?"
            rf"(?:'\s*)?{_YEAR}"
        ),
    ),
    # November 25, 2025; Nov. 25th 2025
    ("Mdy", re.compile(rf"({MARK})\.?{_SEP}(?:the\s+)?{_DAY}(?:\s*,)?{_SEP}{_YEAR}")),
    # 2025. november 25.; 2025 m. lapkricio 25 d.
    (
        "yMd",
        re.compile(rf"{_YEAR}\.?\s*(?:m\.\s*)?(?:,\s*)?({MARK})\.?\s*(\d{{1,2}})(?![\d:])"),
    ),
)

_TIME = re.compile(
    r"(?<![\d:.])(\d{1,2})\s*(?::|h(?=\s*\d)|\.(?=\d{2}\s*uhr))\s*(\d{2})"
    r"(?:\s*:\s*(\d{2})(?:[.,]\d+)?)?(?![\d])"
    r"\s*(a\.?\s?m\.?|p\.?\s?m\.?|صباحا|مساء|مساءا|ص|م(?![ا-ي])|uhr|hrs?\b)?"
    r"|(?<![\d:.])(\d{1,2})\s*(h|uhr|a\.?m\.?|p\.?m\.?)(?![a-z\d])"
)
_TZ = re.compile(
    r"\s*\(?\s*(?:(?:gmt|utc)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?(?![a-z])"
    r"|([+-])(\d{2}):?(\d{2})(?!\d)"
    r"|(cest|cet|mesz|mez|wet|west|eet|eest)(?![a-z]))"
)
_NAMED_ZONES = {"cet": 1, "mez": 1, "cest": 2, "mesz": 2, "wet": 0, "west": 1, "eet": 2, "eest": 3}
# What may stand between a date and its time: "à", "at", "um", "a las", "على الساعة", "-", ...
_TIME_GAP = re.compile(
    r"[\s,.\-–—|/@()]*(?:(?:a|at|um|a\s+las|a\s+la|on|le|kl|klo|alle|ore|o|م|ه|في|علي"
    r"|الساعه|ساعه|وقت)[\s,.:\-–—|()]*)*$"
)
_MAX_TIME_DISTANCE = 40


@dataclass(frozen=True, slots=True)
class _Time:
    hour: int
    minute: int
    second: int
    offset: timezone | None


def _read_time(marked: str, start: int, end: int) -> _Time | None:
    """The time written just after (or else just before) the date at ``marked[start:end]``."""
    after = marked[end : end + _MAX_TIME_DISTANCE]
    for m in _TIME.finditer(after):
        if not _TIME_GAP.match(after[: m.start()]):
            break
        found = _time_of(m, after)
        if found is not None:
            return found
        break
    before = marked[max(0, start - _MAX_TIME_DISTANCE) : start]
    for m in reversed(list(_TIME.finditer(before))):
        gap = before[m.end() :]
        if len(gap) > 25 or any(c.isdigit() for c in gap):
            break
        return _time_of(m, before)
    return None


def _time_of(m: re.Match[str], text: str) -> _Time | None:
    if m.group(1) is not None:
        hour, minute = int(m.group(1)), int(m.group(2))
        second = int(m.group(3) or 0)
        suffix = (m.group(4) or "").replace(".", "").replace(" ", "")
    else:
        hour, minute, second = int(m.group(5)), 0, 0
        suffix = m.group(6).replace(".", "")
    if suffix in ("pm", "مساء", "مساءا", "م") and hour < 12:
        hour += 12
    elif suffix in ("am", "صباحا", "ص") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return _Time(hour, minute, second, _read_zone(text, m.end()))


def _read_zone(text: str, pos: int) -> timezone | None:
    m = _TZ.match(text, pos)
    if m is None:
        return None
    if m.group(7):
        return timezone(timedelta(hours=_NAMED_ZONES[m.group(7)]))
    if m.group(4) is None:
        sign, hours, minutes = m.group(1), m.group(2), m.group(3)
    else:
        sign, hours, minutes = m.group(4), m.group(5), m.group(6)
    if hours is None:  # bare GMT / UTC
        return UTC
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


# --------------------------------------------------------------------------- relative dates

_N_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "un": 1, "une": 1, "deux": 2, "trois": 3,
    "una": 1, "dos": 2, "tres": 3, "einer": 1, "einem": 1, "zwei": 2, "drei": 3,
    "um": 1, "uma": 1, "duas": 2,
}  # fmt: skip
_UNITS = {
    "second": "s", "seconds": "s", "sec": "s", "secs": "s", "seconde": "s", "secondes": "s",
    "segundo": "s", "segundos": "s", "sekunde": "s", "sekunden": "s",
    "minute": "m", "minutes": "m", "min": "m", "mins": "m", "minuto": "m", "minutos": "m",
    "minuten": "m",
    "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "h": "h", "heure": "h", "heures": "h",
    "hora": "h", "horas": "h", "stunde": "h", "stunden": "h", "std": "h",
    "day": "d", "days": "d", "jour": "d", "jours": "d", "dia": "d", "dias": "d",
    "tag": "d", "tage": "d", "tagen": "d",
    "week": "w", "weeks": "w", "semaine": "w", "semaines": "w", "semana": "w",
    "semanas": "w", "woche": "w", "wochen": "w",
}  # fmt: skip
_AR_UNITS: dict[str, tuple[str, int]] = {
    "ثانيه": ("s", 1), "ثانيتين": ("s", 2), "ثوان": ("s", 0), "ثواني": ("s", 0),
    "دقيقه": ("m", 1), "دقيقتين": ("m", 2), "دقيقتان": ("m", 2), "دقائق": ("m", 0),
    "ساعه": ("h", 1), "ساعتين": ("h", 2), "ساعتان": ("h", 2), "ساعات": ("h", 0),
    "يوم": ("d", 1), "يومين": ("d", 2), "يومان": ("d", 2), "ايام": ("d", 0),
    "اسبوع": ("w", 1), "اسبوعين": ("w", 2), "اسبوعان": ("w", 2), "اسابيع": ("w", 0),
}  # fmt: skip
# Keys are looked up in folded text (ئ folds to ي, for one).
_AR_UNITS = {fold(k): v for k, v in _AR_UNITS.items()}
_UNIT_DELTA = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_NUM = r"(\d{1,3}|an?|one|two|three|une?|deux|trois|una?|dos|tres|einer|einem|zwei|drei|uma?|duas)"
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_RELATIVE = re.compile(
    rf"(?:\b(?:il\s+y\s+a|hace|vor|ha)\s+{_NUM}\s+({_UNIT})\b"
    rf"|\b{_NUM}\s+({_UNIT})\s+ago\b"
    rf"|(?:منذ|قبل)\s+(?:(\d{{1,3}})\s+)?({'|'.join(_AR_UNITS)})(?![ا-ي]))"
)
_DAY_WORDS = {
    "today": 0, "aujourd'hui": 0, "hoy": 0, "heute": 0, "hoje": 0, "اليوم": 0,
    "yesterday": 1, "hier": 1, "ayer": 1, "gestern": 1, "ontem": 1, "امس": 1, "البارحه": 1,
    "avant-hier": 2, "anteayer": 2, "vorgestern": 2, "anteontem": 2,
}  # fmt: skip
_DAY_WORDS = {fold(k): v for k, v in _DAY_WORDS.items()}
_DAY_WORD = re.compile(
    r"(?<![\w-])(اول\s+امس|"
    + "|".join(re.escape(w) for w in sorted(_DAY_WORDS, key=len, reverse=True))
    + r")(?![\w-])"
)


def _relative(folded: str, now: datetime, tz: tzinfo | None, raw: str) -> ParsedDate | None:
    if len(folded) > _MAX_RELATIVE_TEXT:  # "today" inside a sentence is not a date line
        return None
    m = _RELATIVE.search(folded)
    if m is not None:
        if m.group(6) is not None:  # Arabic
            unit, implied = _AR_UNITS[m.group(6)]
            count = int(m.group(5)) if m.group(5) else (implied or 0)
        else:
            number, unit_word = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            count = int(number) if number.isdigit() else _N_WORDS.get(number, 0)
            unit = _UNITS[unit_word]
        if count <= 0:
            return None
        base = _localize(now, tz)
        value = base - count * _UNIT_DELTA[unit]
        if unit in ("d", "w"):
            value = value.replace(hour=0, minute=0, second=0, microsecond=0)
            return ParsedDate(value, False, value.tzinfo is None, raw)
        return ParsedDate(value.replace(microsecond=0), True, value.tzinfo is None, raw)
    m = _DAY_WORD.search(folded)
    if m is None:
        return None
    word = m.group(1)
    days = 2 if word.startswith("اول") else _DAY_WORDS[word]
    base = _localize(now, tz) - timedelta(days=days)
    clock = _TIME.search(folded)
    at = _time_of(clock, folded) if clock is not None else None
    if at is not None:
        value = base.replace(hour=at.hour, minute=at.minute, second=at.second, microsecond=0)
        return ParsedDate(value, True, value.tzinfo is None, raw)
    value = base.replace(hour=0, minute=0, second=0, microsecond=0)
    return ParsedDate(value, False, value.tzinfo is None, raw)


_MAX_RELATIVE_TEXT = 80


def _localize(now: datetime, tz: tzinfo | None) -> datetime:
    if tz is None:
        return now
    return now.astimezone(tz) if now.tzinfo is not None else now.replace(tzinfo=tz)


# --------------------------------------------------------------------------- parsing


def _clean_raw(text: str) -> str:
    return " ".join(text.split())[:200]


def _too_late(value: datetime, now: datetime | None) -> bool:
    if now is None:
        return value.year > _MAX_YEAR
    if (value.tzinfo is None) != (now.tzinfo is None):
        value, now = value.replace(tzinfo=None), now.replace(tzinfo=None)
    return value > now + timedelta(days=1)


def _build(
    year: int,
    month: int,
    day: int,
    at: _Time | None,
    tz: tzinfo | None,
    now: datetime | None,
    raw: str,
) -> ParsedDate | None:
    if year < MIN_YEAR or year > _MAX_YEAR:
        return None
    try:
        value = datetime(year, month, day)
    except ValueError:
        return None
    has_time = at is not None
    if at is not None:
        value = value.replace(hour=at.hour, minute=at.minute, second=at.second)
        if at.offset is not None:
            value = value.replace(tzinfo=at.offset)
    if value.tzinfo is None and tz is not None:
        value = value.replace(tzinfo=tz)
    if _too_late(value, now):
        return None
    return ParsedDate(value, has_time, value.tzinfo is None, raw)


def _fields(kind: str, m: re.Match[str], month_first: bool) -> tuple[int, int, int] | None:
    """(year, month, day) of a pattern match, or None when the order cannot be told."""
    if kind == "ymd":
        return int(m.group(1)), int(m.group(3)), int(m.group(4))
    if kind == "ymd3":
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if kind == "dmy2":
        return 2000 + int(m.group(3)), int(m.group(2)), int(m.group(1))
    if kind == "dmy?":
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if first > 12 or m.group(2) == ".":
            return year, second, first
        if second > 12:
            return year, first, second
        return (year, first, second) if month_first else (year, second, first)
    if kind == "dMy":
        return int(m.group(3)), ord(m.group(2)) - MARK0, int(m.group(1))
    if kind == "Mdy":
        return int(m.group(3)), ord(m.group(1)) - MARK0, int(m.group(2))
    if kind == "yMd":
        return int(m.group(1)), ord(m.group(2)) - MARK0, int(m.group(3))
    return None


def iter_dates(
    text: str,
    *,
    tz: tzinfo | None = None,
    now: datetime | None = None,
    lang: str | None = None,
    day_first: bool = True,
) -> Iterator[tuple[str, ParsedDate]]:
    """Every absolute date in ``text``, in text order, as (lead, date).

    ``lead`` is the folded text just before the date (at most 60 characters, not reaching
    back into the previous date), for reading labels such as "Updated:" or "Publié le".
    Relative dates ("2 hours ago") are not included; see :func:`parse_date`.
    """
    raw = _clean_raw(text)
    marked = marked_of(fold(text))
    previous_end = 0
    month_first = _month_first(lang, day_first)
    for start, end, parsed in _scan(marked, raw, tz=tz, now=now, month_first=month_first):
        yield marked[max(previous_end, start - 60) : start], parsed
        previous_end = end


def _month_first(lang: str | None, day_first: bool) -> bool:
    if lang and lang.lower().replace("_", "-") in ("en-us", "en-ph", "en-ca"):
        return True
    return not day_first


def _scan(
    marked: str, raw: str, *, tz: tzinfo | None, now: datetime | None, month_first: bool
) -> Iterator[tuple[int, int, ParsedDate]]:
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(marked):
            found.append((m.start(), -m.end(), kind, m))
    found.sort(key=lambda f: (f[0], f[1]))
    taken_until = -1
    for start, neg_end, kind, m in found:
        if start < taken_until:
            continue
        fields = _fields(kind, m, month_first)
        taken_until = -neg_end
        if fields is None:
            continue
        at = _read_time(marked, start, -neg_end)
        if kind == "ymd" and at is None:
            at = _glued_time(marked, -neg_end)
        if kind == "dmy2" and at is None:
            continue
        parsed = _build(*fields, at, tz, now, raw)
        if parsed is not None:
            yield start, -neg_end, parsed


_GLUED_TIME = re.compile(r"t(\d{2}):?(\d{2})(?::?(\d{2}))?(?:[.,]\d+)?")


def _glued_time(marked: str, end: int) -> _Time | None:
    m = _GLUED_TIME.match(marked, end)
    if m is None:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    offset = _read_zone(marked, m.end())
    if offset is None and marked.startswith("z", m.end()):
        offset = UTC
    return _Time(hour, minute, second, offset)


def parse_date(
    text: str,
    *,
    tz: tzinfo | None = None,
    now: datetime | None = None,
    lang: str | None = None,
    day_first: bool = True,
) -> ParsedDate | None:
    """The first date written in ``text``, or None.

    Reads absolute dates in the formats of many languages (see the module docstring); when
    there is none and ``now`` is given, reads relative ones ("منذ ساعتين", "il y a 2
    heures", "yesterday"). A naive result gets ``tz`` when one is given. Dates before
    1990, after ``now`` + 1 day, with two-digit years or without a day are refused.
    ``lang`` is a hint: US-style English tags read ambiguous numeric dates month first, as
    ``day_first=False`` does.
    """
    if not text:
        return None
    folded = fold(text)
    raw = _clean_raw(text)
    marked = marked_of(folded)
    month_first = _month_first(lang, day_first)
    for _, _, parsed in _scan(marked, raw, tz=tz, now=now, month_first=month_first):
        return parsed
    if now is not None:
        return _relative(folded, now, tz, raw)
    return None


# --------------------------------------------------------------------------- machine dates

_ISO = re.compile(
    r"\s*(\d{4})(-?)(\d{2})\2(\d{2})"
    r"(?:[T\s]+(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?|(?:UTC|GMT)(?:[+-]\d{2}(?::?\d{2})?)?)?\s*"
    r"(?:\[[\w/+\-]+\])?\s*$",
    re.IGNORECASE,
)
_ISO_SLASH = re.compile(r"\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[T\s]+(.*))?$")


def parse_iso(text: str, tz: tzinfo | None = None) -> ParsedDate | None:
    """A machine-written date: ``2025-11-25``, ``2025-11-25T10:15:00``, ``... 10:15:00``,
    with ``Z``, ``+01:00`` or ``+0100``; ``2025/11/25 10:15``; ``20251125``.

    Naive values get ``tz`` when one is given. Returns None for anything else, and for
    years before 1990 (placeholders such as 1970-01-01 are common).
    """
    if not text or len(text) > 80:
        return None
    slash = _ISO_SLASH.match(text)
    if slash is not None:  # 2025/11/25 10:15 -> 2025-11-25T10:15
        rest = slash.group(4) or ""
        iso = f"{slash.group(1)}-{int(slash.group(2)):02d}-{int(slash.group(3)):02d}"
        return _iso(f"{iso}T{rest}" if rest else iso, tz, text.strip())
    return _iso(text, tz, text.strip())


def _iso(text: str, tz: tzinfo | None, raw: str) -> ParsedDate | None:
    m = _ISO.match(text)
    if m is None:
        return None
    year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if year < MIN_YEAR or year > _MAX_YEAR:
        return None
    try:
        value = datetime(year, month, day)
        has_time = m.group(5) is not None
        if has_time:
            value = value.replace(
                hour=int(m.group(5)), minute=int(m.group(6)), second=int(m.group(7) or 0)
            )
    except ValueError:
        return None
    zone = m.group(8)
    if zone:
        offset = _iso_offset(zone)
        if offset is None:
            return None
        value = value.replace(tzinfo=offset)
    elif tz is not None:
        value = value.replace(tzinfo=tz)
    return ParsedDate(value, has_time, value.tzinfo is None, raw)


def _iso_offset(zone: str) -> timezone | None:
    zone = zone.upper().removeprefix("UTC").removeprefix("GMT")
    if zone in ("", "Z"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
