"""Sales, refunds, adjustments, club, feedback: each one transaction, each idempotent."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from ..domain import cards as cardrules
from ..domain.checkout import (
    Allowance, SalePricing, SaleRequest, offer, price_sale, pricing_from_data, pricing_to_data,
    sale_entries,
)
from ..domain.clock import expiry_of_lot, from_db, shop_midnight, to_db, zone
from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.ids import uuid7
from ..domain.ledger import Entry, extend, fold, view
from ..domain.money import parse_amount
from ..domain.refunds import price_refund, refund_entries, refund_to_data
from ..store.ledger_repo import Known, current_ledger, member_entries
from .member_json import coupon_object
from .members import MembersMixin


def amount_of(value: int | str | None, what: str = "amount") -> int | None:
    """Kuruş from an int (already kuruş) or cashier text; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"The {what} is not an amount.", code="invalid_amount")
    if isinstance(value, int):
        if value < 0:
            raise InvalidInput(f"The {what} cannot be negative.", code="invalid_amount")
        return value
    return parse_amount(value)


class SalesMixin(MembersMixin):
    """Checkout use cases."""

    def _allowance(self, member_id: str, at: datetime) -> Allowance:
        """Offline limits for a paired terminal that has not synced for too long."""
        if not self.meta("sync_server_url"):
            return Allowance()
        last = self.meta("sync_last_success")
        stale = timedelta(hours=self.program.offline_stale_hours)
        if last and at - from_db(last) < stale:
            return Allowance()
        day_start = shop_midnight(at.astimezone(zone(self.timezone)).date(), self.timezone)
        row = self.db.execute(
            "SELECT COALESCE(-SUM(CASE WHEN kind='redeem' THEN points END), 0), "
            "COALESCE(-SUM(CASE WHEN kind='wallet_spend' THEN wallet END), 0) FROM ledger "
            "WHERE member_id = ? AND at >= ? AND at <= ?",
            [member_id, to_db(day_start), to_db(at)]).fetchone()
        return Allowance(points=max(self.program.offline_max_points_per_day - row[0], 0),
                         wallet=max(self.program.offline_max_wallet_per_day - row[1], 0))

    def _coupon_for(self, code: str | None) -> tuple[Any, str | None, str | None]:
        if not code:
            return None, None, None
        code = cardrules.parse_coupon_code(code)
        row = self.db.execute("SELECT member_id FROM coupons WHERE code = ?", [code]).fetchone()
        if row is None:
            raise NotFound("No such coupon code.", code="coupon_unknown")
        owner = row[0]
        return self._ledger(owner).coupons.get(code), owner, code

    def _price(self, member_id: str | None, total: int | str, redeem_points: int, wallet: int | str,
               coupon: str | None, at: datetime) -> tuple[SalePricing, str | None, str, Any]:
        total_k = amount_of(total, "total")
        wallet_k = amount_of(wallet, "wallet amount") or 0
        if total_k is None or total_k <= 0:
            raise InvalidInput("The sale total must be more than zero.", code="invalid_total")
        if not isinstance(redeem_points, int) or isinstance(redeem_points, bool):
            raise InvalidInput("Points to redeem must be a whole number.", code="invalid_points")
        if member_id is None:
            if redeem_points or wallet_k or coupon:
                raise Refused("Points, wallet and coupons need a member card.",
                              code="member_required")
            pricing = SalePricing(total_k, 0, total_k, None, 0, 0, 0, 0, total_k, "", "0", "0",
                                  0, 0, None, 0, 0, None)
            return pricing, None, "", None
        row = self._usable_member(member_id)
        member_id = row["member_id"]
        led, count, last = current_ledger(self.db, member_id)
        v = view(led, at, self.program)
        state, owner, code = self._coupon_for(coupon)
        referrer = row["referrer_id"]
        pricing = price_sale(
            self.program, member_id, v,
            SaleRequest(total=total_k, redeem_points=redeem_points, wallet=wallet_k,
                        coupon_code=code),
            at, coupon=state, coupon_owner=owner, allowance=self._allowance(member_id, at),
            referrer_id=referrer if referrer and self._is_live(referrer) else None,
            new_code=cardrules.new_coupon_code,
        )
        return pricing, member_id, v.tier, (row, count, last, led)

    def _is_live(self, member_id: str) -> bool:
        row = self.db.execute("SELECT erased_at FROM members WHERE member_id = ?",
                              [member_id]).fetchone()
        return row is not None and row[0] is None

    def preview_sale(self, member_id: str | None, total: int | str, redeem_points: int = 0,
                     wallet: int | str = 0, coupon: str | None = None,
                     at: datetime | None = None) -> dict[str, Any]:
        """What a sale would do, with nothing written."""
        moment = self.moment(at)
        pricing, member_id, tier, _ = self._price(member_id, total, redeem_points, wallet, coupon,
                                                  moment)
        member = self.member(member_id, moment) if member_id else None
        return self._sale_result(None, moment, pricing, tier, tier, member, staff_name=None)

    def sale(self, member_id: str | None, total: int | str, redeem_points: int = 0,
             wallet: int | str = 0, coupon: str | None = None,
             lines: list[dict[str, Any]] | None = None, idempotency_key: str | None = None,
             staff_id: str | None = None, at: datetime | None = None) -> dict[str, Any]:
        """Record a sale; the same idempotency key returns the first result and writes nothing."""
        self.require_shop()
        if idempotency_key:
            done = self.db.execute("SELECT result FROM sales WHERE idempotency_key = ?",
                                   [idempotency_key]).fetchone()
            if done:
                return json.loads(done[0])
        moment = self.moment(at)
        pricing, member_id, tier_before, known = self._price(member_id, total, redeem_points,
                                                             wallet, coupon, moment)
        clean_lines = _check_lines(lines, pricing.total)
        sale_id = uuid7()
        entries = sale_entries(sale_id, member_id, moment, pricing, self.program) if member_id else []
        member, tier_after, have = None, tier_before, None
        if member_id:
            row, count, last, led = known
            mine = [e for e in entries if e.member_id == member_id]
            if mine and (last is None or last < sale_id):  # usual: the new entries sort last
                lots = {lot.lot_id: lot.remaining for lot in led.lots}
                led = extend(led, mine)  # the pre-sale fold is not needed any more
                have = Known(count + len(mine), mine[-1].id, led, lots)
            elif mine:
                led = fold(sorted(member_entries(self.db, member_id) + mine, key=lambda e: e.id))
            v_after = view(led, moment, self.program)
            tier_after = v_after.tier
            member = self._member_from(row, v_after)
        result = self._sale_result(sale_id, moment, pricing, tier_before, tier_after, member,
                                   self._staff_name(staff_id))
        with self.transaction():
            self.record("sale", member_id, moment, {
                "pricing": pricing_to_data(pricing), "lines": clean_lines,
                "idempotency_key": idempotency_key, "staff_id": staff_id,
            }, entries, event_id=sale_id,
                known={member_id: have} if have is not None else None,
                result=result)
            if tier_after != tier_before:
                self.audit("tier_changed", member_id, before=tier_before, after=tier_after,
                           staff_id=staff_id, at=moment)
        return result

    def _staff_name(self, staff_id: str | None) -> str | None:
        if not staff_id:
            return None
        row = self.db.execute("SELECT name FROM staff WHERE staff_id = ?", [staff_id]).fetchone()
        return row[0] if row else None

    def _sale_result(self, sale_id: str | None, at: datetime, p: SalePricing, tier_before: str,
                     tier_after: str, member: dict[str, Any] | None,
                     staff_name: str | None) -> dict[str, Any]:
        tz = self.timezone
        bonus = [{"kind": "welcome", "points": p.welcome_points}] if p.welcome_points else []
        return {
            "sale_id": sale_id, "at": self.iso(at), "terminal_id": self.terminal_id,
            "cashier": staff_name, "total": p.total, "club_discount": p.club_discount,
            "coupon_discount": p.coupon_discount, "discount": p.discount,
            "coupon_used": p.coupon_code, "points_redeemed": p.points_redeemed,
            "points_value": p.points_value, "wallet_used": p.wallet_used,
            "money_paid": p.money_paid, "points_earned": p.points_earned,
            "bonus_points": p.welcome_points, "bonus": bonus,
            "referral_points_to_referrer": p.referral_points,
            "cashback_pending": p.cashback,
            "cashback_available_at": self.iso(p.cashback_available_at),
            "coupons_issued": [
                {"code": c.code, "kind": c.kind, "value": c.value, "percent": c.percent,
                 "min_basket": c.min_basket, "valid_from": self.iso(c.valid_from),
                 "valid_until": self.iso(c.valid_until)} for c in p.coupons_issued],
            "tier_before": tier_before or None, "tier_after": tier_after or None,
            "program_version": self.program.version, "member": member,
            "timezone": tz,
        }

    # -- refunds ------------------------------------------------------------------------------
    def _sale_row(self, sale_id: str) -> dict[str, Any]:
        row = self.db.execute("SELECT sale_id, member_id, at, total, refunded, pricing FROM sales "
                              "WHERE sale_id = ?", [sale_id]).fetchone()
        if row is None:
            raise NotFound(f"No sale {sale_id}.", code="sale_unknown")
        return {"sale_id": row[0], "member_id": row[1], "at": from_db(row[2]), "total": row[3],
                "refunded": row[4], "pricing": pricing_from_data(json.loads(row[5]))}

    def _price_refund(self, sale_id: str, amount: int | str | None, at: datetime):
        sale = self._sale_row(sale_id)
        member_id = sale["member_id"]
        coupon_valid = False
        unused: list[str] = []
        p: SalePricing = sale["pricing"]
        if member_id:
            member_id = self._member_row(member_id)["member_id"]
            led = self._ledger(member_id)
            if p.coupon_code and p.coupon_code in led.coupons:
                c = led.coupons[p.coupon_code]
                coupon_valid = not c.cancelled and at <= c.valid_until
            for offer in p.coupons_issued:
                c = led.coupons.get(offer.code)
                if c is not None and c.used == 0 and not c.cancelled:
                    unused.append(offer.code)
        pricing = price_refund(p, sale["refunded"], amount_of(amount, "refund amount"), at,
                               self.program, sale_at=sale["at"], coupon_used_valid=coupon_valid,
                               unused_issued=unused)
        return sale, pricing

    def preview_refund(self, sale_id: str, amount: int | str | None = None,
                       at: datetime | None = None) -> dict[str, Any]:
        """What a refund would reverse, with nothing written."""
        moment = self.moment(at)
        sale, pricing = self._price_refund(sale_id, amount, moment)
        member = self.member(sale["member_id"], moment) if sale["member_id"] else None
        tier = member["tier"] if member else None
        return self._refund_result(None, sale, pricing, moment, tier, tier, member)

    def refund(self, sale_id: str, amount: int | str | None = None, manager_pin: str | None = None,
               idempotency_key: str | None = None, at: datetime | None = None) -> dict[str, Any]:
        """Refund all or part of a sale (manager PIN); a replayed key changes nothing."""
        self.require_shop()
        done = self._recorded_refund(idempotency_key)
        if done is not None:
            return done
        approver = self.approve(manager_pin, action="refund")
        moment = self.moment(at)
        return self._record_refund(sale_id, amount, moment, approver["staff_id"],
                                   idempotency_key, action="refund")

    def _recorded_refund(self, key: str | None) -> dict[str, Any] | None:
        """The stored result of a refund already made under this idempotency key."""
        if not key:
            return None
        done = self.db.execute("SELECT result FROM refunds WHERE idempotency_key = ?",
                               [key]).fetchone()
        return json.loads(done[0]) if done else None

    def _record_refund(self, sale_id: str, amount: int | str | None, moment: datetime,
                       staff_id: str, key: str | None, action: str,
                       extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Price and record a refund already allowed (by a manager PIN, or as an undo)."""
        sale, pricing = self._price_refund(sale_id, amount, moment)
        member_id = sale["member_id"]
        if member_id:
            member_id = self._member_row(member_id)["member_id"]
        tier_before = self._view(member_id, moment)[1].tier if member_id else None
        refund_id = uuid7()
        entries = (refund_entries(refund_id, member_id, sale_id, sale["at"], moment, pricing,
                                  self.program) if member_id else [])
        with self.transaction():
            self.record("refund", member_id, moment, {
                "sale_id": sale_id, "pricing": refund_to_data(pricing),
                "idempotency_key": key, "staff_id": staff_id, **(extra or {}),
            }, entries, event_id=refund_id)
            member = None
            tier_after = tier_before
            if member_id:
                tier_after = self._view(member_id, moment)[1].tier
                member = self.member(member_id, moment)
                if tier_after != tier_before:
                    self.audit("tier_changed", member_id, before=tier_before, after=tier_after,
                               staff_id=staff_id, at=moment)
            self.audit(action, sale_id, after={"refund_id": refund_id, "amount": pricing.amount},
                       staff_id=staff_id, at=moment)
            result = self._refund_result(refund_id, sale, pricing, moment, tier_before,
                                         tier_after, member)
            self.db.execute("UPDATE refunds SET result = ? WHERE refund_id = ?",
                            [json.dumps(result, ensure_ascii=False, sort_keys=True), refund_id])
        return result

    def _refund_result(self, refund_id: str | None, sale: dict[str, Any], r: Any, at: datetime,
                       tier_before: str | None, tier_after: str | None,
                       member: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "refund_id": refund_id, "sale_id": sale["sale_id"], "at": self.iso(at),
            "sale_at": self.iso(sale["at"]), "sale_total": sale["total"],
            "amount": r.amount, "refunded_before": r.refunded_before, "is_full": r.is_full,
            "money_refunded": r.money_refunded, "points_reversed": r.points_reversed,
            "points_restored": r.points_restored, "bonus_reversed": r.bonus_reversed,
            "referral_reversed": r.referral_reversed, "wallet_restored": r.wallet_restored,
            "cashback_cancelled": r.cashback_cancelled,
            "coupons_returned": [r.coupon_returned] if r.coupon_returned else [],
            "coupons_cancelled": list(r.coupons_cancelled),
            "tier_before": tier_before, "tier_after": tier_after, "member": member,
        }

    # -- other ledger actions -----------------------------------------------------------------
    def adjust(self, member_id: str, points: int, reason: str, manager_pin: str,
               at: datetime | None = None) -> dict[str, Any]:
        """A manual points correction with a reason, approved by a manager."""
        if not isinstance(points, int) or isinstance(points, bool) or points == 0:
            raise InvalidInput("Adjust by a non-zero whole number of points.",
                               code="invalid_points")
        if abs(points) > 1_000_000:
            raise InvalidInput("An adjustment is limited to 1,000,000 points.",
                               code="invalid_points")
        if not reason or not reason.strip():
            raise InvalidInput("An adjustment needs a reason.", code="reason_required")
        row = self._usable_member(member_id)
        moment = self.moment(at)
        _, v = self._view(row["member_id"], moment)
        if points < 0 and v.points + points < 0:
            raise Refused(f"The member has only {v.points} points.", code="points_insufficient")
        approver = self.approve(manager_pin, action="adjust")
        event_id = uuid7()
        entry = Entry(id=f"{event_id}:000", event_id=event_id, member_id=row["member_id"],
                      kind="adjust", at=moment, points=points,
                      expires_at=expiry_of_lot(moment, self.program.points_expiry_months,
                                               self.program.timezone) if points > 0 else None,
                      data={"reason": reason})
        with self.transaction():
            self.record("adjustment", row["member_id"], moment,
                        {"points": points, "reason": reason, "staff_id": approver["staff_id"]},
                        [entry], event_id=event_id)
            self.audit("adjustment", row["member_id"], before={"points": v.points},
                       after={"points": v.points + points, "reason": reason},
                       staff_id=approver["staff_id"], at=moment)
        return {"adjustment_id": event_id, "points": points, "reason": reason,
                "member": self.member(row["member_id"], moment)}

    def issue_coupon(self, member_id: str, kind: str, manager_pin: str | None = None,
                     at: datetime | None = None) -> dict[str, Any]:
        """Issue a campaign coupon (win-back, tier-upgrade, referral) under the program's rule."""
        rules = {"win_back": self.program.win_back, "tier_upgrade": self.program.tier_upgrade}
        if kind not in rules:
            raise InvalidInput(f"Coupons of kind {kind!r} cannot be issued by hand "
                               f"(use {', '.join(rules)}).", code="invalid_coupon_kind")
        rule = rules[kind]
        if not rule.enabled:
            raise Refused(f"The program has no {kind} coupon (its value is 0).",
                          code="coupon_rule_disabled")
        approver = self.approve(manager_pin, action="issue_coupon")
        row = self._usable_member(member_id)
        moment = self.moment(at)
        event_id = uuid7()
        coupon = offer(rule, kind, cardrules.new_coupon_code(), moment)
        entry = Entry(id=f"{event_id}:000", event_id=event_id, member_id=row["member_id"],
                      kind="coupon_issued", at=moment, ref=coupon.code, data=coupon.as_data())
        with self.transaction():
            self.record("coupon_issued", row["member_id"], moment,
                        {"reason": kind, "staff_id": approver["staff_id"]}, [entry],
                        event_id=event_id)
            self.audit("coupon_issued", row["member_id"], after={"code": coupon.code,
                                                                 "kind": kind},
                       staff_id=approver["staff_id"], at=moment)
        return {"code": coupon.code, "kind": kind, "value": coupon.value,
                "percent": coupon.percent, "min_basket": coupon.min_basket,
                "valid_from": self.iso(coupon.valid_from),
                "valid_until": self.iso(coupon.valid_until),
                "member": self.member(row["member_id"], moment)}

    def club_join(self, member_id: str, at: datetime | None = None,
                  staff_id: str | None = None) -> dict[str, Any]:
        """Join or renew the paid club: the fee is not a purchase and earns nothing."""
        row = self._usable_member(member_id)
        moment = self.moment(at)
        event_id = uuid7()
        entry = Entry(id=f"{event_id}:000", event_id=event_id, member_id=row["member_id"],
                      kind="club_joined", at=moment,
                      data={"days": self.program.club_days, "fee": self.program.club_fee})
        with self.transaction():
            self.record("club_joined", row["member_id"], moment,
                        {"fee": self.program.club_fee, "days": self.program.club_days,
                         "staff_id": staff_id}, [entry], event_id=event_id)
        member = self.member(row["member_id"], moment)
        return {"club_id": event_id, "fee": self.program.club_fee,
                "club_until": member["club_until"], "member": member}

    def feedback(self, sale_id: str, nps: int | None = None, csat: int | None = None,
                 at: datetime | None = None) -> dict[str, Any]:
        """NPS (0-10) and CSAT (1-5) for a sale; a detractor raises a follow-up."""
        sale = self._sale_row(sale_id)
        if nps is None and csat is None:
            raise InvalidInput("Give an NPS or a CSAT answer.", code="feedback_empty")
        if nps is not None and (isinstance(nps, bool) or not isinstance(nps, int)
                                or not 0 <= nps <= 10):
            raise InvalidInput("NPS is a whole number from 0 to 10.", code="invalid_nps")
        if csat is not None and (isinstance(csat, bool) or not isinstance(csat, int)
                                 or not 1 <= csat <= 5):
            raise InvalidInput("CSAT is a whole number from 1 to 5.", code="invalid_csat")
        if self.db.execute("SELECT 1 FROM feedback WHERE sale_id = ?", [sale_id]).fetchone():
            raise Refused("This sale already has feedback.", code="feedback_exists")
        moment = self.moment(at)
        follow_up = nps is not None and nps <= 6
        with self.transaction():
            event = self.record("feedback", sale["member_id"], moment,
                                {"sale_id": sale_id, "nps": nps, "csat": csat})
            if follow_up:
                self.record("complaint", sale["member_id"], moment, {
                    "sale_id": sale_id, "complaint_kind": "follow_up",
                    "text": f"NPS {nps}: call the customer back."})
        return {"feedback_id": event["id"], "sale_id": sale_id, "nps": nps, "csat": csat,
                "follow_up": follow_up}

    def complaint(self, member_id: str | None, text: str, sale_id: str | None = None,
                  at: datetime | None = None) -> dict[str, Any]:
        """Log a complaint."""
        if not text or not text.strip():
            raise InvalidInput("The complaint text is empty.", code="invalid_text")
        if member_id:
            member_id = self._member_row(member_id)["member_id"]
        if sale_id:
            self._sale_row(sale_id)
        moment = self.moment(at)
        with self.transaction():
            event = self.record("complaint", member_id, moment, {"sale_id": sale_id, "text": text})
        return {"complaint_id": event["id"], "member_id": member_id, "at": self.iso(moment)}

    def sales(self, member_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Recent sales (newest first), for the history screen."""
        sql = "SELECT sale_id, member_id, at, total, money_paid, points_earned, refunded FROM sales"
        args: list[Any] = []
        if member_id:
            sql += " WHERE member_id = ?"
            args.append(member_id)
        sql += " ORDER BY at DESC, sale_id DESC LIMIT ?"
        args.append(limit)
        keys = ("sale_id", "member_id", "at", "total", "money_paid", "points_earned", "refunded")
        out = []
        for row in self.db.execute(sql, args).fetchall():
            item = dict(zip(keys, row))
            item["at"] = self.iso(from_db(item["at"]))
            out.append(item)
        return out

    def sale_detail(self, sale_id: str) -> dict[str, Any]:
        """A stored sale result with its refunds (for reprints)."""
        row = self.db.execute("SELECT result FROM sales WHERE sale_id = ?", [sale_id]).fetchone()
        if row is None:
            raise NotFound(f"No sale {sale_id}.", code="sale_unknown")
        result = json.loads(row[0]) or self._rebuilt_result(sale_id)
        refunds = [json.loads(r[0]) for r in self.db.execute(
            "SELECT result FROM refunds WHERE sale_id = ? ORDER BY refund_id", [sale_id])]
        return {**result, "refunds": refunds}

    def _rebuilt_result(self, sale_id: str) -> dict[str, Any]:
        """The result of a sale recorded on another terminal (only its event travelled)."""
        sale = self._sale_row(sale_id)
        p: SalePricing = sale["pricing"]
        member = self.member(sale["member_id"], sale["at"]) if sale["member_id"] else None
        staff = self.db.execute("SELECT staff_id, terminal_id FROM sales WHERE sale_id = ?",
                                [sale_id]).fetchone()
        result = self._sale_result(sale_id, sale["at"], p, p.tier,
                                   member["tier"] if member else "", member,
                                   self._staff_name(staff[0]))
        return {**result, "terminal_id": staff[1]}

    def refund_detail(self, refund_id: str) -> dict[str, Any]:
        """A stored refund result."""
        row = self.db.execute("SELECT result FROM refunds WHERE refund_id = ?",
                              [refund_id]).fetchone()
        if row is None:
            raise NotFound(f"No refund {refund_id}.", code="refund_unknown")
        return json.loads(row[0])

    def coupons_of(self, member_id: str, at: datetime | None = None) -> list[dict[str, Any]]:
        """Coupons usable now."""
        moment = self.moment(at)
        _, v = self._view(member_id, moment)
        return [coupon_object(c, self.timezone) for c in v.coupons]


def _check_lines(lines: list[dict[str, Any]] | None, total: int) -> list[dict[str, Any]]:
    if not lines:
        return []
    clean = []
    for i, line in enumerate(lines):
        amount = amount_of(line.get("amount"), f"amount of line {i + 1}")
        category = str(line.get("category", "")).strip()
        if amount is None or not category:
            raise InvalidInput(f"Line {i + 1} needs a category and an amount.",
                               code="invalid_line")
        clean.append({"category": category, "amount": amount,
                      "name": str(line.get("name", ""))})
    if sum(line["amount"] for line in clean) != total:
        raise InvalidInput("The lines do not add up to the sale total.", code="lines_mismatch")
    return clean
