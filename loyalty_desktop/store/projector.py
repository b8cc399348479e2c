"""Applying an event: store it, append its ledger entries, update projections and caches.

The same function applies this terminal's own events and those pulled from the server, so a
sale has the same effect wherever it is applied, and applying it twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from .jsontext import canonical
from .sqlite_db import Database

from ..domain.ledger import Entry
from ..domain.text import fold
from .ledger_repo import (
    Known, absent_events, entry_from_data, insert_entry_data, insert_event, refresh_member,
)
from .rollups import RollupChanges, apply_rollups

ERASED_NAME = "[silindi / erased]"
PERSONAL_KINDS = ("member_enrolled", "member_updated", "consent_changed", "complaint")


def root_member(db: Database, member_id: str) -> str:
    """Follow merges to the member that now holds this ledger."""
    seen = {member_id}
    current = member_id
    while True:
        row = db.conn.execute("SELECT merged_into FROM members WHERE member_id = ?", [current]).fetchone()
        if row is None or row[0] is None or row[0] in seen:
            return current
        current = row[0]
        seen.add(current)


class Batch:
    """What the events applied in one transaction share: one event at the counter, a group of
    pulled events while catching up (the same code applies both). Used as a context: the
    rollup changes of its events are written when it closes.

    It keeps each member's root (followed once, until members merge), which of the batch's
    events are known not to be stored yet (one query for the batch instead of one per event),
    the pending rollup changes, and, for the caller to refresh the caches once at the end,
    the members the applied events touched (by root, or by the id `known` gives) and their
    new entries by member id, in applying order.
    """

    def __init__(self, db: Database, events: Iterable[dict[str, Any]] = ()) -> None:
        self.db = db
        self.roots: dict[str, str] = {}
        self.absent = absent_events(db, [e["id"] for e in events])
        self.rollups = RollupChanges()
        self.touched: set[str] = set()
        self.new: dict[str, list[Entry]] = {}
        self.merged = False  # the batch merged members (their folds are redone)

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if kind is None:
            self.rollups.write(self.db)

    def root(self, member_id: str) -> str:
        """The member holding this member's ledger now."""
        root = self.roots.get(member_id)
        if root is None:
            root = self.roots[member_id] = root_member(self.db, member_id)
        return root


def apply_event(db: Database, event: dict[str, Any], origin: str = "local",
                known: dict[str, Known] | None = None,
                result: dict[str, Any] | None = None,
                batch: Batch | None = None) -> bool:
    """Apply one event inside the caller's transaction; False if it was already applied.

    `known` may hold, per member (by the id that holds its ledger), the fold the caller already
    made with this event's entries (which sorted after the member's last entry): the caches
    are then refreshed without reading or folding the ledger again. `result` is the
    stored answer of a sale or refund (kept for reprints and idempotent replays). With an
    open `batch` (of events applied in one transaction), the touched members and their new
    entries are collected there instead (the caller refreshes each member once, at the end);
    without, the event is a batch of its own, and its members' caches are refreshed here.
    """
    if batch is None:
        with Batch(db) as batch:
            if not apply_event(db, event, origin, known, result, batch):
                return False
        for member in batch.touched:
            have = (known or {}).get(member)
            if have is not None and have.led is not None and batch.new.get(member):
                refresh_member(db, member, known=have)
            else:
                refresh_member(db, member)
        return True
    if not insert_event(db, event, origin, check=origin != "local", absent=batch.absent):
        return False
    payload = event["payload"]
    items = payload.get("entries", [])
    entries = [entry_from_data(event["id"], d) for d in items]
    insert_entry_data(db, event["id"], items)
    handler = _PROJECTORS.get(event["kind"])
    sale = None
    if handler is not None:
        sale = handler(batch, event,
                       {**payload, "result": result} if result is not None else payload)
    if event["kind"] == "member_merged":
        batch.roots.clear()
        batch.merged = True
    apply_rollups(db, event, entries, sale, batch.rollups)
    known = known or {}
    batch.touched.update(m if m in known else batch.root(m) for m in {e.member_id for e in entries})
    for e in entries:
        batch.new.setdefault(e.member_id, []).append(e)
    return True


def _set_fts(db: Database, member_id: str, name_fold: str, new: bool = False) -> None:
    """The member's row of the name search (`new`: a member just enrolled, who has none; the
    delete scans the whole search table, its member_id being unindexed)."""
    if not new:
        db.execute("DELETE FROM members_fts WHERE member_id = ?", [member_id])
    if name_fold:
        db.execute("INSERT INTO members_fts (member_id, name_fold) VALUES (?, ?)",
                   [member_id, name_fold])


