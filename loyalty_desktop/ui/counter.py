"""The counter: scan or find a member, enter the basket, preview, Enter records the sale."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from ..domain.errors import LoyaltyError
from ..domain.money import parse_amount
from ..domain.scanning import classify_input
from .format import money, points
from .counter_search import CounterSearch
from .member_panel import MemberPanel
from .messages import error_text
from .basket import BasketForm, service_redeem_limit
from .widgets import ask_yes, button, label
from .worker import TerminalWorker

PREVIEW_DELAY_MS = 150
# Labels are emptied with setText(""), never clear(): Qt skips an equal text, but clear() always
# relays out and repaints (on every scan, the whole basket side of the window).
UNDO_SECONDS = 60  # the service refuses later undos too (services/counter_ops.py)


class CounterScreen(QWidget):
    """Always ready for a scan; one key (Enter) completes the sale."""

    sale_done = Signal(dict)  # the sale result, for the receipt and the customer display
    member_changed = Signal(object)  # member object or None
    status = Signal(str)
    camera_requested = Signal()
    undone = Signal(dict)  # the refund result of an undone sale, for its slip

    def __init__(self, worker: TerminalWorker, lang: str = "tr",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.lang = worker, lang
        self.staff: dict[str, Any] | None = None
        self.member: dict[str, Any] | None = None
        self.last_card: str | None = None  # the last member's card number (kept warm)
        self.preview: dict[str, Any] | None = None
        self.basket_key = uuid.uuid4().hex
        self._preview_generation = 0
        self._selling = False
        self.min_redeem = 50
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.search_box = CounterSearch(worker)
        self.search = self.search_box.line
        self.search_box.find_requested.connect(self.find)
        self.search_box.coupon_entered.connect(self.coupon_typed)
        self.search_box.member_picked.connect(self.open_member)
        self.search_box.failed.connect(self.show_error)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_box, 1)
        self.camera_button = button(self.tr("Kamera"))
        self.camera_button.setObjectName("camera_button")
        self.camera_button.setVisible(False)  # only when the camera setting is on
        self.camera_button.clicked.connect(self.camera_requested)
        search_row.addWidget(self.camera_button, 0, Qt.AlignmentFlag.AlignTop)
        left.addLayout(search_row)
        self.panel = MemberPanel(lang)
        self.panel.coupon_chosen.connect(self.use_coupon)
        scroller = QScrollArea()  # many coupons or flags must not push the basket off screen
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self.panel)
        left.addWidget(scroller, 1)
        self.preview_text = label("", "preview", wrap=True)
        self.preview_text.setObjectName("preview_text")
        left.addWidget(self.preview_text)  # next to the member: what this basket does to them
        outer.addLayout(left, 5)
        self.basket_form = form = BasketForm()
        form.changed.connect(self.schedule_preview)
        form.clear_button.clicked.connect(self.reset)
        form.confirm.clicked.connect(self.confirm_sale)
        self.amount, self.redeem, self.redeem_max = form.amount, form.redeem, form.redeem_max
        self.wallet, self.coupon, self.to_pay = form.wallet, form.coupon, form.to_pay
        self.error, self.confirm, self.last_sale = form.error, form.confirm, form.last_sale
        self.undo_button = form.undo
        self.undo_button.clicked.connect(self.undo_last_sale)
        self.last_sold: dict[str, Any] | None = None
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_SECONDS * 1000)
        self._undo_timer.timeout.connect(lambda: self.undo_button.setVisible(False))
        self.ask_yes = ask_yes
        outer.addWidget(form, 4)

    # -- member --------------------------------------------------------------------------------
    def start(self, staff: dict[str, Any]) -> None:
        """A cashier logged in: fetch the program's redemption rules and wait for a scan."""
        self.staff = staff
        self.worker.call(lambda t: t.program.min_redeem_points, self._rules)
        self.reset()

    def _rules(self, min_redeem: int) -> None:
        self.min_redeem = min_redeem
        self.redeem.setSingleStep(max(self.min_redeem, 1))

    def on_scanned(self, text: str) -> None:
        """A scan from any source: a coupon code when a member is shown, otherwise a card."""
        if self.member is not None and classify_input(text) == "coupon_code":
            self.use_coupon(text)
            return
        self.find(text)

    def coupon_typed(self, code: str) -> None:
        """A coupon code typed in the search box: it needs the member shown first."""
        if self.member is None:
            self.error.setText(self.tr("Önce üyenin kartını okutun, sonra kuponu."))
            return
        self.search_box.clear()
        self.use_coupon(code)

    def open_member(self, member_id: str) -> None:
        """Show a member picked from the name matches."""
        self.worker.call(lambda t: t.member(member_id), self.show_member, self.show_error)

    def find(self, query: str) -> None:
        """Find a member by payload, card number, phone or exact name (the service decides)."""
        self.error.setText("")
        self.worker.call(lambda t: t.find_member(query), self.show_member, self.show_error)

    def show_member(self, member: dict[str, Any] | None) -> None:
        """Show the member (or nobody) and start a new basket for them."""
        self.member = member
        if member is not None:
            self.last_card = member["card_number"]
        self.panel.show_member(member)
        self.search_box.clear()
        if self.redeem.value():  # setValue(0) on 0 still repaints the spin box
            self.redeem.setValue(0)
        self.wallet.clear()
        self.coupon.clear()
        self.member_changed.emit(member)
        self.schedule_preview()
        self.amount.setFocus(Qt.FocusReason.OtherFocusReason)

    def use_coupon(self, code: str) -> None:
        """Put a coupon code into the basket."""
        self.coupon.setText(code)

    # -- preview -------------------------------------------------------------------------------
    def schedule_preview(self) -> None:
        """Recompute the preview shortly after the last change (typing stays smooth)."""
        self._preview_timer.start()

    def basket(self) -> dict[str, Any] | None:
        """The basket as service arguments, or None (and a message) if something is invalid."""
        text = self.amount.text().strip()
        if not text:
            return None
        try:
            total = parse_amount(text)
            wallet = parse_amount(self.wallet.text()) if self.wallet.text().strip() else 0
        except LoyaltyError as exc:
            self.show_error(exc)
            return None
        member_id = self.member["member_id"] if self.member else None
        return {"member_id": member_id, "total": total, "redeem_points": self.redeem.value(),
                "wallet": wallet, "coupon": self.coupon.text().strip() or None}

    def refresh_preview(self) -> None:
        """Ask the service what this basket would do, with nothing written."""
        self.error.setText("")
        basket = self.basket()
        self._preview_generation += 1
        generation = self._preview_generation
        self._update_redeem_limit(basket, generation)
        if basket is None:
            self.preview = None
            self.preview_text.setText("")
            self.to_pay.setText("")
            return
        self.worker.call(lambda t: t.preview_sale(**basket),
                         lambda result: self._show_preview(generation, result),
                         lambda error: self._preview_failed(generation, error))

    def _update_redeem_limit(self, basket: dict[str, Any] | None,
                             generation: int) -> None:
        """The true maximum: balance, basket, program minimum and the offline daily limit."""
        if basket is None or basket["member_id"] is None:
            self.basket_form.set_redeem_limit(0)
            return
        self.worker.call(lambda t: service_redeem_limit(t, basket),
                         lambda most: self._show_redeem_limit(generation, most),
                         lambda _error: self._show_redeem_limit(generation, 0))

    def _show_redeem_limit(self, generation: int, most: int) -> None:
        if generation == self._preview_generation:
            self.basket_form.set_redeem_limit(most)

    def _show_preview(self, generation: int, result: dict[str, Any]) -> None:
        if generation != self._preview_generation:
            return  # an older preview arriving after a newer change
        self.preview = result
        self.preview_text.setText(self.basket_form.preview_lines(result, self.member is not None,
                                                                 self.lang))
        self.to_pay.setText(self.tr("Ödenecek: {0}").format(money(result["money_paid"], self.lang)))

    def _preview_failed(self, generation: int, error: LoyaltyError) -> None:
        if generation == self._preview_generation:
            self.preview = None
            self.to_pay.setText("")
            self.preview_text.setText("")
            self.show_error(error)

    # -- sale ----------------------------------------------------------------------------------
    def confirm_sale(self) -> None:
        """Record the sale once (the basket's idempotency key makes a double Enter harmless)."""
        basket = self.basket()
        if basket is None:
            if not self.amount.text().strip():
                self.error.setText(self.tr("Önce sepet tutarını girin."))
            return
        if self._selling:
            return
        self._selling = True
        self.confirm.setEnabled(False)
        staff_id = self.staff["staff_id"] if self.staff else None
        key = self.basket_key
        self.worker.call(lambda t: t.sale(**basket, idempotency_key=key, staff_id=staff_id),
                         self._sold, self._sale_failed)

    def _sold(self, sale: dict[str, Any]) -> None:
        self._selling = False
        self.confirm.setEnabled(True)
        lang = self.lang
        earned = sale["points_earned"] + sale["bonus_points"]
        self.last_sale.setText(self.tr("Son satış: {0} ödendi, {1} kazanıldı.").format(
            money(sale["money_paid"], lang), points(earned, lang)))
        self.sale_done.emit(sale)
        self.last_sold = sale
        self.undo_button.setVisible(True)
        self._undo_timer.start()
        self.reset()

    def undo_last_sale(self) -> None:
        """Refund the sale just made in full (same cashier, within a minute; no PIN)."""
        sale = self.last_sold
        if sale is None or self.staff is None:
            return
        if not self.ask_yes(self, self.tr("Son satışı geri al"), self.tr(
                "{0} tutarındaki son satış tamamen iade edilecek. Emin misiniz?").format(
                money(sale["total"], self.lang))):
            return
        sale_id, staff_id = sale["sale_id"], self.staff["staff_id"]
        self.worker.call(lambda t: t.undo_last_sale(sale_id, staff_id), self._undone,
                         self.show_error)

    def _undone(self, refund: dict[str, Any]) -> None:
        self.last_sold = None
        self.undo_button.setVisible(False)
        self.last_sale.setText(self.tr("Son satış geri alındı: {0} iade.").format(
            money(refund["money_refunded"], self.lang)))
        self.undone.emit(refund)

    def _sale_failed(self, error: LoyaltyError) -> None:
        self._selling = False
        self.confirm.setEnabled(True)
        self.show_error(error)

    def reset(self) -> None:
        """Ready for the next customer: nobody shown, empty basket, a new idempotency key."""
        self.basket_key = uuid.uuid4().hex
        self.amount.clear()
        self.preview = None
        self.preview_text.setText("")
        self.to_pay.setText("")
        self.error.setText("")
        self.show_member(None)

    def show_error(self, error: LoyaltyError) -> None:
        """Show a service error in the shop's language."""
        self.error.setText(error_text(error, self.lang))

    def set_camera_available(self, on: bool) -> None:
        """Show the camera button when the camera setting is on."""
        self.camera_button.setVisible(on)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        """Enter searches from the search box and confirms the sale anywhere else; Esc resets."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.search.hasFocus() and self.search.text().strip():
                self.search_box.submit()
            else:
                self.confirm_sale()
            event.accept()
        elif event.key() == Qt.Key.Key_Escape:
            self.reset()
            event.accept()
        else:
            super().keyPressEvent(event)

