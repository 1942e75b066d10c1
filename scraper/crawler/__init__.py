"""The crawler: one crawl job (``job``) around the engine (``engine.Crawler``), which holds the
frontier, asks ``fetch`` for pages, ``parse``s them (extraction + discovery) and writes to the
store; ``revisit`` says when an archived URL is read again, ``summary`` what a run did."""
