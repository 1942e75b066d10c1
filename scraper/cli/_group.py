"""The ``scraper`` command group: commands imported only when they run, and the error style.

Importing a command's module imports what it works with (the crawler and httpx, the store,
the extractors), so ``scraper --version``, ``scraper --help`` or a search would pay for all of
them before parsing an option. :class:`LazyGroup` knows its commands by name from a table of
import paths (``"module:attribute"``) and imports one when it is invoked, or asked for its own
help. The group's help lists every command with the summary kept in that table (a test checks
each against the command's docstring).

Errors: any :class:`~scraper.ScraperError` (and click's own usage errors) becomes one line,
``scraper: error: <message>``, and its exit code; never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any, NoReturn

import click

from .._exceptions import EXIT_USAGE, ScraperError


class CommandError(click.ClickException):
    """A one-line error for the user; ``exit_code`` says which kind."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class

    def show(self, file: Any = None) -> None:
        click.echo(f"scraper: error: {self.format_message()}", err=True)


def fail(message: str, exit_code: int = EXIT_USAGE) -> NoReturn:
    raise CommandError(message, exit_code)


class ScraperGroup(click.Group):
    """The command group: library errors become one line and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ScraperError as exc:
            raise CommandError(str(exc), exc.exit_code) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("prog_name", "scraper")
        try:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.exceptions.NoArgsIsHelpError as exc:  # `scraper` alone: the help
            click.echo(exc.ctx.get_help() if exc.ctx else "")
            sys.exit(EXIT_USAGE)
        except CommandError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            hint = f" (see 'scraper {exc.ctx.info_name} --help')" if exc.ctx else ""
            if exc.ctx and exc.ctx.parent is None:
                hint = " (see 'scraper --help')"
            click.echo(f"scraper: error: {exc.format_message()}{hint}", err=True)
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            click.echo(f"scraper: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("scraper: interrupted", err=True)
            sys.exit(130)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)


class LazyGroup(ScraperGroup):
    """A :class:`ScraperGroup` whose commands are ``{name: (import path, summary)}``, each
    imported on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.lazy, *self.commands})

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(load(self.lazy[cmd_name][0]), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``scraper --help``, from the table: no command is imported."""
        rows = [
            (name, self.lazy[name][1] if name in self.lazy else self._loaded_help(name))
            for name in self.list_commands(ctx)
        ]
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, _shorten(text, limit)) for name, text in rows])

    def _loaded_help(self, name: str) -> str:
        return self.commands[name].get_short_help_str(limit=1000)


def load(path: str) -> click.Command:
    """The click command at ``"package.module:attribute"``."""
    module, _, attribute = path.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{path} is not a click command")
    return command


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to ``limit`` characters, with "..." when cut (as click
    shortens a command's help)."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 3)].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "..."
