"""``scraper serve``: Datasette metadata, its search box folding Arabic, and a real headless
Chromium searching an unvocalized word and seeing the (vocalized) article.

The browser is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: file
descriptors 3 and 4, NUL-separated JSON), so no browser download, driver or websocket library
is needed: only Debian's ``chromium`` package.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from scraper.article import Article
from scraper.store import Store

pytest.importorskip("datasette", reason="Datasette (the datasette extra) is not installed")

from scraper.web.serve import make_app, metadata

CHROMIUM = Path("/usr/bin/chromium")
TZ = timezone(timedelta(hours=1))
BLUE_ECONOMY = "الإِقْتِصَادُ الأَزْرَقُ يَجْذِبُ المُسْتَثْمِرِينَ إِلَى مَوَانِئِ الجَنُوب"
FOOTBALL = "مباراة حاسمة في كرة القدم"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("serve") / "archive.db"
    with Store(db) as s:
        site = s.ensure_site("news.example", "https://news.example/")
        s.save_article(
            site,
            Article(
                url="https://news.example/ar/blue-economy/",
                language="ar",
                title=BLUE_ECONOMY,
                body="أَكَّدَ المَسْؤُولُونَ أَنَّ المَشَارِيعَ سَتُعَزِّزُ التَّشْغِيلَ بِالجِهَةِ.",
                categories=["اقتصاد"],
                tags=["موانئ"],
                published_at=datetime(2025, 11, 25, 10, 0, tzinfo=TZ),
            ),
        )
        s.save_article(
            site,
            Article(
                url="https://news.example/ar/football/",
                language="ar",
                title=FOOTBALL,
                body="فاز الفريق المحلي بهدفين.",
                categories=["رياضة"],
                published_at=datetime(2025, 11, 26, 20, 0, tzinfo=TZ),
            ),
        )
    return db


def test_metadata_describes_the_archive(archive: Path) -> None:
    meta = metadata(archive)
    tables = meta["databases"]["archive"]["tables"]
    for table in ("articles", "revisions", "pages", "sites", "links", "article_list"):
        assert "columns" not in tables[table]  # on the /-/docs page, not above the data
        assert tables[table]["description_html"].endswith(
            f'<a href="/-/docs#{table}">What each column holds</a>.'
        )
    assert tables["articles"]["fts_table"] == "articles_fts"
    assert tables["article_list"]["facets"][:3] == ["site", "language", "section"]
    assert {"array": "tags"} in tables["article_list"]["facets"]
    assert tables["articles_fts"]["hidden"] is True
    assert "scraper_match(:q)" in meta["databases"]["archive"]["queries"]["search"]["sql"]


def test_datasette_search_box_folds_arabic_and_clitics(archive: Path) -> None:
    datasette = make_app(archive)

    async def titles(path: str) -> list[str]:
        response = await datasette.client.get(path)
        assert response.status_code == 200, response.text
        return [row["title"] for row in response.json()]

    async def go() -> None:
        await datasette.invoke_startup()
        for word in ("اقتصاد", "الاقتصاد", "والاقتصاد", "الإقتصاد", "الأزرق", "موانئ"):
            assert await titles(f"/archive/articles.json?_search={word}&_shape=array") == [
                BLUE_ECONOMY
            ], word
        assert await titles("/archive/article_list.json?_search=القدم&_shape=array") == [FOOTBALL]
        assert await titles("/archive/search.json?q=بالاقتصاد&_shape=array") == [BLUE_ECONOMY]
        folded = await datasette.client.get(
            "/archive.json?sql=select+scraper_fold('الإِقْتِصَادُ')+as+f&_shape=array"
        )
        assert folded.json() == [{"f": "الاقتصاد"}]
        broken = await datasette.client.get(
            '/archive/articles.json?_search="unbalanced&_shape=array'
        )
        assert broken.status_code == 200  # the search box never errors: words searched as plain

    asyncio.run(go())


# ---------------------------------------------------------------------- the browser
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)


class Browser:
    """Headless Chromium driven with the DevTools protocol over fds 3 (in) and 4 (out)."""

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._out = os.pipe()
        self._in, from_chrome_w = os.pipe()

        def wire_pipes() -> None:  # in the child: our pipe ends become fds 3 and 4
            high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=wire_pipes,  # the test process has no other threads
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for i, message in enumerate(self.events):
                if message.get("method") == event:
                    del self.events[: i + 1]
                    return message
            self.events.append(self._read(deadline))

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._in], [], [], remaining)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session,
        )
        return result["result"].get("value")

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.send("Browser.close")
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._in)
        os.close(self._out)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server_process(archive: Path) -> Iterator[str]:
    """``scraper serve`` on ``archive`` in a subprocess, on a free loopback port: its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "serve", "--db", str(archive), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"scraper serve did not start: {err[-500:]}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def server(archive: Path) -> Iterator[str]:
    with server_process(archive) as base:
        yield base


@pytest.mark.network
@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium (Debian package 'chromium')"
)
def test_a_browser_search_for_an_unvocalized_word_finds_the_article(server: str) -> None:
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(Path(profile))
        try:
            target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            browser.send("Page.enable", session=session)
            browser.send("Page.navigate", {"url": f"{server}/archive/articles"}, session)
            browser.wait_for("Page.loadEventFired")
            assert FOOTBALL in browser.evaluate(session, "document.body.innerText")
            # type an unvocalized word, with plain alef, into the search box and submit
            browser.events.clear()
            submitted = browser.evaluate(
                session,
                """(() => {
                    const box = document.querySelector('input[name="_search"]');
                    if (!box) return false;
                    box.value = 'اقتصاد';
                    box.form.requestSubmit();
                    return true;
                })()""",
            )
            assert submitted, "the articles page has no search box"
            browser.wait_for("Page.loadEventFired")
            page = browser.evaluate(session, "document.body.innerText")
            location = browser.evaluate(session, "location.href")
        finally:
            browser.close()
    assert "_search=" in location
    assert BLUE_ECONOMY in page  # the article, shown with its diacritics
    assert FOOTBALL not in page
    assert "1 row" in page
