"""What a manager or cashier does to the member shown: points, club, complaint, details,
consent, merging a duplicate, printing the card. Each runs one service call in the worker;
the dialogs are attributes so tests can answer them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLineEdit, QWidget,
)


EDITABLE = ("name", "phone", "email", "birthday")
CHANNELS = ("sms", "email")


def ask_text(parent: QWidget, title: str, prompt: str, text: str = "") -> str | None:
    """One line of text; None when cancelled or empty."""
    value, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal, text)
    return value.strip() if ok and value.strip() else None


def ask_points(parent: QWidget, title: str, prompt: str) -> int | None:
    """A non-zero whole number of points (negative takes points away); None when cancelled."""
    value, ok = QInputDialog.getInt(parent, title, prompt, 0, -1_000_000, 1_000_000)
    return value if ok and value else None


def ask_fields(parent: QWidget, member: dict[str, Any],
               keys: tuple[str, ...] = EDITABLE, checks: bool = False) -> dict[str, Any] | None:
    """A small form over the member's fields (text, or check boxes for consents)."""
    dialog = QDialog(parent)
    form = QFormLayout(dialog)
    names = {"name": QCoreApplication.translate("MemberActions", "Ad soyad"), "phone": QCoreApplication.translate("MemberActions", "Telefon"), "email": QCoreApplication.translate("MemberActions", "E-posta"),
             "birthday": QCoreApplication.translate("MemberActions", "Doğum tarihi (YYYY-AA-GG)"), "sms": "SMS"}
    widgets: dict[str, Any] = {}
    for key in keys:
        if checks:
            widget: Any = QCheckBox()
            widget.setChecked(bool(member["consents"].get(key)))
        else:
            widget = QLineEdit(member.get(key) or "")
        form.addRow(names[key], widget)
        widgets[key] = widget
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return {k: (w.isChecked() if checks else w.text().strip()) for k, w in widgets.items()}


class MemberActions:
    """Mixed into MembersScreen: needs worker, member, staff, message, show_detail, dialogs."""

    worker: Any
    member: dict[str, Any] | None
    staff: dict[str, Any] | None

    def _run(self, work: Any, done: Any = None) -> None:
        """Run `work(term)` and show the member it returns (or the message it gives)."""
        self.worker.call(work, done or self.show_detail, self._show_error)  # type: ignore[attr-defined]

    def adjust_points(self) -> None:
        """Add or take away points with a reason (manager PIN)."""
        if self.member is None:
            return
        points = self.ask_points(self, QCoreApplication.translate("MemberActions", "Puan düzelt"), QCoreApplication.translate("MemberActions", "Puan (eksi: düş)"))
        reason = points and self.ask_text(self, QCoreApplication.translate("MemberActions", "Puan düzelt"), QCoreApplication.translate("MemberActions", "Gerekçe"))
        pin = reason and self.ask_pin(self, QCoreApplication.translate("MemberActions", "Puan düzelt"), self.member["name"])
        if pin:
            member_id = self.member["member_id"]
            self._run(lambda t: t.adjust(member_id, points, reason, pin)["member"])

    def join_club(self) -> None:
        """Join or renew the paid club (the fee is taken at the till)."""
        if self.member is None or not self.ask_yes(
                self, QCoreApplication.translate("MemberActions", "Kulübe katıl"), QCoreApplication.translate("MemberActions", "{0} kulübe katılacak (yıllık ücret kasada "
                                              "alınır). Onaylıyor musunuz?").format(self.member["name"])):
            return
        member_id = self.member["member_id"]
        staff_id = self.staff["staff_id"] if self.staff else None
        self._run(lambda t: t.club_join(member_id, staff_id=staff_id)["member"])

    def add_complaint(self) -> None:
        """Log a complaint for the manager."""
        if self.member is None:
            return
        text = self.ask_text(self, QCoreApplication.translate("MemberActions", "Şikâyet"), QCoreApplication.translate("MemberActions", "Şikâyet (kısa)"))
        if text:
            member_id = self.member["member_id"]
            self._run(lambda t: t.complaint(member_id, text),
                      lambda _r: self.message.setText(QCoreApplication.translate("MemberActions", "Şikâyet kaydedildi.")))

    def edit_member(self) -> None:
        """Change name, phone, e-mail or birthday."""
        if self.member is None:
            return
        fields = self.ask_fields(self, self.member)
        if fields is None:
            return
        changed = {k: v or None for k, v in fields.items() if v != (self.member.get(k) or "")}
        member_id = self.member["member_id"]
        if changed:
            self._run(lambda t: (t.update_member(member_id, **changed), t.member(member_id))[1])

    def change_consents(self) -> None:
        """Record consents given or withdrawn per channel (KVKK)."""
        if self.member is None:
            return
        wanted = self.ask_fields(self, self.member, CHANNELS, checks=True)
        if wanted is None:
            return
        changes = {ch: on for ch, on in wanted.items()
                   if on != bool(self.member["consents"].get(ch))}
        member_id = self.member["member_id"]
        self._run(lambda t: _consents(t, member_id, changes))

    def merge_duplicate(self) -> None:
        """Merge another member (found by card or phone) into the one shown (manager PIN)."""
        if self.member is None:
            return
        query = self.ask_text(self, QCoreApplication.translate("MemberActions", "Çift kaydı birleştir"),
                              QCoreApplication.translate("MemberActions", "Birleştirilecek üyenin kart no veya telefonu"))
        pin = query and self.ask_pin(self, QCoreApplication.translate("MemberActions", "Çift kaydı birleştir"), self.member["name"])
        if pin:
            keep_id = self.member["member_id"]
            self._run(lambda t: _merge(t, keep_id, query, pin))

    def print_card(self) -> None:
        """Save the card as a CR80 PDF (for the card printer) or a PNG (for a phone)."""
        if self.member is None:
            return
        path = self.ask_save_path(self, f"kart-{self.member['card_number']}.pdf",
                                  "PDF (*.pdf);;PNG (*.png)")
        if path:
            member = self.member
            self._run(lambda t: _write_card(t, member, Path(path)),
                      lambda p: self.message.setText(QCoreApplication.translate("MemberActions", "Kart kaydedildi: {0}").format(p)))


def _consents(term: Any, member_id: str, changes: dict[str, bool]) -> dict[str, Any]:
    for channel, granted in changes.items():
        term.set_consent(member_id, channel, granted)
    return term.member(member_id)


def _merge(term: Any, keep_id: str, query: str, pin: str) -> dict[str, Any]:
    other = term.find_member_any(query)
    term.merge_members(keep_id, other["member_id"], pin)
    return term.member(keep_id)


def _write_card(term: Any, member: dict[str, Any], path: Path) -> str:
    """Render the card in the worker thread and write it (ReportLab loads only now)."""
    from ..printing.card_layout import CardFace
    from ..printing.cards import render_card_png, render_cards_pdf

    face = CardFace(shop_name=term.shop["shop_name"], member_name=member["name"],
                    card_number=member["card_number"], payload=member["card_payload"],
                    lang=term.language)
    data = render_card_png(face) if path.suffix.lower() == ".png" else render_cards_pdf([face])
    path.write_bytes(data)
    return str(path)
