"""An article or not, from the page alone: the classifier on pages written for it, and its
use by backfill, ``scraper extract`` and a crawl without a profile."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper.extract import extract
from scraper.extract.pagekind import PAGE_KINDS, count_words, url_kind
from scraper.scale.backfill import backfill
from scraper.scale.batch import extract_files
from scraper.store import Store
from scraper.warc import WarcWriter

from .conftest import crawl_mirror
from .faultserver import FaultServer
from .sites.dailyexample import build, paragraph, shell, teaser
from .warc_samples import T0, response

BASE = "https://daily.example"


@pytest.fixture(scope="module")
def site():
    return build()


def kind(html: str, path: str = "/x") -> str:
    article = extract(html, BASE + path)
    assert article.page_kind in PAGE_KINDS
    assert article.is_article == (article.page_kind == "article")
    return article.page_kind


def test_every_article_of_the_site_is_an_article(site) -> None:
    # Briefs, wrapped paragraphs, <br> text, big "more stories" blocks, JSON-LD or not.
    kinds = {path: kind(site.pages[path], path) for path in site.articles}
    assert set(kinds.values()) == {"article"}, kinds


def test_no_other_page_of_the_site_is_kept_though_all_claim_og_article(site) -> None:
    assert all('content="article"' in site.pages[p] for p in site.others)
    kinds = {path: kind(site.pages[path], path) for path in site.others}
    assert kinds == site.others


def test_structured_data_names_listings_profiles_and_galleries() -> None:
    import random

    rng = random.Random(1)
    cards = "".join(teaser(n, rng) for n in range(4))

    def page(data: dict, main: str) -> str:
        return shell(
            "Page", main, head=f'<script type="application/ld+json">{json.dumps(data)}</script>'
        )

    assert kind(page({"@type": "CollectionPage"}, cards)) == "listing"
    assert kind(page({"@type": "ProfilePage"}, f"<p>{paragraph(rng, 40)}</p>{cards}")) == "author"
    gallery = "".join(f'<img src="/{k}.jpg">' for k in range(5))
    assert kind(page({"@type": "ImageGallery"}, gallery)) == "gallery"
    # A listing declaring each teaser a NewsArticle is still a listing.
    items = [{"@type": "NewsArticle", "headline": f"Story {k}", "url": f"/s/{k}"} for k in range(5)]
    assert kind(page({"@graph": items}, cards)) == "listing"
    # ...while one NewsArticle with its own prose is an article, teasers or not.
    story = f"<article><h1>One story</h1><p>{paragraph(rng, 90)}</p><p>{paragraph(rng, 90)}</p>"
    assert kind(page({"@type": "NewsArticle", "headline": "One story"}, story + cards)) == "article"


def test_error_pages_in_several_languages_are_errors_not_stories_about_404() -> None:
    for title in ("Seite nicht gefunden", "Error 404", "Page introuvable", "404 – Not Found"):
        html = shell(title, f"<h1>{title}</h1><p>Try the search or the home page.</p>")
        assert kind(html) == "error", title
    import random

    rng = random.Random(2)
    story = "".join(f"<p>{paragraph(rng, 60)}</p>" for _ in range(4))
    html = shell("Why 404 pages matter", f"<article><h1>Why 404 pages matter</h1>{story}</article>")
    assert kind(html) == "article"


def test_an_article_in_a_script_without_spaces_is_an_article() -> None:
    sentence = "東京都は十日、新しい橋の建設計画を発表した。工事は来年の春に始まる予定だ。"
    body = "".join(f"<p>{sentence * 2}</p>" for _ in range(5))
    html = (
        '<html lang="ja"><head><title>新しい橋</title><meta property="og:type" content="article">'
        '</head><body><article><h1>新しい橋の計画</h1><time datetime="2025-03-10">3月10日</time>'
        f"{body}</article></body></html>"
    )
    assert count_words(sentence) > 15
    assert kind(html) == "article"


def test_url_paths_that_name_listings() -> None:
    assert url_kind("https://a.example/") == "home"
    assert url_kind("https://a.example/de/") == "home"
    assert url_kind("https://a.example/tag/hafen") == "tag"
    assert url_kind("https://a.example/autor/anna-berg/") == "author"
    assert url_kind("https://a.example/news/page/3") == "listing"
    assert url_kind("https://a.example/news?page=2") == "listing"
    assert url_kind("https://a.example/2025/10/01/the-tag-line-story.html") is None
    assert url_kind("https://a.example/news/topics/a/b/c/story-123.html") is None
    assert url_kind(None) is None


def _warc(site, folder: Path) -> Path:
    with WarcWriter(folder, prefix="daily", info={"robots": "obey"}) as w:
        for n, (path, html) in enumerate(site.pages.items()):
            w.write(response(w, BASE + path, html.encode(), T0 + timedelta(minutes=n)))
    return w.files[0]


def test_a_backfill_stores_only_the_articles_and_counts_the_rest(site, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    summary = backfill([_warc(site, tmp_path)], db)
    assert summary.status == "ok"
    with Store(db) as store:
        paths = {urlsplit(r["url"]).path for r in store.records()}
    assert paths == set(site.articles)
    assert summary.kept == summary.new == len(site.articles)
    assert summary.not_articles == len(site.others) == 10
    want: dict[str, int] = {}
    for k in site.others.values():
        want[k] = want.get(k, 0) + 1
    assert summary.page_kinds == want
    assert summary.skipped == {"warcinfo record": 1}
    assert summary.kept + summary.not_articles == summary.responses == len(site.pages)


def test_the_backfill_command_says_how_many_pages_were_no_article(site, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scraper.cli import main

    warc = _warc(site, tmp_path)
    result = CliRunner().invoke(main, ["backfill", str(warc), "--db", str(tmp_path / "b.db")])
    assert result.exit_code == 0, result.output
    assert "12 articles kept" in result.output and "10 not an article" in result.output
    again = CliRunner().invoke(
        main, ["backfill", str(warc), "--db", str(tmp_path / "c.db"), "--json"]
    )
    data = json.loads(again.output)
    assert data["not_articles"] == 10 and sum(data["page_kinds"].values()) == 10


def test_batch_extraction_leaves_out_and_counts_what_is_no_article(site, tmp_path: Path) -> None:
    files = []
    for n, path in enumerate(["/", "/politics/", site.articles[1], "/about"]):
        file = tmp_path / f"p{n}.html"
        file.write_text(site.pages[path], encoding="utf-8")
        files.append(file)
    out = io.StringIO()
    summary = extract_files(files, out)
    assert (summary.files, summary.articles, summary.not_articles) == (4, 1, 3)
    # Without a URL the home page is known by its layout only: a listing.
    assert summary.page_kinds == {"listing": 2, "error": 1}
    assert [json.loads(line)["source"] for line in out.getvalue().splitlines()] == [str(files[2])]
    everything = io.StringIO()
    extract_files(files, everything, all_pages=True)
    lines = [json.loads(line) for line in everything.getvalue().splitlines()]
    assert [line["page_kind"] for line in lines] == ["listing", "listing", "article", "error"]


def test_a_crawl_without_profile_archives_only_the_articles(site, tmp_path: Path) -> None:
    db = tmp_path / "crawl.db"
    with FaultServer(site.pages) as server:
        summary = crawl_mirror(server.base_url + "/", db, profile=None)
        fetched = {e.path for e in server.log if e.status == 200}
    with Store(db) as store:
        paths = {urlsplit(r["url"]).path for r in store.records()}
    assert summary.errors == 0
    assert paths == set(site.articles)
    assert summary.articles_new == len(site.articles)
    # The home page's teasers lead to a gallery, a soft 404 and a tag page: fetched as
    # article candidates, counted as no article, never stored.
    assert {"/gallery/storm", "/about", "/tag/harbour"} <= fetched
    assert summary.not_articles == 3
    assert summary.requests_by_kind["article"] == len(site.articles) + 3
    assert summary.pages_fetched == sum(summary.requests_by_kind.values())
    from scraper.cli.crawl import summary_line

    assert ", 3 not an article" in summary_line(summary)


def test_a_legal_notice_is_no_article_however_long() -> None:
    import random

    rng = random.Random(5)
    text = "".join(f"<p>{paragraph(rng, 70)}</p>" for _ in range(4))
    legal = (
        '<html><head><title>Legal notice</title><meta property="og:type" content="website">'
        f"</head><body><main><h1>Legal notice</h1>{text}</main></body></html>"
    )
    assert kind(legal, "/legal-notice.html") == "other"
    assert kind(legal, "/de/impressum") == "other"
    # An article about privacy is an article (only a whole utility slug names such a page).
    assert kind(legal, "/2025/03/01/new-privacy-rules-for-apps.html") == "article"


def test_a_dated_brief_declared_in_json_ld_is_an_article_at_any_address() -> None:
    import random

    rng = random.Random(6)
    data = {"@type": "NewsArticle", "headline": "Brief", "datePublished": "2025-03-01"}
    cards = "".join(teaser(n, rng, tag="h3") for n in range(8))
    html = shell(
        "Brief",
        f"<article><h1>Brief</h1><p>{paragraph(rng, 30)}</p></article><aside>{cards}</aside>",
        head=f'<script type="application/ld+json">{json.dumps(data)}</script>',
    )
    assert kind(html, "/news/authors/") == "article"  # "authors" names no author page here
    assert kind(html.replace("NewsArticle", "WebPage"), "/tag/x") == "tag"
