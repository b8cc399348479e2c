"""The member as the cashier sees it after a scan: who, tier, balances, coupons, warnings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from .format import FLAG_NAMES, coupon_line, day, money, pick, points
from .widgets import button, label, restyle


class MemberPanel(QFrame):
    """Shows one member object (docs/contracts.md); `coupon_chosen(code)` when one is tapped."""

    coupon_chosen = Signal(str)

    def __init__(self, lang: str = "tr", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.setProperty("role", "panel")
        self.member: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.name = label(self.tr("Kart okutun veya üye arayın"), "big")
        self.name.setObjectName("member_name")
        self.tier = label("", "tier")
        self.tier.setObjectName("member_tier")
        top.addWidget(self.name, 1)
        top.addWidget(self.tier)
        layout.addLayout(top)
        self.progress = QProgressBar()
        self.progress.setObjectName("tier_progress")
        self.progress_note = label("", "note", wrap=True)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_note)
        self.points = label("", "big")
        self.points.setObjectName("member_points")
        self.wallet = label("", wrap=True)
        self.wallet.setObjectName("member_wallet")
        self.club = label("", wrap=True)
        self.expiring = label("", "error", wrap=True)
        self.expiring.setObjectName("member_expiring")
        self.consents = label("", "note", wrap=True)
        for widget in (self.points, self.wallet, self.club, self.expiring, self.consents):
            layout.addWidget(widget)
        self.coupons_title = label(self.tr("Kullanılabilir kuponlar"), "title")
        layout.addWidget(self.coupons_title)
        self.coupon_box = QVBoxLayout()
        layout.addLayout(self.coupon_box)
        self.no_coupons = label(self.tr("Kupon yok"), "note")
        layout.addWidget(self.no_coupons)
        self.flags = QVBoxLayout()
        layout.addLayout(self.flags)
        layout.addStretch(1)
        # What the chips and flag labels show now: a scan rebuilds them only when it changes
        # (new widgets each scan meant a style polish and a relayout of the whole window).
        self._coupons_shown: list[tuple[str, str]] | None = None
        self._flags_shown: list[str] | None = None
        self.show_member(None)

    def show_member(self, member: dict[str, Any] | None) -> None:
        """Fill every field from a member object, or show the empty 'scan a card' state.

        Only what differs from the member shown before changes (Qt skips equal texts): a scan
        repaints the fields that changed instead of relaying out the window."""
        self.member = member
        has = member is not None
        for widget in (self.tier, self.progress, self.progress_note, self.points, self.wallet,
                       self.club, self.consents, self.coupons_title):
            widget.setVisible(has)
        lang = self.lang
        coupons = [(c["code"], coupon_line(c, lang)) for c in member["coupons"]] if has else []
        self._show_coupons(coupons)
        self.no_coupons.setVisible(has and not coupons)
        flags = [pick(FLAG_NAMES.get(flag, (flag, flag)), lang) for flag in member["flags"]] \
            if has else []
        if has and member.get("blocked"):
            flags.append(self.tr("KART BLOKE"))
        self._show_flags(flags)
        if member is None:
            self.name.setText(self.tr("Kart okutun veya üye arayın"))
            self.expiring.setVisible(False)
            return
        self.name.setText(member["name"])
        self.tier.setText(member["tier_name"])
        if self.tier.property("tier") != member["tier"]:
            self.tier.setProperty("tier", member["tier"])
            restyle(self.tier)
        self._show_progress(member)
        self.points.setText(self.tr("Puan: {0} (= {1})").format(
            points(member["points"], lang), money(member["points_value"], lang)))
        self.wallet.setText(self.tr("Cüzdan: {0} kullanılabilir, {1} bekliyor").format(
            money(member["wallet_available"], lang), money(member["wallet_pending"], lang)))
        self.club.setText(self.tr("Kulüp üyesi: {0} tarihine kadar").format(
            day(member["club_until"], lang)) if member["club_until"] else self.tr("Kulüp üyesi değil"))
        self._show_expiring(member)
        self._show_consents(member)

    def _show_coupons(self, coupons: list[tuple[str, str]]) -> None:
        """One chip per (code, text), rebuilt only when the list differs from the one shown."""
        if coupons == self._coupons_shown:
            return
        self._coupons_shown = coupons
        self._clear(self.coupon_box)
        for code, text in coupons:
            chip = button(text)
            chip.setObjectName(f"coupon_{code}")
            chip.clicked.connect(lambda _=False, c=code: self.coupon_chosen.emit(c))
            self.coupon_box.addWidget(chip)

    def _show_flags(self, flags: list[str]) -> None:
        """One red label per warning, rebuilt only when they differ from those shown."""
        if flags == self._flags_shown:
            return
        self._flags_shown = flags
        self._clear(self.flags)
        for text in flags:
            self.flags.addWidget(label(text, "flag"))

    def _show_progress(self, member: dict[str, Any]) -> None:
        remaining = member["next_tier_remaining"]
        if member["next_tier"] is None or remaining is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress.setFormat(self.tr("En üst seviye"))
            self.progress_note.setText("")
            return
        spend = member["qualifying_spend"]
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * spend / max(spend + remaining, 1)))
        self.progress.setFormat(f"{member['tier_name']} → {member['next_tier_name']}")
        self.progress_note.setText(self.tr("{0} için {1} daha alışveriş").format(
            member["next_tier_name"], money(remaining, self.lang)))

    def _show_expiring(self, member: dict[str, Any]) -> None:
        soon = member["points_expiring"]
        self.expiring.setVisible(bool(soon))
        if soon:
            parts = [f"{points(p['points'], self.lang)} → {day(p['expires_at'], self.lang)}"
                     for p in soon]
            self.expiring.setText(self.tr("Yakında silinecek puan: {0}").format(", ".join(parts)))

    def _show_consents(self, member: dict[str, Any]) -> None:
        names = {"sms": "SMS", "email": self.tr("E-posta")}
        parts = [f"{names.get(ch, ch)}: {'✓' if ok else '✗'}"
                 for ch, ok in member["consents"].items()]
        self.consents.setText(self.tr("İzinler: {0}").format("  ".join(parts)))

    @staticmethod
    def _clear(box: QVBoxLayout) -> None:
        while box.count():
            item = box.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()

    def coupon_buttons(self) -> list[QPushButton]:
        """The coupon chips shown (for tests and keyboard navigation)."""
        return [self.coupon_box.itemAt(i).widget() for i in range(self.coupon_box.count())
                if isinstance(self.coupon_box.itemAt(i).widget(), QPushButton)]
