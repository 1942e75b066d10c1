"""WARC out (crawl --warc, the writer) and in (the reader): real files, read back with warcio."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from scraper.cli import main
from scraper.mirror import MirrorServer
from scraper.warc import Capture, Problem, WarcWriter, read_capture, read_warc, shards, warc_files

from .warc_samples import T0, article_html, many_articles, mixed_warc, response

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def warc_crawl(mirror: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The mirror crawled once through the CLI with --warc."""
    root = tmp_path_factory.mktemp("warc-crawl")
    db, folder = root / "crawl.db", root / "warc"
    args = ["crawl", "--profile", "sahara.ma", mirror.base_url + "/ar/", "--db", str(db)]
    args += ["--delay", "0", "--concurrency", "4", "--workers", "8", "--warc", str(folder)]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return {"db": db, "warc": folder, "host": mirror.base_url.split("//", 1)[1]}


def test_crawl_writes_warc_files_that_warcio_reads_back_with_valid_digests(
    warc_crawl: dict,
) -> None:
    files = sorted(warc_crawl["warc"].iterdir())
    assert files and all(f.name.endswith(".warc.gz") for f in files)  # no .open left behind
    types: list[str] = []
    responses: dict[str, bytes] = {}
    for file in files:
        with file.open("rb") as stream:
            for record in ArchiveIterator(stream, check_digests="raise"):
                types.append(record.rec_type)
                headers = record.rec_headers
                assert headers.protocol == "WARC/1.1"
                if record.rec_type == "warcinfo":
                    info = record.content_stream().read().decode()
                    assert "software: scraper/" in info and "robots: obey" in info
                    assert "http-header-user-agent: scraper/" in info
                    continue
                assert headers.get_header("WARC-Block-Digest", "").startswith("sha1:")
                if record.rec_type == "response":
                    assert headers.get_header("WARC-Payload-Digest", "").startswith("sha1:")
                    assert headers.get_header("WARC-IP-Address") == "127.0.0.1"
                    url = headers.get_header("WARC-Target-URI")
                    responses[url] = record.content_stream().read()
                else:  # the request points at its response
                    assert headers.get_header("WARC-Concurrent-To")
                    assert record.http_headers.protocol == "GET"
                    assert record.http_headers.get_header("User-Agent", "").startswith("scraper/")
    assert types[0] == "warcinfo"
    assert types.count("request") == types.count("response") >= 74 + 1  # articles, robots.txt
    assert any(u.endswith("/robots.txt") for u in responses)
    pages = [body for body in responses.values() if b"<html" in body[:200].lower()]
    assert len(pages) >= 74  # every article page, whole


def test_the_library_reader_yields_every_record_with_its_location(warc_crawl: dict) -> None:
    files = warc_files([warc_crawl["warc"]])
    captures = [c for f in files for c in read_warc(f)]
    assert captures and all(isinstance(c, Capture) for c in captures)
    response = next(c for c in captures if c.record_type == "response" and c.status == 200)
    again = read_capture(response.file, response.offset)
    assert again.url == response.url and again.payload == response.payload
    assert again.length == response.length > 0
    # the offsets tile the file: each record starts where the previous one ended
    first = [c for c in captures if c.file == str(files[0])]
    for before, after in itertools.pairwise(first):
        assert after.offset == before.offset + before.length


def test_the_writer_rotates_files_that_sort_by_time(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, max_size=3000, info={"robots": "obey"}) as writer:
        for n in range(12):
            url = f"https://a.example/story-{n}/"
            body = article_html(url, f"Story {n}", f"Word {n} " * 40, "2025-11-18")
            writer.write(response(writer, url, body, T0))
    names = [f.name for f in writer.files]
    assert len(names) > 2 and names == sorted(names)
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    seen = []
    for file in writer.files:
        items = list(read_warc(file))
        assert items[0].record_type == "warcinfo"  # type: ignore[union-attr]
        seen += [i.url for i in items if isinstance(i, Capture) and i.record_type == "response"]
    assert seen == [f"https://a.example/story-{n}/" for n in range(12)]


