"""The public extraction API: total, pure, and usable from Python and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper import Article, extract
from scraper.profiles import load

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Le port de Sète modernise ses quais - Le Journal</title>
<meta property="og:type" content="article">
<meta property="og:title" content="Le port de Sète modernise ses quais">
<meta property="article:published_time" content="2025-11-25T10:15:00+01:00">
<meta property="article:section" content="Économie">
<link rel="canonical" href="https://journal.example/eco/port-sete/?utm_source=rss">
</head><body><header><nav><a href="/">Accueil</a> <a href="/eco/">Économie</a></nav></header>
<main><article><h1>Le port de Sète modernise ses quais</h1>
<p class="byline">Par <a rel="author" href="/a/jd">Jeanne Dumas</a></p>
<div class="share">Partager sur Facebook</div>
<p>Les travaux de modernisation des quais du port de Sète ont commencé lundi, pour une durée
de dix-huit mois et un budget de 40 millions d'euros.</p>
<aside class="related"><h3>À lire aussi</h3><a href="/eco/autre/">Un autre article</a></aside>
<p>Le chantier doit permettre d'accueillir des navires plus grands et de réduire le temps
d'escale, selon la direction du port, qui attend une hausse du trafic de 15 %.</p>
<p>Les pêcheurs, eux, demandent que leurs emplacements soient préservés pendant les travaux.</p>
</article></main><footer>© 2025 Le Journal</footer></body></html>"""


def test_a_generic_page_gives_a_full_record():
    article = extract(PAGE, "https://journal.example/eco/port-sete/")
    record = article.to_dict()
    assert record["title"] == "Le port de Sète modernise ses quais"
    assert record["url"] == "https://journal.example/eco/port-sete/"
    assert record["language"] == "fr"
    assert record["published_at"] == "2025-11-25T10:15:00+01:00"
    assert record["date_source"] == "meta"
    assert record["categories"] == ["Économie"]
    assert record["authors"] == ["Jeanne Dumas"]
    paragraphs = record["body"].split("\n\n")
    assert len(paragraphs) == 3 and paragraphs[0].startswith("Les travaux")
    assert "Partager" not in record["body"] and "lire aussi" not in record["body"]
    assert "©" not in record["body"]


def test_bytes_in_any_encoding_are_decoded():
    arabic = "<html><head><meta charset='windows-1256'><title>خبر</title></head><body>"
    arabic += "<article><h1>خبر عاجل من الرباط</h1><p>" + "نص الخبر الكامل هنا. " * 20
    arabic += "</p></article></body></html>"
    article = extract(arabic.encode("windows-1256"), "https://ar.example/x")
    assert article.title == "خبر عاجل من الرباط"
    assert "نص الخبر الكامل هنا" in article.body


def test_empty_and_junk_input_give_an_empty_article():
    for junk in (
        "",
        b"",
        b"\x00\xff\xfe" * 1000,
        "<<<>>>",
        "<html>",
        "\ud800",
        None.__class__.__name__,
    ):
        article = extract(junk)
        assert isinstance(article, Article)
        json.dumps(article.to_dict())


mutilations = st.lists(
    st.tuples(st.integers(0, len(PAGE)), st.integers(0, 200), st.text(max_size=20)),
    max_size=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutilations)
def test_mutilated_pages_never_raise(cuts):
    html = PAGE
    for start, length, insert in cuts:
        html = html[:start] + insert + html[start + length :]
    article = extract(html, "https://journal.example/x")
    json.dumps(article.to_dict())


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=3000)))
def test_random_input_never_raises(data):
    json.dumps(extract(data, "https://example.org/").to_dict())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["<div>", "</div>", "<p>", "text ", "<table>", "<td>",
                                 "<script>", "</script>", "<!--", "-->", "<a href='/x'>",
                                 "</a>", "<h1>", "</h1>", "&amp;", "&#0;"]),
                max_size=400))  # fmt: skip
def test_random_tag_soup_never_raises(parts):
    json.dumps(extract("".join(parts), "https://example.org/").to_dict())


def test_the_command_line_extracts_a_file_stdin_and_a_url(tmp_path, mirror, truth):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    run = [sys.executable, "-m", "scraper", "extract"]
    from_file = subprocess.run([*run, str(page), "--url", "https://journal.example/eco/port-sete/"],
                               capture_output=True, text=True, timeout=60)  # fmt: skip
    assert json.loads(from_file.stdout)["title"] == "Le port de Sète modernise ses quais"
    from_stdin = subprocess.run([*run, "-"], input=PAGE, capture_output=True, text=True,
                                timeout=60)  # fmt: skip
    assert json.loads(from_stdin.stdout)["date_source"] == "meta"
    seed = truth[0]
    url = mirror.base_url + seed["path"]
    from_url = subprocess.run([*run, url, "--profile", "sahara.ma"], capture_output=True,
                              text=True, timeout=60)  # fmt: skip
    record = json.loads(from_url.stdout)
    assert record["title"] == seed["title"] and record["body"] == seed["body"]
    missing = subprocess.run([*run, str(tmp_path / "nope.html")], capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert missing.returncode != 0 and missing.stderr.startswith("scraper: error:")


def test_profile_extraction_of_a_mirror_page_matches_the_truth(mirror, truth):
    profile = load("sahara.ma")
    with httpx.Client(base_url=mirror.base_url) as client:
        for t in truth[:10]:
            article = extract(client.get(t["path"]).text, mirror.base_url + t["path"], profile)
            record = article.to_dict()
            for field in ("title", "subtitle", "authors", "published_at", "categories", "tags",
                          "body"):  # fmt: skip
                assert record[field] == t[field], (t["id"], field)
            assert record["date_source"] == "jsonld"
