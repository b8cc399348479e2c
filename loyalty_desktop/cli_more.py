"""CLI commands that join the engine to printing and sync: `card print`, `pair`, `sync`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from .cli_commands import _group, _leaf, member_id_of, opened


def cmd_card_print(args):
    from .printing.cards import CardFace, render_cards_pdf, render_card_png

    with opened(args) as term:
        faces = []
        for query in args.card:
            m = term.member(member_id_of(term, query))
            if not m["card_payload"]:
                raise_missing(m)
            faces.append(CardFace(shop_name=term.shop["shop_name"], member_name=m["name"],
                                  card_number=m["card_number"], payload=m["card_payload"],
                                  lang=term.language))
    out = Path(args.out)
    if args.layout == "png":
        if len(faces) != 1:
            from .domain.errors import InvalidInput

            raise InvalidInput("A PNG holds one card: give one --card.", code="png_one_card")
        out.write_bytes(render_card_png(faces[0]))
    else:
        out.write_bytes(render_cards_pdf(faces, layout=args.layout))
    return {"cards": len(faces), "layout": args.layout, "out": str(out)}


def raise_missing(member):
    from .domain.errors import Refused

    raise Refused(f"Member {member['name']} has no signed card yet (enrolled offline on a "
                  "terminal without the issuer key).", code="card_not_signed")


def cmd_pair(args):
    from .services.sync_adapter import TerminalSyncStore
    from .sync.client import pair_terminal

    with opened(args) as term:
        paired = pair_terminal(TerminalSyncStore(term), args.url, args.code,
                               store_name=args.store, ca_file=args.ca_file)
        with term.transaction():
            term.audit("paired", paired.get("tenant_id"), after={"server": paired["server_url"]})
        return {k: v for k, v in paired.items() if k != "token"}


def cmd_sync(args):
    from .services.sync_adapter import TerminalSyncStore
    from .sync.client import SyncClient

    with opened(args) as term:
        with SyncClient(TerminalSyncStore(term)) as client:
            report = client.sync_once()
        return asdict(report)


def register(sub) -> None:
    """`card print`, `pair`, `sync`."""
    c = _group(sub, "card", "Membership cards.")
    p = _leaf(c, "print", cmd_card_print, "Print cards to a PDF (CR80 or A4 sheet) or a PNG.")
    p.add_argument("--card", action="append", required=True,
                   help="member (card number, phone, name or payload); repeat for several")
    p.add_argument("--layout", choices=["cr80", "a4", "png"], default="cr80")
    p.add_argument("--out", required=True)

    p = _leaf(sub, "pair", cmd_pair, "Pair this terminal with a central server (one-time code).")
    p.add_argument("url")
    p.add_argument("code")
    p.add_argument("--store", help="the shop/store this terminal belongs to")
    p.add_argument("--ca-file", help="CA certificate to trust for the server's TLS")

    _leaf(sub, "sync", cmd_sync, "Push this terminal's events and pull the others' now.")
