"""The Daily Example: an invented generic news site whose theme says ``og:type=article`` on
every page, for the page-kind tests (backfill of a WARC, crawl without a profile).

Only the layout tells its pages apart: a home page and two more pages of it, three section
pages (at paths that name no section), an author page, a tag page, a soft 404 (status 200), a
photo gallery and :data:`ARTICLES` articles of several shapes (JSON-LD or not, a short dated
brief, paragraphs in wrappers, text set with ``<br>``, big "more stories" blocks)::

    site = build()            # {path: html}
    site.articles             # the paths of the article pages
    site.others               # {path: kind} of every other page
    FaultServer(site.pages)   # served on 127.0.0.1
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from html import escape

ARTICLES = 12
SECTIONS = ("politics", "economy", "culture")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words(
    "council harbour budget vote river bridge school doctors farmers market winter storm "
    "festival museum railway station mayor minister court report plan workers prices energy "
    "water village city region coast fishermen teachers students hospital road tunnel library"
)
VERBS = _words("approved discussed delayed opened closed measured rebuilt announced")


@dataclass
class Site:
    pages: dict[str, str] = field(default_factory=dict)
    articles: list[str] = field(default_factory=list)
    others: dict[str, str] = field(default_factory=dict)  # path -> the kind it is


def sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(WORDS) for _ in range(words - 1)]
    picked.insert(2, rng.choice(VERBS))
    return " ".join(picked).capitalize() + "."


def paragraph(rng: random.Random, words: int) -> str:
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(sentence(rng, rng.randint(9, 16)))
    return " ".join(out)


def shell(title: str, main: str, *, head: str = "") -> str:
    nav = "".join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        ' | The Daily Example</title><meta property="og:type" content="article">'
        f'<meta property="og:site_name" content="The Daily Example">{head}</head><body>'
        f'<header><a href="/">The Daily Example</a><nav><ul>{nav}'
        '<li><a href="/people/anna-berg">Our team</a></li></ul></nav></header>'
        f"<main>{main}</main>"
        '<footer><p>© The Daily Example. <a href="/about">About</a></p></footer></body></html>'
    )


def headline(n: int) -> str:
    rng = random.Random(n)
    return f"{sentence(rng, 7)[:-1]} ({n})"


def teaser(
    n: int, rng: random.Random, *, summary: int = 24, tag: str = "h2", href: str = ""
) -> str:
    day = f"2025-10-{1 + n % 28:02d}"
    href = href or f"/news/{n}-story.html"
    return (
        f'<article class="teaser"><{tag}><a href="{href}">{headline(n)}</a>'
        f'</{tag}><time datetime="{day}T09:00:00Z">{day}</time>'
        f"<p>{paragraph(rng, summary)}</p></article>"
    )


def listing(
    title: str, numbers: list[int], rng: random.Random, *, intro: int = 0, more: str = ""
) -> str:
    cards = "".join(teaser(n, rng) for n in numbers)
    lead = f"<p>{paragraph(rng, intro)}</p>" if intro else ""
    return shell(title, f"<h1>{escape(title)}</h1>{lead}<section>{cards}</section>{more}")


def article(n: int, rng: random.Random) -> str:
    title = headline(n)
    day = f"2025-10-{1 + n % 28:02d}T0{n % 9}:30:00+02:00"
    shape = n % 6
    if shape == 0:  # a short dated brief
        text = "".join(f"<p>{paragraph(rng, 25)}</p>" for _ in range(2))
    elif shape == 1:  # each paragraph in its own wrapper
        text = "".join(f'<div class="para"><p>{paragraph(rng, 50)}</p></div>' for _ in range(6))
    elif shape == 2:  # lines set with <br>, no paragraphs
        text = '<div class="text">' + "<br><br>".join(paragraph(rng, 45) for _ in range(5))
        text += "</div>"
    else:
        text = "".join(f"<p>{paragraph(rng, 55)}</p>" for _ in range(6))
    related = "".join(
        f'<li><h3><a href="/news/{(n + k) % ARTICLES}-story.html">{headline((n + k) % ARTICLES)}'
        "</a></h3></li>"
        for k in range(1, 5)
    )
    more = ""
    if shape == 3:  # a big "more stories" block of teasers under the story
        more = "<section><h2>More stories</h2>"
        more += "".join(teaser((n + k) % ARTICLES, rng, summary=18, tag="h3") for k in range(1, 10))
        more += "</section>"
    head = ""
    if n % 2 == 0:
        data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                "datePublished": day}  # fmt: skip
        head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    main = (
        f'<article><h1>{escape(title)}</h1><p class="byline">By <a href="/people/anna-berg">'
        f'Anna Berg</a>, <time datetime="{day}">{day[:10]}</time></p>{text}'
        f'<p>Tags: <a href="/tag/harbour">harbour</a></p></article>'
        f"<aside><h2>Related</h2><ul>{related}</ul></aside>{more}"
    )
    return shell(title, main, head=head)


def build(seed: int = 3) -> Site:
    rng = random.Random(seed)
    site = Site()
    numbers = list(range(ARTICLES))
    for n in numbers:
        path = f"/news/{n}-story.html"
        site.pages[path] = article(n, rng)
        site.articles.append(path)
    pager = '<nav class="pager"><a rel="next" href="/page/{0}">Older stories</a></nav>'
    # The home page's teasers also lead to pages that are no article: a crawl reaches them as
    # article candidates, and only the page itself can tell.
    odd = ("/gallery/storm", "/about", "/tag/harbour")
    extra = "".join(teaser(50 + k, rng, href=href) for k, href in enumerate(odd))
    site.pages["/"] = listing("Top stories", numbers[:10], rng, more=extra + pager.format(2))
    site.pages["/page/2"] = listing("Top stories, page 2", numbers[4:12], rng, more=pager.format(3))
    site.pages["/page/3"] = listing("Top stories, page 3", numbers[6:12], rng)
    site.others.update({"/": "home", "/page/2": "listing", "/page/3": "listing"})
    for k, name in enumerate(SECTIONS):
        chosen = [n for n in numbers if n % 3 == k] + [n for n in numbers if n % 3 != k][:4]
        site.pages[f"/{name}/"] = listing(name.title(), chosen, rng, intro=40)
        site.others[f"/{name}/"] = "listing"
    bio = f'<p class="bio">{paragraph(rng, 60)}</p>'
    cards = "".join(
        f'<li><h3><a href="/news/{n}-story.html">{headline(n)}</a></h3></li>' for n in numbers[:8]
    )
    site.pages["/people/anna-berg"] = shell(
        "Anna Berg", f"<h1>Anna Berg</h1>{bio}<h2>Latest by Anna Berg</h2><ul>{cards}</ul>"
    )
    site.others["/people/anna-berg"] = "listing"
    site.pages["/tag/harbour"] = listing("Harbour", numbers[:3], rng)
    site.others["/tag/harbour"] = "tag"
    missing = "".join(teaser(n, rng, summary=12) for n in numbers[:3])
    site.pages["/about"] = shell(
        "Page not found",
        "<h1>Sorry, this page could not be found</h1><p>It may have moved. Try the home page"
        f" or one of these stories.</p>{missing}",
    )
    site.others["/about"] = "error"
    photos = "".join(
        f'<figure><img src="/img/storm-{k}.jpg" alt=""><figcaption>The storm, picture {k}'
        "</figcaption></figure>"
        for k in range(12)
    )
    site.pages["/gallery/storm"] = shell("The storm in pictures", f"<h1>The storm</h1>{photos}")
    site.others["/gallery/storm"] = "gallery"
    return site
