"""`loyalty-desktop server ...`: serve, migrate, tenants, pairing codes, terminals, restore.

`register_server_commands(subparsers)` adds the `server` command to any argparse parser; each
leaf sets `func(args) -> int` (exit code), prints text or `--json`, and reports a
LoyaltyError as {"code", "message"} on stderr with the error's exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from loyalty_desktop.domain.errors import LoyaltyError

DB_ENV = "LOYALTY_SERVER_DB"  # the same variable the worker processes read
DEFAULT_PORT = 8765


Arg = tuple[str, dict[str, Any]]
Handler = Callable[[argparse.Namespace], Any]


def _admin() -> Any:
    """The admin functions, imported when a command runs: every CLI start (the counter's
    `open` too) builds this parser, and the server's modules (FastAPI, psycopg, numpy) cost
    more than a second to import on a cold start."""
    from . import admin

    return admin


def _report() -> Any:
    """The chain report commands, imported when one runs (see `_admin`)."""
    from . import report_cli

    return report_cli


# (group, command, help, handler, arguments): the admin commands, each one admin function.
ADMIN_COMMANDS: tuple[tuple[str | None, str, str, Handler, tuple[Arg, ...]], ...] = (
    (None, "migrate", "create or upgrade the schema (as the owner)",
     lambda a: _admin().migrate(a.db, a.app_role, a.app_password),
     (("--app-role", {"help": "PostgreSQL role the server connects as"}),
      ("--app-password", {"help": "set that role's password"}))),
    ("tenant", "add", "create a tenant", lambda a: _admin().add_tenant(a.db, a.name),
     (("name", {}),)),
    ("tenant", "list", "list tenants", lambda a: _admin().list_tenants(a.db), ()),
    (None, "pairing-code", "print a one-time pairing code",
     lambda a: _admin().create_pairing_code(a.db, a.tenant, a.store, minutes=a.minutes),
     (("tenant", {"help": "tenant id or name"}),
      ("--store", {"help": "store the terminal will belong to"}),
      ("--minutes", {"type": int, "default": 15, "help": "validity (default 15)"}))),
    ("terminal", "list", "list a tenant's terminals",
     lambda a: _admin().list_terminals(a.db, a.tenant), (("tenant", {}),)),
    ("terminal", "revoke", "revoke a terminal's token",
     lambda a: _admin().revoke_terminal(a.db, a.tenant, a.terminal_id),
     (("tenant", {}), ("terminal_id", {}))),
    (None, "rollup", "fold new events into the report rollups",
     lambda a: _report().rollup(a.db, a.tenant),
     (("--tenant", {"help": "only this tenant (id or name)"}),)),
    ("report", "monthly", "the chain's monthly loyalty report (PDF with --out)",
     lambda a: _report().monthly(a.db, a.tenant, a.month, a.out, a.lang, a.json),
     (("tenant", {"help": "tenant id or name"}),
      ("--month", {"required": True, "help": "YYYY-MM (shop time)"}),
      ("--out", {"help": "write the PDF here"}),
      ("--lang", {"choices": ("tr", "en"), "default": "tr", "help": "PDF language"}))),
    (None, "mark-restored", "new instance id after restoring a backup",
     lambda a: _admin().mark_restored(a.db), ()),
    (None, "backup", "copy an SQLite server database",
     lambda a: _admin().backup_sqlite(a.db, a.destination), (("destination", {}),)),
    (None, "restore", "restore an SQLite backup (server stopped)",
     lambda a: _admin().restore_sqlite(a.backup, a.db), (("backup", {}),)),
)
GROUP_HELP = {"tenant": "tenants (a chain or a shop)", "terminal": "paired terminals",
              "report": "chain reports"}


def register_server_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add `server` and its subcommands to an argparse subparsers object."""
    server = subparsers.add_parser("server", help="central sync server and its administration")
    commands = server.add_subparsers(dest="server_command", required=True)
    serve = _command(commands, "serve", "run the HTTP server", _serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    serve.add_argument("--certfile", help="TLS certificate (PEM); serve HTTPS with --keyfile")
    serve.add_argument("--keyfile", help="TLS private key (PEM)")
    serve.add_argument(
        "--forwarded-allow-ips",
        help="trust X-Forwarded-For/-Proto only from these proxy addresses (comma separated)",
    )
    serve.add_argument("--workers", type=int, default=1, help="processes (PostgreSQL only)")
    groups: dict[str, Any] = {}
    for group, name, help_text, handler, arguments in ADMIN_COMMANDS:
        parent = commands
        if group is not None:
            if group not in groups:
                holder = commands.add_parser(group, help=GROUP_HELP[group])
                groups[group] = holder.add_subparsers(dest=f"{group}_command", required=True)
            parent = groups[group]
        leaf = _command(parent, name, help_text, handler)
        for flag, options in arguments:
            leaf.add_argument(flag, **options)
    return server


def _command(commands: Any, name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
    """A leaf command with --db and --json whose handler's result is printed."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
    parser.add_argument(
        "--db",
        default=os.environ.get(DB_ENV),
        help=f"database: SQLite file or postgresql:// URL (default ${DB_ENV})",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=lambda args: _run(handler, args))
    return parser


def _run(handler: Handler, args: argparse.Namespace) -> int:
    """Call a handler, print its result, turn a LoyaltyError into a message and exit code."""
    try:
        if not args.db:
            raise LoyaltyError(f"Give the database with --db or ${DB_ENV}.", code="db_missing")
        result = handler(args)
    except LoyaltyError as error:
        text = json.dumps(error.as_dict(), ensure_ascii=False) if args.json else error.message
        print(text, file=sys.stderr)
        return error.exit_code
    if result is not None:
        print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else _text(result))
    return 0


def _text(result: Any) -> str:
    """A result as plain lines for people."""
    if isinstance(result, list):
        return "\n".join(_text(item) for item in result) or "(none)"
    if isinstance(result, dict):
        if "code" in result:
            return f"{result['code']}  (valid until {result['expires_at']})"
        return "  ".join(f"{key}={value}" for key, value in result.items())
    return str(result)


def _serve(args: argparse.Namespace) -> None:
    """Run uvicorn until interrupted."""
    from .serve import serve

    serve(
        args.db,
        args.host,
        args.port,
        certfile=args.certfile,
        keyfile=args.keyfile,
        forwarded_allow_ips=args.forwarded_allow_ips, workers=args.workers,
    )


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point: `python -m loyalty_desktop.server serve --db ...`."""
    parser = argparse.ArgumentParser(prog="loyalty-desktop")
    register_server_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["server", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))
