"""Folding and the month tables of :mod:`scraper.extract.dates`: text is folded (digits of
every script to ASCII, Arabic letter variants, harakat and tatweel dropped, Latin accents
stripped, case folded), then every month name found in the tables becomes a one-character
marker the date patterns read. Moroccan, Algerian/Tunisian, Egyptian/Gulf, Levantine/Iraqi and
Mauritanian Arabic month names, Persian, and the main European languages."""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE: dict[int, str | None] = {
    **{0x0660 + i: str(i) for i in range(10)},  # Arabic-Indic digits
    **{0x06F0 + i: str(i) for i in range(10)},  # Persian (extended Arabic-Indic) digits
    **{0x0966 + i: str(i) for i in range(10)},  # Devanagari digits
    **{0xFF10 + i: str(i) for i in range(10)},  # full-width digits
    ord("ى"): "ي",
    ord("ی"): "ي",  # Persian yeh
    ord("ک"): "ك",  # Persian kaf
    ord("ة"): "ه",
    ord("ٱ"): "ا",
    ord("ـ"): None,  # tatweel
    ord("،"): ",",
    ord("؛"): ";",
    ord("٫"): ".",
    ord("٬"): ",",
    ord("ı"): "i",
    ord("ł"): "l",
    ord("Ł"): "l",
    ord("ß"): "ss",
    ord("’"): "'",
    ord("`"): "'",
    0x00A0: " ",
    0x202F: " ",
    0x2009: " ",
    0x200B: None,
    0x200C: None,
    0x200D: None,
    0x200E: None,
    0x200F: None,
    0x061C: None,
    0xFEFF: None,
}
# Combining marks dropped after NFKD: Latin/Greek/Cyrillic accents, Hebrew points, Arabic
# harakat and hamza/madda marks (so أ إ آ become ا, ؤ و, ئ ي), Devanagari nukta/virama,
# Japanese voicing marks.
_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u093c\u094d\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f]+"
)


def fold(text: str) -> str:
    """``text`` folded for lookup: ASCII digits, no marks, one alef, case folded.

    Lengths change (NFKD), so positions in the result do not map back to ``text``.
    """
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    text = _MARKS.sub("", text).casefold()
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------- month tables

# One line per language or region; month n is the n-th "|"-separated group, variants
# separated by spaces. Abbreviations are listed without their dot.
_MONTH_LISTS: tuple[str, ...] = (
    # Arabic, Morocco
    "يناير|فبراير|مارس|أبريل|ماي|يونيو|يوليوز|غشت|شتنبر|أكتوبر|نونبر|دجنبر",
    # Arabic, Algeria and Tunisia
    "جانفي|فيفري|مارس|أفريل|ماي|جوان|جويلية|أوت|سبتمبر|أكتوبر|نوفمبر|ديسمبر",
    # Arabic, Egypt, Sudan and the Gulf (with common spellings)
    "يناير ينائر|فبراير فبرائر|مارس|أبريل|مايو|يونيو يونيه|يوليو يوليه|أغسطس أوغسطس أغسطوس"
    "|سبتمبر سبتمبير|أكتوبر أكتوبير|نوفمبر نوفمبير|ديسمبر ديسمبير",
    # Arabic, Mauritania
    "يناير|فبراير|مارس|إبريل|مايو|يونيو|يوليو|أغشت|شتمبر|أكتوبر|نوفمبر|دجمبر",
    # Arabic, Levant and Iraq (the two-word names are matched separately below)
    "كانون_الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين_الأول|تشرين_الثاني|كانون_الأول",
    # Persian (Gregorian month names)
    "ژانویه|فوریه|مارس|آوریل|مه|ژوئن|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر",
    # English
    "january jan|february feb|march mar|april apr|may|june jun|july jul|august aug"
    "|september sep sept|october oct|november nov|december dec",
    # French
    "janvier janv|fevrier fevr fev|mars|avril avr|mai|juin|juillet juil|aout"
    "|septembre|octobre|novembre|decembre",
    # Spanish
    "enero ene|febrero|marzo|abril abr|mayo|junio|julio|agosto ago|septiembre setiembre set"
    "|octubre|noviembre|diciembre dic",
    # German (and Austrian)
    "januar janner jan|februar feber feb|marz maerz mrz|april|mai|juni|juli|august"
    "|september sept|oktober okt|november|dezember dez",
    # Portuguese
    "janeiro|fevereiro fev|marco|abril|maio|junho|julho|agosto|setembro set|outubro out"
    "|novembro|dezembro dez",
    # Italian
    "gennaio gen|febbraio|marzo|aprile|maggio mag|giugno giu|luglio lug|agosto"
    "|settembre sett|ottobre ott|novembre|dicembre",
    # Dutch
    "januari|februari|maart mrt|april|mei|juni|juli|augustus|september|oktober|november|december",
    # Swedish, Danish, Norwegian
    "januari januar|februari februar|mars marts|april|maj mai|juni|juli|augusti august"
    "|september|oktober|november|december desember",
    # Indonesian and Malay
    "januari|februari|maret mac|april|mei|juni|juli|agustus ogos|september|oktober"
    "|november|desember disember",
    # Turkish
    "ocak|subat|mart|nisan|mayis|haziran|temmuz|agustos|eylul|ekim|kasim|aralik",
    # Polish (genitive and nominative)
    "stycznia styczen|lutego luty|marca marzec|kwietnia kwiecien|maja maj|czerwca czerwiec"
    "|lipca lipiec|sierpnia sierpien|wrzesnia wrzesien|pazdziernika pazdziernik"
    "|listopada listopad|grudnia grudzien",
    # Czech (genitive)
    "ledna|unora|brezna|dubna|kvetna|cervna|cervence|srpna|zari|rijna|listopadu|prosince",
    # Hungarian
    "januar|februar febr|marcius marc|aprilis apr|majus maj|junius jun|julius jul"
    "|augusztus aug|szeptember szept|oktober okt|november nov|december dec",
    # Finnish (partitive and nominative)
    "tammikuuta tammikuu|helmikuuta helmikuu|maaliskuuta maaliskuu|huhtikuuta huhtikuu"
    "|toukokuuta toukokuu|kesakuuta kesakuu|heinakuuta heinakuu|elokuuta elokuu"
    "|syyskuuta syyskuu|lokakuuta lokakuu|marraskuuta marraskuu|joulukuuta joulukuu",
    # Lithuanian (genitive)
    "sausio|vasario|kovo|balandzio|geguzes|birzelio|liepos|rugpjucio|rugsejo|spalio"
    "|lapkricio|gruodzio",
    # Albanian
    "janar|shkurt|mars|prill|maj|qershor|korrik|gusht|shtator|tetor|nentor|dhjetor",
    # Romanian
    "ianuarie|februarie|martie|aprilie|mai|iunie|iulie|august|septembrie|octombrie"
    "|noiembrie|decembrie",
    # Russian (genitive, nominative, abbreviations)
    "января январь янв|февраля февраль фев|марта март мар|апреля апрель апр|мая май"
    "|июня июнь июн|июля июль июл|августа август авг|сентября сентябрь сен сент"
    "|октября октябрь окт|ноября ноябрь нояб ноя|декабря декабрь дек",
    # Ukrainian (genitive and nominative)
    "січня січень|лютого лютий|березня березень|квітня квітень|травня травень|червня червень"
    "|липня липень|серпня серпень|вересня вересень|жовтня жовтень|листопада листопад"
    "|грудня грудень",
    # Bulgarian
    "януари|февруари|март|април|май|юни|юли|август|септември|октомври|ноември|декември",
    # Greek (genitive and nominative)
    "ιανουαριου ιανουαριος|φεβρουαριου φεβρουαριος|μαρτιου μαρτιος|απριλιου απριλιος"
    "|μαιου μαιος|ιουνιου ιουνιος|ιουλιου ιουλιος|αυγουστου αυγουστος"
    "|σεπτεμβριου σεπτεμβριος|οκτωβριου οκτωβριος|νοεμβριου νοεμβριος|δεκεμβριου δεκεμβριος",
    # Hindi
    "जनवरी|फ़रवरी फरवरी|मार्च|अप्रैल|मई|जून|जुलाई|अगस्त|सितंबर सितम्बर|अक्टूबर|नवंबर नवम्बर|दिसंबर दिसम्बर",
)


