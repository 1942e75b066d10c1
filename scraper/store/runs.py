"""Sites and their crawl runs: what was crawled, when, with which options and outcome."""

from __future__ import annotations

import json
from typing import Any

from .connection import StoreBase, now_iso

KILLED = "killed before it could finish (no clean end recorded)"


class RunsMixin(StoreBase):
    """The sites of the archive and the record of each crawl of them."""

    def ensure_site(
        self,
        name: str,
        base_url: str,
        profile: str | None = None,
        timezone: str | None = None,
        timezone_source: str | None = None,
    ) -> int:
        """The id of site ``name``, created (or its base URL/profile updated) as needed.

        ``timezone`` comes from a profile or a setting (``timezone_source`` says which); when
        none is given, a timezone learned from the site's own dates is kept."""
        source = (timezone_source or "profile") if timezone else None
        with self.db.atomic():
            row = self.db.execute(
                "SELECT id, timezone_source FROM sites WHERE name = ?", [name]
            ).fetchone()
            if row:
                values: dict[str, object] = {"base_url": base_url, "profile": profile}
                if timezone or row[1] != "learned":
                    values.update(timezone=timezone, timezone_source=source)
                self._update("sites", int(row[0]), **values)
                return int(row[0])
            record = {
                "name": name,
                "base_url": base_url,
                "profile": profile,
                "timezone": timezone,
                "timezone_source": source,
                "created_at": now_iso(),
            }
            return self._write("sites", record)

    #: The collection run in progress (set by ``start_collection``): the site runs started
    #: meanwhile on this connection are recorded as part of it.
    collection_run: int | None = None

    def site_hosts(self, site_id: int) -> list[str]:
        """Other hosts the site was found to live on (a redirect of its start URL, home,
        sitemap or feed led there), in the order they were learned."""
        row = self.db.execute("SELECT hosts FROM sites WHERE id = ?", [site_id]).fetchone()
        return list(json.loads(row[0])) if row and row[0] else []

    def add_site_host(self, site_id: int, host: str) -> None:
        """Record that the site lives on ``host`` too (see :meth:`site_hosts`)."""
        with self.db.atomic():
            hosts = self.site_hosts(site_id)
            if host not in hosts:
                self._update("sites", site_id, hosts=json.dumps([*hosts, host]))

    def site_timezone(self, site_id: int) -> tuple[str | None, str | None]:
        """The site's timezone and how it was set (profile, setting, learned), or Nones."""
        row = self.db.execute(
            "SELECT timezone, timezone_source FROM sites WHERE id = ?", [site_id]
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_site_timezone(self, site_id: int, timezone: str, source: str) -> None:
        """Record the site's timezone and how it was learned."""
        with self.db.atomic():
            self._update("sites", site_id, timezone=timezone, timezone_source=source)

    def start_run(
        self,
        site_id: int | None,
        options: dict[str, Any],
        kind: str = "crawl",
        *,
        tag_changes: bool = True,
    ) -> int:
        """Record the start of a run of ``kind`` (crawl, backfill, import, reextract) on
        ``site_id`` (None: several sites); returns the run's id. With ``tag_changes`` the
        content this connection archives until :meth:`finish_run` carries the run's id
        (``articles.changed_run``); a re-extraction leaves it NULL."""
        record = {
            "site_id": site_id,
            "started_at": now_iso(),
            "status": "running",
            "options": json.dumps(options, ensure_ascii=False, default=str),
            "kind": kind,
            "collection_run": self.collection_run,
        }
        with self.db.atomic():
            run_id = self._write("crawl_runs", record)
        if tag_changes:
            self.run_id = run_id
        return run_id

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, int], message: str | None
    ) -> None:
        """Record how run ``run_id`` ended: its status, counts (columns of crawl_runs), message."""
        with self.db.atomic():
            self._update(
                "crawl_runs",
                run_id,
                **counts,
                status=status,
                finished_at=now_iso(),
                message=message,
            )
        if self.run_id == run_id:
            self.run_id = None

    def note_run(self, run_id: int, message: str) -> None:
        """Add a line to the message of finished run ``run_id`` (what its end revealed)."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE crawl_runs SET message = CASE WHEN message IS NULL OR message = ''"
                " THEN ? ELSE message || '; ' || ? END WHERE id = ?",
                [message, message, run_id],
            )

    def start_collection(self, sites: list[str], options: dict[str, Any]) -> int:
        """Record the start of a collection run of ``sites``; the site runs started on this
        connection until :meth:`finish_collection` belong to it. Returns its id; a
        collection run a killed process left ``running`` is marked interrupted first."""
        record = {
            "started_at": now_iso(),
            "status": "running",
            "sites": json.dumps(sites, ensure_ascii=False),
            "options": json.dumps(options, ensure_ascii=False, default=str),
        }
        with self.db.atomic():
            self.db.execute(
                "UPDATE collection_runs SET status = 'interrupted', message = ?"
                " WHERE status = 'running'",
                [KILLED],
            )
            self.collection_run = self._write("collection_runs", record)
        return self.collection_run

    def finish_collection(
        self, collection_id: int, status: str, counts: dict[str, int], message: str | None
    ) -> None:
        """Record how collection run ``collection_id`` ended (counts: its columns)."""
        with self.db.atomic():
            self._update(
                "collection_runs",
                collection_id,
                **counts,
                status=status,
                finished_at=now_iso(),
                message=message,
            )
        if self.collection_run == collection_id:
            self.collection_run = None

    def _update(self, table: str, row_id: int, **values: object) -> None:
        assignments = ", ".join(f"{column} = ?" for column in values)
        self.db.execute(
            f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), row_id]
        )

    def interrupt_stale_runs(self, site_id: int | None, message: str = KILLED) -> int:
        """Close the runs a killed process left ``running`` on ``site_id`` (None: the runs
        over several sites; call it holding the archive's lock, so that no live run can be
        among them); returns how many there were."""
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE crawl_runs SET status = 'interrupted', message = ? "
                "WHERE site_id IS ? AND status = 'running'",
                [message, site_id],
            )
        return cursor.rowcount

    def site_id(self, name: str) -> int | None:
        """The id of site ``name``, None when the archive has none of that name."""
        row = self.db.execute("SELECT id FROM sites WHERE name = ?", [name]).fetchone()
        return int(row[0]) if row else None

    def last_run_status(self, site_id: int) -> str | None:
        row = self.db.execute(
            "SELECT status FROM crawl_runs WHERE site_id = ? ORDER BY id DESC LIMIT 1", [site_id]
        ).fetchone()
        return row[0] if row else None
