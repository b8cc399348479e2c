"""High-contrast look: a QSS with large type and touch targets of at least 44 px."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

FONT_FAMILY = "DejaVu Sans"
MIN_TOUCH = 44

QSS = f"""
QWidget {{ background: #ffffff; color: #000000; font-family: "{FONT_FAMILY}"; font-size: 15px;
  widget-animation-duration: 0; }}
QMainWindow, QDialog {{ background: #ffffff; }}
QPushButton {{ min-height: {MIN_TOUCH}px; min-width: {MIN_TOUCH}px; padding: 4px 14px;
  border: 2px solid #000000; border-radius: 6px; background: #f1f1f1; font-weight: bold; }}
QPushButton:focus {{ border: 3px solid #0044cc; }}
QPushButton:pressed {{ background: #c8c8c8; }}
QPushButton:disabled {{ color: #707070; border-color: #9a9a9a; }}
QSpinBox:disabled, QLineEdit:disabled {{ color: #505050; background: #eeeeee; }}
QPushButton[role="primary"] {{ background: #0b5d1e; color: #ffffff; font-size: 20px; }}
QPushButton[role="danger"] {{ background: #a00000; color: #ffffff; }}
QPushButton[role="action"], QPushButton[role="danger_action"] {{ min-height: {MIN_TOUCH - 8}px;
  padding: 2px 8px; }}
QPushButton[role="danger_action"] {{ background: #a00000; color: #ffffff; }}
QPushButton[role="staff"] {{ min-height: 72px; font-size: 20px; text-align: left; }}
QPushButton[role="key"] {{ min-height: 46px; min-width: 56px; font-size: 22px; }}
QPushButton[role="step"] {{ min-width: 44px; max-width: 56px; padding: 0; font-size: 22px; }}
QPushButton[role="answer"] {{ min-height: 72px; min-width: 56px; padding: 0; font-size: 26px; }}
QPushButton[role="answer"]:checked {{ background: #0044cc; color: #ffffff; }}
QLineEdit, QSpinBox, QComboBox, QDateEdit, QPlainTextEdit, QTableWidget, QListWidget {{
  min-height: {MIN_TOUCH}px; border: 2px solid #000000; border-radius: 4px; padding: 2px 6px;
  selection-background-color: #0044cc; selection-color: #ffffff; }}
QSpinBox {{ font-size: 20px; }}
/* steps are the big − / + buttons beside the field (NoButtons breaks the layout with QSS) */
QSpinBox::up-button, QSpinBox::down-button {{ width: 0px; border: none; }}
QLineEdit:focus, QSpinBox:focus {{ border: 3px solid #0044cc; }}
QLineEdit[role="amount"] {{ font-size: 32px; font-weight: bold; }}
QListWidget::item {{ min-height: 40px; }}
QPlainTextEdit {{ font-family: "DejaVu Sans Mono"; font-size: 14px; }}
QScrollBar:vertical {{ width: 22px; background: #e6e6e6; border: none; }}
QScrollBar:horizontal {{ height: 22px; background: #e6e6e6; border: none; }}
QScrollBar::handle {{ background: #000000; border-radius: 4px; min-height: 44px; min-width: 44px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0px; height: 0px; }}
QCheckBox {{ min-height: {MIN_TOUCH}px; }}
QCheckBox::indicator {{ width: 28px; height: 28px; }}
QLabel[role="title"] {{ font-size: 24px; font-weight: bold; }}
QLabel[role="big"] {{ font-size: 28px; font-weight: bold; }}
QLabel[role="huge"] {{ font-size: 36px; font-weight: bold; }}
QLabel[role="preview"] {{ font-size: 19px; }}
QLabel[role="error"] {{ color: #a00000; font-weight: bold; }}
QLabel[role="note"] {{ color: #333333; }}
QLabel[role="flag"] {{ background: #a00000; color: #ffffff; padding: 4px 8px; font-weight: bold; }}
QLabel[role="tier"] {{ border: 2px solid #000000; border-radius: 6px; padding: 4px 10px;
  font-size: 20px; font-weight: bold; }}
QLabel[tier="bronz"] {{ background: #f3d2b0; }}
QLabel[tier="gumus"] {{ background: #dcdcdc; }}
QLabel[tier="altin"] {{ background: #ffd84d; }}
QLabel[tier="platin"] {{ background: #202020; color: #ffffff; }}
QFrame[role="panel"] {{ border: 2px solid #000000; border-radius: 8px; }}
QProgressBar {{ border: 2px solid #000000; border-radius: 4px; min-height: 22px;
  text-align: center; font-weight: bold; }}
QProgressBar::chunk {{ background: #8fd49a; }}
QTabBar::tab {{ min-height: {MIN_TOUCH}px; min-width: 120px; padding: 4px 16px;
  border: 2px solid #000000; font-weight: bold; }}
QTabBar::tab:selected {{ background: #000000; color: #ffffff; }}
QStatusBar {{ border-top: 2px solid #000000; font-size: 14px; }}
QStatusBar QLabel {{ padding: 0 10px; }}
QHeaderView::section {{ background: #000000; color: #ffffff; padding: 6px; font-weight: bold; }}
"""


def resources_dir() -> Path:
    """The `resources` folder, found as printing.fonts does, without importing ReportLab."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def register_fonts() -> list[str]:
    """Register the bundled DejaVu fonts (Turkish glyphs and ₺) with Qt; return the families."""
    families: list[str] = []
    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return sorted(set(families))


def apply_style(app: QApplication) -> None:
    """Fonts and the high-contrast style sheet for the whole application."""
    register_fonts()
    app.setFont(QFont(FONT_FAMILY, 12))
    app.setStyleSheet(QSS)
