"""Small profile-less news sites as route tables for :class:`tests.faultserver.FaultServer`.

Each article is a page of plain semantic HTML (``og:type=article``, ``<h1>``, paragraphs,
``<time>``); listings link to articles from ``<article><h2><a>`` cards. The caller chooses
each article's language, section path and dates (with or without a UTC offset, in JSON-LD,
``<time datetime>`` or only as visible text), so one table can be a bilingual site without
language folders, a site with sections, or a site whose dates come naive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

WORDS = {
    "fr": "le conseil municipal a voté hier soir le budget de la ville pour la rentrée".split(),  # noqa: SIM905
    "ar": "صادق المجلس الجماعي مساء أمس على ميزانية المدينة للدخول المقبل بالإجماع".split(),  # noqa: SIM905
    "en": "the city council voted last night on the budget of the town for next year".split(),  # noqa: SIM905
}


@dataclass
class Story:
    path: str  # "/sport/2025/07/09/match.html"
    title: str
    lang: str = "fr"
    jsonld_date: str | None = None  # datePublished in JSON-LD, as written
    time_date: str | None = None  # <time datetime="...">
    text_date: str | None = None  # only visible text: "Publié le 09/07/2025 à 20:30"
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> path

    def html(self) -> str:
        words = WORDS[self.lang]
        paragraphs = "".join(
            f"<p>{' '.join(words[i % 5 :] + words[: i % 5])} ({self.title} {i}).</p>"
            for i in range(8)
        )
        head = f'<meta property="og:type" content="article"><title>{self.title}</title>'
        if self.jsonld_date:
            data = {"@context": "https://schema.org", "@type": "NewsArticle",
                    "headline": self.title, "datePublished": self.jsonld_date}  # fmt: skip
            head += f'<script type="application/ld+json">{json.dumps(data)}</script>'
        for lang, path in self.alternates.items():
            head += f'<link rel="alternate" hreflang="{lang}" href="{path}">'
        stamp = ""
        if self.time_date:
            stamp = f'<time datetime="{self.time_date}">{self.time_date[:10]}</time>'
        elif self.text_date:
            stamp = f'<p class="date">Publié le {self.text_date}</p>'
        return (
            f'<!doctype html><html lang="{self.lang}"><head>{head}</head><body>'
            '<nav><a href="/">Accueil</a></nav>'
            f"<main><article><h1>{self.title}</h1>{stamp}{paragraphs}</article></main>"
            "<footer>© Le Site</footer></body></html>"
        )


def listing(title: str, stories: list[Story], lang: str = "fr", extra: str = "") -> str:
    cards = "".join(
        f'<article><h2><a href="{s.path}">{s.title}</a></h2></article>' for s in stories
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><title>{title}</title>'
        '<meta property="og:type" content="website"></head><body>'
        f'<nav><a href="/">Accueil</a>{extra}</nav><main><h1>{title}</h1>{cards}</main>'
        "</body></html>"
    )


def routes(home: str, stories: list[Story], pages: dict[str, str] | None = None) -> dict:
    """A route table: ``/`` is ``home``, each story at its path, ``pages`` as given, and a
    robots.txt without rules."""
    robots = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
    table: dict[str, object] = {"/": home, "/robots.txt": robots}
    table.update({s.path: s.html() for s in stories})
    table.update(pages or {})
    return table
