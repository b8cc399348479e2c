"""Members: enrol, find (card, QR, phone, name), view, edit, cards, merge, KVKK export and erase."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from ..domain import cards as cardrules
from ..domain.clock import to_db
from ..domain.coupons import birthday_offer, birthday_year_due
from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.ids import derived_id, uuid7
from ..domain.ledger import Entry, MemberLedger, MemberView, view
from ..domain.text import fold as fold_text
from ..domain.text import normalize_phone
from ..store.ledger_repo import current_ledger
from ..store.projector import root_member
from .core import TerminalCore
from .member_json import member_object

CHANNELS = ("sms", "email")
CONSENT_WORDING = "2026-11-v1"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_birthday(text: str | None) -> str | None:
    """A birthday as YYYY-MM-DD, not in the future and not absurdly old."""
    if text is None or str(text).strip() == "":
        return None
    try:
        day = date.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidInput(f"Birthday {text!r} is not a date; write it like 1990-03-14.",
                           code="invalid_birthday") from None
    if day > date.today() or day.year < 1900:
        raise InvalidInput(f"Birthday {text!r} is not a plausible date.", code="invalid_birthday")
    return day.isoformat()


def parse_email(text: str | None) -> str | None:
    """An e-mail address, or None."""
    if text is None or text.strip() == "":
        return None
    value = text.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidInput(f"E-mail {text!r} is not an e-mail address.", code="invalid_email")
    return value


class MembersMixin(TerminalCore):
    """Member use cases."""

    # -- reading ------------------------------------------------------------------------------
    def _member_row(self, member_id: str) -> dict[str, Any]:
        cur = self.db.conn.execute("SELECT * FROM members WHERE member_id = ?", [member_id])
        row = cur.fetchone()
        if row is None:
            raise NotFound("No such member.", code="member_unknown")
        return dict(zip([d[0] for d in cur.description], row))

    def _ledger(self, member_id: str) -> MemberLedger:
        return current_ledger(self.db, member_id)[0]

    def _view(self, member_id: str, at: datetime) -> tuple[MemberLedger, MemberView]:
        led = self._ledger(member_id)
        return led, view(led, at, self.program)

    def _root_row(self, member_id: str) -> dict[str, Any]:
        """The members row holding this member's ledger (merges followed), with the QR payload
        of its card: one query for the usual member that was never merged."""
        def fetch(one: str) -> dict[str, Any]:
            cur = self.db.conn.execute(
                "SELECT m.*, c.payload AS card_payload FROM members m LEFT JOIN cards c "
                "ON c.card_number = m.card_number WHERE m.member_id = ?", [one])
            row = cur.fetchone()
            if row is None:
                raise NotFound("No such member.", code="member_unknown")
            return dict(zip([d[0] for d in cur.description], row))

        found = fetch(member_id)
        return found if found["merged_into"] is None else fetch(root_member(self.db, member_id))

    def member(self, member_id: str, at: datetime | None = None) -> dict[str, Any]:
        """The member object (docs/contracts.md) valued at a moment."""
        row = self._root_row(member_id)
        moment = self.moment(at)
        _, v = self._view(row["member_id"], moment)
        return self._member_from(row, v)

    def _member_from(self, row: dict[str, Any], v: MemberView) -> dict[str, Any]:
        """The member object from a members row and a valued ledger."""
        if "card_payload" in row:
            payload = row["card_payload"]
        else:
            found = self.db.conn.execute("SELECT payload FROM cards WHERE card_number = ?",
                                         [row["card_number"]]).fetchone()
            payload = found[0] if found else None
        return member_object(row, v, self.program, self.timezone, payload)

    def _usable_member(self, member_id: str) -> dict[str, Any]:
        """A member the counter may sell to (not erased, not blocked)."""
        row = self._root_row(member_id)
        if row["erased_at"]:
            raise Refused("This member's data was erased.", code="member_erased")
        if row["blocked"]:
            raise Refused("This member's card is blocked; issue a new card first.",
                          code="card_blocked")
        return row

    def find_member(self, query: str, at: datetime | None = None) -> dict[str, Any]:
        """Find one member by QR payload, card number, phone or exact (folded) name."""
        text = (query or "").strip()
        if not text:
            raise InvalidInput("Type a card number, phone or name.", code="empty_query")
        digits = re.sub(r"[\s-]", "", text)
        if cardrules.looks_like_payload(digits):
            return self.scan(digits, at=at)
        if digits.isdigit() and len(digits) == 16:
            return self.member(self._by_card_number(cardrules.parse_card_number(digits)), at)
        if re.fullmatch(r"\+?[\d\s()\-]{10,18}", text):
            phone = normalize_phone(text)
            row = self.db.execute("SELECT member_id FROM members WHERE phone = ? AND erased_at "
                                  "IS NULL AND merged_into IS NULL", [phone]).fetchall()
            if len(row) == 1:
                return self.member(row[0][0], at)
            if not row:
                raise NotFound(f"No member with phone {phone}.", code="member_unknown")
            raise Refused(f"{len(row)} members share phone {phone}; search by name or card.",
                          code="ambiguous_member")
        rows = self.db.execute("SELECT member_id FROM members WHERE name_fold = ? AND merged_into "
                               "IS NULL", [fold_text(text)]).fetchall()
        if len(rows) == 1:
            return self.member(rows[0][0], at)
        if not rows:
            raise NotFound(f"No member called {text!r}.", code="member_unknown")
        raise Refused(f"{len(rows)} members are called {text!r}; use the card or the phone.",
                      code="ambiguous_member")

    def find_member_any(self, query: str) -> dict[str, Any]:
        """Like find_member, but also finds the member of a blocked or replaced card."""
        digits = re.sub(r"[\s-]", "", (query or "").strip())
        number = None
        if cardrules.looks_like_payload(digits):
            number = cardrules.verify_card_payload(digits, self._public_keys()).card_number
        elif digits.isdigit() and len(digits) == 16:
            number = cardrules.parse_card_number(digits)
        if number is None:
            return self.find_member(query)
        row = self.db.execute("SELECT member_id FROM cards WHERE card_number = ?",
                              [number]).fetchone()
        if row is None:
            raise NotFound("No member has this card number.", code="card_unknown")
        return self.member(root_member(self.db, row[0]))

    def _by_card_number(self, card_number: str) -> str:
        row = self.db.execute("SELECT member_id, status FROM cards WHERE card_number = ?",
                              [card_number]).fetchone()
        if row is None:
            raise NotFound("No member has this card number.", code="card_unknown")
        if row[1] == "blocked":
            raise Refused("This card is blocked (reported lost).", code="card_blocked")
        if row[1] == "replaced":
            raise Refused("This card was replaced by a newer one.", code="card_replaced")
        return root_member(self.db, row[0])

    def _public_keys(self) -> dict[int, list[bytes]]:
        """Every known card-signing key by id (terminals of a chain may share an id)."""
        keys: dict[int, list[bytes]] = {}
        for key_id, public in self.db.execute("SELECT key_id, public_key FROM issuer_keys"):
            keys.setdefault(key_id, []).append(bytes(public))
        return keys

    def scan(self, payload: str, at: datetime | None = None) -> dict[str, Any]:
        """Verify a scanned card and show its member; refusals are audited."""
        moment = self.moment(at)
        try:
            card = cardrules.verify_card_payload(payload, self._public_keys())
            member_id = self._by_card_number(card.card_number)
            current = self.db.execute("SELECT generation FROM cards WHERE card_number = ?",
                                      [card.card_number]).fetchone()[0]
            if card.generation != current:
                raise Refused("This card was replaced by a newer one.", code="card_replaced")
        except (InvalidInput, NotFound, Refused) as exc:
            with self.transaction(durable=False):
                self.audit("scan_refused", None, after={"code": exc.code,
                                                         "payload_prefix": payload[:24]}, at=moment)
            raise
        self._issue_birthday_coupon(member_id, moment)
        return self.member(member_id, moment)

    def _issue_birthday_coupon(self, member_id: str, at: datetime) -> None:
        row = self._member_row(member_id)
        if not row["birthday"] or row["erased_at"]:
            return
        year = birthday_year_due(date.fromisoformat(row["birthday"]), at, self.program)
        if year is None:
            return
        code = cardrules.derived_coupon_code(f"{member_id}:birthday:{year}")
        if self.db.execute("SELECT 1 FROM coupons WHERE code = ?", [code]).fetchone():
            return
        offer = birthday_offer(date.fromisoformat(row["birthday"]), year, code, self.program)
        event_id = derived_id(member_id, "birthday", year)
        entry = Entry(id=f"{event_id}:000", event_id=event_id, member_id=member_id,
                      kind="coupon_issued", at=at, ref=code, data=offer.as_data())
        with self.transaction():
            self.record("coupon_issued", member_id, at, {"reason": "birthday", "year": year},
                        [entry], event_id=event_id)

    def search_members(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Turkish-aware search by name (substring), phone or card number."""
        query = (text or "").strip()
        if not query:
            return []
        digits = re.sub(r"[\s()+\-]", "", query)
        if digits.isdigit() and len(digits) >= 4:
            rows = self.db.execute(
                "SELECT member_id FROM members WHERE merged_into IS NULL AND erased_at IS NULL "
                "AND (card_number LIKE ? OR phone LIKE ?) LIMIT ?",
                [f"{digits}%", f"%{digits[-10:]}%", limit]).fetchall()
            return [self._summary(r[0]) for r in rows]
        words = fold_text(query).split()
        long_words = [w for w in words if len(w) >= 3]
        if long_words:
            match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
            sql = ("SELECT m.member_id FROM members_fts f JOIN members m USING (member_id) "
                   "WHERE members_fts MATCH ?")
            args: list[Any] = [match]
        else:
            sql = "SELECT m.member_id FROM members m WHERE m.merged_into IS NULL"
            args = []
        for w in words:
            if len(w) < 3:
                sql += " AND m.name_fold LIKE ?"
                args.append(f"%{w}%")
        sql += " AND m.merged_into IS NULL LIMIT ?"
        args.append(limit)
        return [self._summary(r[0]) for r in self.db.execute(sql, args).fetchall()]

    def _summary(self, member_id: str) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT member_id, name, phone, card_number, blocked FROM members "
            "WHERE member_id = ?",
            [member_id]).fetchone()
        return {"member_id": row[0], "name": row[1], "phone": row[2], "card_number": row[3],
                "blocked": bool(row[4])}

    # -- writing ------------------------------------------------------------------------------
    def enrol(self, name: str, phone: str | None = None, email: str | None = None,
              birthday: str | None = None, referrer: str | None = None,
              consents: tuple[str, ...] | list[str] = (), at: datetime | None = None,
              staff_id: str | None = None) -> dict[str, Any]:
        """Enrol a member and issue a signed card."""
        self.require_shop()
        moment = self.moment(at)
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("The member's name is empty.", code="invalid_name")
        phone_e164 = normalize_phone(phone) if phone else None
        unknown = [c for c in consents if c not in CHANNELS]
        if unknown:
            raise InvalidInput(f"Unknown consent channel(s): {', '.join(unknown)} "
                               f"(use {', '.join(CHANNELS)}).", code="invalid_consent")
        referrer_id = self._referrer(referrer, phone_e164) if referrer else None
        card_number = self._new_card_number()
        member_id = uuid7()
        key = self._signing_key()
        card_payload = cardrules.encode_card_payload(card_number, 1, key)
        member = {
            "member_id": member_id, "card_number": card_number, "card_generation": 1,
            "card_payload": card_payload, "name": name, "phone": phone_e164,
            "email": parse_email(email), "birthday": parse_birthday(birthday),
            "referrer_id": referrer_id,
            "consents": {c: {"granted": c in consents, "wording_version": CONSENT_WORDING,
                             "at": to_db(moment)} for c in CHANNELS},
        }
        with self.transaction():
            self.record("member_enrolled", member_id, moment, {"member": member})
            self.audit("member_enrolled", member_id, staff_id=staff_id, at=moment)
        self._issue_birthday_coupon(member_id, moment)
        return self.member(member_id, moment)

    def _referrer(self, referrer: str, phone: str | None) -> str:
        try:
            ref_id = self._by_card_number(cardrules.parse_card_number(referrer))
        except InvalidInput:
            raise InvalidInput("The referrer must be given by card number.",
                               code="invalid_referrer") from None
        ref_phone = self._member_row(ref_id)["phone"]
        if phone and ref_phone == phone:
            raise Refused("A member cannot refer themselves (same phone).", code="self_referral")
        return ref_id

    def _new_card_number(self) -> str:
        while True:
            number = cardrules.new_card_number(self.program.card_prefix)
            if not self.db.execute("SELECT 1 FROM cards WHERE card_number = ?", [number]).fetchone():
                return number

    def _signing_key(self) -> cardrules.IssuerKey:
        row = self.db.execute("SELECT key_id, public_key, private_key FROM issuer_keys "
                              "WHERE private_key IS NOT NULL ORDER BY key_id DESC LIMIT 1").fetchone()
        if row is None:
            raise Refused("This terminal cannot sign cards (no issuer key): enrol through the "
                          "server or the shop's main terminal.", code="no_issuer_key")
        return cardrules.IssuerKey(key_id=row[0], public_bytes=bytes(row[1]),
                                   private_bytes=bytes(row[2]))

    def update_member(self, member_id: str, at: datetime | None = None,
                      staff_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Edit name, phone, e-mail or birthday."""
        row = self._usable_member(member_id)
        clean: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "name":
                if not isinstance(value, str) or not value.strip():
                    raise InvalidInput("The member's name is empty.", code="invalid_name")
                clean[key] = value
            elif key == "phone":
                clean[key] = normalize_phone(value) if value else None
            elif key == "email":
                clean[key] = parse_email(value)
            elif key == "birthday":
                clean[key] = parse_birthday(value)
            else:
                raise InvalidInput(f"Field {key!r} cannot be edited.", code="invalid_field")
        moment = self.moment(at)
        before = {k: row[k] for k in clean}
        with self.transaction():
            self.record("member_updated", row["member_id"], moment,
                        {"member_id": row["member_id"], "fields": clean})
            self.audit("member_updated", row["member_id"], before=before, after=clean,
                       staff_id=staff_id, at=moment)
        return self.member(row["member_id"], moment)

    def set_consent(self, member_id: str, channel: str, granted: bool,
                    at: datetime | None = None) -> dict[str, Any]:
        """Record a consent given or withdrawn, with the wording version."""
        if channel not in CHANNELS:
            raise InvalidInput(f"Unknown consent channel {channel!r}.", code="invalid_consent")
        row = self._usable_member(member_id)
        moment = self.moment(at)
        with self.transaction():
            self.record("consent_changed", row["member_id"], moment,
                        {"member_id": row["member_id"], "channel": channel,
                         "granted": bool(granted), "wording_version": CONSENT_WORDING})
        return self.member(row["member_id"], moment)

    def block_card(self, member_id: str, manager_pin: str,
                   at: datetime | None = None) -> dict[str, Any]:
        """Block a lost card: its QR and number are refused from now on."""
        approver = self.approve(manager_pin, action="block_card")
        row = self._usable_member(member_id)
        moment = self.moment(at)
        with self.transaction():
            self.record("card_blocked", row["member_id"], moment,
                        {"member_id": row["member_id"], "card_number": row["card_number"]})
            self.audit("card_blocked", row["member_id"], after={"card": row["card_number"]},
                       staff_id=approver["staff_id"], at=moment)
        return self.member(row["member_id"], moment)

    def reissue_card(self, member_id: str, manager_pin: str,
                     at: datetime | None = None) -> dict[str, Any]:
        """Issue a new card (new number, next generation); the old one is refused."""
        approver = self.approve(manager_pin, action="reissue_card")
        member_id = root_member(self.db, member_id)
        row = self._member_row(member_id)
        if row["erased_at"]:
            raise Refused("This member's data was erased.", code="member_erased")
        moment = self.moment(at)
        generation = int(row["card_generation"]) + 1
        number = self._new_card_number()
        payload = cardrules.encode_card_payload(number, generation, self._signing_key())
        with self.transaction():
            self.record("card_reissued", member_id, moment,
                        {"member_id": member_id, "card_number": number, "generation": generation,
                         "old_card_number": row["card_number"], "card_payload": payload})
            self.audit("card_reissued", member_id, before={"card": row["card_number"]},
                       after={"card": number, "generation": generation},
                       staff_id=approver["staff_id"], at=moment)
        return self.member(member_id, moment)

    def merge_members(self, keep_id: str, merge_id: str, manager_pin: str,
                      at: datetime | None = None) -> dict[str, Any]:
        """Merge a duplicate into the member kept: one ledger, both cards find the kept member."""
        approver = self.approve(manager_pin, action="merge_members")
        keep = self._usable_member(keep_id)
        merge = self._member_row(root_member(self.db, merge_id))
        if keep["member_id"] == merge["member_id"]:
            raise Refused("These are the same member.", code="merge_same_member")
        moment = self.moment(at)
        with self.transaction():
            self.record("member_merged", keep["member_id"], moment,
                        {"keep_id": keep["member_id"], "merged_id": merge["member_id"]})
            self.audit("member_merged", keep["member_id"], before={"merged": merge["member_id"]},
                       staff_id=approver["staff_id"], at=moment)
        return self.member(keep["member_id"], moment)

    def export_member(self, member_id: str) -> dict[str, Any]:
        """Everything stored about a member (KVKK/GDPR access request), as JSON-able data."""
        member_id = root_member(self.db, member_id)
        row = self._member_row(member_id)

        def rows(sql: str) -> list[dict[str, Any]]:
            cur = self.db.execute(sql, [member_id])
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r)) for r in cur.fetchall()]

        return {
            "member": {**row, "consents": json.loads(row["consents"])},
            "current": self.member(member_id),
            "consent_history": rows("SELECT channel, granted, at, wording_version FROM consents "
                                    "WHERE member_id = ? ORDER BY id"),
            "cards": rows("SELECT card_number, generation, status, issued_at FROM cards "
                          "WHERE member_id = ?"),
            "sales": rows("SELECT sale_id, at, total, money_paid, points_earned, refunded FROM "
                          "sales WHERE member_id = ? ORDER BY at"),
            "ledger": rows("SELECT id, kind, at, points, wallet, spend, ref FROM ledger "
                           "WHERE member_id = ? ORDER BY id"),
            "feedback": rows("SELECT sale_id, at, nps, csat FROM feedback WHERE member_id = ?"),
            "complaints": rows("SELECT at, text, kind FROM complaints WHERE member_id = ?"),
            "exported_at": self.iso(self.now()),
        }

    def erase_member(self, member_id: str, manager_pin: str,
                     at: datetime | None = None) -> dict[str, Any]:
        """Anonymise a member's personal data; the pseudonymous ledger stays so totals stay right."""
        approver = self.approve(manager_pin, action="erase_member")
        member_id = root_member(self.db, member_id)
        row = self._member_row(member_id)
        if row["erased_at"]:
            raise Refused("This member's data was already erased.", code="member_erased")
        moment = self.moment(at)
        with self.transaction():
            self.record("member_erased", member_id, moment, {"member_id": member_id})
            self.audit("member_erased", member_id, staff_id=approver["staff_id"], at=moment)
        return {"member_id": member_id, "erased_at": self.iso(moment)}
