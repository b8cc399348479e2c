"""Small shared widgets: an on-screen numeric keypad, the manager PIN dialog, label helpers."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout,
    QWidget,
)


def label(text: str = "", role: str | None = None, wrap: bool = False) -> QLabel:
    """A QLabel with a style role (see style.QSS)."""
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    return widget


def button(text: str, role: str | None = None) -> QPushButton:
    """A QPushButton with a style role."""
    widget = QPushButton(text)
    if role:
        widget.setProperty("role", role)
    return widget


def ask_yes(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no confirmation."""
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class Keypad(QWidget):
    """Digits, a decimal comma, backspace and clear, typed into a target line edit."""

    pressed = Signal(str)

    def __init__(self, target: QLineEdit, comma: bool = True, columns: int = 3,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.target = target
        grid = QGridLayout(self)
        grid.setSpacing(4)
        if columns == 4:  # wide and short: fits a 768-pixel-high screen
            keys = ["7", "8", "9", "⌫", "4", "5", "6", "," if comma else "C", "1", "2", "3", "0"]
        else:
            keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "," if comma else "C", "0", "⌫"]
        for i, key in enumerate(keys):
            key_button = button(key, "key")
            key_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the focus in the field
            key_button.setObjectName(f"key_{key}")
            key_button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(key_button, i // columns, i % columns)

    def press(self, key: str) -> None:
        """Apply one key to the target field."""
        if key == "⌫":
            self.target.backspace()
        elif key == "C":
            self.target.clear()
        else:
            self.target.insert(key)
        self.pressed.emit(key)


class PinDialog(QDialog):
    """Ask for a manager (or owner) PIN with a keypad; `pin()` after exec()."""

    def __init__(self, title: str, detail: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(label(title, "title"))
        if detail:
            layout.addWidget(label(detail, wrap=True))
        self.field = QLineEdit()
        self.field.setObjectName("pin_field")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setMaxLength(8)
        self.field.setProperty("role", "amount")
        layout.addWidget(self.field)
        layout.addWidget(Keypad(self.field, comma=False))
        row = QHBoxLayout()
        cancel = button(self.tr("Vazgeç"))
        cancel.clicked.connect(self.reject)
        ok = button(self.tr("Onayla"), "primary")
        ok.setObjectName("pin_ok")
        ok.clicked.connect(self.accept)
        row.addWidget(cancel)
        row.addWidget(ok)
        layout.addLayout(row)
        self.field.returnPressed.connect(self.accept)

    def pin(self) -> str:
        """The PIN typed."""
        return self.field.text().strip()
