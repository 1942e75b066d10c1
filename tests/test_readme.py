"""Every example of README.md runs as printed on a fresh demo archive.

The README's ``bash`` blocks are run line by line, in order, in one empty folder with a
``scraper`` and a ``python`` on PATH that run this checkout (and this environment's
``sqlite-utils``): the first block is ``scraper demo``, which makes the archive the later lines
query. Each line must exit 0; each ``scraper`` command that searches, filters, shows or exports
must give at least one row (on stdout or in the file it writes), and so must a ``sqlite-utils
search``. A line ending in ``&`` starts a server in the background (stopped at the end);
``scraper serve`` must start and keep serving. ``sql`` blocks run against the demo archive and
each statement must return a row. Blocks marked ``online`` (```` ```bash online ````) need the
real internet and are the only ones skipped.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.S | re.M)
SERVERS = ("scraper serve",)  # run until stopped: checked to be serving, then stopped
NO_ROWS = ("crawl", "demo", "serve")  # commands that report rather than list


def blocks(language: str) -> list[str]:
    """The README's blocks of ``language`` that run offline."""
    text = README.read_text(encoding="utf-8")
    return [
        body
        for lang, info, body in BLOCK.findall(text)
        if lang == language and "online" not in info.split()
    ]


def commands() -> list[str]:
    lines = [line.strip() for block in blocks("bash") for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """An empty folder and an environment whose ``scraper`` and ``python`` are this checkout
    (and ``sqlite-utils`` this environment's)."""
    folder = tmp_path_factory.mktemp("readme")
    bin_dir = tmp_path_factory.mktemp("bin")
    for name, target in (
        ("scraper", f"{sys.executable} -m scraper"),
        ("python", sys.executable),
        ("sqlite-utils", f"{sys.executable} -m sqlite_utils"),  # a dependency of scraper
    ):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec {target} "$@"\n')
        shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "SCRAPER_DB"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    yield folder, env


def _port(line: str, default: int) -> int:
    words = shlex.split(line, comments=True)
    return int(words[words.index("--port") + 1]) if "--port" in words else default


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def _rows(line: str, stdout: str, folder: Path) -> int:
    """The rows a command gave: lines on stdout, plus the records of a file it wrote."""
    words = shlex.split(line, comments=True)
    rows = len([x for x in stdout.splitlines() if x.strip() and x.strip() != "no match"])
    written = [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-o", "--output", ">")]
    for name in written:
        path = folder / name
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            rows += pq.read_table(path).num_rows
        elif path.name.endswith((".warc", ".warc.gz")):
            from warcio.archiveiterator import ArchiveIterator

            with path.open("rb") as stream:
                rows += sum(r.rec_type == "response" for r in ArchiveIterator(stream))
        elif path.suffix == ".gz":
            import gzip

            data = gzip.decompress(path.read_bytes()).decode("utf-8-sig").splitlines()
            rows += len(data) - (1 if ".csv" in path.name else 0)
        else:
            data = path.read_text(encoding="utf-8-sig").splitlines()
            rows += len(data) - (1 if path.suffix == ".csv" else 0)
    return rows


def test_the_readme_has_examples_to_run() -> None:
    lines = commands()
    assert lines[0] == "scraper demo"
    assert len(lines) >= 25 and len(blocks("sql")) == 1


def test_every_readme_example_runs_on_the_demo_archive(shell: tuple[Path, dict[str, str]]) -> None:
    folder, env = shell
    background: list[subprocess.Popen] = []
    try:
        for line in commands():
            if line.endswith("&") or line.startswith(SERVERS):
                command = line.rstrip("&").strip()
                process = subprocess.Popen(
                    ["bash", "-c", command], cwd=folder, env=env, start_new_session=True,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                )  # fmt: skip
                background.append(process)
                _wait_for(_port(command, 8001), process)
                if line.startswith(SERVERS):  # it serves: stop it (the next one takes the port)
                    _stop(process)
                continue
            result = subprocess.run(
                ["bash", "-c", line], cwd=folder, env=env, capture_output=True, text=True,
                timeout=180,
            )  # fmt: skip
            assert result.returncode == 0, (line, result.stderr)
            assert "Traceback" not in result.stderr, (line, result.stderr)
            words = shlex.split(line, comments=True)
            if words[:2] == ["sqlite-utils", "search"]:  # the archive's plain-text index
                assert json.loads(result.stdout), (line, result.stdout)
            if "scraper" in words:
                command = words[words.index("scraper") + 1]
                if command not in NO_ROWS:
                    assert _rows(line, result.stdout, folder) >= 1, (line, result.stdout)
    finally:
        for process in background:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
    process.wait(timeout=10)


def test_every_readme_sql_query_returns_rows(shell: tuple[Path, dict[str, str]]) -> None:
    folder, env = shell
    db = folder / "archive.db"
    if not db.exists():
        subprocess.run(["scraper", "demo", "--port", "0"], cwd=folder, env=env, check=True,
                       capture_output=True, timeout=180)  # fmt: skip
    [sql] = blocks("sql")
    statements = [s for s in sql.split(";") if s.strip()]
    with sqlite3.connect(db) as conn:
        for statement in statements:
            assert conn.execute(statement).fetchall(), statement


def test_every_crawl_option_has_a_line_in_the_readme() -> None:
    from scraper.cli import main

    readme = README.read_text(encoding="utf-8")
    crawl = main.get_command(None, "crawl")
    assert crawl is not None
    for param in crawl.params:
        if getattr(param, "hidden", False):
            continue
        for opt in [*param.opts, *param.secondary_opts]:
            if opt.startswith("--") and opt != "--help":
                assert f"`{opt}" in readme, opt
    assert "python -m scraper.mirror" in readme
