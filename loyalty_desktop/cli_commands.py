"""The CLI's commands: argument definitions and one small handler each."""

from __future__ import annotations

import argparse
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .cli import parse_int
from .domain.errors import InvalidInput, StoreError


@contextmanager
def opened(args: argparse.Namespace, require_shop: bool = True):
    """The terminal for one command, closed afterwards."""
    from .services import open_terminal

    term = open_terminal(args.data_dir)
    try:
        if require_shop:
            term.require_shop()
        yield term
    finally:
        term.close()


def at_of(args: argparse.Namespace, term: Any):
    """The operation's `--at` time in the shop's zone, or None for now."""
    from .domain.clock import parse_time

    if getattr(args, "at", None) is None:
        return None
    return parse_time(args.at, term.timezone)


def member_id_of(term: Any, query: str, at: Any = None) -> str:
    """Resolve --card (payload, card number, phone or name) to a member id."""
    return term.find_member(query, at=at)["member_id"]


# -- handlers ------------------------------------------------------------------------------
def cmd_init(args):
    with opened(args, require_shop=False) as term:
        return term.init_shop(args.shop, args.owner_name, args.owner_pin, language=args.language,
                              timezone=args.timezone)


def cmd_demo(args):
    from .demo import seed_demo

    with opened(args, require_shop=False) as term:
        return seed_demo(term, members=args.members, months=args.months, seed=args.seed)


def cmd_open(args):
    from .app import run_gui

    return run_gui(args.data_dir, demo=args.demo)


def cmd_member_enrol(args):
    consents = [c.strip() for c in (args.consent or "").split(",") if c.strip()]
    with opened(args) as term:
        return term.enrol(args.name, phone=args.phone, email=args.email, birthday=args.birthday,
                          referrer=args.referrer, consents=consents, at=at_of(args, term))


def cmd_member_show(args):
    with opened(args) as term:
        return term.find_member(args.query, at=at_of(args, term))


def cmd_member_search(args):
    with opened(args) as term:
        return term.search_members(args.text, limit=args.limit)


def cmd_member_block(args):
    with opened(args) as term:
        return term.block_card(member_id_of(term, args.card), args.manager_pin)


def cmd_member_reissue(args):
    with opened(args) as term:
        return term.reissue_card(term.find_member_any(args.card)["member_id"], args.manager_pin)


def cmd_member_merge(args):
    with opened(args) as term:
        return term.merge_members(member_id_of(term, args.keep), member_id_of(term, args.merge),
                                  args.manager_pin)


def cmd_member_export(args):
    with opened(args) as term:
        data = term.export_member(member_id_of(term, args.card))
    if args.out:
        Path(args.out).write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
        return {"exported_to": str(args.out)}
    return data


def cmd_member_erase(args):
    with opened(args) as term:
        return term.erase_member(member_id_of(term, args.card), args.manager_pin)


def cmd_sale(args):
    with opened(args) as term:
        at = at_of(args, term)
        member = member_id_of(term, args.card, at) if args.card else None
        result = term.sale(member, args.total, redeem_points=args.redeem_points,
                           wallet=args.wallet or 0, coupon=args.coupon,
                           idempotency_key=args.idempotency_key, at=at)
        if args.receipt:
            write_receipt(term, result, Path(args.receipt))
            result = {**result, "receipt": str(args.receipt)}
        return result


def write_receipt(term: Any, result: dict[str, Any], path: Path, refund: bool = False) -> None:
    """Render a sale or refund receipt PDF to a file."""
    from .printing.receipt import ReceiptContext, render_refund_receipt, render_sale_receipt

    shop = term.shop
    ctx = ReceiptContext(shop_name=shop["shop_name"], terminal_name=shop["terminal_name"],
                         cashier=result.get("cashier") or "-", lang=shop["language"],
                         timezone=shop["timezone"])
    if refund:
        pdf = render_refund_receipt(result, term.sale_detail(result["sale_id"]), ctx)
    else:
        pdf = render_sale_receipt(result, ctx)
    path.write_bytes(pdf)


