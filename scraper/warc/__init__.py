"""WARC in and out: a rotating writer (``crawl --warc``, ``export --format warc``) and a reader
of WARC/WARC.gz files, folders and globs (``backfill``). Both use warcio."""

from .reader import Capture, Problem, read_capture, read_warc, shards, warc_files
from .writer import DEFAULT_MAX_SIZE, WarcRecorder, WarcWriter, software_name, warc_date

__all__ = [
    "DEFAULT_MAX_SIZE",
    "Capture",
    "Problem",
    "WarcRecorder",
    "WarcWriter",
    "read_capture",
    "read_warc",
    "shards",
    "software_name",
    "warc_date",
    "warc_files",
]
