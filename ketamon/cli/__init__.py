"""The `ketamon` command. Opening the board (the default: no command, or `run`) takes a
light path: the sign-in window is on the screen before the data layer is imported (issue
19: SQLAlchemy's import alone was half the wait); every other command loads
ketamon.cli.commands, which holds them."""

from __future__ import annotations

import importlib
import sys
from typing import Any

_NOT_THE_BOARD = object()
EXIT_ERROR = 1  # ketamon.cli.commands.EXIT_ERROR: a clear message on stderr, nothing changed


def _board_url(argv: list[str]) -> object:
    """The --db of a plain start of the board (None: the default database), or
    _NOT_THE_BOARD for any other command, --help, --version or anything unexpected (the
    full parser then says what is wrong). Read by hand: argparse would print its usage."""
    url: str | None = None
    seen_run = seen_db = False
    tokens = iter(argv)
    for token in tokens:
        if token == "run" and not seen_run:
            seen_run = True
        elif token == "--db" and not seen_db:
            url, seen_db = next(tokens, None), True
            if url is None or url.startswith("-"):
                return _NOT_THE_BOARD
        elif token.startswith("--db=") and not seen_db:
            url, seen_db = token.removeprefix("--db="), True
        else:
            return _NOT_THE_BOARD
    return url


def _prepare_board(url_arg: str | None) -> str:
    """Run off the GUI thread while the sign-in window is shown: the data layer imported,
    logging set up, the database URL resolved (its faults raise StorageError)."""
    from ketamon.cli.commands import prepare_board

    return prepare_board(url_arg)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    url_arg = _board_url(args)
    if url_arg is not _NOT_THE_BOARD:
        from ketamon.ui.launch import launch

        return launch(lambda: _prepare_board(url_arg), EXIT_ERROR)  # type: ignore[arg-type]
    from ketamon.cli.commands import main as run_command

    return run_command(args)


def __getattr__(name: str) -> Any:
    """The exit codes and helpers kept in ketamon.cli.commands, by their old names."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(importlib.import_module("ketamon.cli.commands"), name)
