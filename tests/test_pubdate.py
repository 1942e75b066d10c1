"""Finding the published and modified dates of a page: each source, their order, and the
regions (teasers, comments, sidebars, footers) whose dates never count."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.extract import structured
from scraper.extract.pubdate import FoundDates, find_dates

CASABLANCA = ZoneInfo("Africa/Casablanca")


def page(body: str = "", head: str = "", jsonld: list[dict[str, Any]] | None = None) -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'
        for obj in jsonld or []
    )
    head = f"<title>Une page</title>{head}{scripts}"
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def find(html: str, url: str | None = None, **kwargs: Any) -> FoundDates:
    tree = LexborHTMLParser(html)
    return find_dates(
        tree,
        url=url,
        objects=structured.jsonld_objects(tree),
        meta=structured.meta_map(tree),
        **kwargs,
    )


def meta(prop: str, value: str) -> str:
    attr = "property" if ":" in prop else "name"
    return f'<meta {attr}="{prop}" content="{value}">'


ARTICLE = (
    "<article><h1>Inauguration d'un nouveau marché couvert</h1>"
    "<p>Le marché ouvrira ses portes aux commerçants du quartier.</p>"
    "<p>Les travaux ont duré deux ans.</p></article>"
)


# --------------------------------------------------------------------------- structured data


def test_meta_with_offset_comes_first() -> None:
    html = page(
        ARTICLE,
        head=meta("article:published_time", "2025-11-25T10:15:00+01:00")
        + meta("article:modified_time", "2025-11-26T08:00:00+01:00"),
        jsonld=[{"@type": "NewsArticle", "datePublished": "2025-11-25T09:00:00"}],
    )
    found = find(html)
    assert found.published == datetime(2025, 11, 25, 10, 15, tzinfo=_plus(1))
    assert found.modified == datetime(2025, 11, 26, 8, 0, tzinfo=_plus(1))
    assert found.source == "meta"
    assert found.raw == "2025-11-25T10:15:00+01:00"


def test_jsonld_naive_values_get_the_site_zone() -> None:
    html = page(
        ARTICLE,
        jsonld=[
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "datePublished": "2025-11-25T10:15:00",
                "dateModified": "2025-11-25T12:40:00",
            }
        ],
    )
    found = find(html, tz=CASABLANCA)
    assert found.source == "jsonld"
    assert found.published is not None and found.modified is not None
    assert found.published.isoformat() == "2025-11-25T10:15:00+01:00"
    assert found.modified.isoformat() == "2025-11-25T12:40:00+01:00"


def test_casablanca_is_utc_during_ramadan() -> None:
    html = page(ARTICLE, jsonld=[{"@type": "NewsArticle", "datePublished": "2026-03-01T21:00:00"}])
    found = find(html, tz=CASABLANCA)
    assert found.published is not None
    assert found.published.isoformat() == "2026-03-01T21:00:00+00:00"


def test_without_a_zone_a_naive_date_stays_naive() -> None:
    html = page(ARTICLE, jsonld=[{"@type": "NewsArticle", "datePublished": "2025-11-25T10:15:00"}])
    found = find(html)
    assert found.published == datetime(2025, 11, 25, 10, 15)
    assert found.published is not None and found.published.tzinfo is None


def test_an_aware_date_is_shown_in_the_site_zone() -> None:
    html = page(ARTICLE, head=meta("article:published_time", "2025-11-25T09:15:00Z"))
    found = find(html, tz=CASABLANCA)
    assert found.published is not None
    assert found.published.isoformat() == "2025-11-25T10:15:00+01:00"


def test_jsonld_graph_prefers_the_object_of_this_page() -> None:
    url = "https://example.org/actualite/marche-couvert/"
    objects = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "url": "https://example.org/autre/",
                "datePublished": "2025-10-01",
            },
            {
                "@type": "NewsArticle",
                "mainEntityOfPage": {"@id": url},
                "datePublished": "2025-11-25",
            },
        ],
    }
    found = find(page(ARTICLE, jsonld=[objects]), url=url)
    assert found.published == datetime(2025, 11, 25)


def test_meta_itemprop_in_head_counts_as_meta() -> None:
    html = page(ARTICLE, head='<meta itemprop="datePublished" content="2025-11-25T10:15:00+01:00">')
    found = find(html)
    assert found.source == "meta"
    assert found.published == datetime(2025, 11, 25, 10, 15, tzinfo=_plus(1))


def test_structured_dates_that_disagree_are_settled_by_the_page() -> None:
    html = page(
        "<article><h1>Un titre assez long pour un article</h1>"
        '<p class="date">04.02.2022 | 15:33 Uhr</p><p>Texte.</p></article>',
        head=meta("pubdate", "2021-12-14T15:41:07+01:00")
        + meta("dc.date.issued", "2022-02-04T15:33:00+01:00"),
    )
    found = find(html)
    assert found.published == datetime(2022, 2, 4, 15, 33, tzinfo=_plus(1))
    assert found.source == "meta"


def test_a_utc_timestamp_yields_to_the_local_time_the_page_shows() -> None:
    html = page(
        "<article><h1>Late night session in parliament</h1>"
        '<div class="byline">By Staff · Nov 25, 2025 11:40 PM</div><p>Text.</p></article>',
        head=meta("article:published_time", "2025-11-26T04:40:00Z"),
    )
    found = find(html)
    assert found.published is not None
    assert found.published.isoformat() == "2025-11-25T23:40:00-05:00"


def test_a_url_date_beats_a_structured_date_of_another_month() -> None:
    html = page(
        ARTICLE, jsonld=[{"@type": "BlogPosting", "datePublished": "2019-06-17T18:28:00+02:00"}]
    )
    found = find(html, url="https://blog.example.org/2017/7/12/a-walk-in-the-hills")
    assert found.published == datetime(2017, 7, 12)
    assert found.source == "url"


# --------------------------------------------------------------------------- page elements


def test_time_in_the_article_header_not_teasers_or_comments() -> None:
    html = page(
        '<section class="related-posts"><h3>À lire aussi</h3>'
        '<time datetime="2025-11-20T08:00:00+01:00">20 novembre</time></section>'
        "<article><header><h1>Le conseil municipal vote le budget</h1>"
        '<time datetime="2025-11-25T10:15:00+01:00">25 novembre 2025</time></header>'
        "<p>Le budget a été adopté à la majorité.</p>"
        '<div id="comments"><div class="comment">'
        '<time datetime="2025-11-26T09:00:00+01:00">26 novembre 2025</time> Bravo</div>'
        "</div></article>"
    )
    found = find(html)
    assert found.published == datetime(2025, 11, 25, 10, 15, tzinfo=_plus(1))
    assert found.source == "time"


def test_itemprop_date_published_element() -> None:
    html = page(
        '<div itemscope itemtype="https://schema.org/NewsArticle">'
        '<h1 itemprop="headline">Récolte record pour les oliviers</h1>'
        '<span itemprop="datePublished" content="2024-10-03">3 octobre 2024</span>'
        '<span itemprop="dateModified" content="2024-10-05">5 octobre 2024</span>'
        "<p>Texte de l'article.</p></div>"
    )
    found = find(html)
    assert found.published == datetime(2024, 10, 3)
    assert found.modified == datetime(2024, 10, 5)
    assert found.source == "time"


def test_a_time_element_whose_text_shows_another_day_is_read_as_shown() -> None:
    html = page(
        "<article><h1>Quand les grenades deviennent un enjeu</h1>"
        '<div class="time"><time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time>'
        "</div><p>Texte.</p></article>"
    )
    found = find(html)
    assert found.published == datetime(2019, 6, 29)


def test_embedded_posts_do_not_date_the_article() -> None:
    html = page(
        "<article><h1>Ce que dit la décision du tribunal</h1>"
        '<p class="meta">12. März 2019</p>'
        '<blockquote class="instagram-media"><p>Ein Beitrag geteilt am '
        '<time datetime="2018-03-12T19:30:12+00:00">Mär 12, 2018</time></p></blockquote>'
        "</article>"
    )
    found = find(html)
    assert found.published == datetime(2019, 3, 12)


# --------------------------------------------------------------------------- site profile


SAHARA_ARTICLE = (
    '<div class="jeg_inner_content"><h1 class="jeg_post_title">تدشين سوق جديد بالمدينة</h1>'
    '<div class="jeg_meta_container"><div class="jeg_meta_date"><a href="#">'
    '<i class="fa fa-clock-o"></i> 25 نوفمبر 2025</a></div></div>'
    '<div class="entry-content"><div class="content-inner"><p>نص المقال.</p>'
    "<p>(ومع: 25 نونبر 2025)</p></div></div></div>"
)


def test_profile_selector_reads_the_visible_date() -> None:
    found = find(page(SAHARA_ARTICLE), tz=CASABLANCA, text_selector=".jeg_meta_date a")
    assert found.source == "profile"
    assert found.published is not None
    assert found.published.isoformat() == "2025-11-25T00:00:00+01:00"
    assert found.raw == "25 نوفمبر 2025"


def test_a_day_without_time_is_completed_by_a_same_day_timestamp() -> None:
    html = page(
        SAHARA_ARTICLE,
        jsonld=[{"@type": "NewsArticle", "datePublished": "2025-11-25T10:15:00"}],
    )
    found = find(html, tz=CASABLANCA, text_selector=".jeg_meta_date a")
    assert found.published is not None
    assert found.published.isoformat() == "2025-11-25T10:15:00+01:00"
    assert found.source == "jsonld"


def test_profile_relative_date_needs_now() -> None:
    html = page(
        '<h1 class="jeg_post_title">عنوان المقال هنا</h1>'
        '<div class="jeg_meta_date"><a href="#">منذ ساعتين</a></div>'
    )
    now = datetime(2025, 11, 25, 11, 0, tzinfo=UTC)
    found = find(html, tz=CASABLANCA, now=now, text_selector=".jeg_meta_date a")
    assert found.source == "profile"
    assert found.published == now - timedelta(hours=2)
    assert find(html, tz=CASABLANCA, text_selector=".jeg_meta_date a").published is None


def test_a_bad_profile_selector_is_ignored() -> None:
    found = find(page(ARTICLE), text_selector="div[[[")
    assert found.published is None


# --------------------------------------------------------------------------- visible text


def test_byline_text_near_the_headline() -> None:
    html = page(
        "<main><h1>Le tramway prolongé jusqu'à la gare</h1>"
        '<p class="byline">Par la rédaction – Publié le mardi 25 novembre 2025 à 10h30</p>'
        "<p>Les travaux commenceront au printemps.</p></main>"
    )
    found = find(html)
    assert found.published == datetime(2025, 11, 25, 10, 30)
    assert found.source == "text"


def test_a_date_line_just_above_the_headline() -> None:
    html = page(
        '<div class="content"><span class="kicker">Région</span><h3 class="subline">25.11.2025</h3>'
        "<h1>Neue Radwege für die Innenstadt</h1><p>Die Stadt baut aus.</p></div>"
    )
    assert find(html).published == datetime(2025, 11, 25)


def test_unclassed_date_paragraph_after_the_headline() -> None:
    html = page(
        "<div><h1>Illegale Einreisen an der Grenze nehmen zu</h1><p><em>10.11.2021</em></p>"
        '<ul><li><a class="Publication" href="/a.pdf">Nr. 34 vom 08. November 2021</a></li></ul>'
        "</div>"
    )
    assert find(html).published == datetime(2021, 11, 10)


def test_updated_text_alone_is_the_modified_date() -> None:
    html = page(
        "<article><h1>Horaires d'hiver des bibliothèques</h1>"
        '<p class="meta">Mis à jour le 26 novembre 2025</p><p>Texte.</p></article>'
    )
    found = find(html)
    assert found.published is None
    assert found.modified == datetime(2025, 11, 26)


def test_published_and_updated_in_one_line_are_kept_apart() -> None:
    html = page(
        "<article><h1>Storm closes the coastal road</h1>"
        '<div class="article-info">Published 3 March 2024, updated 5 March 2024</div></article>'
    )
    found = find(html)
    assert found.published == datetime(2024, 3, 3)
    assert found.modified == datetime(2024, 3, 5)


def test_teasers_sidebars_and_footer_do_not_date_the_article() -> None:
    html = page(
        '<header class="site-header"><span class="today">Mardi 25 novembre 2025</span></header>'
        + ARTICLE
        + '<aside class="sidebar"><ul>'
        '<li><span class="date">24.11.2025</span> Une autre histoire</li>'
        '<li><span class="date">23.11.2025</span> Encore une autre</li></ul></aside>'
        '<div class="related"><article><h3>Lire aussi</h3><span class="date">22.11.2025</span>'
        "</article></div>"
        "<footer>© 2023 Le Quotidien. Tous droits réservés.</footer>"
    )
    found = find(html)
    assert found.published is None
    assert find(html, url="https://example.org/2025/11/21/marche/").published == datetime(
        2025, 11, 21
    )


def test_copyright_years_are_never_dates() -> None:
    html = page("<h1>Une page sans date du tout</h1><p>Bienvenue.</p><footer>© 2019-2023</footer>")
    assert find(html).published is None


def test_first_date_of_the_text_is_the_last_resort() -> None:
    html = page(
        "<div><h1>Virtual wall for a robot vacuum</h1><p>Some introduction.</p>"
        "<p>14. Dezember 2015</p><p>More text about the build.</p></div>"
    )
    found = find(html)
    assert found.published == datetime(2015, 12, 14)
    assert found.source == "text"


def test_title_date() -> None:
    html = page(
        "<p>Texte.</p>",
        head=meta("og:title", "La perte des terres fertiles | Environnement | 23.05.2011"),
    )
    assert find(html).published == datetime(2011, 5, 23)


# --------------------------------------------------------------------------- URL


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/2025/11/25/slug/", datetime(2025, 11, 25)),
        ("https://example.org/news/2025-11-25-slug", datetime(2025, 11, 25)),
        ("https://example.org/20251125/slug.html", datetime(2025, 11, 25)),
        ("https://example.org/article?date=2025-11-25&id=4", datetime(2025, 11, 25)),
        ("https://example.org/2025/11/slug/", None),
        ("https://example.org/item/12345678/", None),
        ("https://example.org/2025/13/45/slug/", None),
    ],
)
def test_url_dates(url: str, expected: datetime | None) -> None:
    found = find(page("<p>Texte.</p>"), url=url)
    assert found.published == expected
    if expected is not None:
        assert found.source == "url"


# --------------------------------------------------------------------------- now


def test_future_dates_are_discarded() -> None:
    html = page(
        ARTICLE,
        head=meta("article:published_time", "2030-01-01T10:00:00+01:00"),
        jsonld=[{"@type": "NewsArticle", "datePublished": "2025-11-25T10:15:00+01:00"}],
    )
    now = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    found = find(html, now=now)
    assert found.published == datetime(2025, 11, 25, 10, 15, tzinfo=_plus(1))
    assert found.source == "jsonld"


def test_modified_never_before_published() -> None:
    html = page(
        ARTICLE,
        head=meta("article:published_time", "2025-11-25T10:15:00+01:00")
        + meta("article:modified_time", "2025-11-20T10:15:00+01:00"),
    )
    found = find(html)
    assert found.published is not None and found.modified is None


def test_an_empty_page() -> None:
    assert find("") == FoundDates(None, None, None, None)
    assert find(page()) == FoundDates(None, None, None, None)


def _plus(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


_FRAGMENTS = [
    "<h1>Titre de l'article</h1>",
    "<article>",
    "</article>",
    '<div class="date">',
    "</div>",
    '<aside class="sidebar">',
    "</aside>",
    '<time datetime="2025-11-25T10:15:00+01:00">',
    "</time>",
    "25 نوفمبر 2025",
    "منذ ساعتين",
    "© 2023",
    "2025-13-45",
    "<footer>",
    '<meta property="article:published_time" content="garbage">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": 5}</script>',
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=20), max_size=25))
def test_any_markup_gives_an_answer_without_raising(parts: list[str]) -> None:
    now = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    found = find("".join(parts), url="https://example.org/x", now=now, tz=CASABLANCA)
    if found.published is not None:
        assert found.source in {"meta", "jsonld", "time", "text", "url", "profile"}
        assert found.published <= now + timedelta(days=1)


def test_a_date_line_with_a_two_digit_year_under_the_headline() -> None:
    body = (
        '<article><h3 class="title">Das Hotel öffnet noch einmal</h3>'
        '<div class="line">Do 25.04.24 | 14:07 Uhr | Von Eva Muster</div>'
        "<p>Ein Theaterstück bringt das alte Hotel für drei Abende zurück in die Stadt.</p>"
        "</article>"
    )
    found = find(page(body, head="<title>Das Hotel öffnet noch einmal</title>"))
    assert found.published == datetime(2024, 4, 25, 14, 7)
    assert found.source == "text"
