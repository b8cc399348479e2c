"""The CLI as other programs drive it: JSON contract, exit codes, every command documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from loyalty_desktop.cli import build_parser, main

README = Path(__file__).parents[2] / "README.md"


def run(capsys, *args):
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


@pytest.fixture
def shop(tmp_path, capsys):
    d = str(tmp_path / "d")
    assert run(capsys, "--data-dir", d, "init", "--shop", "Test Dükkân", "--owner-pin", "1234")[0] == 0
    assert run(capsys, "--data-dir", d, "staff", "add", "--name", "Müdür", "--role", "manager",
               "--pin", "5678", "--by-pin", "1234")[0] == 0
    return d


def test_json_contract_of_member_sale_refund(shop, capsys):
    code, m = run(capsys, "--data-dir", shop, "member", "enrol", "--name", "Çiğdem Işık",
                  "--phone", "05321234567", "--consent", "sms,email", "--at", "2026-01-01T10:00")
    assert code == 0
    for key in ("member_id", "card_number", "card_payload", "name", "tier", "points",
                "wallet_available", "wallet_pending", "qualifying_spend", "coupons", "club_until"):
        assert key in m
    code, s = run(capsys, "--data-dir", shop, "sale", "--card", m["card_payload"], "--total",
                  "1.234,56", "--at", "2026-01-02T10:00")
    assert code == 0
    for key in ("sale_id", "total", "discount", "points_redeemed", "wallet_used", "money_paid",
                "points_earned", "bonus_points", "cashback_pending", "coupons_issued",
                "tier_before", "tier_after", "member"):
        assert key in s
    assert s["total"] == 123456 and isinstance(s["member"]["points"], int)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00", s["at"])
    code, r = run(capsys, "--data-dir", shop, "refund", "--sale", s["sale_id"], "--amount",
                  "234,56", "--manager-pin", "5678", "--at", "2026-01-03T10:00")
    assert code == 0
    for key in ("refund_id", "money_refunded", "points_reversed", "points_restored",
                "cashback_cancelled", "member"):
        assert key in r
    code, shown = run(capsys, "--data-dir", shop, "member", "show", "+90 532 123 45 67")
    assert code == 0 and shown["member_id"] == m["member_id"]


def test_errors_exit_2_with_json_and_1_otherwise(shop, capsys, tmp_path):
    code, out = run(capsys, "--data-dir", shop, "sale", "--card", "Kimse", "--total", "10")
    assert code == 2 and out["error"]["code"] == "member_unknown"
    code, out = run(capsys, "--data-dir", shop, "sale", "--total", "1,234.56")
    assert code == 2 and out["error"]["code"] == "invalid_amount"
    code, out = run(capsys, "--data-dir", shop, "sale", "--bogus")
    assert code == 2 and out["error"]["code"] == "usage"
    code, out = run(capsys, "--data-dir", str(tmp_path / "empty"), "sale", "--total", "10")
    assert code == 1 and out["error"]["code"] == "not_initialised"


def _commands(parser=None, prefix=()):
    parser = parser or build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in action.choices.items():
            path = (*prefix, name)
            if sub._subparsers is not None:
                yield from _commands(sub, path)
            else:
                yield " ".join(path)


def test_every_command_is_documented_in_the_readme():
    text = README.read_text("utf-8")
    missing = [c for c in _commands() if f"loyalty-desktop {c}" not in text]
    assert not missing, f"commands missing from README.md: {missing}"
