"""Text normalization shared by indexing and querying.

SQLite's unicode61 tokenizer does not fold Arabic: it splits words at harakat and keeps alef
forms apart. ``fold`` makes one searchable spelling of any text, applied identically when an
article is indexed and when a query is parsed, so the two always agree.
"""

from __future__ import annotations

import re
import unicodedata

# Harakat, Quranic annotation marks, superscript alef and tatweel carry no search meaning.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def fold(text: str) -> str:
    """The search form of ``text``: NFKC, Arabic marks dropped and letters folded,
    Arabic-Indic and Persian digits as ASCII, Latin case and accents removed."""
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD).translate(_DIGITS)
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not _is_latin_mark(c))
    # Recompose: a stray combining hamza (from ؤ or ئ) would split the word in the tokenizer.
    return unicodedata.normalize("NFC", stripped)


def _is_latin_mark(char: str) -> bool:
    # Combining marks from the Latin-accent block only; Arabic marks were handled above.
    return "\u0300" <= char <= "\u036f"
