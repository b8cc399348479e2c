"""Counter use cases beyond the plain sale: the true redemption maximum and undoing a sale.

`redeem_limit` is the same rule `price_sale` enforces (domain.checkout.max_redeemable_points
with this terminal's offline allowance), so the counter never offers points the sale would
refuse. `undo_last_sale` is the cashier's "oops" button: a full refund without a manager PIN,
allowed only for the newest sale of this terminal, rung up by the same cashier, under a
minute ago and not refunded; anything else needs a refund with a manager PIN.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain.checkout import max_redeemable_points
from ..domain.clock import from_db
from ..domain.errors import InvalidInput, Refused
from .sales import SalesMixin

UNDO_WINDOW = timedelta(seconds=60)


class CounterOpsMixin(SalesMixin):
    """Redemption maximum and the one-minute undo."""

    def redeem_limit(self, member_id: str, total: int | str, at: datetime | None = None,
                     coupon: str | None = None) -> int:
        """The most points this member may redeem on this basket now (0: none)."""
        moment = self.moment(at)
        pricing, root_id, _tier, _known = self._price(member_id, total, 0, 0, coupon, moment)
        assert root_id is not None
        _, v = self._view(root_id, moment)
        basket = pricing.after_club - pricing.coupon_discount
        return max_redeemable_points(v, self.program, basket, self._allowance(root_id, moment))

    def undo_last_sale(self, sale_id: str, staff_id: str,
                       at: datetime | None = None) -> dict[str, Any]:
        """Refund the whole sale without a PIN if it is this cashier's newest, under 60 s old."""
        self.require_shop()
        if not staff_id:
            raise InvalidInput("Who is undoing the sale?", code="staff_required")
        key = f"undo:{sale_id}"
        done = self._recorded_refund(key)
        if done is not None:
            return done
        moment = self.moment(at)
        self._check_undo(sale_id, staff_id, moment)
        return self._record_refund(sale_id, None, moment, staff_id, key, action="sale_undone",
                                   extra={"undo": True})

    def _check_undo(self, sale_id: str, staff_id: str, moment: datetime) -> None:
        """Refuse an undo that needs a manager: not the newest, another cashier's, too old."""
        row = self.db.execute(
            "SELECT s.staff_id, s.terminal_id, s.refunded, e.recorded_at FROM sales s "
            "JOIN events e ON e.id = s.sale_id WHERE s.sale_id = ?", [sale_id]).fetchone()
        if row is None:
            self._sale_row(sale_id)  # raises sale_unknown
            raise Refused("Only sales rung up here can be undone.", code="undo_not_allowed")
        sale_staff, terminal_id, refunded, recorded_at = row
        newest = self.db.execute("SELECT MAX(sale_id) FROM sales WHERE terminal_id = ?",
                                 [self.terminal_id]).fetchone()[0]
        if terminal_id != self.terminal_id or newest != sale_id:
            raise Refused("Only the last sale of this counter can be undone; ask a manager "
                          "for a refund.", code="undo_not_last")
        if sale_staff != staff_id:
            raise Refused("Another cashier rang up this sale; ask a manager for a refund.",
                          code="undo_other_cashier")
        if refunded:
            raise Refused("This sale was already refunded.", code="undo_refunded")
        if moment - from_db(recorded_at) >= UNDO_WINDOW:
            raise Refused("A sale can be undone for 60 seconds; ask a manager for a refund.",
                          code="undo_too_late")
