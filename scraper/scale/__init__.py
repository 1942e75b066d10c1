"""Archives from stored captures, at scale: ``backfill`` (WARC files -> archive), ``reextract``
(stored pages -> records again), ``merge`` (``scraper import``), ``batch`` (saved pages ->
records), ``cluster`` (the Dask engine's one map)."""
