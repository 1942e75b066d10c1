"""``python -m scraper`` is the ``scraper`` command."""

from scraper.cli import main

main()
