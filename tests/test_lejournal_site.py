"""The second fixture site (Le Journal du Sud) serves what its README and truth file promise."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from tests.sites.lejournal import (
    DATA_PATH,
    TRUTH_PATH,
    LeJournalServer,
    LeJournalSite,
    dumps_truth,
    load_truth,
    slugify,
    truth_records,
)

pytestmark = pytest.mark.network

UA = "lejournal-test/1.0"


@pytest.fixture(scope="module")
def server() -> Iterator[LeJournalServer]:
    with LeJournalServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: LeJournalServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"User-Agent": UA}) as c:
        yield c


@pytest.fixture
def fresh() -> Iterator[tuple[LeJournalServer, httpx.Client]]:
    """A server of its own, for tests that change the site."""
    with (
        LeJournalServer() as srv,
        httpx.Client(base_url=srv.base_url, headers={"User-Agent": UA}) as c,
    ):
        yield srv, c


def parse(response: httpx.Response) -> LexborHTMLParser:
    return LexborHTMLParser(response.text)


def meta(tree: LexborHTMLParser, prop: str) -> str | None:
    node = tree.css_first(f'meta[property="{prop}"]')
    return node.attributes.get("content") if node else None


def jsonld_types(tree: LexborHTMLParser) -> list[str]:
    return [
        json.loads(node.text())["@type"] for node in tree.css('script[type="application/ld+json"]')
    ]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def walk(client: httpx.Client, start: str) -> tuple[list[str], int]:
    """Article paths of a listing, following rel=next; and the number of pages walked."""
    found: list[str] = []
    url: str | None = start
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        tree = parse(response)
        assert tree.css_first("nav.pager") is not None
        found += [a.attributes["href"] or "" for a in tree.css("article.teaser h2 a")]
        nxt = tree.css_first('nav.pager a[rel="next"]')
        url = path_of(urljoin(str(response.url), nxt.attributes["href"] or "")) if nxt else None
        pages += 1
        assert pages < 50
    return found, pages


# ---------------------------------------------------------------------------------- data


def test_data_has_thirty_varied_articles() -> None:
    site = LeJournalSite()
    stories = site.stories()
    assert len(stories) == 30
    assert len({s.slug for s in stories}) == len({s.path for s in stories}) == 30
    assert all(4 <= len(s.paragraphs) <= 8 for s in stories)
    assert sum(s.structured == "jsonld" for s in stories) == 15
    assert {s.structured for s in stories} == {"jsonld", "meta", "time"}
    assert sum(len(s.sections) == 2 for s in stories) >= 5
    assert any(len(s.authors) == 2 for s in stories)
    assert {s.published.utcoffset().total_seconds() for s in stories} == {3600, 7200}  # type: ignore[union-attr]
    assert {sec.slug for sec in site.sections} == {
        "region", "politique", "economie", "sports", "culture"
    }  # fmt: skip


def test_committed_truth_equals_regenerated() -> None:
    regenerated = truth_records()
    assert load_truth() == regenerated
    assert TRUTH_PATH.read_text(encoding="utf-8") == dumps_truth(regenerated)
    raw = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    assert len(regenerated) == len(raw["articles"])
    first = regenerated[0]
    assert set(first) == {"path", "title", "published_at", "authors", "categories", "tags", "body"}
    assert first["published_at"].endswith(("+01:00", "+02:00"))


def test_slugify() -> None:
    assert slugify("Coupe d’Europe") == "coupe-d-europe"
    assert slugify("Économie") == "economie"
    assert slugify("Municipales 2026") == "municipales-2026"


# -------------------------------------------------------------------------------- server


def test_home_has_nav_of_five_sections(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    tree = parse(response)
    nav = [a.attributes["href"] for a in tree.css("header nav a")]
    assert nav == [
        f"/rubrique/{s}" for s in ("region", "politique", "economie", "sports", "culture")
    ]
    assert meta(tree, "og:type") == "website"
    assert jsonld_types(tree) == ["WebSite"]
    assert len(tree.css("main article.teaser")) == 5


def test_home_pagination_lists_every_article_once(client: httpx.Client) -> None:
    found, pages = walk(client, "/")
    assert pages == 6
    assert sorted(found) == sorted(r["path"] for r in load_truth())
    assert found[0] == "/2025/11/27/consultation-piscine-pezenas.html"  # newest first


@pytest.mark.parametrize("slug", ["region", "politique", "economie", "sports", "culture"])
def test_section_pagination(client: httpx.Client, slug: str) -> None:
    site = LeJournalSite()
    name = site.section(slug).name
    expected = [r["path"] for r in load_truth() if name in r["categories"]]
    found, pages = walk(client, f"/rubrique/{slug}")
    assert sorted(found) == sorted(expected)
    assert pages == -(-len(expected) // 5) >= 2
    assert client.get(f"/rubrique/{slug}?page={pages + 1}").status_code == 404
    assert client.get(f"/rubrique/{slug}?page=1").text == client.get(f"/rubrique/{slug}").text
    last = parse(client.get(f"/rubrique/{slug}?page={pages}"))
    assert last.css_first('a[rel="next"]') is None
    assert last.css_first('a[rel="prev"]') is not None


def test_articles_match_truth(client: httpx.Client) -> None:
    jsonld = 0
    for record in load_truth():
        response = client.get(record["path"])
        assert response.status_code == 200, record["path"]
        assert "etag" in response.headers and "last-modified" in response.headers
        tree = parse(response)
        article = tree.css_first("main article")
        assert article is not None
        assert meta(tree, "og:type") == "article"
        assert article.css_first("h1").text() == record["title"]
        assert [a.text() for a in article.css('p.byline a[rel="author"]')] == record["authors"]
        assert article.css_first("p.byline").text().startswith("Par ")
        stamp = article.css_first("time")
        assert stamp.attributes["datetime"] == record["published_at"]
        assert " à " in stamp.text()
        assert [a.text() for a in article.css('ul.tags a[rel="tag"]')] == record["tags"]
        paragraphs = [p.text() for p in article.css(".article-body > p")]
        assert "\n\n".join(paragraphs) == record["body"]
        aside = article.css_first(".article-body aside.a-lire-aussi")
        assert aside is not None and "À lire aussi" in aside.text()
        assert len(aside.css("a")) == 2
        assert article.css_first(".share-bar") is not None
        assert article.css_first("section.newsletter form") is not None
        types = jsonld_types(tree)
        if types:
            assert types == ["NewsArticle"]
            data = json.loads(tree.css_first('script[type="application/ld+json"]').text())
            assert data["datePublished"] == record["published_at"]
            assert data["headline"] == record["title"]
            jsonld += 1
    assert jsonld == 15


def test_meta_articles_carry_published_time(client: httpx.Client) -> None:
    site = LeJournalSite()
    for story in site.stories():
        tree = parse(client.get(story.path))
        published = meta(tree, "article:published_time")
        if story.structured == "meta":
            assert published == story.published.isoformat()
        else:
            assert published is None


def test_related_links_point_to_articles(client: httpx.Client) -> None:
    paths = {r["path"] for r in load_truth()}
    tree = parse(client.get("/2025/11/06/sete-pecheurs-prix-gazole.html"))
    links = [a.attributes["href"] for a in tree.css("aside.a-lire-aussi a")]
    assert len(links) == 2 and set(links) <= paths
    assert "/2025/11/06/sete-pecheurs-prix-gazole.html" not in links


@pytest.mark.parametrize(
    "path",
    [
        "/contact.html",
        "/mentions-legales.html",
        "/auteur/claire-fabre",
        "/auteur/mathieu-roux",
        "/tag/montpellier",
        "/tag/coupe-d-europe",
        "/recherche?q=tramway",
        "/recherche",
        "/agenda",
        "/agenda?mois=2025-11",
        "/agenda?mois=2031-02",
    ],
)
def test_utility_pages_are_not_articles(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    tree = parse(response)
    assert meta(tree, "og:type") == "website"
    assert "NewsArticle" not in jsonld_types(tree)
    assert tree.css_first("h1") is not None
    assert tree.css_first("header nav") is not None


def test_author_and_tag_pages_list_their_articles(client: httpx.Client) -> None:
    truth = load_truth()
    tree = parse(client.get("/auteur/antoine-vidal"))
    listed = {a.attributes["href"] for a in tree.css("article.teaser h2 a")}
    assert listed == {r["path"] for r in truth if "Antoine Vidal" in r["authors"]}
    found, pages = walk(client, "/tag/montpellier")
    assert sorted(found) == sorted(r["path"] for r in truth if "Montpellier" in r["tags"])
    assert pages >= 2


def test_search_finds_by_folded_words(client: httpx.Client) -> None:
    tree = parse(client.get("/recherche", params={"q": "Beziers"}))
    listed = [a.attributes["href"] for a in tree.css("article.teaser h2 a")]
    assert "/2025/11/03/beziers-urgences-regulation-nuit.html" in listed


def test_agenda_is_an_endless_calendar(client: httpx.Client) -> None:
    url = "/agenda?mois=2025-11"
    seen = set()
    for _ in range(30):
        response = client.get(url)
        assert response.status_code == 200
        seen.add(url)
        link = parse(response).css_first("a.mois-suivant")
        assert link is not None and "mois suivant" in link.text()
        url = link.attributes["href"] or ""
    assert len(seen) == 30
    assert url == "/agenda?mois=2028-05"
    back = parse(client.get("/agenda?mois=2025-01")).css_first("a.mois-precedent")
    assert back is not None and back.attributes["href"] == "/agenda?mois=2024-12"


@pytest.mark.parametrize(
    "path",
    [
        "/rss.xml",
        "/feed",
        "/sitemap.xml",
        "/sitemap_index.xml",
        "/wp-sitemap.xml",
        "/wp-json/wp/v2/posts",
        "/nope.html",
        "/2025/11/25/nope.html",
        "/2025/11/24/tramway-ligne-5-premiers-voyageurs.html",  # right slug, wrong date
        "/rubrique/faits-divers",
        "/rubrique/region?page=0",
        "/rubrique/region?page=abc",
        "/?page=99",
        "/auteur/inconnu",
        "/tag/inconnu",
        "/agenda?mois=2025-13",
        "/agenda?mois=novembre",
    ],
)
def test_not_found(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_trailing_slash_redirects(client: httpx.Client) -> None:
    response = client.get("/rubrique/region/?page=2")
    assert response.status_code == 301
    assert response.headers["location"] == "/rubrique/region?page=2"
    assert client.get("/feed/", follow_redirects=True).status_code == 404


def test_robots_txt_default(client: httpx.Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.text == "User-agent: *\nDisallow: /recherche\nCrawl-delay: 0\n"


def test_robots_txt_crawl_delay_is_configurable() -> None:
    with LeJournalServer(crawl_delay=0.3) as srv:
        text = httpx.get(srv.url("/robots.txt")).text
    assert text == "User-agent: *\nDisallow: /recherche\nCrawl-delay: 0.3\n"


def test_head_and_post(client: httpx.Client) -> None:
    head = client.head("/contact.html")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 1000
    assert client.post("/newsletter", data={"email": "a@b.c"}).status_code == 405


# ------------------------------------------------------------------ log and incremental


def test_request_log_is_complete_under_concurrency() -> None:
    with LeJournalServer() as srv:

        def fetch_many(n: int) -> None:
            with httpx.Client(base_url=srv.base_url, headers={"User-Agent": f"t{n}"}) as c:
                for _ in range(10):
                    c.get("/rubrique/sports")
                c.get("/missing")

        threads = [threading.Thread(target=fetch_many, args=(n,)) for n in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        log = srv.requests
        assert len(log) == 55
        assert {entry.user_agent for entry in log} == {f"t{n}" for n in range(5)}
        assert sum(entry.status == 404 for entry in log) == 5
        assert all(entry.method == "GET" for entry in log)
        assert [e.time for e in log] == sorted(e.time for e in log)
        _when, method, path, status, _agent = log[0]
        assert (method, path, status) == ("GET", "/rubrique/sports", 200)
        srv.clear_requests()
        assert srv.requests == []


def test_conditional_get_and_edit(fresh: tuple[LeJournalServer, httpx.Client]) -> None:
    srv, client = fresh
    path = "/2025/11/06/sete-pecheurs-prix-gazole.html"
    first = client.get(path)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304

    edited = srv.site.edit(path, title="À Sète, les pêcheurs restent à quai")
    assert edited.path == path and edited.modified is not None
    second = client.get(path, headers={"If-None-Match": etag})
    assert second.status_code == 200
    assert second.headers["etag"] != etag
    tree = parse(second)
    assert tree.css_first("h1").text() == "À Sète, les pêcheurs restent à quai"
    assert tree.css_first("time.updated") is not None
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 200
    record = next(r for r in srv.site.truth() if r["path"] == path)
    assert record["title"] == "À Sète, les pêcheurs restent à quai"
    assert [s.status for s in srv.requests][:3] == [200, 304, 304]

    with pytest.raises(TypeError):
        srv.site.edit(path, slug="other")


def test_add_and_remove(fresh: tuple[LeJournalServer, httpx.Client]) -> None:
    srv, client = fresh
    story = srv.site.add(
        {
            "slug": "greve-des-dockers-port-sete",
            "published": "2025-11-28T07:30",
            "sections": ["economie", "region"],
            "authors": ["nadia-benali"],
            "structured": "meta",
            "title": "Grève des dockers : le port de Sète tourne au ralenti",
            "tags": ["Sète", "Port"],
            "paragraphs": ["Premier paragraphe.", "Deuxième paragraphe.", "Troisième.", "Fin."],
        }
    )
    assert story.path == "/2025/11/28/greve-des-dockers-port-sete.html"
    assert story.published.isoformat() == "2025-11-28T07:30:00+01:00"
    first = parse(client.get("/")).css_first("article.teaser h2 a")
    assert first is not None and first.attributes["href"] == story.path
    found, _ = walk(client, "/rubrique/economie")
    assert found[0] == story.path
    assert client.get(story.path).status_code == 200
    assert len(srv.site.truth()) == 31
    assert client.get("/tag/port").status_code == 200

    with pytest.raises(ValueError):
        srv.site.add(story)
    srv.site.remove(story.slug)
    assert client.get(story.path).status_code == 404
    assert len(srv.site.truth()) == 30
