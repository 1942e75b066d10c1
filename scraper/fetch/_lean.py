"""Imported before httpx: httpx's ``__init__`` imports its command-line client (rich,
pygments and click: about 10 MB and a tenth of a CPU-second at every start of a crawl) unless
that import fails. The fetcher never uses it, so the import is made to fail; ``httpx.main``
then prints that the client is unavailable. Nothing is done when httpx is already loaded."""

from __future__ import annotations

import sys

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
