"""`loyalty-desktop`: admin commands over the same services as the counter screen.

Other programs (the shop's till, scripts) drive this CLI, so `--json` output is a contract:
amounts in kuruş as integers, times in ISO 8601 with offset. Exit code 2 for bad input,
1 for anything else, and `{"error": {"code": ..., "message": ...}}` with `--json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .domain.errors import InvalidInput, LoyaltyError
from .paths import default_data_dir

Handler = Callable[[argparse.Namespace], Any]


class CliError(LoyaltyError):
    """Bad command-line usage."""

    code = "usage"
    exit_code = 2


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors through our error path (JSON when asked)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message}")


def build_parser(command: str | None = None) -> Parser:
    """The whole command tree (every command is documented in the README); only the `open`
    command when that is `command` (the counter starts without building the other ~70)."""
    p = Parser(prog="loyalty-desktop", description="Loyalty Desktop terminal and admin commands.")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data directory (default: the OS application-data folder)")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND", parser_class=Parser)
    if command == "open":
        from .cli_commands import register_open

        register_open(sub)
        return p
    from .cli_commands import register

    register(sub)
    return p


def command_word(argv: Sequence[str]) -> str | None:
    """The command named in `argv`, past the global options (None when there is none)."""
    rest = list(argv)
    while rest:
        if rest[0] == "--data-dir" and len(rest) > 1:
            rest = rest[2:]
        elif rest[0] == "--json" or rest[0].startswith("--data-dir="):
            rest = rest[1:]
        else:
            return rest[0]
    return None


def emit(args: argparse.Namespace, result: Any) -> None:
    """Print a result as JSON or as readable lines."""
    if result is None:
        return
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
        return
    from .cli_format import human

    print(human(result))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    try:
        parser = build_parser(command_word(argv))
        args = parser.parse_args(argv)
        if args.data_dir is None:
            args.data_dir = default_data_dir()
        if not args.cmd:
            parser.print_help()
            return 2
        handler = getattr(args, "func", None)
        if handler is None:
            raise CliError(f"Incomplete command: {' '.join(argv)}. See --help.")
        result = handler(args)
        if isinstance(result, int) and not isinstance(result, bool):
            return result  # a handler that printed its own output (the server commands)
        emit(args, result)
        return 0
    except LoyaltyError as exc:
        _report(exc.as_dict(), exc.exit_code, as_json)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _report(error: dict[str, Any], code: int, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"error": error}, ensure_ascii=False))
    else:
        print(f"error: {error['message']}", file=sys.stderr)


def parse_int(text: str, what: str) -> int:
    """A whole number argument."""
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number, got {text!r}.",
                           code="invalid_number") from None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
