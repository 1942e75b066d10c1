"""WARC files for the tests, written with the library's own writer (warcio underneath)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from scraper.warc import WarcWriter, warc_date

T0 = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
HTML = [("Content-Type", "text/html; charset=utf-8"), ("Server", "test")]


def article_html(url: str, title: str, body: str, published: str) -> bytes:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": published,
        "author": {"@type": "Person", "name": "Amina Test"},
        "articleSection": "Economy",
    }
    paragraphs = "".join(
        f"<p>{escape(body)} Paragraph {n} adds more words so the page reads as a story.</p>"
        for n in range(6)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta property="og:type" content="article">'
        f'<link rel="canonical" href="{url}">'
        f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
        f'<body><header><a href="/">Home</a></header><main><article><h1>{escape(title)}</h1>'
        f'<time datetime="{published}">{published[:10]}</time>'
        f'<div class="body">{paragraphs}</div></article></main></body></html>'
    ).encode()


def response(
    writer: WarcWriter, url: str, body: bytes, when: datetime, *, status: int = 200, headers=None
):
    return writer.response_record(
        url, status=status, headers=headers or HTML, body=body, date=warc_date(when)
    )


def mixed_warc(folder: Path, *, truncate: bool = True) -> Path:
    """One file: two hosts, a request record, a 404, an image, a metadata record, a revisit,
    two captures of one URL with different content, an identical recapture, and (with
    ``truncate``) a last record cut short."""
    a1 = "https://news.a.example/2025/11/20/first-story/"
    a2 = "https://news.a.example/2025/11/21/second-story/"
    b1 = "http://www.b.example/politics/third-story/"
    with WarcWriter(folder, prefix="mixed", info={"robots": "obey"}) as w:
        first = article_html(a1, "First story about the port", "Ships arrived.", "2025-11-18")
        w.write(w.request_record(a1, target="/2025/11/20/first-story/", date=warc_date(T0)))
        w.write(response(w, a1, first, T0))
        second = article_html(a2, "Second story on the harvest", "Olives grew.", "2025-11-19")
        w.write(response(w, a2, second, T0 + timedelta(hours=1)))
        w.write(response(w, "https://news.a.example/missing/", b"<h1>gone</h1>", T0, status=404))
        png = [("Content-Type", "image/png")]
        w.write(response(w, "https://news.a.example/logo.png", b"\x89PNG....", T0, headers=png))
        w.write(w.metadata_record(a1, {"via": "https://news.a.example/", "hopsFromSeed": "L"}))
        third = article_html(b1, "Third story from parliament", "A vote was held.", "2025-11-19")
        w.write(response(w, b1, third, T0 + timedelta(hours=2)))
        digest = "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        revisit = w.revisit_record(
            a2,
            payload_digest=digest,
            refers_to_url=a2,
            refers_to_date=warc_date(T0 + timedelta(hours=1)),
            headers=HTML,
            date=warc_date(T0 + timedelta(days=1)),
        )
        w.write(revisit)
        edited = article_html(a1, "First story about the port", "Ships left.", "2025-11-18")
        w.write(response(w, a1, edited, T0 + timedelta(days=2)))  # a revision
        w.write(response(w, b1, third, T0 + timedelta(days=2)))  # identical: unchanged
        last = article_html(
            "https://news.a.example/2025/11/23/cut/", "Cut story", "Never whole.", "2025-11-19"
        )
        w.write(response(w, "https://news.a.example/2025/11/23/cut/", last, T0))
    path = w.files[0]
    if truncate:
        data = path.read_bytes()
        path.write_bytes(data[:-120])
    return path


def many_articles(folder: Path, count: int, *, files: int = 2, hosts: int = 3) -> list[Path]:
    """``count`` article captures (with request records and a 404 every tenth), over
    ``files`` files and ``hosts`` hosts."""
    per_file = -(-count // files)
    paths: list[Path] = []
    n = 0
    for f in range(files):
        with WarcWriter(folder, prefix=f"many{f}", info={"robots": "obey"}) as w:
            for _ in range(per_file):
                if n >= count:
                    break
                host = f"site{n % hosts}.example"
                day = (T0 - timedelta(days=1 + n % 7)).date().isoformat()
                url = f"https://{host}/{day.replace('-', '/')}/story-{n}/"
                when = T0 + timedelta(minutes=n)
                html = article_html(url, f"Story number {n} of the test", f"Fact {n}.", day)
                w.write(w.request_record(url, target=url.split(host, 1)[1], date=warc_date(when)))
                w.write(response(w, url, html, when))
                if n % 10 == 0:
                    w.write(response(w, f"https://{host}/nope-{n}/", b"no", when, status=404))
                n += 1
        paths.extend(w.files)
    return paths
