"""``python -m scraper.mirror [--host H] [--port N]``: serve the bundled mirror until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib

from scraper.mirror import default_site
from scraper.mirror.server import MirrorServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scraper.mirror", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    server = MirrorServer(default_site(), host=args.host, port=args.port, quiet=not args.verbose)
    print(f"sahara.ma mirror on {server.base_url}/ar/  (Ctrl-C stops)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
