"""Start the counter window: fonts and style, open the store, first-run wizard, login, counter."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from ..domain.errors import StoreError
from ..services import open_terminal
from ..services.terminal import restore_backup
from .messages import error_text
from .style import apply_style, resources_dir
from .window import MainWindow
from .worker import TerminalWorker

log = logging.getLogger(__name__)


def main(data_dir: Path) -> int:
    """Run the counter window on `data_dir` until it is closed; return the exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Loyalty Desktop")
    apply_style(app)
    while True:
        term = open_store(Path(data_dir))
        if term is None:
            return 1
        restore = run_terminal(app, term)
        if restore is None:
            return 0
        restore_backup(data_dir, Path(restore))


def open_store(data_dir: Path) -> Any | None:
    """Open the terminal; explain a second instance; offer the newest good backup if damaged."""
    while True:
        try:
            return open_terminal(data_dir)
        except StoreError as exc:
            if exc.code == "database_damaged" and exc.details.get("backup"):
                backup = Path(str(exc.details["backup"]))
                if not offer_restore(backup):
                    return None
                restore_backup(data_dir, backup)
                continue
            QMessageBox.critical(None, QApplication.translate("main", "Açılamadı"),
                                 error_text(exc) + "\n\n" + exc.message)
            return None


def offer_restore(backup: Path) -> bool:
    """Ask whether to go back to the newest good backup."""
    answer = QMessageBox.question(None, QApplication.translate("main", "Veritabanı hasarlı"),
                                  QApplication.translate(
                                      "main", "Veritabanı hasarlı. En yeni sağlam yedek: {0}\n"
                                      "Bu yedeğe dönülsün mü?").format(backup.name))
    return answer == QMessageBox.StandardButton.Yes


def install_translator(app: QApplication, lang: str) -> QTranslator | None:
    """English from resources/translations when the shop's language is English."""
    if not lang.startswith("en"):
        QLocale.setDefault(QLocale(QLocale.Language.Turkish, QLocale.Country.Turkey))
        return None
    translator = QTranslator(app)
    if translator.load(str(resources_dir() / "translations" / "loyalty_en.qm")):
        app.installTranslator(translator)
        return translator
    return None


def run_terminal(app: QApplication, term: Any) -> str | None:
    """Wizard if needed, then the window; return a backup path to restore, or None."""
    worker = TerminalWorker(term)
    translator = None
    try:
        if not worker.run_now(lambda t: t.initialised):
            from .wizard import FirstRunWizard

            wizard = FirstRunWizard(worker)
            if wizard.exec() != QDialog.DialogCode.Accepted:
                return None
        lang = worker.run_now(lambda t: t.language)
        translator = install_translator(app, lang)
        window = MainWindow(worker, lang)
        show_fitted(window, app)
        app.exec()
        return window.restore_path
    finally:
        if translator is not None:
            app.removeTranslator(translator)
        worker.shutdown()
        term.close()


def show_fitted(window: Any, app: Any) -> None:
    """Show the window at 1280x800, or maximised on a screen smaller than that (a 1024x768
    counter screen must never cut the keypad or the status bar off)."""
    screen = app.primaryScreen()
    room = screen.availableGeometry() if screen is not None else None
    if room is not None and (room.width() < 1280 or room.height() < 800):
        window.setGeometry(room)
        window.showMaximized()
    else:
        window.resize(1280, 800)
        window.show()
