"""A tab whose screen is built the first time it is shown, so its imports wait until then.

The reports screen pulls in QtPdf, QtPdfWidgets and numpy (report_math): hundreds of
milliseconds the counter does not need at start.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyTab(QWidget):
    """Holds the place of a screen; `build()` makes it (once) and puts it inside."""

    def __init__(self, make: Callable[[], QWidget | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._make: Callable[[], QWidget | None] | None = make
        self.screen: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def build(self) -> QWidget | None:
        """The real screen, made on the first call."""
        if self._make is not None:
            make, self._make = self._make, None
            self.screen = make()
            if self.screen is not None:
                self.layout().addWidget(self.screen)
        return self.screen

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        """First shown: build the screen."""
        self.build()
        super().showEvent(event)
