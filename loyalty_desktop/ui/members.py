"""Members: Turkish-aware search, enrolment with consent per channel, detail, cards, KVKK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem,
    QScrollArea, QStackedWidget, QVBoxLayout, QWidget,
)

from ..domain.errors import LoyaltyError
from .enrol import EnrolForm
from .format import moment_text, money, points
from .history import ask_pin
from .member_actions import MemberActions, ask_fields, ask_points, ask_text
from .member_panel import MemberPanel
from .messages import error_text
from .widgets import ask_yes, button, label
from .worker import TerminalWorker


HISTORY_MIN_HEIGHT = 96  # two lines of the member's history


def ask_save_path(parent: QWidget, suggested: str, filters: str = "JSON (*.json)") -> str | None:
    """Where to save an export or a card; None when cancelled."""
    title = QCoreApplication.translate("MembersScreen", "Dosyayı kaydet")
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path or None


class MembersScreen(MemberActions, QWidget):
    """Find, enrol and look after members; `use_at_counter(member)` sells to the one shown."""

    use_at_counter = Signal(dict)

    def __init__(self, worker: TerminalWorker, lang: str = "tr",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.lang = worker, lang
        self.staff: dict[str, Any] | None = None
        self.member: dict[str, Any] | None = None
        self.ask_pin, self.ask_save_path, self.ask_yes = ask_pin, ask_save_path, ask_yes
        self.ask_text, self.ask_points, self.ask_fields = ask_text, ask_points, ask_fields
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("members_search")
        self.search.setPlaceholderText(self.tr("Ad, telefon veya kart no"))
        self.search.textChanged.connect(self.run_search)
        left.addWidget(self.search)
        self.results = QListWidget()
        self.results.setObjectName("members_results")
        self.results.itemActivated.connect(self._open_item)
        self.results.itemClicked.connect(self._open_item)
        left.addWidget(self.results, 1)
        new = button(self.tr("Yeni üye"), "primary")
        new.setObjectName("new_member")
        new.clicked.connect(self.new_member)
        left.addWidget(new)
        outer.addLayout(left, 2)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._detail_page())
        self.form = EnrolForm(worker, lang)
        self.form.enrolled.connect(self.show_detail)
        self.pages.addWidget(self.form)
        outer.addWidget(self.pages, 3)

    def _detail_page(self) -> QWidget:
        """The member and their history scroll; the actions and the message stay in view."""
        details = QWidget()
        box = QVBoxLayout(details)
        box.setContentsMargins(0, 0, 6, 0)
        self.panel = MemberPanel(self.lang)
        box.addWidget(self.panel)
        self.card = label("", "note", wrap=True)
        self.card.setObjectName("member_card")
        box.addWidget(self.card)
        self.history = QListWidget()
        self.history.setObjectName("member_history")
        self.history.setMinimumHeight(HISTORY_MIN_HEIGHT)
        box.addWidget(self.history, 1)
        scroll = QScrollArea()  # a long coupon list never pushes the actions or status bar off
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(details)
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addLayout(self._action_grid())
        self.message = label("", "error", wrap=True)
        self.message.setObjectName("members_message")
        outer.addWidget(self.message)
        self._enable_actions(False)
        return page

    def _action_grid(self) -> QGridLayout:
        """Twelve actions in rows of three: the labels stay whole at 1024 pixels."""
        row = QGridLayout()
        row.setSpacing(6)
        actions = [("sell", self.tr("Kasada kullan"), self._sell),
                   ("block", self.tr("Kartı bloke et"), self.block_card),
                   ("reissue", self.tr("Yeni kart ver"), self.reissue_card),
                   ("export", self.tr("KVKK dışa aktar"), self.export),
                   ("erase", self.tr("Verileri sil"), self.erase),
                   ("edit", self.tr("Bilgileri düzenle"), self.edit_member),
                   ("consent", self.tr("İzinler"), self.change_consents),
                   ("adjust", self.tr("Puan düzelt"), self.adjust_points),
                   ("club", self.tr("Kulübe katıl"), self.join_club),
                   ("complaint", self.tr("Şikâyet"), self.add_complaint),
                   ("merge", self.tr("Çift kaydı birleştir"), self.merge_duplicate),
                   ("card", self.tr("Kartı yazdır"), self.print_card)]
        self.actions = {}
        for i, (key, text, slot) in enumerate(actions):
            action = button(text, "danger_action" if key == "erase" else "action")
            action.setObjectName(f"member_{key}")
            action.clicked.connect(slot)
            row.addWidget(action, i // 3, i % 3)
            self.actions[key] = action
        return row

    def _enable_actions(self, on: bool) -> None:
        for action in self.actions.values():
            action.setEnabled(on)

    def run_search(self, text: str) -> None:
        """Search as the cashier types (the service folds Turkish letters)."""
        query = text.strip()
        if len(query) < 2:
            self.results.clear()
            return
        self.worker.call(lambda t: t.search_members(query, limit=30),
                         lambda rows: self._fill(query, rows), self._show_error)

    def _fill(self, query: str, rows: list[dict[str, Any]]) -> None:
        if query != self.search.text().strip():
            return  # a newer search is on its way
        self.results.clear()
        for row in rows:
            text = f"{row['name']}  ·  {row['phone'] or ''}  ·  {row['card_number']}"
            if row["blocked"]:
                text += "  · " + self.tr("BLOKE")
            item = QListWidgetItem(text)
            item.setData(256, row["member_id"])
            self.results.addItem(item)

    def _open_item(self, item: QListWidgetItem) -> None:
        member_id = item.data(256)
        self.worker.call(lambda t: t.member(member_id), self.show_detail, self._show_error)

    def new_member(self) -> None:
        """Show the enrolment form."""
        self.form.start(self.staff)
        self.pages.setCurrentWidget(self.form)

    def show_detail(self, member: dict[str, Any]) -> None:
        """Show a member with their sales history."""
        self.member = member
        self.pages.setCurrentIndex(0)
        self.panel.show_member(member)
        self.card.setText(self.tr("Kart: {0} (kuşak {1})").format(
            member["card_number"], member["card_generation"]))
        self.message.clear()
        self._enable_actions(not member.get("erased"))
        self.actions["sell"].setEnabled(not member["blocked"] and not member.get("erased"))
        member_id = member["member_id"]
        self.worker.call(lambda t: t.sales(member_id=member_id, limit=50), self._fill_history)

    def _fill_history(self, rows: list[dict[str, Any]]) -> None:
        self.history.clear()
        lang = self.lang
        for sale in rows:
            refunded = f"  (−{money(sale['refunded'], lang)})" if sale["refunded"] else ""
            self.history.addItem(f"{moment_text(sale['at'], lang)}  {money(sale['total'], lang)}"
                                 f"  +{points(sale['points_earned'], lang)}{refunded}")

    def _sell(self) -> None:
        if self.member is not None:
            self.use_at_counter.emit(self.member)

    def _with_pin(self, title: str, call: Any, done: Any) -> None:
        """Ask the manager PIN, then run `call(term, pin)` in the worker."""
        if self.member is None:
            return
        pin = self.ask_pin(self, title, self.member["name"])
        if pin:
            self.worker.call(lambda t: call(t, pin), done, self._show_error)

    def block_card(self) -> None:
        """Block a lost card (manager PIN)."""
        member_id = self.member["member_id"] if self.member else ""
        self._with_pin(self.tr("Kartı bloke et"), lambda t, pin: t.block_card(member_id, pin),
                       self.show_detail)

    def reissue_card(self) -> None:
        """Issue a new card; the old one is refused from now on (manager PIN)."""
        member_id = self.member["member_id"] if self.member else ""
        self._with_pin(self.tr("Yeni kart ver"), lambda t, pin: t.reissue_card(member_id, pin),
                       self.show_detail)

    def export(self) -> None:
        """Save everything stored about the member as JSON (KVKK access request)."""
        if self.member is None:
            return
        path = self.ask_save_path(self, f"uye-{self.member['card_number']}.json")
        if not path:
            return
        member_id = self.member["member_id"]
        self.worker.call(lambda t: _write_export(t.export_member(member_id), Path(path)),
                         lambda p: self.message.setText(self.tr("Kaydedildi: {0}").format(p)),
                         self._show_error)

    def erase(self) -> None:
        """Anonymise the member after a confirmation and a manager PIN."""
        if self.member is None:
            return
        if not self.ask_yes(self, self.tr("Verileri sil"), self.tr(
                "{0} adlı üyenin kişisel verileri kalıcı olarak silinecek. Emin misiniz?").format(
                self.member["name"])):
            return
        member_id = self.member["member_id"]
        self._with_pin(self.tr("Verileri sil"), lambda t, pin: t.erase_member(member_id, pin),
                       lambda _r: self._erased(member_id))

    def _erased(self, member_id: str) -> None:
        self.worker.call(lambda t: t.member(member_id), self.show_detail)
        self.run_search(self.search.text())

    def _show_error(self, error: LoyaltyError) -> None:
        self.message.setText(error_text(error, self.lang))


def _write_export(data: dict[str, Any], path: Path) -> str:
    """Write the export as UTF-8 JSON (runs in the worker thread)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return str(path)
