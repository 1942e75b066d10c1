"""The table-driven date parser: month names of every region, digits of every script,
weekdays, times, relative forms, and the strings that must not become dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.extract.dates import ParsedDate, fold, iter_dates, parse_date, parse_iso

CASABLANCA = ZoneInfo("Africa/Casablanca")
NOW = datetime(2025, 11, 25, 12, 0)

# Written out here (not taken from the module) so that the tables are checked, not echoed.
REGIONS: dict[str, list[str]] = {
    "morocco": [
        "يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو",
        "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر",
    ],
    "algeria_tunisia": [
        "جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان",
        "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
    ],
    "egypt_gulf": [
        "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
        "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
    ],
    "levant_iraq": [
        "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
        "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
    ],
    "mauritania": [
        "يناير", "فبراير", "مارس", "إبريل", "مايو", "يونيو",
        "يوليو", "أغشت", "شتمبر", "أكتوبر", "نوفمبر", "دجمبر",
    ],
}  # fmt: skip
LATIN: dict[str, list[str]] = {
    "fr": [
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ],
    "es": [
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ],
    "de": [
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ],
}  # fmt: skip

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
DIGITS = {"ascii": str.maketrans("", ""), "arabic_indic": ARABIC_INDIC, "persian": PERSIAN}


def day_of(text: str, **kwargs: object) -> date | None:
    parsed = parse_date(text, **kwargs)  # type: ignore[arg-type]
    return parsed.value.date() if parsed is not None else None


# --------------------------------------------------------------------------- month tables


@pytest.mark.parametrize("digits", sorted(DIGITS))
@pytest.mark.parametrize(
    ("region", "month"),
    [(region, month) for region in sorted(REGIONS) for month in range(1, 13)],
)
def test_every_arabic_month_name_in_every_digit_script(
    region: str, month: int, digits: str
) -> None:
    name = REGIONS[region][month - 1]
    text = f"14 {name} 2025".translate(DIGITS[digits])
    assert day_of(text) == date(2025, month, 14)


@pytest.mark.parametrize(
    ("lang", "month"), [(lang, month) for lang in sorted(LATIN) for month in range(1, 13)]
)
def test_every_latin_month_name(lang: str, month: int) -> None:
    name = LATIN[lang][month - 1]
    expected = date(2024, month, 9)
    assert day_of(f"9 {name} 2024") == expected
    assert day_of(f"9 {name.upper()} 2024") == expected


@pytest.mark.parametrize(
    "text",
    [
        "25 أبريل 2025",
        "25 ابريل 2025",
        "25 إبريل 2025",
        "25 آبريل 2025",
        "25 أَبْرِيل 2025",  # harakat
        "25 أبريـــــل 2025",  # tatweel
        "25 ٱبريل 2025",  # alef wasla
        "25 أفريل 2025",
        "25 افريل 2025",
    ],
)
def test_hamza_harakat_and_tatweel_variants_fold_to_one_month(text: str) -> None:
    assert day_of(text) == date(2025, 4, 25)


def test_fold_normalizes_arabic_and_latin() -> None:
    assert fold("أكتـوبر") == "اكتوبر"
    assert fold("إبريل") == fold("أبريل") == fold("ابريل")
    assert fold("مدرسة على") == "مدرسه علي"
    assert fold("٢٠٢٥ ۲۰۲۵") == "2025 2025"
    assert fold("Décembre") == "decembre"


def test_levantine_names_without_the_article_and_with_spacing() -> None:
    assert day_of("3 كانون ثاني 2024") == date(2024, 1, 3)
    assert day_of("3 تشرين  الأول 2024") == date(2024, 10, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25 يونيه 2025", date(2025, 6, 25)),  # Egyptian spelling
        ("25 يوليه 2025", date(2025, 7, 25)),
        ("25 اغسطس 2025", date(2025, 8, 25)),
        ("25 دیسمبر 2025", date(2025, 12, 25)),  # Persian yeh
        ("25 ژوئن 2025", date(2025, 6, 25)),  # Persian month name
    ],
)
def test_common_spelling_variants(text: str, expected: date) -> None:
    assert day_of(text) == expected


# --------------------------------------------------------------------------- seed page forms


def test_seed_page_header_and_agency_trailer() -> None:
    assert day_of("25 نوفمبر 2025") == date(2025, 11, 25)
    assert day_of("(ومع: 25 نونبر 2025)") == date(2025, 11, 25)


@pytest.mark.parametrize(
    "text",
    [
        "25 نوفمبر/تشرين الثاني 2025",
        "25 تشرين الثاني/نوفمبر 2025",
        "25 - 11 (نوفمبر) - 2025",
        "25 نوفمبر (11) 2025",
        "الثلاثاء، 25 نوفمبر، 2025",
    ],
)
def test_combined_month_forms(text: str) -> None:
    assert day_of(text) == date(2025, 11, 25)


def test_two_different_month_names_are_not_merged() -> None:
    # "11 (أكتوبر)" is not November: the parenthesis contradicts the number.
    assert day_of("25 - 11 (أكتوبر) - 2025") is None


# --------------------------------------------------------------------------- weekdays, times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الثلاثاء 25 نوفمبر 2025 - 10:30", datetime(2025, 11, 25, 10, 30)),
        ("الأحد 23 نونبر 2025 على الساعة 10:30 م", datetime(2025, 11, 23, 22, 30)),
        ("الإثنين 24 نوفمبر 2025 الساعة 10:15 ص", datetime(2025, 11, 24, 10, 15)),
        ("الاثنين 24 نوفمبر 2025 12:05 ص", datetime(2025, 11, 24, 0, 5)),
        ("الخميس ٢٧ نوفمبر ٢٠٢٥ - ٠٩:٤٥", datetime(2025, 11, 27, 9, 45)),
        ("10:30 - الأربعاء 26 نوفمبر 2025", datetime(2025, 11, 26, 10, 30)),
        ("الجمعة 28 نوفمبر 2025م", datetime(2025, 11, 28)),
        ("السبت 29 نوفمبر 2025م - 08:00", datetime(2025, 11, 29, 8, 0)),
        ("mardi 25 novembre 2025 à 10h30", datetime(2025, 11, 25, 10, 30)),
        ("Publié le 25/11/2025 à 18h05", datetime(2025, 11, 25, 18, 5)),
        ("Tuesday, November 25, 2025 at 3:15 PM", datetime(2025, 11, 25, 15, 15)),
        ("12:30 AM, Nov 3, 2024", datetime(2024, 11, 3, 0, 30)),
        ("martes, 25 de noviembre de 2025 a las 09:10", datetime(2025, 11, 25, 9, 10)),
        ("Dienstag, 25. November 2025, 14:03 Uhr", datetime(2025, 11, 25, 14, 3)),
        ("25.11.2025 | 14:03", datetime(2025, 11, 25, 14, 3)),
        ("2025-11-25 10:15:00", datetime(2025, 11, 25, 10, 15)),
    ],
)
def test_weekday_prefixes_and_times(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.has_time == (expected.time() != datetime.min.time() or ":" in text)
    assert parsed.naive


def test_a_date_without_time_is_midnight_and_says_so() -> None:
    parsed = parse_date("25 نوفمبر 2025")
    assert parsed == ParsedDate(datetime(2025, 11, 25), False, True, "25 نوفمبر 2025")


def test_offsets_written_in_the_text() -> None:
    gmt = parse_date("Tue, 25 Nov 2025 10:15:00 GMT")
    assert gmt is not None and gmt.value == datetime(2025, 11, 25, 10, 15, tzinfo=UTC)
    assert not gmt.naive
    plus = parse_date("25.11.2025 10:15 +0100")
    assert plus is not None and plus.value.utcoffset() == timedelta(hours=1)
    mesz = parse_date("Stand: 03.05.2020 10:15 Uhr MESZ")
    assert mesz is not None and mesz.value.utcoffset() == timedelta(hours=2)


# --------------------------------------------------------------------------- relative forms


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("منذ ساعة", datetime(2025, 11, 25, 11, 0), True),
        ("منذ ساعتين", datetime(2025, 11, 25, 10, 0), True),
        ("منذ 3 ساعات", datetime(2025, 11, 25, 9, 0), True),
        ("منذ ٣ ساعات", datetime(2025, 11, 25, 9, 0), True),
        ("منذ دقيقة", datetime(2025, 11, 25, 11, 59), True),
        ("منذ دقيقتين", datetime(2025, 11, 25, 11, 58), True),
        ("منذ 5 دقائق", datetime(2025, 11, 25, 11, 55), True),
        ("منذ يوم", datetime(2025, 11, 24), False),
        ("منذ يومين", datetime(2025, 11, 23), False),
        ("منذ 3 أيام", datetime(2025, 11, 22), False),
        ("منذ أسبوع", datetime(2025, 11, 18), False),
        ("أمس", datetime(2025, 11, 24), False),
        ("أمس 18:20", datetime(2025, 11, 24, 18, 20), True),
        ("اليوم", datetime(2025, 11, 25), False),
        ("il y a 2 heures", datetime(2025, 11, 25, 10, 0), True),
        ("il y a une heure", datetime(2025, 11, 25, 11, 0), True),
        ("hier", datetime(2025, 11, 24), False),
        ("hier à 10h30", datetime(2025, 11, 24, 10, 30), True),
        ("2 hours ago", datetime(2025, 11, 25, 10, 0), True),
        ("an hour ago", datetime(2025, 11, 25, 11, 0), True),
        ("3 days ago", datetime(2025, 11, 22), False),
        ("yesterday", datetime(2025, 11, 24), False),
        ("hace 3 horas", datetime(2025, 11, 25, 9, 0), True),
        ("ayer", datetime(2025, 11, 24), False),
        ("vor 2 Stunden", datetime(2025, 11, 25, 10, 0), True),
        ("gestern", datetime(2025, 11, 24), False),
    ],
)
def test_relative_forms_against_now(text: str, expected: datetime, has_time: bool) -> None:
    parsed = parse_date(text, now=NOW)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.has_time is has_time


@pytest.mark.parametrize("text", ["منذ ساعتين", "أمس", "2 hours ago", "hier", "hace 3 horas"])
def test_relative_forms_need_now(text: str) -> None:
    assert parse_date(text) is None


def test_relative_forms_follow_an_aware_now_into_the_site_zone() -> None:
    now = datetime(2025, 11, 25, 11, 0, tzinfo=UTC)
    parsed = parse_date("منذ ساعتين", now=now, tz=CASABLANCA)
    assert parsed is not None and not parsed.naive
    assert parsed.value == now - timedelta(hours=2)
    assert parsed.value.utcoffset() == timedelta(hours=1)


def test_an_absolute_date_wins_over_relative_words() -> None:
    assert day_of("اليوم 20 نوفمبر 2025", now=NOW) == date(2025, 11, 20)


# --------------------------------------------------------------------------- other languages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25 novembre 2025", date(2025, 11, 25)),
        ("1er décembre 2025", date(2025, 12, 1)),
        ("25 nov. 2025", date(2025, 11, 25)),
        ("25 déc. 2025", date(2025, 12, 25)),
        ("25 de noviembre de 2025", date(2025, 11, 25)),
        ("25 noviembre, 2025", date(2025, 11, 25)),
        ("1º de mayo de 2024", date(2024, 5, 1)),
        ("November 25, 2025", date(2025, 11, 25)),
        ("25 November 2025", date(2025, 11, 25)),
        ("Nov 25, 2025", date(2025, 11, 25)),
        ("the 3rd of March, 2024", date(2024, 3, 3)),
        ("25. November 2025", date(2025, 11, 25)),
        ("25. Nov. 2025", date(2025, 11, 25)),
        ("3. Jänner 2024", date(2024, 1, 3)),
        ("25.11.2025", date(2025, 11, 25)),
        ("5.1.2024", date(2024, 1, 5)),
        ("25/11/2025", date(2025, 11, 25)),
        ("25-11-2025", date(2025, 11, 25)),
        ("2025-11-25", date(2025, 11, 25)),
        ("2025/11/25", date(2025, 11, 25)),
        ("2025年11月25日", date(2025, 11, 25)),
        ("2025년 11월 25일", date(2025, 11, 25)),
        ("2025. november 25.", date(2025, 11, 25)),
        ("25 ноября 2025", date(2025, 11, 25)),
        ("25 listopada 2025", date(2025, 11, 25)),
        ("25 Kasım 2025", date(2025, 11, 25)),
    ],
)
def test_european_and_other_forms(text: str, expected: date) -> None:
    assert day_of(text) == expected


def test_numeric_order() -> None:
    assert day_of("05/06/2025") == date(2025, 6, 5)  # day first by default
    assert day_of("05/06/2025", day_first=False) == date(2025, 5, 6)
    assert day_of("05/06/2025", lang="en-US") == date(2025, 5, 6)
    assert day_of("11/25/2025") == date(2025, 11, 25)  # only one reading is valid
    assert day_of("25/11/2025", day_first=False) == date(2025, 11, 25)


def test_the_first_date_of_a_text_wins() -> None:
    text = "Publié le 3 mars 2024, mis à jour le 5 mars 2024"
    assert day_of(text) == date(2024, 3, 3)
    assert [p.value.date() for _, p in iter_dates(text)] == [date(2024, 3, 3), date(2024, 3, 5)]


# --------------------------------------------------------------------------- never invent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "© 2023",
        "2023",
        "Copyright 2019-2025",
        "32 نونبر 2025",
        "25 فلان 2025",
        "30 فبراير 2024",
        "29 février 2023",
        "نوفمبر 2025",
        "November 2025",
        "25 نوفمبر",
        "25.11.25",
        "25 Nov '25",
        "25 نوفمبر 1985",
        "13/13/2025",
        "Vol. 12, No. 3",
        "يوم الثلاثاء",
    ],
)
def test_strings_that_are_not_dates(text: str) -> None:
    assert parse_date(text) is None
    assert parse_date(text, now=NOW) is None


def test_future_dates_are_refused_when_now_is_known() -> None:
    assert parse_date("27 نوفمبر 2025", now=NOW) is None
    assert day_of("26 نوفمبر 2025", now=NOW) == date(2025, 11, 26)  # one day of slack
    assert day_of("27 نوفمبر 2025") == date(2025, 11, 27)  # no now: no bound


def test_an_invalid_day_is_not_read_as_another_date() -> None:
    # "32" must not become "2"; the invalid date is dropped, the valid one after it kept.
    assert day_of("32 نونبر 2025 ثم 3 دجنبر 2025") == date(2025, 12, 3)


# --------------------------------------------------------------------------- zones


def test_casablanca_offsets_follow_ramadan() -> None:
    november = parse_date("25 نوفمبر 2025 10:30", tz=CASABLANCA)
    assert november is not None and not november.naive
    assert november.value.utcoffset() == timedelta(hours=1)
    ramadan = parse_date("1 مارس 2026 10:00", tz=CASABLANCA)
    assert ramadan is not None and ramadan.value.utcoffset() == timedelta(0)
    iso_nov = parse_iso("2025-11-25T10:15:00", CASABLANCA)
    assert iso_nov is not None and iso_nov.value.isoformat() == "2025-11-25T10:15:00+01:00"
    iso_ramadan = parse_iso("2026-03-01T10:15:00", CASABLANCA)
    assert iso_ramadan is not None and iso_ramadan.value.isoformat() == "2026-03-01T10:15:00+00:00"


def test_an_offset_in_the_text_beats_the_site_zone() -> None:
    parsed = parse_iso("2025-11-25T10:15:00+03:00", CASABLANCA)
    assert parsed is not None
    assert parsed.value.utcoffset() == timedelta(hours=3)


# --------------------------------------------------------------------------- machine dates


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("2025-11-25T10:15:00", datetime(2025, 11, 25, 10, 15), True),
        ("2025-11-25 10:15:00", datetime(2025, 11, 25, 10, 15), True),
        ("2025-11-25T10:15", datetime(2025, 11, 25, 10, 15), True),
        ("2025-11-25T10:15:00.123", datetime(2025, 11, 25, 10, 15), True),
        ("2025-11-25", datetime(2025, 11, 25), False),
        ("20251125", datetime(2025, 11, 25), False),
        ("2025/11/25 10:15", datetime(2025, 11, 25, 10, 15), True),
    ],
)
def test_parse_iso_naive(text: str, expected: datetime, has_time: bool) -> None:
    parsed = parse_iso(text)
    assert parsed is not None
    assert parsed.value == expected and parsed.naive and parsed.has_time is has_time


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2025-11-25T10:15:00Z", timedelta(0)),
        ("2025-11-25T10:15:00.000Z", timedelta(0)),
        ("2025-11-25T10:15:00+01:00", timedelta(hours=1)),
        ("2025-11-25T10:15:00+0100", timedelta(hours=1)),
        ("2025-11-25 10:15:00 -05:00", timedelta(hours=-5)),
        ("2025-11-25T10:15:00+05:30", timedelta(hours=5, minutes=30)),
    ],
)
def test_parse_iso_with_offsets(text: str, offset: timedelta) -> None:
    parsed = parse_iso(text)
    assert parsed is not None and not parsed.naive
    assert parsed.value.replace(tzinfo=None) == datetime(2025, 11, 25, 10, 15)
    assert parsed.value.utcoffset() == offset


@pytest.mark.parametrize(
    "text", ["", "yesterday", "1970-01-01T00:00:00Z", "2025-13-01", "2025-11-25T25:00", "2025"]
)
def test_parse_iso_refuses(text: str) -> None:
    assert parse_iso(text) is None


# --------------------------------------------------------------------------- properties

_ALL_NAMES = [(name, i + 1) for names in REGIONS.values() for i, name in enumerate(names)]


@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
    digits=st.sampled_from(sorted(DIGITS)),
    names=st.sampled_from([n for n in _ALL_NAMES]),
    weekday=st.sampled_from(["", "الأحد ", "الثلاثاء، ", "الجمعة - "]),
)
def test_any_valid_arabic_date_round_trips(
    day: date, digits: str, names: tuple[str, int], weekday: str
) -> None:
    name, month = names
    try:
        expected = day.replace(month=month)
    except ValueError:  # 31 of a 30-day month
        return
    text = f"{weekday}{expected.day} {name} {expected.year}".translate(DIGITS[digits])
    assert day_of(text) == expected


@given(st.text(max_size=200))
def test_parse_date_never_raises(text: str) -> None:
    parsed = parse_date(text, now=NOW)
    if parsed is not None:
        assert parsed.value.year >= 1990
        assert parsed.value <= NOW + timedelta(days=1)


@given(st.text(max_size=60))
def test_parse_iso_never_raises(text: str) -> None:
    parse_iso(text, timezone(timedelta(hours=1)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Do 25.04.24 | 14:07 Uhr", datetime(2024, 4, 25, 14, 7)),
        ("Stand: 3.5.24, 9:30 Uhr", datetime(2024, 5, 3, 9, 30)),
    ],
)
def test_a_dotted_two_digit_year_is_read_next_to_a_time_of_day(
    text: str, expected: datetime
) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.value == expected and parsed.has_time
    # Alone, or a version number next to a time, it stays no date.
    assert parse_date(text.split("|")[0].split(",")[0].replace("Do ", "")) is None
    assert parse_date("Version 1.2.24 build 10:30") is None
