"""The status bar: who is logged in, the printer, the age of the newest backup, sync state.

Nothing here is decorative: a terminal with no server says so ("standalone").
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from ..domain.clock import from_db
from .format import moment_text
from .login import role_name
from .widgets import button
from .worker import TerminalWorker

log = logging.getLogger(__name__)

BACKUP_STALE_HOURS = 24
# The daily backup copies a read-only snapshot on its own thread and connection (13 s for a
# 4 GB store) while the counter keeps selling. It waits for a quiet counter: this long with no
# key, click, touch, scan or sale (the window restarts the timer on each), so the copy does not
# compete for the disk and the CPUs with the next customer's scan (a fixed minute after start
# made the first scan after a minute's pause 59 ms on the big store).
BACKUP_DELAY_MS = 180_000
_STAMP = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})")


def backup_age_hours(backups: list[dict[str, Any]], now: datetime | None = None) -> float | None:
    """Hours since the newest backup (its file name carries a UTC stamp); None if none."""
    for item in backups:
        match = _STAMP.search(item["name"])
        if match:  # not strptime: its first call costs ~20 ms (locale, calendar) at start-up
            made = datetime(*(int(part) for part in match.groups()), tzinfo=UTC)
            return ((now or datetime.now(UTC)) - made).total_seconds() / 3600
    return None


class _BackupRelay(QObject):
    """Carries the backup thread's outcome to the GUI thread."""

    done = Signal(object)
    failed = Signal()


class StatusLine:
    """Owns the labels of the window's status bar."""

    def __init__(self, worker: TerminalWorker, bar: QStatusBar, lang: str = "tr") -> None:
        self.worker, self.bar, self.lang = worker, bar, lang
        self.staff = QLabel()
        self.staff.setObjectName("status_staff")
        self.printer = QLabel()
        self.printer.setObjectName("status_printer")
        self.backup = QLabel()
        self.backup.setObjectName("status_backup")
        self.sync = QLabel()
        self.sync.setObjectName("status_sync")
        for widget in (self.staff, self.printer, self.backup, self.sync):
            bar.addPermanentWidget(widget)
        self.backup_timer = QTimer(bar)
        self.backup_timer.setSingleShot(True)
        self.backup_timer.setInterval(BACKUP_DELAY_MS)
        self.backup_timer.timeout.connect(self.make_backup)
        self._relay = _BackupRelay(bar)
        self._relay.done.connect(self._backup_done)
        self._relay.failed.connect(lambda: self.backup.setText(self.tr("Yedek alınamadı")))

    def tr(self, text: str) -> str:
        """Translate in the status bar's context."""
        return QCoreApplication.translate("StatusLine", text)

    def add_lock_button(self, on_click: Callable[[], None]):
        """A 'lock' button at the right end of the bar."""
        lock = button(self.tr("Kilitle"))
        lock.setObjectName("lock_button")
        lock.clicked.connect(on_click)
        self.bar.addPermanentWidget(lock)
        return lock

    def note(self, text: str) -> None:
        """A passing message (printing result, an error nobody else showed)."""
        self.bar.showMessage(text, 15_000)

    def set_staff(self, staff: dict[str, Any] | None) -> None:
        """Who is logged in."""
        if staff is None:
            self.staff.setText(self.tr("Kilitli"))
        else:
            role = role_name(staff["role"], self.lang)
            self.staff.setText(f"{staff['name']} ({role})")

    def set_printer(self, text: str) -> None:
        """Printer state from the receipt printer."""
        self.printer.setText(text)

    def refresh(self) -> None:
        """Fetch backup and sync state; make a backup when the newest is over a day old."""
        self.worker.call(lambda t: (t.backups(), t.meta("sync_server_url"),
                                    _shop_time(t, t.meta("sync_last_success"))), self._show)

    def make_backup(self) -> None:
        """The automatic backup on a thread of its own (a read-only snapshot: the counter keeps
        selling), then an audit row through the worker; the status bar says when it is done."""
        self.backup.setText(self.tr("Yedek alınıyor…"))
        self.worker.call(lambda t: t.data_dir, self._snapshot_in_thread)

    def _snapshot_in_thread(self, data_dir: Any) -> None:
        from ..services.admin import snapshot_backup

        def run() -> None:
            try:
                path = snapshot_backup(data_dir)
            except Exception as exc:  # the status bar says so; the counter carries on
                log.warning("automatic backup failed: %s", exc)
                self._relay.failed.emit()
                return
            self._relay.done.emit(path)

        threading.Thread(target=run, name="loyalty-backup", daemon=True).start()

    def _backup_done(self, path: Any) -> None:
        self.worker.call(lambda t: t.note_backup(path), lambda _r: self.refresh(),
                         lambda e: self.backup.setText(self.tr("Yedek alınamadı")))

    def _show(self, result: tuple[list[dict[str, Any]], str | None, str | None]) -> None:
        backups, server, last_sync = result
        age = backup_age_hours(backups)
        if age is None or age > BACKUP_STALE_HOURS:
            self.backup.setText("" if age is None else  # the backup comes with the timer
                                self.tr("Yedek: {0} saat önce").format(int(age)))
            if not self.backup_timer.isActive():
                self.backup_timer.start()
        elif age < 1:
            self.backup.setText(self.tr("Yedek: 1 saatten yeni"))
        else:
            self.backup.setText(self.tr("Yedek: {0} saat önce").format(int(age)))
        if not server:
            self.sync.setText(self.tr("Sunucu yok (tek başına)"))
        elif last_sync:
            self.sync.setText(self.tr("Sunucu: son eşitleme {0}").format(
                moment_text(last_sync)))
        else:
            self.sync.setText(self.tr("Sunucu: henüz eşitlenmedi"))



    def show_sync(self, status: Any) -> None:
        """The background sync's snapshot (loyalty_desktop.sync.loop.SyncStatus)."""
        if status.syncing:
            self.sync.setText(self.tr("Sunucu: eşitleniyor…"))
        elif status.online is False:
            self.sync.setText(self.tr("Çevrimdışı: {0} olay bekliyor").format(
                status.waiting_events))
        elif status.last_sync_at:
            self.sync.setText(self.tr("Çevrimiçi: son eşitleme {0}").format(
                moment_text(status.last_sync_at)))


def _shop_time(term: Any, stored: str | None) -> str | None:
    """A stored UTC time as ISO text in the shop's zone (runs in the worker)."""
    return term.iso(from_db(stored)) if stored else None
