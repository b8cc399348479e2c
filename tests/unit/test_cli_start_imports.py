"""Every CLI start (the counter's `open` too) builds the whole command tree; it must not pull in
the server's or the reports' heavy libraries: on a cold start FastAPI, pydantic, psycopg and
numpy took more than a second before the window could appear."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("fastapi", "pydantic", "psycopg", "numpy", "reportlab", "uvicorn", "cryptography")


def test_building_the_cli_parser_imports_nothing_heavy() -> None:
    code = ("import json, sys\n"
            "from loyalty_desktop.cli import build_parser\n"
            "parser = build_parser()\n"
            "parser.parse_args(['server', 'tenant', 'list', '--db', 'x.db'])\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_server_commands_load_their_modules_when_run(tmp_path, capsys) -> None:
    from loyalty_desktop.server.cli import main

    db = tmp_path / "server.db"
    assert main(["migrate", "--db", str(db)]) == 0
    assert main(["tenant", "add", "Zincir Kahve", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["tenant", "list", "--db", str(db), "--json"]) == 0
    assert [t["name"] for t in json.loads(capsys.readouterr().out)] == ["Zincir Kahve"]


def test_open_builds_only_its_own_command() -> None:
    code = ("import json, sys\n"
            "from loyalty_desktop.cli import build_parser, command_word\n"
            "argv = ['--data-dir', 'x', 'open', '--demo']\n"
            "args = build_parser(command_word(argv)).parse_args(argv)\n"
            "print(json.dumps([args.cmd, args.demo, [m for m in ('loyalty_desktop.server.cli',"
            " 'loyalty_desktop.cli_more', 'loyalty_desktop.cli_reports') if m in sys.modules]]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == ["open", True, []]


def test_the_command_word_skips_the_global_options() -> None:
    from loyalty_desktop.cli import command_word

    assert command_word(["--data-dir", "d", "--json", "open"]) == "open"
    assert command_word(["--data-dir=d", "sale", "x"]) == "sale"
    assert command_word(["--json"]) is None
    assert command_word([]) is None
