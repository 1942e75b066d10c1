"""One convention for machine-readable output, the same for every command that prints records
(sqlite-utils' flags):

- ``--json``: one JSON array of objects;
- ``--nl``: one JSON object per line (newline-delimited JSON, JSONL);
- ``--csv`` / ``--tsv``: a header row, then one row per record; list and object values as
  JSON text, null as an empty cell.

Every format has the same columns in the same order (the keys of the records). Without a flag,
a command prints a table for people. The older spelling ``--format json|csv`` still works,
with a deprecation note on stderr (it is hidden from ``--help``).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click

from .._exceptions import EXIT_CODES

MACHINE_FORMATS = ("json", "nl", "csv", "tsv")
_HELP = {
    "json": "Output one JSON array.",
    "nl": "Output newline-delimited JSON (one object per line).",
    "csv": "Output CSV (a header row, then one row per record).",
    "tsv": "Output TSV (as --csv, tab-separated).",
}


def output_options(
    *, formats: Sequence[str] = MACHINE_FORMATS, legacy: dict[str, str] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--json --nl --csv --tsv`` (of ``formats``) as one parameter ``fmt`` ('table' when
    none is given); ``legacy`` maps the values of the old ``--format`` option to them (e.g.
    {'json': 'nl'}), kept working with a deprecation note."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        if legacy is not None:
            f = click.option(
                "--format",
                "legacy_format",
                type=click.Choice(["table", *legacy]),
                hidden=True,
                callback=_legacy(legacy),
                expose_value=False,
                is_eager=False,
            )(f)
        for name in reversed(formats):
            f = click.option(f"--{name}", "fmt", flag_value=name, help=_HELP[name])(f)
        return click.option("--table", "fmt", flag_value="table", default=True, hidden=True)(f)

    return decorate


def _legacy(mapping: dict[str, str]) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is None:
            return
        new = "table" if value == "table" else mapping[value]
        if new != "table":
            click.echo(f"scraper: note: --format {value} is deprecated; use --{new}", err=True)
        ctx.meta["legacy_format"] = new

    return callback


def chosen_format(fmt: str) -> str:
    """The format a command prints: ``fmt``, or what the old ``--format`` said."""
    ctx = click.get_current_context(silent=True)
    legacy = ctx.meta.get("legacy_format") if ctx is not None else None
    return legacy if legacy and fmt == "table" else fmt


def emit(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> int:
    """Print ``rows`` on stdout in ``fmt`` (json, nl, csv, tsv), streaming; ``columns`` picks
    and orders the keys (default: the first row's). Returns how many rows."""
    out = sys.stdout
    count = 0
    writer = None
    for row in rows:
        names = columns or list(row)
        if fmt in ("json", "nl"):
            text = json.dumps({n: row.get(n) for n in names}, ensure_ascii=False)
            if fmt == "json":
                out.write(("[" if count == 0 else ",\n ") + text)
            else:
                out.write(text + "\n")
        else:
            if writer is None:
                writer = csv.writer(
                    out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n"
                )
                writer.writerow(names)
                columns = names
            writer.writerow([cell(row.get(n)) for n in names])
        count += 1
    if fmt == "json":
        out.write("]\n" if count else "[]\n")
    elif writer is None and columns and fmt in ("csv", "tsv"):  # no row: the header alone
        csv.writer(out, delimiter="\t" if fmt == "tsv" else ",").writerow(columns)
    out.flush()
    return count


def cell(value: Any) -> Any:
    """A value as a CSV/TSV cell: lists and objects as JSON text, None empty."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def exit_codes_help() -> str:
    """The exit-code table for ``scraper --help`` (the same as README.md's)."""
    rows = "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())
    return (
        "\b\nMachine output, on every command that prints records:\n"
        "  --json (one array), --nl (one object a line), --csv, --tsv\n\n"
        "\b\nExit codes, the same for every command:\n" + rows
    )
