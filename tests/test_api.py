"""The library face: ``scraper.crawl``, ``Settings``, ``Archive`` and one error tree, used the
way a researcher's script would use them, and every bad input of the CLI as one line."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import scraper
from scraper import _exceptions
from scraper._config import day_bound, load_settings
from scraper.mirror import MirrorServer

FAST = scraper.Settings(delay=0, concurrency=4, workers=8, backoff_base=0.01)


def stable(records: list[dict]) -> list[dict]:
    """Records without what differs between two crawls of the same site (fetch times, ids);
    the story as the URLs of its articles (its id is an article id)."""
    drop = {"id", "fetched_at", "first_seen_at"}
    stories: dict[int, list[str]] = {}
    for r in records:
        stories.setdefault(r["story_id"], []).append(r["url"])
    return sorted(
        (
            {k: v for k, v in r.items() if k not in drop}
            | {"story_id": sorted(stories[r["story_id"]])}
            for r in records
        ),
        key=str,
    )


def test_crawl_from_python_equals_the_command_line(mirror: MirrorServer, tmp_path: Path) -> None:
    base = mirror.base_url + "/ar/"
    summary = scraper.crawl(base, tmp_path / "lib.db", settings=FAST, profile="sahara.ma")
    assert summary.status == "ok" and summary.articles_new == 74 and summary.errors == 0

    cli = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", base, "--profile", "sahara.ma",
         "--db", str(tmp_path / "cli.db"), "--delay", "0", "--concurrency", "4",
         "--workers", "8", "--backoff-base", "0.01"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr

    with scraper.Archive(tmp_path / "lib.db") as lib, scraper.Archive(tmp_path / "cli.db") as c:
        assert stable(list(lib.records())) == stable(list(c.records()))
        hits = lib.search("الصناعة التقليدية", limit=3)
        runs = lib.db.execute("SELECT status, options FROM crawl_runs").fetchall()
    assert hits and "الصناعة" in hits[0]["title"] + hits[0]["snippet"]
    assert [status for status, _ in runs] == ["ok"]
    assert '"delay": 0.0' in runs[0][1]  # the run record keeps the settings used


def test_settings_defaults_are_written_once_and_shown_by_the_cli() -> None:
    from click.testing import CliRunner

    from scraper.cli import main
    from scraper.fetch import Fetcher

    defaults = scraper.Settings()
    assert (defaults.workers, defaults.concurrency, defaults.delay) == (4, 2, 1.0)
    assert defaults.revisit_days == 3.0
    fetcher = Fetcher()  # a fetcher made without settings uses the same defaults
    assert (fetcher.delay, fetcher.per_host_concurrency) == (defaults.delay, defaults.concurrency)
    help_text = CliRunner().invoke(main, ["crawl", "--help"], terminal_width=200).output
    for flag, value in (("--workers", 4), ("--concurrency", 2), ("--delay", 1.0)):
        line = next(x for x in help_text.splitlines() if x.strip().startswith(flag))
        assert f"[default: {value}]" in line


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"delay": -5}, "'delay' must be at least 0"),
        ({"concurrency": 0}, "'concurrency' must be at least 1"),
        ({"workers": 0}, "'workers' must be at least 1"),
        ({"max_pages": -1}, "'max_pages' must be at least 1"),
        ({"delay": "soon"}, "'delay' wants a number"),
        ({"workers": 2.5}, "'workers' wants a whole number"),
        ({"refresh": "yes"}, "'refresh' wants true or false"),
        ({"since": "2025-13"}, "not a date"),
        ({"since": "2025-11", "until": "2025-01"}, "is after until"),
        ({"wrokers": 2}, "unknown setting 'wrokers'"),
    ],
)
def test_bad_settings_are_one_clear_error(changes: dict, message: str) -> None:
    with pytest.raises(scraper.UsageError, match=message):
        scraper.Settings().replace(**changes)


def test_settings_normalise_dates_and_languages() -> None:
    s = scraper.Settings(since="2025-11", until="2025", languages="ar, fr")  # type: ignore[arg-type]
    assert (s.since, s.until, s.languages) == ("2025-11-01", "2025-12-31", ("ar", "fr"))
    assert day_bound("2024-02", end=True) == "2024-02-29"
    assert day_bound("2025-11-25T08:30:00+01:00", end=False) == "2025-11-25"


def test_a_settings_file_uses_the_same_names(tmp_path: Path) -> None:
    good = tmp_path / "crawl.toml"
    good.write_text('delay = 2.5\nlanguages = ["fr"]\ncontact = "ops@example.org"\n')
    settings = load_settings(good)
    assert (settings.delay, settings.languages, settings.contact) == (
        2.5,
        ("fr",),
        "ops@example.org",
    )
    typo = tmp_path / "typo.toml"
    typo.write_text("dealy = 2\n")
    with pytest.raises(scraper.ConfigError, match=r"typo\.toml: unknown setting 'dealy'"):
        load_settings(typo)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('workers = "many"\n')
    with pytest.raises(scraper.ConfigError, match=r"wrong\.toml: setting 'workers' wants a number"):
        load_settings(wrong)


def test_a_profile_file_with_a_typo_names_the_file_and_the_key(tmp_path: Path) -> None:
    from scraper import profiles

    path = tmp_path / "mysite.toml"
    path.write_text('base_url = "https://example.org/"\n[article]\nbdoy = "article"\n')
    with pytest.raises(scraper.ProfileError, match=r"mysite\.toml: unknown key 'article\.bdoy'"):
        profiles.load(str(path))
    path.write_text('base_url = "https://example.org/"\nhosts = "example.org"\n')
    with pytest.raises(scraper.ProfileError, match="'hosts' must be a list"):
        profiles.load(str(path))
    path.write_text('base_url = "https://example.org/"\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(scraper.ProfileError, match="unknown timezone"):
        profiles.load(str(path))
    path.write_text('base_url = "https://ex.org/"\nhosts = ["ex.org"]\n[article]\nbody = ".post"\n')
    profile = profiles.load(str(path))
    assert profile.name == "mysite" and profile.selector("article", "body") == ".post"
    assert scraper.crawl.__module__ == "scraper.crawler.collection"  # the function, not a module


def test_every_error_class_is_a_scraper_error() -> None:
    classes = [c for _, c in inspect.getmembers(_exceptions, inspect.isclass)]
    errors = [c for c in classes if issubclass(c, Exception)]
    assert len(errors) >= 12
    assert all(issubclass(c, scraper.ScraperError) for c in errors)
    from scraper import fetch, profiles, search, store
    from scraper.report import exporting, history
    from scraper.store import lock
    from scraper.web import serve

    for module in (exporting, fetch, history, lock, profiles, search, serve, store):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            public = not cls.__name__.startswith("_")
            if issubclass(cls, Exception) and public and cls.__module__ == module.__name__:
                raise AssertionError(f"{module.__name__}.{cls.__name__} is outside the tree")


def test_library_errors_are_scraper_errors(tmp_path: Path) -> None:
    with pytest.raises(scraper.UsageError, match="not an http"):
        scraper.crawl("ftp://example.org/", tmp_path / "a.db")
    with pytest.raises(scraper.ProfileError, match="unknown profile"):
        scraper.crawl("no-such-site", tmp_path / "a.db")
    with pytest.raises(scraper.StoreError):
        scraper.crawl("http://127.0.0.1:9/", tmp_path / "no" / "dir" / "a.db", settings=FAST)
    with pytest.raises(scraper.StoreError):
        scraper.Archive(tmp_path / "missing" / "x.db")
    with scraper.Archive(tmp_path / "ok.db") as archive, pytest.raises(scraper.ScraperError):
        archive.search('"unbalanced')


# Every bad input a user can type: one line on stderr, exit 2, no traceback.
BAD_INPUTS = [
    ["crawl", "http://127.0.0.1:9/", "--delay", "-5"],
    ["crawl", "http://127.0.0.1:9/", "--concurrency", "0"],
    ["crawl", "http://127.0.0.1:9/", "--workers", "0"],
    ["crawl", "http://127.0.0.1:9/", "--max-pages", "-1"],
    ["crawl", "http://127.0.0.1:99999/"],
    ["crawl", "http://[::1/"],
    ["crawl", "no-such-profile"],
    ["crawl", "http://127.0.0.1:9/", "--since", "2025-13"],
    ["crawl", "http://127.0.0.1:9/", "--since", "2025-11", "--until", "2025-01"],
    ["crawl", "http://127.0.0.1:9/", "--config", "/no/such/settings.toml"],
    ["crawl", "http://127.0.0.1:9/", "--profile", "/no/such/profile.toml"],
    ["crawl"],
    ["frobnicate"],
    ["export", "--since", "yesterday"],
    ["search", "(" * 500 + "x" + ")" * 500],
    ["search", '"unbalanced'],
    ["history", "1", "--diff", "1", "99"],
]


def test_every_bad_input_is_one_line_and_exit_2(tmp_path: Path, crawled: dict) -> None:
    db = str(crawled["db"])
    for args in BAD_INPUTS:
        result = subprocess.run(
            [sys.executable, "-m", "scraper", *args, "--db", db],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("scraper: error: "), (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, args
        assert result.stdout == "", args


def test_a_huge_id_is_no_article_not_a_crash(crawled: dict) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "show", "99999999999999999999999",
         "--db", str(crawled["db"])],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and result.stderr.startswith("scraper: error: no article")
