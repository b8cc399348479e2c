"""The customer-facing window (second monitor): greeting, balances after the sale, NPS and CSAT."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from ..domain.errors import LoyaltyError
from .format import money, points
from .messages import error_text
from .widgets import button, label
from .worker import TerminalWorker

THANKS_MS = 8000  # how long the thank-you stays before the display returns to the greeting


class CustomerDisplay(QWidget):
    """A second top-level window that the customer looks at and taps."""

    def __init__(self, worker: TerminalWorker, lang: str = "tr") -> None:
        super().__init__()
        self.worker, self.lang = worker, lang
        self.setWindowTitle(self.tr("Müşteri ekranı"))
        self.setMinimumSize(800, 600)
        self.sale_id: str | None = None
        self.nps: int | None = None
        self.csat: int | None = None
        layout = QVBoxLayout(self)
        self.greeting = label(self.tr("Hoş geldiniz!"), "huge", wrap=True)
        self.greeting.setObjectName("display_greeting")
        self.balances = label("", "big", wrap=True)
        self.balances.setObjectName("display_balances")
        layout.addWidget(self.greeting)
        layout.addWidget(self.balances)
        self.question = QWidget()
        q = QVBoxLayout(self.question)
        q.addWidget(label(self.tr("Bizi bir arkadaşınıza önerme olasılığınız nedir? (0-10)"),
                          "title", wrap=True))
        nps_row = QGridLayout()
        self.nps_buttons = []
        for score in range(11):
            answer = button(str(score), "answer")
            answer.setObjectName(f"nps_{score}")
            answer.setCheckable(True)
            answer.clicked.connect(lambda _=False, s=score: self.answer_nps(s))
            nps_row.addWidget(answer, 0, score)
            self.nps_buttons.append(answer)
        q.addLayout(nps_row)
        q.addWidget(label(self.tr("Bugünkü hizmetten ne kadar memnun kaldınız? (1-5)"),
                          "title", wrap=True))
        csat_row = QHBoxLayout()
        for score in range(1, 6):
            answer = button("★" * score, "answer")
            answer.setObjectName(f"csat_{score}")
            answer.clicked.connect(lambda _=False, s=score: self.answer_csat(s))
            csat_row.addWidget(answer)
        q.addLayout(csat_row)
        layout.addWidget(self.question)
        self.note = label("", "big", wrap=True)
        self.note.setObjectName("display_note")
        layout.addWidget(self.note)
        layout.addStretch(1)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(THANKS_MS)
        self._idle.timeout.connect(lambda: self.show_member(None))
        self.show_member(None)

    def place(self) -> None:
        """Full screen on a second monitor when there is one. With one screen, a third of it (or
        the least its buttons need) in its bottom-right corner, shown without taking the focus: the counter stays in front
        and keeps the keyboard (a scanner types into the focused window); the owner can move
        the display or turn the screen toward the customer."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.setGeometry(screens[1].geometry())
            self.showFullScreen()
            return
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        room = screens[0].availableGeometry() if screens else None
        if room is None:
            self.resize(640, 480)
        else:
            # the NPS row's touch targets need their room
            least = self.minimumSize().expandedTo(self.minimumSizeHint())
            width = min(max(room.width() // 3, least.width()), room.width())
            height = min(max(room.height() // 3, least.height()), room.height())
            self.setGeometry(room.right() - width + 1, room.bottom() - height + 1, width, height)
        self.show()

    def show_member(self, member: dict[str, Any] | None) -> None:
        """Greet the scanned member (first name only: others may be looking) or everyone."""
        self.question.setVisible(False)
        self.note.clear()
        self.balances.clear()
        if member is None:
            self.greeting.setText(self.tr("Hoş geldiniz!"))
            return
        first = (member.get("name") or "").split(" ")[0]
        self.greeting.setText(self.tr("Merhaba {0}!").format(first))
        self.balances.setText(self._balances(member))

    def show_sale(self, sale: dict[str, Any]) -> None:
        """After a sale: the new balances and the two questions."""
        self._idle.stop()
        self.sale_id = sale["sale_id"]
        self.nps = self.csat = None
        for answer in self.nps_buttons:
            answer.setChecked(False)
        member = sale.get("member")
        self.greeting.setText(self.tr("Teşekkür ederiz!"))
        self.balances.setText(self._balances(member) if member else "")
        self.note.clear()
        self.question.setVisible(True)

    def _balances(self, member: dict[str, Any]) -> str:
        lang = self.lang
        text = self.tr("Puanınız: {0}\nCüzdan: {1}\nSeviye: {2}").format(
            points(member["points"], lang), money(member["wallet_available"], lang),
            member["tier_name"])
        if member["wallet_pending"]:
            text += "\n" + self.tr("Cüzdana yolda: {0}").format(
                money(member["wallet_pending"], lang))
        return text

    def answer_nps(self, score: int) -> None:
        """Remember the NPS; the answer is sent with the CSAT (one feedback per sale)."""
        self.nps = score
        for i, answer in enumerate(self.nps_buttons):
            answer.setChecked(i == score)
        self.note.setText(self.tr("Şimdi lütfen hizmetimizi puanlayın."))

    def answer_csat(self, score: int) -> None:
        """Send both answers for this sale."""
        if self.sale_id is None:
            return
        sale_id, nps = self.sale_id, self.nps
        self.csat = score
        self.sale_id = None
        self.worker.call(lambda t: t.feedback(sale_id, nps=nps, csat=score), self._answered,
                         self._failed)

    def _answered(self, result: dict[str, Any]) -> None:
        self.question.setVisible(False)
        if result["follow_up"]:
            self.note.setText(self.tr("Üzgünüz. Mağaza müdürümüz sizinle iletişime geçecek."))
        else:
            self.note.setText(self.tr("Görüşünüz için teşekkürler!"))
        self._idle.start()

    def _failed(self, error: LoyaltyError) -> None:
        self.note.setText(error_text(error, self.lang))
