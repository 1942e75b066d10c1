"""Text normalization shared by indexing and querying.

SQLite's unicode61 tokenizer does not fold Arabic: it splits words at harakat and keeps alef
forms apart. ``fold`` makes one searchable spelling of any text, applied identically when an
article is indexed and when a query is parsed, so the two always agree.

Arabic also attaches clitics to words: والاقتصاد is "and the economy", بالمدرسة "in the
school", للتنمية "for the development". ``light_stem`` removes those proclitics (the article
ال alone or after و ف ب ك ل, and a lone و before a word of three letters or more) so a search
for اقتصاد, الاقتصاد or والاقتصاد finds all three spellings. It never touches suffixes and never
strips a lone ب ك ل ف, whose letters are too often part of the word itself (كتاب, فكرة, لبنان).

The search index stores words as ``fold`` and ``light_stem`` make them, so any change to
either must come with a schema version whose migration rebuilds the index
(``store.MIGRATIONS``; a step returning True triggers ``Store.rebuild_search_index``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# Harakat, Quranic annotation marks, superscript alef and tatweel carry no search meaning.
_ARABIC_MARK_CHARS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_ARABIC_MARKS = re.compile(f"[{_ARABIC_MARK_CHARS}]")
# Invisible format characters (ZWNJ, ZWJ, direction marks, BOM, soft hyphen) found inside words
# on Arabic pages; the tokenizer would split a word at them.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Letter folds; applied with str.replace, which is far faster than str.translate on Arabic.
_ARABIC_FOLD = (
    ("أ", "ا"),
    ("إ", "ا"),
    ("آ", "ا"),
    ("ٱ", "ا"),
    ("ى", "ي"),
    ("ة", "ه"),
    ("ی", "ي"),
    ("ک", "ك"),
)
_LATIN_MARKS = re.compile("[\u0300-\u036f]")
_DIGITS = dict(zip("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789", strict=True))
_EASTERN_DIGIT = re.compile("[٠-٩۰-۹]")

# A token of folded text, as SQLite's unicode61 tokenizer sees it: letters and digits.
_TOKEN = re.compile(r"[^\W_]+")
# ASCII text: everything but letters and digits becomes a space (str.split then finds the
# same words as _TOKEN, faster).
_ASCII_WORD_BREAKS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
# A word of original (unfolded) text: letters and digits with the marks that fold drops.
_RAW_WORD = re.compile(f"(?:[^\\W_]|[{_ARABIC_MARK_CHARS}\u0300-\u036f\u200c\u200d])+")

# Proclitics ending in the article, longest first: "and with the", "and for the", ..., "the".
_ARTICLE_CLITICS = (
    "وبال",
    "وكال",
    "فبال",
    "فكال",
    "ولل",
    "فلل",
    "وال",
    "فال",
    "بال",
    "كال",
    "لل",
    "ال",
)


def fold(text: str) -> str:
    """The search form of ``text``: NFKC, Arabic marks dropped and letters folded,
    Arabic-Indic and Persian digits as ASCII, Latin case and accents removed."""
    if text.isascii():  # every step below but casefold leaves ASCII text as it is
        return text.casefold()
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _ARABIC_MARKS.sub("", text)
    for letter, folded in _ARABIC_FOLD:
        if letter in text:
            text = text.replace(letter, folded)
    text = _EASTERN_DIGIT.sub(lambda m: _DIGITS[m.group()], text)
    text = text.casefold()
    if text.isascii():
        return text
    # Drop the combining marks of the Latin-accent block only (Arabic ones went above), then
    # recompose: a stray combining hamza (from ؤ or ئ) would split the word in the tokenizer.
    stripped = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", stripped)


def tokens(folded: str) -> list[str]:
    """The words of already folded text, split where SQLite's unicode61 tokenizer splits."""
    return _TOKEN.findall(folded)


def is_arabic(token: str) -> bool:
    return bool(token) and "\u0620" <= token[0] <= "\u064a"


@lru_cache(maxsize=200_000)
def light_stem(token: str) -> str:
    """``token`` (folded) without its Arabic proclitics; other tokens are returned as is.

    والاقتصاد, الاقتصاد -> اقتصاد; بالمدرسه -> مدرسه; للتنميه -> تنميه; وقال -> قال.
    The remainder keeps at least two letters after the article and three after a lone و.
    """
    if not is_arabic(token):
        return token
    for clitic in _ARTICLE_CLITICS:
        if token.startswith(clitic) and len(token) - len(clitic) >= 2:
            return token[len(clitic) :]
    if token.startswith("و") and len(token) >= 4:
        return token[1:]
    return token


def stem_forms(token: str) -> tuple[str, ...]:
    """The index terms a query word must be looked up as, given that the index holds
    ``light_stem`` of every word: its stem, the stem of that (الوزاره -> وزاره -> زاره, since
    وزارة alone is indexed as زاره), and the word itself unless it starts with an article
    clitic (then it is never what an indexed word is stemmed to)."""
    first = light_stem(token)
    second = light_stem(first)
    forms = [token] if len(token) - len(first) < 2 else []
    forms += [first, second]
    return tuple(dict.fromkeys(forms))


def stemmed(folded: str) -> str:
    """Folded text as the search index holds it: every word replaced by its light stem."""
    if folded.isascii():  # the words are the runs of ASCII letters and digits; no stems
        return " ".join(folded.translate(_ASCII_WORD_BREAKS).split())
    return " ".join(map(light_stem, tokens(folded)))


def indexed(text: str | None) -> str:
    """``text`` as the search index and the story fingerprints hold it: folded, then every
    word replaced by its light stem ("" for no text)."""
    return stemmed(fold(text)) if text else ""


def raw_words(text: str) -> Iterator[re.Match[str]]:
    """Words of original text with their positions (marks kept inside the word)."""
    return _RAW_WORD.finditer(text)


def raw_word_list(text: str) -> list[str]:
    """The words of original text, as ``raw_words`` finds them."""
    return _RAW_WORD.findall(text)