def _enrolled(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    m = p["member"]
    db.execute(
        "INSERT INTO members (member_id, card_number, card_generation, name, name_fold, phone, "
        "email, birthday, referrer_id, consents, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [m["member_id"], m["card_number"], m["card_generation"], m["name"], fold(m["name"]),
         m.get("phone"), m.get("email"), m.get("birthday"), m.get("referrer_id"),
         json.dumps(m.get("consents", {}), sort_keys=True), event["at"]],
    )
    _set_fts(db, m["member_id"], fold(m["name"]), new=True)
    db.execute(
        "INSERT INTO cards (card_number, member_id, generation, status, payload, issued_at) "
        "VALUES (?,?,?,'active',?,?)",
        [m["card_number"], m["member_id"], m["card_generation"], m.get("card_payload"),
         event["at"]],
    )
    for channel, c in sorted(m.get("consents", {}).items()):
        _consent_row(db, event, m["member_id"], channel, c)


def _consent_row(db: Database, event: dict, member_id: str, channel: str, c: dict) -> None:
    db.execute(
        "INSERT INTO consents (member_id, channel, granted, at, wording_version, event_id) "
        "VALUES (?,?,?,?,?,?)",
        [member_id, channel, int(bool(c["granted"])), c.get("at", event["at"]),
         c["wording_version"], event["id"]],
    )


