"""Members screen, first-run wizard and settings."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from loyalty_desktop.services import open_terminal
from loyalty_desktop.ui.members import MembersScreen
from loyalty_desktop.ui.settings import SettingsScreen
from loyalty_desktop.ui.status import backup_age_hours
from loyalty_desktop.ui.wizard import FirstRunWizard
from loyalty_desktop.ui.worker import TerminalWorker

from .conftest import MANAGER_PIN, OWNER_PIN, type_text, wait_idle


@pytest.fixture
def members(worker, qtbot):
    screen = MembersScreen(worker)
    qtbot.addWidget(screen)
    screen.show()
    yield screen
    screen.close()


def test_enrol_a_member_with_a_turkish_name_and_consents(members, qtbot, worker):
    members.new_member()
    type_text(members.form.fields["name"], "Çiğdem Işık")
    type_text(members.form.fields["phone"], "0533 765 43 21")
    type_text(members.form.fields["birthday"], "1990-03-14")
    qtbot.mouseClick(members.form.consents["email"], Qt.MouseButton.LeftButton)
    assert members.form.fields["name"].text() == "Çiğdem Işık"
    qtbot.mouseClick(members.form.findChild(type(members.actions["sell"]), "enrol_save"),
                     Qt.MouseButton.LeftButton)
    wait_idle(qtbot, worker)
    assert members.panel.name.text() == "Çiğdem Işık"
    found = worker.term.find_member("Çiğdem Işık")
    assert found["consents"] == {"email": True, "sms": False}
    assert found["phone"] == "+905337654321"


def test_enrol_refuses_a_bad_phone_with_a_turkish_message(members, qtbot, worker):
    members.new_member()
    type_text(members.form.fields["name"], "Ümit Şen")
    type_text(members.form.fields["phone"], "12")
    members.form.submit()
    wait_idle(qtbot, worker)
    assert members.form.message.text() != ""
    assert worker.term.search_members("Ümit") == []


def test_search_is_turkish_aware_and_block_needs_a_manager_pin(members, qtbot, worker):
    type_text(members.search, "şule")
    wait_idle(qtbot, worker)
    assert members.results.count() == 1
    members._open_item(members.results.item(0))
    wait_idle(qtbot, worker)
    assert members.history.count() == 1
    members.ask_pin = lambda *_a: "0000"
    members.block_card()
    wait_idle(qtbot, worker)
    assert members.message.text() == "PIN yanlış."
    members.ask_pin = lambda *_a: MANAGER_PIN
    members.block_card()
    wait_idle(qtbot, worker)
    assert members.member["blocked"] is True
    assert not members.actions["sell"].isEnabled()


def test_kvkk_export_writes_json_and_erase_asks_first(members, qtbot, worker, tmp_path):
    type_text(members.search, "Öztürk")
    wait_idle(qtbot, worker)
    members._open_item(members.results.item(0))
    wait_idle(qtbot, worker)
    target = tmp_path / "export.json"
    members.ask_save_path = lambda *_a: str(target)
    members.export()
    wait_idle(qtbot, worker)
    assert json.loads(target.read_text(encoding="utf-8"))["member"]["name"] == "Şule Öztürk"
    members.ask_yes = lambda *_a: False
    members.ask_pin = lambda *_a: MANAGER_PIN
    members.erase()
    wait_idle(qtbot, worker)
    assert worker.term.search_members("Öztürk") != []
    members.ask_yes = lambda *_a: True
    members.erase()
    wait_idle(qtbot, worker)
    assert members.member["erased"] is True


def test_first_run_wizard_creates_the_shop(tmp_path, qtbot):
    term = open_terminal(tmp_path / "new")
    worker = TerminalWorker(term)
    try:
        wizard = FirstRunWizard(worker)
        qtbot.addWidget(wizard)
        type_text(wizard.shop, "Işık Fırını")
        type_text(wizard.owner, "İbrahim Öz")
        type_text(wizard.pin, "2468")
        type_text(wizard.pin2, "2469")
        wizard.submit()
        assert wizard.message.text() == "İki PIN aynı değil."
        wizard.pin2.setText("2468")
        wizard.submit()
        wait_idle(qtbot, worker)
        assert wizard.result_data is not None
        assert term.shop["shop_name"] == "Işık Fırını"
        assert term.login(term.list_staff()[0]["staff_id"], "2468")["role"] == "owner"
        wizard.close()
    finally:
        worker.shutdown()
        term.close()


def test_settings_validate_names_the_field_and_publish_needs_the_owner(worker, qtbot):
    screen = SettingsScreen(worker)
    qtbot.addWidget(screen)
    screen.reload()
    wait_idle(qtbot, worker)
    assert "sürüm 1" in screen.version.text()
    text = screen.editor.toPlainText()
    assert "min_redeem_points = 50" in text
    screen.editor.setPlainText(text.replace("min_redeem_points = 50", "min_redeem_points = -5"))
    assert not screen.validate()
    assert "min_redeem_points" in screen.program_message.text()
    screen.editor.setPlainText(text.replace("min_redeem_points = 50", "min_redeem_points = 100"))
    screen.ask_pin = lambda *_a: OWNER_PIN
    screen.publish()
    wait_idle(qtbot, worker)
    assert "sürüm 2" in screen.version.text()
    assert worker.term.program.min_redeem_points == 100
    screen.make_backup()
    wait_idle(qtbot, worker)
    assert screen.backup_list.count() == 1
    assert screen.audit.rowCount() > 0
    screen.close()


def test_restore_asks_for_confirmation(worker, qtbot):
    screen = SettingsScreen(worker)
    qtbot.addWidget(screen)
    screen.make_backup()
    wait_idle(qtbot, worker)
    screen.backup_list.setCurrentRow(0)
    asked = []
    screen.ask_yes = lambda *a: asked.append(a) or False
    with qtbot.assertNotEmitted(screen.restore_requested):
        screen.restore()
    screen.ask_yes = lambda *a: True
    with qtbot.waitSignal(screen.restore_requested, timeout=1000) as signal:
        screen.restore()
    assert signal.args[0].endswith(".db") and asked
    screen.close()


def test_backup_age_reads_the_stamp_in_the_name():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert backup_age_hours([{"name": "loyalty-20261123T090000123456Z.db"}], now) == 3.0
    assert backup_age_hours([], now) is None