def test_a_mixed_file_is_read_record_by_record(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path)
    items = list(read_warc(path))
    kinds = [i.record_type if isinstance(i, Capture) else i.kind for i in items]
    assert kinds == [
        "warcinfo",
        "request",
        "response",
        "response",
        "response",
        "response",
        "metadata",
        "response",
        "revisit",
        "response",
        "response",
        "truncated",
    ]
    captures = [i for i in items if isinstance(i, Capture)]
    statuses = [c.status for c in captures if c.record_type == "response"]
    assert statuses == [200, 200, 404, 200, 200, 200, 200]
    image = next(c for c in captures if c.url.endswith("logo.png"))
    assert image.content_type == "image/png"
    revisit = next(c for c in captures if c.record_type == "revisit")
    assert revisit.payload == b"" and revisit.refers_to and revisit.payload_digest
    problem = items[-1]
    assert isinstance(problem, Problem) and "cut short" in problem.reason


def test_select_skips_the_body_and_says_why(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path, truncate=False)
    items = [i for i in read_warc(path, select=lambda c: "no") if isinstance(i, Capture)]
    responses = [i for i in items if i.record_type == "response"]
    assert responses and all(c.skip == "no" and c.payload == b"" for c in responses)


def test_malformed_bytes_end_the_file_with_a_reason(tmp_path: Path) -> None:
    path = mixed_warc(tmp_path, truncate=False)
    path.write_bytes(path.read_bytes() + b"this is not a WARC record\r\n\r\n")
    items = list(read_warc(path))
    assert isinstance(items[-1], Problem) and items[-1].kind == "malformed"
    assert sum(isinstance(i, Capture) for i in items) == 12


def test_shards_cut_anywhere_cover_every_record_once(tmp_path: Path) -> None:
    [path, *_] = many_articles(tmp_path, 60, files=1)
    whole = [i.offset for i in read_warc(path)]
    for size in (700, 5000, 10**9):
        parts = [
            i.offset
            for begin, end in shards(path, size)
            for i in read_warc(path, start=begin, end=end)
        ]
        assert parts == whole


def test_paths_folders_and_globs(tmp_path: Path) -> None:
    files = many_articles(tmp_path / "a" / "b", 6, files=2)
    (tmp_path / "a" / "notes.txt").write_text("x")
    assert warc_files([tmp_path]) == sorted(f.resolve() for f in files)
    assert warc_files([str(tmp_path / "**" / "many0*.warc.gz")]) == [files[0].resolve()]
    from scraper._exceptions import UsageError

    with pytest.raises(UsageError, match="no such file"):
        warc_files([tmp_path / "nope"])
    with pytest.raises(UsageError, match="no WARC file matches"):
        warc_files([str(tmp_path / "*.zip")])


# ---------------------------------------------------------------------- backfill of the crawl
def test_backfilling_the_crawl_warcs_gives_the_crawled_articles(
    warc_crawl: dict, tmp_path: Path
) -> None:
    from scraper.scale.backfill import backfill
    from scraper.scale.reextract import reextract
    from scraper.store import Store

    db = tmp_path / "backfill.db"
    summary = backfill([warc_crawl["warc"]], db, hosts=[warc_crawl["host"]], profile="sahara.ma")
    assert summary.status == "ok" and summary.problems == {}
    assert summary.new == summary.kept == 74 and summary.updated == 0
    assert summary.skipped["request record"] == summary.responses
    with Store(warc_crawl["db"]) as crawled, Store(db) as filled:
        before = {r["url"]: r for r in crawled.records()}
        after = {r["url"]: r for r in filled.records()}
        pages = filled.db.execute(
            "SELECT count(*) FROM pages WHERE html IS NULL AND warc_file IS NOT NULL"
        ).fetchone()[0]
    assert sorted(before) == sorted(after)
    fetch_times = ("id", "fetched_at", "first_seen_at")
    for url, record in before.items():
        assert {k: v for k, v in record.items() if k not in fetch_times} == {
            k: v for k, v in after[url].items() if k not in fetch_times
        }
    assert pages == 74  # the pages stay in the WARC files; the archive says where
    with Store(db) as store:
        again = reextract(store)
    assert again.pages == again.unchanged == 74 and again.messages == []


