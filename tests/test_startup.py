"""Start-up that costs nothing (issue 25): ``import scraper`` and ``scraper --version`` load
none of the heavy optional libraries, a command's module is imported only when it runs, and
the crawl and query paths leave out what they do not use. Each check runs a fresh Python
process and reads its ``sys.modules``: what a user's process would load."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from scraper.cli import COMMANDS, main
from scraper.cli._group import _shorten, load

#: Never loaded at start-up, nor on the crawl or query paths unless that run uses them
#: (pandas arrives through sqlite-utils when it is installed).
HEAVY = ("sqlite_utils", "pandas", "numpy", "pyarrow", "dask", "distributed", "datasette")
#: Also kept off the crawl path: trafilatura (a fallback extractor, imported when a page needs
#: it), rich (a progress bar on a terminal only; httpx would import it for its own CLI).
CRAWL_HEAVY = (*HEAVY, "trafilatura", "rich", "pygments")


def loaded_after(code: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after running ``code`` in a fresh process
    (a ``SystemExit`` of the code, as ``--version`` raises, is caught)."""
    script = (
        "import json, sys\n"
        f"try:\n    exec({code!r})\nexcept SystemExit:\n    pass\n"
        "sys.stdout.write('\\n' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    [
        "import scraper",
        "import scraper; scraper.ScraperError, scraper.StoreError",
        "import sys; sys.argv = ['scraper', '--version']; from scraper.cli import main; main()",
        "import sys; sys.argv = ['scraper', '--help']; from scraper.cli import main; main()",
    ],
)
def test_start_up_loads_nothing_heavy(code: str) -> None:
    loaded = loaded_after(code)
    assert "scraper" in loaded
    assert not loaded & {*CRAWL_HEAVY, "httpx", "lxml", "selectolax"}, sorted(loaded)


def test_version_prints_without_loading_the_package() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"scraper, version {__import__('scraper').__version__}"


@pytest.mark.parametrize(
    "code",
    [
        "import scraper.cli.crawl",  # the crawl command: crawler, fetcher, extractors, store
        "import scraper.cli.archive",  # search, export, stats, show ...
        "import scraper; scraper.crawl, scraper.Archive, scraper.extract",
    ],
)
def test_crawl_and_query_paths_leave_out_what_they_do_not_use(code: str) -> None:
    loaded = loaded_after(code)
    assert not loaded & set(CRAWL_HEAVY), sorted(loaded & set(CRAWL_HEAVY))


def test_library_names_load_on_first_use() -> None:
    import scraper

    assert scraper.Archive.__name__ == "Archive"
    assert callable(scraper.crawl) and callable(scraper.extract)
    for name in scraper.__all__:
        assert getattr(scraper, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = scraper.nothing  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_of_the_table_loads_under_its_name(name: str) -> None:
    """The table names each command by import path (one place to fix when modules move);
    its summary is the one the command's own help has."""
    path, summary = COMMANDS[name]
    command = load(path)
    assert command.name == name
    assert summary == command.get_short_help_str(limit=1000)


def test_help_lists_every_command_with_its_summary() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=100)
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1].split()
    for name in COMMANDS:
        assert name in listed
    assert "Full-text search, best matches first." in result.output


def test_a_lazy_command_runs_and_unknown_ones_still_fail_in_one_line() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["profiles"])
    assert result.exit_code == 0 and "sahara.ma" in result.output
    done = subprocess.run(
        [sys.executable, "-m", "scraper", "nosuchcommand"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("scraper: error: No such command 'nosuchcommand'")
    assert "Traceback" not in done.stderr


def test_shorten_cuts_at_a_word() -> None:
    assert _shorten("short", 10) == "short"
    assert _shorten("one two three four", 12) == "one two..."
