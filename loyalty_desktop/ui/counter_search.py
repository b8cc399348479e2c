"""The counter's single search box: what was typed decides the lookup (domain.classify_input).

A card payload (typed or pasted; the keyboard layout undone), a card number or a phone goes
to `find_member`; a coupon code goes into the basket; a name lists the matching members to
pick from (Turkish-aware search), or shows the one match at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..domain.errors import NotFound
from ..domain.scanning import classify_input, normalize_scanned
from .worker import TerminalWorker

NAME_RESULTS = 8


class CounterSearch(QWidget):
    """The search line and, for names, the list of matches under it."""

    find_requested = Signal(str)  # payload, card number or phone: the service finds the member
    coupon_entered = Signal(str)
    member_picked = Signal(str)  # member_id chosen from the name matches
    failed = Signal(object)  # LoyaltyError

    def __init__(self, worker: TerminalWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.line = QLineEdit()
        self.line.setObjectName("member_search")
        self.line.setPlaceholderText(self.tr("Kart no, telefon veya ad yazıp Enter"))
        box.addWidget(self.line)
        self.matches = QListWidget()
        self.matches.setObjectName("search_matches")
        self.matches.setMaximumHeight(180)
        self.matches.itemActivated.connect(self._picked)
        self.matches.itemClicked.connect(self._picked)
        self.matches.hide()
        box.addWidget(self.matches)

    def submit(self, text: str | None = None) -> str:
        """Act on the text (the line's when None); return the kind classify_input gave it."""
        text = (self.line.text() if text is None else text).strip()
        kind = classify_input(text)
        if not text:
            return kind
        if kind == "coupon_code":
            self.coupon_entered.emit(text.replace(" ", "").replace("-", ""))
        elif kind == "payload":
            self.find_requested.emit(normalize_scanned(text.replace(" ", "")))
        elif kind == "name":
            self.worker.call(lambda t: t.search_members(text, limit=NAME_RESULTS),
                             lambda rows: self._show_matches(text, rows), self.failed.emit)
        else:
            self.find_requested.emit(text)
        return kind

    def _show_matches(self, query: str, rows: list[dict[str, Any]]) -> None:
        live = [r for r in rows if not r.get("blocked")]
        if len(live) == 1:
            self.member_picked.emit(live[0]["member_id"])
            return
        if not live:
            self.failed.emit(NotFound(f"No member matches {query!r}.", code="member_unknown"))
            return
        self.matches.clear()
        for row in live:
            item = QListWidgetItem(f"{row['name']}  ·  {row.get('phone') or ''}")
            item.setData(Qt.ItemDataRole.UserRole, row["member_id"])
            self.matches.addItem(item)
        self.matches.show()
        self.matches.setCurrentRow(0)
        self.matches.setFocus(Qt.FocusReason.OtherFocusReason)

    def _picked(self, item: QListWidgetItem) -> None:
        self.member_picked.emit(item.data(Qt.ItemDataRole.UserRole))
        self.close_matches()

    def close_matches(self) -> None:
        """Hide the name matches."""
        self.matches.hide()
        self.matches.clear()

    def clear(self) -> None:
        """Empty the line and hide the matches."""
        self.line.clear()
        self.close_matches()

    def has_focus(self) -> bool:
        """The line or the match list has the keyboard focus."""
        return self.line.hasFocus() or self.matches.hasFocus()

