"""Start-up: a second instance is told clearly, a damaged database offers the newest backup."""

from __future__ import annotations

from loyalty_desktop.services import open_terminal
from loyalty_desktop.ui import main as ui_main

from .conftest import OWNER_PIN


def test_second_instance_gets_a_clear_message(shop, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(ui_main.QMessageBox, "critical",
                        lambda _parent, title, text: shown.append((title, text)))
    assert ui_main.open_store(shop.data_dir) is None
    assert shown and "zaten açık" in shown[0][1]


def test_damaged_database_offers_the_newest_good_backup(tmp_path, qtbot, monkeypatch):
    data = tmp_path / "d"
    term = open_terminal(data)
    term.init_shop("Yedekli Dükkân", "Oya", OWNER_PIN)
    term.backup()
    term.close()
    db_file = data / "loyalty.db"
    raw = bytearray(db_file.read_bytes())
    raw[100:4096] = b"\xff" * (4096 - 100)  # overwrite the schema page
    db_file.write_bytes(bytes(raw))
    offered = []
    monkeypatch.setattr(ui_main, "offer_restore", lambda backup: offered.append(backup) or True)
    restored = ui_main.open_store(data)
    try:
        assert offered and offered[0].name.startswith("loyalty-")
        assert restored.shop["shop_name"] == "Yedekli Dükkân"
    finally:
        restored.close()
