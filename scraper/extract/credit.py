"""The agency or source credit a story declares: ``(ومع: 25 نونبر 2025)``, ``(MAP)``,
``RABAT (AFP) -``, ``- Reuters``, ``Source : APS``, an agency byline, or a JSON-LD
``sourceOrganization``/``publisher`` that is a news agency.

Pure: text and structured data in, a :class:`Credit` (the text as printed, the agency's
normalized name, where it was found) or None out. The trailer stays in the body (the page's
truth); the credit is an extra field. Only names in :data:`AGENCIES` count: a parenthesis
at the end of a story that names no known agency is not a credit, so the table is the
precision of this module. Names are compared folded (harakat, alef forms, case, accents),
with dots, hyphens and spaces removed: ``و.م.ع`` = ``ومع``, ``أ ف ب`` = ``ا.ف.ب``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..text import fold

__all__ = ["AGENCIES", "Credit", "agency_of", "find_credit"]

#: Normalized agency name -> the names it is printed under (Arabic, French, English,
#: Spanish; abbreviations and full names). Domain data, like the month tables.
AGENCIES: Mapping[str, tuple[str, ...]] = {
    "MAP": (
        "MAP", "ومع", "و.م.ع", "وكالة المغرب العربي للأنباء", "Maghreb Arabe Presse",
        "Agence Maghreb Arabe Presse", "Agencia Maghreb Arabe Presse",
    ),
    "AFP": (
        "AFP", "أ ف ب", "أ.ف.ب", "ا ف ب", "فرانس برس", "وكالة فرانس برس", "وكالة الصحافة الفرنسية",
        "Agence France-Presse", "Agence France Presse", "France-Presse", "France Presse",
    ),
    "Reuters": ("Reuters", "رويترز", "وكالة رويترز", "رويتر"),
    "AP": ("AP", "Associated Press", "أسوشيتد برس", "أسوشيتدبرس", "أ ب", "أ.ب"),
    "APS": (
        "APS", "Algérie Presse Service", "وكالة الأنباء الجزائرية", "واج", "وأج",
        "Agence de presse sénégalaise",
    ),
    "EFE": ("EFE", "Agencia EFE", "إفي", "إيفي", "ايفي", "افي"),
    "Anadolu": (
        "Anadolu", "AA", "الأناضول", "وكالة الأناضول", "Anadolu Agency", "Agence Anadolu",
        "Agencia Anadolu",
    ),
    "DPA": ("DPA", "د ب أ", "د.ب.أ", "Deutsche Presse-Agentur"),
    "ANSA": ("ANSA", "أنسا", "آنسا"),
    "TAP": ("TAP", "وات", "Tunis Afrique Presse", "وكالة تونس إفريقيا للأنباء"),
    "MENA": ("MENA", "أ ش أ", "أ.ش.أ", "وكالة أنباء الشرق الأوسط", "Middle East News Agency"),
    "QNA": ("QNA", "قنا", "وكالة الأنباء القطرية"),
    "WAM": ("WAM", "وام", "وكالة أنباء الإمارات"),
    "SPA": ("SPA", "واس", "وكالة الأنباء السعودية"),
    "KUNA": ("KUNA", "كونا", "وكالة الأنباء الكويتية"),
    "SANA": ("SANA", "سانا"),
    "Xinhua": ("Xinhua", "شينخوا", "Chine nouvelle", "Xinhua News Agency"),
    "Europa Press": ("Europa Press",),
    "Sputnik": ("Sputnik", "سبوتنيك"),
    "TASS": ("TASS", "تاس"),
    "Kyodo": ("Kyodo",),
    "UPI": ("UPI", "United Press International"),
    "Bloomberg": ("Bloomberg", "بلومبرغ"),
    "ANI": ("ANI",),
    "PAP": ("PAP",),
    "Belga": ("Belga",),
    "ATS": ("ATS", "Keystone-ATS"),
    "Lusa": ("Lusa",),
    "Notimex": ("Notimex",),
    "AMI": ("AMI", "الوكالة الموريتانية للأنباء"),
    "LANA": ("LANA", "وال"),
    "Petra": ("Petra", "بترا"),
    "NNA": ("NNA", "الوكالة الوطنية للإعلام"),
    "WAFA": ("WAFA", "وفا"),
    "IRNA": ("IRNA", "إرنا"),
}  # fmt: skip

# Prefixes around a credit that are not part of the name: "avec AFP", "with Reuters", "مع".
_PREFIXES = ("avec", "with", "con", "d'apres", "selon", "via", "agencies", "agences", "agencias")
_SPLIT = re.compile(r"\s*(?:[/,;+&|]|\s(?:et|and|y|و)\s)\s*")
_DETAIL = re.compile(r"\s*[:،,\-–—]\s*\d.*$|\s*:\s.*$|\s+\d{1,2}\s.*$")


def _key(name: str) -> str:
    """The comparison form of a name: folded, without dots, hyphens, apostrophes, spaces."""
    return re.sub(r"[\s.\-–—'’·_]+", "", fold(name))


_INDEX: dict[str, str] = {
    _key(alias): agency for agency, names in AGENCIES.items() for alias in names
}
# Latin abbreviations of two letters are common words in other uses ("AP" in a URL, "AA"
# batteries): they count only inside a credit's parenthesis or dash, never in a byline.
_SHORT = frozenset(k for k in _INDEX if len(k) <= 2 and k.isascii())


@dataclass(frozen=True, slots=True)
class Credit:
    """A declared credit: the normalized ``agency`` (a key of :data:`AGENCIES`; several
    agencies joined by ``, ``), the ``raw`` text as printed, and ``source``: ``trailer``,
    ``dateline``, ``source_line``, ``byline`` or ``jsonld``."""

    agency: str
    raw: str
    source: str


def agency_of(text: str, *, strict: bool = False) -> str | None:
    """The agencies ``text`` names (``"AFP"``, ``"AFP, Reuters"``), or None when any part of
    it is not an agency. ``strict`` refuses the two-letter Latin abbreviations."""
    text = text.strip().strip("()[]").strip()
    folded = fold(text)
    for prefix in _PREFIXES:
        if folded.startswith(prefix + " "):
            text = text[len(prefix) + 1 :]
            break
    if text.startswith("مع ") and _key(text) not in _INDEX:
        text = text[3:]
    text = _DETAIL.sub("", text)
    found: list[str] = []
    for part in _SPLIT.split(text):
        key = _key(part)
        if not key:
            continue
        agency = _INDEX.get(key)
        if agency is None or (strict and key in _SHORT):
            return None
        if agency not in found:
            found.append(agency)
    return ", ".join(found) if found else None


# "(ومع: 25 نونبر 2025)", "(MAP)", "(avec AFP)", "(AFP/Reuters)" ending the story.
_TRAILER_PAREN = re.compile(r"[(\[]([^()\[\]\n]{1,80})[)\]]\s*\.?\s*$")
# "... - Reuters", "— AFP" ending the story.
_TRAILER_DASH = re.compile(r"(?:^|\s)[-–—]\s*([^\-–—\n]{2,40}?)\s*\.?\s*$")
# "RABAT (AFP) -", "الرباط (ومع) -", "Madrid, 3 dic (EFE).-", "(Reuters) —", "WESTPORT,
# Wash. July 24, 2012 (AP)" alone on its line, opening the story (a separator, or the end
# of the line, after the parenthesis).
_DATELINE = re.compile(
    r"^[^\n()]{0,60}?[(\[]([^()\[\]\n]{1,40})[)\]]\s*(?:\.?\s*(?:--|[-–—:.?_])|$)"
)
# "WASHINGTON (AP) Congress is asking": no separator, but a place in capitals.
_DATELINE_CAPS = re.compile(r"^[A-Z][A-Z .,'/-]{1,50}\(([^()\n]{1,40})\)\s+(?=\w)")
# "Source : APS", "Sources: AFP, Reuters", "المصدر: ومع", "Fuente: EFE".
_SOURCE_LINE = re.compile(
    r"^\s*(?:sources?|fuentes?|fonte|المصدر|المصادر|مصدر|credit|crédit)\s*[:：-]\s*(.{2,80}?)\s*\.?\s*$",
    re.IGNORECASE,
)


def find_credit(
    body: str,
    obj: Mapping[str, Any] | None = None,
    authors: Iterable[str] = (),
) -> Credit | None:
    """The credit ``body`` (its last and first paragraphs), the byline ``authors`` or the
    JSON-LD article ``obj`` declares, in that order of trust; None when none names an
    agency of :data:`AGENCIES`."""
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    found = _trailer(paragraphs[-1]) if paragraphs else None
    if found is not None:
        return found
    for paragraph in paragraphs[:3]:  # a title or a date line may come first
        match = _DATELINE.match(paragraph) or _DATELINE_CAPS.match(paragraph)
        if match and (agency := agency_of(match.group(1))):
            return Credit(agency, match.group(0).strip(), "dateline")
    if len(paragraphs) > 3:  # a trailer followed by a last line ("Lire aussi", a note)
        found = _trailer(paragraphs[-2])
        if found is not None:
            return found
    for name in authors:
        if len(name) <= 80 and (agency := agency_of(name, strict=True)):
            return Credit(agency, name, "byline")
    if obj is not None:
        return _structured(obj)
    return None


def _trailer(paragraph: str) -> Credit | None:
    tail = paragraph[-120:]
    for pattern, kind in ((_TRAILER_PAREN, "trailer"), (_TRAILER_DASH, "trailer")):
        match = pattern.search(tail)
        if match and (agency := agency_of(match.group(1))):
            return Credit(agency, match.group(0).strip(), kind)
    if len(paragraph) <= 100:
        match = _SOURCE_LINE.match(paragraph)
        if match and (agency := agency_of(match.group(1))):
            return Credit(agency, paragraph, "source_line")
    return None


def _structured(obj: Mapping[str, Any]) -> Credit | None:
    """A JSON-LD ``sourceOrganization``, ``publisher`` or ``author`` that is an agency."""
    for field in ("sourceOrganization", "author", "publisher"):
        for name in _names(obj.get(field)):
            if len(name) <= 80 and (agency := agency_of(name, strict=True)):
                return Credit(agency, name, "jsonld")
    return None


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for item in value[:5] for n in _names(item)]
    return []
