"""The Dask engine: a real LocalCluster with two process workers gives the local archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.scale.backfill import backfill

from .test_backfill import archive_state
from .warc_samples import many_articles, mixed_warc

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("scale-warcs")
    return [*many_articles(folder, 300, files=2), mixed_warc(folder)]


def test_the_dask_engine_gives_the_archive_of_the_local_engine(
    warcs: list[Path], tmp_path: Path
) -> None:
    local = backfill(warcs, tmp_path / "local.db", shard_size=15_000)
    distributed = backfill(warcs, tmp_path / "dask.db", shard_size=15_000, engine="dask", workers=2)
    assert distributed.shards == local.shards > 4
    for key in ("records", "kept", "new", "updated", "unchanged", "skipped", "problems"):
        assert getattr(distributed, key) == getattr(local, key), key
    assert distributed.peak_worker_rss > 0
    assert archive_state(tmp_path / "dask.db") == archive_state(tmp_path / "local.db")


def test_reextract_with_the_dask_engine(warcs: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    backfill(warcs, db)
    before = archive_state(db)
    result = CliRunner().invoke(
        main, ["reextract", "--db", str(db), "--engine", "dask", "--workers", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output.strip().splitlines()[-1])
    assert counts["pages"] == counts["unchanged"] == 303
    assert archive_state(db) == before
