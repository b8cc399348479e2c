"""English is complete: every Turkish source string of the window has a finished translation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtWidgets import QApplication

from loyalty_desktop.printing.fonts import resources_dir
from loyalty_desktop.ui.login import LoginScreen
from loyalty_desktop.ui.main import install_translator

UI = Path(__file__).resolve().parents[2] / "loyalty_desktop" / "ui"
TS = resources_dir() / "translations" / "loyalty_en.ts"
TR_CALL = re.compile(r"""\btr\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")


def _ts_sources() -> dict[str, str]:
    root = ET.parse(TS).getroot()
    out = {}
    for message in root.iter("message"):
        translation = message.find("translation")
        assert translation.get("type") != "unfinished", message.find("source").text
        out[message.find("source").text] = translation.text or ""
    return out


def test_every_tr_string_in_the_ui_is_translated():
    sources = _ts_sources()
    used = set()
    for path in UI.glob("*.py"):
        for literal in TR_CALL.findall(path.read_text(encoding="utf-8")):
            used.add(literal.encode().decode("unicode_escape").encode("latin-1").decode("utf-8"))
    missing = sorted(s for s in used if s not in sources)
    assert not missing, f"run pyside6-lupdate and translate: {missing}"
    assert all(sources[s] for s in used)


def test_english_login_screen(worker, qtbot):
    app = QApplication.instance()
    translator = install_translator(app, "en")
    assert translator is not None
    try:
        screen = LoginScreen(worker, "en")
        qtbot.addWidget(screen)
        assert screen.enter.text() == "Log in"
        assert screen.who.text() == "Choose your name"
        screen.close()
    finally:
        app.removeTranslator(translator)
