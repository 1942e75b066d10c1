"""The same story wherever it appears: copies of one text across sites (verbatim, rewritten,
cut to the lead) and its language editions, clustered into stories.

- :mod:`.sketch`: pure: fingerprints of texts (folded word shingles, a MOD-m sketch) and
  the verdict on two texts, with the thresholds;
- :mod:`.report`: what ``scraper stories``, ``scraper show`` and the reading room print;
- :mod:`.rebuild`: clustering a whole archive again (in one process, or fingerprints on Dask);
- ``scraper.store.stories``: the archive's half (candidates, membership, SQL).
"""

from __future__ import annotations

from .report import copies_of, largest, story_lines
from .sketch import Fingerprint, Match, compare, fingerprint

__all__ = ["Fingerprint", "Match", "compare", "copies_of", "fingerprint", "largest", "story_lines"]