def cmd_receipt(args):
    from .domain.errors import NotFound

    with opened(args) as term:
        try:
            result, refund = term.sale_detail(args.id), False
        except NotFound:
            result, refund = term.refund_detail(args.id), True
        write_receipt(term, result, Path(args.out), refund=refund)
        return {"receipt": str(args.out), "kind": "refund" if refund else "sale"}


def cmd_refund(args):
    with opened(args) as term:
        return term.refund(args.sale, amount=args.amount, manager_pin=args.manager_pin,
                           idempotency_key=args.idempotency_key, at=at_of(args, term))


def cmd_adjust(args):
    with opened(args) as term:
        at = at_of(args, term)
        return term.adjust(member_id_of(term, args.card, at), parse_int(args.points, "--points"),
                           args.reason, args.manager_pin, at=at)


def cmd_club_join(args):
    with opened(args) as term:
        at = at_of(args, term)
        return term.club_join(member_id_of(term, args.card, at), at=at)


def cmd_coupon_issue(args):
    with opened(args) as term:
        at = at_of(args, term)
        return term.issue_coupon(member_id_of(term, args.card, at), args.kind, args.manager_pin,
                                 at=at)


def cmd_coupon_list(args):
    with opened(args) as term:
        at = at_of(args, term)
        return term.coupons_of(member_id_of(term, args.card, at), at=at)


def cmd_feedback(args):
    with opened(args) as term:
        return term.feedback(args.sale, nps=args.nps, csat=args.csat, at=at_of(args, term))


def cmd_complaint(args):
    with opened(args) as term:
        member = member_id_of(term, args.card) if args.card else None
        return term.complaint(member, args.text, sale_id=args.sale)


def cmd_staff_add(args):
    with opened(args) as term:
        return term.add_staff(args.name, args.role, args.pin, by_pin=args.by_pin)


def cmd_staff_list(args):
    with opened(args) as term:
        return term.list_staff()


def cmd_backup(args):
    with opened(args) as term:
        return term.backup()


def cmd_restore(args):
    from .services.admin import backup_path
    from .services.terminal import restore_backup
    from .store.database import list_backups

    if args.latest:
        backups = list_backups(Path(args.data_dir))
        if not backups:
            raise InvalidInput("There is no backup to restore.", code="backup_unknown")
        source = backups[0]
    elif args.backup:
        source = backup_path(Path(args.data_dir), args.backup)
    else:
        raise InvalidInput("Name a backup or give --latest.", code="backup_unknown")
    restore_backup(args.data_dir, source)
    with opened(args, require_shop=False) as term:
        with term.transaction():
            term.audit("restore", source.name)
        return {"restored_from": str(source), "check": term.check()}


def cmd_check(args):
    with opened(args, require_shop=False) as term:
        report = term.check()
    if not report["ok"]:
        raise StoreError(f"Check failed: {json.dumps(report)}", code="check_failed")
    return report


def cmd_program_show(args):
    from .domain.program import program_to_dict

    with opened(args) as term:
        return program_to_dict(term.program) if args.json else _toml(term.program)


def _toml(program):
    from .domain.program import program_to_toml

    return program_to_toml(program)


def cmd_program_validate(args):
    from .domain.program import program_from_toml, program_to_dict

    text = _read(args.file)
    return {"valid": True, "program": program_to_dict(program_from_toml(text))}


def cmd_program_publish(args):
    with opened(args) as term:
        return term.publish_program(_read(args.file), args.owner_pin)


def _read(path: str) -> str:
    try:
        return Path(path).read_text("utf-8")
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror}.", code="file_unreadable") from None


def cmd_audit(args):
    with opened(args) as term:
        return term.audit_log(limit=args.limit)


def cmd_sales(args):
    with opened(args) as term:
        member = member_id_of(term, args.card) if args.card else None
        return term.sales(member_id=member, limit=args.limit)