def _updated(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    fields = p["fields"]
    for key in ("name", "phone", "email", "birthday"):
        if key in fields:
            db.execute(f"UPDATE members SET {key} = ? WHERE member_id = ?",
                       [fields[key], p["member_id"]])
    if "name" in fields:
        db.execute("UPDATE members SET name_fold = ? WHERE member_id = ?",
                   [fold(fields["name"]), p["member_id"]])
        _set_fts(db, p["member_id"], fold(fields["name"]))


def _consent(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    row = db.execute("SELECT consents FROM members WHERE member_id = ?", [p["member_id"]]).fetchone()
    consents = json.loads(row[0]) if row else {}
    consents[p["channel"]] = {"granted": p["granted"], "wording_version": p["wording_version"],
                              "at": event["at"]}
    db.execute("UPDATE members SET consents = ? WHERE member_id = ?",
               [json.dumps(consents, sort_keys=True), p["member_id"]])
    _consent_row(db, event, p["member_id"], p["channel"], consents[p["channel"]])


def _card_blocked(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    db.execute("UPDATE cards SET status = 'blocked' WHERE card_number = ?", [p["card_number"]])
    db.execute("UPDATE members SET blocked = 1 WHERE member_id = ? AND card_number = ?",
               [p["member_id"], p["card_number"]])


def _card_reissued(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    db.execute("UPDATE cards SET status = CASE status WHEN 'blocked' THEN 'blocked' "
               "ELSE 'replaced' END WHERE member_id = ? AND card_number != ?",
               [p["member_id"], p["card_number"]])
    db.execute(
        "INSERT OR IGNORE INTO cards (card_number, member_id, generation, status, payload, "
        "issued_at) VALUES (?,?,?,'active',?,?)",
        [p["card_number"], p["member_id"], p["generation"], p.get("card_payload"), event["at"]],
    )
    db.execute("UPDATE members SET card_number = ?, card_generation = ?, blocked = 0 "
               "WHERE member_id = ?", [p["card_number"], p["generation"], p["member_id"]])


def _merged(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    db.execute("UPDATE members SET merged_into = ? WHERE member_id = ?",
               [p["keep_id"], p["merged_id"]])
    db.execute("DELETE FROM lots WHERE member_id = ?", [p["merged_id"]])
    db.execute("DELETE FROM balances WHERE member_id = ?", [p["merged_id"]])
    db.execute("UPDATE coupons SET member_id = ? WHERE member_id = ?",
               [p["keep_id"], p["merged_id"]])
    db.execute("DELETE FROM members_fts WHERE member_id = ?", [p["merged_id"]])
    refresh_member(db, root_member(db, p["keep_id"]))


def _erased(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    member_id = p["member_id"]
    db.execute(
        "UPDATE members SET name = ?, name_fold = '', phone = NULL, email = NULL, "
        "birthday = NULL, consents = '{}', erased_at = ? WHERE member_id = ?",
        [ERASED_NAME, event["at"], member_id],
    )
    db.execute("DELETE FROM members_fts WHERE member_id = ?", [member_id])
    marks = ",".join("?" * len(PERSONAL_KINDS))
    rows = db.execute(
        f"SELECT id, payload FROM events WHERE member_id = ? AND kind IN ({marks}) "
        "AND redacted = 0", [member_id, *PERSONAL_KINDS]).fetchall()
    for event_id, text in rows:
        kept = {k: v for k, v in json.loads(text).items() if k == "entries"}
        kept["redacted"] = True
        db.execute("UPDATE events SET payload = ?, redacted = 1 WHERE id = ?",
                   [json.dumps(kept, sort_keys=True), event_id])
    db.execute("UPDATE complaints SET text = '' WHERE member_id = ?", [member_id])


def _sale(b: Batch, event: dict, p: dict) -> tuple:
    """Store the sale row; its (member_id, at, total, refunded) as stored, for the rollups."""
    pricing = p["pricing"]
    row = b.db.conn.execute(
        "INSERT INTO sales (sale_id, member_id, at, total, money_paid, points_earned, "
        "idempotency_key, staff_id, terminal_id, pricing, result, refunded) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?, "
        "(SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE sale_id = ?)) "
        "RETURNING member_id, at, total, refunded",
        [event["id"], event.get("member_id"), event["at"], pricing["total"],
         pricing["money_paid"], pricing["points_earned"], p.get("idempotency_key"),
         p.get("staff_id"), event["terminal_id"], canonical(pricing),
         canonical(p.get("result", {})), event["id"]],
    ).fetchone()
    _coupons_from_entries(b, event, p)
    return row


def _coupons_from_entries(b: Batch, event: dict, p: dict) -> None:
    for e in p.get("entries", []):
        if e["kind"] == "coupon_issued":
            b.db.execute(
                "INSERT OR IGNORE INTO coupons (code, member_id, kind, issued_event, valid_until) "
                "VALUES (?,?,?,?,?)",
                [e["ref"], b.root(e["member_id"]), e["data"]["kind"], event["id"],
                 e["data"]["valid_until"]],
            )


def _refund(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    db.execute(
        "INSERT INTO refunds (refund_id, sale_id, at, amount, idempotency_key, staff_id, pricing, "
        "result) VALUES (?,?,?,?,?,?,?,?)",
        [event["id"], p["sale_id"], event["at"], p["pricing"]["amount"], p.get("idempotency_key"),
         p.get("staff_id"), json.dumps(p["pricing"], sort_keys=True),
         json.dumps(p.get("result", {}), sort_keys=True)],
    )
    db.execute("UPDATE sales SET refunded = refunded + ? WHERE sale_id = ?",
               [p["pricing"]["amount"], p["sale_id"]])


def _feedback(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    db.execute("INSERT INTO feedback (id, sale_id, member_id, at, nps, csat) VALUES (?,?,?,?,?,?)",
               [event["id"], p.get("sale_id"), event.get("member_id"), event["at"], p.get("nps"),
                p.get("csat")])


def _complaint(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    db.execute("INSERT INTO complaints (id, member_id, sale_id, at, text, kind) "
               "VALUES (?,?,?,?,?,?)",
               [event["id"], event.get("member_id"), p.get("sale_id"), event["at"], p["text"],
                p.get("complaint_kind", "complaint")])


def _issuer_key(b: Batch, event: dict, p: dict) -> None:
    """Learn another terminal's card-signing public key (its id may be another's too: a card
    is checked against every key with its id)."""
    b.db.execute("INSERT OR IGNORE INTO issuer_keys (key_id, public_key, private_key, created_at)"
                 " VALUES (?,?,NULL,?)", [p["key_id"], bytes.fromhex(p["public_key"]), event["at"]])


def _program(b: Batch, event: dict, p: dict) -> None:
    db = b.db
    db.execute("INSERT OR IGNORE INTO programs (version, doc, published_at, event_id) "
               "VALUES (?,?,?,?)", [p["version"], p["doc"], event["at"], event["id"]])


_PROJECTORS: dict[str, Callable[[Batch, dict, dict], Any]] = {
    "member_enrolled": _enrolled,
    "member_updated": _updated,
    "consent_changed": _consent,
    "card_blocked": _card_blocked,
    "card_reissued": _card_reissued,
    "member_merged": _merged,
    "member_erased": _erased,
    "sale": _sale,
    "refund": _refund,
    "coupon_issued": _coupons_from_entries,
    "feedback": _feedback,
    "complaint": _complaint,
    "program_published": _program,
    "issuer_key_published": _issuer_key,
}
