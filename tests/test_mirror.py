"""The sahara.ma mirror: markup, URLs, HTTP behaviour, discovery endpoints and the truth file.

Every test talks to a real server on 127.0.0.1 through httpx; servers stop in teardown.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.mirror import default_site, site_root
from scraper.mirror.server import MirrorServer
from scraper.mirror.site import EDITIONS, Site
from scraper.mirror.truth import default_path, truth_text

pytestmark = pytest.mark.network

SEED_TEXT = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_903b7f0a23dd6a6d.txt"
SEED_ID = 1001
LOWER_ESCAPE = re.compile(r"%(?:[a-f][0-9a-f]|[0-9][a-f])")
UPPER_ESCAPE = re.compile(r"%(?:[A-F][0-9A-F]|[0-9][A-F])")


@pytest.fixture(scope="module")
def site() -> Site:
    return default_site()


@pytest.fixture(scope="module")
def server(site: Site) -> Iterator[MirrorServer]:
    with MirrorServer(site) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: MirrorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"User-Agent": "mirror-test/1"}) as c:
        yield c


def parse(response: httpx.Response) -> LexborHTMLParser:
    assert response.headers["content-type"] == "text/html; charset=UTF-8"
    return LexborHTMLParser(response.text)


def decoded_path(url: str) -> str:
    return unquote(urlsplit(url).path)


# -- visible text, the way the seed file was made: blocks on their own lines, img alt shown --

_BLOCKS = {"div", "p", "h1", "h2", "h3", "h4", "li", "ul", "section", "article", "form", "br"}
_HIDDEN = {"head", "script", "style", "title", "noscript"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "img" and not self.hidden:
            self.parts.append(f"\n{dict(attrs).get('alt') or ''}\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_lines(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    lines = "".join(parser.parts).split("\n")
    return [re.sub(r"\s+", " ", line).strip() for line in lines if line.strip()]


def seed_lines() -> list[str]:
    text = SEED_TEXT.read_text(encoding="utf-8")
    return [line.strip().lstrip("•").strip() for line in text.splitlines() if line.strip()]


# -- the seed article ---------------------------------------------------------------------------


def test_seed_page_title_body_and_inline_box(client: httpx.Client, site: Site) -> None:
    seed = site.get(SEED_ID)
    assert seed is not None
    response = client.get(seed.path())
    assert response.status_code == 200
    tree = parse(response)
    assert tree.css_first("h1.jeg_post_title").text() == seed.title
    assert tree.css_first("title").text() == f"{seed.title} - sahara.ma"
    inner = tree.css_first(".entry-content .content-inner")
    paragraphs = [p.text() for p in inner.css("p")]
    assert paragraphs == seed.paragraphs
    assert len(paragraphs) == 11
    children = [
        "box" if "jnews_inline_related_post_wrapper" in (c.attributes.get("class") or "") else c.tag
        for c in inner.iter()
    ]
    assert children.index("box") == 2  # right after the second paragraph
    assert children[:2] == ["p", "p"]
    box = inner.css_first(".jnews_inline_related_post_wrapper")
    assert "You might also like" in box.text()
    assert len(box.css("h3.jeg_post_title a")) == 2
    assert inner.css_first(".jeg_ad") is not None


def test_seed_page_matches_seed_text(client: httpx.Client, site: Site) -> None:
    if not SEED_TEXT.exists():
        pytest.skip("shared seed text not present")
    seed = site.get(SEED_ID)
    assert seed is not None
    page = visible_lines(client.get(seed.path()).text)
    position = 0
    for line in seed_lines():  # every seed line appears, in the seed's order
        assert line in page[position:], f"missing or out of order: {line!r}"
        position = page.index(line, position) + 1


def test_article_selectors_and_head(client: httpx.Client, site: Site, server: MirrorServer) -> None:
    seed = site.get(SEED_ID)
    assert seed is not None
    response = client.get(seed.path())
    tree = parse(response)
    base = server.base_url
    html = response.text
    assert html.startswith("<!doctype html>")
    assert '<html lang="ar" dir="rtl">' in html
    assert tree.css_first("time") is None
    assert 'property="article:published_time"' not in html
    assert tree.css_first(".jeg_meta_date a").text() == "25 نوفمبر 2025"
    assert [a.text() for a in tree.css('.jeg_meta_category a[rel="category tag"]')] == [
        "اقتصاد",
        "مجتمع",
    ]
    assert tree.css_first(".jeg_meta_author") is None  # no author in the data
    assert tree.css_first("h2.jeg_post_subtitle") is None
    assert tree.css_first(".jeg_post_tags") is None
    image = tree.css_first(".jeg_featured img")
    assert image.attributes["src"] == f"{base}/wp-content/uploads/{seed.image_file}"
    assert image.attributes["alt"] == "Guelmim"
    labels = [s.text() for s in tree.css(".jeg_share_button .jeg_sharelist a span")]
    assert labels == ["Share on Facebook", "Share on X", "Share on whatsapp", "Share on linkedin"]
    canonical = tree.css_first('link[rel="canonical"]').attributes["href"]
    assert canonical == base + seed.path()
    assert LOWER_ESCAPE.search(canonical) and not UPPER_ESCAPE.search(canonical)
    assert tree.css_first('meta[property="og:type"]').attributes["content"] == "article"
    assert tree.css_first('meta[property="og:locale"]').attributes["content"] == "ar_AR"
    assert tree.css_first('link[rel="https://api.w.org/"]') is not None
    assert tree.css_first('link[rel="alternate"][type="application/rss+xml"]') is not None
    ld = [json.loads(s.text()) for s in tree.css('script[type="application/ld+json"]')]
    news = next(d for d in ld if d["@type"] == "NewsArticle")
    assert news["datePublished"] == "2025-11-25T10:15:00"
    assert news["headline"] == seed.title
    assert news["articleSection"] == ["اقتصاد", "مجتمع"]
    assert news["image"]["url"] == image.attributes["src"]
    crumbs = next(d for d in ld if d["@type"] == "BreadcrumbList")
    assert [i["item"]["name"] for i in crumbs["itemListElement"]][1:] == ["اقتصاد", seed.title]
    assert tree.css_first("#breadcrumbs").text().strip() == f"» اقتصاد » {seed.title}"
    # after the body: next only (the seed is the oldest Arabic post), related, popup
    _, nxt = site.prev_next(seed)
    assert nxt is not None
    assert tree.css_first(".jnews_prev_next_container a.prev-post") is None
    next_link = tree.css_first(".jnews_prev_next_container a.next-post").attributes["href"]
    assert next_link == base + nxt.path()
    related = tree.css(".jnews_related_post_container h3.jeg_post_title a")
    assert [a.text() for a in related] == [a.title for a in site.related(seed)]
    assert tree.css_first(".jeg_popup_post h3.post-title a").text() == nxt.title
    menu = [a.text() for a in tree.css("ul.jeg_menu.jeg_main_menu")[0].css("li > a")]
    assert menu == ["الرئيسية", *(name for name, _ in EDITIONS["ar"].categories)]
    switch = {a.attributes["hreflang"]: a.text() for a in tree.css("li.lang-item a[hreflang]")}
    assert switch == {"fr-FR": "Français", "en-US": "English", "es-ES": "Español"}


def test_article_with_author_subtitle_tags(client: httpx.Client, site: Site) -> None:
    article = next(a for a in site if a.author and a.subtitle and a.tags)
    tree = parse(client.get(article.path()))
    assert tree.css_first("h2.jeg_post_subtitle").text() == article.subtitle
    author = tree.css_first(".jeg_meta_author")
    assert author.css_first("a").text() == article.author
    assert author.text().strip().startswith("by")
    tags = [a.text() for a in tree.css(".entry-content .content-inner .jeg_post_tags a[rel=tag]")]
    assert tags == article.tags
    assert tree.css_first(".jnews_author_box_container .jeg_author_name a").text() == article.author


def test_edition_article_and_translation_links(client: httpx.Client, site: Site) -> None:
    article = next(a for a in site if a.lang == "fr" and a.translations)
    response = client.get(article.path())
    tree = parse(response)
    assert '<html lang="fr-FR">' in response.text
    assert tree.css_first(".jeg_meta_date a").text() == EDITIONS["fr"].format_date(
        article.published
    )
    alternates = {
        link.attributes["hreflang"]: decoded_path(link.attributes["href"])
        for link in tree.css('link[rel="alternate"][hreflang]')
    }
    for lang, other_id in article.translations.items():
        other = site.get(other_id)
        assert other is not None
        assert alternates[EDITIONS[lang].locale] == unquote(other.path())
        switch = tree.css_first(f'li.lang-item-{lang} a[hreflang="{EDITIONS[lang].locale}"]')
        assert decoded_path(switch.attributes["href"]) == unquote(other.path())


def test_visible_date_formats() -> None:
    from datetime import datetime

    when = datetime(2025, 11, 25, 10, 15)
    assert EDITIONS["ar"].format_date(when) == "25 نوفمبر 2025"
    assert EDITIONS["fr"].format_date(when) == "25 novembre 2025"
    assert EDITIONS["en"].format_date(when) == "November 25, 2025"
    assert EDITIONS["es"].format_date(when) == "25 noviembre, 2025"


# -- listings -----------------------------------------------------------------------------------


def test_listing_pagination(client: httpx.Client, site: Site) -> None:
    name, count = max(
        ((c, len(site.in_category("ar", c))) for c in site.categories("ar")),
        key=lambda pair: pair[1],
    )
    assert count > 6
    first = client.get(f"/ar/category/{name}/")
    tree = parse(first)
    cards = tree.css("article.jeg_post h3.jeg_post_title a")
    assert [a.text() for a in cards] == [a.title for a in site.in_category("ar", name)[:6]]
    next_link = tree.css_first(".jeg_pagination a.page_nav.next").attributes["href"]
    assert decoded_path(next_link) == f"/ar/category/{name}/page/2/"
    assert tree.css_first(".jeg_pagination a.page_nav.prev") is None
    second = parse(client.get(next_link))
    assert second.css_first(".jeg_pagination a.page_nav.prev") is not None
    pages = -(-count // 6)
    last = parse(client.get(f"/ar/category/{name}/page/{pages}/"))
    assert last.css_first(".jeg_pagination a.page_nav.next") is None
    assert client.get(f"/ar/category/{name}/page/{pages + 1}/").status_code == 404
    one = client.get(f"/ar/category/{name}/page/1/")
    assert one.status_code == 301


def _crawl_listings(client: httpx.Client, start: str) -> set[str]:
    """Article paths (decoded) found on every section listing reachable from an edition home."""
    home = parse(client.get(start))
    sections = [a.attributes["href"] for a in home.css(".jeg_main_menu > li > a")][1:]
    found: set[str] = set()
    for url in dict.fromkeys(sections):
        while url:
            tree = parse(client.get(url))
            found |= {
                decoded_path(a.attributes["href"])
                for a in tree.css("article.jeg_post h3.jeg_post_title a")
            }
            nxt = tree.css_first(".jeg_pagination a.page_nav.next")
            url = nxt.attributes["href"] if nxt else ""
    return found


def test_every_article_reachable_from_listings(client: httpx.Client, site: Site) -> None:
    found: set[str] = set()
    for lang in EDITIONS:
        found |= _crawl_listings(client, f"/{lang}/")
    assert {unquote(a.path()) for a in site} <= found


def test_listing_hrefs_use_both_escape_cases(client: httpx.Client, site: Site) -> None:
    name = max(site.categories("ar"), key=lambda c: len(site.in_category("ar", c)))
    hrefs = [
        a.attributes["href"]
        for page in (1, 2)
        for a in parse(client.get(f"/ar/category/{name}/page/{page}/", follow_redirects=True)).css(
            "article.jeg_post h3.jeg_post_title a"
        )
    ]
    assert any(LOWER_ESCAPE.search(h) for h in hrefs)
    assert any(UPPER_ESCAPE.search(h) for h in hrefs)


def test_tag_and_author_archives(client: httpx.Client, site: Site) -> None:
    article = next(a for a in site if a.tags and a.author)
    tree = parse(client.get(article.path()))
    tag_url = tree.css_first(".jeg_post_tags a[rel=tag]").attributes["href"]
    listing = parse(client.get(tag_url))
    titles = [a.text() for a in listing.css("article.jeg_post h3.jeg_post_title a")]
    assert article.title in titles or len(site.with_tag(article.lang, article.tags[0])) > 6
    author_url = tree.css_first(".jeg_meta_author a").attributes["href"]
    assert client.get(author_url).status_code == 200


# -- URL forms and HTTP behaviour ---------------------------------------------------------------


def test_root_redirects_and_homes(client: httpx.Client, server: MirrorServer) -> None:
    root = client.get("/")
    assert root.status_code == 302
    assert root.headers["location"] == f"{server.base_url}/ar/"
    for lang in EDITIONS:
        tree = parse(client.get(f"/{lang}/"))
        assert tree.css_first('meta[property="og:type"]').attributes["content"] == "website"
        assert tree.css("article.jeg_post h3.jeg_post_title a")


def test_escape_case_variants_and_slashless(client: httpx.Client, site: Site) -> None:
    seed = site.get(SEED_ID)
    assert seed is not None
    lower = client.get(seed.path())
    upper = client.get(seed.path(upper=True))
    assert upper.status_code == 200
    assert upper.text == lower.text
    slashless = client.get(seed.path(upper=True)[:-1])
    assert slashless.status_code == 301
    assert slashless.headers["location"].endswith(seed.path(upper=True))
    followed = client.get(seed.path()[:-1], follow_redirects=True)
    assert followed.status_code == 200 and followed.text == lower.text
    raw_unicode = client.get(f"/ar/{seed.slug}/")
    assert raw_unicode.status_code == 200
    category = client.get("/ar/category/%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF")
    assert category.status_code == 301
    assert category.headers["location"].endswith(
        "/ar/category/%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF/"
    )


def test_not_found_in_theme_markup(client: httpx.Client) -> None:
    for path in ("/ar/no-such-post/", "/xx/", "/ar/category/none/", "/ar/no-such-post"):
        response = client.get(path)
        assert response.status_code == 404
        assert parse(response).css_first("h1.jeg_archive_title").text() == "Page Not Found"


def test_images_are_jpeg(client: httpx.Client, site: Site) -> None:
    seed = site.get(SEED_ID)
    assert seed is not None and seed.image_path
    full = client.get(seed.image_path)
    assert full.status_code == 200
    assert full.headers["content-type"] == "image/jpeg"
    assert full.content.startswith(b"\xff\xd8") and full.content.endswith(b"\xff\xd9")
    thumb = seed.image_path.replace(".jpg", "-120x86.jpg")
    assert client.get(thumb).status_code == 200
    assert client.get("/wp-content/uploads/none.jpg").status_code == 404


def test_conditional_get(client: httpx.Client, site: Site) -> None:
    seed = site.get(SEED_ID)
    assert seed is not None
    first = client.get(seed.path())
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert int(first.headers["content-length"]) == len(first.content)
    again = client.get(seed.path(), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = client.get(seed.path(), headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = client.get(seed.path(), headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200
    head = client.head(seed.path())
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == first.headers["content-length"]


def test_links_follow_host_header(client: httpx.Client, site: Site) -> None:
    seed = site.get(SEED_ID)
    assert seed is not None
    tree = parse(client.get(seed.path(), headers={"Host": "sahara.test:8080"}))
    canonical = tree.css_first('link[rel="canonical"]').attributes["href"]
    assert canonical == "http://sahara.test:8080" + seed.path()


def test_request_log(server: MirrorServer, client: httpx.Client) -> None:
    client.get("/robots.txt", headers={"User-Agent": "log-check/2"})
    record = server.requests[-1]
    assert (record.method, record.path, record.status, record.user_agent) == (
        "GET",
        "/robots.txt",
        200,
        "log-check/2",
    )


def test_edit_changes_page_and_validators() -> None:
    site = default_site()
    with MirrorServer(site) as srv, httpx.Client(base_url=srv.base_url) as c:
        seed = site.get(SEED_ID)
        assert seed is not None
        before = c.get(seed.path())
        etag = before.headers["etag"]
        edited = site.edit(SEED_ID, title="عنوان معدل", paragraphs=[*seed.paragraphs, "فقرة."])
        after = c.get(seed.path())
        assert after.status_code == 200
        assert parse(after).css_first("h1.jeg_post_title").text() == "عنوان معدل"
        assert c.get(seed.path(), headers={"If-None-Match": etag}).status_code == 200
        old = parsedate_to_datetime(before.headers["last-modified"])
        new = parsedate_to_datetime(after.headers["last-modified"])
        assert new > old
        assert edited.modified is not None and edited.modified > seed.published
        added = site.add(
            {
                "id": 9999,
                "lang": "ar",
                "slug": "خبر-جديد",
                "title": "خبر جديد",
                "published": "2026-04-01T08:00:00",
                "categories": ["سياسة"],
                "paragraphs": ["نص."],
                "image": {"file": "2026/04/new.jpg", "alt": "new"},
            }
        )
        assert c.get(added.path()).status_code == 200
        listing = parse(c.get("/ar/category/سياسة/"))
        first = listing.css_first("article.jeg_post h3.jeg_post_title a")
        assert first.text() == "خبر جديد"


# -- discovery endpoints ------------------------------------------------------------------------

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_robots(client: httpx.Client, server: MirrorServer) -> None:
    text = client.get("/robots.txt").text
    assert "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php" in text
    assert f"Sitemap: {server.base_url}/wp-sitemap.xml" in text


def test_sitemaps_cover_every_post(client: httpx.Client, site: Site) -> None:
    index = ET.fromstring(client.get("/wp-sitemap.xml").content)
    maps = [loc.text or "" for loc in index.iter(f"{SITEMAP}loc")]
    assert any("wp-sitemap-taxonomies-category-1.xml" in m for m in maps)
    posts: dict[str, str] = {}
    for url in maps:
        if "posts-post" not in url:
            continue
        root = ET.fromstring(client.get(url).content)
        for entry in root.iter(f"{SITEMAP}url"):
            loc = entry.findtext(f"{SITEMAP}loc") or ""
            posts[urlsplit(loc).path] = entry.findtext(f"{SITEMAP}lastmod") or ""
    assert set(posts) == {a.path() for a in site}
    assert posts[site.get(SEED_ID).path()] == "2025-11-25T09:15:00+00:00"  # type: ignore[union-attr]


def test_feeds(client: httpx.Client, site: Site) -> None:
    response = client.get("/ar/feed/")
    assert response.headers["content-type"].startswith("application/rss+xml")
    items = ET.fromstring(response.content).findall("./channel/item")
    assert len(items) == 10
    newest = site.newest("ar")[0]
    assert items[0].findtext("title") == newest.title
    assert (items[0].findtext("pubDate") or "").endswith("+0000")
    category = client.get("/fr/category/economie/feed/")
    assert category.status_code == 200
    titles = [i.findtext("title") for i in ET.fromstring(category.content).iter("item")]
    assert titles == [a.title for a in site.in_category("fr", "Économie")][:10]


def test_rest_posts(client: httpx.Client, site: Site) -> None:
    response = client.get("/wp-json/wp/v2/posts", params={"per_page": 5, "page": 2, "lang": "ar"})
    assert response.status_code == 200
    total = len(site.newest("ar"))
    assert response.headers["x-wp-total"] == str(total)
    assert response.headers["x-wp-totalpages"] == str(-(-total // 5))
    posts = response.json()
    assert [p["id"] for p in posts] == [a.id for a in site.newest("ar")[5:10]]
    seed_json = client.get(f"/wp-json/wp/v2/posts/{SEED_ID}").json()
    assert seed_json["date"] == "2025-11-25T10:15:00"
    assert seed_json["date_gmt"] == "2025-11-25T09:15:00"
    assert seed_json["title"]["rendered"].startswith("تدشين")
    assert seed_json["content"]["rendered"].count("<p>") == 11
    categories = {c["id"]: c["name"] for c in client.get("/wp-json/wp/v2/categories").json()}
    assert [categories[i] for i in seed_json["categories"]] == ["اقتصاد", "مجتمع"]
    too_far = client.get("/wp-json/wp/v2/posts", params={"per_page": 100, "page": 2, "lang": "ar"})
    assert too_far.status_code == 400
    tags = client.get("/wp-json/wp/v2/tags", params={"per_page": 100})
    assert tags.status_code == 200 and int(tags.headers["x-wp-total"]) > 0


def test_head_discovery_links(client: httpx.Client) -> None:
    tree = parse(client.get("/ar/"))
    feed = tree.css_first('link[rel="alternate"][type="application/rss+xml"]').attributes["href"]
    assert client.get(feed).status_code == 200
    api = tree.css_first('link[rel="https://api.w.org/"]').attributes["href"]
    assert client.get(urljoin(api, "wp/v2/posts")).status_code == 200


# -- truth ----------------------------------------------------------------------------------------


def test_truth_file_is_current() -> None:
    assert default_path() == site_root() / "truth.jsonl"
    assert default_path().read_text(encoding="utf-8") == truth_text(default_site())


def test_truth_records(site: Site) -> None:
    records = {
        r["id"]: r for r in map(json.loads, default_path().read_text(encoding="utf-8").splitlines())
    }
    assert sorted(records) == [a.id for a in site]
    seed = records[SEED_ID]
    assert seed["published_at"] == "2025-11-25T10:15:00+01:00"
    assert seed["body"].count("\n\n") == 10
    assert seed["prev_path"] is None and seed["next_path"]
    assert seed["image"].startswith("/wp-content/uploads/")
    assert len(seed["related"]) == len({r["path"] for r in seed["related"]})
    ramadan = [r for r in records.values() if r["published_at"].startswith("2026-03-0")]
    assert ramadan and all(r["published_at"].endswith("+00:00") for r in ramadan)
