"""A scan redraws only what changed: the same member twice relays nothing out, coupon chips are
rebuilt only when the coupons differ (each new widget meant a style polish and a relayout)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from loyalty_desktop.ui.member_panel import MemberPanel
from loyalty_desktop.ui.window import MainWindow

from .conftest import wait_idle
from .test_counter import login


class LayoutRequests(QObject):
    """Counts the layout requests the application delivers while installed."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_chips_are_kept_for_the_same_coupons_and_rebuilt_for_others(shop, qtbot):
    member = shop.find_member("05321234567")
    assert member["coupons"], "the fixture's member has a coupon"
    panel = MemberPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_member(member)
    chips = panel.coupon_buttons()
    assert len(chips) == 1 and not panel.no_coupons.isVisibleTo(panel)
    panel.show_member(dict(member))
    assert panel.coupon_buttons() == chips
    panel.show_member({**member, "coupons": []})
    assert panel.coupon_buttons() == [] and panel.no_coupons.isVisibleTo(panel)
    panel.show_member(member)
    again = panel.coupon_buttons()
    assert len(again) == 1 and again != chips
    assert again[0].objectName() == f"coupon_{member['coupons'][0]['code']}"
    panel.show_member(None)
    assert panel.coupon_buttons() == [] and not panel.no_coupons.isVisibleTo(panel)


def test_showing_the_same_member_again_relays_nothing_out(worker, qtbot):
    window = MainWindow(worker, with_display=False)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, worker)
    login(window, qtbot, worker)
    member = worker.run_now(lambda t: t.find_member("05321234567"))
    counter = window.counter
    counter.show_member(member)
    qtbot.wait(50)
    requests = LayoutRequests()
    app = QApplication.instance()
    app.installEventFilter(requests)
    try:
        counter.find("05321234567")  # what a scan of the card shown does: Enter, then the result
        wait_idle(qtbot, worker)
        QApplication.processEvents()
    finally:
        app.removeEventFilter(requests)
    assert counter.panel.name.text() == "Şule Öztürk"
    assert requests.count == 0
    window.close()
