"""Where the fonts are found: in the checkout, or in a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

from loyalty_desktop.printing import fonts


def test_resources_dir_of_a_checkout_is_next_to_the_package():
    assert fonts.resources_dir() == Path(fonts.__file__).resolve().parents[2] / "resources"


def test_resources_dir_inside_a_pyinstaller_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert fonts.resources_dir() == tmp_path / "resources"
    assert fonts.font_path(fonts.BOLD) == tmp_path / "resources" / "fonts" / "DejaVuSans-Bold.ttf"