# -- parser --------------------------------------------------------------------------------
def _leaf(sub, name: str, func, help_text: str):
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.set_defaults(func=func)
    # The global options also work after the command (`sale ... --json`).
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                   help="machine-readable JSON output")
    p.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="data directory")
    return p


def _group(sub, name: str, help_text: str):
    p = sub.add_parser(name, help=help_text, description=help_text)
    return p.add_subparsers(dest=f"{name}_cmd", metavar="SUBCOMMAND")


def register_open(sub) -> None:
    """The `open` command (alone when that is the command given: the window starts sooner)."""
    p = _leaf(sub, "open", cmd_open, "Open the counter window.")
    p.add_argument("--demo", action="store_true", help="open a ready demo shop")


def register(sub) -> None:
    """Every command of the CLI."""
    p = _leaf(sub, "init", cmd_init, "Set up a new shop on this terminal.")
    p.add_argument("--shop", required=True, help="shop name")
    p.add_argument("--owner-pin", required=True, help="owner's PIN (4-8 digits)")
    p.add_argument("--owner-name", default="Owner", help="owner's name")
    p.add_argument("--language", default="tr", choices=["tr", "en"])
    p.add_argument("--timezone", default="Europe/Istanbul")

    p = _leaf(sub, "demo", cmd_demo, "Seed a realistic demo shop (members, a year of sales).")
    p.add_argument("--members", type=int, default=2000)
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--seed", type=int, default=7)

    register_open(sub)

    m = _group(sub, "member", "Members: enrol, show, search, cards, KVKK.")
    p = _leaf(m, "enrol", cmd_member_enrol, "Enrol a member and issue a signed card.")
    p.add_argument("--name", required=True)
    p.add_argument("--phone")
    p.add_argument("--email")
    p.add_argument("--birthday", help="YYYY-MM-DD")
    p.add_argument("--referrer", help="the referrer's card number")
    p.add_argument("--consent", help="channels consented to, e.g. sms,email")
    p.add_argument("--at", help="time of the operation (ISO 8601; default now)")
    p = _leaf(m, "show", cmd_member_show, "Show a member by QR payload, card number, phone or name.")
    p.add_argument("query")
    p.add_argument("--at")
    p = _leaf(m, "search", cmd_member_search, "Search members (Turkish-aware).")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=20)
    p = _leaf(m, "block", cmd_member_block, "Block a lost card (manager PIN).")
    p.add_argument("--card", required=True)
    p.add_argument("--manager-pin", required=True)
    p = _leaf(m, "reissue", cmd_member_reissue, "Issue a new card; the old one is refused.")
    p.add_argument("--card", required=True)
    p.add_argument("--manager-pin", required=True)
    p = _leaf(m, "merge", cmd_member_merge, "Merge a duplicate member into another.")
    p.add_argument("--keep", required=True)
    p.add_argument("--merge", required=True)
    p.add_argument("--manager-pin", required=True)
    p = _leaf(m, "export", cmd_member_export, "Export a member's data (KVKK access request).")
    p.add_argument("--card", required=True)
    p.add_argument("--out")
    p = _leaf(m, "erase", cmd_member_erase, "Erase a member's personal data (KVKK).")
    p.add_argument("--card", required=True)
    p.add_argument("--manager-pin", required=True)

    p = _leaf(sub, "sale", cmd_sale, "Record a sale.")
    p.add_argument("--card", help="QR payload, card number, phone or name (omit: no member)")
    p.add_argument("--total", required=True, help="e.g. 1.234,56")
    p.add_argument("--redeem-points", type=int, default=0)
    p.add_argument("--wallet", help="amount paid from the wallet")
    p.add_argument("--coupon")
    p.add_argument("--idempotency-key")
    p.add_argument("--receipt", help="write the receipt PDF here")
    p.add_argument("--at")

    p = _leaf(sub, "refund", cmd_refund, "Refund all or part of a sale (manager PIN).")
    p.add_argument("--sale", required=True)
    p.add_argument("--amount", help="share of the sale's total to refund (default: the rest)")
    p.add_argument("--manager-pin", required=True)
    p.add_argument("--idempotency-key")
    p.add_argument("--at")

    p = _leaf(sub, "receipt", cmd_receipt, "Reprint a sale or refund receipt to a PDF.")
    p.add_argument("id", help="sale id or refund id")
    p.add_argument("--out", required=True)

    p = _leaf(sub, "adjust", cmd_adjust, "Adjust a member's points (manager PIN and reason).")
    p.add_argument("--card", required=True)
    p.add_argument("--points", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--manager-pin", required=True)
    p.add_argument("--at")

    c = _group(sub, "club", "The paid club.")
    p = _leaf(c, "join", cmd_club_join, "Join or renew the club for a member.")
    p.add_argument("--card", required=True)
    p.add_argument("--at")

    g = _group(sub, "coupon", "Coupons.")
    p = _leaf(g, "issue", cmd_coupon_issue, "Issue a campaign coupon (win_back, tier_upgrade).")
    p.add_argument("--card", required=True)
    p.add_argument("--kind", required=True, choices=["win_back", "tier_upgrade"])
    p.add_argument("--manager-pin", required=True)
    p.add_argument("--at")
    p = _leaf(g, "list", cmd_coupon_list, "A member's coupons usable now.")
    p.add_argument("--card", required=True)
    p.add_argument("--at")

    p = _leaf(sub, "feedback", cmd_feedback, "Record NPS/CSAT for a sale.")
    p.add_argument("--sale", required=True)
    p.add_argument("--nps", type=int)
    p.add_argument("--csat", type=int)
    p.add_argument("--at")

    p = _leaf(sub, "complaint", cmd_complaint, "Log a complaint.")
    p.add_argument("--text", required=True)
    p.add_argument("--card")
    p.add_argument("--sale")

    p = _leaf(sub, "sales", cmd_sales, "List recent sales.")
    p.add_argument("--card")
    p.add_argument("--limit", type=int, default=50)

    s = _group(sub, "staff", "Staff and PINs.")
    p = _leaf(s, "add", cmd_staff_add, "Add a staff member.")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["cashier", "manager", "owner"])
    p.add_argument("--pin", required=True)
    p.add_argument("--by-pin", required=True, help="PIN of the owner/manager adding them")
    _leaf(s, "list", cmd_staff_list, "List staff.")

    _leaf(sub, "backup", cmd_backup, "Write a backup now (rotating).")
    p = _leaf(sub, "restore", cmd_restore, "Restore a backup (the current data is kept aside).")
    p.add_argument("backup", nargs="?", help="backup file name")
    p.add_argument("--latest", action="store_true")
    _leaf(sub, "check", cmd_check, "Integrity and ledger consistency check.")

    g = _group(sub, "program", "The loyalty program document.")
    _leaf(g, "show", cmd_program_show, "Show the program in force (TOML).")
    p = _leaf(g, "validate", cmd_program_validate, "Validate a program file.")
    p.add_argument("file")
    p = _leaf(g, "publish", cmd_program_publish, "Publish a program file as the next version.")
    p.add_argument("file")
    p.add_argument("--owner-pin", required=True)

    p = _leaf(sub, "audit", cmd_audit, "Show the audit log.")
    p.add_argument("--limit", type=int, default=50)

    for extra in _optional_registrars():
        extra(sub)


def _optional_registrars():
    """Command groups of other packages (server, card printing, reports) when present."""
    out = []
    for module, name in (("loyalty_desktop.server.cli", "register_server_commands"),
                         ("loyalty_desktop.cli_more", "register"),
                         ("loyalty_desktop.cli_reports", "register")):
        try:
            mod = __import__(module, fromlist=[name])
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        out.append(getattr(mod, name))
    return out
