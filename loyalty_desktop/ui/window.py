"""The main window: login, then the counter, history, members and settings; the status bar."""

from __future__ import annotations

import threading
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent, QInputEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QTabWidget, QWidget

from ..domain.cards import load_verifier
from .counter import CounterScreen
from .customer_display import CustomerDisplay
from .lazy_tab import LazyTab
from .login import LoginScreen
from .messages import error_text
from .receipts import ReceiptPrinter
from .scanner_sources import ScannerSources
from .status import StatusLine
from .wedge import WedgeFilter
from .sync_bridge import BackgroundSync
from .worker import TerminalWorker, preload

if TYPE_CHECKING:
    from .history import HistoryScreen
    from .members import MembersScreen
    from .settings import SettingsScreen

DEFAULT_AUTOLOCK_MINUTES = 5
KEEP_WARM_MS = 20_000  # while the counter idles, look the last card up again (see _keep_warm)
WARM_UP_MS = 3000  # load the receipt renderer this long after start, while the counter idles
PRINTER_LOOKUP_MS = 300  # ask for printers (QtPrintSupport) once the first screen is painted
VERIFIER_MS = 1000  # load the card signature library this long after start
USER_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)


class ActivityFilter(QObject):
    """The window's one application-wide event filter. Every key press, click or touch restarts
    the running 'quiet for a while' timers (auto-lock, automatic backup; `touch()` does the same
    for scans that come from no keyboard), then goes on to the scanner detector (`wedge`).

    Every event of the application passes through it, most of them paints, timers and layout
    requests, so those leave on the first line: one Python call per event instead of the two
    that a separate wedge filter cost (a scan repaints the panel: hundreds of events)."""

    def __init__(self, timers: list[QTimer], wedge: WedgeFilter | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timers = timers
        self.wedge = wedge

    def touch(self) -> None:
        """Someone is at the counter: restart every running timer."""
        for timer in self.timers:
            if timer.isActive():
                timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        """Consumes only what the wedge consumes (a scanner's keys)."""
        if not isinstance(event, QInputEvent):
            return False
        if event.type() in USER_EVENTS:
            self.touch()
        return self.wedge is not None and self.wedge.eventFilter(obj, event)


class MainWindow(QMainWindow):
    """Everything a cashier, a manager or an owner does at the counter."""

    def __init__(self, worker: TerminalWorker, lang: str = "tr", with_display: bool = True) -> None:
        super().__init__()
        self.worker, self.lang = worker, lang
        self.staff: dict[str, Any] | None = None
        self.setWindowTitle(self.tr("Sadakat Kasası"))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        # Each screen joins the window once, built in place: moving a built widget tree into
        # the window walks all of it again (fonts, palette, style sheet).
        self.login = LoginScreen(worker, lang)
        self.login.logged_in.connect(self.on_login)
        self.stack.addWidget(self.login)
        self.tabs = QTabWidget()
        self.stack.addWidget(self.tabs)
        self.counter = CounterScreen(worker, lang)
        self.tabs.addTab(self.counter, self.tr("Kasa"))
        # The other screens (and their imports) are built when first opened or used: the
        # counter is ready sooner and a cashier who only sells never pays for them.
        self._screens: dict[str, QWidget] = {}
        self._pages: dict[str, QWidget] = {}
        for name, title in (("history", self.tr("Satışlar")), ("members", self.tr("Üyeler")),
                            ("settings", self.tr("Ayarlar"))):
            self._pages[name] = QWidget()
            self.tabs.addTab(self._pages[name], title)
        self.reports = _reports_screen(worker)
        if self.reports is not None:
            self.tabs.addTab(self.reports, self.tr("Raporlar"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.status = StatusLine(worker, self.statusBar(), lang)
        self.receipts = ReceiptPrinter(worker, self)
        self.receipts.message.connect(self.status.note)
        self.counter.sale_done.connect(self.on_sale)
        self.counter.member_changed.connect(self._member_changed)
        self.restore_path: str | None = None
        self.lock_button = self.status.add_lock_button(self.lock)
        self.lock_button.setVisible(False)
        self.status.set_staff(None)
        self.preloads: list[threading.Thread] = []  # libraries loading ahead of first use
        QTimer.singleShot(WARM_UP_MS, self, lambda: self.preloads.append(self.receipts.warm_up()))
        QTimer.singleShot(VERIFIER_MS, self, self._load_verifier)
        self.display = CustomerDisplay(worker, lang) if with_display else None
        self.wedge = WedgeFilter(self)
        self.wedge.scanned.connect(self.on_scanned)
        self.sources = ScannerSources(self)  # serial port and webcam: the same handler
        self.sources.scanned.connect(self.on_scanned)
        self.sources.error.connect(self.status.note)
        self.counter.camera_requested.connect(lambda: self.sources.open_camera(self))
        self.counter.undone.connect(self._print_refund)
        self.autolock = QTimer(self)
        self.autolock.setSingleShot(True)
        self.autolock.setInterval(DEFAULT_AUTOLOCK_MINUTES * 60_000)
        self.autolock.timeout.connect(self.lock)
        self.activity = ActivityFilter([self.autolock, self.status.backup_timer], self.wedge,
                                       self)
        self.keep_warm = QTimer(self)
        self.keep_warm.setInterval(KEEP_WARM_MS)
        self.keep_warm.timeout.connect(self._keep_warm)
        app = QApplication.instance()
        app.installEventFilter(self.activity)  # and through it the wedge
        app.focusChanged.connect(self.wedge.flush)  # held keys belong to the old focus
        worker.failed.connect(lambda error: self.status.note(error_text(error, lang)))
        self.data_dir: Any = None
        worker.call(lambda t: (t.data_dir, {s["key"]: s["value"] for s in t.settings()}),
                    self._configure)
        self.sync = BackgroundSync(worker, parent=self)
        self.sync.changed.connect(self.status.show_sync)
        # Only a paired terminal needs its sync state: sync_state() counts the events not yet
        # sent, all 2,000,000 on a big unpaired store (0.4 s at start, 2.8 s with a cold cache).
        worker.call(lambda t: t.sync_state() if t.meta("sync_server_url") else {},
                    self.sync.start_if_paired)
        self.login.reload()

    # -- screens built on first use --------------------------------------------------------------
    @property
    def history(self) -> HistoryScreen:
        """The sales history and refunds screen (built on first use)."""
        return self._screen("history")  # type: ignore[return-value]

    @property
    def members(self) -> MembersScreen:
        """The members screen (built on first use)."""
        return self._screen("members")  # type: ignore[return-value]

    @property
    def settings(self) -> SettingsScreen:
        """The settings screen (built on first use)."""
        return self._screen("settings")  # type: ignore[return-value]

    def _screen(self, name: str) -> QWidget:
        """The screen called `name`, built and put in place of its tab's placeholder once."""
        screen = self._screens.get(name)
        if screen is None:
            screen = self._screens[name] = self._build(name)
            self._swap_page(name, screen)
        return screen

    def _build(self, name: str) -> QWidget:
        worker, lang = self.worker, self.lang
        if name == "history":
            from .history import HistoryScreen

            history = HistoryScreen(worker, lang)
            history.refunded.connect(self._print_refund)
            return history
        if name == "members":
            from .members import MembersScreen

            members = MembersScreen(worker, lang)
            members.use_at_counter.connect(self._sell_to)
            members.staff = self.staff
            return members
        from .settings import SettingsScreen

        settings = SettingsScreen(worker, lang)
        settings.restore_requested.connect(self._restore)
        settings.local.changed.connect(self.apply_settings)
        settings.staff = self.staff
        return settings

    def _swap_page(self, name: str, screen: QWidget) -> None:
        """Put the built screen in its tab (same place, title, visibility; still current)."""
        placeholder = self._pages[name]
        index = self.tabs.indexOf(placeholder)
        current = self.tabs.currentIndex() == index
        visible = self.tabs.isTabVisible(index)
        title = self.tabs.tabText(index)
        self.tabs.blockSignals(True)
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, screen, title)
            self.tabs.setTabVisible(index, visible)
            if current:
                self.tabs.setCurrentIndex(index)
        finally:
            self.tabs.blockSignals(False)
        self._pages[name] = screen
        placeholder.deleteLater()

    def _print_refund(self, refund: dict[str, Any]) -> None:
        self.receipts.print_refund(refund, self.staff["name"] if self.staff else "")

    def _configure(self, result: tuple[Any, dict[str, Any]]) -> None:
        self.data_dir = result[0]
        self.apply_settings(result[1])

    def apply_settings(self, values: dict[str, Any]) -> None:
        """Use this terminal's settings now (the language waits for the next start)."""
        self.autolock.setInterval(int(values["autolock_minutes"]) * 60_000)
        data_dir = self.data_dir
        self.worker.call(lambda t: t.shop, lambda shop: self._configure_receipts(
            shop, values["receipt_printer"], data_dir, values["receipt_width_mm"]))
        self.sources.configure(values["serial_scanner_port"], values["camera_scanner"])
        self.counter.set_camera_available(self.sources.camera_enabled)

    def _configure_receipts(self, shop: dict[str, Any], printer: str, data_dir: Any,
                            width_mm: int) -> None:
        self.receipts.configure(shop, printer, data_dir, width_mm)
        QTimer.singleShot(PRINTER_LOOKUP_MS, self._show_printer)

    def _show_printer(self) -> None:
        """Look the printer up (after the first paint) and show it in the status bar."""
        self.receipts.find_printer()
        self.status.set_printer(self.receipts.state())

    def on_login(self, staff: dict[str, Any]) -> None:
        """Open the work screens for this staff member (settings, reports: managers, owners)."""
        self.staff = staff
        for page in (self._pages["settings"], self.reports):
            if page is not None:
                self.tabs.setTabVisible(self.tabs.indexOf(page),
                                        staff["role"] in ("manager", "owner"))
        self.status.set_staff(staff)
        self.status.refresh()
        self.counter.start(staff)
        for name in ("members", "settings"):
            if name in self._screens:
                self._screens[name].staff = staff  # type: ignore[attr-defined]
        self.tabs.setCurrentWidget(self.counter)
        self.stack.setCurrentWidget(self.tabs)
        self.autolock.start()
        self.keep_warm.start()
        self.lock_button.setVisible(True)
        if self.display is not None and not self.display.isVisible():
            self.display.place()
            self.raise_()  # the counter in front, with the keyboard (see CustomerDisplay.place)
            self.activateWindow()

    def lock(self) -> None:
        """Back to the login screen (inactivity or the lock button)."""
        self.autolock.stop()
        self.keep_warm.stop()
        self.staff = None
        self.counter.reset()
        self.status.set_staff(None)
        self.lock_button.setVisible(False)
        self.stack.setCurrentWidget(self.login)
        self.login.reload()

    def on_scanned(self, text: str) -> None:
        """A scan anywhere goes to the counter (members screen included: the cashier sells)."""
        if self.staff is None:
            return
        self.activity.touch()  # serial and camera scans type no keys
        self.tabs.setCurrentWidget(self.counter)
        self.counter.on_scanned(text)

    def _load_verifier(self) -> None:
        """Import the Ed25519 library once the first screen is up, before anyone scans (the
        window starts without it; a scan before this waits for it or loads it itself)."""
        self.preloads.append(preload(load_verifier, "card-verifier"))

    def _keep_warm(self) -> None:
        """Look the last scanned card up again in the worker (result dropped: it reads, writes
        nothing) while nothing else runs, so the card, member and ledger indexes and the code
        of the scan path stay in memory through a quiet spell."""
        card = self.counter.last_card
        if card is not None and self.worker.idle:
            self.worker.call(lambda t: t.find_member(card), None, lambda _error: None)

    def on_sale(self, sale: dict[str, Any]) -> None:
        """After a sale: receipt in the background, the customer display asks for feedback."""
        self.activity.touch()
        self.receipts.print_sale(sale, self.staff["name"] if self.staff else "")
        self.sync.sync_now()
        if self.display is not None:
            self.display.show_sale(sale)

    def _member_changed(self, member: dict[str, Any] | None) -> None:
        if self.display is not None and member is not None:
            self.display.show_member(member)

    def _sell_to(self, member: dict[str, Any]) -> None:
        self.tabs.setCurrentWidget(self.counter)
        self.counter.show_member(member)

    def _restore(self, path: str) -> None:
        """Close the window; main() closes the store, restores the backup and reopens."""
        self.restore_path = path
        self.close()

    def _tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        for name, page in list(self._pages.items()):
            if widget is page:
                screen = self._screen(name)  # a placeholder: build the screen now
                if name in ("history", "settings"):
                    screen.reload()  # type: ignore[attr-defined]

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        """Stop listening to the keyboard, close the display; the worker finishes its queue."""
        app = QApplication.instance()
        app.removeEventFilter(self.activity)
        app.focusChanged.disconnect(self.wedge.flush)
        self.autolock.stop()
        self.keep_warm.stop()
        self.sources.stop()
        self.sync.stop()  # before the worker drains: the loop's store calls run there
        if self.display is not None:
            self.display.close()
        self.worker.drain()
        self.receipts.wait(10_000)
        super().closeEvent(event)



def _reports_screen(worker: TerminalWorker) -> LazyTab | None:
    """The managers' reports tab (ui/reports.py) when this build has it, built when first shown."""
    if find_spec(f"{__package__}.reports") is None:
        return None

    def make() -> QWidget:
        from .reports import ReportsScreen

        return ReportsScreen(worker)

    return LazyTab(make)