def test_a_payload_that_does_not_match_its_digest_is_a_problem(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        url = "https://a.example/story/"
        body = article_html(url, "A story", "Words.", "2025-11-18")
        wrong = {"WARC-Payload-Digest": "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
        writer.write(writer.response_record(url, status=200, headers=[], body=body, extra=wrong))
        writer.write(response(writer, url, body, T0))
    items = list(read_warc(writer.files[0]))
    assert [type(i).__name__ for i in items] == ["Capture", "Problem", "Capture"]
    assert items[1].kind == "digest"  # type: ignore[union-attr]
    unchecked = list(read_warc(writer.files[0], check_digests=False))
    assert all(isinstance(i, Capture) for i in unchecked)


def test_crawl_with_a_warc_path_that_is_a_file_is_a_one_line_error(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("x")
    args = ["crawl", mirror.base_url + "/ar/", "--db", str(tmp_path / "a.db")]
    result = CliRunner().invoke(main, [*args, "--warc", str(tmp_path / "taken")])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scraper: error:") and "taken" in lines[0]


def test_a_raw_chunked_gzipped_payload_is_decoded(tmp_path: Path) -> None:
    """As some crawlers store responses: the bytes on the wire, chunked and gzipped."""
    import gzip
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders

    url = "https://raw.example/2025/11/18/story/"
    html = article_html(url, "A story sent in chunks", "Words.", "2025-11-18")
    packed = gzip.compress(html)
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(packed[i : i + 500]), packed[i : i + 500])
        for i in range(0, len(packed), 500)
    )
    chunked += b"0\r\n\r\n"
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked"),
    ]
    with WarcWriter(tmp_path) as writer:
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        record = writer._builder.create_warc_record(
            url, "response", payload=BytesIO(chunked), length=len(chunked), http_headers=http
        )
        writer.write(record)
    [capture] = [
        i for i in read_warc(writer.files[0]) if getattr(i, "record_type", "") == "response"
    ]
    assert isinstance(capture, Capture) and capture.payload == html

    from scraper.scale.backfill import backfill

    summary = backfill(writer.files, tmp_path / "a.db")
    assert summary.new == 1 and summary.problems == {}


def test_the_fast_path_reads_every_record_as_warcio_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clean gzip members are read with zlib (scraper.warc.members), the rest with warcio: the
    same Captures and Problems as warcio alone, whole files and every shard."""
    import scraper.warc.reader as reader

    cut = mixed_warc(tmp_path / "cut")
    tail = mixed_warc(tmp_path / "tail", truncate=False)
    tail.write_bytes(tail.read_bytes() + b"this is not a WARC record\r\n\r\n")
    with WarcWriter(tmp_path / "digest") as writer:
        url = "https://a.example/story/"
        body = article_html(url, "A story", "Words.", "2025-11-18")
        wrong = {"WARC-Payload-Digest": "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
        writer.write(writer.response_record(url, status=200, headers=[], body=body, extra=wrong))
        writer.write(response(writer, url, body, T0))
    files = [cut, tail, *writer.files, *many_articles(tmp_path / "many", 30, files=1)]

    def warcio_only(stream, name, start, end, select, check):  # type: ignore[no-untyped-def]
        return start
        yield

    def select(capture: Capture) -> str | None:
        return None if capture.url.endswith("/") else "not a page"

    for path in files:
        ranges = [(0, None), *shards(path, 700)]
        fast = [list(read_warc(path, start=b, end=e, select=select)) for b, e in ranges]
        with monkeypatch.context() as patch:
            patch.setattr(reader, "fast_records", warcio_only)
            slow = [list(read_warc(path, start=b, end=e, select=select)) for b, e in ranges]
        assert fast == slow
