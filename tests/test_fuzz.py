"""Random and adversarial pages through the whole chain, with hypothesis.

Pages built from hostile pieces (lone surrogates, NUL and other controls, deep nesting, huge
attributes, ``javascript:`` URLs, random JSON-LD, odd and lying encodings, odd headers) go
through the crawl's parse step (:func:`scraper.parse.parse_article`, which runs
:func:`scraper.extract`): it never raises; what it returns is stored, exported in every format
(JSONL, CSV, Parquet, WARC) and read back the same. Bounded: a few dozen examples, each under a
deadline.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.crawler.parse import parse_article
from scraper.encoding import decode_html
from scraper.extract import extract
from scraper.fetch import FetchResult
from scraper.report import exporting
from scraper.report.warc_export import export_warc
from scraper.store import PageRecord, Store, prepare
from scraper.warc.reader import read_warc

HOST = "fuzz.example"
NASTY = [
    "\ud800", "\udfff", "\udbff\udc00", "\x00", "\x01", "\x1b[31m", "\x7f", "\u202e", "\ufeff",
    "\r", "\t", "\u2028", "&#xD800;", "&#0;", "&#x1F;", "]]>", "</script>", "<!--", "\\ud800",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:x", "=HYPERLINK(\"x\")", "+1",
    "@SUM(A1)", "-2", "عربي", "😀", "\U0010ffff",
]  # fmt: skip
ENCODINGS = ["utf-8", "utf-16", "latin-1", "cp1256", "shift_jis", "koi8-r", "utf-7", "bogus"]

nasty = st.sampled_from(NASTY)
# Every code point, surrogates included (hypothesis leaves them out unless asked).
any_char = st.characters(codec=None, categories=None) | nasty
text = st.lists(any_char | st.text(max_size=8), max_size=12).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text | nasty, inner, max_size=4),
    max_leaves=20,
)
ld_keys = st.sampled_from(
    ["@type", "headline", "name", "author", "datePublished", "dateModified", "image",
     "articleBody", "articleSection", "keywords", "url", "mainEntityOfPage", "@graph"]
)  # fmt: skip
ld_object = st.dictionaries(ld_keys, json_values | text, max_size=8).map(
    lambda d: {"@type": "NewsArticle", **d}
)


def _attr(value: str) -> str:
    return value.replace('"', "&quot;")


@st.composite
def pages(draw: Any) -> tuple[bytes, dict[str, str]]:
    """A page (bytes) and its response headers, from hostile pieces."""
    head: list[str] = []
    body: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        data = json.dumps(draw(ld_object | json_values), ensure_ascii=draw(st.booleans()))
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]  # cut short: broken JSON
        head.append(f'<script type="application/ld+json">{data}</script>')
    for name in draw(st.lists(st.sampled_from(
        ["og:title", "og:image", "og:type", "article:published_time", "description",
         "og:url", "article:section", "author", "keywords"]), max_size=6)):  # fmt: skip
        value = draw(text | nasty | st.just("x" * draw(st.integers(0, 200_000))))
        head.append(f'<meta property="{name}" content="{_attr(value)}">')
    for _ in range(draw(st.integers(0, 2))):
        href = draw(nasty | text | st.just("http://[::1"))
        lang = draw(st.sampled_from(["ar", "fr", "en", "x-default", "\ud800"]))
        head.append(f'<link rel="alternate" hreflang="{lang}" href="{_attr(href)}">')
    if draw(st.booleans()):
        head.append(f'<link rel="canonical" href="{_attr(draw(nasty | text))}">')
    title = draw(text)
    body.append(f"<h1>{title}</h1>")
    if draw(st.booleans()):
        depth = draw(st.integers(1, 6000))
        body.append("<div>" * depth + draw(text) + "</div>" * draw(st.integers(0, depth)))
    for _ in range(draw(st.integers(0, 6))):
        href = draw(nasty | text)
        body.append(f'<p>{draw(text)} <a href="{_attr(href)}" rel="next">{draw(text)}</a></p>')
    body.append(f'<time datetime="{_attr(draw(text))}">{draw(text)}</time>')
    html = (
        f"<!doctype html><html><head><title>{title}</title>{''.join(head)}</head>"
        f"<body><article>{''.join(body)}</article></body></html>"
    )
    encoding = draw(st.sampled_from(ENCODINGS))
    try:
        raw = html.encode(encoding, errors="surrogatepass")
    except (LookupError, UnicodeError):
        raw = html.encode("utf-8", errors="surrogatepass")  # bytes no codec can read
    if draw(st.booleans()):
        raw += draw(st.binary(max_size=64))
    charset = draw(st.sampled_from([*ENCODINGS, "", "utf-8; x=\x01"]))
    headers = {"content-type": f"text/html; charset={charset}" if charset else "text/html"}
    if draw(st.booleans()):
        headers["etag"] = draw(text)
        headers["last-modified"] = draw(text)
    return raw, headers


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("fuzz") / "archive.db")
    store.ensure_site(HOST, f"http://{HOST}/", None, None)
    yield store  # type: ignore[misc]
    store.close()


COUNTER = iter(range(10**9))


@settings(
    max_examples=40,
    deadline=5000,  # ms per example: the deep-nesting ones are the slow ones
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(page=pages())
def test_any_page_is_extracted_stored_exported_and_read_back(
    page: tuple[bytes, dict[str, str]], archive: Store, tmp_path: Path
) -> None:
    raw, headers = page
    assert extract(raw, f"http://{HOST}/x").url is not None  # bytes in: never raises
    url = f"http://{HOST}/a/{next(COUNTER)}"
    fetched = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    decoded, encoding = decode_html(raw, headers.get("content-type"))
    result = FetchResult(url, url, 200, headers, raw, decoded, encoding, headers.get("etag"),
                         headers.get("last-modified"), 0.1, 1, None)  # fmt: skip
    done = parse_article(result, url, fetched, HOST, None, {HOST}, read_listing=True)
    article = done.article
    for value in _strings(article.to_dict()):
        value.encode("utf-8")  # valid text: no surrogate
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in value), repr(value)
    for link in [article.url, article.image, article.next_url, article.prev_url,
                 *article.translations.values(), *(r.url for r in article.related)]:  # fmt: skip
        assert link is None or link.startswith(("http://", "https://")), link
    page, prepared = done.page, done.prepared
    if page is None or prepared is None:  # not an article: stored as one anyway
        article.url = url
        etag, modified = headers.get("etag"), headers.get("last-modified")
        page = PageRecord(url, url, 200, raw, headers["content-type"], encoding, etag, modified,
                          fetched.isoformat())  # fmt: skip
        prepared = prepare(article, page)
    site_id = archive.ensure_site(HOST, f"http://{HOST}/", None, None)
    archive.save_article(site_id, article, page, prepared=prepared)
    record = next(r for r in archive.records(site=HOST) if r["url"] == article.url)
    _round_trip(archive, record, tmp_path)


def _round_trip(store: Store, record: dict[str, Any], folder: Path) -> None:
    stream = io.StringIO()
    exporting.export([record], "jsonl", stream)
    assert json.loads(stream.getvalue()) == record
    stream = io.StringIO()
    exporting.export([record], "csv", stream)
    back = next(exporting.read_csv(io.StringIO(stream.getvalue())))
    assert back["title"] == (record["title"] or None) or back["title"] == record["title"]
    assert back["body"] == record["body"] and back["authors"] == record["authors"]
    exporting.export([record], "parquet", folder / "x.parquet")
    row = next(exporting.read_parquet(folder / "x.parquet"))
    assert (row["url"], row["title"], row["body"]) == (
        record["url"],
        record["title"],
        record["body"],
    )
    warc = folder / "x.warc.gz"
    warc.unlink(missing_ok=True)
    assert export_warc(store, [record], warc) == 1
    captures = [c for c in read_warc(warc) if getattr(c, "record_type", "") == "response"]
    page = store.page_row(record["url"])
    assert page is not None and [c.payload for c in captures] == [page["content"]]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []
