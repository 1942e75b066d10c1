"""Search: Arabic folding and clitics, French accents, query syntax, ranking, filters,
snippets, index kept in sync, and malformed queries as one-line errors."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.article import Article
from scraper.search import QueryError, index_columns, lenient, parse, snippet
from scraper.store import Store, StoreError, schema
from scraper.text import fold, light_stem, stem_forms, stemmed

TZ = timezone(timedelta(hours=1))

# The same story three times: vocalized, unvocalized with other letter forms, and French.
VOCALIZED = Article(
    url="https://news.example/ar/vocalized/",
    language="ar",
    title="تَدْشِينُ مَشْرُوعٍ جَدِيدٍ لِلتَّنْمِيَةِ بِإِقْلِيمِ كَلْمِيم",
    body=(
        "أَعْلَنَتِ الوِزَارَةُ عَنْ بَرْنَامَجٍ يَهْدِفُ إِلَى دَعْمِ الاقْتِصَادِ المَحَلِّيِّ.\n\nوَسَيَسْتَفِيدُ مِنْهُ طَلَبَةُ المَدْرَسَةِ العُلْيَا."
    ),
    categories=["اقتصاد"],
    published_at=datetime(2025, 11, 25, 10, 0, tzinfo=TZ),
)
CLITICS = Article(
    url="https://news.example/ar/clitics/",
    language="ar",
    title="الحكومة تصادق على مشروع قانون المالية",
    body=(
        "وقال الوزير إن الميزانية ستوجه للتنمية والاقتصاد الاجتماعي، وبالمدرسة العمومية "
        "سيتم إطلاق برنامج جديد. كما أشار إلى دور الجمعيات في مستشفى المدينة."
    ),
    categories=["سياسة", "اقتصاد"],
    tags=["قانون المالية"],
    published_at=datetime(2025, 10, 2, 9, 0, tzinfo=TZ),
)
VARIANTS = Article(
    url="https://news.example/ar/variants/",
    language="ar",
    title="مستشفى جديد في مدينة الداخلة",
    body="افتتح مسؤولون إقليميون مستشفى جديدا. وأكد الطبيب أن المرضى سيستفيدون من خدمات أفضل.",
    categories=["مجتمع"],
    published_at=datetime(2024, 6, 1, 8, 0, tzinfo=TZ),
)
FRENCH = Article(
    url="https://news.example/fr/economie/",
    language="fr",
    title="L'économie marocaine résiste",
    subtitle="Les prévisions de croissance sont relevées",
    body="Selon le rapport, l’économie nationale a progressé de 3 % grâce à l'agriculture.",
    categories=["Économie"],
    published_at=datetime(2025, 11, 20, 9, 0, tzinfo=TZ),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("search") / "archive.db"
    s = Store(path)
    site = s.ensure_site("news.example", "https://news.example/")
    other = s.ensure_site("other.example", "https://other.example/")
    for article in (VOCALIZED, CLITICS, VARIANTS, FRENCH):
        s.save_article(site, article)
    s.save_article(
        other,
        Article(
            url="https://other.example/ar/1/",
            language="ar",
            title="مباراة في كرة القدم",
            body="فاز الفريق المحلي بهدفين. وتحدث المدرب عن الاقتصاد الرياضي.",
            categories=["رياضة"],
            published_at=datetime(2025, 1, 5, 18, 0, tzinfo=TZ),
        ),
    )
    yield s
    s.close()


def urls(hits: list[dict]) -> list[str]:
    return [h["url"] for h in hits]


# ---------------------------------------------------------------------- folding and stems
def test_light_stem_strips_proclitics_not_the_word() -> None:
    assert light_stem(fold("والاقتصاد")) == "اقتصاد"
    assert light_stem(fold("بالمدرسة")) == "مدرسه"
    assert light_stem(fold("للتنمية")) == "تنميه"
    assert light_stem(fold("وقال")) == "قال"
    # too short to carry a clitic, or not a clitic at all
    assert light_stem("الي") == "الي"
    assert light_stem("كتاب") == "كتاب"  # a lone ك/ب/ل/ف is never stripped
    assert light_stem("economie") == "economie"


def test_every_clitic_form_maps_to_a_query_form() -> None:
    # The index holds light_stem(word); a query word is looked up as stem_forms(word).
    for query in ("وزارة", "الوزارة", "والوزارة", "بالوزارة"):
        for written in ("وزارة", "الوزارة", "والوزارة", "بالوزارة", "للوزارة"):
            assert light_stem(fold(written)) in stem_forms(fold(query)), (query, written)


def test_index_text_is_folded_and_stemmed() -> None:
    assert stemmed(fold("وَالِاقْتِصَادُ L'Économie")) == "اقتصاد l economie"


# ---------------------------------------------------------------------- Arabic search
@pytest.mark.parametrize(
    "query",
    [
        "تدشين مشروع",  # no diacritics
        "للتنمية",
        "التنمية",
        "تنمية",
        "الاقتصاد المحلي",
        "باقليم",  # hamza dropped: إقليم written اقليم
        "كلميم",
    ],
)
def test_a_vocalized_article_is_found_by_unvocalized_words(store: Store, query: str) -> None:
    assert VOCALIZED.url in urls(store.search(query))


@pytest.mark.parametrize(
    ("query", "url"),
    [
        ("اقليميون", VARIANTS.url),  # إ -> ا
        ("إقليميون", VARIANTS.url),
        ("مستشفي", VARIANTS.url),  # ى -> ي
        ("مدينه", VARIANTS.url),  # ة -> ه
        ("المدينة", VARIANTS.url),
        ("اكد", VARIANTS.url),  # أ -> ا
        ("آكد", VARIANTS.url),  # آ -> ا
    ],
)
def test_alef_ya_and_ta_marbuta_variants_find_each_other(
    store: Store, query: str, url: str
) -> None:
    assert url in urls(store.search(query))


@pytest.mark.parametrize(
    "query",
    ["والاقتصاد", "الاقتصاد", "اقتصاد", "بالاقتصاد", "للاقتصاد", "فالاقتصاد"],
)
def test_clitic_forms_find_the_base_word_and_each_other(store: Store, query: str) -> None:
    found = urls(store.search(query))
    # CLITICS has والاقتصاد, VOCALIZED has الاقْتِصَادِ, the football story الاقتصاد
    assert {CLITICS.url, VOCALIZED.url, "https://other.example/ar/1/"} <= set(found)


@pytest.mark.parametrize("query", ["بالمدرسة", "المدرسة", "مدرسة", "للمدرسة"])
def test_school_in_any_clitic_form(store: Store, query: str) -> None:
    assert {CLITICS.url, VOCALIZED.url} <= set(urls(store.search(query)))


def test_a_phrase_matches_across_clitic_forms(store: Store) -> None:
    # the body says "للتنمية والاقتصاد الاجتماعي"
    assert urls(store.search('"التنمية الاقتصاد الاجتماعي"')) == [CLITICS.url]
    assert urls(store.search('"الاجتماعي الاقتصاد"')) == []  # order matters


def test_phrases_are_their_word_pairs_in_order_within_a_column(tmp_path: Path) -> None:
    assert index_columns("Le titre", None, "a b c") == (
        "le titre \ue000le\ue000titre",
        "a b c \ue000a\ue000b \ue000b\ue000c",
    )
    assert index_columns("Un", "sous titre", "corps") == (
        "un",
        "sous titre corps \ue000sous\ue000titre \ue000titre\ue000corps",
    )
    with Store(tmp_path / "a.db") as s:
        site = s.ensure_site("news.example", "https://news.example/")
        one = Article(
            url="https://news.example/1/",
            title="Marché du travail",
            subtitle="Emploi des jeunes",
            body="Le taux de chômage baisse encore.",
        )
        two = Article(
            url="https://news.example/2/",
            title="Le taux baisse",
            body="Chômage de longue durée: la part des jeunes du marché monte.",
        )
        s.save_article(site, one)
        s.save_article(site, two)
        assert urls(s.search('"taux de chômage"')) == [one.url]
        assert urls(s.search('"marché du travail"')) == [one.url]  # the title's pairs
        assert urls(s.search('"jeunes le taux"')) == [one.url]  # subtitle runs into body
        assert urls(s.search('"travail emploi"')) == []  # no phrase from title into body
        assert urls(s.search('"chômage de"')) == [two.url]
        assert set(urls(s.search('"des jeunes"'))) == {one.url, two.url}
        assert urls(s.search('"de taux"')) == []  # the order of the words
        assert urls(s.search('"taux de chô*"')) == [one.url]  # a prefix on the last word
        # a word prefix finds words, never pair terms (they start with the joiner)
        vocab = "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, articles_fts, row)"
        s.db.execute(vocab)
        pairs = s.db.execute("SELECT term FROM temp.v WHERE term >= 'taux' AND term < 'tauy'")
        assert [t for (t,) in pairs] == ["taux"]
        assert urls(s.search('"baisse encore" -"taux baisse"')) == [one.url]
        assert set(urls(s.search('"taux baisse" OR "marché monte"'))) == {two.url}
        # a pair never matches a word, nor a word phrase the seam between words and pairs
        assert s.search("travail\ue000emploi") == [] and s.search('"encore emploi"') == []
        assert "[taux] [de] [chômage]" in s.search('"taux de chômage"')[0]["snippet"]


def test_wa_prefixed_verbs_are_found(store: Store) -> None:
    assert CLITICS.url in urls(store.search("قال"))
    assert CLITICS.url in urls(store.search("وقال الوزير"))


# ---------------------------------------------------------------------- Latin
@pytest.mark.parametrize("query", ["economie", "économie", "ÉCONOMIE", "l'économie", "Economie*"])
def test_french_accents_and_case_fold(store: Store, query: str) -> None:
    assert urls(store.search(query)) == [FRENCH.url]


def test_subtitle_is_searched_and_shown(store: Store) -> None:
    hit = store.search("prévisions")[0]
    assert hit["url"] == FRENCH.url
    assert "[prévisions]" in hit["snippet"]


# ---------------------------------------------------------------------- syntax
def test_prefix_or_and_exclusion(store: Store) -> None:
    assert VARIANTS.url in urls(store.search("مستشف*"))
    assert set(urls(store.search("كلميم OR الداخلة"))) == {VOCALIZED.url, VARIANTS.url}
    assert VARIANTS.url not in urls(store.search("مستشفى -الداخلة"))
    assert VARIANTS.url not in urls(store.search("مستشفى NOT الداخلة"))
    assert urls(store.search("(كلميم OR الداخلة) مستشفى")) == [VARIANTS.url]


def test_operator_words_in_lower_case_and_fts_syntax_are_plain_text(store: Store) -> None:
    for query in ("and", "or not", "NEAR", "title:x", "a^b", "c++", "{x}", "100%"):
        store.search(query)  # no error: searched as words


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unbalanced', "unbalanced double quote"),
        ("AND OR", "AND needs a term before it"),
        ("OR", "OR needs a term on each side"),
        ("economie OR", "OR needs a term on each side"),
        ("economie AND", "AND needs a term after it"),
        ("(economie", "missing )"),
        ("economie)", "unexpected )"),
        ("-economie", "at least one word that is not excluded"),
        ("", "empty query"),
        ("، ؟ !", "nothing to search for"),
    ],
)
def test_malformed_queries_are_one_line_errors(store: Store, query: str, message: str) -> None:
    with pytest.raises(StoreError, match="bad search query") as info:
        store.search(query)
    assert message in str(info.value) and "\n" not in str(info.value)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from([*'"()*-:^ ANDORT اوبلفكةأىِـ éa1\t', " NOT ", " OR ", " AND "]),
        max_size=25,
    ).map("".join)
)
def test_any_input_is_a_result_or_a_clean_error(store: Store, text: str) -> None:
    try:
        store.search(text)
    except StoreError as exc:
        assert str(exc).startswith("bad search query") and "\n" not in str(exc)
    query = lenient(text)  # the Datasette path never fails
    if query is not None:
        store.db.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [query.match]
        )


def test_parse_builds_quoted_expressions() -> None:
    assert parse("والاقتصاد").match == '"اقتصاد"'
    assert parse("وزارة").match == '("وزاره" OR "زاره")'
    # a phrase is looked up as its word pairs (one term each), see with_pairs
    assert parse('"الصناعة التقليدية"').match == '"\ue000صناعه\ue000تقليديه"'
    assert parse('"a b c*"').match == '"\ue000a\ue000b \ue000b\ue000c" *'
    assert parse('"seul"').match == '"seul"'
    assert parse("اقتص*").match == '"اقتص" *'
    with pytest.raises(QueryError):
        parse('say "hello')


# ---------------------------------------------------------------------- ranking and filters
def test_title_matches_rank_above_body_matches(store: Store) -> None:
    hits = store.search("مشروع")  # title of VOCALIZED and CLITICS
    assert {h["url"] for h in hits[:2]} == {VOCALIZED.url, CLITICS.url}
    assert hits == sorted(hits, key=lambda h: -h["score"])
    hits = store.search("مستشفى")  # VARIANTS: title; CLITICS: body only
    assert urls(hits) == [VARIANTS.url, CLITICS.url]


def test_filters(store: Store) -> None:
    q = "الاقتصاد"
    assert urls(store.search(q, site="other.example")) == ["https://other.example/ar/1/"]
    assert urls(store.search("economie", language="fr")) == [FRENCH.url]
    assert urls(store.search(q, language="fr")) == []
    assert set(urls(store.search(q, category="إقتصاد"))) == {CLITICS.url, VOCALIZED.url}
    assert urls(store.search(q, tag="قانون المالية")) == [CLITICS.url]
    assert urls(store.search(q, since="2025-11")) == [VOCALIZED.url]
    assert set(urls(store.search(q, until="2025-10-02"))) == {
        CLITICS.url,
        "https://other.example/ar/1/",
    }
    assert urls(store.search(q, since="2025-10-01", until="2025-10-31")) == [CLITICS.url]
    assert urls(store.search(q, category="no such section")) == []
    with pytest.raises(StoreError, match="not a date"):
        store.search(q, since="2025-13-40")


def test_limit_and_offset(store: Store) -> None:
    everything = urls(store.search("الاقتصاد", limit=10))
    assert urls(store.search("الاقتصاد", limit=1)) == everything[:1]
    assert urls(store.search("الاقتصاد", limit=1, offset=1)) == everything[1:2]


# ---------------------------------------------------------------------- snippets
def test_snippets_show_the_original_text_with_hits_marked(store: Store) -> None:
    hit = store.search("الاقتصاد", site="news.example", since="2025-11")[0]
    assert "[الاقْتِصَادِ]" in hit["snippet"]  # diacritics kept in what the reader sees
    hit = store.search("بالمدرسة", since="2025-10-01", until="2025-10-31")[0]
    assert "[وبالمدرسة]" in hit["snippet"]


def test_snippet_window_and_ellipses() -> None:
    text = (
        " ".join(f"w{i}" for i in range(100)) + " economie " + " ".join("x" * 3 for _ in range(50))
    )
    out = snippet(text, parse("economie"), words=10)
    assert out.startswith("… ") and out.endswith(" …") and "[economie]" in out
    assert len(out.split()) <= 13
    assert snippet("nothing here", parse("economie")) == "nothing here"
    assert snippet("", parse("economie")) == ""


# ---------------------------------------------------------------------- index in sync
def test_the_index_follows_inserts_updates_and_deletes(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as s:
        site = s.ensure_site("news.example", "https://news.example/")
        a = Article(url="https://news.example/1/", title="قديم", body="نص عن الزراعة")
        s.save_article(site, a)
        assert urls(s.search("الزراعة")) == [a.url]
        a.body = "نص عن الصيد البحري"
        assert s.save_article(site, a) == "updated"
        assert s.search("الزراعة") == [] and urls(s.search("البحري")) == [a.url]
        assert s.delete_article(a.url) and s.search("البحري") == []
        # a delete by any SQL client goes through the trigger
        b = Article(url="https://news.example/2/", title="جديد", body="السياحة")
        s.save_article(site, b)
        s.db.execute("DELETE FROM articles WHERE url = ?", [b.url])
        assert s.db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 0
        assert s.search("السياحة") == []


# ---------------------------------------------------------------------- the command
def test_search_command_formats_and_errors(store: Store) -> None:
    from click.testing import CliRunner

    from scraper.cli import main

    db = str(store.path)
    runner = CliRunner()
    as_json = runner.invoke(main, ["search", "بالمدرسة", "--db", db, "--nl"])
    assert as_json.exit_code == 0
    hits = [json.loads(line) for line in as_json.output.splitlines()]
    assert {h["url"] for h in hits} == {CLITICS.url, VOCALIZED.url}
    assert all("[" in h["snippet"] for h in hits)
    as_csv = runner.invoke(main, ["search", "economie", "--db", db, "--csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [r["url"] for r in rows] == [FRENCH.url] and rows[0]["language"] == "fr"
    table = runner.invoke(main, ["search", "مستشفى", "--db", db, "--limit", "1"])
    assert (
        table.exit_code == 0
        and VARIANTS.title in table.output
        and re.search(r"^ +\d+  2024-06-01  ", table.output, re.M)  # the id, then the day
    )
    filtered = runner.invoke(main, ["search", "الاقتصاد", "--db", db, "--site", "other.example"])
    assert "other.example/ar/1/" in filtered.output and CLITICS.url not in filtered.output
    none = runner.invoke(main, ["search", "غائب", "--db", db])
    assert none.exit_code == 0 and "no match" in none.output
    for bad in ('"unbalanced', "AND OR"):
        result = runner.invoke(main, ["search", bad, "--db", db])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("scraper: error: bad search query")
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
    bad_date = runner.invoke(main, ["search", "x", "--db", db, "--since", "yesterday"])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output


def test_broad_queries_rank_the_most_recent_window_and_dates_rekey(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as s:
        site = s.ensure_site("news.example", "https://news.example/")
        for n in range(6):
            s.save_article(
                site,
                Article(
                    url=f"https://news.example/{n}/",
                    title="الطقس" + (" الطقس الطقس" if n == 0 else ""),  # the oldest fits best
                    body="نص",
                    published_at=datetime(2025, 1, 1 + n, tzinfo=TZ),
                ),
            )
        exact = s.search("الطقس", window=None)
        assert exact[0]["url"] == "https://news.example/0/" and not exact[0]["capped"]
        recent = s.search("الطقس", window=3)
        assert {h["url"] for h in recent} == {f"https://news.example/{n}/" for n in (3, 4, 5)}
        assert all(h["capped"] for h in recent)
        assert not s.search("الطقس", window=6)[0]["capped"]
        assert len(s.search("الطقس", window=3, since="2025-01-01", until="2025-01-02")) == 2
        # a corrected date moves the article in the index
        moved = Article(
            url="https://news.example/0/",
            title="الطقس الطقس الطقس",
            body="نص",
            published_at=datetime(2025, 3, 1, tzinfo=TZ),
        )
        assert s.save_article(site, moved) == "updated"
        assert urls(s.search("الطقس", since="2025-02")) == [moved.url]
        assert s.search("الطقس", window=1)[0]["url"] == moved.url
        assert s.db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 6


def test_equal_scores_put_the_newer_article_first_and_filters_window_what_passes(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "a.db") as s:
        sites = [s.ensure_site(f"s{i}.example", f"https://s{i}.example/") for i in range(2)]
        for n in range(8):
            s.save_article(
                sites[n % 2],
                Article(
                    url=f"https://s{n % 2}.example/{n}/",
                    title="الطقس",  # the same text: the same score
                    body="نص",
                    language="ar",
                    published_at=datetime(2025, 1, 1 + n, tzinfo=TZ),
                ),
            )
        for window in (None, 3, 100):
            got = urls(s.search("الطقس", window=window))
            newest = [f"https://s{n % 2}.example/{n}/" for n in range(7, -1, -1)]
            assert got == newest[: len(got)] and len(got) == (3 if window == 3 else 8)
        # the window counts the matches that pass the filters: the 3 newest of site s0
        on_s0 = s.search("الطقس", window=3, site="s0.example")
        assert urls(on_s0) == [
            "https://s0.example/6/",
            "https://s0.example/4/",
            "https://s0.example/2/",
        ]
        assert all(h["capped"] for h in on_s0)
        assert not s.search("الطقس", window=4, site="s0.example")[0]["capped"]
        assert urls(s.search("الطقس", window=2, limit=1, offset=1)) == ["https://s0.example/6/"]


def test_snippets_find_a_hit_far_into_a_long_body_and_only_then_look() -> None:
    filler = " ".join(f"كلمة{i}" for i in range(3000))
    text = f"{filler} وبالمدرسة العمومية {filler}"
    out = snippet(text, parse("المدرسة"))
    assert "[وبالمدرسة]" in out and out.startswith("… ") and out.endswith(" …")
    # a word that only contains a query form is no hit: the snippet is the opening
    assert snippet("التسوق في المدينة", parse("سوق")) == "التسوق في المدينة"
    # a phrase is marked where it stands, after lone occurrences of its words
    lone = "التنمية كلمة المستدامة كلمة " * 30
    out = snippet(lone + "أهداف التنمية المستدامة للجميع", parse('"التنمية المستدامة"'))
    assert "[التنمية] [المستدامة] للجميع" in out
    # prefixes and vocalized text
    assert "[الاقْتِصَادِيَّة]" in snippet("السياسة الاقْتِصَادِيَّة", parse("اقتصاد*"))


def automerge(store: Store) -> dict[str, int | None]:
    """Each index's FTS5 automerge setting (None: FTS5's default, 4)."""
    found: dict[str, int | None] = {}
    for table in ("articles_fts", "articles_text"):
        sql = f"SELECT v FROM {table}_config WHERE k = 'automerge'"
        row = store.db.execute(sql).fetchone()
        found[table] = None if row is None else row[0]
    return found


def test_both_indexes_merge_16_segments_at_a_time_new_or_migrated(tmp_path: Path) -> None:
    article = Article(url="https://news.example/1/", title="Marché", body="Le taux de chômage.")
    with Store(tmp_path / "new.db") as s:
        assert automerge(s) == {"articles_fts": 16, "articles_text": 16}
    path = tmp_path / "v18.db"
    with Store(path) as s:  # as version 18 left it: FTS5's default
        s.save_article(s.ensure_site("news.example", "https://news.example/"), article)
        for table in ("articles_fts", "articles_text"):
            s.db.execute(f"DELETE FROM {table}_config WHERE k = 'automerge'")
        s.db.execute("PRAGMA user_version = 18")
    with Store(path) as s:
        assert s.schema_version == schema.SCHEMA_VERSION
        assert automerge(s) == {"articles_fts": 16, "articles_text": 16}
        assert urls(s.search("chômage")) == [article.url]  # not rebuilt, still found


def test_an_archive_of_schema_17_gets_the_pair_terms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "a.db"
    article = Article(url="https://news.example/1/", title="Marché", body="Le taux de chômage.")
    with Store(path) as s:
        s.save_article(s.ensure_site("news.example", "https://news.example/"), article)
        # as version 17 indexed it: the words only
        s.db.execute("DELETE FROM articles_fts")
        s.db.execute(
            "INSERT INTO articles_fts (rowid, title, body) SELECT search_key, ?, ? FROM articles",
            ["marche", "le taux de chomage"],
        )
        assert s.search('"taux de chômage"') == [] and urls(s.search("taux")) == [article.url]
        s.db.execute("PRAGMA user_version = 17")
    monkeypatch.setattr(schema, "LOUD_REINDEX", 1)  # a big archive's: it says so first
    caplog.set_level(logging.WARNING, logger="scraper")  # whatever a CLI test left set
    with Store(path) as s:  # migrates: the index is rebuilt with its pairs
        assert s.schema_version == schema.SCHEMA_VERSION
        [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert (
            f"schema 17 -> {schema.SCHEMA_VERSION} rebuilds the search index of 1 articles once"
            in warning
        )
        assert urls(s.search('"taux de chômage"')) == [article.url]
        assert urls(s.search("taux")) == [article.url]
        rank = "SELECT v FROM articles_fts_config WHERE k = 'rank'"
        assert s.db.execute(rank).fetchone() == ("bm25(5.0, 1.0)",)
        # rebuilt by hand: emptied by a drop and created as it was, its ranking kept
        before = s.search("taux")
        assert s.rebuild_search_index() == 1
        assert s.db.execute(rank).fetchone() == ("bm25(5.0, 1.0)",)
        assert automerge(s) == {"articles_fts": 16, "articles_text": 16}
        assert s.search("taux") == before and s.db.execute(
            "SELECT count(*) FROM articles_fts"
        ).fetchone() == (1,)


def test_a_section_filter_is_read_once_until_the_archive_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ids of a section are kept between searches on one connection, and read again
    after a write of its own or another connection's commit: never a stale result."""
    path = tmp_path / "a.db"

    def piece(n: int, section: str) -> Article:
        return Article(
            url=f"https://news.example/{n}/",
            title=f"Budget {n}",
            body="Le budget de la ville.",
            categories=[section],
            published_at=datetime(2025, 1, 1 + n, tzinfo=TZ),
        )

    reads: list[str | None] = []
    real = Store._read_tagged_ids

    def counted(self: Store, category: str | None, tag: str | None) -> set[int] | None:
        reads.append(category)
        return real(self, category, tag)

    monkeypatch.setattr(Store, "_read_tagged_ids", counted)
    with Store(path) as s, Store(path) as other:
        site = s.ensure_site("news.example", "https://news.example/")
        s.save_article(site, piece(1, "Économie"))
        s.save_article(site, piece(2, "Sport"))
        assert urls(s.search("budget", category="economie")) == ["https://news.example/1/"]
        assert urls(s.search("ville", category="Économie")) == ["https://news.example/1/"]
        assert reads == ["economie", "Économie"]  # two spellings, two keys
        assert urls(s.search("budget", category="economie")) == ["https://news.example/1/"]
        assert len(reads) == 2  # kept
        s.save_article(site, piece(3, "Économie"))  # its own write
        assert urls(s.search("budget", category="economie")) == [
            "https://news.example/3/",
            "https://news.example/1/",
        ]
        other.save_article(site, piece(4, "Économie"))  # another connection's commit
        assert len(urls(s.search("budget", category="economie"))) == 3
        assert reads == ["economie", "Économie", "economie", "economie"]
        assert s.search("budget", tag="none") == [] and s.search("budget", category="x") == []