def _build_months() -> dict[str, int]:
    table: dict[str, int] = {}
    for line in _MONTH_LISTS:
        groups = line.split("|")
        if len(groups) != 12:
            raise ValueError(f"month list needs 12 groups: {line[:30]}")
        for number, group in enumerate(groups, start=1):
            for name in group.split():
                key = fold(name.replace("_", " "))
                if table.setdefault(key, number) != number:
                    raise ValueError(f"month name {name!r} is ambiguous")
    return table


MONTHS: dict[str, int] = _build_months()

MARK0 = 0xE000  # month n is written as chr(MARK0 + n) in the marked text
MARK = "[\ue001-\ue00c]"

# Levantine two-word names, also without the article ("كانون ثاني").
_WORDS = re.compile(
    r"(?:كانون|تشرين)\s+(?:ال)?(?:اول|ثاني)(?![^\W\d_])"
    r"|(?:[^\W\d_]|[\u0900-\u0903\u093a-\u094f\u0962\u0963])+"
)
_ANY_MARK = re.compile("[\ue001-\ue00c]")
_LEVANT = {"كانون": {"اول": 12, "ثاني": 1}, "تشرين": {"اول": 10, "ثاني": 11}}
# "نوفمبر/تشرين الثاني", "11 (نوفمبر)", "نوفمبر (11)": one month written twice.
_DOUBLE_NAME = re.compile(rf"({MARK})\s*[/(\-–]\s*({MARK})\s*\)?")
_NUMBER_NAME = re.compile(rf"(?<![\d.:/])(\d{{1,2}})\s*\(\s*({MARK})\s*\)")
_NAME_NUMBER = re.compile(rf"({MARK})\s*\(\s*(\d{{1,2}})\s*\)")


def _mark_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if " " in word:
        head, _, tail = word.partition(" ")
        number: int | None = _LEVANT[head][tail.strip().removeprefix("ال")]
    else:
        number = MONTHS.get(word)
    return chr(MARK0 + number) if number else word


def _same_month(match: re.Match[str]) -> str:
    a, b = match.group(1), match.group(2)
    return a if a == b else match.group(0)


def _number_name(match: re.Match[str]) -> str:
    num, mark = match.group(1), match.group(2)
    return mark if int(num) == ord(mark) - MARK0 else match.group(0)


def _name_number(match: re.Match[str]) -> str:
    mark, num = match.group(1), match.group(2)
    return mark if int(num) == ord(mark) - MARK0 else match.group(0)


def marked_of(folded: str) -> str:
    out = _WORDS.sub(_mark_word, folded)
    if _ANY_MARK.search(out):
        out = _DOUBLE_NAME.sub(_same_month, out)
        out = _NUMBER_NAME.sub(_number_name, out)
        out = _NAME_NUMBER.sub(_name_number, out)
    return out


# --------------------------------------------------------------------------- patterns
